"""Which language a public page speaks: ?lang=, then the certificate's own, then
Accept-Language, then English; the look-up JSON's human fields follow it."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.registry.test_public_pages import World, world  # noqa: F401 - fixture
from web.i18n import accepted_language


async def _get(world: World, path: str, **headers) -> str:  # noqa: F811
    response = await world.client.get(path, headers=headers)
    return await response.text()


@pytest.mark.parametrize(("header", "expected"), [
    ("de-AT,de;q=0.9,en;q=0.8", "de"), ("es,fr;q=0.7,de;q=0.5", "fr"), ("en-GB", "en"),
    ("es, it", None), ("", None), ("de;q=0, fr;q=0.1", "fr"), ("fr;q=abc,de", "de"),
])
def test_accept_language_is_read_by_its_weights(header, expected):
    assert accepted_language(header) == expected


async def test_the_verify_page_takes_lang_then_the_certificate_then_the_browser(world):  # noqa: F811
    path = f"/c/{world.certificate_id}"
    # The certificate was issued in English: it wins over the browser's language.
    assert "Signature valid ✓" in await _get(world, path, **{"Accept-Language": "de"})
    text = await _get(world, path + "?lang=fr", **{"Accept-Language": "de"})
    assert "Signature valide ✓" in text and '<html lang="fr">' in text
    assert "Projet" in text and "Millésime" in text and "Vérifiez vous-même" in text
    text = await _get(world, path + "?lang=de")
    assert "Signatur gültig ✓" in text and "Urkunde als Bild herunterladen (PNG)" in text
    assert '<strong lang="de" aria-current="true">Deutsch</strong>' in text
    assert f'href="/c/{world.certificate_id}?lang=fr"' in text  # the switch keeps the page
    assert "Certificate ID" not in text and "Check it yourself" not in text
    # An unknown certificate has no language of its own: the browser's is used.
    assert "Urkunde nicht gefunden" in await _get(world, "/c/AAAAAAAAAAAA",
                                                  **{"Accept-Language": "de-DE"})


async def test_registry_pages_follow_the_browser_and_keep_a_chosen_language(world):  # noqa: F811
    text = await _get(world, "/registry", **{"Accept-Language": "fr-CH, fr;q=0.9"})
    assert "Les projets et leurs crédits" in text and "Rechercher" in text
    text = await _get(world, f"/registry?q={world.retirement.id}&lang=de")
    assert "Stilllegungs-ID" in text and "Zertifikate endgültig stillgelegt" in text
    assert f"/registry/projects/{world.code}?lang=de" in text  # links keep the choice
    text = await _get(world, f"/registry/projects/{world.code}?lang=fr")
    assert "Lots" in text and "Derniers retraits" in text and "Réserve tampon" in text
    text = await _get(world, "/registry/no-such-page?lang=de")
    assert "Das haben wir nicht gefunden" in text


async def test_the_lookup_json_names_its_statuses_in_the_chosen_language(world):  # noqa: F811
    response = await world.client.get("/registry/lookup.json?q=" + quote(world.retirement.id)
                                      + "&lang=de")
    body = await response.json()
    assert body["language"] == "de"
    assert body["ranges"][0]["status"] == "retired"  # the code stays
    assert body["ranges"][0]["status_label"] == "Stillgelegt"
    assert body["ranges"][0]["meaning"] == "Endgültig aus dem Umlauf genommen"
    assert body["project"]["status_label"] == "Zugelassen"
    missing = await (await world.client.get("/registry/lookup.json?q=nothing&lang=fr")).json()
    assert missing["message"].startswith("Aucun numéro de série")
