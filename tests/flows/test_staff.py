"""Staff tools end to end through the local Bot API stand-in: an admin (ADMIN_IDS),
a support member, two users and the support group (a forum, or a plain group)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from PIL import Image

from bot.handlers import staff
from bot.outbox import drain
from core.ledger import CARBON, user_account
from core.purchases import service as purchases
from core.settings import load_settings
from core.staff import audit, roles
from core.staff.models import Ticket, TicketState
from core.users.models import User
from sandbox.botapi import BotApiServer, ManualClock
from sandbox.botapi.groups import add_group, member
from tests.flows.conftest import TOKEN, FlowBot, png_bytes
from tests.purchases.conftest import make_shop

ADMIN = 7001
UNKNOWN = "I do not know that command. Send /help to see what I can do."


class Team:
    def __init__(self, flow: FlowBot, group) -> None:
        self.flow, self.group = flow, group

    async def people(self):
        flow = self.flow
        ada = await flow.signed_up_user("Ada", user_id=ADMIN, username="ada")
        sam = await flow.signed_up_user("Sam", username="sam")
        alice = await flow.signed_up_user("Alice", username="alice")
        bob = await flow.signed_up_user("Bob", username="bob")
        for person in (ada, sam, alice, bob):
            await User.filter(id=person.user_id).update(username=person.user.username)
            person.user.has_started = True  # they talked to the bot before
        await roles.grant_support(ADMIN, sam.user_id)
        return ada, sam, alice, bob


async def _team(db, tmp_path, *, is_forum: bool):
    clock = ManualClock()
    server = BotApiServer(TOKEN, clock=clock)
    await server.start()
    group = add_group(server, "CCCP support", is_forum=is_forum)
    settings = load_settings(bot_token=TOKEN, database_url=db, data_dir=tmp_path, telegram_api_url=server.url,
                             default_language="en", webhook_url="", admin_ids=str(ADMIN), support_chat_id=group.id)
    flow = FlowBot(server, clock, settings)
    await flow.start()
    return Team(flow, group)


@pytest_asyncio.fixture
async def team(db, tmp_path):
    team = await _team(db, tmp_path, is_forum=True)
    yield team
    await team.flow.stop()
    await team.flow.server.stop()


@pytest_asyncio.fixture
async def plain_team(db, tmp_path):
    team = await _team(db, tmp_path, is_forum=False)
    yield team
    await team.flow.stop()
    await team.flow.server.stop()


async def test_a_ticket_goes_round_trip_through_its_forum_topic(team):
    ada, sam, alice, bob = await team.people()
    assert "Write your message" in (await alice.send("/support")).text
    reply = await alice.send("My credits are missing")
    assert "ticket #1" in reply.text
    [(thread_id, name)] = team.group.topics.items()
    assert name == "#1 Alice"
    desk = member(team.flow.server, team.group, sam)
    in_topic = [m.text for m in desk.messages_in(thread_id) if m.text]
    assert in_topic[-1] == "My credits are missing" and "id " + str(alice.user_id) in in_topic[0]

    await desk.send("They are in your account: send /balance", thread_id=thread_id)
    assert alice.last_text == "💬 Our team (ticket #1):\nThey are in your account: send /balance"
    await desk.send_photo(png_bytes(), caption="See here", thread_id=thread_id)
    assert alice.last.photo and alice.last.caption == "See here"
    assert (await Ticket.get(id=1)).state == TicketState.ANSWERED

    await alice.send("/support")
    await alice.send_photo(png_bytes(), caption="my screen")
    assert desk.messages_in(thread_id)[-1].photo and desk.messages_in(thread_id)[-1].caption == "my screen"
    assert len(team.group.topics) == 1  # the same ticket, the same topic

    assert "#1 · open" in (await sam.send("/tickets")).text
    await desk.send("/close", thread_id=thread_id)
    assert "ticket #1 is closed" in alice.last_text
    assert "No open tickets" in (await sam.send("/tickets")).text
    stranger = member(team.flow.server, team.group, bob)  # in the group, but not staff
    before = alice.last_text
    await stranger.send("I am not staff", thread_id=thread_id)
    assert alice.last_text == before
    assert team.flow.unexpected_errors == 0


async def test_without_a_forum_a_reply_to_the_card_message_reaches_the_user(plain_team):
    ada, sam, alice, bob = await plain_team.people()
    await alice.send("/support Where is my certificate?")
    desk = member(plain_team.flow.server, plain_team.group, sam)
    card = desk.messages[-1]
    assert card.text.startswith("🎫 #1 · Alice @alice") and "Where is my certificate?" in card.text
    await desk.send("Sent again just now", reply_to=card.message_id)
    assert alice.last_text.endswith("Sent again just now")
    await desk.send("chatting among ourselves")  # not a reply: stays in the group
    assert alice.last_text.endswith("Sent again just now")


async def test_a_frozen_user_is_stopped_before_paying_and_told_why(team):
    ada, sam, alice, bob = await team.people()
    shop = await make_shop()
    await bob.send("/buy")
    await bob.press(data=f"buy:item:{shop.listing.ref}")
    await bob.press("0.5 t")
    await bob.press("📥 Keep in my account")
    await bob.press(data="buy:pay:xtr")
    reply = await ada.send("/freeze @bob chargeback under review")
    assert "frozen: chargeback under review" in reply.text
    assert "froze your account: chargeback under review" in bob.last_text
    paid = await bob.pay()
    assert not paid.is_paid and "frozen" in paid.error_message
    assert (await user_account(bob.user_id, CARBON)).balance == 0
    assert "❄️ Frozen: chargeback under review" in (await sam.send("/user @bob")).text
    await ada.send("/unfreeze @bob cleared")
    assert "no longer frozen" in bob.last_text


async def test_a_refund_pressed_twice_reverses_the_credits_and_refunds_the_stars_once(team):
    ada, sam, alice, bob = await team.people()
    shop = await make_shop()
    await alice.send("/buy")
    await alice.press(data=f"buy:item:{shop.listing.ref}")
    await alice.press("1 t")
    await alice.press("📥 Keep in my account")
    await alice.press(data="buy:pay:xtr")
    assert (await alice.pay()).is_paid
    assert (await user_account(alice.user_id, CARBON)).balance == 1000
    [order] = await purchases.purchases_of(alice.user_id)
    preview = await ada.send(f"/refund {order.id} bought twice by mistake")
    assert "1,000 ⭐ back to user" in preview.text
    await ada.press("Refund")
    assert "Refunded order" in ada.last_text
    second = await team.flow.press_data(ada, f"staff:ref:{order.id}")
    assert "refunded already" in second.callback_answer["text"]
    calls = [c for c in team.flow.server.calls if c[0] == "refundStarPayment"]
    assert len(calls) == 1
    assert (await user_account(alice.user_id, CARBON)).balance == 0
    assert any(m.text == "Our team refunded this purchase. Your 1,000 ⭐ have been refunded and the credits went back to the seller."
               for m in alice.messages)
    [entry] = [e for e in (await audit.page(user_id=alice.user_id)).entries if e.action == "refund"]
    assert entry.reason == "bought twice by mistake" and entry.posting_keys[0].startswith("staff-refund:")
    assert "refund" in (await ada.send("/audit user @alice")).text


async def test_every_staff_command_from_a_non_staff_user_gets_the_unknown_command_answer_and_is_recorded(team):
    ada, sam, alice, bob = await team.people()
    assert (await bob.send("/nonsense")).text == UNKNOWN
    for name in staff.COMMANDS:
        for text in (f"/{name}", f"/{name} @alice some reason"):
            assert (await bob.send(text)).text == UNKNOWN, text
    refused = {e.action for e in (await audit.page(actor_id=bob.user_id, limit=100)).entries if e.is_refused}
    assert refused == set(staff.COMMANDS)
    # support may use the support commands, not the admin ones
    assert (await sam.send("/refund x y")).text == UNKNOWN
    assert "Alice" in (await sam.send("/user @alice")).text
    assert team.flow.unexpected_errors == 0


async def test_admins_come_from_admin_ids_and_grant_support_in_the_bot(team):
    ada, sam, alice, bob = await team.people()
    assert "support staff now" in (await ada.send("/grant @bob")).text
    assert "Alice" in (await bob.send("/user @alice")).text
    assert "no longer support" in (await ada.send("/revoke @bob")).text
    assert (await bob.send("/user @alice")).text == UNKNOWN
    assert "ADMIN_IDS" in (await ada.send(f"/revoke {ADMIN}")).text
    menu = await ada.send("/admin")
    assert "/broadcast" in menu.text and ada.keyboard_labels() == ["/tickets", "/audit", "/stats", "/approve"]
    assert "Nothing waits" in (await ada.press("/approve")).text


async def test_an_admin_approves_a_draft_project_and_issues_a_batch_for_it(team):
    from core import registry

    ada, sam, alice, bob = await team.people()
    project = await registry.create_project(name="Moor rewetting", methodology="ACM0001", country="DE",
                                            producer_id=alice.user_id, code="MOOR")
    assert (await ada.send("/issue MOOR 2024 5 t")).text == "Project MOOR is not approved (draft): /approve it first."
    listing = await ada.send("/approve")
    assert f"/approve project {project.id}" in listing.text
    assert "approved" in (await ada.send(f"/approve project {project.id}")).text
    reply = await ada.send("/issue MOOR 2024 5 t")
    assert "5 t of MOOR 2024" in reply.text and "CCCP-MOOR-2024-" in reply.text
    assert (await user_account(alice.user_id, CARBON)).balance == 5000
    assert "issue" in (await ada.send("/audit")).text


async def test_stats_show_numbers_and_a_chart(team, tmp_path):
    ada, sam, alice, bob = await team.people()
    await make_shop()
    reply = await ada.send("/stats")
    assert "All time: 5 new users, 10 t issued" in reply.texts[0]
    image = Image.open(io.BytesIO(ada.last_photo_bytes))
    assert image.size == (800, 400)
    assert len(set(image.convert("RGB").get_flattened_data())) > 20  # axes, labels and the series, not a blank image


def progress_of(ada) -> str:
    """The broadcast's progress message as it reads now (edited as it goes)."""
    return next(m.text for m in ada.messages if m.text and m.text.startswith("Broadcast #"))


