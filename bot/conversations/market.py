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
from bot.callbacks import Codec, one_of, part, token, whole
from bot.clock import now_of
from bot.feature import Command, Feature, Job, Wiring
from bot.i18n import N_, Translator, tr, translator
from bot.members import member
from bot.outbox import Renderer
from bot.replies import answer, echo, show
from core.errors import InputError
from core.i18n import LANGUAGES
from core.ledger import STARS
from core.market import alerts, book, terms, wallet
from core.market.errors import BookMoved, OfferGone
from core.market.models import OfferStatus, Side
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
CHOOSE_PROJECT_OR_TYPE = N_(
    "Which project? Press one or type its code. Or press “Any project of a type…”, or type a type such as "
    "“reforestation”."
)
ANY_PROJECT_BUTTON = N_("🔎 Any project of a type…")
CHOOSE_TYPE = N_("Any project of which type? Press one or type it.")
ASK_COUNTRY = N_("Only projects in one country? Type it (for example DE or Germany), or press “Any country”.")
ANY_COUNTRY_BUTTON = N_("🌍 Any country")
ASK_VINTAGE = N_(
    "Which vintages? Type a year or a range (for example 2020 or 2018-2022), or press “Any vintage”."
)
ANY_VINTAGE_BUTTON = N_("Any vintage")
# The project types (core.registry.methodologies.ProjectType), as buttons and in what a filter bid accepts.
TYPE_LABELS = {
    ProjectType.REFORESTATION.value: N_("Reforestation"),
    ProjectType.LANDFILL_METHANE.value: N_("Landfill methane"),
    ProjectType.PIPELINE_LEAK_REPAIR.value: N_("Pipeline leak repair"),
    ProjectType.SF6_DESTRUCTION.value: N_("SF6 destruction"),
}
FILTER_TYPE = N_("type: {type}")
FILTER_COUNTRY = N_("country: {country}")
FILTER_VINTAGE = N_("vintage: {vintage}")
VINTAGE_FROM = N_("{year} or later")
VINTAGE_UP_TO = N_("up to {year}")
ANY_PROJECT_OF = N_("any project ({filters})")
UNKNOWN_PROJECT = N_("I do not know the project “{text}”. Press one of the buttons or type its code.")
ASK_AMOUNT = N_("How much? Press an amount or type one, for example 1.5 t or 250 kg.")
ASK_PRICE = N_("Price per tonne in Stars? Type it, for example 900.")
ASK_ALERT_PRICE = N_("Tell you when {name} sells at or under which price per tonne? Type it, for example 900.")
CONFIRM_SELL = N_(
    "Sell {amount} of {name} at {price} per tonne.\nTotal: {total}\nFee: {fee} (paid from the proceeds)\n"
    "Held while it is on the book: {held}"
)
CONFIRM_BID = N_(
    "Buy {amount} of {name} at up to {price} per tonne.\nTotal at most: {total}\n"
    "Held from your wallet while it is on the book: {held}"
)
CONFIRM_FILTER_BID = N_(
    "Buy {amount} at up to {price} per tonne from any project that matches: {filters}.\nTotal at most: {total}\n"
    "Held from your wallet while it is on the book: {held}"
)
STANDS_UNTIL_CANCELLED = N_("⏳ On the book until you cancel it")
STANDS_UNTIL = N_("⏳ On the book until {moment}")
FILLS_ANY = N_("🧩 Fills in parts of any size")
FILLS_ALL = N_("🧩 All or nothing: fills only as a whole")
FILLS_MIN = N_("🧩 Fills only in parts of at least {min}")
CONFIRM_TERMS = N_(
    "Change these with the buttons, or type for example “7 days”, “all or nothing” or “min 500 kg”. Confirm?"
)
DURATION_BUTTONS = {24: N_("1 day"), 7 * 24: N_("7 days"), 30 * 24: N_("30 days"),
                    terms.UNTIL_CANCELLED: N_("Until cancelled")}
