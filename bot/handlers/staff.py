"""Staff commands: /admin and the commands it lists, for support and admins.

Every command checks the person's level in the database when it runs
(core.staff.roles); a person without it gets exactly the answer of an unknown
command, and core records the attempt in the audit log. Each command is typed
with its argument (`/user @alice`, `/freeze 1001 spam`); `/admin` shows them as
buttons. The handlers parse, call core.staff and reply; every rule is in core.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from babel.numbers import list_currencies
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import CommandHandler, ContextTypes

from bot.callbacks import Codec, one_of, part, token, whole
from bot.clock import now_of
from bot.codes_key import codes_secret_of
from bot.feature import Feature, Job, Wiring
from bot.i18n import N_, Translator, tr
from bot.outbox import drain
from bot.refunds import make_refund
from bot.replies import answer, echo, fit, show
from core.codes.lookup import KEY as CODES_KEY
from core.market.models import Side
from core.outbox import OutboxMessage
from core.parsing import parse_amount_kg
from core.purchases import service as purchases
from core.staff import approvals, audit, broadcasts, freezes, issuance, lookup, money, roles, stats
from core.staff.errors import AlreadyRefunded, NotStaff
from core.staff.models import BroadcastState
from core.staff.roles import Level

log = logging.getLogger(__name__)

# The very msgid help.py answers an unknown command with: a person without the role
# must not learn that the command exists.
UNKNOWN_COMMAND = N_("I do not know that command. Send /help to see what I can do.")

SUPPORT_COMMANDS = ("admin", "user", "tickets", "audit")
ADMIN_COMMANDS = ("refund", "freeze", "unfreeze", "adjust", "goodwill", "broadcast", "stats", "grant", "revoke",
                  "approve", "issue")
USAGE = {
    "user": N_("/user <id, @username, order, certificate, retirement, serial, offer #id or product code>"),
    "tickets": N_("/tickets: the open support tickets"),
    "audit": N_("/audit, /audit user <who> or /audit staff <id>"),
    "refund": N_("/refund <order or charge id> <reason>"),
    "freeze": N_("/freeze <who> <reason>"),
    "unfreeze": N_("/unfreeze <who> <reason>"),
    "adjust": N_("/adjust <who> <+/- amount> [currency] <reason>"),
    "goodwill": N_("/goodwill <who> <Stars> <reason>"),
    "broadcast": N_("/broadcast <all | role:<role> | lang:<code>> <text>"),
    "stats": N_("/stats: users, credits and volume, with a chart"),
    "grant": N_("/grant <who>: make them support staff"),
    "revoke": N_("/revoke <who>: support staff no more"),
    "approve": N_("/approve, /approve <kind> <id>, or /approve <kind> <id> reject <reason>"),
    "issue": N_("/issue <project> <vintage> <amount, e.g. 10 t>: a batch for an approved project"),
}
ADMIN_MENU = N_("🛠 Staff tools. Tap one, or type it with its argument:")
CARD = N_("👤 {name}{username} · id {id}\nRoles: {roles} · language {language} · since {since}")
CARD_BALANCES = N_("Credits: {available} available, {held} held, {retired} retired")
CARD_CASH = N_("{currency}: {available} available, {held} held")
CARD_HOLDS = N_("Holds: {holds}")
CARD_MOVES = N_("Last movements:")
CARD_TICKETS = N_("Tickets: {tickets}")
CARD_NO_OFFERS = N_("Open offers: none")
CARD_OFFERS = N_("Open offers ({n}):")
CARD_OFFER = N_("#{id} {side} {remaining} of {amount} at {price}/t · holds {held}")
SIDES = {Side.SELL: N_("sell"), Side.BUY: N_("buy")}
CARD_MERCHANT = N_("Merchant {name} ({status}), products: {n}")
CARD_PRODUCT = N_("#{id} {name}: {amount} per unit · {claimed} of {codes} codes claimed, batches: {batches}")
CARD_CLAIMS = N_("Claimed codes ({n}):")
CARD_CLAIM = N_("{date} {code}: {amount} from {product} ({merchant})")
MERCHANT_STATUS = {"pending": N_("pending approval"), "approved": N_("approved"), "suspended": N_("suspended")}
CARD_FROZEN = N_("❄️ Frozen: {reason}")
CARD_NOT_FROZEN = N_("Not frozen.")
NONE = N_("none")
TICKETS_NONE = N_("No open tickets.")
TICKET_LINE = N_("#{id} · {state} · user {user} · {when}")
CLOSE = N_("Close #{id}")
TICKET_CLOSED = N_("Ticket #{id} closed.")
AUDIT_EMPTY = N_("The audit log has nothing here.")
AUDIT_OLDER = N_("Older")
REFUSED = N_("refused")
REFUND_PREVIEW = N_("Refund order {order}: {total} back to user {user}, {amount} CO2e back to the seller.\nReason: {reason}")
REFUND_CONFIRM = N_("Refund")
CANCEL = N_("Cancel")
CANCELLED = N_("Cancelled; nothing changed.")
REFUNDED = N_("Refunded order {order}: {total} to user {user}.")
ALREADY_REFUNDED = N_("This payment was refunded already.")
FROZEN_DONE = N_("User {user} is frozen: {reason}")
UNFROZEN_DONE = N_("User {user} is no longer frozen.")
ADJUSTED = N_("{currency} of user {user}: {before} → {after}.")
GRANTED = N_("User {user} is support staff now.")
REVOKED = N_("User {user} is no longer support staff.")
BROADCAST_PREVIEW = N_("Broadcast to {segment}: {n} recipients. Preview:\n\n{text}")
SEND = N_("Send")
BROADCAST_PROGRESS = N_("Broadcast #{id} to {segment}: {done} of {n} ({percent} %), {sent} delivered, {skipped} skipped.")
BROADCAST_DONE = N_("Broadcast #{id} finished: {sent} delivered, {skipped} skipped (100 %).")
BROADCAST_CANCELLED = N_("Broadcast #{id} cancelled: {sent} delivered, {skipped} not sent.")
STATS = N_("📊 Statistics\n{rows}")
STATS_ROW = N_("{label}: {users} new users, {issued} issued, {retired} retired, {traded} traded, {volume} volume")
LAST_DAY = N_("Last 24 hours")
LAST_MONTH = N_("Last 30 days")
ALL_TIME = N_("All time")
CHART_TITLE = N_("Last 30 days")
CHART_VOLUME = N_("Stars paid")
CHART_RETIRED = N_("Tonnes retired")
APPROVALS_NONE = N_("Nothing waits for approval.")
APPROVALS_HEAD = N_("Waiting for approval ({kind}):")
APPROVED = N_("{kind} {id}: approved.")
ISSUED = N_("Issued batch {batch}: {amount} of {project} {vintage}, serials {serial}.")
REJECTED = N_("{kind} {id}: rejected.")
FROZEN_NOTE = N_("❄️ Our team froze your account: {reason}\nYou can still look at everything, but nothing can be bought, sold or moved. Send /support to ask about it.")
UNFROZEN_NOTE = N_("✅ Your account is no longer frozen. {reason}")
ROLE_NAMES = {Level.ADMIN: N_("admin"), Level.SUPPORT: N_("support")}

ERROR_TEXTS = {
    "staff_not_allowed": UNKNOWN_COMMAND,
    "staff_reason_required": N_("Please give a reason."),
    "staff_user_not_found": N_("No user found for {query}."),
    "staff_not_refundable": N_("This payment cannot be refunded as a whole charge ({why}). After a retirement the remedy is /goodwill."),
    "staff_already_refunded": ALREADY_REFUNDED,
    "staff_already_frozen": N_("This user is frozen already."),
    "staff_not_frozen": N_("This user is not frozen."),
    "staff_bad_amount": N_("That amount cannot be used (whole numbers, not zero, at most {maximum})."),
    "staff_would_overdraw": N_("That would take the balance below zero (it is {balance})."),
    "staff_unknown_ticket": N_("There is no such ticket."),
    "staff_unknown_broadcast": N_("There is no such broadcast."),
    "staff_bad_segment": N_("Segments: all, role:<role>, lang:<code>, followed by the text."),
    "staff_unknown_approval": N_("Nothing of that kind waits for approval."),
    "staff_admin_from_settings": N_("Admins come from ADMIN_IDS; change the setting to change them."),
    "project_not_approved": N_("Project {project} is not approved ({status}): /approve it first."),
    "vintage_in_future": N_("The vintage {vintage} is after this year ({year})."),
    "vintage_too_old": N_("The vintage {vintage} is older than {oldest}."),
    "unknown_project": N_("There is no such project."),
}

STAFF = Codec("staff")


@STAFF.kind("go")
@dataclass(frozen=True)
class MenuPressed:
    command: str = part(one_of("tickets", "audit", "stats", "approve", *sorted(set(USAGE) - {"tickets", "audit", "stats", "approve"})))


@STAFF.kind("aud")
@dataclass(frozen=True)
class OlderPressed:
    by: str = part(one_of("all", "user", "staff"))
    who: int = part(whole(0, 10**16))
    before: int = part(whole(0, 10**18))


@STAFF.kind("ref")
@dataclass(frozen=True)
class RefundPressed:
    order: str = part(token(r"[A-Za-z0-9_-]{1,16}"))


@STAFF.kind("tcl")
@dataclass(frozen=True)
class ClosePressed:
    ticket: int = part(whole(1, 10**15))


@STAFF.kind("bc")
@dataclass(frozen=True)
class SendPressed:
    broadcast: int = part(whole(1, 10**15))


@STAFF.kind("bcx")
@dataclass(frozen=True)
class StopPressed:
    broadcast: int = part(whole(1, 10**15))


@STAFF.kind("no")
@dataclass(frozen=True)
class NothingPressed:
    pass


Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE, list[str]], Awaitable[None]]


def _level_of(command: str) -> Level:
    return Level.SUPPORT if command in SUPPORT_COMMANDS else Level.ADMIN


def guarded(command: str, run: Handler) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]:
    """The command for those whose level in the database allows it; others see an unknown command."""

    async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        t = await tr(update, context)
        try:
            await roles.require(update.effective_user.id, _level_of(command), action=command, now=now_of(context))
        except NotStaff:
            await update.effective_chat.send_message(t(UNKNOWN_COMMAND))
            return
        await run(update, context, list(context.args or []))

    on_command.__doc__ = run.__doc__
    return on_command


async def _may(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str) -> Translator | None:
    """For a button: the translator when the presser may, else the stale-button answer."""
    t = await tr(update, context)
    try:
        await roles.require(update.effective_user.id, _level_of(command), action=command, now=now_of(context))
    except NotStaff:
        await answer(update, t("This button is no longer valid."), alert=True)
        return None
    return t


async def _usage(update: Update, t: Translator, command: str) -> None:
    await update.effective_chat.send_message(t(USAGE[command]))


def _keys(context: ContextTypes.DEFAULT_TYPE) -> dict[str, bytes]:
    """What the look-up needs to read every id: a product code is stored as its keyed hash."""
    return {CODES_KEY: codes_secret_of(context)}


async def _who(context: ContextTypes.DEFAULT_TYPE, text: str) -> int:
    return await lookup.find_user(text, keys=_keys(context))


def _key(update: Update, name: str) -> str:
    return f"{name}:{update.update_id}"


# ---- /admin ----------------------------------------------------------------------------

async def admin_menu(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    """/admin: the staff tools as buttons, the rest as typed usage lines."""
    t = await tr(update, context)
    level = await roles.level_of(update.effective_user.id)
    names = [c for c in ("tickets", "audit", "stats", "approve") if level >= _level_of(c)]
    buttons = [[InlineKeyboardButton(f"/{name}", callback_data=STAFF.encode(MenuPressed(name)))] for name in names]
    usage = [t(USAGE[c]) for c in USAGE if level >= _level_of(c) and c not in names]
    await update.effective_chat.send_message(fit("\n".join([t(ADMIN_MENU), *usage])),
                                             reply_markup=InlineKeyboardMarkup(buttons))


async def on_menu_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: MenuPressed) -> None:
    """An /admin button: the command without arguments."""
    if await _may(update, context, pressed.command) is None:
        return
    run = COMMANDS[pressed.command]
    await answer(update)
    await run(update, context, [])


# ---- look-up ---------------------------------------------------------------------------

def _amount(t: Translator, currency: str, minor: int) -> str:
    return t.money(currency, minor)  # the one money formatter: 500 ⭐, €7.50


def _offer_lines(t: Translator, offers) -> list[str]:
    """The market's part of the card (core.market.lookup.OffersOnCard)."""
    if offers is None or not offers.open_count:
        return [t(CARD_NO_OFFERS)]
    lines = [t(CARD_OFFERS, n=offers.open_count)]
    for o in offers.newest:
        held = t.kg(o.held) if o.side == Side.SELL else _amount(t, "XTR", o.held)
        lines.append("  " + t(CARD_OFFER, id=o.id, side=t(SIDES[o.side]), remaining=t.kg(o.remaining_kg),
                                amount=t.kg(o.amount_kg), price=_amount(t, "XTR", o.price_per_t),
                                held=held))
    return lines


