"""Fixtures for the certificate tests: a fresh database, a key, a base URL."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from core.certs.models import CertificateKind
from core.certs.service import CertificateData

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