ANY_AMOUNT_BUTTON = N_("Any amount")
ALL_OR_NOTHING_BUTTON = N_("All or nothing")
MIN_FILL_BUTTON = N_("Minimum…")
ASK_MIN_FILL = N_("The smallest part that may fill at once? Type an amount, for example 500 kg (at most {amount}).")
CONFIRM = N_("✅ Confirm")
CANCEL = N_("✖️ Cancel")
CONFIRM_HINT = N_("Please press Confirm or type “yes”, or /cancel.")
CONFIRM_TERMS_HINT = N_(
    "Please press Confirm or type “yes”, or /cancel. To change the terms, type for example “7 days” or "
    "“all or nothing”."
)
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
MY_OFFER = N_("#{id} {side} {remaining} of {amount} · {what} · {price}/t · holds {held}")
MY_OFFER_TERMS = N_("   {stands} · {fills}")
SHORT_UNTIL_CANCELLED = N_("until cancelled")
SHORT_EXPIRES = N_("⏳ until {moment}")
SHORT_ANY = N_("any part")
SHORT_ALL = N_("all or nothing")
SHORT_MIN = N_("parts of at least {min}")
MY_EXPIRED = N_("Expired lately:")
MY_EXPIRED_OFFER = N_("#{id} {side} {remaining} of {amount} · {what} · {price}/t · ⌛ expired {moment}")
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
CLOSED_CANCELLED_BID = N_("Your buy offer #{id} is cancelled; {released} are free in your wallet again.")
CLOSED_EXPIRED_BID = N_("Your buy offer #{id} expired; {released} are free in your wallet again.")
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
    "duration_unknown": N_("I could not read “{text}” as a time. Type for example 7 days or 24 h, or press a button."),
    "duration_out_of_range": N_("An offer stands from 1 hour to {maximum_days} days."),
    "min_fill_unknown": N_("Please type an amount, for example 500 kg, or press a button."),
    "min_fill_above_amount": N_("The minimum fill cannot be more than the offer itself ({amount})."),
    "project_type_unknown": N_("I do not know the project type “{text}”. Press one of the buttons."),
    "market_unknown_country": N_(
        "I do not know the country “{text}”. Type its code (for example DE) or its name, or press “Any country”."),
    "vintage_unknown": N_(
        "Please type a year or a range, for example 2020 or 2018-2022, or press “Any vintage”."),
    "vintage_out_of_range": N_("A vintage is a year from {minimum} to {maximum}."),
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


@MKT.kind("anyp")
@dataclass(frozen=True)
class AnyProjectPressed:
    """In /bid: any project of a type (a filter bid) instead of one project."""


@MKT.kind("ptype")
@dataclass(frozen=True)
class TypePressed:
    project_type: str = part(one_of(*TYPE_LABELS))


@MKT.kind("ctry")
@dataclass(frozen=True)
class CountryPressed:
    country: str = part(token(r"[A-Z]{2}|any"))


@MKT.kind("vint")
@dataclass(frozen=True)
class AnyVintagePressed:
    """Any vintage: the filter bid's last, optional step."""


@MKT.kind("dur")
@dataclass(frozen=True)
class DurationPressed:
    hours: int = part(whole(0, terms.MAX_DURATION_H))


@MKT.kind("minf")
@dataclass(frozen=True)
class MinFillPressed:
    choice: str = part(one_of(terms.ANY, terms.ALL, "ask"))


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
    # added after the first seven: a stored conversation keeps its step's number
    FILTER_TYPE = auto()
    FILTER_COUNTRY = auto()
    FILTER_VINTAGE = auto()
    MIN_FILL = auto()


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


def type_label(t: Translator, project_type: str | None) -> str:
    label = TYPE_LABELS.get(project_type or "")
    return t(label) if label else (project_type or "").replace("_", " ")


def type_names() -> dict[str, list[str]]:
    """Every project type's names in every language: what a person may type for it."""
    return {kind: [translator(language)(label) for language in LANGUAGES] for kind, label in TYPE_LABELS.items()}


def country_label(t: Translator, code: str) -> str:
    from babel import Locale

    return Locale.parse(t.language).territories.get(code) or code


