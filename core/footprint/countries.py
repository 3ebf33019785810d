"""Countries: ISO 3166-1 alpha-2 in and out; names and alpha-3 accepted via pycountry."""

from __future__ import annotations

import difflib

import pycountry

from core.footprint.errors import UnknownCountry

# Names people type that pycountry does not know (English, German, French basics).
ALIASES = {
    "uk": "GB", "u.k.": "GB", "britain": "GB", "great britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "northern ireland": "GB", "grossbritannien": "GB",
    "großbritannien": "GB", "royaume-uni": "GB", "angleterre": "GB",
    "usa": "US", "u.s.": "US", "u.s.a.": "US", "america": "US", "united states": "US",
    "etats-unis": "US", "états-unis": "US",
    "russia": "RU", "south korea": "KR", "korea": "KR", "vietnam": "VN", "turkey": "TR",
    "iran": "IR", "taiwan": "TW", "czechia": "CZ", "czech republic": "CZ",
    "deutschland": "DE", "allemagne": "DE", "frankreich": "FR", "spanien": "ES",
    "espagne": "ES", "italien": "IT", "italie": "IT", "schweiz": "CH", "suisse": "CH",
    "österreich": "AT", "oesterreich": "AT", "autriche": "AT", "niederlande": "NL",
    "pays-bas": "NL", "belgien": "BE", "belgique": "BE", "polen": "PL", "pologne": "PL",
    "china": "CN", "chine": "CN", "japan": "JP", "japon": "JP", "indien": "IN",
    "inde": "IN",
}


def resolve_country(text: str) -> str:
    """The ISO alpha-2 code for a code, alpha-3 or name; UnknownCountry with close matches."""
    cleaned = " ".join(str(text).split()).strip()
    if cleaned.lower() in ALIASES:
        return ALIASES[cleaned.lower()]
    if cleaned:
        try:
            return pycountry.countries.lookup(cleaned).alpha_2
        except LookupError:
            pass
    raise UnknownCountry(f"unknown country {text!r}", text=text,
                         suggestions=_close_countries(cleaned))


def country_name(alpha_2: str) -> str:
    country = pycountry.countries.get(alpha_2=alpha_2)
    return getattr(country, "common_name", None) or country.name if country else alpha_2


def _close_countries(text: str) -> list[str]:
    names: dict[str, str] = {k: v for k, v in ALIASES.items()}
    for c in pycountry.countries:
        names[c.name.lower()] = c.alpha_2
        if hasattr(c, "common_name"):
            names[c.common_name.lower()] = c.alpha_2
    found = difflib.get_close_matches(text.lower(), list(names), n=5, cutoff=0.6)
    return list(dict.fromkeys(names[f] for f in found))
