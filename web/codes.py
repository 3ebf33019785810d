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
from web.i18n import N_, PageText
from web.registry import _html, registry_url, tonnes

SETTINGS = web.AppKey("codes_settings", object)


def add_routes(app: web.Application, settings) -> None:
    app[SETTINGS] = settings
    app.router.add_get("/p/{code}", code_page)


def deep_link(settings, code: str) -> str | None:
    return f"https://t.me/{settings.bot_username}?start={code}" if settings.bot_username else None


TOO_MANY = N_("Too many tries")
TRY_LATER = N_("Please try again in an hour.")
CODE_HEAD = N_("CCCP product code")
MISTYPED = N_("This code looks mistyped: please check it against the label.")
UNKNOWN = N_("We do not know this code.")
CLAIMED_ON = N_("Claimed on {date}.")
SUSPENDED = N_("This merchant's codes cannot be claimed at the moment.")
EXPIRED = N_("Not claimed yet. Its credits were retired for the merchant's customers; claim it for your certificate.")
NOT_CLAIMED = N_("Not claimed yet.")
CLAIM_BUTTON = N_("Claim in Telegram")
SEND_TO_BOT = N_("To claim it, send {code} to the CCCP bot.")
RETIREMENT = N_("Retirement")
BY_MERCHANT = N_("by {merchant} · carries {amount} CO₂e")
WORKED_OUT = N_("Worked out from: {basis}")
PROJECTS = N_("Projects")
CODE_STATE = N_("Code {code}: {state}")


async def code_page(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    t = PageText.of(request)
    who = f"ip:{request.remote or 'unknown'}"[:64]
    text = request.match_info["code"][:64]

    def page(body: str, title: str, status: int = 200) -> web.Response:
        return _html(body, title=title, status=status, t=t, request=request)

    try:
        await codes.check_not_paused(who)
        view = await codes.code_status(text, secret=codes_secret(settings))
    except ClaimsPaused:
        return page(f"<h1>{escape(t(TOO_MANY))}</h1><p>{escape(t(TRY_LATER))}</p>", t(CODE_HEAD), 429)
    except (NotACode, CodeMistyped, UnknownCode) as error:
        await codes.record_miss(who)
        message = t(MISTYPED) if isinstance(error, CodeMistyped) else t(UNKNOWN)
        return page(f"<h1>{escape(t(CODE_HEAD))}</h1><p>{escape(message)}</p>", t(CODE_HEAD), 404)
    product = view.product
    if view.state == codes.CodeState.CLAIMED:
        state = t(CLAIMED_ON, date=t.date(view.claimed_at))
    elif view.merchant_status == codes.MerchantStatus.SUSPENDED:
        state = t(SUSPENDED)
    elif view.state == codes.CodeState.EXPIRED:
        state = t(EXPIRED)
    else:
        state = t(NOT_CLAIMED)
    link = deep_link(settings, view.code)
    printed = f"<code>{escape(codes.printed(view.code))}</code>"
    button = (f'<p><a class="button" href="{escape(link)}">{escape(t(CLAIM_BUTTON))}</a></p>' if link and
              view.state != codes.CodeState.CLAIMED else
              f"<p>{escape(t(SEND_TO_BOT, code='{code}')).format(code=printed)}</p>")
    projects = ", ".join(escape(name) for name in view.project_names) or "—"
    retired = (f'<p>{escape(t(RETIREMENT))}: <a href="{escape(t.link(registry_url(view.retirement_id)))}">'
               f"{escape(view.retirement_id)}</a></p>" if view.retirement_id else "")
    carries = t(BY_MERCHANT, merchant=product.merchant_name, amount=tonnes(product.kg_per_unit, t))
    basis = f"<p>{escape(t(WORKED_OUT, basis=product.footprint_basis))}</p>" if product.footprint_basis else ""
    body = f"""<h1>{escape(product.name)}</h1>
<p>{escape(carries)}</p>
{basis}
<p>{escape(t(PROJECTS))}: {projects}</p>
<p>{escape(t(CODE_STATE, code="{code}", state=state)).format(code=printed)}</p>
{retired}{button}"""
    return page(body, f"CCCP · {product.name}")