def vintage_label(t: Translator, low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return str(low) if low == high else f"{low}–{high}"
    return t(VINTAGE_FROM, year=low) if low is not None else t(VINTAGE_UP_TO, year=high)


def filters_label(t: Translator, project_type: str | None = None, country: str | None = None,
                  vintage_from: int | None = None, vintage_to: int | None = None) -> str:
    """What a filter bid accepts, in words: "type: Reforestation, country: Germany, vintage: 2020 or later"."""
    parts = []
    if project_type:
        parts.append(t(FILTER_TYPE, type=type_label(t, project_type)))
    if country:
        parts.append(t(FILTER_COUNTRY, country=country_label(t, country)))
    if vintage_from is not None or vintage_to is not None:
        parts.append(t(FILTER_VINTAGE, vintage=vintage_label(t, vintage_from, vintage_to)))
    return ", ".join(parts)


def terms_lines(t: Translator, hours: int, min_fill: terms.MinFill, now: datetime) -> list[str]:
    """The confirmation's lines for how long the offer stands and how it fills."""
    expires = terms.expiry_of(hours, now)
    stands = t(STANDS_UNTIL_CANCELLED) if expires is None else t(STANDS_UNTIL, moment=t.moment(expires))
    if min_fill == terms.ANY:
        fills = t(FILLS_ANY)
    elif min_fill == terms.ALL:
        fills = t(FILLS_ALL)
    else:
        fills = t(FILLS_MIN, min=t.tonnes_and_kg(min_fill))
    return [stands, fills]


def terms_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return keyboard([
        [(t(CONFIRM), ConfirmPressed("yes")), (t(CANCEL), ConfirmPressed("no"))],
        [(t(DURATION_BUTTONS[h]), DurationPressed(h)) for h in terms.DURATION_CHOICES_H],
        [(t(ANY_AMOUNT_BUTTON), MinFillPressed(terms.ANY)), (t(ALL_OR_NOTHING_BUTTON), MinFillPressed(terms.ALL)),
         (t(MIN_FILL_BUTTON), MinFillPressed("ask"))],
    ])


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
    if what == "buy":
        rows.append([(t(ANY_PROJECT_BUTTON), AnyProjectPressed())])
    await show(update, t(CHOOSE_PROJECT_OR_TYPE if what == "buy" else CHOOSE_PROJECT), keyboard(rows) if rows else None)
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
    """A project's code; in /bid also a project type ("reforestation"), for a filter bid."""
    t = await tr(update, context)
    text = update.effective_message.text
    project = await project_named(text)
    if project is not None:
        return await _project_chosen(update, context, t, project)
    if draft(context).get("what") == "buy":
        try:
            kind = terms.parse_project_type(text, type_names())
        except InputError:
            kind = None
        if kind is not None:
            return await _type_chosen(update, context, t, kind)
    await update.effective_message.reply_text(t(UNKNOWN_PROJECT, text=echo(text)))
    return Step.PROJECT


async def _project_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, project: Project) -> int:
    d = draft(context)
    d.update(project_id=project.id, name=project.name)
    d.pop("filters", None)
    if d.get("what") == "alert":
        await show(update, t(ASK_ALERT_PRICE, name=project.name))
        return Step.PRICE
    return await _ask_amount(update, t)


async def _ask_amount(update: Update, t: Translator) -> int:
    rows = [[(t.tonnes_and_kg(kg), AmountPressed(kg)) for kg in AMOUNT_BUTTONS_KG]]
    await show(update, t(ASK_AMOUNT), keyboard(rows))
    return Step.AMOUNT


# ---- a filter bid: any project of a type, optionally of a country and vintages ----

def _is_bid(context: ContextTypes.DEFAULT_TYPE, pressed: object = None) -> bool:
    return draft(context).get("what") == "buy"


def _is_filter_bid(context: ContextTypes.DEFAULT_TYPE, pressed: object = None) -> bool:
    return _is_bid(context) and "filters" in draft(context)


async def on_any_project_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE,
                                 pressed: AnyProjectPressed) -> int:
    """"Any project of a type…": the type buttons."""
    t = await tr(update, context)
    rows = [[(t(label), TypePressed(kind))] for kind, label in TYPE_LABELS.items()]
    await show(update, t(CHOOSE_TYPE), keyboard(rows))
    return Step.FILTER_TYPE


