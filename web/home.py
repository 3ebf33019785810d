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
from web.i18n import N_, PageText

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


OPEN_SANDBOX = N_("Open the sandbox chat (no Telegram needed)")
OPEN_BOT = N_("Open @{username} in Telegram")
HEAD = N_("Carbon credits you can check")
WHAT = N_("CCCP, the {name}, marks products and services that carry carbon credits. In the "
          "Telegram bot you work out the footprint of a purchase or a trip, offset it with "
          "verified credits (1 credit = 1 tonne CO₂e) and get a signed certificate.")
CHECK = N_("Every credit has a serial number in the public registry; every certificate has a "
           "page that checks its Ed25519 signature against our public key.")
WHERE_TO_GO = N_("Where to go")
A_REGISTRY, A_KEY = N_("The public registry"), N_("Public key (PEM)")
DESCRIPTION = N_("CCCP: carbon credits with serial numbers in a public registry and signed "
                 "certificates.")


def bot_link(request: web.Request, t: PageText) -> tuple[str, str] | None:
    """(href, text) of the bot: the sandbox chat page when it is served here, else t.me/<bot>."""
    if any(getattr(r.resource, "canonical", "") == "/sandbox" for r in request.app.router.routes()):
        return "/sandbox", t(OPEN_SANDBOX)
    application = request.config_dict.get(BOT)
    try:
        username = application.bot.username if application is not None else None
    except RuntimeError:  # not initialised yet
        username = None
    return (f"https://t.me/{username}", t(OPEN_BOT, username=username)) if username else None


async def landing_page(request: web.Request) -> web.Response:
    """/: what CCCP is and where to go, in the visitor's language (?lang=, else Accept-Language)."""
    from web.certs import _html

    t = PageText.of(request)
    link = bot_link(request, t)
    bot = (f'<a class="primary" href="{escape(link[0])}">{escape(link[1])}</a>' if link else "")
    body = f"""<article class="card">
<h1>{escape(t(HEAD))}</h1>
<p>{escape(t(WHAT, name=CCCP_NAME))}</p>
<p>{escape(t(CHECK))}</p>
<nav class="actions" aria-label="{escape(t(WHERE_TO_GO))}">{bot}
<a href="{escape(t.link("/registry"))}">{escape(t(A_REGISTRY))}</a>
<a href="{PUBLIC_KEY_PATH}" download="cccp-cert.pub">{escape(t(A_KEY))}</a></nav>
</article>"""
    return _html(body, title=f"CCCP – {CCCP_NAME}", description=t(DESCRIPTION), index=True, t=t,
                 request=request, headers={"Vary": "Accept-Language"})


async def favicon(request: web.Request) -> web.Response:
    return web.Response(body=request.app[FAVICON], content_type="image/x-icon",
                        headers={"Cache-Control": "public, max-age=86400"})


async def robots(request: web.Request) -> web.Response:
    return web.Response(text=ROBOTS, content_type="text/plain", headers={"Cache-Control": "public, max-age=86400"})
