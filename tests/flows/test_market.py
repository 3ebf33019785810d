"""The market through the chat, against the local Bot API stand-in."""

from __future__ import annotations

import io

from PIL import Image

from core.ledger import CARBON, STARS, Role, system_account, user_account
from core.market import book
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