async def on_type_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: TypePressed) -> int:
    return await _type_chosen(update, context, await tr(update, context), pressed.project_type)


async def on_type_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    t = await tr(update, context)
    return await _type_chosen(update, context, t, terms.parse_project_type(update.effective_message.text, type_names()))


async def _type_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, project_type: str) -> int:
    d = draft(context)
    for key in ("project_id", "name"):
        d.pop(key, None)
    d["filters"] = {"project_type": project_type}
    rows = [[(country_label(t, code), CountryPressed(code))] for code in await book.countries_of_type(project_type)]
    rows.append([(t(ANY_COUNTRY_BUTTON), CountryPressed("any"))])
    await show(update, t(ASK_COUNTRY), keyboard(rows))
    return Step.FILTER_COUNTRY


async def on_country_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: CountryPressed) -> int:
    return await _country_chosen(update, context, None if pressed.country == "any" else pressed.country)


async def on_country_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    return await _country_chosen(update, context, terms.parse_country(update.effective_message.text))


async def _country_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE, country: str | None) -> int:
    t = await tr(update, context)
    d = draft(context)
    d["filters"] = {**d["filters"], "country": country}
    await show(update, t(ASK_VINTAGE), keyboard([[(t(ANY_VINTAGE_BUTTON), AnyVintagePressed())]]))
    return Step.FILTER_VINTAGE


async def on_any_vintage_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE,
                                 pressed: AnyVintagePressed) -> int:
    return await _vintages_chosen(update, context, None, None)


async def on_vintage_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    return await _vintages_chosen(update, context, *terms.parse_vintages(update.effective_message.text))


async def _vintages_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE, low: int | None,
                           high: int | None) -> int:
    t = await tr(update, context)
    d = draft(context)
    d["filters"] = {**d["filters"], "vintage_from": low, "vintage_to": high}
    return await _ask_amount(update, t)


# ---- amount, price, then the confirmation with its terms ----

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
    return await _show_confirmation(update, context, t)


def _confirmation_text(t: Translator, d: dict, *, fee_bps: int, now: datetime) -> str:
    amount, price = d["amount_kg"], d["price"]
    total = book.trade_value(amount, price)
    if d["what"] == "sell":
        head = t(CONFIRM_SELL, amount=t.tonnes_and_kg(amount), name=d["name"], price=stars(t, price),
                 total=stars(t, total), fee=stars(t, book.fee_of(total, fee_bps)), held=t.tonnes_and_kg(amount))
    elif "filters" in d:
        head = t(CONFIRM_FILTER_BID, amount=t.tonnes_and_kg(amount), filters=filters_label(t, **d["filters"]),
                 price=stars(t, price), total=stars(t, total), held=stars(t, total))
    else:
        head = t(CONFIRM_BID, amount=t.tonnes_and_kg(amount), name=d["name"], price=stars(t, price),
                 total=stars(t, total), held=stars(t, total))
    return "\n".join([head, *terms_lines(t, d["hours"], d["min_fill"], now), t(CONFIRM_TERMS)])


def _with_terms(d: dict) -> dict:
    """The draft with its terms; the quick path keeps the defaults: until cancelled, any part may fill."""
    d.setdefault("hours", terms.UNTIL_CANCELLED)
    d.setdefault("min_fill", terms.ANY)
    return d


async def _show_confirmation(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator) -> int:
    """The offer with its terms and the buttons to change them; edits the pressed message, else a new one."""
    text = _confirmation_text(t, _with_terms(draft(context)), fee_bps=rules_of(context).fee_bps, now=now_of(context))
    await show(update, text, terms_keyboard(t))
    return Step.CONFIRM


def _has_offer(context: ContextTypes.DEFAULT_TYPE, pressed: object = None) -> bool:
    """Whether the draft is an offer ready to confirm (the terms' buttons act on it)."""
    d = draft(context)
    return {"amount_kg", "price"} <= d.keys() and ("project_id" in d or "filters" in d)


