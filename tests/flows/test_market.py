"""The market through the chat, against the local Bot API stand-in."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from PIL import Image

from bot.i18n import translator
from core.checks import verify_all
from core.ledger import CARBON, STARS, Leg, Role, post, system_account, user_account
from core.market import book, wallet
from core.registry import get_project
from tests.helpers import issue_to


async def balance(person, asset: str) -> int:
    return (await user_account(person.user_id, asset)).balance


async def test_a_sells_b_is_alerted_takes_half_and_both_hear_of_it(bot):
    alice = await bot.signed_up_user("Alice", roles=("consumer", "trader"))
    bob = await bot.signed_up_user("Bob", roles=("consumer", "trader"))
    await issue_to(alice.user_id, 10_000, key="issue:alice")
    project = await get_project(f"T{alice.user_id}")

    # Bob sets an alert by typing
    reply = await bob.send(f"/alert {project.code} 900")
    assert "at or under 900 ⭐ per tonne" in reply.text

    # Alice tops up her wallet by a Stars invoice (she will pay the fee from proceeds)
    await alice.send("/topup")
    await alice.press("100 ⭐")
    paid = await alice.pay()
    assert paid.is_paid
    assert any("100 ⭐ added to your wallet" in text for text in paid.reply.texts)

    # Bob tops up by typing the amount
    await bob.send("/topup")
    await bob.send("5000")
    assert (await bob.pay()).is_paid
    assert await balance(bob, STARS) == 5_000

    # Alice posts a sell offer: 2 t at 850 ⭐/t, by buttons and typed text
    await alice.send("/sell")
    await alice.press(data=f"mkt:new:sell:{project.id}")
    await alice.send("2 t")
    reply = await alice.send("850")
    assert "Total: 1,700 ⭐" in reply.text and "Fee: 17 ⭐" in reply.text and "Held" in reply.text
    await alice.press("✅ Confirm")
    assert "on the book" in alice.last_text

    # Bob's alert arrived, with a take button
    alert = await bob.wait_for(lambda m: bool(m.text and m.text.startswith("🔔 New offer")))  # the sender task
    assert "2 t" in alert.text and "850 ⭐" in alert.text

    # Bob takes half from the alert's button
    reply = await bob.press("Take buy at 850 ⭐", message=alert)
    # Alice's reputation, never who she is
    assert "Trader: 0 completed trades, 0 kg traded." in reply.text and "Alice" not in reply.text
    await bob.send("1 t")
    reply = await bob.press("✅ Confirm")
    done = next(t for t in [m.text or m.caption or "" for m in bob.messages] if t.startswith("Done:"))
    assert "Done: 1 t (1,000 kg) at 850 ⭐" in done and "CCCP-" in done

    assert await bob.wait_for(lambda m: "Bought 1 t" in (m.text or m.caption or ""))
    sold = await alice.wait_for(lambda m: "Sold 1 t" in (m.text or m.caption or ""))
    assert "fee 8 ⭐" in (sold.text or sold.caption)
    assert await balance(bob, STARS) == 5_000 - 850
    assert await balance(alice, STARS) == 100 + 850 - 8
    assert (await system_account(Role.FEES, STARS)).balance == 8
    assert await balance(bob, CARBON) == 1_000
    assert await balance(alice, CARBON) == 9_000
    [trade] = await book.trades_of(bob.user_id)
    reply = await bob.send("/trades")
    assert trade.serials[0] in reply.text

    # the book shows what is left, and a chart of the trade
    await bob.send("/market")
    reply = await bob.press(data=f"mkt:book:{project.id}")
    assert any("850 ⭐ · 1 t" in text for text in [m.text or m.caption or "" for m in bob.messages])
    png = bob.last_photo_bytes
    assert Image.open(io.BytesIO(png)).size[0] >= 400

    # a stale take: Alice cancels, Bob's old button says so and moves nothing
    await alice.send("/offers")
    await alice.press(data=f"mkt:cxl:{trade.sell_offer_id}")
    assert any("is cancelled" in t for t in [m.text or m.caption or "" for m in alice.messages])
    reply = await bob.press("Take buy at 850 ⭐", message=alert)
    assert "no longer on the book" in (reply.callback_answer or {}).get("text", "")
    assert await balance(bob, CARBON) == 1_000
    assert bot.unexpected_errors == 0


async def test_bad_amounts_and_prices_get_a_clear_answer_and_nothing_moves(bot):
    alice = await bot.signed_up_user("Alice")
    await issue_to(alice.user_id, 1_000, key="issue:alice")
    project = await get_project(f"T{alice.user_id}")
    await alice.send("/sell")
    reply = await alice.send("NOPE")
    assert "I do not know the project" in reply.text
    await alice.send(project.code)
    reply = await alice.send("-3")
    assert "more than zero" in reply.text
    await alice.send("5 t")
    reply = await alice.send("lots")
    assert "could not read that as a price" in reply.text
    await alice.send("900")
    reply = await alice.press("✅ Confirm")
    assert "do not have that many credits" in (reply.callback_answer or {}).get("text", "")
    assert await book.offers_of(alice.user_id) == []
    reply = await alice.send("/wallet")
    assert "cannot be paid out by the bot" in reply.text
    assert bot.unexpected_errors == 0


async def test_the_market_speaks_german_and_french(bot):
    alice = await bot.signed_up_user("Alice")
    await issue_to(alice.user_id, 2_000, key="issue:alice")
    project = await get_project(f"T{alice.user_id}")
    await book.place_sell(alice.user_id, project.id, 1_000, 900, key="s1", rules=book.Rules(min_kg=1))
    jonas = await bot.signed_up_user("Jonas", language="de")
    reply = await jonas.send("/market")
    assert "Markt" in reply.text and "900 ⭐" in reply.text
    reply = await jonas.send("/wallet")
    assert "Deine Sterne-Geldbörse" in reply.text and "kann keine Sterne auszahlen" in reply.text
    claire = await bot.signed_up_user("Claire", language="fr")
    await claire.send("/market")
    await claire.press(data=f"mkt:book:{project.id}")
    assert any("Offres de vente" in (m.text or "") for m in claire.messages)
    card = next(m for m in reversed(claire.messages) if m.text and "Offres de vente" in m.text)
    assert claire.keyboard_labels(card) == ["acheter à 900 ⭐", "🟢 Acheter", "🔴 Vendre", "🔔 Alerte"]
    reply = await claire.press("acheter à 900 ⭐", message=card)
    assert "Négociant : 0 transactions conclues" in reply.text
    assert bot.unexpected_errors == 0


async def test_an_alert_for_a_project_type_hears_of_each_new_offer_once(bot):
    alice = await bot.signed_up_user("Alice")
    bob = await bot.signed_up_user("Bob")
    await issue_to(alice.user_id, 5_000, key="issue:alice")
    project = await get_project(f"T{alice.user_id}")  # landfill methane (ACM0001)
    reply = await bob.send("/alert landfill_methane 900")
    assert "landfill methane at or under 900 ⭐" in reply.text
    reply = await bob.send("/alert volcanoes 900")
    assert "I do not know the project" in reply.text
    rules = book.Rules(min_kg=1)
    await book.place_sell(alice.user_id, project.id, 1_000, 880, key="s1", rules=rules)
    await book.place_sell(alice.user_id, project.id, 1_000, 950, key="s2", rules=rules)  # above the alert
    from bot.outbox import drain

    await drain(bot.application)  # what the outbox job does every few seconds
    alerted = [m for m in bob.messages if m.text and m.text.startswith("🔔 New offer")]
    assert len(alerted) == 1 and "880 ⭐" in alerted[0].text
    reply = await bob.send("/alerts")
    assert "landfill methane at or under 900 ⭐/t" in reply.text
    await bob.press("🗑 Delete 1")
    assert "No alerts" in bob.last_text
    assert bot.unexpected_errors == 0


# ---- an offer's terms (how long it stands, its minimum fill) and filter bids ----

async def fund(person, stars: int, key: str) -> None:
    """Stars into a wallet as a paid top-up leaves them (the first test pays one by invoice)."""
    clearing = await system_account(Role.CLEARING, STARS)
    await post(key, "payment", [Leg(clearing.id, (await user_account(person.user_id, STARS)).id, stars)])


def frozen_clock(bot) -> list[datetime]:
    """The bot's clock, moved by the test: `moment[0] += ...`."""
    moment = [datetime.now(UTC).replace(microsecond=0)]
    bot.application.bot_data["clock"] = lambda: moment[0]
    return moment


