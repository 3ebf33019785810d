"""A real python-telegram-bot Application runs against the stand-in, driven as people."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import aiohttp
import pytest
from aiohttp import web
from telegram import LabeledPrice, Update
from telegram.error import BadRequest, RetryAfter
from telegram.ext import (
    Application,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    PreCheckoutQueryHandler,
    filters,
)

from sandbox.botapi import BotApiServer, RateLimits

from .conftest import TOKEN, build_application, png_bytes


async def test_an_echo_bot_answers_each_person(server, echo_bot):
    alice, bob = server.user("Alice", language_code="de"), server.user("Bob")
    reply = await alice.send("hello")
    assert reply.text == "hello"
    assert (await bob.send("hi bob")).texts == ["hi bob"]
    assert alice.last_text == "hello" and bob.last_text == "hi bob"


async def test_a_redelivered_update_reaches_the_bot_twice(server, echo_bot):
    alice = server.user("Alice")
    await alice.send("once", update_id=41)
    await alice.send("once", update_id=41)
    assert [m.text for m in alice.messages] == ["once", "once"]
    assert (await alice.send("next")).text == "next"


async def test_pressing_a_button_gets_the_callback_answer(server, echo_bot, api):
    alice = server.user("Alice")
    await alice.send("start")
    markup = {"inline_keyboard": [[{"text": "Accept", "callback_data": "offer:acc:7"}]]}
    await api.ok("sendMessage", chat_id=alice.chat_id, text="Offer", reply_markup=markup)
    assert alice.keyboard_labels() == ["Accept"]
    reply = await alice.press("Accept")
    assert reply.callback_answer["text"] == "pressed offer:acc:7"
    assert (await alice.press("offer:acc:7")).callback_answer is not None


async def test_ptb_raises_bad_request_for_a_5000_character_message(server, echo_bot):
    alice = server.user("Alice")
    await alice.send("hi")
    with pytest.raises(BadRequest, match="Message is too long"):
        await echo_bot.bot.send_message(alice.chat_id, "x" * 5000)


async def test_ptb_gets_retry_after_over_the_per_chat_limit(server, echo_bot, clock):
    alice = server.user("Alice")
    await alice.send("hi")
    clock.advance(1)
    for _ in range(3):
        await echo_bot.bot.send_message(alice.chat_id, "burst")
    with pytest.raises(RetryAfter) as raised:
        await echo_bot.bot.send_message(alice.chat_id, "too many")
    assert raised.value.retry_after == timedelta(seconds=1)  # PTB_TIMEDELTA (bot/__init__.py)
    clock.advance(1)
    await echo_bot.bot.send_message(alice.chat_id, "fine again")


async def test_a_photo_from_a_person_can_be_downloaded_by_the_bot(server, echo_bot):
    alice = server.user("Alice")
    image = png_bytes(8, 8)
    received: list[bytes] = []

    async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Download the photo and send it back."""
        file = await update.message.photo[-1].get_file()
        received.append(bytes(await file.download_as_bytearray()))
        await update.message.reply_photo(update.message.photo[-1].file_id, caption="got it")

    echo_bot.add_handler(MessageHandler(filters.PHOTO, on_photo))
    reply = await alice.send_photo(image, caption="my code")
    assert received == [image]
    assert reply.text == "got it" and alice.last_photo_bytes == image


async def test_commands_set_through_ptb_are_stored_per_language(server, echo_bot):
    from telegram import BotCommand

    await echo_bot.bot.set_my_commands([BotCommand("start", "Start")])
    await echo_bot.bot.set_my_commands([BotCommand("start", "Los")], language_code="de")
    assert server.commands_for("de")[0]["description"] == "Los"
    assert (await echo_bot.bot.get_my_commands())[0].description == "Start"


