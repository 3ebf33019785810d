from datetime import UTC, datetime

import pytest
from tortoise.exceptions import IntegrityError

from core.certs import signing
from core.certs.models import Certificate
from core.certs.service import (
    CertificateError,
    format_tonnes,
    get_certificate,
    issue_certificate,
    verify_certificate,
)


def fixed_clock():
    return datetime(2025, 3, 14, 9, 30, 15, 123456, tzinfo=UTC)


async def test_an_issued_certificate_is_signed_over_its_payload(
    cert_db, signing_key, make_data, base_url
):
    view = await issue_certificate(
        make_data(), key=signing_key, public_base_url=base_url, now=fixed_clock
    )
    assert verify_certificate(view.payload, view.signature, signing_key.public_key())
    assert view.payload["amount_kg"] == 500
    assert view.payload["beneficiary"] == "Zoë Ångström-Παπαδόπουλος"
    assert view.payload["issued_at"] == "2025-03-14T09:30:15Z"
    assert view.payload["issuer"] == "CCCP"
    assert view.payload["verify_url"] == f"{base_url}/c/{view.id}"
    assert view.key_id == signing.key_id(signing_key)


async def test_a_stored_certificate_reads_back_the_same_and_still_verifies(
    cert_db, signing_key, make_data, base_url
):
    issued = await issue_certificate(make_data(), key=signing_key, public_base_url=base_url)
    fetched = await get_certificate(issued.id)
    assert fetched == issued
    assert verify_certificate(fetched.payload, fetched.signature, signing_key)


async def test_issuing_twice_for_one_retirement_returns_the_first_certificate(
    cert_db, signing_key, make_data, base_url
):
    first = await issue_certificate(make_data(), key=signing_key, public_base_url=base_url)
    again = await issue_certificate(
        make_data(beneficiary="Someone else"), key=signing_key, public_base_url=base_url
    )
    assert again.id == first.id and again.beneficiary == first.beneficiary
    assert await Certificate.all().count() == 1


async def test_the_database_refuses_a_second_certificate_with_the_same_key(
    cert_db, signing_key, make_data, base_url
):
    view = await issue_certificate(make_data(), key=signing_key, public_base_url=base_url)
    row = await Certificate.get(public_id=view.id)
    with pytest.raises(IntegrityError):
        await Certificate.create(
            **{f: getattr(row, f) for f in Certificate._meta.db_fields if f != "id"}
            | {"public_id": "AAAAAAAAAAAA"}
        )


async def test_a_tampered_stored_payload_no_longer_verifies(
    cert_db, signing_key, make_data, base_url
):
    view = await issue_certificate(make_data(), key=signing_key, public_base_url=base_url)
    tampered = {**view.payload, "amount_kg": view.payload["amount_kg"] + 1}
    assert not verify_certificate(tampered, view.signature, signing_key)


@pytest.mark.parametrize("cert_id", ["", "../../etc", "x" * 500, "short", "AAAAAAAAAAA!", None, 7])
async def test_a_malformed_id_finds_nothing(cert_db, cert_id):
    assert await get_certificate(cert_id) is None


async def test_an_unknown_well_formed_id_finds_nothing(cert_db):
    assert await get_certificate("AAAAAAAAAAAA") is None


@pytest.mark.parametrize(
    "overrides",
    [
        {"amount_kg": 0},
        {"amount_kg": -5},
        {"amount_kg": 1.5},
        {"beneficiary": "  "},
        {"country": "Brazil"},
        {"retirement_id": None},
    ],
)
async def test_bad_data_is_refused_before_anything_is_stored(
    cert_db, signing_key, overrides, make_data, base_url
):
    with pytest.raises(CertificateError):
        await issue_certificate(make_data(**overrides), key=signing_key, public_base_url=base_url)
    assert await Certificate.all().count() == 0


@pytest.mark.parametrize(
    "kg, text", [(500, "0.5"), (1000, "1"), (1, "0.001"), (1_250_000, "1,250"), (12_340, "12.34")]
)
def test_tonnes_are_written_exactly_from_integer_kg(kg, text):
    assert format_tonnes(kg) == text


async def test_two_issuers_racing_for_one_retirement_get_the_same_certificate(
    cert_db, signing_key, make_data, base_url
):
    import asyncio

    first, second = await asyncio.gather(
        issue_certificate(make_data(), key=signing_key, public_base_url=base_url),
        issue_certificate(make_data(), key=signing_key, public_base_url=base_url),
    )
    assert first.id == second.id
    assert await Certificate.all().count() == 1