def _code_lines(t: Translator, codes) -> list[str]:
    """The codes' part of the card (core.codes.lookup.CodesOnCard): nothing for a user with neither."""
    if codes is None:
        return []
    lines = []
    if codes.merchant is not None:
        merchant = codes.merchant
        lines.append(t(CARD_MERCHANT, name=echo(merchant.name), n=codes.product_count,
                       status=t(MERCHANT_STATUS.get(merchant.status.value, NONE))))
        lines += ["  " + t(CARD_PRODUCT, id=p.id, name=echo(p.name), amount=t.kg(p.kg_per_unit), batches=p.batches,
                           claimed=p.claimed, codes=p.codes) for p in codes.products]
    if codes.claim_count:
        lines.append(t(CARD_CLAIMS, n=codes.claim_count))
        for c in codes.claims:
            line = t(CARD_CLAIM, date=f"{c.claimed_at:%Y-%m-%d}", code=c.code or "…", amount=t.kg(c.amount_kg),
                     product=echo(c.product_name), merchant=echo(c.merchant_name))
            lines.append(f"  {line} · {c.retirement_id}" if c.retirement_id else f"  {line}")
    return lines


async def card_text(t: Translator, user_id: int, keys: Mapping[str, bytes]) -> str:
    card = await lookup.user_card(user_id, keys=keys)
    user = card.user
    role_names = sorted(r.value for r in user.roles)
    if card.level in ROLE_NAMES:
        role_names.append(t(ROLE_NAMES[card.level]))
    lines = [
        t(CARD, name=echo(user.first_name), username=f" (@{user.username})" if user.username else "", id=user.id,
          roles=", ".join(role_names) or t(NONE), language=user.language or "-", since=t.date(user.created_at)),
        t(CARD_BALANCES, available=t.kg(card.balances.available_kg), held=t.kg(card.balances.held_kg),
          retired=t.kg(card.balances.retired_kg)),
        *(t(CARD_CASH, currency=c.currency, available=_amount(t, c.currency, c.available_minor),
            held=_amount(t, c.currency, c.held_minor)) for c in card.balances.cash),
        t(CARD_HOLDS, holds=", ".join(
            f"{t.kg(h.amount) if h.asset == 'carbon' else _amount(t, h.asset, h.amount)} ({h.kind})" for h in card.holds
        ) or t(NONE)),
    ]
    if card.movements:
        lines.append(t(CARD_MOVES))
        for entry in card.movements:
            amount = t.kg(entry.amount) if entry.asset == "carbon" else _amount(t, entry.asset, entry.amount)
            lines.append(f"  {entry.created_at:%Y-%m-%d} {entry.kind} {'+' if entry.amount > 0 else ''}{amount}")
    lines += _offer_lines(t, card.sections.get("offers"))
    lines += _code_lines(t, card.sections.get("codes"))
    lines.append(t(CARD_TICKETS, tickets=", ".join(f"#{k.id} {k.state}" for k in card.tickets) or t(NONE)))
    lines.append(t(CARD_FROZEN, reason=echo(card.frozen_reason)) if card.frozen_reason else t(CARD_NOT_FROZEN))
    return fit("\n".join(lines))


