"""The public page of a product code: `/p/<code>` (what a label's QR holds).

It works without Telegram: product, merchant, the projects behind it, its kg,
whether it was claimed, and a "Claim in Telegram" button with the bot's deep
link. It never claims anything. Unknown and mistyped codes count against the
visitor's address like a bot user's misses (core.codes: ten an hour, then 429),
so the page cannot be used to try codes by the thousand.
"""

from __future__ import annotations

from html import escape

from aiohttp import web

from core import codes
from core.codes.errors import ClaimsPaused, CodeMistyped, NotACode, UnknownCode
from core.codes.secret import codes_secret
from web.registry import _html, registry_url, tonnes

SETTINGS = web.AppKey("codes_settings", object)


def add_routes(app: web.Application, settings) -> None:
    app[SETTINGS] = settings
    app.router.add_get("/p/{code}", code_page)


def deep_link(settings, code: str) -> str | None:
    return f"https://t.me/{settings.bot_username}?start={code}" if settings.bot_username else None


async def code_page(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    who = f"ip:{request.remote or 'unknown'}"[:64]
    text = request.match_info["code"][:64]
    try:
        await codes.check_not_paused(who)
        view = await codes.code_status(text, secret=codes_secret(settings))
    except ClaimsPaused:
        return _html("<h1>Too many tries</h1><p>Please try again in an hour.</p>", title="CCCP code", status=429)
    except (NotACode, CodeMistyped, UnknownCode) as error:
        await codes.record_miss(who)
        message = ("This code looks mistyped: please check it against the label."
                   if isinstance(error, CodeMistyped) else "We do not know this code.")
        return _html(f"<h1>CCCP product code</h1><p>{escape(message)}</p>", title="CCCP code", status=404)
    product = view.product
    if view.state == codes.CodeState.CLAIMED:
        state = f"Claimed on {view.claimed_at:%Y-%m-%d}."
    elif view.merchant_status == codes.MerchantStatus.SUSPENDED:
        state = "This merchant's codes cannot be claimed at the moment."
    elif view.state == codes.CodeState.EXPIRED:
        state = "Not claimed yet. Its credits were retired for the merchant's customers; claim it for your certificate."
    else:
        state = "Not claimed yet."
    link = deep_link(settings, view.code)
    button = (f'<p><a class="button" href="{escape(link)}">Claim in Telegram</a></p>' if link and
              view.state != codes.CodeState.CLAIMED else
              f"<p>To claim it, send <code>{escape(codes.printed(view.code))}</code> to the CCCP bot.</p>")
    projects = ", ".join(escape(name) for name in view.project_names) or "—"
    retired = (f'<p>Retirement: <a href="{escape(registry_url(view.retirement_id))}">'
               f"{escape(view.retirement_id)}</a></p>" if view.retirement_id else "")
    body = f"""<h1>{escape(product.name)}</h1>
<p>by {escape(product.merchant_name)} · carries {tonnes(product.kg_per_unit)} ({product.kg_per_unit} kg CO₂e)</p>
{f"<p>Worked out from: {escape(product.footprint_basis)}</p>" if product.footprint_basis else ""}
<p>Projects: {projects}</p>
<p>Code <code>{escape(codes.printed(view.code))}</code>: {escape(state)}</p>
{retired}{button}"""
    return _html(body, title=f"CCCP · {product.name}")
