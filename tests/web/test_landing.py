"""The landing page `/` in English, German and French, chosen like the registry's pages:
?lang=, else the browser's Accept-Language, else English."""

from __future__ import annotations

from html import unescape

import pytest
from aiohttp.test_utils import TestClient, TestServer

from core.settings import load_settings
from web.app import build_web_app

# What the page says, in each language: the heading, the first sentence, the registry button.
SAYS = {
    "en": ("Carbon credits you can check", "CCCP, the Carbon Credit Consumer Symbol, marks products",
           "The public registry"),
    "de": ("CO₂-Zertifikate, die du prüfen kannst", "CCCP, das Carbon Credit Consumer Symbol, kennzeichnet",
           "Das öffentliche Register"),
    "fr": ("Des crédits carbone que vous pouvez vérifier", "CCCP, le Carbon Credit Consumer Symbol, est la marque",
           "Le registre public"),
}
ENGLISH_ONLY = ("Carbon credits you can check", "marks products and services", "signed certificate",
                "The public registry", "Public key (PEM)", "Where to go")


@pytest.fixture
async def client(tmp_path):
    settings = load_settings(data_dir=tmp_path, database_url="sqlite://:memory:")
    async with TestClient(TestServer(build_web_app(settings))) as client:
        yield client


async def page(client, path: str, **headers: str) -> str:
    response = await client.get(path, headers=headers)
    assert response.status == 200
    return unescape(await response.text())


@pytest.mark.parametrize("lang", ["en", "de", "fr"])
async def test_the_landing_page_speaks_the_language_asked_for(client, lang):
    text = await page(client, f"/?lang={lang}", **{"Accept-Language": "de" if lang != "de" else "fr"})
    heading, sentence, registry = SAYS[lang]
    assert f'<html lang="{lang}">' in text and f"<h1>{heading}</h1>" in text
    assert sentence in text and f">{registry}</a>" in text
    assert f'href="/registry?lang={lang}"' in text  # the chosen language goes on to the registry
    assert f'<strong lang="{lang}" aria-current="true">' in text  # the switch marks it
    if lang != "en":
        assert not [words for words in ENGLISH_ONLY if words in text]


@pytest.mark.parametrize(("header", "lang"), [("de-CH,de;q=0.9", "de"), ("es, fr;q=0.8", "fr"), ("it", "en")])
async def test_without_a_choice_the_landing_page_follows_the_browser(client, header, lang):
    response = await client.get("/", headers={"Accept-Language": header})
    text = unescape(await response.text())
    assert f"<h1>{SAYS[lang][0]}</h1>" in text
    assert 'href="/registry"' in text  # nothing chosen: the registry reads the browser too
    assert "Accept-Language" in response.headers["Vary"]
