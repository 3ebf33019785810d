"""Trees through the chat: a purchase plants trees, /trees shows them with a chart,
and simulated years later a milestone message arrives through the outbox."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from PIL import Image

from bot.outbox import drain
from core import reforestation
from core.checks import verify_all
from tests.flows.test_buying import order_to_invoice
from tests.purchases.conftest import make_shop
from tests.reforestation.conftest import PRODUCER, make_forest


async def test_a_purchase_plants_trees_that_trees_shows_and_years_later_a_milestone_arrives(bot):
    now = datetime.now(UTC)
    forest = await make_forest(planted_at=now - timedelta(days=30))
    shop = await make_shop()
    alice = await bot.signed_up_user("Alice")
    await order_to_invoice(alice, shop)  # 0.5 t, kept
    assert (await alice.pay()).is_paid

    reply = await alice.send("/trees")
    text = "\n".join(reply.texts)
    assert "5 trees of Eucalyptus grandis" in text and "Talhão 1" in text
    assert "issued as credits to the project's producer" in text
    png = alice.last_photo_bytes
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (800, 450)
    assert "Estimated CO2 held by your trees on Talhão 1" in alice.last.caption
    a_minute_later = datetime.now(UTC) + timedelta(minutes=1)
    bot.application.bot_data["clock"] = lambda: a_minute_later  # the sender paces each chat too
    bot.clock.advance(60)  # the stand-in's per-chat rate: a minute since the last message
    await drain(bot.application)
    assert any("Your purchase planted 5 trees on Talhão 1" in (m.text or "") for m in alice.messages)

    later = now + timedelta(days=3 * 365)
    report = await reforestation.tick(later)
    assert report.milestones == 1
    moment = [later]
    bot.application.bot_data["clock"] = lambda: moment[0]
    for _ in range(3):  # the sender paces: a message to the producer first, then Alice's
        moment[0] += timedelta(seconds=1)
        bot.clock.advance(1)
        await drain(bot.application)
    milestone = [m.text for m in alice.messages if m.text and "have absorbed" in m.text]
    assert len(milestone) == 1 and "Your 5 trees on Talhão 1 have absorbed 100 kg of CO2 so far" in milestone[0]
    assert (await reforestation.tick(later)).milestones == 0  # announced once

    plot = await reforestation.get_plot(forest.plot.id, now=later)
    assert plot.issued_kg == 0  # nothing is issued unless the producer asks and an operator approves
    assert (await verify_all()).is_clean
    assert bot.unexpected_errors == 0


async def test_trees_in_german_and_french_and_with_no_purchase(bot):
    hans = await bot.signed_up_user("Hans", language="de")
    reply = await hans.send("/trees")
    assert "Noch keine Bäume" in reply.text
    marie = await bot.signed_up_user("Marie", language="fr")
    reply = await marie.send("/trees")
    assert "Pas encore d'arbres" in reply.text


async def test_a_producer_measures_requests_issuance_and_is_refused_bad_input(bot):
    now = datetime.now(UTC)
    forest = await make_forest(planted_at=now - timedelta(days=3 * 365))
    producer = bot.server.user("Paula", user_id=PRODUCER, language_code="en")
    reply = await producer.send("/forest")
    assert f"Plot {forest.plot.id}: Talhão 1" in reply.text
    reply = await producer.send(f"/measure {forest.plot.id} lots 1000")
    assert "does not fit" in reply.text
    reply = await producer.send("/measure")
    assert "Send it like this" in reply.text
    reply = await producer.send(f"/measure {forest.plot.id} 150 1000")
    assert "Measurement recorded" in reply.text
    await producer.send("/forest")
    reply = await producer.press(f"📜 Request issuance {forest.plot.id}")
    assert "requested" in reply.text
    [request] = await reforestation.pending_requests()
    assert request.amount_kg > 0
    reply = await producer.press(f"🪓 Harvest {forest.plot.id}")
    assert "cannot do that now" in reply.text
    alice = await bot.signed_up_user("Alice")
    reply = await alice.send("/forest")
    assert "Only producers" in reply.text
    assert bot.unexpected_errors == 0