async def send_notices(bot, moment: list[datetime] | None = None, *, turns: int = 2) -> None:
    """What the outbox sender does every few seconds. It paces on the bot's clock (one message
    per slot overall, one a second per chat), so a frozen clock moves a second per turn."""
    from bot.outbox import drain

    bot.clock.advance(60)  # the stand-in's own per-chat limit
    for _ in range(turns):
        if moment is not None:
            moment[0] += timedelta(seconds=1)
        bot.clock.advance(1)
        await drain(bot.application)


async def test_an_offer_posted_for_one_day_expires_is_shown_expired_and_its_hold_is_released(bot):
    moment = frozen_clock(bot)
    alice = await bot.signed_up_user("Alice", roles=("consumer", "trader"))
    bob = await bot.signed_up_user("Bob", roles=("consumer", "trader"))
    await issue_to(alice.user_id, 2_000, key="issue:alice")
    await fund(bob, 2_000, "fund:bob")
    project = await get_project(f"T{alice.user_id}")
    t = translator("en")

    await alice.send("/sell")
    await alice.press(data=f"mkt:new:sell:{project.id}")
    await alice.send("1 t")
    reply = await alice.send("900")
    assert "⏳ On the book until you cancel it" in reply.text and "🧩 Fills in parts of any size" in reply.text
    assert alice.keyboard_labels()[2:6] == ["1 day", "7 days", "30 days", "Until cancelled"]
    reply = await alice.press("1 day")
    a_day_later = moment[0] + timedelta(days=1)
    assert f"⏳ On the book until {t.moment(a_day_later)}" in reply.text
    await alice.press("✅ Confirm")
    assert "on the book" in alice.last_text
    reply = await alice.send("/offers")
    assert f"⏳ until {t.moment(a_day_later)}" in reply.text and "Expired" not in reply.text

    # Bob bids under her price for a day, by typing the term
    await bob.send("/bid")
    await bob.send(project.code)
    await bob.send("1 t")
    await bob.send("800")
    reply = await bob.send("1 day")
    assert f"until {t.moment(a_day_later)}" in reply.text
    await bob.send("yes")
    assert (await wallet.wallet(bob.user_id)).held_xtr == 800

    # a day and a minute later the expiry job closes both, releases the holds and tells the owners
    moment[0] = a_day_later + timedelta(minutes=1)
    [job] = bot.application.job_queue.get_jobs_by_name("market_expiry")
    await job.run(bot.application)
    await send_notices(bot, moment)
    assert await alice.wait_for(lambda m: bool(m.text and "expired; 1 t (1,000 kg) released" in m.text))
    assert await bob.wait_for(lambda m: bool(m.text and "expired; 800 ⭐ are free in your wallet again" in m.text))
    assert (await user_account(alice.user_id, CARBON)).held == 0
    assert (await wallet.wallet(bob.user_id)).held_xtr == 0
    reply = await alice.send("/offers")
    assert "You have no open offers" in reply.text and "Expired lately:" in reply.text
    assert f"⌛ expired {t.moment(a_day_later)}" in reply.text and project.name in reply.text
    assert alice.keyboard_labels(reply.last) == []  # nothing to cancel
    # and nobody can take it any more
    assert await book.book(project.id, now=moment[0]) == book.BookView(project.id, (), (), None)
    assert (await verify_all()).is_clean
    assert bot.unexpected_errors == 0