async def _run_broadcast(team, ada, text: str, *, rounds: int = 200):
    flow = team.flow
    moment = [datetime.now(UTC)]
    flow.application.bot_data["clock"] = lambda: moment[0]
    preview = await ada.send(f"/broadcast all {text}")
    await ada.press("Send")
    for _ in range(rounds):  # the outbox's drain (the sender), on the shared simulated clock
        await drain(flow.application, limit=100)
        await staff.progress_job(type("Ctx", (), {"bot": flow.application.bot, "bot_data": flow.application.bot_data})())
        if "finished" in progress_of(ada):
            break
        moment[0] += timedelta(seconds=1)
        flow.clock.advance(1.0)
    return preview


async def test_a_short_broadcast_reaches_everyone_once_skips_the_blocked_and_shows_100_percent(team):
    ada, sam, alice, bob = await team.people()
    bob.block()
    preview = await _run_broadcast(team, ada, "Tree planting day on Saturday!")
    assert "4 recipients" in preview.events[0].data["message"]["text"]
    for person in (ada, sam, alice):
        assert [m.text for m in person.messages].count("Tree planting day on Saturday!") == 1
    assert "Tree planting day on Saturday!" not in [m.text for m in bob.messages]
    assert progress_of(ada).startswith("Broadcast #1 finished: 3 delivered, 1 skipped (100 %)")


