"""/balance and /history: what the user holds and how it moved."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler, ContextTypes

from bot import menu
from bot.callbacks import Codec, part, whole
from bot.feature import Command, Feature, Wiring
from bot.i18n import N_, Translator, tr
from bot.members import members_only
from bot.replies import answer, show
from core import users
from core.ledger import CARBON, STARS, Entry, Kind
from core.users import UserView

BALANCE = N_(
    "Your credits\n"
    "• Available: {available}\n"
    "• Held in offers: {held}\n"
    "• Retired: {retired}"
)
CASH = N_("Your cash wallet")
STARS_LINE = N_("• Telegram Stars: {amount} ⭐")
NO_HISTORY = N_("No movements yet.")
HISTORY_TITLE = N_("Your movements (newest first):")
PAGE_STALE = N_("This page is no longer available. Send /history to start again.")
# One wording per kind of the ledger's closed set (core/ledger/kinds.py); a
# payment is worded by its direction below, and a kind without one here shows
# as it is spelled.
KIND_LABELS = {
    Kind.ISSUANCE: N_("issued"),
    Kind.PURCHASE: N_("bought"),
    Kind.REFUND: N_("refund"),
    Kind.RETIREMENT: N_("retired"),
    Kind.TRANSFER: N_("transfer"),
    Kind.POST_HOLD: N_("reserved amount moved"),
    Kind.VOID_HOLD: N_("hold released"),
    Kind.EXPIRE_HOLD: N_("hold released"),
    Kind.CANCELLATION: N_("cancelled for a forest loss"),
    Kind.PLANTING: N_("to the planting fund"),
}
# A payment passes through the buyer's wallet: in from Telegram (or the card
# provider), out to the seller in the same posting. Named by direction, the two
# lines read as what happened instead of "payment +115, payment −115".
PAYMENT_IN = N_("from your Telegram payment")
PAYMENT_OUT = N_("paid for your order")
HISTORY = Codec("hist")


@HISTORY.kind("")
@dataclass(frozen=True)
class PagePressed:
    """hist:<before>: the cursor of the page to show; 0 is the newest page."""

    before: int = part(whole(0, 10**18 - 1))


def history_data(before: int) -> str:
    return HISTORY.encode(PagePressed(before))


def money(t: Translator, currency: str, minor: int) -> str:
    if currency == STARS:
        return t(STARS_LINE, amount=t.number(minor, 0))
    return "• " + t.money(currency, minor)


async def balance(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/balance: credits available, held and retired; cash per currency."""
    # No member() look-up: balances() refuses someone who never signed up
    # (UnknownUser, answered by the error handler), and this is the busiest command.
    t = await tr(update, context)
    figures = await users.balances(update.effective_user.id)
    lines = [
        t(BALANCE, available=t.tonnes_and_kg(figures.available_kg), held=t.tonnes_and_kg(figures.held_kg),
          retired=t.tonnes_and_kg(figures.retired_kg)),
    ]
    if figures.cash:
        lines += ["", t(CASH)]
        lines += [money(t, c.currency, c.available_minor) for c in figures.cash]
    await update.effective_chat.send_message("\n".join(lines))


def entry_line(t: Translator, entry: Entry) -> str:
    if entry.kind == Kind.PAYMENT:
        kind = t(PAYMENT_IN if entry.amount > 0 else PAYMENT_OUT)
    elif entry.kind in KIND_LABELS:
        kind = t(KIND_LABELS[entry.kind])
    else:
        kind = entry.kind.replace("_", " ")
    sign = "+" if entry.amount > 0 else "−"
    if entry.asset == CARBON:
        amount = t.kg(abs(entry.amount))
    else:
        amount = t.money(entry.asset, abs(entry.amount))
    return f"{t.date(entry.created_at)} · {kind} · {sign}{amount}"


def history_keyboard(page: users.HistoryPage) -> InlineKeyboardMarkup | None:
    buttons = []
    if page.newer_cursor is not None:
        buttons.append(InlineKeyboardButton("◀", callback_data=history_data(page.newer_cursor)))
    if page.older_cursor is not None:
        buttons.append(InlineKeyboardButton("▶", callback_data=history_data(page.older_cursor)))
    return InlineKeyboardMarkup([buttons]) if buttons else None


@members_only
async def show_history(update: Update, context: ContextTypes.DEFAULT_TYPE, user: UserView, t: Translator,
                       pressed: PagePressed | None = None) -> None:
    """/history: the newest ten movements, ◀ ▶ for more."""
    before = pressed.before if pressed is not None else 0
    page = await users.history(user.id, before=before or None)
    if not page.entries:
        if before:
            await answer(update, t(PAGE_STALE), alert=True)
            return
        await answer(update)
        await show(update, t(NO_HISTORY))
        return
    await answer(update)
    text = "\n".join([t(HISTORY_TITLE), *(entry_line(t, e) for e in page.entries)])
    await show(update, text, history_keyboard(page))


def handlers(wiring: Wiring) -> list:
    return [
        CommandHandler("balance", balance),
        CommandHandler("history", show_history),
        HISTORY.handler(PagePressed, show_history),
    ]


FEATURE = Feature(
    name="account",
    handlers=handlers,
    menu_items=[
        menu.MenuItem(menu.BALANCE, balance, order=10),
        menu.MenuItem(menu.HISTORY, show_history, order=20),
    ],
    commands=[
        Command("balance", N_("Your credits and wallet"), order=20),
        Command("history", N_("Your movements"), order=21),
    ],
    codecs=[HISTORY],
)
