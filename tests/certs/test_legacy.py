"""Certificates issued in formats 1 and 2 (before the key URL was signed) still
verify on the page and offline, and their unsigned copies cannot be edited."""

import json

import pytest

from core.certs import signing
from core.certs.service import issue_certificate
from tests.certs.conftest import make_legacy, run


@pytest.fixture(params=[1, 2], ids=["v1", "v2"])
async def legacy(request, cert_db, signing_key, make_data, base_url):
    view = await issue_certificate(make_data(), key=signing_key, public_base_url=base_url)
    return await make_legacy(view, signing_key, request.param)


@pytest.fixture
async def legacy_files(client, legacy, tmp_path):
    """The legacy certificate's JSON and the key, downloaded from the pages."""
    cert = tmp_path / f"{legacy.id}.json"
    cert.write_text(await (await client.get(f"/c/{legacy.id}.json")).text())
    pub = tmp_path / "cert.pub"
    pub.write_text(await (await client.get("/keys/cert.pub")).text())
    return cert, pub


async def test_an_old_certificate_still_shows_a_valid_signature(client, legacy):
    page = await (await client.get(f"/c/{legacy.id}")).text()
    assert "Signature valid ✓" in page and "Not valid:" not in page


async def test_an_old_certificate_is_served_with_copies_its_payload_determines(
    legacy_files, legacy, base_url, signing_key
):
    cert, _ = legacy_files
    document = json.loads(cert.read_text())
    assert document["payload"]["v"] == legacy.payload["v"]
    assert document["key_id"] == document["payload"]["key_id"] == signing.key_id(signing_key)
    assert document["public_key_url"] == f"{base_url}/keys/cert.pub"
    assert document["algorithm"] == "Ed25519"


async def test_an_old_certificate_downloaded_verifies_offline(legacy_files, capsys):
    cert, pub = legacy_files
    assert run("certs", "verify", str(cert), "--public-key", str(pub)) == 0
    assert capsys.readouterr().out.startswith("VALID")


@pytest.mark.parametrize(
    "name, forged",
    [
        ("public_key_url", "https://evil.example/keys/cert.pub"),
        ("key_id", "0000000000000000"),
        ("algorithm", "none"),
        ("signature_encoding", "hex"),
    ],
)
async def test_editing_an_old_certificate_s_unsigned_copy_is_refused(
    legacy_files, capsys, name, forged
):
    cert, pub = legacy_files
    document = json.loads(cert.read_text())
    document[name] = forged
    cert.write_text(json.dumps(document))
    assert run("certs", "verify", str(cert), "--public-key", str(pub)) == 1
    assert capsys.readouterr().out.rstrip().endswith(f"field {name} does not match the signed payload")


async def test_a_field_an_old_certificate_never_had_is_refused(legacy_files, capsys):
    cert, pub = legacy_files
    document = json.loads(cert.read_text())
    document["issuer_note"] = "verified by CCCP"
    cert.write_text(json.dumps(document))
    assert run("certs", "verify", str(cert), "--public-key", str(pub)) == 1
    assert capsys.readouterr().out.rstrip().endswith("field issuer_note is outside the signed payload")


async def test_an_old_certificate_s_amount_changed_is_refused(legacy_files, capsys):
    cert, pub = legacy_files
    document = json.loads(cert.read_text())
    document["payload"]["amount_kg"] = 99999
    cert.write_text(json.dumps(document))
    assert run("certs", "verify", str(cert), "--public-key", str(pub)) == 1
    assert capsys.readouterr().out.rstrip().endswith("signature does not match")