async def test_a_deep_link_carries_its_payload(server):
    application = build_application(server)
    seen: list[list[str]] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Record the deep-link payload."""
        seen.append(context.args)
        await update.message.reply_text("welcome")

    application.add_handler(CommandHandler("start", start))
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0)
        server.attach_application(application)
        alice = server.user("Alice")
        assert (await alice.send("/start CODE123")).text == "welcome"
        await application.updater.stop()
        await application.stop()
    assert seen == [["CODE123"]]


async def stars_bot(server: BotApiServer, *, accept: bool = True) -> Application:
    application = build_application(server)

    async def buy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Send a Stars invoice."""
        await update.message.reply_invoice(
            "Credits", "1 t CO2e", "buy:1", "XTR", [LabeledPrice("1 t", 50)], provider_token=""
        )

    async def pre_checkout(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Accept or refuse the payment."""
        await update.pre_checkout_query.answer(ok=accept, error_message=None if accept else "Sold out")

    async def paid(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Thank the buyer, then refund for the test."""
        payment = update.message.successful_payment
        await update.message.reply_text(f"paid {payment.total_amount} {payment.currency}")
        await context.bot.refund_star_payment(update.effective_user.id, payment.telegram_payment_charge_id)

    application.add_handler(CommandHandler("buy", buy))
    application.add_handler(PreCheckoutQueryHandler(pre_checkout))
    application.add_handler(MessageHandler(filters.SUCCESSFUL_PAYMENT, paid))
    return application


async def test_an_invoice_is_paid_and_refunded(server):
    application = await stars_bot(server)
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0)
        server.attach_application(application)
        alice = server.user("Alice")
        reply = await alice.send("/buy")
        assert reply.last.invoice["currency"] == "XTR"
        outcome = await alice.pay()
        assert outcome.is_paid and outcome.reply.text == "paid 50 XTR"
        assert server.payments[outcome.telegram_payment_charge_id].is_refunded
        with pytest.raises(BadRequest, match="Charge_already_refunded|CHARGE_ALREADY_REFUNDED"):
            await application.bot.refund_star_payment(alice.user_id, outcome.telegram_payment_charge_id)
        await application.updater.stop()
        await application.stop()


async def test_a_refused_pre_checkout_returns_the_error_message(server):
    application = await stars_bot(server, accept=False)
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0)
        server.attach_application(application)
        alice = server.user("Alice")
        await alice.send("/buy")
        outcome = await alice.pay()
        assert not outcome.is_paid and outcome.error_message == "Sold out"
        assert server.payments == {}
        await application.updater.stop()
        await application.stop()


async def test_webhook_mode_posts_updates_with_the_secret_header(server):
    application = Application.builder().token(TOKEN).base_url(server.base_url).updater(None).build()
    secrets_seen: list[str | None] = []

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Echo the text back."""
        await update.message.reply_text(update.message.text)

    async def webhook(request: web.Request) -> web.Response:
        secrets_seen.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        await application.update_queue.put(Update.de_json(await request.json(), application.bot))
        return web.Response()

    application.add_handler(MessageHandler(filters.TEXT, echo))
    hook_app = web.Application()
    hook_app.router.add_post("/hook", webhook)
    runner = web.AppRunner(hook_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    async with application:
        await application.start()
        await application.bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        server.attach_application(application)
        alice = server.user("Alice")
        assert (await alice.send("via webhook")).text == "via webhook"
        info = await application.bot.get_webhook_info()
        assert info.url.endswith("/hook") and info.pending_update_count == 0
        await application.stop()
    await runner.cleanup()
    assert secrets_seen == ["s3cret"]


async def test_many_people_at_once_all_get_answers(server, echo_bot):
    server.flood.limits = RateLimits(per_chat_burst=3, global_burst=1000)
    people = [server.user(f"P{i}") for i in range(20)]
    replies = await asyncio.gather(*(p.send(f"hi {i}") for i, p in enumerate(people)))
    assert [r.text for r in replies] == [f"hi {i}" for i in range(20)]


async def test_wait_for_sees_a_later_notification(server, echo_bot):
    alice = server.user("Alice")
    await alice.send("hi")

    async def notify_later() -> None:
        await asyncio.sleep(0)
        await echo_bot.bot.send_message(alice.chat_id, "offer filled")

    task = asyncio.ensure_future(notify_later())
    message = await alice.wait_for(lambda m: m.text == "offer filled", timeout=5)
    await task
    assert message.text == "offer filled"


async def test_an_update_nobody_fetches_times_out_clearly(server):
    from sandbox.botapi import SettleTimeout

    server.settle_timeout_s = 0.2
    alice = server.user("Alice")
    with pytest.raises(SettleTimeout, match="was not fetched"):
        await alice.send("anyone?")


async def test_file_download_of_an_unknown_path_is_404(server):
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{server.base_file_url}{TOKEN}/photos/nope.jpg") as response:
            assert response.status == 404
