"""The market in the chat: books, offers, takes, trades, alerts, the Stars wallet.

Core decides everything (core.market); these handlers parse, call one core
function and reply. Every step works by buttons and by typed text: a project by
button or by its code, amounts and prices typed in any form core.parsing reads,
confirmations by button or "yes". Notifications (fills, cancels, expiries,
alerts, top-ups, withdrawals) are written by core into the outbox and drawn
here by the renderers in `FEATURE.outbox_renderers`.

Bots cannot pay Stars out: /withdraw records a request that staff settle
outside the bot, and no message promises more.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, auto

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LabeledPrice, Update
from telegram.ext import CommandHandler, ContextTypes, ConversationHandler, MessageHandler

from bot import menu
from bot.callbacks import Codec, one_of, part, whole
from bot.clock import now_of
from bot.feature import Command, Feature, Job, Wiring
from bot.i18n import N_, Translator, tr
from bot.members import member
from bot.outbox import Renderer
from bot.replies import answer, echo, show
from core.ledger import STARS
from core.market import alerts, book, wallet
from core.market.errors import BookMoved, OfferGone
from core.market.models import Side
from core.market.rules import Rules
from core.outbox import OutboxMessage
from core.parsing import MAX_AMOUNT_KG, parse_amount_kg, parse_price_per_t, parse_stars
from core.registry.methodologies import ProjectType
from core.registry.models import Project
from core.users import UserRole

MAX_ID = 10**15
DRAFT = "market"
YES_WORDS = {"yes", "y", "ok", "okay", "confirm", "ja", "j", "oui", "o", "d'accord", "bestätigen", "confirmer"}
NO_WORDS = {"no", "n", "nein", "non", "cancel", "abbrechen", "annuler"}
AMOUNT_BUTTONS_KG = (100, 500, 1_000, 5_000)
TOPUP_BUTTONS = (100, 500, 1_000, 5_000)

# ---- texts ----
OVERVIEW_TITLE = N_("📈 Market: best bid / best ask, last price, volume in 24 h")
OVERVIEW_LINE = N_("{code} · {name}\n   bid {bid} · ask {ask} · last {last} · 24 h {volume}")
NO_PROJECTS = N_("No project is traded yet.")
NONE = N_("—")
BOOK_TITLE = N_("📖 {name} ({code}), price per tonne")
ASKS = N_("Sell offers (lowest first):")
BIDS = N_("Buy offers (highest first):")
LEVEL = N_("   {price} · {amount} ({n} offers)")
EMPTY_SIDE = N_("   none")
LAST_PRICE = N_("Last trade: {price}")
TAKE_BUTTON = N_("Take {side} at {price}")
SIDE_BUY = N_("buy")
SIDE_SELL = N_("sell")
BUY_BUTTON = N_("🟢 Buy")
SELL_BUTTON = N_("🔴 Sell")
ALERT_BUTTON = N_("🔔 Alert")
CHART_CAPTION = N_("{name}: price per tonne of its trades")
NO_CHART = N_("No trades yet, so no chart.")
CHOOSE_PROJECT = N_("Which project? Press one or type its code.")
UNKNOWN_PROJECT = N_("I do not know the project “{text}”. Press one of the buttons or type its code.")
ASK_AMOUNT = N_("How much? Press an amount or type one, for example 1.5 t or 250 kg.")
ASK_PRICE = N_("Price per tonne in Stars? Type it, for example 900.")
ASK_ALERT_PRICE = N_("Tell you when {name} sells at or under which price per tonne? Type it, for example 900.")
CONFIRM_SELL = N_(
    "Sell {amount} of {name} at {price} per tonne.\nTotal: {total}\nFee: {fee} (paid from the proceeds)\n"
    "Held until it fills or you cancel: {held}\nConfirm?"
)
CONFIRM_BID = N_(
    "Buy {amount} of {name} at up to {price} per tonne.\nTotal at most: {total}\n"
    "Held from your wallet until it fills or you cancel: {held}\nConfirm?"
)
CONFIRM = N_("✅ Confirm")
CANCEL = N_("✖️ Cancel")
CONFIRM_HINT = N_("Please press Confirm or type “yes”, or /cancel.")
PLACED = N_("Your offer #{id} is on the book: {remaining} left at {price} per tonne.")
PLACED_FILLED = N_("Your offer #{id} filled at once: {filled} traded.")
PLACED_PARTLY = N_("Your offer #{id}: {filled} traded at once, {remaining} left on the book.")
PLACED_RELEASED = N_("Your offer #{id}: {filled} traded; the small rest was released.")
CANCELLED = N_("Nothing was posted.")
NOTHING_TO_CANCEL = N_("There is nothing to cancel.")
OFFER_CARD = N_(
    "Offer #{id}: {side} {amount} of {name} at {price} per tonne.\nTrader: {trades} completed trades, {volume} traded."
)
TAKE_ASK_AMOUNT = N_("How much do you take? Press “All” or type an amount (at least {min}).")
ALL_BUTTON = N_("All: {amount}")
CONFIRM_TAKE = N_(
    "{verb} {amount} of {name} at {price} per tonne.\nTotal: {total}\nFee: {fee}\nConfirm?"
)
VERB_BUY = N_("Buy")
VERB_SELL = N_("Sell")
TAKEN = N_("Done: {amount} at {price} per tonne, total {total}. Serials: {serials}")
BOOK_MOVED = N_("The book moved meanwhile: this offer now has {remaining} at {price}. Nothing was traded; look again with /market.")
OFFER_GONE = N_("This offer is no longer on the book (filled, cancelled or expired). Nothing was traded.")
MY_OFFERS = N_("Your open offers:")
MY_OFFER = N_("#{id} {side} {remaining} of {amount} at {price}/t · holds {held}")
NO_OFFERS = N_("You have no open offers. Post one with /sell or /bid.")
CANCEL_OFFER = N_("✖️ Cancel #{id}")
OFFER_CANCELLED = N_("Offer #{id} cancelled; what it held is free again.")
MY_TRADES = N_("Your trades (newest first):")
TRADE_LINE = N_("{date} · {side} {amount} at {price}/t · {total}\n   {serials}")
NO_TRADES = N_("No trades yet.")
MY_ALERTS = N_("Your alerts:")
ALERT_LINE = N_("🔔 {what} at or under {price}/t")
NO_ALERTS = N_("No alerts. Open a project with /market and press 🔔 Alert, or type /alert CODE PRICE.")
DELETE_ALERT = N_("🗑 Delete {n}")
ALERT_DELETED = N_("Alert deleted.")
ALERT_SET = N_("🔔 I will tell you of each new offer of {name} at or under {price} per tonne.")
ALERT_USAGE = N_("Type /alert followed by a project code and a price, for example /alert LAND 900.")
WALLET = N_(
    "Your Stars wallet\n• Balance: {balance}\n• Held in offers and requests: {held}\n• Available: {available}\n"
    "Top up with /topup. Stars cannot be paid out by the bot: /withdraw records a request that our staff review."
)
TOPUP_ASK = N_("How many Stars do you want to add to your wallet? Press or type a number.")
TOPUP_TITLE = N_("Wallet top-up")
TOPUP_DESCRIPTION = N_("{amount} for your CCCP market wallet")
TOPUP_SENT = N_("Here is your invoice. Pay it with its Pay button.")
WITHDRAW_USAGE = N_("Type /withdraw followed by a number of Stars, for example /withdraw 500.")
WITHDRAW_RECORDED = N_(
    "Your request to withdraw {amount} is recorded and those Stars are held. Our staff review it and settle it "
    "outside the bot; you will hear the outcome here. The bot itself cannot send Stars."
)
FILL_SOLD = N_("✅ Sold {amount} of {project} at {price}/t: {value}, fee {fee}.")
FILL_BOUGHT = N_("✅ Bought {amount} of {project} at {price}/t: {value}.")
FILL_LEFT = N_("Still on the book: {remaining}.")
CLOSED_CANCELLED = N_("Your offer #{id} is cancelled; {remaining} released.")
CLOSED_EXPIRED = N_("Your offer #{id} expired; {remaining} released.")
ALERT_HIT = N_("🔔 New offer: {amount} of {project} (vintage {vintage}) at {price}/t — your alert is {max}/t.")
TOPUP_DONE = N_("✅ {amount} added to your wallet. Send /wallet to see it.")
WITHDRAWAL_PAID = N_("Your withdrawal of {amount} was settled by our staff.")
WITHDRAWAL_REJECTED = N_("Your withdrawal request of {amount} was declined; the Stars are available in your wallet again.")
STALE = N_("This button is no longer valid. Send /market to start again.")

ERROR_TEXTS = {
    "offer_gone": OFFER_GONE,
    "book_moved": N_("The book moved meanwhile. Nothing was traded; look again with /market."),
    "own_offer": N_("That is your own offer: you cannot trade with yourself."),
    "below_minimum": N_("The smallest offer is {minimum_kg} kg."),
    "below_min_fill": N_("This offer fills only in parts of at least {min_fill_kg} kg."),
    "too_many_offers": N_("You already have {maximum} open offers. Cancel one with /offers first."),
    "outside_band": N_("That price is too far from the last trade ({last} ⭐/t): choose between {low} and {high}."),
    "not_enough_stars": N_("Not enough Stars in your wallet for this. Top up with /topup."),
    "market_not_enough_credits": N_("You do not have that many credits of this project available."),
    "bad_offer": N_("That offer is out of range. Please check the amount and price."),
    "not_your_offer": N_("That is not your offer."),
    "unknown_book": N_("This project is not traded."),
    "price_empty": N_("Please type a price per tonne, for example 900."),
    "price_not_a_number": N_("I could not read that as a price. Type whole Stars per tonne, for example 900."),
    "price_not_positive": N_("The price must be more than zero."),
    "price_not_whole": N_("Please use whole Stars, for example 900."),
    "price_too_large": N_("That price is more than {maximum} ⭐ per tonne."),
    "stars_empty": N_("Please type a number of Stars, for example 500."),
    "stars_not_a_number": N_("I could not read that as a number of Stars, for example 500."),
    "stars_not_positive": N_("The number of Stars must be more than zero."),
    "stars_not_whole": N_("Please use whole Stars, for example 500."),
    "stars_too_large": N_("That is more than {maximum} ⭐."),
}

MKT = Codec("mkt")


@MKT.kind("book")
@dataclass(frozen=True)
class BookPressed:
    project_id: int = part(whole(1, MAX_ID))


@MKT.kind("new")
@dataclass(frozen=True)
class NewPressed:
    """Buy, Sell or Alert on a project's book (or in /sell, /bid: the project)."""

    what: str = part(one_of("buy", "sell", "alert"))
    project_id: int = part(whole(1, MAX_ID))


