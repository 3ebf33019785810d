import asyncio

import pytest

from core import ledger, registry
from core.ledger import CARBON, Leg, Role
from core.ledger.errors import InsufficientFunds, KeyConflict
from core.ledger.models import Posting, Transfer
from core.registry.errors import RetiredCreditsNeverMove
from core.registry.models import Retirement, SerialBlock
from tests.registry.conftest import NOW, PRODUCER, balance_kg, make_project, wallet


async def _issued(amount_kg: int = 5000, vintage: int = 2024, **kw):
    project = await make_project(**kw)
    batch = await registry.issue_batch(project.id, vintage, amount_kg, key=f"b:{project.id}", now=NOW)
    return project, batch


async def test_retiring_records_the_exact_serials_for_whom_and_why(db):
    project, _ = await _issued(5000)
    account = await wallet(PRODUCER)
    retired = await registry.retire(account.id, 1200, "Alice Example", "Flight HAM-LIS", key="r1", now=NOW)
    assert retired.serials == [f"CCCP-{project.code}-2024-1-1200"]
    assert (retired.beneficiary, retired.reason, retired.created_at) == ("Alice Example", "Flight HAM-LIS", NOW)
    assert await balance_kg(PRODUCER) == 3800


async def test_a_retirement_id_and_its_serials_are_found_by_the_public_lookup(db):
    project, _ = await _issued(5000)
    retired = await registry.retire((await wallet(PRODUCER)).id, 10, "Bob", "bus", key="r1", now=NOW)
    by_id = await registry.lookup(retired.id.lower())
    assert by_id.retirement == retired and by_id.project.code == project.code
    by_serial = await registry.lookup(f"CCCP-{project.code}-2024-5-20")
    assert [(p.first, p.last, p.status, p.beneficiary) for p in by_serial.pieces] == [
        (5, 10, "retired", "Bob"),
        (11, 20, "active", None),
    ]


async def test_retiring_twice_with_one_key_retires_once(db):
    await _issued(5000)
    account = await wallet(PRODUCER)
    first = await registry.retire(account.id, 100, "Alice", "", key="r1", now=NOW)
    again = await registry.retire(account.id, 100, "Alice", "", key="r1", now=NOW)
    assert again == first
    assert await balance_kg(PRODUCER) == 4900


@pytest.mark.parametrize(
    "change",
    [
        {"amount_kg": 200},
        {"beneficiary": "Mallory"},
        {"reason": "something else"},
        {"batch_id": "other"},
        {"account": "other"},
    ],
)
async def test_reusing_a_retirement_key_for_another_request_is_refused(db, change):
    project, batch = await _issued(5000)
    other_batch = await registry.issue_batch(project.id, 2023, 100, key="b:old", now=NOW)
    await registry.issue_batch((await make_project(code="OTHER", producer_id=PRODUCER + 1)).id, 2024, 100,
                               key="b:other", now=NOW)
    mine, theirs = await wallet(PRODUCER), await wallet(PRODUCER + 1)
    asked = {"account": mine.id, "amount_kg": 100, "beneficiary": "Alice", "reason": "", "batch_id": batch.id}
    first = await registry.retire(asked["account"], asked["amount_kg"], asked["beneficiary"], asked["reason"],
                                  key="r1", batch_id=asked["batch_id"], now=NOW)
    changed = {**asked, **change}
    changed["batch_id"] = other_batch.id if change.get("batch_id") else changed["batch_id"]
    changed["account"] = theirs.id if change.get("account") else changed["account"]
    with pytest.raises(KeyConflict) as raised:
        await registry.retire(changed["account"], changed["amount_kg"], changed["beneficiary"], changed["reason"],
                              key="r1", batch_id=changed["batch_id"], now=NOW)
    assert raised.value.code == "key_conflict"
    assert await Retirement.all().count() == 1
    assert await registry.get_retirement(first.id) == first
    assert (await balance_kg(PRODUCER), await balance_kg(PRODUCER + 1)) == (5000, 100)


async def test_reusing_a_retirement_key_of_a_held_purchase_for_another_beneficiary_is_refused(db):
    await _issued(1000)
    held = await ledger.hold("buy:1", (await wallet(PRODUCER)).id, 250, "purchase")
    first = await registry.retire_held(held.id, "Carol", "offset", key="r1", now=NOW)
    assert await registry.retire_held(held.id, "Carol", "offset", key="r1", now=NOW) == first
    with pytest.raises(KeyConflict):
        await registry.retire_held(held.id, "Mallory", "offset", key="r1", now=NOW)
    with pytest.raises(KeyConflict):
        await registry.retire((await wallet(PRODUCER)).id, 250, "Carol", "offset", key="r1", now=NOW)


async def test_retiring_more_than_the_balance_is_refused_and_writes_nothing(db):
    await _issued(500)
    account = await wallet(PRODUCER)
    counts = (await Posting.all().count(), await Retirement.all().count(), await SerialBlock.all().count())
    with pytest.raises(InsufficientFunds) as raised:
        await registry.retire(account.id, 501, "Alice", "", key="r1", now=NOW)
    assert raised.value.code == "insufficient_funds"
    assert (await Posting.all().count(), await Retirement.all().count(), await SerialBlock.all().count()) == counts
    assert await balance_kg(PRODUCER) == 500


async def test_twenty_racing_retirements_from_an_account_that_affords_five_retire_five(db):
    await _issued(5000)
    account = await wallet(PRODUCER)
    outcomes = await asyncio.gather(
        *(registry.retire(account.id, 1000, f"B{i}", "", key=f"r{i}", now=NOW) for i in range(20)),
        return_exceptions=True,
    )
    done = [o for o in outcomes if not isinstance(o, BaseException)]
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(done) == 5
    assert all(isinstance(e, InsufficientFunds) for e in refused), refused
    assert await Retirement.all().count() == 5
    assert await balance_kg(PRODUCER) == 0
    serials = sorted(r.ranges[0].first for r in done)
    assert serials == [1, 1001, 2001, 3001, 4001]


async def test_retired_serials_never_move_again(db):
    await _issued(500)
    await registry.retire((await wallet(PRODUCER)).id, 300, "Alice", "", key="r1", now=NOW)
    retirement = await ledger.system_account(Role.RETIREMENT, CARBON)
    bob = await wallet(2)
    transfers = await Transfer.all().count()
    with pytest.raises(RetiredCreditsNeverMove):
        await ledger.post("steal", "transfer", [Leg(retirement.id, bob.id, 100)])
    assert await Transfer.all().count() == transfers
    assert (await ledger.get_account(retirement.id)).balance == 300
    assert await balance_kg(2) == 0


async def test_retiring_from_a_named_batch_takes_that_batch_first(db):
    old_project, _ = await _issued(100, vintage=2020)
    new_project, new_batch = await _issued(100, vintage=2024, name="Newer")
    retired = await registry.retire(
        (await wallet(PRODUCER)).id, 30, "Alice", "", key="r1", batch_id=new_batch.id, now=NOW
    )
    assert retired.serials == [f"CCCP-{new_project.code}-2024-101-130"]


async def test_a_held_purchase_is_retired_with_its_serials(db):
    project, _ = await _issued(1000)
    account = await wallet(PRODUCER)
    held = await ledger.hold("buy:1", account.id, 250, "purchase")
    retired = await registry.retire_held(held.id, "Carol", "offset", key="r1", now=NOW)
    assert retired.serials == [f"CCCP-{project.code}-2024-1-250"]
    assert (await wallet(PRODUCER)).balance == 750
