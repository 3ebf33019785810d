import pytest

from core import ledger, registry
from core.ledger import CARBON, Leg
from core.ledger.models import Hold, Posting
from core.registry.errors import BatchExhausted, CarbonOutsideRegistry
from core.registry.models import BlockStatus, SerialBlock
from tests.registry.conftest import NOW, PRODUCER, make_project, wallet

MILLION_T_KG = 1_000_000_000  # 1,000,000 t in kg: 10^9 serials


async def _blocks(account_id: int | None = None) -> list[tuple[int, int, str]]:
    query = SerialBlock.all() if account_id is None else SerialBlock.filter(account_id=account_id)
    return [
        (b.serial_first, b.serial_last, str(b.status.value))
        for b in await query.order_by("serial_first")
    ]


async def test_moving_and_retiring_one_tonne_out_of_a_million_splits_one_block(db):
    project = await make_project()
    await registry.issue_batch(project.id, 2024, MILLION_T_KG, key="b1", now=NOW)
    producer, buyer = await wallet(PRODUCER), await wallet(2)
    assert await SerialBlock.all().count() == 1
    await ledger.post("t1", "transfer", [Leg(producer.id, buyer.id, 1000)])
    assert await _blocks() == [(1, 1000, "active"), (1001, MILLION_T_KG, "active")]
    retired = await registry.retire(buyer.id, 1000, "Buyer", "", key="r1", now=NOW)
    assert retired.serials == [f"CCCP-{project.code}-2024-1-1000"]
    assert await _blocks() == [(1, 1000, "retired"), (1001, MILLION_T_KG, "active")]


async def test_transfers_move_the_lowest_serials_first_and_merge_back(db):
    project = await make_project()
    await registry.issue_batch(project.id, 2024, 1000, key="b1", now=NOW)
    a, b = await wallet(PRODUCER), await wallet(2)
    await ledger.post("t1", "transfer", [Leg(a.id, b.id, 100)])
    await ledger.post("t2", "transfer", [Leg(a.id, b.id, 100)])
    assert await _blocks(b.id) == [(1, 200, "active")]
    await ledger.post("t3", "transfer", [Leg(b.id, a.id, 150)])
    assert await _blocks(a.id) == [(1, 150, "active"), (201, 1000, "active")]
    await ledger.post("t4", "transfer", [Leg(b.id, a.id, 50)])
    assert await _blocks(a.id) == [(1, 1000, "active")]


async def test_a_hold_marks_serials_held_and_a_void_releases_them(db):
    project = await make_project()
    await registry.issue_batch(project.id, 2024, 1000, key="b1", now=NOW)
    a, b = await wallet(PRODUCER), await wallet(2)
    held = await ledger.hold("h1", a.id, 300, "offer")
    assert await _blocks(a.id) == [(1, 300, "held"), (301, 1000, "active")]
    await ledger.post_hold("p1", held.id, b.id, amount=100)  # the rest is released
    assert await _blocks(b.id) == [(1, 100, "active")]
    assert await _blocks(a.id) == [(101, 1000, "active")]
    again = await ledger.hold("h2", a.id, 50, "offer")
    await ledger.void_hold("v2", again.id)
    assert await _blocks(a.id) == [(101, 1000, "active")]


async def test_carbon_cannot_enter_a_wallet_except_by_issuance(db):
    issuance = await ledger.system_account(ledger.Role.ISSUANCE, CARBON)
    alice = await wallet(1)
    try:
        await ledger.post("k1", "issuance", [Leg(issuance.id, alice.id, 1500)])
    except CarbonOutsideRegistry as refused:
        assert refused.code == "carbon_outside_registry"
    else:
        raise AssertionError("carbon entered a wallet without serials")
    assert (await wallet(1)).balance == 0


async def test_inventory_shows_unretired_kg_per_batch_and_account(db):
    project = await make_project(methodology="VM0047")
    batch = await registry.issue_batch(project.id, 2024, 1000, key="b1", now=NOW)
    producer = await wallet(PRODUCER)
    await ledger.hold("h1", producer.id, 100, "offer")
    await registry.retire(producer.id, 50, "X", "", key="r1", now=NOW)
    lines = {line.account_id: (line.active_kg, line.held_kg) for line in await registry.project_inventory()}
    buffer = await ledger.open_account(ledger.project_owner(project.id), ledger.Role.BUFFER, CARBON)
    assert lines == {producer.id: (650, 100), buffer.id: (200, 0)}
    assert {line.batch_id for line in await registry.project_inventory(project.id)} == {batch.id}
    assert BlockStatus.RETIRED in {b.status for b in await SerialBlock.all()}


async def _two_batches_of_one_seller():
    listed = await registry.issue_batch((await make_project()).id, 2024, 100, key="b1", now=NOW)
    other = await registry.issue_batch((await make_project(code="OTHER")).id, 2024, 1000, key="b2", now=NOW)
    return listed, other


async def test_a_batch_strict_hold_short_of_its_batch_is_refused_and_holds_nothing(db):
    listed, _ = await _two_batches_of_one_seller()
    seller = await wallet(PRODUCER)
    with pytest.raises(BatchExhausted) as raised:
        await ledger.hold("h1", seller.id, 101, "purchase", batch_id=listed.id, is_batch_strict=True)
    assert raised.value.code == "batch_exhausted"
    assert (await wallet(PRODUCER)).held == 0
    assert await Hold.all().count() == 0
    assert await SerialBlock.filter(status=BlockStatus.HELD).count() == 0


async def test_a_batch_strict_transfer_short_of_its_batch_is_refused_and_moves_nothing(db):
    listed, _ = await _two_batches_of_one_seller()
    seller, buyer = await wallet(PRODUCER), await wallet(2)
    with pytest.raises(BatchExhausted):
        await ledger.post("t1", "purchase", [Leg(seller.id, buyer.id, 101, batch_id=listed.id, is_batch_strict=True)])
    assert ((await wallet(PRODUCER)).balance, (await wallet(2)).balance) == (1100, 0)
    assert await Posting.filter(key="t1").count() == 0


async def test_a_batch_preferred_but_not_strict_still_tops_up_from_other_batches(db):
    listed, other = await _two_batches_of_one_seller()
    seller, buyer = await wallet(PRODUCER), await wallet(2)
    await ledger.post("t1", "transfer", [Leg(seller.id, buyer.id, 101, batch_id=listed.id)])
    moved = await SerialBlock.filter(account_id=buyer.id).values_list("batch_id", flat=True)
    assert set(moved) == {listed.id, other.id}
