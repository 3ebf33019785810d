import argparse
import io
import json

import pytest
import zxingcpp
from PIL import Image

from cccp.certs import add_parser
from core.certs import signing
from core.certs.service import issue_certificate
from web.certs import certificate_document


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="cccp")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


@pytest.fixture
async def files(cert_db, signing_key, make_data, base_url, tmp_path):
    """A downloaded certificate JSON and the public key, as a user would save them."""
    view = await issue_certificate(make_data(), key=signing_key, public_base_url=base_url)
    cert = tmp_path / f"{view.id}.json"
    cert.write_text(json.dumps(certificate_document(view, base_url), ensure_ascii=False))
    pub = tmp_path / "cert.pub"
    pub.write_text(signing.public_key_pem(signing_key))
    return cert, pub


async def test_verify_says_valid_and_exits_0(files, capsys):
    cert, pub = files
    assert run("certs", "verify", str(cert), "--public-key", str(pub)) == 0
    assert capsys.readouterr().out.startswith("VALID")


async def test_verify_says_invalid_and_exits_1_when_the_amount_was_changed(files, capsys):
    cert, pub = files
    document = json.loads(cert.read_text())
    document["payload"]["amount_kg"] += 1
    cert.write_text(json.dumps(document))
    assert run("certs", "verify", str(cert), "--public-key", str(pub)) == 1
    assert capsys.readouterr().out.startswith("INVALID")


async def test_verify_against_another_key_is_invalid(files, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    cert, _ = files
    other = tmp_path / "other.pub"
    other.write_text(signing.public_key_pem(Ed25519PrivateKey.generate()))
    assert run("certs", "verify", str(cert), "--public-key", str(other)) == 1


async def test_verify_uses_cert_signing_key_when_no_public_key_is_given(files, monkeypatch):
    cert, _ = files
    monkeypatch.setenv("CERT_SIGNING_KEY", bytes(range(32)).hex())
    assert run("certs", "verify", str(cert)) == 0


def test_verify_of_a_file_that_is_not_a_certificate_exits_2(tmp_path, capsys):
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    pub = tmp_path / "cert.pub"
    assert run("certs", "verify", str(junk), "--public-key", str(pub)) == 2
    assert "error" in capsys.readouterr().err


async def test_render_draws_the_png_from_a_downloaded_json(files, tmp_path):
    cert, _ = files
    out = tmp_path / "cert.png"
    assert run("certs", "render", str(cert), "-o", str(out)) == 0
    document = json.loads(cert.read_text())
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(out.read_bytes())))
    assert [r.text for r in decoded] == [document["payload"]["verify_url"]]