async def test_an_all_or_nothing_bid_is_not_partly_filled_by_a_smaller_sell(bot):
    alice = await bot.signed_up_user("Alice", roles=("consumer", "trader"))
    bob = await bot.signed_up_user("Bob", roles=("consumer", "trader"))
    await issue_to(alice.user_id, 5_000, key="issue:alice")
    await fund(bob, 5_000, "fund:bob")
    project = await get_project(f"T{alice.user_id}")

    await bob.send("/bid")
    await bob.press(data=f"mkt:new:buy:{project.id}")
    await bob.send("2 t")
    await bob.send("900")
    reply = await bob.press("All or nothing")
    assert "🧩 All or nothing: fills only as a whole" in reply.text
    await bob.press("✅ Confirm")
    [bid] = await book.offers_of(bob.user_id)
    assert bid.min_fill_kg == 2_000 and bid.expires_at is None  # good till cancelled, the default
    reply = await bob.send("/offers")
    assert "until cancelled · all or nothing" in reply.text

    smaller = await book.place_sell(alice.user_id, project.id, 1_000, 900, key="sell:1t")
    assert smaller.trades == () and smaller.offer.remaining_kg == 1_000
    assert (await book.get_offer(bid.id)).remaining_kg == 2_000
    assert (await user_account(bob.user_id, CARBON)).balance == 0

    whole = await book.place_sell(alice.user_id, project.id, 2_000, 900, key="sell:2t")
    assert [(trade.buy_offer_id, trade.amount_kg) for trade in whole.trades] == [(bid.id, 2_000)]
    assert (await user_account(bob.user_id, CARBON)).balance == 2_000
    await send_notices(bot)
    assert await bob.wait_for(lambda m: "Bought 2 t" in (m.text or ""))
    assert (await verify_all()).is_clean
    assert bot.unexpected_errors == 0