@MKT.kind("amt")
@dataclass(frozen=True)
class AmountPressed:
    amount_kg: int = part(whole(1, MAX_AMOUNT_KG))


@MKT.kind("ok")
@dataclass(frozen=True)
class ConfirmPressed:
    answer: str = part(one_of("yes", "no"))


@MKT.kind("take")
@dataclass(frozen=True)
class TakePressed:
    offer_id: int = part(whole(1, MAX_ID))


@MKT.kind("cxl")
@dataclass(frozen=True)
class CancelOfferPressed:
    offer_id: int = part(whole(1, MAX_ID))


@MKT.kind("del")
@dataclass(frozen=True)
class DeleteAlertPressed:
    alert_id: int = part(whole(1, MAX_ID))


@MKT.kind("top")
@dataclass(frozen=True)
class TopUpPressed:
    amount: int = part(whole(1, wallet.MAX_TOPUP_XTR))


class Step(IntEnum):
    PROJECT = auto()
    AMOUNT = auto()
    PRICE = auto()
    CONFIRM = auto()
    TAKE_AMOUNT = auto()
    TAKE_CONFIRM = auto()
    TOPUP = auto()


# ---- helpers ----

def stars(t: Translator, n: int | None) -> str:
    return t(NONE) if n is None else t.money(STARS, n)


