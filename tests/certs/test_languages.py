"""A certificate is drawn in the buyer's language: words, dates and numbers."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
import zxingcpp
from PIL import Image

from core.certs.models import Certificate, CertificateKind
from core.certs.render import certificate_lines, render_certificate_png
from core.certs.service import (
    get_certificate,
    issue_certificate,
    verify_certificate,
    view_from_payload,
)

ISSUED = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)


def decode_qr(png: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


async def issue(make_data, signing_key, base_url, **overrides):
    return await issue_certificate(
        make_data(**overrides), key=signing_key, public_base_url=base_url, now=lambda: ISSUED
    )


@pytest.mark.parametrize(
    ("language", "title", "certifies", "issued", "amount"),
    [
        ("en", "Certificate of Carbon Offset", "This certifies that", "14 March 2025, 09:30 UTC", "1.5 t CO₂e  (1,500 kg)"),
        ("de", "Urkunde über CO₂-Kompensation", "Hiermit wird bestätigt, dass", "14. März 2025, 09:30 UTC", "1,5 t CO₂e  (1.500 kg)"),
        ("fr", "Certificat de compensation carbone", "Nous certifions que", "14 mars 2025, 09:30 UTC", "1,5 t CO₂e  (1\u202f500 kg)"),
    ],
)
async def test_a_certificate_says_its_title_date_and_amount_in_the_buyers_language(
    cert_db, signing_key, base_url, make_data, language, title, certifies, issued, amount
):
    view = await issue(make_data, signing_key, base_url, language=language, amount_kg=1500)
    lines = certificate_lines(view)
    assert view.language == language
    assert title in lines and certifies in lines and issued in lines and amount in lines
    assert view.beneficiary in lines and view.verify_url.split("://")[1] in lines


async def test_a_french_certificate_translates_labels_reason_and_extra_serials(
    cert_db, signing_key, base_url, make_data
):
    serials = tuple(f"S-{i}" for i in range(6))
    view = await issue(make_data, signing_key, base_url, language="fr", serial_ranges=serials)
    lines = certificate_lines(view)
    assert {"PROJET", "MÉTHODOLOGIE", "PAYS", "MILLÉSIME", "NUMÉROS DE SÉRIE"} <= set(lines)
    assert "pour « Flight LHR–CDG, 14 March 2025 »" in lines
    assert "et 4 autres plages" in lines
    assert "a retiré définitivement des crédits carbone pour" in lines
    assert not {"PROJECT", "COUNTRY", "This certifies that"} & set(lines)


async def test_a_stored_certificate_can_still_be_drawn_in_another_language(
    cert_db, signing_key, base_url, make_data
):
    view = await issue(make_data, signing_key, base_url, language="de", kind=CertificateKind.PURCHASE)
    assert "Urkunde über CO₂-Zertifikate" in certificate_lines(view)
    assert "Certificate of Carbon Credits" in certificate_lines(view, "en")


@pytest.mark.parametrize("language", ["de", "fr"])
async def test_the_qr_code_of_a_translated_certificate_still_decodes_to_its_verify_page(
    cert_db, signing_key, base_url, make_data, language
):
    view = await issue(make_data, signing_key, base_url, language=language)
    assert decode_qr(render_certificate_png(view)) == [f"{base_url}/c/{view.id}"]


async def test_german_and_french_pngs_differ_from_the_english_one(
    cert_db, signing_key, base_url, make_data
):
    view = await issue(make_data, signing_key, base_url, language="fr")
    french, english = render_certificate_png(view), render_certificate_png(view, "en")
    assert french != english and render_certificate_png(view, "de") not in (french, english)


async def test_the_language_is_stored_signed_and_read_back(cert_db, signing_key, base_url, make_data):
    view = await issue(make_data, signing_key, base_url, language="fr")
    row = await Certificate.get(public_id=view.id)
    assert row.language == "fr" and view.payload["language"] == "fr"
    assert (await get_certificate(view.id)).language == "fr"
    assert verify_certificate(view.payload, view.signature, signing_key)
    assert view_from_payload(view.payload, view.signature).language == "fr"


async def test_an_unknown_language_falls_back_to_english(cert_db, signing_key, base_url, make_data):
    view = await issue(make_data, signing_key, base_url, language="pt-BR")
    assert view.language == "en" and "Certificate of Carbon Offset" in certificate_lines(view)


async def test_a_certificate_without_a_language_in_its_payload_is_english(
    cert_db, signing_key, base_url, make_data
):
    view = await issue(make_data, signing_key, base_url)
    payload = {k: v for k, v in view.payload.items() if k != "language"}
    assert view_from_payload(payload, view.signature).language == "en"


async def test_the_country_is_named_in_the_certificates_language(cert_db, signing_key, base_url, make_data):
    view = await issue(make_data, signing_key, base_url, language="de", country="BR")
    assert "Brasilien (BR)" in certificate_lines(view)
    assert "Brésil (BR)" in certificate_lines(view, "fr")
    assert "Brazil (BR)" in certificate_lines(view, "en")
