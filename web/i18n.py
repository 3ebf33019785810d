"""The language of a public page: `?lang=`, else the certificate's, else Accept-Language.

Pages are written with English msgids marked `N_()` and translated through the same
catalogues as the bot and the certificate image (core/certs/texts.py reads them), so
one glossary (locales/GLOSSARY.md) holds for all of them. Every page carries a
language switch: links to the same address with `?lang=en|de|fr`.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from urllib.parse import urlencode

from aiohttp import web
from babel import Locale

from core.certs.texts import format_issued, format_kg, format_tonnes, normalise_language, translate
from core.i18n import LANGUAGE_NAMES, LANGUAGES


def N_(message: str) -> str:
    """Mark a page text for extraction (pybabel -k N_)."""
    return message


def accepted_language(header: str) -> str | None:
    """The first language of an Accept-Language header we speak, by its q weight."""
    ranked = []
    for i, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        code = tag.strip().split("-")[0].lower()
        if code in LANGUAGES and weight > 0:
            ranked.append((-weight, i, code))
    return min(ranked)[2] if ranked else None


def page_language(request: web.Request, document_language: str | None = None) -> str:
    """?lang= first, then the document's own language, then Accept-Language, then en."""
    asked = request.query.get("lang", "").lower()
    if asked in LANGUAGES:
        return asked
    if document_language:
        return normalise_language(document_language)
    return accepted_language(request.headers.get("Accept-Language", "")) or "en"


class PageText:
    """Texts, numbers and dates of one page in one language: `t("Project")`."""

    def __init__(self, language: str, *, sticky: bool = False) -> None:
        self.language = normalise_language(language)
        self.sticky = sticky  # chosen by ?lang=: links carry it on

    @classmethod
    def of(cls, request: web.Request, document_language: str | None = None) -> PageText:
        return cls(page_language(request, document_language),
                   sticky=request.query.get("lang", "").lower() in LANGUAGES)

    def link(self, href: str) -> str:
        """href with ?lang= when the language was chosen (escape it where shown)."""
        if not self.sticky:
            return href
        return href + ("&" if "?" in href else "?") + f"lang={self.language}"

    def __call__(self, message: str, **params: object) -> str:
        return translate(self.language, message, **params)

    def kg(self, amount_kg: int) -> str:
        return format_kg(amount_kg, self.language)

    def tonnes(self, amount_kg: int) -> str:
        return format_tonnes(amount_kg, self.language)

    def date(self, moment: datetime | None) -> str:
        return format_issued(moment, self.language) if moment else "—"

    def country(self, code: str | None) -> str:
        if not code:
            return "—"
        name = Locale.parse(self.language).territories.get(code)
        return f"{name} ({code})" if name else code


LANGUAGE_SWITCH = N_("Language")


def language_switch(request: web.Request, current: str) -> str:
    """Links to this page in each language (the current one marked, not linked)."""
    links = []
    for code in LANGUAGES:
        name = escape(LANGUAGE_NAMES[code])
        if code == current:
            links.append(f'<strong lang="{code}" aria-current="true">{name}</strong>')
            continue
        query = {k: v for k, v in request.query.items() if k != "lang"}
        query["lang"] = code
        href = escape(f"{request.path}?{urlencode(query)}")
        links.append(f'<a lang="{code}" hreflang="{code}" href="{href}">{name}</a>')
    label = escape(translate(current, LANGUAGE_SWITCH))
    return f'<nav class="languages" aria-label="{label}">{" · ".join(links)}</nav>'


SWITCH_CSS = """
nav.languages{margin:-8px 0 14px;text-align:right;font-size:14px;color:#555c58}
nav.languages a{color:#164e38;font-weight:700}
nav.languages strong{color:#212926}
"""