def rules_of(context: ContextTypes.DEFAULT_TYPE) -> Rules:
    settings = context.bot_data.get("settings")
    return Rules.from_settings(settings) if settings is not None else Rules()


def draft(context: ContextTypes.DEFAULT_TYPE) -> dict:
    return context.user_data.setdefault(DRAFT, {})


def is_yes(text: str) -> bool | None:
    word = " ".join(text.lower().split())
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    return None


def keyboard(rows: list[list[tuple[str, object]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=MKT.encode(value))
                                  for label, value in row] for row in rows])


def confirm_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return keyboard([[(t(CONFIRM), ConfirmPressed("yes")), (t(CANCEL), ConfirmPressed("no"))]])


async def project_named(text: str) -> Project | None:
    code = text.strip().upper()
    if not code or len(code) > 12:
        return None
    return await Project.get_or_none(code=code, status="approved")


# ---- the market and a book ----

async def show_market(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/market: every project with best bid and ask, last price, 24 h volume."""
    user, t = await member(update, context)
    if user is None:
        return
    lines = await book.overview(now=now_of(context))
    if not lines:
        await show(update, t(NO_PROJECTS))
        return
    text = [t(OVERVIEW_TITLE)]
    for line in lines:
        text.append(t(OVERVIEW_LINE, code=line.project_code, name=line.project_name, bid=stars(t, line.best_bid),
                      ask=stars(t, line.best_ask), last=stars(t, line.last_price_per_t),
                      volume=t.tonnes_and_kg(line.volume_24h_kg)))
    rows = [[(f"{line.project_code} · {line.project_name}"[:40], BookPressed(line.project_id))] for line in lines[:20]]
    await show(update, "\n".join(text), keyboard(rows))


def _level_lines(t: Translator, levels) -> list[str]:
    if not levels:
        return [t(EMPTY_SIDE)]
    return [t(LEVEL, price=stars(t, lvl.price_per_t), amount=t.tonnes_and_kg(lvl.amount_kg), n=lvl.offers)
            for lvl in levels]


async def on_book_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: BookPressed) -> None:
    """A project's book: top 5 levels each side, take buttons, Buy / Sell / Alert, the chart."""
    user, t = await member(update, context)
    if user is None:
        return
    project = await Project.get_or_none(id=pressed.project_id)
    if project is None:
        await answer(update, t(STALE), alert=True)
        return
    view = await book.book(project.id, now=now_of(context))
    text = [t(BOOK_TITLE, name=project.name, code=project.code), t(ASKS), *_level_lines(t, view.asks),
            t(BIDS), *_level_lines(t, view.bids)]
    if view.last_price_per_t is not None:
        text.append(t(LAST_PRICE, price=stars(t, view.last_price_per_t)))
    rows = []
    for lvl in view.asks[:3]:
        rows.append([(t(TAKE_BUTTON, side=t(SIDE_BUY), price=stars(t, lvl.price_per_t)), TakePressed(lvl.first_offer_id))])
    for lvl in view.bids[:3]:
        rows.append([(t(TAKE_BUTTON, side=t(SIDE_SELL), price=stars(t, lvl.price_per_t)), TakePressed(lvl.first_offer_id))])
    rows.append([(t(BUY_BUTTON), NewPressed("buy", project.id)), (t(SELL_BUTTON), NewPressed("sell", project.id)),
                 (t(ALERT_BUTTON), NewPressed("alert", project.id))])
    await show(update, "\n".join(text), keyboard(rows))
    await send_chart(update, context, t, project)


def draw_chart(points: list[tuple[datetime, int, int]], title: str) -> bytes:
    """A PNG of trade prices over time with volume bars (matplotlib, Agg; run off the loop)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 3.4), dpi=100)
    price_axes = figure.add_subplot(111)
    times = [p[0] for p in points]
    price_axes.step(times, [p[1] for p in points], where="post", color="#1b7f3b", linewidth=2, marker="o",
                    markersize=3)
    price_axes.set_ylabel("Stars per tonne")
    price_axes.set_title(title)
    price_axes.grid(True, alpha=0.3)
    volume_axes = price_axes.twinx()
    span = (times[-1] - times[0]).total_seconds() / 86_400 if len(times) > 1 else 0.03
    volume_axes.bar(times, [p[2] / 1000 for p in points], width=max(span / max(len(points), 1) * 0.6, 0.002), alpha=0.25,
                    color="#555555")
    volume_axes.set_ylabel("tonnes traded")
    figure.autofmt_xdate()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


async def send_chart(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, project: Project) -> None:
    points = await book.price_history(project.id)
    if not points:
        await update.effective_chat.send_message(t(NO_CHART))
        return
    png = await asyncio.to_thread(draw_chart, points, f"{project.name} ({project.code})")
    await update.effective_chat.send_photo(png, caption=t(CHART_CAPTION, name=project.name))


# ---- posting an offer or an alert: project, amount, price, confirm ----

async def start_sell(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int | None:
    """/sell: choose the project, amount and price of a sell offer."""
    return await _start(update, context, "sell")


async def start_bid(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int | None:
    """/bid: choose the project, amount and maximum price of a buy offer."""
    return await _start(update, context, "buy")


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE, what: str) -> int | None:
    user, t = await member(update, context)
    if user is None:
        return ConversationHandler.END
    context.user_data[DRAFT] = {"what": what}
    lines = await book.overview(now=now_of(context))
    rows = [[(f"{line.project_code} · {line.project_name}"[:40], NewPressed(what, line.project_id))]
            for line in lines[:20]]
    await show(update, t(CHOOSE_PROJECT), keyboard(rows) if rows else None)
    return Step.PROJECT


async def on_new_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: NewPressed) -> int | None:
    """Buy / Sell / Alert on a book, or a project chosen in /sell and /bid."""
    user, t = await member(update, context)
    if user is None:
        return ConversationHandler.END
    project = await Project.get_or_none(id=pressed.project_id, status="approved")
    if project is None:
        await answer(update, t(STALE), alert=True)
        return ConversationHandler.END
    context.user_data[DRAFT] = {"what": pressed.what}
    return await _project_chosen(update, context, t, project)


async def on_project_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int | None:
    t = await tr(update, context)
    project = await project_named(update.effective_message.text)
    if project is None:
        await update.effective_message.reply_text(t(UNKNOWN_PROJECT, text=echo(update.effective_message.text)))
        return Step.PROJECT
    return await _project_chosen(update, context, t, project)


async def _project_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, project: Project) -> int:
    d = draft(context)
    d.update(project_id=project.id, name=project.name)
    if d.get("what") == "alert":
        await show(update, t(ASK_ALERT_PRICE, name=project.name))
        return Step.PRICE
    rows = [[(t.tonnes_and_kg(kg), AmountPressed(kg)) for kg in AMOUNT_BUTTONS_KG]]
    await show(update, t(ASK_AMOUNT), keyboard(rows))
    return Step.AMOUNT


async def on_amount_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: AmountPressed) -> int:
    return await _amount_chosen(update, context, pressed.amount_kg)


async def on_amount_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    return await _amount_chosen(update, context, parse_amount_kg(update.effective_message.text))


async def _amount_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE, amount_kg: int) -> int:
    t = await tr(update, context)
    draft(context)["amount_kg"] = amount_kg
    await show(update, t(ASK_PRICE))
    return Step.PRICE


async def on_price_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    t = await tr(update, context)
    d = draft(context)
    price = parse_price_per_t(update.effective_message.text)
    if d.get("what") == "alert":
        await alerts.create_alert(update.effective_user.id, price, project_id=d["project_id"], now=now_of(context))
        await update.effective_message.reply_text(t(ALERT_SET, name=d["name"], price=stars(t, price)))
        context.user_data.pop(DRAFT, None)
        return ConversationHandler.END
    if "amount_kg" not in d:  # a late message after a restart of the flow
        return await _start(update, context, d.get("what", "sell"))
    d["price"] = price
    total = book.trade_value(d["amount_kg"], price)
    if d["what"] == "sell":
        fee = book.fee_of(total, rules_of(context).fee_bps)
        text = t(CONFIRM_SELL, amount=t.tonnes_and_kg(d["amount_kg"]), name=d["name"], price=stars(t, price),
                 total=stars(t, total), fee=stars(t, fee), held=t.tonnes_and_kg(d["amount_kg"]))
    else:
        text = t(CONFIRM_BID, amount=t.tonnes_and_kg(d["amount_kg"]), name=d["name"], price=stars(t, price),
                 total=stars(t, total), held=stars(t, total))
    await update.effective_message.reply_text(text, reply_markup=confirm_keyboard(t))
    return Step.CONFIRM


async def on_confirm_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: ConfirmPressed) -> int:
    return await _confirmed(update, context, pressed.answer == "yes")


async def _yes_or_no_typed(update: Update, context: ContextTypes.DEFAULT_TYPE, step: int, then) -> int:
    """A typed yes or no at a confirmation; anything else asks again and stays at `step`."""
    verdict = is_yes(update.effective_message.text)
    if verdict is None:
        t = await tr(update, context)
        await update.effective_message.reply_text(t(CONFIRM_HINT))
        return step
    return await then(update, context, verdict)


async def on_confirm_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    return await _yes_or_no_typed(update, context, Step.CONFIRM, _confirmed)


async def _confirmed(update: Update, context: ContextTypes.DEFAULT_TYPE, is_confirmed: bool) -> int:
    t = await tr(update, context)
    d = context.user_data.get(DRAFT) or {}
    if not is_confirmed or not {"project_id", "amount_kg", "price"} <= d.keys():
        context.user_data.pop(DRAFT, None)
        await show(update, t(CANCELLED))
        return ConversationHandler.END
    user_id = update.effective_user.id
    # A refusal (not enough credits, outside the band...) leaves the draft: fix it or /cancel.
    key = f"market:offer:{user_id}:{update.update_id}"
    args = dict(key=key, rules=rules_of(context), now=now_of(context))
    if d["what"] == "sell":
        result = await book.place_sell(user_id, d["project_id"], d["amount_kg"], d["price"], **args)
    else:
        result = await book.place_bid(user_id, d["amount_kg"], d["price"], project_id=d["project_id"], **args)
    context.user_data.pop(DRAFT, None)
    offer = result.offer
    filled = sum(tr_.amount_kg for tr_ in result.trades)
    if offer.status == "open" and not filled:
        text = t(PLACED, id=offer.id, remaining=t.tonnes_and_kg(offer.remaining_kg), price=stars(t, offer.price_per_t))
    elif offer.status == "open":
        text = t(PLACED_PARTLY, id=offer.id, filled=t.tonnes_and_kg(filled), remaining=t.tonnes_and_kg(offer.remaining_kg))
    elif offer.remaining_kg == 0:
        text = t(PLACED_FILLED, id=offer.id, filled=t.tonnes_and_kg(filled))
    else:
        text = t(PLACED_RELEASED, id=offer.id, filled=t.tonnes_and_kg(filled))
    await show(update, text)
    await _drain(context)
    return ConversationHandler.END


async def _drain(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the notifications this step wrote (fills to the other side, alerts) at once."""
    from bot.outbox import drain

    await drain(context.application)


# ---- taking from the book ----

async def on_take_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: TakePressed) -> int:
    """A take button: the offer card with the trader's reputation, then the amount."""
    user, t = await member(update, context)
    if user is None:
        return ConversationHandler.END
    try:
        offer = await book.get_offer(pressed.offer_id)
    except OfferGone:
        offer = None
    if offer is None or offer.status != "open" or (offer.expires_at and offer.expires_at <= now_of(context)):
        await answer(update, t(OFFER_GONE), alert=True)
        return ConversationHandler.END
    project = await Project.get(id=offer.project_id) if offer.project_id else None
    rep = await book.reputation(offer.user_id)
    context.user_data[DRAFT] = {"offer_id": offer.id, "price": offer.price_per_t, "side": offer.side,
                                "name": project.name if project else "", "remaining": offer.remaining_kg,
                                "min": min(offer.min_fill_kg, offer.remaining_kg)}
    card = t(OFFER_CARD, id=offer.id, side=t(SIDE_SELL if offer.side == Side.SELL else SIDE_BUY),
             amount=t.tonnes_and_kg(offer.remaining_kg), name=project.name if project else "",
             price=stars(t, offer.price_per_t), trades=rep.trades, volume=t.tonnes_and_kg(rep.volume_kg))
    text = card + "\n" + t(TAKE_ASK_AMOUNT, min=t.tonnes_and_kg(min(offer.min_fill_kg, offer.remaining_kg)))
    rows = [[(t(ALL_BUTTON, amount=t.tonnes_and_kg(offer.remaining_kg)), AmountPressed(offer.remaining_kg))]]
    await update.effective_chat.send_message(text, reply_markup=keyboard(rows))
    return Step.TAKE_AMOUNT


