"""Three rotations on simulated time, issuance capped by the long-term average,
the buffer share kept, a fire cancelling buffer credits, and a loss beyond the buffer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core import ledger, reforestation, registry
from core.checks import verify_all
from core.ledger import CARBON, Role
from core.reforestation.errors import BadMeasurement, NothingToIssue, NotTheProducer, WrongPlotState
from core.reforestation.models import Plot
from core.registry.models import BlockStatus, SerialBlock
from tests.reforestation.conftest import PRODUCER, T0, make_forest, run_years


async def buffer_of(project_id: int) -> int:
    return (await ledger.open_account(ledger.project_owner(project_id), Role.BUFFER, CARBON)).balance


async def test_three_rotations_issue_at_most_the_long_term_average_and_keep_the_buffer(forest):
    rotation = forest.plot.rotation_years
    assert rotation == 7
    end = await run_years(T0, 3 * rotation + 0.5)
    plot = await reforestation.get_plot(forest.plot.id, now=end)
    assert plot.rotation == 4  # three harvested and replanted
    assert 0 < plot.issued_kg <= plot.lta_kg
    assert plot.issued_kg == plot.lta_kg  # growth is plenty to reach the cap within the first rotation
    batches = await registry.list_batches(forest.project.id)
    assert sum(b.amount_kg for b in batches) == plot.issued_kg
    assert sum(b.buffer_kg for b in batches) == await buffer_of(forest.project.id)
    for b in batches:
        assert b.buffer_kg == b.amount_kg * 20 // 100
    producer = await ledger.user_account(PRODUCER, CARBON)
    assert producer.balance + await buffer_of(forest.project.id) == plot.issued_kg
    report = await verify_all()
    assert report.is_clean, report.text()
    assert report.counts["forest_plots"] == 1


async def test_a_harvest_never_takes_back_issued_credits(forest):
    end = await run_years(T0, 6.9)
    before = await reforestation.get_plot(forest.plot.id, now=end)
    assert before.stock_kg > before.issued_kg > 0
    end = await run_years(end, 0.3)
    after = await reforestation.get_plot(forest.plot.id, now=end)
    assert after.rotation == 2 and after.stock_kg < before.stock_kg
    assert after.issued_kg >= before.issued_kg


async def test_issuance_is_ex_post_from_growth_and_requested_by_the_producer(forest):
    with pytest.raises(NothingToIssue):
        await reforestation.request_issuance(forest.plot.id, by_user_id=PRODUCER, now=T0)
    later = T0 + timedelta(days=3 * 365)
    with pytest.raises(NotTheProducer):
        await reforestation.request_issuance(forest.plot.id, by_user_id=PRODUCER + 1, now=later)
    request = await reforestation.request_issuance(forest.plot.id, by_user_id=PRODUCER, now=later)
    plot = await reforestation.get_plot(forest.plot.id, now=later)
    assert request.amount_kg == min(plot.stock_kg, plot.lta_kg)
    done = await reforestation.approve_issuance(request.id, now=later)
    assert done.status == "issued" and done.issued_kg == request.amount_kg
    again = await reforestation.approve_issuance(request.id, now=later)  # a second approval issues nothing more
    assert again.issued_kg == done.issued_kg
    with pytest.raises(NothingToIssue):
        await reforestation.request_issuance(forest.plot.id, by_user_id=PRODUCER, now=later)


async def test_a_measurement_calibrates_the_estimate(forest):
    at = T0 + timedelta(days=5 * 365)
    measured = await reforestation.record_measurement(
        forest.plot.id, by_user_id=PRODUCER, volume_dm3_ha=reforestation.parse_volume("120,5 m3"),
        trees_alive=1000, key="m1", now=at)
    species = reforestation.get_species("eucalyptus_grandis")
    assert measured.status == "growing" and measured.survival_percent == 90
    assert measured.stock_kg == pytest.approx(120.5 * species.co2_t_per_m3 * 1000, rel=1e-3)
    with pytest.raises(BadMeasurement):
        reforestation.parse_volume("lots")
    with pytest.raises(BadMeasurement):
        await reforestation.record_measurement(forest.plot.id, by_user_id=PRODUCER, volume_dm3_ha=1,
                                               trees_alive=5000, key="m2", now=at)


async def test_harvest_before_the_rotation_ends_is_refused(forest):
    with pytest.raises(WrongPlotState):
        await reforestation.harvest(forest.plot.id, by_user_id=PRODUCER, now=T0 + timedelta(days=365))


async def test_a_fire_cancels_buffer_credits_and_nothing_already_retired(forest):
    end = await run_years(T0, 3)
    plot = await reforestation.get_plot(forest.plot.id, now=end)
    assert plot.issued_kg > 0
    producer = await ledger.user_account(PRODUCER, CARBON)
    retirement = await registry.retire(producer.id, 1_000, beneficiary="Ana", reason="test", key="ret-1", now=end)
    buffer_before = await buffer_of(forest.project.id)
    loss = await reforestation.record_loss(forest.plot.id, by_user_id=PRODUCER, cause="fire", percent=60,
                                           key="fire-1", now=end)
    assert loss.lost_kg > 0 and loss.cancelled_kg == loss.reversal_kg > 0 and loss.shortfall_kg == 0
    assert await buffer_of(forest.project.id) == buffer_before - loss.cancelled_kg
    cancellation = await ledger.system_account(Role.CANCELLATION, CARBON)
    assert cancellation.balance == loss.cancelled_kg
    retired = await ledger.system_account(Role.RETIREMENT, CARBON)
    assert retired.balance == 1_000  # the fire retired nothing, and took nothing already retired
    assert (await registry.get_retirement(retirement.id)).amount_kg == 1_000
    cancelled_blocks = await SerialBlock.filter(status=BlockStatus.CANCELLED)
    assert sum(b.serial_last - b.serial_first + 1 for b in cancelled_blocks) == loss.cancelled_kg
    again = await reforestation.record_loss(forest.plot.id, by_user_id=PRODUCER, cause="fire", percent=60,
                                            key="fire-1", now=end)
    assert again == loss  # the same report twice cancels once
    assert (await verify_all()).is_clean


async def test_a_loss_beyond_the_buffer_reports_the_shortfall(db):
    forest = await make_forest()
    end = await run_years(T0, 3)
    buffer = await buffer_of(forest.project.id)
    loss = await reforestation.record_loss(forest.plot.id, by_user_id=PRODUCER, cause="storm", percent=100,
                                           key="storm-1", now=end)
    assert loss.reversal_kg > buffer and loss.cancelled_kg == buffer
    assert loss.shortfall_kg == loss.reversal_kg - buffer > 0
    plot = await reforestation.get_plot(forest.plot.id, now=end)
    assert plot.status == "lost" and plot.shortfall_kg == loss.shortfall_kg
    assert await buffer_of(forest.project.id) == 0
    report = await verify_all()
    assert report.is_clean, report.text()
    assert any("shortfall" in note for note in report.notes)
    replanted = await reforestation.replant(forest.plot.id, by_user_id=PRODUCER, now=end)
    assert replanted.status == "planted" and replanted.rotation == 2


async def test_the_database_refuses_a_plot_issued_beyond_its_long_term_average_and_verify_sees_drift(forest):
    from tortoise.exceptions import IntegrityError

    end = await run_years(T0, 3)
    plot = await reforestation.get_plot(forest.plot.id, now=end)
    with pytest.raises(IntegrityError):
        await Plot.filter(id=plot.id).update(lta_kg=plot.issued_kg - 1)  # what a bug or a hand edit would try
    await Plot.filter(id=plot.id).update(issued_kg=plot.issued_kg - 1)
    report = await verify_all()
    assert any(f"plot {plot.id}: says" in p for p in report.problems)
    await Plot.filter(id=plot.id).update(issued_kg=plot.issued_kg)


async def test_cancelled_serials_never_move(forest):
    end = await run_years(T0, 3)
    loss = await reforestation.record_loss(forest.plot.id, by_user_id=PRODUCER, cause="pest", percent=100, key="p",
                                           now=end)
    assert loss.cancelled_kg > 0
    cancellation = await ledger.system_account(Role.CANCELLATION, CARBON)
    other = await ledger.user_account(PRODUCER, CARBON)
    from core.registry.errors import RetiredCreditsNeverMove
    with pytest.raises(RetiredCreditsNeverMove):
        await ledger.post("steal", "transfer", [ledger.Leg(cancellation.id, other.id, 1)])


async def test_staff_see_which_species_values_are_unchecked_beside_an_issuance_request(forest):
    from core import users
    from core.reforestation.species import get_species
    from core.staff import approvals, roles

    admin = 7001
    await users.sign_up(admin, "Ada", "en", ["consumer"], now=T0)
    await roles.sync_admins([admin], now=T0)
    later = T0 + timedelta(days=3 * 365)
    request = await reforestation.request_issuance(forest.plot.id, by_user_id=PRODUCER, now=later)
    [item] = (await approvals.waiting(admin, now=later))["issuance"]
    unchecked = len(get_species("eucalyptus_grandis").unchecked)
    assert unchecked > 0  # the demo species' tables are not yet read against their sources
    assert item.id == str(request.id)
    assert f"({forest.plot.species})" in item.summary and f"⚠ {unchecked} species values not checked" in item.summary