async def reforestation_credits(person, kg: int) -> int:
    """A reforestation project of `person` (in Brazil) with `kg` credits in their account; its id."""
    from core import registry

    project = await registry.create_project(name=f"Forest of {person.user.first_name}", methodology="VM0047",
                                            country="BR", producer_id=person.user_id, code=f"F{person.user_id}",
                                            approve=True)
    await registry.issue_batch(project.id, 2024, kg * 100 // 80, key=f"issue:forest:{person.user_id}")  # 20 % buffer
    return project.id


async def test_a_filter_bid_for_a_type_fills_from_a_project_of_that_type_only(bot):
    alice = await bot.signed_up_user("Alice", roles=("consumer", "trader"))  # landfill methane, Germany
    rita = await bot.signed_up_user("Rita", roles=("producer", "trader"))  # reforestation, Brazil
    bob = await bot.signed_up_user("Bob", roles=("consumer", "trader"))
    await issue_to(alice.user_id, 2_000, key="issue:alice")
    forest = await reforestation_credits(rita, 2_000)
    landfill = await get_project(f"T{alice.user_id}")
    await fund(bob, 5_000, "fund:bob")

    reply = await bob.send("/bid")
    assert "🔎 Any project of a type…" in bob.keyboard_labels(reply.last)
    reply = await bob.press("🔎 Any project of a type…")
    assert bob.keyboard_labels(reply.last) == ["Reforestation", "Landfill methane", "Pipeline leak repair",
                                               "SF6 destruction"]
    reply = await bob.press("Landfill methane")
    assert bob.keyboard_labels(reply.last) == ["Germany", "🌍 Any country"]  # where such projects are
    await bob.press("🌍 Any country")
    await bob.press("Any vintage")
    await bob.press("1 t (1,000 kg)")
    reply = await bob.send("900")
    assert "Buy 1 t (1,000 kg) at up to 900 ⭐ per tonne from any project that matches: type: Landfill methane." \
        in reply.text
    await bob.press("✅ Confirm")
    assert "on the book" in bob.last_text
    reply = await bob.send("/offers")
    assert "any project (type: Landfill methane) · 900 ⭐/t" in reply.text

    other = await book.place_sell(rita.user_id, forest, 1_000, 900, key="sell:forest")
    assert other.trades == ()
    matching = await book.place_sell(alice.user_id, landfill.id, 1_000, 900, key="sell:landfill")
    [trade] = matching.trades
    assert trade.project_id == landfill.id and trade.buyer_id == bob.user_id
    assert (await user_account(bob.user_id, CARBON)).balance == 1_000
    await send_notices(bot)
    assert await bob.wait_for(lambda m: f"Bought 1 t (1,000 kg) of {landfill.name}" in (m.text or ""))
    assert (await verify_all()).is_clean
    assert bot.unexpected_errors == 0


async def test_a_german_trader_types_a_filter_bid_its_term_and_all_or_nothing(bot):
    moment = frozen_clock(bot)
    alice = await bot.signed_up_user("Alice")
    await issue_to(alice.user_id, 3_000, key="issue:alice")  # landfill methane in Germany, last year's vintage
    project = await get_project(f"T{alice.user_id}")
    jonas = await bot.signed_up_user("Jonas", language="de", roles=("consumer", "trader"))
    await fund(jonas, 5_000, "fund:jonas")
    t = translator("de")

    reply = await jonas.send("/bid")
    assert "oder schreibe eine Art wie „Wiederaufforstung“" in reply.text
    reply = await jonas.send("Deponiemethan")
    assert "Nur Projekte in einem Land?" in reply.text
    reply = await jonas.send("Atlantis")
    assert "Ich kenne das Land „Atlantis“ nicht" in reply.text
    reply = await jonas.send("Deutschland")
    assert "Welche Jahrgänge?" in reply.text
    await jonas.send("ab 2020")
    await jonas.send("2 t")
    reply = await jonas.send("900")
    assert "aus jedem Projekt kaufen, das passt: Art: Deponiemethan, Land: Deutschland, Jahrgang: ab 2020." \
        in reply.text
    assert "⏳ Im Buch, bis du es zurückziehst" in reply.text
    reply = await jonas.send("7 Tage")
    assert f"⏳ Im Buch bis {t.moment(moment[0] + timedelta(days=7))}" in reply.text
    reply = await jonas.send("mindestens 3 t")
    assert "nicht größer sein als das Angebot selbst (2 t)" in reply.text
    reply = await jonas.send("alles oder nichts")
    assert "🧩 Alles oder nichts: wird nur als Ganzes ausgeführt" in reply.text
    reply = await jonas.send("vielleicht")
    assert "schreibe zum Beispiel „7 Tage“" in reply.text
    reply = await jonas.send("ja")
    assert "steht im Buch" in reply.text

    [bid] = await book.offers_of(jonas.user_id)
    assert (bid.project_type, bid.country, bid.vintage_from, bid.vintage_to) == ("landfill_methane", "DE", 2020, None)
    assert bid.min_fill_kg == 2_000 and bid.expires_at == moment[0] + timedelta(days=7)
    reply = await jonas.send("/offers")
    assert "beliebiges Projekt (Art: Deponiemethan, Land: Deutschland, Jahrgang: ab 2020)" in reply.text
    assert f"⏳ bis {t.moment(moment[0] + timedelta(days=7))} · alles oder nichts" in reply.text

    result = await book.place_sell(alice.user_id, project.id, 3_000, 900, key="sell:3t", now=moment[0])
    assert [(trade.buy_offer_id, trade.amount_kg) for trade in result.trades] == [(bid.id, 2_000)]
    await send_notices(bot, moment)
    assert await jonas.wait_for(lambda m: "2 t (2.000 kg) von" in (m.text or "") and "gekauft" in (m.text or ""))
    assert (await verify_all()).is_clean
    assert bot.unexpected_errors == 0