async def on_take_amount_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: AmountPressed) -> int:
    return await _take_amount(update, context, pressed.amount_kg)


async def on_take_amount_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    return await _take_amount(update, context, parse_amount_kg(update.effective_message.text))


async def _take_amount(update: Update, context: ContextTypes.DEFAULT_TYPE, amount_kg: int) -> int:
    t = await tr(update, context)
    d = draft(context)
    if "offer_id" not in d:
        await show(update, t(STALE))
        return ConversationHandler.END
    d["amount_kg"] = amount_kg
    offer = await book.Offer.get(id=d["offer_id"])
    value, fee = book.maker_cost(offer, min(amount_kg, offer.remaining_kg), rules_of(context).fee_bps)
    verb = VERB_BUY if d["side"] == Side.SELL else VERB_SELL
    text = t(CONFIRM_TAKE, verb=t(verb), amount=t.tonnes_and_kg(amount_kg), name=d["name"],
             price=stars(t, d["price"]), total=stars(t, value), fee=stars(t, fee if d["side"] == Side.BUY else 0))
    await show(update, text, confirm_keyboard(t))
    return Step.TAKE_CONFIRM


async def on_take_confirm_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: ConfirmPressed) -> int:
    return await _take(update, context, pressed.answer == "yes")


async def on_take_confirm_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    return await _yes_or_no_typed(update, context, Step.TAKE_CONFIRM, _take)


