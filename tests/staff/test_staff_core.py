"""Staff rules in core: roles from the database, freezes, refunds, adjustments,
tickets, broadcasts, look-ups and the append-only audit log."""

from __future__ import annotations

import pytest
from tortoise.exceptions import IntegrityError, OperationalError

from core import users
from core.ledger import CARBON, STARS, Leg, Role, post, system_account, user_account
from core.ledger.errors import LedgerError
from core.outbox import OutboxMessage, OutboxState
from core.purchases import service as purchases
from core.purchases.models import Payment, PaymentOutcome
from core.staff import audit, broadcasts, freezes, lookup, money, roles, stats, tickets
from core.staff.errors import (
    AlreadyRefunded,
    BadAmount,
    BadSegment,
    NotRefundable,
    NotStaff,
    ReasonRequired,
    UserNotFound,
    WouldOverdraw,
)
from core.staff.models import AuditEntry, TicketState
from tests.purchases.conftest import ALICE, BOB, T0, make_shop

ADMIN = 7001
SUPPORT = 7002
GROUP = -1001234


@pytest.fixture
async def team(db):
    for user_id, name in ((ADMIN, "Ada"), (SUPPORT, "Sam"), (ALICE, "Alice"), (BOB, "Bob")):
        await users.sign_up(user_id, name, "en", ["consumer"], now=T0, username=name.lower())
    await roles.sync_admins([ADMIN], now=T0)
    await roles.grant_support(ADMIN, SUPPORT, now=T0)
    return db


async def buy(shop, amount_kg, *, user=ALICE, key="k1", charge="ch1", retire_for=None):
    order = await purchases.start_purchase(user, shop.listing.ref, amount_kg, key=key, now=T0, retire_for=retire_for)
    answer = await purchases.precheckout(order.payload, order.total_amount, STARS, now=T0)
    assert answer.ok, answer
    return await purchases.complete_payment(order.payload, charge, order.total_amount, STARS, user_id=user, now=T0)


async def test_admins_are_mirrored_from_admin_ids_and_leave_with_them(team):
    assert await roles.level_of(ADMIN) == roles.Level.ADMIN
    assert await roles.level_of(SUPPORT) == roles.Level.SUPPORT
    assert await roles.level_of(ALICE) == roles.Level.NONE
    added, removed = await roles.sync_admins([BOB], now=T0)
    assert (added, removed) == ([BOB], [ADMIN])
    assert await roles.level_of(ADMIN) == roles.Level.NONE
    actions = [e.action for e in (await audit.page()).entries]
    assert actions[:2] == ["admin_removed", "admin_added"]


async def test_a_non_staff_attempt_is_refused_and_recorded(team):
    with pytest.raises(NotStaff):
        await freezes.freeze(ALICE, BOB, "spam", now=T0)
    with pytest.raises(NotStaff):  # support may not freeze
        await freezes.freeze(SUPPORT, BOB, "spam", now=T0)
    refused = [e for e in (await audit.page(actor_id=ALICE)).entries if e.is_refused]
    assert [e.action for e in refused] == ["freeze"]
    assert await freezes.frozen_reason(BOB) is None


async def test_freezing_refuses_the_pre_checkout_before_any_money_is_taken(team):
    shop = await make_shop()
    order = await purchases.start_purchase(ALICE, shop.listing.ref, 1000, key="o1", now=T0)
    await freezes.freeze(ADMIN, ALICE, "chargeback under review", now=T0)
    answer = await purchases.precheckout(order.payload, order.total_amount, STARS, now=T0)
    assert (answer.ok, answer.code, answer.params["reason"]) == (False, "account_frozen", "chargeback under review")
    note = await OutboxMessage.get(chat_id=ALICE, kind="account_frozen")
    assert note.params["reason"] == "chargeback under review"


async def test_a_payment_that_arrives_for_a_frozen_user_is_booked_and_refunded(team):
    shop = await make_shop()
    order = await purchases.start_purchase(ALICE, shop.listing.ref, 1000, key="o1", now=T0)
    assert (await purchases.precheckout(order.payload, order.total_amount, STARS, now=T0)).ok
    await freezes.freeze(ADMIN, ALICE, "fraud check", now=T0)
    result = await purchases.complete_payment(order.payload, "ch9", order.total_amount, STARS, user_id=ALICE, now=T0)
    assert result.needs_refund and result.reason == "account_frozen"
    assert [r.charge_id for r in await purchases.refunds_to_make()] == ["ch9"]
    assert (await user_account(ALICE, CARBON)).balance == 0