@pytest.mark.slow
async def test_a_broadcast_to_500_users_arrives_once_each_through_429s(team):
    from core import users

    ada, sam, alice, bob = await team.people()
    crowd = []
    for i in range(496):
        person = team.flow.user(f"P{i}")
        await users.sign_up(person.user_id, f"P{i}", "en", ["consumer"], now=datetime(2026, 1, 1, tzinfo=UTC))
        person.user.has_started = True
        crowd.append(person)
    crowd[0].block()
    started = team.flow.clock()
    await _run_broadcast(team, ada, "Hello all 500", rounds=400)
    tries = [c for c in team.flow.server.calls if c[0] == "sendMessage" and c[1].get("text") == "Hello all 500"]
    assert len(tries) > 500  # the stand-in answered 429 to some (pushed too fast); they were sent again
    assert team.flow.clock() - started >= 500 // 30  # the stand-in's 30 a second overall
    for person in [ada, sam, alice, bob, *crowd[1:]]:
        assert [m.text for m in person.messages].count("Hello all 500") == 1
    assert progress_of(ada).startswith("Broadcast #1 finished: 499 delivered, 1 skipped (100 %)")


async def test_support_and_the_staff_tools_speak_the_persons_language(team):
    ada, sam, alice, bob = await team.people()
    greta = await team.flow.signed_up_user("Greta", language="de")
    greta.user.has_started = True
    assert "Schreib deine Nachricht" in (await greta.send("/support")).text
    assert "als Ticket #1" in (await greta.send("Hallo")).text
    claire = await team.flow.signed_up_user("Claire", language="fr")
    assert "comme ticket #2" in (await claire.send("/support Bonjour")).text
    assert (await greta.send("/freeze 1 x")).text == "Diesen Befehl kenne ich nicht. Mit /help siehst du, was ich kann."