async def _take(update: Update, context: ContextTypes.DEFAULT_TYPE, is_confirmed: bool) -> int:
    t = await tr(update, context)
    d = context.user_data.pop(DRAFT, {})
    if not is_confirmed or not {"offer_id", "amount_kg", "price"} <= d.keys():
        await show(update, t(CANCELLED))
        return ConversationHandler.END
    user_id = update.effective_user.id
    try:
        trade = await book.take_offer(user_id, d["offer_id"], d["amount_kg"], price_per_t=d["price"],
                                      key=f"market:take:{user_id}:{update.update_id}", rules=rules_of(context),
                                      now=now_of(context))
    except BookMoved as moved:
        await show(update, t(BOOK_MOVED, remaining=t.tonnes_and_kg(moved.params["remaining_kg"]),
                             price=stars(t, moved.params["price_per_t"])))
        return ConversationHandler.END
    except OfferGone:
        await show(update, t(OFFER_GONE))
        return ConversationHandler.END
    await show(update, t(TAKEN, amount=t.tonnes_and_kg(trade.amount_kg), price=stars(t, trade.price_per_t),
                         total=stars(t, trade.value_xtr), serials=", ".join(trade.serials)))
    await _drain(context)
    return ConversationHandler.END


# ---- top-up ----

async def start_topup(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int | None:
    """/topup [amount]: a Stars invoice that credits the wallet."""
    user, t = await member(update, context)
    if user is None:
        return ConversationHandler.END
    if context.args:
        await _send_topup(update, context, t, parse_stars(" ".join(context.args)))
        return ConversationHandler.END
    rows = [[(stars(t, n), TopUpPressed(n)) for n in TOPUP_BUTTONS]]
    await show(update, t(TOPUP_ASK), keyboard(rows))
    return Step.TOPUP


async def on_topup_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: TopUpPressed) -> int:
    t = await tr(update, context)
    await _send_topup(update, context, t, pressed.amount)
    return ConversationHandler.END