async def user_command(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    """/user <query>: the user card."""
    t = await tr(update, context)
    if not args:
        return await _usage(update, t, "user")
    user_id = await _who(context, " ".join(args))
    await update.effective_chat.send_message(await card_text(t, user_id, _keys(context)))


# ---- tickets and audit -----------------------------------------------------------------

async def tickets_command(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    """/tickets: the open ones, oldest first, each with a close button."""
    from core.staff import tickets

    t = await tr(update, context)
    rows = await tickets.open_tickets()
    if not rows:
        await update.effective_chat.send_message(t(TICKETS_NONE))
        return
    lines = [t(TICKET_LINE, id=r.id, state=r.state.value, user=r.user_id, when=f"{r.updated_at:%Y-%m-%d %H:%M}")
             for r in rows]
    buttons = [[InlineKeyboardButton(t(CLOSE, id=r.id), callback_data=STAFF.encode(ClosePressed(r.id)))]
               for r in rows[:10]]
    await update.effective_chat.send_message(fit("\n".join(lines)), reply_markup=InlineKeyboardMarkup(buttons))


async def on_close_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: ClosePressed) -> None:
    from core.staff import tickets

    if (t := await _may(update, context, "tickets")) is None:
        return
    await tickets.close(update.effective_user.id, pressed.ticket, now=now_of(context))
    await drain(context.application, chat_id=(await tickets.get_ticket(pressed.ticket)).user_id)
    await answer(update, t(TICKET_CLOSED, id=pressed.ticket))


def audit_line(t: Translator, entry: audit.AuditView) -> str:
    who = "system" if entry.actor_id is None else str(entry.actor_id)
    parts = [f"#{entry.id} {entry.at:%Y-%m-%d %H:%M} {who} {entry.action}"]
    if entry.is_refused:
        parts.append(f"({t(REFUSED)})")
    if entry.target_user_id is not None:
        parts.append(f"→ {entry.target_user_id}")
    if entry.target:
        parts.append(echo(entry.target))
    if entry.reason:
        parts.append(f"«{echo(entry.reason)}»")
    if entry.before or entry.after:
        parts.append(f"{entry.before} → {entry.after}")
    if entry.posting_keys:
        parts.append("[" + ", ".join(entry.posting_keys) + "]")
    return " ".join(parts)


async def _audit_page(update: Update, t: Translator, by: str, who: int, before: int) -> None:
    page = await audit.page(user_id=who if by == "user" else None, actor_id=who if by == "staff" else None,
                            before=before or None)
    if not page.entries:
        await show(update, t(AUDIT_EMPTY))
        return
    markup = None
    if page.older_cursor:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(
            t(AUDIT_OLDER), callback_data=STAFF.encode(OlderPressed(by, who, page.older_cursor)))]])
    await show(update, fit("\n".join(audit_line(t, e) for e in page.entries)), markup)


