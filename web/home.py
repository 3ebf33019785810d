"""The front door: `/` (what CCCP is and where to go), `/favicon.ico` and `/robots.txt`.

    GET /             a small landing page: what CCCP is, the bot's link, the registry, the public key
    GET /favicon.ico  the CCCP symbol, 16, 32 and 48 px (drawn once at start)
    GET /robots.txt   crawlers may read the registry and the landing page; certificate pages
                      carry noindex (yet stay fetchable, for link previews); the webhook,
                      metrics and sandbox are off limits
"""

from __future__ import annotations

import io
from html import escape

from aiohttp import web
from telegram.ext import Application

from core.certs.render import CCCP_NAME, symbol
from core.certs.signing import PUBLIC_KEY_PATH

BOT = web.AppKey("home_bot", object)  # the telegram Application, or None
SANDBOX_PATH = web.AppKey("home_sandbox_path", str)  # "/sandbox" when the chat page is here
FAVICON = web.AppKey("favicon", bytes)
ROBOTS = """User-agent: *
Allow: /
Disallow: /telegram/
Disallow: /metrics
Disallow: /sandbox
Disallow: /bot
Disallow: /file/
"""


def favicon_bytes() -> bytes:
    buffer = io.BytesIO()
    symbol(96).save(buffer, format="ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    return buffer.getvalue()


def add_routes(app: web.Application, application: Application | None) -> None:
    app[BOT] = application
    app[FAVICON] = favicon_bytes()
    app.router.add_get("/", landing_page)
    app.router.add_get("/favicon.ico", favicon)
    app.router.add_get("/robots.txt", robots)


def bot_link(request: web.Request) -> tuple[str, str] | None:
    """(href, text) of the bot: the sandbox chat page when it is served here, else t.me/<bot>."""
    if any(getattr(r.resource, "canonical", "") == "/sandbox" for r in request.app.router.routes()):
        return "/sandbox", "Open the sandbox chat (no Telegram needed)"
    application = request.config_dict.get(BOT)
    try:
        username = application.bot.username if application is not None else None
    except RuntimeError:  # not initialised yet
        username = None
    return (f"https://t.me/{username}", f"Open @{username} in Telegram") if username else None


async def landing_page(request: web.Request) -> web.Response:
    from web.certs import _html
    from web.i18n import PageText

    link = bot_link(request)
    bot = (f'<a class="primary" href="{escape(link[0])}">{escape(link[1])}</a>' if link else "")
    body = f"""<article class="card">
<h1>Carbon credits you can check</h1>
<p>CCCP, the {escape(CCCP_NAME)}, marks products and services that carry carbon credits.
In the Telegram bot you work out the footprint of a purchase or a trip, offset it with
verified credits (1 credit = 1 tonne CO₂e) and get a signed certificate.</p>
<p>Every credit has a serial number in the public registry; every certificate has a page
that checks its Ed25519 signature against our public key.</p>
<nav class="actions" aria-label="Where to go">{bot}
<a href="/registry">The public registry</a>
<a href="{PUBLIC_KEY_PATH}" download="cccp-cert.pub">Public key (PEM)</a></nav>
</article>"""
    return _html(body, title=f"CCCP – {CCCP_NAME}", description=(
        "CCCP: carbon credits with serial numbers in a public registry and signed certificates."),
        index=True, t=PageText("en"), request=request)  # the landing page is not translated yet


async def favicon(request: web.Request) -> web.Response:
    return web.Response(body=request.app[FAVICON], content_type="image/x-icon",
                        headers={"Cache-Control": "public, max-age=86400"})


async def robots(request: web.Request) -> web.Response:
    return web.Response(text=ROBOTS, content_type="text/plain", headers={"Cache-Control": "public, max-age=86400"})