async def on_topup_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    t = await tr(update, context)
    await _send_topup(update, context, t, parse_stars(update.effective_message.text))
    return ConversationHandler.END


async def _send_topup(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, amount: int) -> None:
    order = await wallet.start_topup(update.effective_user.id, amount, now=now_of(context))
    title = t(TOPUP_TITLE)
    await show(update, t(TOPUP_SENT))
    await update.effective_chat.send_invoice(
        title=title, description=t(TOPUP_DESCRIPTION, amount=stars(t, amount))[:255], payload=order.payload,
        currency=STARS, prices=[LabeledPrice(title, amount)], provider_token="",
    )


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    t = await tr(update, context)
    had = context.user_data.pop(DRAFT, None)
    await show(update, t(CANCELLED if had else NOTHING_TO_CANCEL))
    return ConversationHandler.END


# ---- lists: offers, trades, alerts, wallet ----

async def show_offers(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/offers: my open offers, each with a cancel button."""
    user, t = await member(update, context)
    if user is None:
        return
    offers = await book.offers_of(update.effective_user.id)
    if not offers:
        await show(update, t(NO_OFFERS))
        return
    lines = [t(MY_OFFERS)]
    rows = []
    for o in offers:
        held = t.tonnes_and_kg(o.held) if o.side == Side.SELL else stars(t, o.held)
        lines.append(t(MY_OFFER, id=o.id, side=t(SIDE_SELL if o.side == Side.SELL else SIDE_BUY),
                       remaining=t.tonnes_and_kg(o.remaining_kg), amount=t.tonnes_and_kg(o.amount_kg),
                       price=stars(t, o.price_per_t), held=held))
        rows.append([(t(CANCEL_OFFER, id=o.id), CancelOfferPressed(o.id))])
    await show(update, "\n".join(lines), keyboard(rows))


async def on_cancel_offer_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: CancelOfferPressed) -> None:
    t = await tr(update, context)
    try:
        await book.cancel_offer(update.effective_user.id, pressed.offer_id, now=now_of(context))
    except OfferGone:
        await answer(update, t(OFFER_GONE), alert=True)
        return
    await answer(update, t(OFFER_CANCELLED, id=pressed.offer_id))
    await show_offers(update, context)
    await _drain(context)


async def show_trades(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/trades: my trades with the serial ranges that moved."""
    user, t = await member(update, context)
    if user is None:
        return
    trades = await book.trades_of(update.effective_user.id)
    if not trades:
        await show(update, t(NO_TRADES))
        return
    lines = [t(MY_TRADES)]
    for trade in trades:
        side = SIDE_SELL if trade.seller_id == update.effective_user.id else SIDE_BUY
        lines.append(t(TRADE_LINE, date=t.date(trade.created_at), side=t(side), amount=t.tonnes_and_kg(trade.amount_kg),
                       price=stars(t, trade.price_per_t), total=stars(t, trade.value_xtr),
                       serials=", ".join(trade.serials)))
    await show(update, "\n".join(lines))


async def show_alerts(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/alerts: my alerts, each with a delete button."""
    user, t = await member(update, context)
    if user is None:
        return
    mine = await alerts.alerts_of(update.effective_user.id)
    if not mine:
        await show(update, t(NO_ALERTS))
        return
    lines, rows = [t(MY_ALERTS)], []
    for n, alert in enumerate(mine, 1):
        project = await Project.get_or_none(id=alert.project_id) if alert.project_id else None
        what = project.name if project else (alert.project_type or alert.country or "").replace("_", " ")
        lines.append(f"{n}. " + t(ALERT_LINE, what=what, price=stars(t, alert.max_price_per_t)))
        rows.append([(t(DELETE_ALERT, n=n), DeleteAlertPressed(alert.id))])
    await show(update, "\n".join(lines), keyboard(rows))


async def on_delete_alert_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: DeleteAlertPressed) -> None:
    t = await tr(update, context)
    if not await alerts.delete_alert(update.effective_user.id, pressed.alert_id):
        await answer(update, t(STALE), alert=True)
        return
    await answer(update, t(ALERT_DELETED))
    await show_alerts(update, context)


async def add_alert(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/alert CODE PRICE: tell me of each new offer of that project at or under the price."""
    user, t = await member(update, context)
    if user is None:
        return
    if len(context.args) < 2:
        await update.effective_message.reply_text(t(ALERT_USAGE))
        return
    project = await project_named(context.args[0])
    # "/alert reforestation 900": every project of a type (core.registry ProjectType values)
    kind = context.args[0].strip().lower().replace("-", "_")
    if project is None and kind not in {k.value for k in ProjectType}:
        await update.effective_message.reply_text(t(UNKNOWN_PROJECT, text=echo(context.args[0])))
        return
    price = parse_price_per_t(" ".join(context.args[1:]))
    if project is None:
        await alerts.create_alert(update.effective_user.id, price, project_type=kind, now=now_of(context))
        name = kind.replace("_", " ")
    else:
        await alerts.create_alert(update.effective_user.id, price, project_id=project.id, now=now_of(context))
        name = project.name
    await update.effective_message.reply_text(t(ALERT_SET, name=name, price=stars(t, price)))


async def show_wallet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/wallet: Stars balance, held and available."""
    user, t = await member(update, context)
    if user is None:
        return
    mine = await wallet.wallet(update.effective_user.id)
    await show(update, t(WALLET, balance=stars(t, mine.balance_xtr), held=stars(t, mine.held_xtr),
                         available=stars(t, mine.available_xtr)))


async def request_withdrawal(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/withdraw AMOUNT: a request staff settle outside the bot; its Stars are held."""
    user, t = await member(update, context)
    if user is None:
        return
    if not context.args:
        await update.effective_message.reply_text(t(WITHDRAW_USAGE))
        return
    amount = parse_stars(" ".join(context.args))
    await wallet.request_withdrawal(update.effective_user.id, amount,
                                    key=f"market:withdraw:{update.effective_user.id}:{update.update_id}",
                                    now=now_of(context))
    await update.effective_message.reply_text(t(WITHDRAW_RECORDED, amount=stars(t, amount)))


# ---- renderers (the outbox) ----

async def render_fill(bot: Bot, bot_data: Mapping, t: Translator, message: OutboxMessage) -> None:
    p = message.params
    args = dict(amount=t.tonnes_and_kg(p["amount_kg"]), project=p["project"], price=stars(t, p["price_per_t"]),
                value=stars(t, p["value"]), fee=stars(t, p["fee"]))
    text = t(FILL_SOLD if p["side"] == "sell" else FILL_BOUGHT, **args)
    if p.get("remaining_kg"):
        text += "\n" + t(FILL_LEFT, remaining=t.tonnes_and_kg(p["remaining_kg"]))
    await bot.send_message(message.chat_id, text)


async def render_closed(bot: Bot, bot_data: Mapping, t: Translator, message: OutboxMessage) -> None:
    p = message.params
    text = CLOSED_EXPIRED if p["status"] == "expired" else CLOSED_CANCELLED
    await bot.send_message(message.chat_id, t(text, id=p["offer"], remaining=t.tonnes_and_kg(p["remaining_kg"])))


async def render_alert(bot: Bot, bot_data: Mapping, t: Translator, message: OutboxMessage) -> None:
    p = message.params
    text = t(ALERT_HIT, amount=t.tonnes_and_kg(p["amount_kg"]), project=p["project"], vintage=p["vintage"],
             price=stars(t, p["price_per_t"]), max=stars(t, p["max_price_per_t"]))
    markup = keyboard([[(t(TAKE_BUTTON, side=t(SIDE_BUY), price=stars(t, p["price_per_t"])), TakePressed(p["offer"]))]])
    await bot.send_message(message.chat_id, text, reply_markup=markup)


async def render_topup(bot: Bot, bot_data: Mapping, t: Translator, message: OutboxMessage) -> None:
    await bot.send_message(message.chat_id, t(TOPUP_DONE, amount=stars(t, message.params["amount"])))


async def render_withdrawal(bot: Bot, bot_data: Mapping, t: Translator, message: OutboxMessage) -> None:
    p = message.params
    text = WITHDRAWAL_PAID if p["status"] == "paid" else WITHDRAWAL_REJECTED
    await bot.send_message(message.chat_id, t(text, amount=stars(t, p["amount"])))


RENDERERS: dict[str, Renderer] = {
    "market_fill": render_fill,
    "market_closed": render_closed,
    "market_alert": render_alert,
    "market_topup": render_topup,
    "market_withdrawal": render_withdrawal,
}


async def expire_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Close the offers whose time is up; their owners hear of it through the outbox."""
    await book.expire_offers(now=now_of(context))


# ---- wiring ----

def market_conversation(wiring: Wiring) -> ConversationHandler:
    text = wiring.typed_text
    restart = [CommandHandler("sell", start_sell), CommandHandler("bid", start_bid),
               CommandHandler("topup", start_topup), MKT.handler(NewPressed, on_new_pressed, stale=STALE),
               MKT.handler(TakePressed, on_take_pressed, stale=STALE)]
    return ConversationHandler(
        entry_points=restart,
        states={
            Step.PROJECT: [*restart, MessageHandler(text, on_project_typed)],
            Step.AMOUNT: [*restart, MKT.handler(AmountPressed, on_amount_pressed, stale=STALE),
                          MessageHandler(text, on_amount_typed)],
            Step.PRICE: [*restart, MessageHandler(text, on_price_typed)],
            Step.CONFIRM: [*restart, MKT.handler(ConfirmPressed, on_confirm_pressed, stale=STALE),
                           MessageHandler(text, on_confirm_typed)],
            Step.TAKE_AMOUNT: [*restart, MKT.handler(AmountPressed, on_take_amount_pressed, stale=STALE),
                               MessageHandler(text, on_take_amount_typed)],
            Step.TAKE_CONFIRM: [*restart, MKT.handler(ConfirmPressed, on_take_confirm_pressed, stale=STALE),
                                MessageHandler(text, on_take_confirm_typed)],
            Step.TOPUP: [*restart, MKT.handler(TopUpPressed, on_topup_pressed, stale=STALE),
                         MessageHandler(text, on_topup_typed)],
        },
        fallbacks=[CommandHandler("cancel", cancel), MKT.stale_handler(STALE)],
        name="market",
        persistent=True,
    )


def handlers(wiring: Wiring) -> list:
    return [
        CommandHandler("market", show_market),
        CommandHandler("offers", show_offers),
        CommandHandler("trades", show_trades),
        CommandHandler("alerts", show_alerts),
        CommandHandler("alert", add_alert),
        CommandHandler("wallet", show_wallet),
        CommandHandler("withdraw", request_withdrawal),
        MKT.handler(BookPressed, on_book_pressed, stale=STALE),
        MKT.handler(CancelOfferPressed, on_cancel_offer_pressed, stale=STALE),
        MKT.handler(DeleteAlertPressed, on_delete_alert_pressed, stale=STALE),
        MKT.stale_handler(STALE),
    ]


MARKET_MENU = N_("📈 Market")


FEATURE = Feature(
    name="market",
    menu_items=[menu.MenuItem(MARKET_MENU, show_market, roles=frozenset({UserRole.TRADER.value}), order=30)],
    conversations=[market_conversation],
    handlers=handlers,
    commands=[
        Command("market", N_("Order books and prices"), order=40),
        Command("sell", N_("Offer credits for sale"), order=41),
        Command("bid", N_("Offer to buy credits"), order=42),
        Command("offers", N_("Your open offers"), order=43),
        Command("trades", N_("Your trades"), order=44),
        Command("alerts", N_("Your price alerts"), order=45),
        Command("wallet", N_("Your Stars wallet"), order=46),
        Command("topup", N_("Add Stars to your wallet"), order=47),
    ],
    error_texts=ERROR_TEXTS,
    jobs=[Job("market_expiry", expire_job, timedelta(minutes=1))],
    outbox_renderers=RENDERERS,
    codecs=[MKT],
)
