"""Countries: ISO 3166-1 alpha-2 in and out; names and alpha-3 accepted via pycountry."""

from __future__ import annotations

import difflib

import pycountry

from core.footprint.errors import PlaceTypo, UnknownCountry, UnknownPlace
from core.footprint.places import Place, find_place, fold, main_place_names

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


ALIASES.update({
    "frankreich": "FR", "france": "FR", "allemagne": "DE", "germany": "DE",
    "grande-bretagne": "GB", "vereinigtes königreich": "GB", "vereinigte staaten": "US",
    "schottland": "GB", "écosse": "GB", "ecosse": "GB", "irland": "IE", "irlande": "IE",
    "portugal": "PT", "griechenland": "GR", "grèce": "GR", "grece": "GR",
    "schweden": "SE", "suède": "SE", "norwegen": "NO", "norvège": "NO", "dänemark": "DK",
    "danemark": "DK", "finnland": "FI", "finlande": "FI", "ungarn": "HU", "hongrie": "HU",
    "tschechien": "CZ", "tchéquie": "CZ", "türkei": "TR", "turquie": "TR", "kanada": "CA",
    "mexiko": "MX", "mexique": "MX", "brasilien": "BR", "brésil": "BR", "australien": "AU",
    "australie": "AU", "luxemburg": "LU", "kroatien": "HR", "croatie": "HR",
    "rumänien": "RO", "roumanie": "RO", "südafrika": "ZA", "afrique du sud": "ZA",
})


def resolve_country(text: str) -> str:
    """The ISO alpha-2 code for a code, alpha-3 or name, or a city's country ("Paris" ->
    FR, wherever a country is wanted); UnknownCountry with close matches, or PlaceTypo
    when the text is one slip from a big city's name ("Pariss")."""
    cleaned = " ".join(str(text).split()).strip()
    found = _country(cleaned)
    if found:
        return found
    if (place := find_place(cleaned)) is not None:
        return place.country
    if slips := place_slips(cleaned):
        raise PlaceTypo(f"{text!r} may be a slip for {', '.join(slips)}", text=text,
                        suggestions=slips)
    raise UnknownCountry(f"unknown country {text!r}", text=text,
                         suggestions=_close_countries(cleaned))


def _country(cleaned: str) -> str | None:
    key = cleaned.lower()
    if key in ALIASES:
        return ALIASES[key]
    if cleaned and (len(cleaned) > 3 or cleaned.isupper() or len(cleaned) == 2):
        try:
            return pycountry.countries.lookup(cleaned).alpha_2
        except LookupError:
            pass
    return None


def is_country(text: str) -> bool:
    return _country(" ".join(str(text).split())) is not None


def country_of(text: str) -> tuple[str, Place | None]:
    """(alpha-2, the place it came from or None): what a hotel or a grid figure reads."""
    cleaned = " ".join(str(text).split()).strip()
    found = _country(cleaned)
    if found:
        return found, None
    place = find_place(cleaned)
    if place is not None:
        return place.country, place
    return resolve_country(cleaned), None  # raises with suggestions


def place_slips(text: str) -> list[str]:
    """Big cities one slip (a letter changed, swapped, added or dropped) from text."""
    from core.footprint.airports import one_slip

    key = fold(text)
    if len(key) < 4:
        return []
    return [p.name for k, p in main_place_names().items()
            if one_slip(key, k, insertions=len(key) >= 5)][:4]


def resolve_place(text: str) -> Place:
    """A named place; PlaceTypo or UnknownPlace when the table has none of that name."""
    cleaned = " ".join(str(text).split()).strip()
    place = find_place(cleaned)
    if place is not None:
        return place
    if slips := place_slips(cleaned):
        raise PlaceTypo(f"{text!r} may be a slip for {', '.join(slips)}", text=text,
                        suggestions=slips)
    raise UnknownPlace(f"unknown place {text!r}", text=text, suggestions=[])


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


def place_understood(code: str, place: Place | None) -> tuple:
    """"Understood: Paris, France → France" (a city standing for its country), or the
    country alone."""
    from core.footprint import texts as tx
    from core.footprint.texts import Country, Text

    if place is None:
        return (Text(tx.UNDERSTOOD_COUNTRY, {"country": Country(code)}),)
    return (Text(tx.UNDERSTOOD_PLACE_FOR_COUNTRY,
                 {"place": Text(tx.UNDERSTOOD_PLACE, {"name": place.name,
                                                      "country": Country(place.country)}),
                  "country": Country(code)}),)
