"""The details that make a certificate trusted: both ids found everywhere, a certificate
never lost when drawing it fails, and sent again from /history."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import quote, urlsplit

import pytest
import zxingcpp
from aiohttp.test_utils import TestClient, TestServer
from PIL import Image

from bot import orders
from bot.outbox import drain
from core import ids, registry
from core.certs import service as certs_service
from core.certs.service import get_certificate
from core.outbox.models import OutboxMessage, OutboxState
from core.purchases import service as purchases
from core.purchases.certificates import retry_failed_certificates
from core.purchases.models import Purchase
from tests.purchases.conftest import make_shop
from web.app import build_web_app

EMOJI_NAME = "Zoë 🌍 Förderverein e.V."


@pytest.fixture
async def shop(bot):
    return await make_shop()


async def buy_retired_for(person, shop, beneficiary: str, amount_label: str = "0.5 t"):
    await person.send("/buy")
    await person.press(data=f"buy:item:{shop.listing.ref}")
    await person.press(amount_label)
    await person.press("✍️ For someone else")
    await person.send(beneficiary)
    await person.send("-")
    await person.press(data="buy:pay:xtr")
    return await person.pay()


def certificate_path(png: bytes) -> str:
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return urlsplit(code.text).path


async def test_the_certificate_id_and_the_retirement_id_are_both_found_everywhere(bot, shop):
    alice = await bot.signed_up_user("Alice")
    paid = await buy_retired_for(alice, shop, EMOJI_NAME)
    assert paid.is_paid
    assert any(f"Retired for {EMOJI_NAME} Here is your certificate." in text for text in paid.reply.texts)
    assert not any("e.V.." in (m.text or m.caption or "") for m in alice.messages)  # one full stop
    cert_id = certificate_path(alice.last_photo_bytes).rsplit("/", 1)[1]
    [order] = await purchases.purchases_of(alice.user_id)
    retirement_id = order.retirement_id
    # Ids come from core.ids: a prefix per kind, Crockford base 32, the certificate's with a check.
    assert ids.is_id(cert_id, "C", 12, check=True) and ids.is_id(retirement_id, "R", 10)
    assert ids.is_id(order.id, "O", 10) and not order.id.startswith("-")
    cert = await get_certificate(cert_id)
    assert (cert.standard, cert.project_id, cert.retirement_id) == ("Gold Standard", "LAND", retirement_id)
    assert cert.beneficiary == EMOJI_NAME

    for typed in (cert_id, cert_id.lower(), retirement_id):
        reply = await alice.send(f"/lookup {typed}")
        assert reply.text.startswith(f"🔎 Retirement {retirement_id}: 500 kg retired for {EMOJI_NAME}"), typed
    typed_alone = await alice.send(cert_id)  # typed outside any flow
    assert typed_alone.text.startswith(f"🔎 Retirement {retirement_id}")

    async with TestClient(TestServer(build_web_app(bot.settings, bot.application))) as client:
        for typed in (cert_id, retirement_id):
            page = await client.get("/registry?q=" + quote(typed))
            assert page.status == 200
            html = await page.text()
            assert retirement_id in html and f"/c/{cert_id}" in html
            found = await client.get("/registry/lookup.json?q=" + quote(typed))
            assert found.status == 200
            assert (await found.json())["retirement"]["id"] == retirement_id
    assert bot.unexpected_errors == 0


async def test_ids_without_a_digit_typed_alone_are_found_and_words_are_not_taken_for_ids(bot, shop, monkeypatch):
    # About 2 % of retirement ids and 1 % of certificate ids have no digit: draw only letters
    # (and, for a certificate, until its check character is one too).
    monkeypatch.setattr(ids.secrets, "choice", lambda alphabet: random.choice(alphabet[10:]))

    def letters_only_certificate_id() -> str:
        made = ids.new_id("C", 12, check=True)
        while any(c.isdigit() for c in made):
            made = ids.new_id("C", 12, check=True)
        return made

    monkeypatch.setattr(certs_service, "new_public_id", letters_only_certificate_id)
    ana = await bot.signed_up_user("Ana")
    paid = await buy_retired_for(ana, shop, "Ana Alves")
    assert paid.is_paid
    cert_id = certificate_path(ana.last_photo_bytes).rsplit("/", 1)[1]
    [order] = await purchases.purchases_of(ana.user_id)
    assert not any(c.isdigit() for c in cert_id + order.retirement_id)
    for typed in (cert_id, order.retirement_id.lower()):
        reply = await ana.send(typed)
        assert reply.text.startswith(f"🔎 Retirement {order.retirement_id}: 500 kg retired for Ana Alves"), typed
    for word in ("Researchers", "Certifications"):  # shaped like ids, in no registry
        assert (await ana.send(word)).text == "I did not understand that. Use the menu below or send /help."
    mistyped = order.retirement_id[:-1] + ("7" if order.retirement_id[-1] != "7" else "8")
    assert (await ana.send(mistyped)).text.startswith(f"Nothing in the registry has the number {mistyped}")
    assert bot.unexpected_errors == 0


async def test_a_failed_certificate_is_retried_and_delivered_and_nothing_is_lost(bot, shop, monkeypatch):
    drawing = {"works": False, "calls": 0}
    real_render = orders.render_certificate_png_async

    async def flaky_render(view, language=None):
        drawing["calls"] += 1
        if not drawing["works"]:
            raise OSError("cannot open resource")  # a font gone missing, say
        return await real_render(view, language)

    monkeypatch.setattr(orders, "render_certificate_png_async", flaky_render)
    bea = await bot.signed_up_user("Bea")
    paid = await buy_retired_for(bea, shop, "Bea Berg")
    assert paid.is_paid
    [order] = await purchases.purchases_of(bea.user_id)
    assert order.retirement_id is not None  # the retirement stands
    assert any("Payment received: 500 ⭐" in text for text in paid.reply.texts)
    told = bea.last_text
    assert f"Your credits are retired for good (retirement {order.retirement_id})" in told
    assert "we will send it here as soon as it is ready" in told and "/history" in told
    assert bea.last_photo_bytes is None

    # The outbox tries again and again; it gives up after its attempts ...
    moment = [datetime.now(UTC)]
    bot.application.bot_data["clock"] = lambda: moment[0]
    for _ in range(12):
        moment[0] += timedelta(minutes=10)
        await drain(bot.application)
    [message] = await OutboxMessage.filter(kind="certificate")
    assert message.state == OutboxState.FAILED
    assert told == bea.last_text  # told once, not once per attempt

    # ... and the payments job queues it again; once drawing works, it arrives.
    drawing["works"] = True
    assert await retry_failed_certificates(moment[0]) == 1
    await drain(bot.application)
    png = bea.last_photo_bytes
    assert png is not None
    assert "Bea Berg" in bea.last_text and order.retirement_id in (await get_certificate(
        certificate_path(png).rsplit("/", 1)[1])).retirement_id
    assert await Purchase.filter(retirement_id=order.retirement_id).count() == 1
    assert (await registry.get_retirement(order.retirement_id)).amount_kg == 500
    assert bot.unexpected_errors == 0


async def test_history_sends_my_certificate_again(bot, shop):
    cem = await bot.signed_up_user("Cem")
    await buy_retired_for(cem, shop, "Cem Çelik")
    first = cem.last_photo_bytes
    photos_before = sum(1 for m in cem.messages if m.photo)
    await cem.send("/history")
    assert "📜 Send my certificate again" in cem.keyboard_labels()
    reply = await cem.press("📜 Send my certificate again")
    assert any("Your certificate for Cem Çelik is on its way." in text for text in reply.texts)
    assert sum(1 for m in cem.messages if m.photo) == photos_before + 1
    assert certificate_path(cem.last_photo_bytes) == certificate_path(first)  # the same certificate
    assert bot.unexpected_errors == 0


async def test_someone_elses_retirement_cannot_be_sent_again(bot, shop):
    dan = await bot.signed_up_user("Dan")
    await buy_retired_for(dan, shop, "Dan")
    [order] = await purchases.purchases_of(dan.user_id)
    eve = await bot.signed_up_user("Eve")
    await eve.send("/history")
    reply = await bot.press_data(eve, f"hist:again:{order.retirement_id}")
    assert eve.last_photo_bytes is None
    assert reply is not None and bot.unexpected_errors == 0


async def test_the_bot_and_the_registry_show_the_same_figure_for_sale(bot, shop):
    ann = await bot.signed_up_user("Ann")
    await buy_retired_for(ann, shop, "Ann", amount_label="1 t")
    listing = await ann.send("/buy")
    assert "9 t available" in listing.text
    async with TestClient(TestServer(build_web_app(bot.settings, bot.application))) as client:
        page = await (await client.get(f"/registry/projects/{shop.project.code}")).text()
    assert "<span>For sale now</span><b>9 t</b>" in page
    assert "<span>In circulation</span><b>9 t</b>" in page  # issued 10 t, 1 t retired
    assert "buffer pool" in page and "the figure the bot's /buy shows" in unescape(page)
