"""Product codes in core: merchants, funding, claims, expiry (every test verifies the ledger clean)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from core import codes, ledger, registry, users
from core.codes.errors import (
    ClaimsPaused,
    CodeAlreadyClaimed,
    CodeMistyped,
    MerchantNotApproved,
    MerchantSuspended,
    NotACode,
    NotEnoughCredits,
    UnknownCode,
)
from core.codes.models import Code
from core.ledger import CARBON
from core.outbox.models import OutboxMessage
from tests.helpers import issue_to

SECRET = b"s" * 32
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
MERCHANT = 7001


async def merchant_with_product(kg: int = 5, credits: int = 10_000, *, approve: bool = True):
    await users.sign_up(MERCHANT, "Acme Coffee", "en", ["merchant"], now=NOW)
    await issue_to(MERCHANT, credits, key=f"issue:{MERCHANT}", now=NOW)
    await codes.register_merchant(MERCHANT, "Acme Coffee", now=NOW)
    if approve:
        await codes.approve_merchant(MERCHANT, now=NOW)
    return await codes.add_product(MERCHANT, "Coffee 500 g", kg_per_unit=kg, gtin="4006381333931", now=NOW)


async def shopper(user_id: int, name: str = "Sam"):
    await users.sign_up(user_id, name, "en", ["consumer"], now=NOW)


async def funded(count: int, kg: int = 5, **kwargs):
    product = await merchant_with_product(kg)
    batch = await codes.fund_batch(product.id, count, secret=SECRET, key=f"fund:{count}", now=NOW, **kwargs)
    return batch, await codes.batch_codes(batch.id, secret=SECRET)


def test_a_typed_code_is_read_whatever_its_case_spaces_dashes_and_look_alikes():
    code = codes.derive(SECRET, "B123", 0)
    typed = " ".join(codes.printed(code).lower().replace("0", "o").replace("1", "l"))
    assert codes.looks_like_code(typed)
    assert codes.parse(typed) == code
    assert len(code) == 15 and code.startswith("K")


def test_a_wrong_check_character_says_mistyped_and_other_text_is_not_a_code():
    code = codes.derive(SECRET, "B123", 0)
    wrong = code[:5] + ("A" if code[5] != "A" else "B") + code[6:]
    with pytest.raises(CodeMistyped):
        codes.parse(wrong)
    for text in ("hello", "R7K3M9Q2XA", "CCCP-T1-2024-1-5", code[:-1], code + "0", ""):
        assert not codes.looks_like_code(text)
        with pytest.raises(NotACode):
            codes.parse(text)


def test_free_text_takes_codes_and_mistyped_codes_but_not_a_long_word_for_one():
    code = codes.derive(SECRET, "B123", 0)
    assert codes.is_probably_code(code.lower()) and codes.is_probably_code(codes.printed(code))
    assert codes.is_probably_code("K1" + "A" * 13)  # a digit: a mistyped code, answered as such
    for word in ("Kartoffelsalate", "Kaffeemaschinen", "Kindergartenxyz"):
        assert codes.looks_like_code(word) and not codes.is_probably_code(word)  # its check does not fit


def test_codes_are_derived_again_from_the_secret_and_differ_by_batch_and_index():
    assert codes.derive(SECRET, "B1", 0) == codes.derive(SECRET, "B1", 0)
    assert len({codes.derive(SECRET, "B1", i) for i in range(1000)} | {codes.derive(SECRET, "B2", 0)}) == 1001
    assert codes.derive(b"t" * 32, "B1", 0) != codes.derive(SECRET, "B1", 0)


async def test_funding_holds_count_times_kg_and_the_database_keeps_no_code(db):
    batch, printed_codes = await funded(12, kg=5)
    wallet = await ledger.user_account(MERCHANT, CARBON)
    assert wallet.balance == 10_000 - 60
    assert batch.held_kg == 60 and batch.count == 12
    stored = await Code.all().values_list("hash", flat=True)
    assert not set(printed_codes) & set(stored)
    assert all(code not in h for code in printed_codes for h in stored)


async def test_funding_again_with_the_same_key_is_the_same_batch(db):
    product = await merchant_with_product()
    first = await codes.fund_batch(product.id, 3, secret=SECRET, key="k", now=NOW)
    again = await codes.fund_batch(product.id, 3, secret=SECRET, key="k", now=NOW)
    assert first.id == again.id
    assert (await ledger.user_account(MERCHANT, CARBON)).balance == 10_000 - 15


async def test_a_pending_merchant_registers_products_but_funds_no_codes(db):
    product = await merchant_with_product(approve=False)
    assert (await codes.get_merchant(MERCHANT)).status == codes.MerchantStatus.PENDING
    with pytest.raises(MerchantNotApproved):
        await codes.fund_batch(product.id, 2, secret=SECRET, key="k", now=NOW)


async def test_funding_more_than_the_merchant_has_is_refused(db):
    product = await merchant_with_product(kg=600, credits=1000)
    with pytest.raises(NotEnoughCredits):
        await codes.fund_batch(product.id, 2, secret=SECRET, key="k", now=NOW)
    assert (await ledger.user_account(MERCHANT, CARBON)).balance == 1000


async def test_a_product_s_kg_can_be_worked_out_from_a_footprint(db):
    await merchant_with_product()
    product = await codes.add_product(MERCHANT, "Steak", footprint_basis="1 kg beef", now=NOW)
    assert product.kg_per_unit == codes.kg_of_footprint("1 kg beef") > 10
    assert product.footprint_basis == "1 kg beef"


async def test_a_claim_retires_the_code_s_credits_for_the_shopper_with_a_certificate(db):
    batch, printed_codes = await funded(3, kg=5)
    await shopper(1)
    claimed = await codes.claim(printed_codes[1].lower(), 1, secret=SECRET, now=NOW)
    retirement = await registry.get_retirement(claimed.retirement_id)
    assert retirement.beneficiary == "Sam" and retirement.amount_kg == 5
    assert "Coffee 500 g (Acme Coffee)" == retirement.reason
    cert = await codes.certify_claim(claimed, signing_key=Ed25519PrivateKey.generate(),
                                     public_base_url="http://x")
    assert cert.beneficiary == "Sam" and cert.amount_kg == 5 and "Acme Coffee" in cert.reason
    assert (await codes.get_batch(batch.id)).held_kg == 10
    looked_up = await registry.lookup(claimed.retirement_id)  # the claim started a reduction order
    assert [r.amount_kg for r in looked_up.reductions] == [5]


async def test_a_claim_without_retiring_credits_the_wallet(db):
    _, printed_codes = await funded(2, kg=5)
    await shopper(1)
    claimed = await codes.claim(printed_codes[0], 1, secret=SECRET, retire=False, now=NOW)
    assert claimed.retirement_id is None
    assert (await ledger.user_account(1, CARBON)).balance == 5


async def test_a_code_works_once_and_a_second_try_says_when_it_was_claimed(db):
    _, printed_codes = await funded(1)
    await shopper(1)
    await shopper(2, "Alex")
    await codes.claim(printed_codes[0], 1, secret=SECRET, now=NOW)
    with pytest.raises(CodeAlreadyClaimed) as caught:
        await codes.claim(printed_codes[0], 2, secret=SECRET, now=NOW + timedelta(days=1))
    assert caught.value.params["claimed_at"] == NOW and caught.value.params["is_yours"] is False


async def test_an_unknown_code_says_so_and_a_suspended_merchant_s_codes_do_not_work(db):
    _, printed_codes = await funded(1)
    await shopper(1)
    with pytest.raises(UnknownCode):
        await codes.claim(codes.derive(b"x" * 32, "B0", 0), 1, secret=SECRET, now=NOW)
    await codes.suspend_merchant(MERCHANT, now=NOW)
    with pytest.raises(MerchantSuspended):
        await codes.claim(printed_codes[0], 1, secret=SECRET, now=NOW)
    await codes.approve_merchant(MERCHANT, now=NOW)
    await codes.claim(printed_codes[0], 1, secret=SECRET, now=NOW)


async def test_ten_misses_in_an_hour_pause_claims_until_the_hour_is_over(db):
    _, printed_codes = await funded(1)
    await shopper(1)
    for i in range(10):
        with pytest.raises(UnknownCode):
            await codes.claim(codes.derive(b"x" * 32, "B0", i), 1, secret=SECRET, now=NOW + timedelta(minutes=i))
    with pytest.raises(ClaimsPaused) as caught:
        await codes.claim(printed_codes[0], 1, secret=SECRET, now=NOW + timedelta(minutes=20))
    assert caught.value.params["until"] == NOW + timedelta(hours=1)
    claimed = await codes.claim(printed_codes[0], 1, secret=SECRET, now=NOW + timedelta(minutes=61))
    assert claimed.amount_kg == 5


async def test_expiry_retires_the_unclaimed_backing_for_the_merchant_and_tells_them(db):
    batch, printed_codes = await funded(4, kg=5, expires_at=NOW + timedelta(days=30))
    await shopper(1)
    await codes.claim(printed_codes[0], 1, secret=SECRET, now=NOW)
    assert await codes.expire_batches(NOW + timedelta(days=29)) == []
    assert await codes.expire_batches(NOW + timedelta(days=30)) == [batch.id]
    view = await codes.get_batch(batch.id)
    assert view.status == codes.BatchStatus.EXPIRED and view.held_kg == 0
    status = await codes.code_status(printed_codes[1], secret=SECRET)
    retirement = await registry.get_retirement(status.retirement_id) if status.retirement_id else None
    assert retirement is None  # an unclaimed code points at no retirement of its own yet
    notice = await OutboxMessage.get(kind=codes.EXPIRED_KIND)
    assert notice.chat_id == MERCHANT and notice.params["codes"] == 3 and notice.params["kg"] == 15
    # A late claim gets a certificate for its share of the merchant's retirement.
    late = await codes.claim(printed_codes[2], 1, secret=SECRET, now=NOW + timedelta(days=31))
    assert late.is_share
    shared = await registry.get_retirement(late.retirement_id)
    assert shared.beneficiary == "Acme Coffee, on behalf of its customers"
    cert = await codes.certify_claim(late, signing_key=Ed25519PrivateKey.generate(), public_base_url="http://x")
    assert cert.amount_kg == 5 and cert.beneficiary == "Sam" and cert.retirement_id == shared.id
    assert await codes.expire_batches(NOW + timedelta(days=40)) == []


async def test_twenty_people_claiming_one_code_at_once_exactly_one_wins(db):
    batch, printed_codes = await funded(2, kg=5)
    for i in range(20):
        await shopper(100 + i, f"P{i}")
    results = await asyncio.gather(
        *(codes.claim(printed_codes[0], 100 + i, secret=SECRET, now=NOW) for i in range(20)), return_exceptions=True
    )
    wins = [r for r in results if isinstance(r, codes.ClaimView)]
    assert len(wins) == 1
    assert all(isinstance(r, CodeAlreadyClaimed) for r in results if r not in wins)
    assert (await codes.get_batch(batch.id)).held_kg == 5


async def test_twenty_people_claiming_twenty_codes_of_one_batch_at_once_all_win(db):
    batch, printed_codes = await funded(25, kg=5)
    for i in range(20):
        await shopper(100 + i, f"P{i}")
    results = await asyncio.gather(
        *(codes.claim(printed_codes[i], 100 + i, secret=SECRET, now=NOW) for i in range(20)), return_exceptions=True
    )
    assert all(isinstance(r, codes.ClaimView) for r in results), results
    view = await codes.get_batch(batch.id)
    assert view.claimed == 20 and view.held_kg == 25
    batch_row = (await Code.first()).batch_id
    held = 0
    for shard in range(16):
        for account in await ledger.accounts_of(f"codebatch:{batch_row}:{shard}"):
            held += account.held
    assert held == view.held_kg  # the batch's holds: exactly its unclaimed codes' value


async def test_a_claim_racing_the_expiry_either_claims_the_backing_or_gets_the_share_never_both(db):
    batch, printed_codes = await funded(6, kg=5, expires_at=NOW + timedelta(days=1))
    for i in range(6):
        await shopper(100 + i, f"P{i}")
    later = NOW + timedelta(days=2)
    results = await asyncio.gather(
        codes.expire_batches(later),
        *(codes.claim(printed_codes[i], 100 + i, secret=SECRET, now=later) for i in range(6)),
    )
    claims = results[1:]
    assert all(isinstance(c, codes.ClaimView) and c.retirement_id for c in claims)
    retired_for_merchant = 0
    for retirement_id in {c.retirement_id for c in claims if c.is_share}:
        retired_for_merchant += (await registry.get_retirement(retirement_id)).amount_kg
    assert retired_for_merchant == 5 * sum(1 for c in claims if c.is_share)
    claimed_directly = sum(c.amount_kg for c in claims if not c.is_share)
    assert retired_for_merchant + claimed_directly == 30  # every kg once: retired for a shopper or the merchant
    assert (await codes.get_batch(batch.id)).held_kg == 0


async def test_someone_who_never_signed_up_can_neither_become_a_merchant_nor_claim(db):
    from core.users.errors import UnknownUser

    _, printed_codes = await funded(1)
    with pytest.raises(UnknownUser):
        await codes.register_merchant(999)
    with pytest.raises(UnknownUser):
        await codes.claim(printed_codes[0], 999, secret=SECRET, now=NOW)
    assert (await codes.get_batch((await codes.batches())[0].id)).held_kg == 5
