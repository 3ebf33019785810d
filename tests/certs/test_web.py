import json

import pytest

from core.certs import signing
from core.certs.service import issue_certificate, verify_certificate


@pytest.fixture
async def view(cert_db, signing_key, make_data, base_url):
    return await issue_certificate(
        make_data(beneficiary="Zoë <script>alert(1)</script> Ångström"),
        key=signing_key,
        public_base_url=base_url,
    )


async def test_the_page_shows_the_beneficiary_and_a_valid_signature(client, view):
    response = await client.get(f"/c/{view.id}")
    assert response.status == 200
    page = await response.text()
    assert "Zoë &lt;script&gt;alert(1)&lt;/script&gt; Ångström" in page
    assert "<script>" not in page
    assert "Signature valid ✓" in page
    assert "Retired" in page
    assert "0.5 t CO₂e" in page and "500 kg" in page
    assert "CCCP-MATA-2024-000000001001-000000001500" in page


async def test_a_tampered_stored_certificate_shows_an_invalid_signature(client, view):
    from core.certs.models import Certificate

    row = await Certificate.get(public_id=view.id)
    row.payload = {**row.payload, "amount_kg": 501}
    await row.save()
    page = await (await client.get(f"/c/{view.id}")).text()
    assert "Signature invalid" in page and "Signature valid ✓" not in page


async def test_an_unknown_id_gets_a_friendly_404_page(client):
    response = await client.get("/c/AAAAAAAAAAAA")
    assert response.status == 404
    assert response.content_type == "text/html"
    assert "could not find this certificate" in await response.text()


@pytest.mark.parametrize(
    "path",
    ["/c/..%2F..%2Fetc%2Fpasswd", "/c/" + "x" * 500, "/c/", "/c/a/b", "/c/%00", "/c/AAAAAAAAAAA'"],
)
async def test_a_malformed_id_gets_the_404_page_not_an_error(client, path):
    response = await client.get(path)
    assert response.status == 404
    assert "could not find this certificate" in await response.text()


@pytest.mark.parametrize("path", ["/c/AAAAAAAAAAAA.json", "/c/..%2F..%2Fetc.json"])
async def test_json_for_an_unknown_id_is_a_json_404(client, path):
    response = await client.get(path)
    assert response.status == 404
    assert (await response.json())["error"] == "not_found"


async def test_the_json_verifies_against_the_served_public_key(client, view, base_url):
    document = await (await client.get(f"/c/{view.id}.json")).json()
    pem = await (await client.get("/keys/cert.pub")).text()
    public_key = signing.load_public_key_pem(pem)
    assert verify_certificate(document["payload"], document["signature"], public_key)
    assert set(document) == {"payload", "signature"}  # nothing unsigned beside the payload
    assert document["payload"]["key_id"] == signing.key_id(public_key)
    assert document["payload"]["public_key_url"] == f"{base_url}/keys/cert.pub"


async def test_the_png_is_served_as_an_image(client, view):
    response = await client.get(f"/c/{view.id}.png")
    assert response.status == 200
    assert response.content_type == "image/png"
    assert (await response.read()).startswith(b"\x89PNG")


async def test_the_png_of_an_unknown_id_is_a_404(client):
    assert (await client.get("/c/AAAAAAAAAAAA.png")).status == 404


async def test_the_json_round_trips_through_the_offline_cli_check(client, view, tmp_path):
    from cccp.certs import verify_file

    (tmp_path / "cert.json").write_text(await (await client.get(f"/c/{view.id}.json")).text())
    (tmp_path / "cert.pub").write_text(await (await client.get("/keys/cert.pub")).text())
    assert verify_file(tmp_path / "cert.json", tmp_path / "cert.pub") is True
    document = json.loads((tmp_path / "cert.json").read_text())
    document["payload"]["beneficiary"] = "Someone else"
    (tmp_path / "cert.json").write_text(json.dumps(document))
    assert verify_file(tmp_path / "cert.json", tmp_path / "cert.pub") is False


async def test_a_certificate_without_a_purchase_mentions_no_reduction_order(client, view):
    page = await (await client.get(f"/c/{view.id}")).text()
    assert "carbon reduction order" not in page


async def test_the_png_of_a_french_certificate_is_drawn_in_french(
    client, cert_db, signing_key, make_data, base_url
):
    from core.certs.render import render_certificate_png

    french = await issue_certificate(
        make_data(language="fr", retirement_id=77), key=signing_key, public_base_url=base_url
    )
    png = await (await client.get(f"/c/{french.id}.png")).read()
    assert png == render_certificate_png(french, "fr") != render_certificate_png(french, "en")


async def _page_verdict(client, cert_id: str) -> str:
    """The verdict a visitor reads: the badge, and the reason when it is invalid."""
    page = await (await client.get(f"/c/{cert_id}")).text()
    if "Signature valid ✓" in page:
        assert "Signature invalid" not in page and "Not valid:" not in page
        return "valid"
    assert "Signature invalid ✗" in page
    return page.split('<p class="verdict bad">Not valid: ', 1)[1].split("</p>", 1)[0]


async def test_a_stored_signature_spelt_another_way_shows_invalid_and_why(client, view):
    from core.certs.models import Certificate

    last = view.signature[-1]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    other = alphabet[alphabet.index(last) ^ 1]  # differs only in an unused low bit
    await Certificate.filter(public_id=view.id).update(signature=view.signature[:-1] + other)
    assert await _page_verdict(client, view.id) == "signature is not canonical base64url"


async def test_a_stored_copy_that_differs_from_the_signed_payload_shows_invalid(client, view):
    from core.certs.models import Certificate

    await Certificate.filter(public_id=view.id).update(beneficiary="Mallory")
    assert await _page_verdict(client, view.id) == (
        "the stored beneficiary differs from the signed payload"
    )


@pytest.mark.parametrize("name", ["public_key_url", "key_id", "amount_kg"])
async def test_a_stored_payload_with_a_signed_field_changed_shows_invalid(
    client, view, name, signing_key
):
    from core.certs.models import Certificate

    forged = {
        "public_key_url": "https://evil.example/keys/cert.pub",
        "key_id": "0" * 16,
        "amount_kg": 99999,
    }
    row = await Certificate.get(public_id=view.id)
    await Certificate.filter(id=row.id).update(payload={**row.payload, name: forged[name]})
    verdict = await _page_verdict(client, view.id)
    assert verdict != "valid"
    assert verdict == (
        f"signed with key 0000000000000000, not with this key ({signing.key_id(signing_key)})"
        if name == "key_id"
        else "signature does not match"
    )


async def test_the_genuine_stored_certificate_shows_valid(client, view):
    assert await _page_verdict(client, view.id) == "valid"