async def test_a_frozen_user_moves_nothing_in_the_ledger(team):
    await money.goodwill(ADMIN, ALICE, 50, "sorry", key="g1", now=T0)
    await freezes.freeze(ADMIN, ALICE, "fraud check", now=T0)
    wallet = await user_account(ALICE, STARS)
    bob = await user_account(BOB, STARS)
    with pytest.raises(LedgerError):
        await post("trade:1", "transfer", [Leg(wallet.id, bob.id, 10)], now=T0)
    await freezes.unfreeze(ADMIN, ALICE, "cleared", now=T0)
    await post("trade:1", "transfer", [Leg(wallet.id, bob.id, 10)], now=T0)
    assert (await user_account(BOB, STARS)).balance == 10


async def test_a_refund_reverses_the_credits_once_however_often_it_is_pressed(team):
    shop = await make_shop()
    await buy(shop, 2000)
    assert (await user_account(ALICE, CARBON)).balance == 2000
    view = await money.refund_payment(ADMIN, "ch1", "bought by mistake", now=T0)
    assert (await user_account(ALICE, CARBON)).balance == 0
    assert (await user_account(900, CARBON)).balance == 10_000
    with pytest.raises(AlreadyRefunded):
        await money.refund_payment(ADMIN, view.order, "again", now=T0)
    assert [r.charge_id for r in await purchases.refunds_to_make()] == ["ch1"]
    await purchases.record_refund("ch1", now=T0)
    assert (await Payment.get(telegram_payment_charge_id="ch1")).outcome == PaymentOutcome.REFUNDED
    entry = (await audit.page(user_id=ALICE)).entries[0]
    assert (entry.action, entry.reason, entry.posting_keys[0]) == ("refund", "bought by mistake", "staff-refund:ch1")


async def test_retired_credits_are_not_refunded_but_a_goodwill_credit_is_possible(team):
    shop = await make_shop()
    await buy(shop, 1000, retire_for="Alice")
    with pytest.raises(NotRefundable) as refused:
        await money.refund_payment(ADMIN, "ch1", "unhappy", now=T0)
    assert refused.value.params["why"] == "retired"
    with pytest.raises(ReasonRequired):
        await money.goodwill(ADMIN, ALICE, 1000, "  ", key="g1", now=T0)
    credit = await money.goodwill(ADMIN, ALICE, 1000, "retired by mistake", key="g1", now=T0)
    assert (credit.balance_before, credit.balance_after) == (0, 1000)
    assert (await system_account(Role.ADJUSTMENTS, STARS)).balance == -1000


async def test_an_adjustment_needs_a_reason_and_never_overdraws(team):
    with pytest.raises(ReasonRequired):
        await money.adjust(ADMIN, BOB, 100, "", key="a1", now=T0)
    await money.adjust(ADMIN, BOB, 100, "promo", key="a1", now=T0)
    with pytest.raises(WouldOverdraw):
        await money.adjust(ADMIN, BOB, -500, "fix", key="a2", now=T0)
    with pytest.raises(BadAmount):
        await money.adjust(ADMIN, BOB, 10**8, "fix", key="a4", now=T0)
    await money.adjust(ADMIN, BOB, -40, "fix", key="a3", now=T0)
    assert (await user_account(BOB, STARS)).balance == 60


async def test_the_database_refuses_to_change_or_delete_the_audit_log(team):
    entry = (await audit.page()).entries[0]
    with pytest.raises((IntegrityError, OperationalError)):
        await AuditEntry.filter(id=entry.id).update(reason="covered up")
    with pytest.raises((IntegrityError, OperationalError)):
        await AuditEntry.filter(id=entry.id).delete()
    assert (await AuditEntry.get(id=entry.id)).reason == entry.reason


async def test_a_ticket_goes_to_the_group_and_a_reply_to_its_message_finds_it(team):
    ticket = await tickets.submit(ALICE, support_chat_id=GROUP, text="Where are my credits?", key="u1", now=T0)
    assert ticket.state == TicketState.OPEN
    relay = await OutboxMessage.get(chat_id=GROUP, kind="ticket_to_staff")
    assert relay.params["text"] == "Where are my credits?"
    await tickets.record_relay(ticket.id, GROUP, 55, is_from_user=True, now=T0)
    found = await tickets.ticket_in_group(GROUP, thread_id=None, reply_to_message_id=55)
    assert found.id == ticket.id
    with pytest.raises(NotStaff):
        await tickets.answer(BOB, ticket.id, text="hi", key="s0", now=T0)
    answered = await tickets.answer(SUPPORT, ticket.id, text="On their way", key="s1", now=T0)
    assert answered.state == TicketState.ANSWERED
    reply = await OutboxMessage.get(chat_id=ALICE, kind="ticket_reply")
    assert reply.params["text"] == "On their way"
    assert [t.id for t in await tickets.open_tickets()] == [ticket.id]
    await tickets.close(SUPPORT, ticket.id, now=T0)
    assert await tickets.open_tickets() == []