async def test_the_audit_log_pages_and_filters_by_user_and_staff_member(team):
    ada, sam, alice, bob = await team.people()
    for i in range(12):
        await bob.send(f"/freeze @alice try {i}")  # refused, and recorded
    first = await sam.send(f"/audit staff {bob.user_id}")
    assert first.text.count("freeze (refused)") == 10
    older = await sam.press("Older")
    assert older.text.count("freeze (refused)") == 2
    await ada.send("/freeze @alice under review")
    mine = await sam.send("/audit user @alice")
    assert mine.text.startswith("#") and f"{ADMIN} freeze → {alice.user_id}" in mine.text and "«under review»" in mine.text
    assert (await sam.send("/audit nonsense")).text.startswith("/audit, /audit user")


async def test_a_cancelled_broadcast_sends_nothing_more_and_says_so(team):
    ada, sam, alice, bob = await team.people()
    preview = await ada.send("/broadcast lang:en Sale tomorrow")
    assert "4 recipients" in preview.events[0].data["message"]["text"]
    await ada.press("Send")
    await ada.press("Cancel")
    # (the outbox job may have sent a few in the moment between the two presses)
    match = re.fullmatch(r"Broadcast #1 cancelled: (\d) delivered, (\d) not sent\.", progress_of(ada))
    delivered, not_sent = int(match[1]), int(match[2])
    assert delivered + not_sent == 4
    await drain(team.flow.application)
    got = [p for p in (ada, sam, alice, bob) if "Sale tomorrow" in [m.text for m in p.messages]]
    assert len(got) == delivered
    assert "Segments:" in (await ada.send("/broadcast wizards Hello")).text


