"""Flow tests: the real bot (`build_application`) against the local Bot API stand-in.

    async def test_something(bot):
        alice = await bot.signed_up_user("Alice", language="de")
        reply = await alice.send("/balance")
        assert "Verfügbar" in reply.text

`bot` starts a BotApiServer on a ManualClock, opens the `db` fixture's database,
builds the REAL application with a builder pointed at the stand-in, polls, and
stops cleanly. `bot.user(...)` is a fresh person (never signed up);
`bot.signed_up_user(...)` one who signed up (through core, quick; `via_chat=True`
walks the sign-up in the chat). `bot.restart()` stops the application and builds
a new one on the same database and server (conversation state must survive).
`bot.unexpected_errors` counts what reached the error handler as a bug.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest_asyncio
from PIL import Image
from telegram.ext import Application

from bot.app import ALL_FEATURES, build_application
from bot.feature import Feature
from bot.inbox import InboxRunner
from core import users
from core.settings import Settings, load_settings
from sandbox.botapi import BotApiServer, ChatUser, ManualClock, Reply
from sandbox.botapi.state import Payment

TOKEN = "123456:FLOW-TEST"
SIGNED_UP_AT = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


class FlowBot:
    """The running bot, its stand-in server and helpers to make people."""

    def __init__(self, server: BotApiServer, clock: ManualClock, settings: Settings,
                 features: Sequence[Feature] = ALL_FEATURES) -> None:
        self.server = server
        self.features = features
        self.clock = clock
        self.settings = settings
        self.application: Application | None = None
        self.inbox: InboxRunner | None = None
        self.errors_before_restart = 0

    def builder(self):
        return (
            Application.builder()
            .token(TOKEN)
            .base_url(self.server.base_url)
            .base_file_url(self.server.base_file_url)
        )

    async def start(self) -> None:
        self.application = build_application(self.settings, builder=self.builder(), features=self.features)
        await self.application.initialize()
        await self.application.post_init(self.application)  # run_polling would call it
        await self.application.start()
        self.inbox = InboxRunner(self.application, poll=True, poll_timeout_s=10)
        await self.inbox.start()
        self.server.idle_probe = self.inbox.wait_idle

    async def stop(self) -> None:
        if self.application is None:
            return
        self.errors_before_restart += self.application.bot_data.get("unexpected_errors", 0)
        await self.inbox.stop()
        await self.application.stop()
        await self.application.shutdown()
        self.application = None

    async def restart(self) -> None:
        """Stop the bot and start a new one, as a deploy or a crash-and-restart would."""
        await self.stop()
        await self.start()

    @property
    def unexpected_errors(self) -> int:
        now = self.application.bot_data.get("unexpected_errors", 0) if self.application else 0
        return self.errors_before_restart + now

    def user(self, first_name: str, *, language_code: str | None = "en", **kwargs) -> ChatUser:
        """A person who has never talked to the bot."""
        return self.server.user(first_name, language_code=language_code, **kwargs)

    async def signed_up_user(
        self,
        first_name: str,
        *,
        language: str = "en",
        roles: Iterable[str] = ("consumer",),
        via_chat: bool = False,
        **kwargs,
    ) -> ChatUser:
        """A person who signed up (in `language`, with `roles`)."""
        person = self.user(first_name, language_code=language, **kwargs)
        if via_chat:
            await person.send("/start")
            await person.send(language)
            await person.send("yes")
            await person.send(", ".join(roles))
        else:
            await users.sign_up(person.user_id, first_name, language, list(roles), now=SIGNED_UP_AT)
        return person


    async def press_data(self, person: ChatUser, data: str) -> Reply:
        """Press a button with any callback data on the person's last bot message, as an
        old or forged button would (the driver only presses buttons it can see)."""
        message = person.last
        query = self.server.new_callback_query(person.user, message, data)
        body = {
            "callback_query": {
                "id": query.id, "from": person.user.to_api(), "message": message.to_api(),
                "chat_instance": "1", "data": data,
            }
        }
        return await person._step(body, None)  # noqa: SLF001

    async def pay_after_the_hold_expired(self, person: ChatUser) -> tuple[Payment, Reply]:
        """Pay the person's newest invoice in two steps with time between them: the
        pre-checkout is accepted, then the payment arrives after the hold ran out."""
        moment = [datetime.now(UTC)]
        self.application.bot_data["clock"] = lambda: moment[0]
        invoice_message = next(m for m in reversed(person.messages) if m.invoice)
        invoice = self.server.invoices[(person.chat_id, invoice_message.message_id)]
        query = self.server.new_pre_checkout(person.user, invoice)
        await person._step({"pre_checkout_query": {  # noqa: SLF001 - pay in two steps, time between
            "id": query.id, "from": person.user.to_api(), "currency": invoice.currency,
            "total_amount": invoice.total_amount, "invoice_payload": invoice.payload}}, None)
        assert query.answer["ok"]
        moment[0] += timedelta(seconds=self.settings.hold_ttl_s + 1)
        payment = self.server.record_payment(person.user, invoice)
        return payment, await self.deliver_payment(person, payment)

    async def deliver_payment(self, person: ChatUser, payment: Payment) -> Reply:
        """Telegram's successful_payment for `payment` (again, when Telegram redelivers it)."""
        return await person._send_message(update_id=None, think=False, successful_payment={  # noqa: SLF001
            "currency": payment.currency, "total_amount": payment.total_amount,
            "invoice_payload": payment.invoice_payload,
            "telegram_payment_charge_id": payment.telegram_payment_charge_id,
            "provider_payment_charge_id": payment.provider_payment_charge_id})


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 128, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest_asyncio.fixture
async def bot(db, tmp_path: Path):
    clock = ManualClock()
    server = BotApiServer(TOKEN, clock=clock)
    await server.start()
    settings = load_settings(
        bot_token=TOKEN,
        database_url=db,
        data_dir=tmp_path,
        telegram_api_url=server.url,
        default_language="en",
        webhook_url="",
    )
    flow = FlowBot(server, clock, settings)
    await flow.start()
    try:
        yield flow
    finally:
        await flow.stop()
        await server.stop()