async def on_duration_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: DurationPressed) -> int:
    draft(context)["hours"] = pressed.hours
    return await _show_confirmation(update, context, await tr(update, context))


async def on_min_fill_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: MinFillPressed) -> int:
    t = await tr(update, context)
    d = draft(context)
    if pressed.choice == "ask":
        rows = [[(t(ANY_AMOUNT_BUTTON), MinFillPressed(terms.ANY)), (t(ALL_OR_NOTHING_BUTTON), MinFillPressed(terms.ALL))]]
        await show(update, t(ASK_MIN_FILL, amount=t.tonnes_and_kg(d["amount_kg"])), keyboard(rows))
        return Step.MIN_FILL
    d["min_fill"] = pressed.choice
    return await _show_confirmation(update, context, t)


async def on_min_fill_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    d = draft(context)
    d["min_fill"] = terms.check_min_fill(terms.parse_min_fill(update.effective_message.text), d["amount_kg"])
    return await _show_confirmation(update, context, await tr(update, context))


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
    """Yes or no; or a change of the terms: "7 days", "until cancelled", "all or nothing", "min 500 kg"."""
    text = update.effective_message.text
    verdict = is_yes(text)
    if verdict is not None:
        return await _confirmed(update, context, verdict)
    t = await tr(update, context)
    d = draft(context)
    if not _has_offer(context):
        return await _confirmed(update, context, False)
    if (hours := terms.read_duration_h(text)) is not None:
        d["hours"] = hours
    elif (min_fill := terms.read_min_fill(text)) is not None:
        d["min_fill"] = terms.check_min_fill(min_fill, d["amount_kg"])
    else:
        await update.effective_message.reply_text(t(CONFIRM_TERMS_HINT))
        return Step.CONFIRM
    return await _show_confirmation(update, context, t)


async def _confirmed(update: Update, context: ContextTypes.DEFAULT_TYPE, is_confirmed: bool) -> int:
    t = await tr(update, context)
    d = context.user_data.get(DRAFT) or {}
    if not is_confirmed or not _has_offer(context):
        context.user_data.pop(DRAFT, None)
        await show(update, t(CANCELLED))
        return ConversationHandler.END
    _with_terms(d)
    user_id = update.effective_user.id
    now = now_of(context)
    # A refusal (not enough credits, outside the band...) leaves the draft: fix it or /cancel.
    key = f"market:offer:{user_id}:{update.update_id}"
    args = dict(key=key, rules=rules_of(context), now=now, expires_at=terms.expiry_of(d["hours"], now),
                min_fill_kg=terms.min_fill_kg_of(d["min_fill"], d["amount_kg"]))
    if d["what"] == "sell":
        result = await book.place_sell(user_id, d["project_id"], d["amount_kg"], d["price"], **args)
    elif "filters" in d:
        result = await book.place_bid(user_id, d["amount_kg"], d["price"], filters=book.Filters(**d["filters"]),
                                      **args)
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
    """/offers: my open offers with their terms, each with a cancel button; then those expired lately."""
    user, t = await member(update, context)
    if user is None:
        return
    mine = await book.my_offers(update.effective_user.id, now=now_of(context))
    if not mine.live and not mine.expired:
        await show(update, t(NO_OFFERS))
        return
    ids = {o.project_id for o in (*mine.live, *mine.expired) if o.project_id is not None}
    names = {p.id: p.name for p in await Project.filter(id__in=ids)} if ids else {}
    lines = [t(MY_OFFERS)] if mine.live else [t(NO_OFFERS)]
    rows = []
    for o in mine.live:
        held = t.tonnes_and_kg(o.held) if o.side == Side.SELL else stars(t, o.held)
        lines.append(t(MY_OFFER, id=o.id, side=_side(t, o), remaining=t.tonnes_and_kg(o.remaining_kg),
                       amount=t.tonnes_and_kg(o.amount_kg), what=_what(t, o, names), price=stars(t, o.price_per_t),
                       held=held))
        lines.append(t(MY_OFFER_TERMS, stands=_stands_short(t, o), fills=_fills_short(t, o)))
        rows.append([(t(CANCEL_OFFER, id=o.id), CancelOfferPressed(o.id))])
    if mine.expired:
        lines.append(t(MY_EXPIRED))
    for o in mine.expired:
        lines.append(t(MY_EXPIRED_OFFER, id=o.id, side=_side(t, o), remaining=t.tonnes_and_kg(o.remaining_kg),
                       amount=t.tonnes_and_kg(o.amount_kg), what=_what(t, o, names), price=stars(t, o.price_per_t),
                       moment=t.moment(o.expires_at)))
    await show(update, "\n".join(lines), keyboard(rows) if rows else None)


