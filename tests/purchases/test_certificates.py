"""The certificate of a purchase names the retirement's exact serials, signed."""

from __future__ import annotations

import copy

from core.certs import service as certs
from core.certs.signing import load_or_create_key
from core.ledger import STARS
from core.purchases import service as purchases
from core.purchases.certificates import certify_retirement
from tests.purchases.conftest import ALICE, T0


async def retire_half_a_tonne(shop):
    order = await purchases.start_purchase(
        ALICE, shop.listing.ref, 500, retire_for="Zoë Ørsted", reason="offset of flight LHR–CDG",
        key="k", now=T0)
    await purchases.precheckout(order.payload, order.total_amount, STARS, now=T0)
    result = await purchases.complete_payment(order.payload, "c", order.total_amount, STARS,
                                              user_id=ALICE, now=T0)
    return result.retirement


async def test_the_certificate_states_the_retirement_and_verifies(shop, tmp_path):
    key = load_or_create_key("", tmp_path / "key")
    retirement = await retire_half_a_tonne(shop)
    cert = await certify_retirement(retirement, signing_key=key, public_base_url="https://cccp.test")
    assert (cert.beneficiary, cert.amount_kg, cert.retirement_id) == ("Zoë Ørsted", 500, retirement.id)
    assert cert.serial_ranges == tuple(retirement.serials)
    assert (cert.project_name, cert.country, cert.vintage) == ("Hamburg landfill gas", "DE", 2023)
    assert cert.methodology == "Flaring or use of landfill gas"
    assert cert.verify_url == f"https://cccp.test/c/{cert.id}"
    assert certs.verify_certificate(cert.payload, cert.signature, key)


async def test_asking_twice_returns_the_same_certificate(shop, tmp_path):
    key = load_or_create_key("", tmp_path / "key")
    retirement = await retire_half_a_tonne(shop)
    first = await certify_retirement(retirement, signing_key=key, public_base_url="https://x")
    second = await certify_retirement(retirement, signing_key=key, public_base_url="https://x")
    assert first.id == second.id


async def test_a_tampered_certificate_fails_verification(shop, tmp_path):
    key = load_or_create_key("", tmp_path / "key")
    cert = await certify_retirement(await retire_half_a_tonne(shop), signing_key=key,
                                    public_base_url="https://x")
    forged = copy.deepcopy(cert.payload)
    forged["amount_kg"] = 5_000
    assert not certs.verify_certificate(forged, cert.signature, key)
