import asyncio
import io
import json

import pytest
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from core.certs import signing
from core.certs.service import issue_certificate
from tests.certs.conftest import run


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


def _store(url: str, tamper: dict | None = None) -> str:
    """Issue one certificate into the database at `url`; optionally edit its row after."""
    from tortoise.backends.base import executor

    from core import db as database
    from core.certs.models import Certificate
    from tests.certs.conftest import PUBLIC_BASE_URL, sample_data

    async def store() -> str:
        executor.EXECUTOR_CACHE.clear()  # SQLite's cached INSERTs must not reach PostgreSQL
        await database.open_db(url)
        try:
            view = await issue_certificate(
                sample_data(), key=Ed25519PrivateKey.from_private_bytes(bytes(range(32))),
                public_base_url=PUBLIC_BASE_URL,
            )
            if tamper:
                await Certificate.filter(public_id=view.id).update(**tamper)
            return view.id
        finally:
            await database.close_db()

    return asyncio.run(store())


@pytest.fixture
def stored_env(db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("CERT_SIGNING_KEY", bytes(range(32)).hex())
    return db_url


def test_verify_by_id_checks_the_stored_certificate(stored_env, capsys):
    cert_id = _store(stored_env)
    assert run("certs", "verify", cert_id) == 0
    assert capsys.readouterr().out.startswith(f"VALID  certificate {cert_id}")


def test_verify_by_id_gives_the_page_s_reason_for_a_tampered_copy(stored_env, capsys):
    cert_id = _store(stored_env, tamper={"amount_kg": 99999})
    assert run("certs", "verify", cert_id) == 1
    assert capsys.readouterr().out.strip() == (
        f"INVALID  certificate {cert_id}: the stored amount_kg differs from the signed payload"
    )
