"""`cccp run`: the bot and the web app in one process.

Long polling by default; with WEBHOOK_URL set (the full public URL Telegram
posts to, ending in /telegram/webhook) the bot is fed by our aiohttp app and
`setWebhook` is called with WEBHOOK_SECRET. Either way every update goes
through the durable inbox (bot/inbox.py) before it is acknowledged. The database is opened here, in the
task that then runs the bot and the web app (Tortoise keeps its connections in
a ContextVar), and closed after both stop. SIGTERM or SIGINT stops it cleanly.

`serve` is reused by `cccp sandbox` with a builder pointed at the stand-in and
extra web routes (the chat page).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from collections.abc import Callable

from aiohttp import web
from telegram import Update
from telegram.ext import ApplicationBuilder

from bot.app import build_application, default_builder
from bot.inbox import InboxRunner
from core import db
from core.certs import render
from core.certs.signing import SigningKeyError, load_or_create_key
from core.settings import Settings, SettingsError, load_settings
from web.app import build_web_app

log = logging.getLogger("cccp.run")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser("run", help="run the bot and the web app (long polling or webhook)")
    run.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    settings = load_settings()
    if not settings.bot_token:
        raise SettingsError("invalid configuration:\n  BOT_TOKEN: required for `cccp run` (try `cccp sandbox`)")
    if settings.webhook_url and not settings.webhook_secret:
        raise SettingsError("invalid configuration:\n  WEBHOOK_SECRET: required when WEBHOOK_URL is set")
    try:
        asyncio.run(serve(settings))
    except db.SchemaNotReady as exc:
        raise db.SchemaNotReady(f"{exc} before `cccp run` (`make run` does that for you)") from None
    return 0


def _stop_on_signals(stop_event: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop_event.set)
        except (NotImplementedError, RuntimeError):  # not the main thread, or no signals here
            pass


async def warm_certificates(application, settings: Settings) -> None:
    """Load the signing key and warm fonts, QR encoder and page backgrounds now, so the first
    certificate after a payment costs what the others do (and a bad key file stops the start)."""
    try:
        key = load_or_create_key(settings.cert_signing_key, settings.data_dir / "cert_signing_key")
    except SigningKeyError as error:
        raise SettingsError(f"invalid configuration:\n  CERT_SIGNING_KEY: {error}") from None
    application.bot_data["cert_signing_key"] = key
    await asyncio.to_thread(render.warm)


async def serve(
    settings: Settings,
    builder: ApplicationBuilder | None = None,
    extra_web_routes: Callable[[web.Application], None] | None = None,
    stop_event: asyncio.Event | None = None,
    *,
    started: asyncio.Event | None = None,
) -> None:
    """Open the database, run bot and web app until `stop_event` (or a signal), stop cleanly."""
    stop_event = stop_event or asyncio.Event()
    _stop_on_signals(stop_event)
    is_webhook = bool(settings.webhook_url)
    await db.open_migrated_db(settings.database_url)
    runner: web.AppRunner | None = None
    application = None
    inbox: InboxRunner | None = None
    try:
        application = build_application(settings, builder or default_builder(settings))
        await warm_certificates(application, settings)
        inbox = InboxRunner(application, poll=not is_webhook, lease_ttl_s=settings.inbox_lease_s)
        web_app = build_web_app(settings, application, on_update=inbox.notify)
        if extra_web_routes is not None:
            extra_web_routes(web_app)
        runner = web.AppRunner(web_app, shutdown_timeout=2.0)
        await runner.setup()
        await web.TCPSite(runner, settings.web_host, settings.web_port).start()
        log.info("web app on http://%s:%s", settings.web_host, settings.web_port)
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        if is_webhook:
            await application.bot.set_webhook(
                settings.webhook_url, secret_token=settings.webhook_secret, allowed_updates=Update.ALL_TYPES
            )
            log.info("bot on webhook %s", settings.webhook_url)
        else:
            await application.bot.delete_webhook()
            log.info("bot polling %s", settings.telegram_api_url)
        await inbox.start()
        if started is not None:
            started.set()
        await stop_event.wait()
        log.info("stopping")
    finally:
        if inbox is not None:
            await inbox.stop()
        if application is not None:
            if application.running:
                await application.stop()
            await application.shutdown()
        if runner is not None:
            await runner.cleanup()
        await db.close_db()
