"""`cccp sandbox`: the whole product on one computer, no Telegram needed.

One process, one port (WEB_HOST:WEB_PORT, default 127.0.0.1:8080):

    /sandbox               the chat page (Alice, Bob and Support, who also sees the support group)
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
import logging
import os
import socket
import sys

from aiohttp import web

from cccp.run import serve
from core import db
from core.settings import Settings, load_settings
from sandbox.botapi import TEST_CARD_PROVIDER_TOKEN, BotApiServer, RateLimits
from sandbox.botapi.groups import add_group
from sandbox.page import SandboxPage, staff_ids

log = logging.getLogger(__name__)

# Not a Telegram token: the stand-in accepts it and Telegram never sees it.
SANDBOX_TOKEN = "7000000001:SANDBOX-not-a-telegram-token"
SANDBOX_BOT_NAME = "CCCP"
SANDBOX_BOT_USERNAME = "cccp_sandbox_bot"
SANDBOX_SUPPORT_CHAT_ID = -1007000000001  # the stand-in's support group (a forum)
# Telegram's flood limits stay on (the bot must live with them), loosened so that a
# person clicking quickly never waits: 20 messages a second per chat, 100 overall.
SANDBOX_LIMITS = RateLimits(per_chat_burst=20, per_chat_window_s=1.0, global_burst=100, global_window_s=1.0)
# How long a step on the page waits for the bot before saying "its reply will appear here":
# longer than the tests' 10 s, since a person on a slow machine would rather wait.
SANDBOX_SETTLE_S = 30.0


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
            # The stand-in's test card provider: invoices in CARD_CURRENCY get a card button,
            # and paying one moves no money (a real token is never sent to the stand-in).
            "payment_provider_token": TEST_CARD_PROVIDER_TOKEN,
            "admin_ids": tuple(dict.fromkeys((*base.admin_ids, *staff_ids()))),
            # The stand-in's own support group (a forum): /support works in the sandbox.
            "support_chat_id": SANDBOX_SUPPORT_CHAT_ID,
        }
    )


async def serve_sandbox(
    settings: Settings,
    *,
    seed: bool = True,
    stop: asyncio.Event | None = None,
    started: asyncio.Event | None = None,
) -> None:
    """Run the sandbox until SIGTERM/SIGINT (or `stop` is set); `started` is set once it listens."""
    await db.upgrade(settings.database_url)
    if seed:
        await db.open_db(settings.database_url)
        try:
            await _seed_if_empty(settings)
        finally:
            await db.close_db()
    server = BotApiServer(
        SANDBOX_TOKEN,
        limits=SANDBOX_LIMITS,
        bot_first_name=SANDBOX_BOT_NAME,
        bot_username=SANDBOX_BOT_USERNAME,
        settle_timeout_s=SANDBOX_SETTLE_S,
    )
    add_support_group(server)

    def add_sandbox(web_app: web.Application) -> None:
        # The stand-in answers on the web app's own port: the bot finds "Telegram" at
        # TELEGRAM_API_URL, the page loads photos from the same origin.
        server.mount(web_app, settings.telegram_api_url)
        SandboxPage(server, demo_label=settings.data_dir / "demo-label-photo.jpg").add_routes(web_app)

    is_listening = asyncio.Event()
    announcer = asyncio.create_task(_announce(settings, is_listening, started))
    try:
        await serve(settings, extra_web_routes=add_sandbox, stop_event=stop, started=is_listening)
    finally:
        announcer.cancel()
        await server.stop()
    print("CCCP sandbox: stopped", flush=True)


def add_support_group(server: BotApiServer):
    """The stand-in's support group (a forum), with the sandbox's staff in it: the page shows
    it to Support beside the chat with the bot, and what staff write in a ticket's topic
    reaches the user."""
    group = add_group(server, "CCCP support", is_forum=True, group_id=SANDBOX_SUPPORT_CHAT_ID)
    group.member_ids.update(staff_ids())
    return group


async def _announce(settings: Settings, is_listening: asyncio.Event, started: asyncio.Event | None) -> None:
    await is_listening.wait()
    print(f"CCCP sandbox: open {settings.telegram_api_url}/sandbox in your browser (Ctrl-C stops it)", flush=True)
    print(f"  database {db.describe(settings.database_url)}; nothing is sent to Telegram", flush=True)
    if started is not None:
        started.set()


async def _seed_if_empty(settings: Settings) -> None:
    from cccp.seed_demo import is_seeded, seed_demo

    if not await is_seeded():
        from core.certs.signing import load_or_create_key

        key = load_or_create_key(settings.cert_signing_key, settings.data_dir / "cert_signing_key")
        from core.codes.secret import codes_secret

        report = await seed_demo(signing_key=key, public_base_url=settings.public_base_url,
                                 codes_secret=codes_secret(settings), labels_dir=settings.data_dir)
        print(f"CCCP sandbox: added demo data ({report})", flush=True)


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host or "127.0.0.1", 0))
        return probe.getsockname()[1]