def _side(t: Translator, offer: book.OfferView) -> str:
    return t(SIDE_SELL if offer.side == Side.SELL else SIDE_BUY)


def _what(t: Translator, offer: book.OfferView, names: Mapping[int, str]) -> str:
    """The project an offer names, or what a filter bid accepts."""
    if not offer.is_filter_bid:
        return names.get(offer.project_id, "")
    return t(ANY_PROJECT_OF, filters=filters_label(t, offer.project_type, offer.country, offer.vintage_from,
                                                   offer.vintage_to))


def _stands_short(t: Translator, offer: book.OfferView) -> str:
    return t(SHORT_UNTIL_CANCELLED) if offer.expires_at is None else t(SHORT_EXPIRES, moment=t.moment(offer.expires_at))


def _fills_short(t: Translator, offer: book.OfferView) -> str:
    if offer.min_fill_kg <= 1:
        return t(SHORT_ANY)
    if offer.min_fill_kg >= offer.amount_kg:
        return t(SHORT_ALL)
    return t(SHORT_MIN, min=t.tonnes_and_kg(offer.min_fill_kg))


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
    is_expired = p["status"] == OfferStatus.EXPIRED.value
    if p.get("side") == Side.BUY.value and "released" in p:  # Stars go back to the wallet
        text = t(CLOSED_EXPIRED_BID if is_expired else CLOSED_CANCELLED_BID, id=p["offer"],
                 released=stars(t, p["released"]))
    else:
        text = t(CLOSED_EXPIRED if is_expired else CLOSED_CANCELLED, id=p["offer"],
                 remaining=t.tonnes_and_kg(p["remaining_kg"]))
    await bot.send_message(message.chat_id, text)


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
            Step.PROJECT: [*restart, MKT.handler(AnyProjectPressed, on_any_project_pressed, is_open=_is_bid, stale=STALE),
                           MessageHandler(text, on_project_typed)],
            Step.FILTER_TYPE: [*restart, MKT.handler(TypePressed, on_type_pressed, is_open=_is_bid, stale=STALE),
                               MessageHandler(text, on_type_typed)],
            Step.FILTER_COUNTRY: [*restart, MKT.handler(CountryPressed, on_country_pressed, is_open=_is_filter_bid,
                                                        stale=STALE),
                                  MessageHandler(text, on_country_typed)],
            Step.FILTER_VINTAGE: [*restart, MKT.handler(AnyVintagePressed, on_any_vintage_pressed,
                                                        is_open=_is_filter_bid, stale=STALE),
                                  MessageHandler(text, on_vintage_typed)],
            Step.AMOUNT: [*restart, MKT.handler(AmountPressed, on_amount_pressed, stale=STALE),
                          MessageHandler(text, on_amount_typed)],
            Step.PRICE: [*restart, MessageHandler(text, on_price_typed)],
            Step.CONFIRM: [*restart, MKT.handler(ConfirmPressed, on_confirm_pressed, stale=STALE),
                           MKT.handler(DurationPressed, on_duration_pressed, is_open=_has_offer, stale=STALE),
                           MKT.handler(MinFillPressed, on_min_fill_pressed, is_open=_has_offer, stale=STALE),
                           MessageHandler(text, on_confirm_typed)],
            Step.MIN_FILL: [*restart, MKT.handler(MinFillPressed, on_min_fill_pressed, is_open=_has_offer, stale=STALE),
                            MessageHandler(text, on_min_fill_typed)],
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
