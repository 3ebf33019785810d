"""Random payments through the stand-in: whatever a successful_payment says, it is booked
(or recorded as unbookable), nothing reaches the error handler and the ledger verifies.

150 payments in `make test`, 2,000 under `slow`; over 100+ chats, on both databases.
"""

from __future__ import annotations

import random

import pytest

from core.ledger import STARS, Role, system_account
from core.purchases import service as purchases
from core.purchases.models import Payment, PaymentAnomaly
from tests.purchases.conftest import make_shop

TOTALS = [1, 100, 500, 10**18, 2**63 - 1, 2**63, 0, -500, 10**30]
CURRENCIES = [STARS, STARS, STARS, "EUR", "XTRX", "", "xtr", "€€€"]
PAYLOADS = ["p:", "p:nobody", "", "x" * 300, "p:\u0000", "p:../../etc", "💳"]


async def _fuzz(bot, n_payments: int, seed: int) -> None:
    rng = random.Random(seed)
    shop = await make_shop(amount_kg=1_000_000)
    people = [await bot.signed_up_user(f"P{i}") for i in range(100)]
    orders = []
    for person in people[:20]:  # real orders, some held, some not
        order = await purchases.start_purchase(person.user_id, shop.listing.ref, 100, key=f"fz:{person.user_id}")
        if rng.random() < 0.7:
            await purchases.precheckout(order.payload, order.total_amount, STARS, user_id=person.user_id,
                                        hold_ttl_s=3600)
        orders.append(order)
    charges = set()
    for n in range(n_payments):
        person = rng.choice(people)
        if rng.random() < 0.5:
            order = rng.choice(orders)
            payload, total, currency = order.payload, order.total_amount, STARS
        else:
            payload, total, currency = rng.choice(PAYLOADS), rng.choice(TOTALS), rng.choice(CURRENCIES)
        charge = rng.choice([f"fz{n:06d}", f"fz{rng.randrange(n + 1):06d}", "", "c" * 300])  # replays, junk
        charges.add(charge)
        await person._send_message(update_id=None, successful_payment={  # noqa: SLF001 - at a person's pace
            "currency": currency, "total_amount": total, "invoice_payload": payload,
            "telegram_payment_charge_id": charge, "provider_payment_charge_id": ""})
    assert bot.unexpected_errors == 0
    booked = set(await Payment.all().values_list("telegram_payment_charge_id", flat=True))
    unbookable = set(await PaymentAnomaly.all().values_list("charge_id", flat=True))
    assert {c[:255] for c in charges} == booked | unbookable  # every charge is accounted for
    assert not booked & unbookable
    # Nothing the fuzz paid for sits in a buyer's wallet: delivered, or in suspense until refunded.
    assert (await system_account(Role.SUSPENSE, STARS)).balance >= 0


async def test_150_random_payments_are_all_booked_and_crash_nothing(bot, db):
    await _fuzz(bot, 150, seed=1)


@pytest.mark.slow
@pytest.mark.timeout(1200)  # 2,000 payments: 4-5 minutes on a busy 2-core machine
async def test_2000_random_payments_are_all_booked_and_crash_nothing(bot, db):
    await _fuzz(bot, 2000, seed=2)
