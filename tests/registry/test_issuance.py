from datetime import timedelta

import pytest

from core import ledger, registry
from core.ledger import CARBON, Role
from core.ledger.models import Posting, Transfer
from core.registry.errors import (
    AmountNotPositive,
    ProjectNotApproved,
    UnknownCountry,
    UnknownMethodology,
    UnknownProducer,
    VintageInFuture,
)
from core.registry.models import Batch, SerialBlock
from tests.registry.conftest import NOW, PRODUCER, balance_kg, make_project


async def _rows() -> tuple[int, ...]:
    return (
        await Batch.all().count(),
        await Posting.all().count(),
        await Transfer.all().count(),
        await SerialBlock.all().count(),
    )


async def test_issuing_credits_fills_the_producer_wallet_with_serials(db):
    project = await make_project()
    batch = await registry.issue_batch(project.id, 2024, 1_000_000, key="b1", now=NOW)
    assert await balance_kg(PRODUCER) == 1_000_000
    assert batch.serial == f"CCCP-{project.code}-2024-1-1000000"
    found = await registry.lookup(f"CCCP-{project.code}-2024-500000")
    assert [p.status for p in found.pieces] == ["active"]


async def test_reforestation_sends_a_fifth_to_the_project_buffer(db):
    project = await make_project(methodology="VM0047", name="Harz reforestation")
    batch = await registry.issue_batch(project.code, 2024, 10_001, key="b1", now=NOW)
    buffer = await ledger.open_account(ledger.project_owner(project.id), Role.BUFFER, CARBON)
    assert (batch.buffer_kg, buffer.balance) == (2000, 2000)  # floor(10001 * 20 / 100)
    assert await balance_kg(PRODUCER) == 8001


async def test_batches_get_consecutive_global_serials(db):
    a = await make_project()
    b = await make_project(name="Second landfill")
    first = await registry.issue_batch(a.id, 2023, 100, key="b1", now=NOW)
    second = await registry.issue_batch(b.id, 2024, 50, key="b2", now=NOW)
    assert (first.serial_first, first.serial_last) == (1, 100)
    assert (second.serial_first, second.serial_last) == (101, 150)


async def test_issuing_twice_with_one_key_issues_once(db):
    project = await make_project()
    first = await registry.issue_batch(project.id, 2024, 700, key="b1", now=NOW)
    again = await registry.issue_batch(project.id, 2024, 700, key="b1", now=NOW)
    assert again == first
    assert await balance_kg(PRODUCER) == 700


async def test_a_landfill_reporting_tonnes_of_methane_is_issued_its_co2e(db):
    project = await make_project(methodology="ACM0001")
    batch = await registry.issue_reduction(project.id, 2024, "CH4", "12.5", "t", key="r1", now=NOW)
    assert batch.amount_kg == 337_500  # 12.5 t x 27.0 (non-fossil)


async def test_a_pipeline_reporting_methane_uses_the_fossil_gwp(db):
    project = await make_project(methodology="AM0023", name="Pipeline LDAR")
    batch = await registry.issue_reduction(project.id, 2024, "CH4", 1, "t", key="r1", now=NOW)
    assert batch.amount_kg == 29_800


@pytest.mark.parametrize(
    ("setup", "vintage", "amount_kg", "error"),
    [
        ("suspended", 2024, 1000, ProjectNotApproved),
        ("draft", 2024, 1000, ProjectNotApproved),
        ("approved", NOW.year + 1, 1000, VintageInFuture),
        ("approved", 2024, 0, AmountNotPositive),
        ("approved", 2024, -5, AmountNotPositive),
    ],
)
async def test_refused_issuance_says_why_and_writes_nothing(db, setup, vintage, amount_kg, error):
    project = await make_project(approve=setup != "draft")
    if setup == "suspended":
        await registry.suspend_project(project.id)
    before = await _rows()
    with pytest.raises(error) as raised:
        await registry.issue_batch(project.id, vintage, amount_kg, key="b1", now=NOW)
    assert raised.value.code == error.code
    assert await _rows() == before
    assert await balance_kg(PRODUCER) == 0


async def test_next_years_vintage_is_accepted_once_the_year_has_come(db):
    project = await make_project()
    later = NOW.replace(year=NOW.year + 1) + timedelta(days=1)
    batch = await registry.issue_batch(project.id, NOW.year + 1, 10, key="b1", now=later)
    assert batch.vintage == NOW.year + 1


async def test_a_project_needs_a_known_methodology_and_country(db):
    with pytest.raises(UnknownMethodology):
        await make_project(methodology="XX999")
    with pytest.raises(UnknownCountry):
        await make_project(country="XZ")


async def test_projects_are_listed_approved_and_suspended(db):
    project = await make_project(approve=False, code="HAMBURG1")
    assert project.status == "draft" and project.code == "HAMBURG1"
    assert (await registry.approve_project("hamburg1")).status == "approved"
    assert (await registry.suspend_project(project.id)).status == "suspended"
    assert [p.code for p in await registry.list_projects()] == ["HAMBURG1"]
    assert (await registry.get_project("HAMBURG1")).country_name == "Germany"


async def test_a_project_for_a_producer_who_never_signed_up_is_refused(db):
    with pytest.raises(UnknownProducer) as raised:
        await registry.create_project(
            name="Nobody's landfill", methodology="ACM0001", country="DE", producer_id=424242, now=NOW
        )
    assert raised.value.code == "unknown_producer"
    assert await registry.list_projects() == []