async def audit_command(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    """/audit [user <who> | staff <id>]: the newest entries, ten a page."""
    t = await tr(update, context)
    by, who = "all", 0
    if len(args) >= 2 and args[0].lower() in ("user", "staff"):
        by = args[0].lower()
        who = await _who(context, " ".join(args[1:])) if by == "user" else int(args[1]) if args[1].isdigit() else -1
        if who < 0:
            return await _usage(update, t, "audit")
    elif args:
        return await _usage(update, t, "audit")
    await _audit_page(update, t, by, who, 0)


async def on_older_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: OlderPressed) -> None:
    if (t := await _may(update, context, "audit")) is None:
        return
    await _audit_page(update, t, pressed.by, pressed.who, pressed.before)


# ---- money -----------------------------------------------------------------------------

REFUND_REASONS = "staff_refund_reasons"


async def refund_command(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    """/refund <order or charge> <reason>: what would go back, and a button to do it."""
    t = await tr(update, context)
    if len(args) < 2:
        return await _usage(update, t, "refund")
    reason = freezes.check_reason(" ".join(args[1:]))
    view = await money.refund_preview(args[0])
    context.user_data.setdefault(REFUND_REASONS, {})[view.order] = reason
    buttons = InlineKeyboardMarkup([[
        InlineKeyboardButton(t(REFUND_CONFIRM), callback_data=STAFF.encode(RefundPressed(view.order))),
        InlineKeyboardButton(t(CANCEL), callback_data=STAFF.encode(NothingPressed())),
    ]])
    await update.effective_chat.send_message(
        t(REFUND_PREVIEW, order=view.order, total=_amount(t, view.currency, view.total_amount), user=view.user_id,
          amount=t.kg(view.amount_kg), reason=echo(reason)), reply_markup=buttons)


async def on_refund_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: RefundPressed) -> None:
    """Refund once: core refuses a second press before anything moves or Telegram is called."""
    if (t := await _may(update, context, "refund")) is None:
        return
    reason = context.user_data.get(REFUND_REASONS, {}).get(pressed.order, "")
    try:
        view = await money.refund_payment(update.effective_user.id, pressed.order, reason, now=now_of(context))
    except AlreadyRefunded:
        await answer(update, t(ALREADY_REFUNDED), alert=True)
        return
    await make_refund(context.bot, purchases.RefundToMake(view.charge_id, view.user_id, False))
    await drain(context.application, chat_id=view.user_id)
    await show(update, t(REFUNDED, order=view.order, total=_amount(t, view.currency, view.total_amount),
                         user=view.user_id))


