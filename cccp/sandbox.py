"""`cccp sandbox`: the whole product on one computer, no Telegram needed.

One process, one port (WEB_HOST:WEB_PORT, default 127.0.0.1:8080):

    /sandbox               the chat page (Alice, Bob and Support)
    /bot<token>/<method>   the Bot API stand-in the real bot polls, as it would Telegram
    /file/bot<token>/...   its file downloads (certificate images, label sheets)
    /c/<id>, /keys/...     the web app: certificate pages the QR codes open

The bot is the real one (`build_application`) with a builder pointed at the stand-in;
nothing here talks to Telegram. The sandbox keeps its own database
(`data/sandbox.sqlite3`, or --database / SANDBOX_DATABASE_URL), upgraded by the
migrations at start and filled with demo data when empty, so demo credits never
reach a real bot's database. Certificate links point at the sandbox itself unless
PUBLIC_BASE_URL is set. SIGTERM or Ctrl-C stops it cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web
from telegram.ext import Application

from core import db
from core.settings import Settings, load_settings
from sandbox.botapi import BotApiServer, RateLimits
from sandbox.page import SandboxPage, staff_ids
from sandbox.site import start_site

log = logging.getLogger(__name__)

# Not a Telegram token: the stand-in accepts it and Telegram never sees it.
SANDBOX_TOKEN = "7000000001:SANDBOX-not-a-telegram-token"
SANDBOX_BOT_NAME = "CCCP"
SANDBOX_BOT_USERNAME = "cccp_sandbox_bot"
# Telegram's flood limits stay on (the bot must live with them), loosened so that a
# person clicking quickly never waits: 20 messages a second per chat, 100 overall.
SANDBOX_LIMITS = RateLimits(per_chat_burst=20, per_chat_window_s=1.0, global_burst=100, global_window_s=1.0)
# Long polls the bot holds open on the stand-in; short, so that stopping is quick.
POLL_TIMEOUT_S = 5


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="try the bot in a browser, without Telegram (what `make run` starts with no BOT_TOKEN)",
        description=__doc__.split("\n\n", 1)[0],
    )
    parser.add_argument("--host", help="address to listen on (default WEB_HOST, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default WEB_PORT, 8080; 0 picks a free one)")
    parser.add_argument(
        "--database",
        help="database URL (default SANDBOX_DATABASE_URL, else sqlite://data/sandbox.sqlite3)",
    )
    parser.add_argument("--no-seed", action="store_true", help="do not add demo data to an empty database")
    parser.set_defaults(func=run_sandbox)


def run_sandbox(args: argparse.Namespace) -> int:
    base = load_settings()
    host = args.host or base.web_host
    port = _free_port(host) if args.port == 0 else (args.port or base.web_port)
    settings = sandbox_settings(base, host=host, port=port, database_url=args.database)
    try:
        asyncio.run(serve_sandbox(settings, seed=not args.no_seed))
    except OSError as exc:
        print(f"cccp sandbox: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


def sandbox_settings(
    base: Settings, *, host: str, port: int, database_url: str | None = None
) -> Settings:
    """The settings the sandbox runs with: its own token, Bot API, database and admins."""
    shown_host = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    own_url = f"http://{shown_host}:{port}"
    database_url = (
        database_url
        or os.environ.get("SANDBOX_DATABASE_URL")
        or f"sqlite://{base.data_dir / 'sandbox.sqlite3'}"
    )
    public_base_url = base.public_base_url if "public_base_url" in base.model_fields_set else own_url
    return load_settings(
        **{
            **base.model_dump(),
            "bot_token": SANDBOX_TOKEN,
            "telegram_api_url": own_url,
            "web_host": host,
            "web_port": port,
            "database_url": database_url,
            "public_base_url": public_base_url,
            "webhook_url": "",
            "payment_provider_token": "",
            "admin_ids": tuple(dict.fromkeys((*base.admin_ids, *staff_ids()))),
        }
    )


@dataclass
class RunningSandbox:
    url: str
    settings: Settings
    server: BotApiServer
    page: SandboxPage
    application: Application


async def serve_sandbox(settings: Settings, *, seed: bool = True, stop: asyncio.Event | None = None) -> None:
    """Run the sandbox until SIGTERM/SIGINT (or `stop` is set)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    async with sandbox_running(settings, seed=seed) as running:
        print(f"CCCP sandbox: open {running.url}/sandbox in your browser (Ctrl-C stops it)", flush=True)
        print(f"  database {db.describe(settings.database_url)}; nothing is sent to Telegram", flush=True)
        await stop.wait()
        print("CCCP sandbox: stopping", flush=True)


@contextlib.asynccontextmanager
async def sandbox_running(settings: Settings, *, seed: bool = True) -> AsyncIterator[RunningSandbox]:
    """Database, Bot API stand-in, real bot, web app and page, all started; stopped on exit."""
    await db.upgrade(settings.database_url)
    await db.open_db(settings.database_url)
    try:
        if seed:
            await _seed_if_empty(settings)
        server = BotApiServer(
            SANDBOX_TOKEN,
            limits=SANDBOX_LIMITS,
            bot_first_name=SANDBOX_BOT_NAME,
            bot_username=SANDBOX_BOT_USERNAME,
            settle_timeout_s=30.0,
        )
        application = _build_bot(settings)
        web_app = _build_web_app(settings, application)
        server.mount(web_app, settings.telegram_api_url)
        page = SandboxPage(server)
        page.add_routes(web_app)
        runner, url = await start_site(web_app, settings.web_host, settings.web_port)
        try:
            async with _bot_polling(application, server):
                yield RunningSandbox(url, settings, server, page, application)
        finally:
            await runner.cleanup()
    finally:
        await db.close_db()


def _build_bot(settings: Settings) -> Application:
    from bot.app import build_application

    builder = (
        Application.builder()
        .token(SANDBOX_TOKEN)
        .base_url(f"{settings.telegram_api_url}/bot")
        .base_file_url(f"{settings.telegram_api_url}/file/bot")
        .get_updates_read_timeout(POLL_TIMEOUT_S + 10)
    )
    return build_application(settings, builder=builder)


def _build_web_app(settings: Settings, application: Application) -> web.Application:
    try:
        from web.app import build_web_app
    except ImportError:  # TODO(#5): drop once web/app.py is on main
        from core.certs import signing
        from web import certs

        app = web.Application(client_max_size=40 * 1024 * 1024)
        app["cert_key"] = signing.load_or_create_key(
            settings.cert_signing_key, settings.data_dir / "cert_signing_key"
        )
        app["public_base_url"] = settings.public_base_url
        certs.add_routes(app)
        return app
    return build_web_app(settings, application)


@contextlib.asynccontextmanager
async def _bot_polling(application: Application, server: BotApiServer) -> AsyncIterator[None]:
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)  # e.g. setMyCommands, as run_polling does
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=POLL_TIMEOUT_S)
        server.attach_application(application)
        try:
            yield
        finally:
            await server.stop()
            await application.updater.stop()
            await application.stop()
    finally:
        await application.shutdown()


async def _seed_if_empty(settings: Settings) -> None:
    try:
        from cccp.seed_demo import is_seeded, seed_demo
    except ImportError:
        return
    if not await is_seeded():
        report = await seed_demo(settings)
        print(f"CCCP sandbox: added demo data ({report})", flush=True)


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host or "127.0.0.1", 0))
        return probe.getsockname()[1]
