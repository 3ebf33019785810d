"""Staff find a user by a product code or a batch, and the user card shows a merchant's
products and a shopper's claims (the codes' finder and card section, as core.setup()
registers them)."""

from __future__ import annotations

import pytest

from core import codes
from core.codes.lookup import KEY
from core.staff import lookup
from core.staff.errors import UserNotFound

from .test_codes import MERCHANT, NOW, SECRET, funded, shopper

KEYS = {KEY: SECRET}
SAM = 8001


async def test_a_code_names_its_merchant_until_claimed_then_its_shopper(db):
    batch, printed = await funded(3)
    await shopper(SAM)
    first, second = printed[0], printed[1]
    assert await lookup.find_user(codes.printed(first).lower(), keys=KEYS) == MERCHANT
    await codes.claim(first, SAM, secret=SECRET, now=NOW)
    assert await lookup.find_user(first, keys=KEYS) == SAM
    assert await lookup.find_user(second, keys=KEYS) == MERCHANT
    assert await lookup.find_user(batch.id.lower(), keys=KEYS) == MERCHANT  # the batch, as on its label sheet


async def test_without_the_secret_or_with_a_typo_a_code_names_nobody(db):
    _, printed = await funded(1)
    code = printed[0]
    mistyped = code[:5] + ("A" if code[5] != "A" else "B") + code[6:]
    with pytest.raises(UserNotFound):
        await lookup.find_user(code)  # no secret handed in: the code cannot be read
    with pytest.raises(UserNotFound):
        await lookup.find_user(code, keys={KEY: b"x" * 32})  # another deployment's secret
    with pytest.raises(UserNotFound):
        await lookup.find_user(mistyped, keys=KEYS)


async def test_the_user_card_shows_a_merchants_products_and_a_shoppers_claims(db):
    batch, printed = await funded(4, kg=5)
    await shopper(SAM)
    await codes.claim(printed[2], SAM, secret=SECRET, now=NOW)
    merchant = (await lookup.user_card(MERCHANT, keys=KEYS)).sections["codes"]
    assert (merchant.merchant.name, merchant.merchant.status.value, merchant.product_count) == (
        "Acme Coffee", "approved", 1)
    [product] = merchant.products
    assert (product.name, product.kg_per_unit, product.batches, product.codes, product.claimed) == (
        "Coffee 500 g", 5, 1, 4, 1)
    assert merchant.claim_count == 0
    sam = (await lookup.user_card(SAM, keys=KEYS)).sections["codes"]
    assert sam.merchant is None and sam.claim_count == 1
    [claim] = sam.claims
    assert (claim.code, claim.product_name, claim.merchant_name, claim.amount_kg) == (
        codes.printed(printed[2]), "Coffee 500 g", "Acme Coffee", 5)
    assert claim.retirement_id is not None  # retired in Sam's name
    assert (await lookup.user_card(SAM)).sections["codes"].claims[0].code is None  # no secret: no code shown


async def test_a_user_with_no_products_and_no_claims_has_no_codes_on_the_card(db):
    await shopper(SAM)
    assert (await lookup.user_card(SAM, keys=KEYS)).sections["codes"] is None