async def on_nothing_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: NothingPressed) -> None:
    t = await tr(update, context)
    await show(update, t(CANCELLED))


async def freeze_command(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    """/freeze <who> <reason>."""
    t = await tr(update, context)
    if len(args) < 2:
        return await _usage(update, t, "freeze")
    user_id = await _who(context, args[0])
    reason = " ".join(args[1:])
    await freezes.freeze(update.effective_user.id, user_id, reason, now=now_of(context))
    await drain(context.application, chat_id=user_id)
    await update.effective_chat.send_message(t(FROZEN_DONE, user=user_id, reason=echo(freezes.check_reason(reason))))


async def unfreeze_command(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    """/unfreeze <who> <reason>."""
    t = await tr(update, context)
    if len(args) < 2:
        return await _usage(update, t, "unfreeze")
    user_id = await _who(context, args[0])
    await freezes.unfreeze(update.effective_user.id, user_id, " ".join(args[1:]), now=now_of(context))
    await drain(context.application, chat_id=user_id)
    await update.effective_chat.send_message(t(UNFROZEN_DONE, user=user_id))


def _adjusted(t: Translator, view: money.AdjustView, user_id: int) -> str:
    return t(ADJUSTED, currency=view.currency, user=user_id, before=_amount(t, view.currency, view.balance_before),
             after=_amount(t, view.currency, view.balance_after))


_SIGNED = re.compile(r"^[+-]?\d{1,9}$")


async def adjust_command(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    """/adjust <who> <+/- amount> [currency] <reason>."""
    t = await tr(update, context)
    if len(args) < 3 or not _SIGNED.match(args[1]):
        return await _usage(update, t, "adjust")
    currency, rest = "XTR", args[2:]
    # A currency is an ISO 4217 code written in capitals ("EUR"); "too much" is a reason.
    if len(rest) > 1 and re.fullmatch(r"[A-Z]{3}", rest[0]) and rest[0] in list_currencies() | {"XTR"}:
        currency, rest = rest[0], rest[1:]
    user_id = await _who(context, args[0])
    view = await money.adjust(update.effective_user.id, user_id, int(args[1]), " ".join(rest),
                              key=_key(update, "adjust"), currency=currency, now=now_of(context))
    await update.effective_chat.send_message(_adjusted(t, view, user_id))


async def goodwill_command(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    """/goodwill <who> <Stars> <reason>: the remedy after a retirement."""
    t = await tr(update, context)
    if len(args) < 3 or not args[1].isdigit():
        return await _usage(update, t, "goodwill")
    user_id = await _who(context, args[0])
    view = await money.goodwill(update.effective_user.id, user_id, int(args[1]), " ".join(args[2:]),
                                key=_key(update, "goodwill"), now=now_of(context))
    await update.effective_chat.send_message(_adjusted(t, view, user_id))


# ---- roles -----------------------------------------------------------------------------

async def grant_command(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    """/grant <who>: support staff."""
    t = await tr(update, context)
    if len(args) != 1:
        return await _usage(update, t, "grant")
    user_id = await _who(context, args[0])
    await roles.grant_support(update.effective_user.id, user_id, now=now_of(context))
    await update.effective_chat.send_message(t(GRANTED, user=user_id))


async def revoke_command(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    """/revoke <who>."""
    t = await tr(update, context)
    if len(args) != 1:
        return await _usage(update, t, "revoke")
    user_id = await _who(context, args[0])
    await roles.revoke_support(update.effective_user.id, user_id, now=now_of(context))
    await update.effective_chat.send_message(t(REVOKED, user=user_id))


# ---- broadcast -------------------------------------------------------------------------

def progress_text(t: Translator, view: broadcasts.BroadcastView) -> str:
    if view.state == BroadcastState.DONE:
        return t(BROADCAST_DONE, id=view.id, sent=view.sent, skipped=view.skipped)
    if view.state == BroadcastState.CANCELLED:
        return t(BROADCAST_CANCELLED, id=view.id, sent=view.sent, skipped=view.skipped + view.pending)
    return t(BROADCAST_PROGRESS, id=view.id, segment=view.segment, done=view.sent + view.skipped, n=view.recipients,
             percent=view.percent, sent=view.sent, skipped=view.skipped)


def _stop_button(t: Translator, view: broadcasts.BroadcastView) -> InlineKeyboardMarkup | None:
    if view.state != BroadcastState.SENDING:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(t(CANCEL), callback_data=STAFF.encode(StopPressed(view.id)))]])


async def broadcast_command(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    """/broadcast <segment> <text>: a preview with Send and Cancel."""
    t = await tr(update, context)
    if len(args) < 2:
        return await _usage(update, t, "broadcast")
    text = update.effective_message.text.split(maxsplit=2)[2] if update.effective_message.text else " ".join(args[1:])
    view = await broadcasts.preview(update.effective_user.id, args[0], text, now=now_of(context))
    buttons = InlineKeyboardMarkup([[
        InlineKeyboardButton(t(SEND), callback_data=STAFF.encode(SendPressed(view.id))),
        InlineKeyboardButton(t(CANCEL), callback_data=STAFF.encode(StopPressed(view.id))),
    ]])
    await update.effective_chat.send_message(
        fit(t(BROADCAST_PREVIEW, segment=view.segment, n=view.recipients, text=view.text)), reply_markup=buttons)


async def on_send_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: SendPressed) -> None:
    """Send: one outbox row per recipient (once); this message becomes the progress."""
    if (t := await _may(update, context, "broadcast")) is None:
        return
    message = update.callback_query.message
    view = await broadcasts.confirm(update.effective_user.id, pressed.broadcast, progress_chat_id=message.chat_id,
                                    progress_message_id=message.message_id, now=now_of(context))
    await show(update, progress_text(t, view), _stop_button(t, view))


async def on_stop_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: StopPressed) -> None:
    if (t := await _may(update, context, "broadcast")) is None:
        return
    view = await broadcasts.cancel(update.effective_user.id, pressed.broadcast, now=now_of(context))
    await show(update, progress_text(t, view), _stop_button(t, view))


async def update_progress(bot: Bot, t: Translator, view: broadcasts.BroadcastView) -> None:
    """Edit a broadcast's progress message to its counts now ("not modified" is fine)."""
    if view.progress_chat_id is None or view.progress_message_id is None:
        return
    try:
        await bot.edit_message_text(progress_text(t, view), chat_id=view.progress_chat_id,
                                    message_id=view.progress_message_id, reply_markup=_stop_button(t, view))
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            log.warning("broadcast %s: progress not shown: %s", view.id, error)
    except TelegramError as error:
        log.warning("broadcast %s: progress not shown: %s", view.id, error)


async def progress_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every few seconds: each sending broadcast's progress message, edited."""
    from bot.i18n import translator
    from core import users

    for view in await broadcasts.sending():
        staff = await users.get_user(view.progress_chat_id or 0)
        t = translator(staff.language if staff and staff.language else context.bot_data.get("default_language", "en"))
        await update_progress(context.bot, t, await broadcasts.progress(view.id))


# ---- statistics and approvals ----------------------------------------------------------

async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    """/stats: the numbers, then the chart of the last 30 days."""
    t = await tr(update, context)
    numbers = await stats.collect(now=now_of(context))
    rows = [t(STATS_ROW, label=t(label), users=t.number(w.users, 0), issued=t.kg(w.issued_kg),
              retired=t.kg(w.retired_kg), traded=t.kg(w.traded_kg), volume=_amount(t, "XTR", w.volume_xtr))
            for label, w in ((LAST_DAY, numbers.day), (LAST_MONTH, numbers.month), (ALL_TIME, numbers.total))]
    await update.effective_chat.send_message(t(STATS, rows="\n".join(rows)))
    png = await stats.chart_png(numbers, title=t(CHART_TITLE), volume_label=t(CHART_VOLUME),
                                retired_label=t(CHART_RETIRED))
    await update.effective_chat.send_photo(png, caption=t(CHART_TITLE))


async def approve_command(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    """/approve: what waits; /approve <kind> <id> [reject <reason>]: decide."""
    t = await tr(update, context)
    actor = update.effective_user.id
    if not args:
        waiting = await approvals.waiting(actor, now=now_of(context))
        lines = []
        for kind, items in waiting.items():
            if items:
                lines.append(t(APPROVALS_HEAD, kind=kind))
                lines.extend(f"  /approve {kind} {w.id} · {echo(w.summary)}" for w in items[:20])
        await update.effective_chat.send_message(fit("\n".join(lines)) if lines else t(APPROVALS_NONE))
        return
    if len(args) < 2 or (len(args) > 2 and args[2].lower() != "reject"):
        return await _usage(update, t, "approve")
    is_approved = len(args) == 2
    await approvals.decide(actor, args[0].lower(), args[1], is_approved, " ".join(args[3:]), now=now_of(context))
    await update.effective_chat.send_message(t(APPROVED if is_approved else REJECTED, kind=args[0], id=args[1]))


async def issue_command(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    """/issue <project> <vintage> <amount>: new credits into the project's producer account."""
    t = await tr(update, context)
    if len(args) < 3 or not args[1].isdigit() or len(args[1]) != 4:
        return await _usage(update, t, "issue")
    amount_kg = parse_amount_kg(" ".join(args[2:]))
    batch = await issuance.issue_batch(update.effective_user.id, args[0], int(args[1]), amount_kg,
                                       key=_key(update, "issue"), now=now_of(context))
    await update.effective_chat.send_message(t(ISSUED, batch=batch.id, amount=t.kg(batch.amount_kg),
                                               project=batch.project_code, vintage=batch.vintage,
                                               serial=batch.serial))


COMMANDS: Mapping[str, Handler] = {
    "admin": admin_menu, "user": user_command, "tickets": tickets_command, "audit": audit_command,
    "refund": refund_command, "freeze": freeze_command, "unfreeze": unfreeze_command, "adjust": adjust_command,
    "goodwill": goodwill_command, "broadcast": broadcast_command, "stats": stats_command, "grant": grant_command,
    "revoke": revoke_command, "approve": approve_command, "issue": issue_command,
}


# ---- what core writes to the outbox for staff actions ----------------------------------

def _note(text: str):
    async def send(bot: Bot, bot_data: Mapping, t: Translator, message: OutboxMessage) -> None:
        await bot.send_message(message.chat_id, t(text, reason=message.params.get("reason", "")))
    return send


async def _send_broadcast(bot: Bot, bot_data: Mapping, t: Translator, message: OutboxMessage) -> None:
    text, state = await broadcasts.text_of(message.params["broadcast"])
    if state == BroadcastState.CANCELLED:
        return  # cancelled after this row was claimed: not sent
    await bot.send_message(message.chat_id, text)


OUTBOX_RENDERERS = {
    "account_frozen": _note(FROZEN_NOTE),
    "account_unfrozen": _note(UNFROZEN_NOTE),
    "broadcast": _send_broadcast,
}


def handlers(wiring: Wiring) -> list:
    return [
        *(CommandHandler(name, guarded(name, run)) for name, run in COMMANDS.items()),
        STAFF.handler(MenuPressed, on_menu_pressed),
        STAFF.handler(OlderPressed, on_older_pressed),
        STAFF.handler(RefundPressed, on_refund_pressed),
        STAFF.handler(ClosePressed, on_close_pressed),
        STAFF.handler(SendPressed, on_send_pressed),
        STAFF.handler(StopPressed, on_stop_pressed),
        STAFF.handler(NothingPressed, on_nothing_pressed),
        STAFF.stale_handler(),
    ]


PROGRESS_INTERVAL = timedelta(seconds=3)

FEATURE = Feature(
    name="staff",
    handlers=handlers,
    error_texts=ERROR_TEXTS,
    jobs=[Job("broadcast_progress", progress_job, PROGRESS_INTERVAL)],
    outbox_renderers=OUTBOX_RENDERERS,
    codecs=[STAFF],
)


async def on_start(application) -> None:
    """At start: mirror ADMIN_IDS into the database (logged and audited)."""
    settings = application.bot_data["settings"]
    await roles.sync_admins(settings.admin_ids)