async def test_a_broadcast_writes_one_row_per_recipient_once_and_cancel_stops_the_rest(team):
    with pytest.raises(BadSegment):
        await broadcasts.preview(ADMIN, "role:wizard", "hi", now=T0)
    draft = await broadcasts.preview(ADMIN, "all", "News!", now=T0)
    assert draft.recipients == 4
    await broadcasts.confirm(ADMIN, draft.id, now=T0)
    await broadcasts.confirm(ADMIN, draft.id, now=T0)
    rows = await OutboxMessage.filter(kind="broadcast")
    assert sorted(r.chat_id for r in rows) == sorted([ADMIN, SUPPORT, ALICE, BOB])
    await OutboxMessage.filter(id=rows[0].id).update(state=OutboxState.SENT)
    view = await broadcasts.cancel(ADMIN, draft.id, now=T0)
    assert (view.sent, view.skipped, view.pending, view.percent) == (1, 3, 0, 100)


async def test_a_user_is_found_by_username_order_and_id(team):
    shop = await make_shop()
    result = await buy(shop, 1000, retire_for="Alice")
    assert await lookup.find_user("@alice") == ALICE
    assert await lookup.find_user(str(BOB)) == BOB
    assert await lookup.find_user(result.purchase.id) == ALICE
    assert await lookup.find_user(result.purchase.retirement_id) == ALICE
    card = await lookup.user_card(ALICE)
    assert card.balances.retired_kg == 1000 and card.frozen_reason is None


async def test_statistics_count_the_last_day_and_draw_a_chart(team):
    shop = await make_shop()
    await buy(shop, 1000)
    numbers = await stats.collect(now=T0)
    assert numbers.total.users == 5 and numbers.total.volume_xtr == 1000 and numbers.total.issued_kg == 10_000
    png = await stats.chart_png(numbers, title="Last 30 days", volume_label="Stars", retired_label="t retired")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


async def test_a_draft_project_waits_for_approval_and_the_decision_is_audited(team):
    from core import registry
    from core.staff import approvals

    project = await registry.create_project(name="Moor", methodology="ACM0001", country="DE",
                                            producer_id=ALICE, code="MOOR", now=T0)
    waiting = await approvals.waiting(ADMIN, now=T0)
    assert [w.id for w in waiting["project"]] == [str(project.id)]
    await approvals.decide(ADMIN, "project", str(project.id), True, now=T0)
    assert (await registry.get_project(project.id)).status == "approved"
    assert (await audit.page()).entries[0].target == f"project {project.id}"


@pytest.mark.parametrize(("name", "value", "says"), [
    ("admin_ids", "12,abc", "ADMIN_IDS: expected comma-separated Telegram user ids"),
    ("admin_ids", "12,-5", "ADMIN_IDS: expected positive Telegram user ids"),
    ("support_chat_id", "42", "SUPPORT_CHAT_ID: expected a group's id, which is negative"),
    ("support_chat_id", "group", "SUPPORT_CHAT_ID:"),
])
def test_staff_settings_are_checked_at_start_with_one_line_naming_the_variable(name, value, says):
    from core.settings import SettingsError, load_settings

    with pytest.raises(SettingsError) as refused:
        load_settings(**{name: value})
    assert says in str(refused.value)


def test_good_staff_settings_are_read():
    from core.settings import load_settings

    settings = load_settings(admin_ids="12, 34", support_chat_id="-1001234")
    assert (settings.admin_ids, settings.support_chat_id) == ((12, 34), -1001234)


