"""Fixtures for the certificate tests: a fresh database, a key, a base URL,
the `cccp certs` command and a certificate downloaded as a user saves it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cccp.certs import add_parser
from core.certs import signing
from core.certs.models import Certificate, CertificateKind
from core.certs.service import (
    CertificateData,
    CertificateView,
    certificate_document,
    get_certificate,
    issue_certificate,
)
from web.certs import CERT_KEY, add_routes
from web.certs import PUBLIC_BASE_URL as BASE_URL_KEY

PUBLIC_BASE_URL = "https://cccp.example"


@pytest.fixture
def cert_db(db):
    """The shared migrated database (SQLite, and PostgreSQL when set)."""
    return db


@pytest.fixture
def signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


@pytest.fixture
def base_url() -> str:
    return PUBLIC_BASE_URL


@pytest.fixture
async def client(cert_db, signing_key, base_url):
    """The certificate pages, served with the test key."""
    app = web.Application()
    app[CERT_KEY] = signing_key
    app[BASE_URL_KEY] = base_url
    add_routes(app)
    async with TestClient(TestServer(app)) as client:
        yield client


@pytest.fixture
def make_data():
    """A factory for sample certificate data, with any field overridden."""
    return sample_data


def sample_data(**overrides) -> CertificateData:
    fields = dict(
        kind=CertificateKind.RETIREMENT,
        beneficiary="Zoë Ångström-Παπαδόπουλος",
        amount_kg=500,
        project_name="Mata Atlântica Reforestation, Bahia",
        methodology="VM0047 Afforestation, Reforestation and Revegetation",
        country="BR",
        vintage=2024,
        serial_ranges=("CCCP-MATA-2024-000000001001-000000001500",),
        reason="Flight LHR–CDG, 14 March 2025",
        retirement_id=42,
    )
    fields.update(overrides)
    return CertificateData(**fields)


def run(*argv: str) -> int:
    """`cccp certs ...` as the command line runs it; returns the exit code."""
    parser = argparse.ArgumentParser(prog="cccp")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def save_document(view: CertificateView, path: Path) -> Path:
    """Write the certificate as /c/<id>.json serves it (indented, raw UTF-8)."""
    path.write_text(json.dumps(certificate_document(view), ensure_ascii=False, indent=2))
    return path


@pytest.fixture
async def files(cert_db, signing_key, make_data, base_url, tmp_path):
    """A downloaded certificate JSON and the public key, as a user would save them."""
    view = await issue_certificate(make_data(), key=signing_key, public_base_url=base_url)
    cert = save_document(view, tmp_path / f"{view.id}.json")
    pub = tmp_path / "cert.pub"
    pub.write_text(signing.public_key_pem(signing_key))
    return cert, pub


LATER_FIELDS = {
    1: {"language", "algorithm", "public_key_url", "signed_bytes", "signature_encoding", "standard", "project_id"},
    2: {"algorithm", "public_key_url", "signed_bytes", "signature_encoding", "standard", "project_id"},
    3: {"standard", "project_id"},
}


async def make_legacy(view: CertificateView, signing_key, version: int) -> CertificateView:
    """Turn a stored certificate into one issued in format 1 or 2, signed as it was then."""
    payload = {k: v for k, v in view.payload.items() if k not in LATER_FIELDS[version]}
    payload["v"] = version
    await Certificate.filter(public_id=view.id).update(
        payload=payload, signature=signing.sign_payload(payload, signing_key)
    )
    return await get_certificate(view.id)