async def test_adjustments_and_goodwill_need_a_reason_and_a_closed_ticket_tells_the_user(team):
    from core.ledger import STARS

    ada, sam, alice, bob = await team.people()
    assert (await ada.send("/adjust @bob +100")).text.startswith("/adjust <who>")
    assert (await ada.send("/adjust @bob +100 welcome bonus")).text == f"XTR of user {bob.user_id}: 0 ⭐ → 100 ⭐."
    assert "100 ⭐ → 60 ⭐" in (await ada.send("/adjust @bob -40 typo")).text
    assert "below zero (it is 60 ⭐)" in (await ada.send("/adjust @bob -500 too much")).text
    assert "whole numbers, not zero, at most 10,000,000 ⭐" in (await ada.send("/adjust @bob +0 nothing")).text
    assert "EUR of user" in (await ada.send("/adjust @bob +250 EUR card refund at the provider")).text
    assert "€0.00 → €2.50" in ada.last_text  # minor units typed, money shown: the staff member sees what 250 was
    assert "below zero (it is €2.50)" in (await ada.send("/adjust @bob -300 EUR too much")).text
    assert "60 ⭐ → 560 ⭐" in (await ada.send("/goodwill @bob 500 retired by mistake")).text
    assert (await user_account(bob.user_id, STARS)).balance == 560
    shop = await make_shop()
    order = await purchases.start_purchase(bob.user_id, shop.listing.ref, 500, retire_for="Bob", key="r1")
    assert (await purchases.precheckout(order.payload, order.total_amount, "XTR")).ok
    await purchases.complete_payment(order.payload, "charge-r1", order.total_amount, "XTR", user_id=bob.user_id)
    refused = await ada.send(f"/refund {order.id} unhappy")
    assert "cannot be refunded as a whole charge (retired)" in refused.text and "/goodwill" in refused.text
    await alice.send("/support Help")
    await sam.send("/tickets")
    await sam.press("Close #1")
    assert "ticket #1 is closed" in alice.last_text


async def test_support_finds_a_trader_by_an_offer_and_a_shopper_or_merchant_by_a_code(team):
    from core import codes, registry
    from core.codes.secret import codes_secret
    from core.market import book
    from tests.helpers import issue_to

    ada, sam, alice, bob = await team.people()
    await issue_to(bob.user_id, 5_000, key="bob-credits")
    project = (await registry.get_project(f"T{bob.user_id}")).id  # issue_to's project
    offer = (await book.place_sell(bob.user_id, project, 2_000, 900, key="bob-sells")).offer
    card = (await sam.send(f"/user offer #{offer.id}")).text
    assert card.startswith("👤 Bob (@bob)")
    assert f"Open offers (1):\n  #{offer.id} sell 2 t of 2 t at 900 ⭐/t · holds 2 t" in card

    mia = await team.flow.signed_up_user("Mia", roles=("merchant",))
    await issue_to(mia.user_id, 1_000, key="mia-credits")
    await codes.register_merchant(mia.user_id, "Mia's Coffee")
    await codes.approve_merchant(mia.user_id)
    product = await codes.add_product(mia.user_id, "Coffee 500 g", kg_per_unit=5)
    secret = codes_secret(team.flow.settings)  # the bot's own (data/codes_secret)
    batch = await codes.fund_batch(product.id, 2, secret=secret, key="mia-batch")
    claimed, unclaimed = await codes.batch_codes(batch.id, secret=secret)
    await codes.claim(claimed, alice.user_id, secret=secret, now=datetime(2026, 3, 1, 12, tzinfo=UTC))

    card = (await sam.send(f"/user {codes.printed(claimed).lower()}")).text
    assert card.startswith("👤 Alice (@alice)") and "Open offers: none" in card
    assert f"Claimed codes (1):\n  2026-03-01 {codes.printed(claimed)}: 5 kg from Coffee 500 g (Mia's Coffee)" in card
    card = (await sam.send(f"/user {codes.printed(unclaimed)}")).text
    assert card.startswith("👤 Mia")
    assert ("Merchant Mia's Coffee (approved), products: 1\n"
            f"  #{product.id} Coffee 500 g: 5 kg per unit · 1 of 2 codes claimed, batches: 1") in card
    assert (await sam.send("/user offer #999999")).text == "No user found for offer #999999."
    assert team.flow.unexpected_errors == 0