async def test_a_user_is_found_by_a_serial_they_hold_and_by_a_certificate(team):
    import pathlib
    import tempfile

    from core import registry
    from core.certs.signing import load_or_create_key
    from core.purchases.certificates import certify_retirement

    shop = await make_shop()
    await buy(shop, 1000, key="k1", charge="c1")
    first_serial = f"{shop.batch.serial.rsplit('-', 2)[0]}-{shop.batch.serial_first}"
    assert await lookup.find_user(first_serial) == ALICE  # bought first: the lowest serials
    result = await buy(shop, 500, key="k2", charge="c2", retire_for="Alice")
    retirement = await registry.get_retirement(result.purchase.retirement_id)
    key = load_or_create_key("", pathlib.Path(tempfile.mkdtemp()) / "k")
    cert = await certify_retirement(retirement, signing_key=key, public_base_url="http://x")
    assert await lookup.find_user(cert.id) == ALICE
    with pytest.raises(UserNotFound):
        await lookup.find_user("@nobody")


async def test_another_area_can_teach_the_look_up_its_own_ids_and_add_to_the_card(team):
    async def widgets(text: str, keys) -> int | None:
        return BOB if text == "WIDGET-7" and keys.get("widgets") == b"k" else None

    async def widget_count(user_id: int, keys) -> int:
        return 3 if user_id == BOB else 0

    lookup.register_finder(widgets)
    lookup.register_section("widgets", widget_count)
    try:
        assert await lookup.find_user("WIDGET-7", keys={"widgets": b"k"}) == BOB
        with pytest.raises(UserNotFound):
            await lookup.find_user("WIDGET-7")  # the area's key was not handed in
        assert (await lookup.user_card(BOB)).sections["widgets"] == 3
    finally:
        lookup._FINDERS.remove(widgets)
        del lookup._SECTIONS["widgets"]


async def test_order_and_retirement_ids_are_found_as_people_type_them(team):
    shop = await make_shop()
    kept = await buy(shop, 500, key="k1", charge="c1")
    retired = await buy(shop, 500, key="k2", charge="c2", retire_for="Alice")
    order = kept.purchase.id
    assert await lookup.find_user(order.lower()) == ALICE
    assert await lookup.find_user(" ".join([order[:5], order[5:]])) == ALICE
    retirement = retired.purchase.retirement_id
    typed = retirement.lower().replace("0", "o").replace("1", "l")
    assert await lookup.find_user(typed) == ALICE
    with pytest.raises(UserNotFound):
        await lookup.find_user("O" + "Z" * 10)  # an order id's shape, but no such order


async def test_two_processes_mirroring_admin_ids_at_once_add_each_admin_once(team):
    import asyncio

    results = await asyncio.gather(roles.sync_admins([ADMIN, BOB], now=T0), roles.sync_admins([ADMIN, BOB], now=T0))
    assert sorted(added for result in results for added in result[0]) == [BOB]
    assert await roles.staff_ids(roles.Level.ADMIN) == sorted([ADMIN, BOB])
    assert len([e for e in (await audit.page(user_id=BOB)).entries if e.action == "admin_added"]) == 1


async def test_freezing_twice_says_the_user_is_frozen_already(team):
    from core.staff.errors import AlreadyFrozen

    await freezes.freeze(ADMIN, BOB, "spam", now=T0)
    with pytest.raises(AlreadyFrozen):
        await freezes.freeze(ADMIN, BOB, "spam again", now=T0)


async def test_merchants_and_withdrawals_wait_for_an_admin_beside_projects(team):
    from core import codes
    from core.market import wallet
    from core.staff import approvals

    await codes.register_merchant(BOB, "Bob's Coffee", now=T0)
    clearing = await system_account(Role.CLEARING, STARS)
    alice_wallet = await user_account(ALICE, STARS)
    await post("fund:alice", "payment", [Leg(clearing.id, alice_wallet.id, 700)], now=T0)
    request = await wallet.request_withdrawal(ALICE, 500, key="w1", now=T0)

    waiting = await approvals.waiting(ADMIN, now=T0)
    assert [w.id for w in waiting["merchant"]] == [str(BOB)]
    assert [w.summary for w in waiting["withdrawal"]] == [f"500 ⭐ for user {ALICE}"]
    assert waiting["issuance"] == []

    await approvals.decide(ADMIN, "merchant", str(BOB), True, now=T0)
    assert (await codes.get_merchant(BOB)).status == codes.MerchantStatus.APPROVED
    await approvals.decide(ADMIN, "withdrawal", str(request.id), False, "not a verified account", now=T0)
    assert (await wallet.wallet(ALICE)).available_xtr == 700  # the hold is released
    assert (await approvals.waiting(ADMIN, now=T0))["withdrawal"] == []
    assert {e.target for e in (await audit.page()).entries} >= {f"merchant {BOB}", f"withdrawal {request.id}"}
