"""The aiohttp application: health, certificate pages and the Telegram webhook.

    GET  /, /favicon.ico, /robots.txt   the landing page and what browsers ask for (web/home.py)
    GET  /healthz            200 {"status": "ok", "db": "ok"} (503 when the database fails)
    GET  /c/<id>...          certificate verify pages (web/certs.py)
    GET  /registry...        the public registry: projects, look-up of serials and
                             retirement ids (web/registry.py)
    GET  /metrics            Prometheus text, for METRICS_TOKEN bearers or, with no
                             token, local clients only (web/metrics.py)
    POST /telegram/webhook   updates from Telegram when WEBHOOK_URL is set; the
                             X-Telegram-Bot-Api-Secret-Token header must match
                             WEBHOOK_SECRET (401 otherwise); a body over 512 KiB
                             answers 413, one that is no update (nested more than
                             64 deep included) 400

Every response carries the security headers of web/headers.py.

An update from the webhook is written to the durable inbox (core/inbox) before
200 is answered; the InboxRunner hands it to the bot (bot/inbox.py), as it does
with long polling. Telegram redelivers anything not answered with 200.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from collections.abc import Callable

from aiohttp import web
from telegram import Update
from telegram.ext import Application
from tortoise import Tortoise

from core import inbox
from core.certs import signing
from core.settings import Settings
from web import certs, codes, home, metrics, registry
from web.headers import add_security_headers

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SETTINGS = web.AppKey("settings", Settings)
APPLICATION = web.AppKey("application", Application)
ON_UPDATE = web.AppKey("on_update", Callable[[], None])
# A message of 4,096 characters with an entity on every other one, replying to
# another such message, is about 200 KB of JSON; Telegram sends nothing bigger.
MAX_UPDATE_BYTES = 512 * 1024
# Telegram's objects nest about a dozen deep (update > message > reply_markup >
# rows > button > ...). json.loads recurses once per level and raises
# RecursionError near 1,000, which used to escape as a 500.
MAX_UPDATE_DEPTH = 64
JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
NOT_A_BRACKET = bytes(range(256)).translate(None, b"[]{}")


async def healthz(request: web.Request) -> web.Response:
    """Liveness with a database round trip."""
    try:
        await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        log.warning("health check: database failed: %s", exc)
        return web.json_response({"status": "error", "db": "error"}, status=503)
    return web.json_response({"status": "ok", "db": "ok"})


@web.middleware
async def limit_webhook_body(request: web.Request, handler) -> web.StreamResponse:
    """Read at most MAX_UPDATE_BYTES of a webhook body: 413 once the body passes it.

    aiohttp's limit is per application (the sandbox's Bot API takes uploads of
    megabytes on the same app), so the webhook gets its own, chunked bodies included.
    """
    if request.path != WEBHOOK_PATH:
        return await handler(request)
    try:
        return await handler(request.clone(client_max_size=MAX_UPDATE_BYTES))
    except web.HTTPRequestEntityTooLarge:
        return web.json_response({"error": "too large"}, status=413)


def _is_nested_deeper(body: bytes, limit: int) -> bool:
    """Whether the JSON in `body` nests arrays and objects more than `limit` deep.

    Counted on the bytes, before parsing: strings are cut out first, so a bracket
    inside one does not count (in UTF-8 no byte of a multi-byte character is ASCII).
    """
    depth = 0
    for byte in JSON_STRING.sub(b"", body).translate(None, NOT_A_BRACKET):
        if byte in b"[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _parse_update(body: bytes, application: Application) -> Update | None:
    """The update in a webhook body, or None for anything Telegram would never send.

    PTB's de_json trusts its input (`[]` raises AttributeError, `{"update_id": "x"}`
    is accepted), so the shape is checked here: at most MAX_UPDATE_BYTES of JSON,
    nested at most MAX_UPDATE_DEPTH deep, an object with an integer update_id
    whose parts de_json can read.
    """
    if len(body) > MAX_UPDATE_BYTES or _is_nested_deeper(body, MAX_UPDATE_DEPTH):
        return None
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # bad JSON or bad UTF-8; too deep if the limit grew past Python's
        return None
    if not isinstance(data, dict):
        return None
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return None
    try:
        return Update.de_json(data, application.bot)
    except Exception as exc:  # noqa: BLE001 - whatever a malformed part raises, it is a bad request
        log.warning("webhook: unreadable update %s: %r", update_id, exc)
        return None


async def telegram_webhook(request: web.Request) -> web.Response:
    """An update from Telegram: check the secret, queue it for the bot."""
    expected = request.app[SETTINGS].webhook_secret
    given = request.headers.get(SECRET_HEADER, "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        return web.json_response({"error": "unauthorized"}, status=401)
    application = request.app[APPLICATION]
    update = _parse_update(await request.read(), application)
    if update is None:
        return web.json_response({"error": "bad request"}, status=400)
    chat = update.effective_chat or update.effective_user
    await inbox.store([(update.update_id, chat.id if chat else None, update.to_dict())])
    if (on_update := request.app.get(ON_UPDATE)) is not None:
        on_update()
    return web.json_response({"ok": True})


def build_web_app(
    settings: Settings, application: Application | None = None, *, on_update: Callable[[], None] | None = None
) -> web.Application:
    """Health, certificate pages and (with an application and WEBHOOK_URL) the webhook.

    `on_update` is called after the webhook wrote an update to the inbox (the
    InboxRunner's `notify`, so it handles the update at once)."""
    app = web.Application(middlewares=[limit_webhook_body])
    if on_update is not None:
        app[ON_UPDATE] = on_update
    app[SETTINGS] = settings
    add_security_headers(
        app,
        inline_styles=(certs.CSS, registry.CSS),
        is_https=settings.public_base_url.startswith("https://"),
    )
    app[certs.CERT_KEY] = signing.load_or_create_key(
        settings.cert_signing_key, settings.data_dir / "cert_signing_key"
    )
    app[certs.PUBLIC_BASE_URL] = settings.public_base_url
    app.router.add_get("/healthz", healthz)
    home.add_routes(app, application)
    certs.add_routes(app)
    registry.add_routes(app)
    codes.add_routes(app, settings)
    metrics.add_routes(app, token=settings.metrics_token)
    if application is not None and settings.webhook_url:
        app[APPLICATION] = application
        app.router.add_post(WEBHOOK_PATH, telegram_webhook)
    return app
