"""Buying and retiring: /buy (or the menu) -> item -> amount -> retire? -> summary -> invoice;
/retire -> amount -> for whom -> reason -> confirm -> certificate.

Works by buttons alone and by typing alone: an item by its number on the
catalogue, an amount in any form people type (core.parsing.parse_amount_kg),
"keep" or a beneficiary's name, a reason or "skip", "pay". What was chosen so
far lives in user_data["buy"] (persisted with the conversation state). The
order is made when Pay is pressed (key: the draft's id, so a double tap makes
one order); payment is handled by bot/handlers/payments.py, outside this
conversation, because Telegram sends it whenever the person pays.

`start_offset(update, context, amount_kg, reason)` is the entry for other
features (the footprint calculator's "Offset now"): it opens the catalogue
with the amount and reason filled in.

Buttons are the kinds of `BUY` (bot/callbacks.py). The conversation's state says
which step the person is at; as /buy and /retire share the steps, each button is
also checked against the draft: amounts in tonnes for a listing or /retire, units
for a product, "keep" only where keeping is offered, Pay only in /buy and Retire
only in /retire. Any other `buy:` button in the conversation is answered as no
longer valid and changes nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum, auto

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LabeledPrice, Update
from telegram.ext import (
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import menu
from bot.callbacks import Codec, one_of, part, token, whole
from bot.feature import Command, Feature, Wiring
from bot.handlers.payments import (
    invoice_start_parameter,
    now_of,
    price_text,
    send_certificate,
)
from bot.i18n import KG_PER_TONNE, N_, Translator
from bot.members import member
from bot.replies import answer, fit, in_rows, show
from bot.texts import error_text, texts_of
from core import users
from core.catalog import service as catalog
from core.errors import DomainError
from core.ledger import STARS
from core.parsing import MAX_AMOUNT_KG, parse_amount_kg
from core.purchases import service as purchases


class Buy(IntEnum):
    ITEM = auto()
    AMOUNT = auto()
    RETIRE = auto()
    BENEFICIARY = auto()
    REASON = auto()
    CONFIRM = auto()


AMOUNT_CHOICES_KG = (100, 500, 1_000, 5_000)
UNIT_CHOICES = (1, 2, 5, 10)
MAX_UNITS = 1_000
MAX_CARDS = 12
LARGE_STOCK_KG = 100_000  # 100 t: below it a buyer may want the exact kilograms
BUY_MENU = N_("🛒 Buy credits")
RETIRE_MENU = N_("🌱 Retire credits")

CATALOGUE = N_("What would you like to buy? Choose an offer below or type its number.")
OFFSET_INTRO = N_("To offset {amount} CO2e for “{reason}”, choose a project below or type its number.")
CATALOGUE_EMPTY = N_("Nothing is for sale right now. Please try again later.")
LISTING_CARD = N_(
    "{n}. 🌍 {project} ({code})\n"
    "   {type} · {methodology}\n"
    "   {country} · vintage {vintage} · {available} available\n"
    "   {price} per tonne"
)
PRODUCT_CARD = N_("{n}. 📦 {name}\n   {description}\n   carries {amount} CO2e · {price}")
LISTING_BUTTON = N_("{n}. {project} · {price}/t")
PRODUCT_BUTTON = N_("{n}. {name} · {price}")
PICK_HINT = N_("Please choose an offer with the buttons or type its number.")
ITEM_GONE = N_("This offer is no longer available. Here is what is for sale now.")
PROJECT_TYPES = {
    "reforestation": N_("Reforestation"),
    "landfill_methane": N_("Landfill methane"),
    "pipeline_leak_repair": N_("Pipeline leak repair"),
    "sf6_destruction": N_("SF6 capture and destruction"),
}
ASK_AMOUNT = N_(
    "How much CO2e would you like from {project}? {available} available.\n"
    "Choose an amount or type one, for example 0.5 t or 250 kg."
)
ASK_UNITS = N_("How many “{name}” would you like? Each carries {amount} CO2e. Choose or type a number.")
UNITS_HINT = N_("Please type a whole number of units, for example 2.")
ASK_RETIRE = N_(
    "Retire the credits now? Retired credits leave circulation for good and you get a certificate. "
    "Or keep them in your account and retire them later.\n"
    "You can also type the name to put on the certificate."
)
ASK_WHOSE_NAME = N_("Whose name should go on the certificate? You can also type it.")
OFFSET_ASK_RETIRE = N_(
    "To offset “{reason}”, the credits are retired now and you get a certificate naming it. "
    "Whose name should go on the certificate? You can also type it.\n"
    "If you keep the credits in your account instead, no certificate is issued until you retire them."
)
OFFSET_RETIRE_ME = N_("🌱 Retire now in my name ({name})")
KEEP_NO_CERTIFICATE = N_("📥 Keep in my account (no certificate)")
SUMMARY_KEEP_NO_CERTIFICATE = N_(
    "Kept in your account: no certificate is issued until you retire them with /retire."
)
RETIRE_ME = N_("🌱 In my name ({name})")
RETIRE_OTHER = N_("✍️ For someone else")
KEEP = N_("📥 Keep in my account")
ASK_BENEFICIARY = N_("Type the name to put on the certificate.")
ASK_REASON = N_("What is it for? Type a reason, for example “offset of flight LHR–CDG”, or skip.")
SKIP = N_("Skip")
SUMMARY_LISTING = N_(
    "Your order:\n{amount} CO2e from {project} ({country}, vintage {vintage})\n"
    "Price: {price} per tonne\nTotal: {total}"
)
SUMMARY_PRODUCT = N_("Your order:\n{units} × {name} ({amount} CO2e from {project})\nTotal: {total}")
SUMMARY_RETIRE = N_("Retired at once for {beneficiary}.")
SUMMARY_REASON = N_("Reason: {reason}")
SUMMARY_KEEP = N_("Kept in your account.")
PAY = N_("Pay {total}")
PAY_CARD = N_("💳 Pay {total} by card")
CANCEL = N_("Cancel")
CONFIRM_HINT = N_("Press Pay or type “pay” to get the invoice, or /cancel.")
RETIRE_CONFIRM_HINT = N_("Press Retire or type “retire” to retire the credits, or /cancel.")
CANCELLED = N_("Cancelled. Nothing was bought or retired.")
INVOICE_TITLE = N_("{amount} CO2e credits")
INVOICE_DESCRIPTION = N_("{amount} CO2e from {project}, vintage {vintage}. {what}")
INVOICE_RETIRE = N_("Retired for {beneficiary}.")
INVOICE_KEEP = N_("Kept in your account.")
INVOICE_SENT = N_("Here is your invoice. Your credits are reserved when you press Pay.")
ASK_RETIRE_AMOUNT = N_(
    "How much would you like to retire? You hold {available}.\n"
    "Choose an amount or type one, for example 0.5 t or 250 kg."
)
NOTHING_TO_RETIRE = N_("You have no credits to retire yet. Send /buy to get some.")
NOT_ENOUGH = N_("You hold only {available}. Please choose a smaller amount.")
RETIRE_SUMMARY = N_("Retire {amount} CO2e for {beneficiary}?")
RETIRE_CONFIRM = N_("✅ Retire")
RETIRED = N_("Done: {amount} CO2e retired for {beneficiary}. Here is your certificate.")

BUY_ERROR_TEXTS = {
    "item_unknown": N_("This offer is no longer available."),
    "offer_withdrawn": N_("This offer is no longer available."),
    "sold_out": N_("Only {available} are available. Please choose a smaller amount."),
    "currency_not_offered": N_("This offer cannot be paid that way."),
    "not_whole_units": N_("This product is sold in whole units."),
    "beneficiary_required": N_("Please say whose name goes on the certificate."),
    "invalid_beneficiary": N_("Please type a name with letters, at most {max_chars} characters."),
    "reason_too_long": N_("Please keep the reason to {max_chars} characters."),
    "invalid_retirement": N_("Please type a name of at most 200 characters."),
}

KEEP_WORDS = {"keep", "behalten", "garder", "conserver", "no", "nein", "non"}
ME_WORDS = {"me", "myself", "i", "ich", "mich", "moi", "yes", "ja", "oui"}
SKIP_WORDS = {"skip", "-", "no", "none", "überspringen", "nein", "passer", "non", "aucune"}
PAY_WORDS = {"pay", "yes", "ok", "okay", "zahlen", "bezahlen", "ja", "payer", "oui", "retire"}
CARD_WORDS = {"card", "karte", "carte"}
RETIRE_WORDS = {"retire", "stilllegen", "retirer", "yes", "ok", "okay", "ja", "oui"}


# ---- buttons (callback data) ---------------------------------------------------------

BUY = Codec("buy")


@BUY.kind("item")
@dataclass(frozen=True)
class ItemPressed:
    ref: str = part(token(r"[LP][1-9]\d{0,17}"))


@BUY.kind("amt")
@dataclass(frozen=True)
class AmountPressed:
    amount_kg: int = part(whole(1, MAX_AMOUNT_KG))


@BUY.kind("qty")
@dataclass(frozen=True)
class UnitsPressed:
    units: int = part(whole(1, MAX_UNITS))


@BUY.kind("ret")
@dataclass(frozen=True)
class RetirePressed:
    choice: str = part(one_of("me", "other", "keep"))


@BUY.kind("why:skip")
@dataclass(frozen=True)
class ReasonSkipped:
    pass


@BUY.kind("pay")
@dataclass(frozen=True)
class PayPressed:
    how: str = part(one_of("xtr", "card", "ret"))


@BUY.kind("cancel")
@dataclass(frozen=True)
class CancelPressed:
    pass


# ---- drafts and keyboards ------------------------------------------------------------


def _draft(context: ContextTypes.DEFAULT_TYPE) -> dict:
    return context.user_data.setdefault("buy", {})


def _new_draft(context: ContextTypes.DEFAULT_TYPE, mode: str) -> dict:
    prefill = context.user_data.pop("buy_prefill", None) or {}
    context.user_data["buy"] = {"mode": mode, "id": secrets.token_hex(6), **prefill}
    return context.user_data["buy"]


def _is_retire(draft: dict) -> bool:
    return draft.get("mode") == "retire"


def _is_product(draft: dict) -> bool:
    return draft.get("mode") == "buy" and str(draft.get("ref", "")).startswith("P")


def _is_listing(draft: dict) -> bool:
    return draft.get("mode") == "buy" and str(draft.get("ref", "")).startswith("L")


def _can_keep(draft: dict) -> bool:
    """Keeping the credits is offered when buying from a listing (a product is retired)."""
    return _is_listing(draft)


def _asks_tonnes(context: ContextTypes.DEFAULT_TYPE, pressed: AmountPressed) -> bool:
    return _is_listing(_draft(context)) or _is_retire(_draft(context))


def _asks_units(context: ContextTypes.DEFAULT_TYPE, pressed: UnitsPressed) -> bool:
    return _is_product(_draft(context))


def _offers_choice(context: ContextTypes.DEFAULT_TYPE, pressed: RetirePressed) -> bool:
    draft = _draft(context)
    return "amount_kg" in draft and (pressed.choice != "keep" or _can_keep(draft))


def _offers_payment(context: ContextTypes.DEFAULT_TYPE, pressed: PayPressed) -> bool:
    """Pay (Stars or card) closes /buy, Retire closes /retire: never the other one."""
    draft = _draft(context)
    if pressed.how == "ret":
        return _is_retire(draft) and "amount_kg" in draft and bool(draft.get("retire_for"))
    return draft.get("mode") == "buy" and "amount_kg" in draft and "ref" in draft


def explain(t: Translator, error: DomainError, texts: Mapping[str, str]) -> str:
    """The error's sentence, with kg amounts in the person's units."""
    if "available_kg" in error.params:
        error.params = {**error.params, "available": t.kg(int(error.params["available_kg"]))}
    return error_text(t, error, texts)


def _cancel_row(t: Translator) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(t(CANCEL), callback_data=BUY.encode(CancelPressed()))]


def tonnes(t: Translator, amount_kg: int) -> str:
    """0.1 t, 0,5 t: amount buttons always in tonnes (one credit is one tonne)."""
    return f"{t.number(Decimal(amount_kg) / 1000)} t"


def stock_text(t: Translator, available_kg: int) -> str:
    """A project's stock on its card: whole tonnes (rounded down, never promising more)
    once it is large, so one sale does not turn "32,400 t" into "32,399.873 t"."""
    if available_kg >= LARGE_STOCK_KG:
        return t.kg(available_kg // KG_PER_TONNE * KG_PER_TONNE)
    return t.kg(available_kg)


def amount_keyboard(t: Translator) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(tonnes(t, kg), callback_data=BUY.encode(AmountPressed(kg)))
               for kg in AMOUNT_CHOICES_KG]
    return InlineKeyboardMarkup([*in_rows(buttons, 4), _cancel_row(t)])


def units_keyboard(t: Translator) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(str(n), callback_data=BUY.encode(UnitsPressed(n))) for n in UNIT_CHOICES]
    return InlineKeyboardMarkup([buttons, _cancel_row(t)])


def retire_keyboard(t: Translator, name: str, *, can_keep: bool,
                    is_offset: bool = False) -> InlineKeyboardMarkup:
    """Retire now first (an offset's default: it is what brings the certificate), keep last."""
    me = OFFSET_RETIRE_ME if is_offset else RETIRE_ME
    rows = [
        [InlineKeyboardButton(t(me, name=name), callback_data=BUY.encode(RetirePressed("me")))],
        [InlineKeyboardButton(t(RETIRE_OTHER), callback_data=BUY.encode(RetirePressed("other")))],
    ]
    if can_keep:
        keep = KEEP_NO_CERTIFICATE if is_offset else KEEP
        rows.append([InlineKeyboardButton(t(keep), callback_data=BUY.encode(RetirePressed("keep")))])
    return InlineKeyboardMarkup([*rows, _cancel_row(t)])


def _type_label(t: Translator, project_type: str) -> str:
    return t(PROJECT_TYPES[project_type]) if project_type in PROJECT_TYPES else project_type


# ---- the catalogue -------------------------------------------------------------------


async def _catalogue(context: ContextTypes.DEFAULT_TYPE) -> list[catalog.Item]:
    """What is for sale, listings first; with an amount to offset, only listings."""
    items: list[catalog.Item] = list(await catalog.list_listings())
    if "amount_kg" not in _draft(context):
        items += await catalog.list_products()
    return items[:MAX_CARDS]


async def show_catalogue(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator,
                         intro: str | None = None, *, fresh: bool = False) -> int:
    """The catalogue, editing the pressed message (or in a new one when `fresh`)."""
    items = await _catalogue(context)
    _draft(context)["refs"] = [item.ref for item in items]
    if not items:
        text = "\n\n".join(filter(None, [intro, t(CATALOGUE_EMPTY)]))
        await (update.effective_chat.send_message(text) if fresh else show(update, text))
        return ConversationHandler.END
    cards, buttons = [], []
    for n, item in enumerate(items, start=1):
        if isinstance(item, catalog.ProductCard):
            price = price_text(t, STARS, item.price_xtr)
            cards.append(t(PRODUCT_CARD, n=n, name=item.name, description=item.description or "—",
                           amount=t.kg(item.kg_per_unit), price=price))
            label = t(PRODUCT_BUTTON, n=n, name=item.name, price=price)
        else:
            price = price_text(t, STARS, item.price_xtr_per_t)
            cards.append(t(LISTING_CARD, n=n, project=item.project_name, code=item.project_code,
                           type=_type_label(t, item.project_type), methodology=item.methodology,
                           country=item.country, vintage=item.vintage,
                           available=stock_text(t, item.available_kg), price=price))
            label = t(LISTING_BUTTON, n=n, project=item.project_name, price=price)
        buttons.append(InlineKeyboardButton(label[:60], callback_data=BUY.encode(ItemPressed(item.ref))))
    text = "\n\n".join([intro or t(CATALOGUE), *cards])
    markup = InlineKeyboardMarkup([*in_rows(buttons, 1), _cancel_row(t)])
    if fresh:
        await update.effective_chat.send_message(fit(text), reply_markup=markup)
    else:
        await show(update, text, markup)
    return Buy.ITEM


async def buy_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/buy [amount] or the menu button: show the catalogue."""
    user, t = await member(update, context)
    if user is None:
        return ConversationHandler.END
    draft = _new_draft(context, "buy")
    if context.args:
        try:
            draft["amount_kg"] = parse_amount_kg(" ".join(context.args))
        except DomainError as error:
            await update.effective_chat.send_message(error_text(t, error, texts_of(context)))
    return await show_catalogue(update, context, t)


async def start_offset(update: Update, context: ContextTypes.DEFAULT_TYPE, amount_kg: int,
                       reason: str) -> int:
    """Open the buying flow with the amount to offset and its reason filled in.

    The catalogue comes as a new message, so the message the person pressed (a
    footprint's breakdown) stays readable above it.
    """
    context.user_data["buy_prefill"] = {
        "amount_kg": int(amount_kg), "reason": reason[:300], "is_offset": True,
    }
    user, t = await member(update, context)
    if user is None:
        return ConversationHandler.END
    _new_draft(context, "buy")
    intro = t(OFFSET_INTRO, amount=t.tonnes_and_kg(int(amount_kg)), reason=reason[:300])
    return await show_catalogue(update, context, t, intro=intro, fresh=True)


async def continue_buy_link(update: Update, context: ContextTypes.DEFAULT_TYPE, rest: str) -> None:
    """/start buy or /start buy_2500: the catalogue (with 2500 kg filled in)."""
    digits = rest.lstrip("_")
    if digits.isdigit() and 1 <= int(digits) <= MAX_AMOUNT_KG:
        context.user_data["buy_prefill"] = {"amount_kg": int(digits)}
    user, t = await member(update, context)
    if user is not None:
        _new_draft(context, "buy")
        await show_catalogue(update, context, t)


async def _choose(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, ref: str) -> int:
    """An item was chosen: ask how much (or skip ahead when the amount came with the link)."""
    try:
        item = await catalog.get_item(ref)
    except DomainError:
        item = None
    if item is None or not catalog.is_for_sale(item):
        return await show_catalogue(update, context, t, intro=t(ITEM_GONE))
    draft = _draft(context)
    draft["ref"] = item.ref
    if isinstance(item, catalog.ProductCard):
        draft.pop("amount_kg", None)
        await show(update, t(ASK_UNITS, name=item.name, amount=t.kg(item.kg_per_unit)), units_keyboard(t))
        return Buy.AMOUNT
    if draft.get("amount_kg"):
        return await _take_amount(update, context, t, draft["amount_kg"])
    await show(update, t(ASK_AMOUNT, project=item.project_name, available=stock_text(t, item.available_kg)),
               amount_keyboard(t))
    return Buy.AMOUNT


async def on_item_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: ItemPressed) -> int:
    """A catalogue button (also after a restart or from an old catalogue; in /retire it
    starts buying instead)."""
    user, t = await member(update, context)
    if user is None:
        return ConversationHandler.END
    await answer(update)
    if _draft(context).get("mode") != "buy":
        _new_draft(context, "buy")
    return await _choose(update, context, t, pressed.ref)


async def on_item_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """An offer by its number on the catalogue, or its project code."""
    user, t = await member(update, context)
    if user is None:
        return ConversationHandler.END
    text = update.effective_message.text.strip().rstrip(".").upper()
    refs = _draft(context).get("refs", [])
    if text.isdigit() and 1 <= int(text) <= len(refs):
        return await _choose(update, context, t, refs[int(text) - 1])
    for ref in refs:
        item = await catalog.get_item(ref)
        if isinstance(item, catalog.ListingCard) and item.project_code == text:
            return await _choose(update, context, t, ref)
    await update.effective_chat.send_message(t(PICK_HINT))
    return Buy.ITEM


# ---- amount --------------------------------------------------------------------------


async def _take_amount(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator,
                       amount_kg: int) -> int:
    draft = _draft(context)
    if _is_retire(draft):
        figures = await users.balances(update.effective_user.id)
        if amount_kg > figures.available_kg:
            await show(update, t(NOT_ENOUGH, available=t.kg(figures.available_kg)), amount_keyboard(t))
            return Buy.AMOUNT
        draft["amount_kg"] = amount_kg
        return await _ask_retire(update, context, t)
    try:
        await purchases.quote(draft["ref"], amount_kg)
    except DomainError as error:
        await show(update, explain(t, error, texts_of(context)), amount_keyboard(t))
        return Buy.AMOUNT
    draft["amount_kg"] = amount_kg
    return await _ask_retire(update, context, t)


async def on_amount_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: AmountPressed) -> int:
    _, t = await member(update, context)
    await answer(update)
    return await _take_amount(update, context, t, pressed.amount_kg)


async def on_units_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: UnitsPressed) -> int:
    _, t = await member(update, context)
    await answer(update)
    return await _take_units(update, context, t, pressed.units)


async def _take_units(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, units: int) -> int:
    item = await catalog.get_item(_draft(context)["ref"])
    return await _take_amount(update, context, t, units * item.kg_per_unit)


async def on_amount_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """An amount in any form ("0,5 t", "250 kg"), or a number of units for a product."""
    _, t = await member(update, context)
    text = update.effective_message.text
    if _is_product(_draft(context)):
        units = text.strip().lower().rstrip("x× ")
        if not units.isdigit() or not 1 <= int(units) <= MAX_UNITS:
            await update.effective_chat.send_message(t(UNITS_HINT))
            return Buy.AMOUNT
        return await _take_units(update, context, t, int(units))
    try:
        amount_kg = parse_amount_kg(text)
    except DomainError as error:
        await update.effective_chat.send_message(error_text(t, error, texts_of(context)))
        return Buy.AMOUNT
    return await _take_amount(update, context, t, amount_kg)


# ---- retire now, for whom, why ---------------------------------------------------------


def _is_offset(draft: dict) -> bool:
    """Bought to offset a footprint: retiring (and the certificate) is the point."""
    return bool(draft.get("is_offset")) and draft.get("mode") == "buy"


async def _ask_retire(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator) -> int:
    draft = _draft(context)
    can_keep = _can_keep(draft)
    is_offset = _is_offset(draft)
    user = await users.get_user(update.effective_user.id)
    if is_offset:
        text = t(OFFSET_ASK_RETIRE, reason=draft.get("reason") or "—")
    else:
        text = t(ASK_RETIRE) if can_keep else t(ASK_WHOSE_NAME)
    await show(update, text, retire_keyboard(t, user.first_name, can_keep=can_keep, is_offset=is_offset))
    return Buy.RETIRE


async def _take_beneficiary(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator,
                            name: str | None) -> int:
    draft = _draft(context)
    draft["retire_for"] = name
    if name is None or draft.get("reason"):
        return await _summary(update, context, t)
    skip = InlineKeyboardMarkup([[InlineKeyboardButton(t(SKIP), callback_data=BUY.encode(ReasonSkipped()))],
                                 _cancel_row(t)])
    await show(update, t(ASK_REASON), skip)
    return Buy.REASON


async def on_retire_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: RetirePressed) -> int:
    user, t = await member(update, context)
    await answer(update)
    if pressed.choice == "other":
        await show(update, t(ASK_BENEFICIARY), InlineKeyboardMarkup([_cancel_row(t)]))
        return Buy.BENEFICIARY
    if pressed.choice == "keep":
        return await _take_beneficiary(update, context, t, None)
    return await _take_beneficiary(update, context, t, user.first_name)


async def on_retire_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """"keep", "me", or the name to put on the certificate."""
    user, t = await member(update, context)
    text = " ".join(update.effective_message.text.split())
    word = text.lower()
    if word in KEEP_WORDS and _can_keep(_draft(context)):
        return await _take_beneficiary(update, context, t, None)
    # Retiring is an offset's default: "ok" or "pay" there means "in my name".
    if word in ME_WORDS or (_is_offset(_draft(context)) and word in PAY_WORDS):
        return await _take_beneficiary(update, context, t, user.first_name)
    return await on_beneficiary_typed(update, context)


async def on_beneficiary_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    _, t = await member(update, context)
    try:
        name = purchases.check_beneficiary(update.effective_message.text)
    except DomainError as error:
        await update.effective_chat.send_message(error_text(t, error, texts_of(context)))
        return Buy.BENEFICIARY
    return await _take_beneficiary(update, context, t, name)


async def on_reason_skipped(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: ReasonSkipped) -> int:
    _, t = await member(update, context)
    await answer(update)
    _draft(context)["reason"] = ""
    return await _summary(update, context, t)


async def on_reason_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    _, t = await member(update, context)
    try:
        reason = purchases.check_reason(update.effective_message.text)
    except DomainError as error:
        await update.effective_chat.send_message(error_text(t, error, texts_of(context)))
        return Buy.REASON
    if reason.lower() in SKIP_WORDS:
        reason = ""
    _draft(context)["reason"] = reason
    return await _summary(update, context, t)


# ---- summary, invoice, retirement -----------------------------------------------------


async def _summary(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator) -> int:
    draft = _draft(context)
    settings = context.bot_data["settings"]
    if "amount_kg" not in draft:  # a step reached out of order (a late button, a restart): start over
        return await show_catalogue(update, context, t)
    amount_kg = draft["amount_kg"]
    tail = []
    if draft.get("retire_for"):
        tail.append(t(SUMMARY_RETIRE, beneficiary=draft["retire_for"]))
        if draft.get("reason"):
            tail.append(t(SUMMARY_REASON, reason=draft["reason"]))
    else:
        tail.append(t(SUMMARY_KEEP_NO_CERTIFICATE if _is_offset(draft) else SUMMARY_KEEP))
    if _is_retire(draft):
        text = "\n".join([t(RETIRE_SUMMARY, amount=t.tonnes_and_kg(amount_kg),
                                beneficiary=draft["retire_for"]), *tail[1:]])
        keyboard = [[InlineKeyboardButton(t(RETIRE_CONFIRM), callback_data=BUY.encode(PayPressed("ret")))],
                    _cancel_row(t)]
        await show(update, text, InlineKeyboardMarkup(keyboard))
        return Buy.CONFIRM
    try:
        item = await catalog.get_item(draft["ref"])
        stars = await purchases.quote(draft["ref"], amount_kg)
    except DomainError:
        return await show_catalogue(update, context, t, intro=t(ITEM_GONE))
    listing = catalog.listing_of(item)
    if isinstance(item, catalog.ProductCard):
        head = t(SUMMARY_PRODUCT, units=stars.units, name=item.name, amount=t.kg(amount_kg),
                 project=listing.project_name, total=price_text(t, STARS, stars.total))
    else:
        head = t(SUMMARY_LISTING, amount=t.tonnes_and_kg(amount_kg), project=listing.project_name,
                 country=listing.country, vintage=listing.vintage,
                 price=price_text(t, STARS, item.price_xtr_per_t), total=price_text(t, STARS, stars.total))
    pay = InlineKeyboardButton(t(PAY, total=price_text(t, STARS, stars.total)),
                               callback_data=BUY.encode(PayPressed("xtr")))
    buttons = [[pay]]
    card = await _card_quote(settings, draft["ref"], amount_kg)
    if card is not None:
        buttons.append([InlineKeyboardButton(t(PAY_CARD, total=price_text(t, card.currency, card.total)),
                                             callback_data=BUY.encode(PayPressed("card")))])
    await show(update, "\n".join([head, *tail]), InlineKeyboardMarkup([*buttons, _cancel_row(t)]))
    return Buy.CONFIRM


async def _card_quote(settings, ref: str, amount_kg: int):
    """The card price, when a provider token is set and the item has a price in CARD_CURRENCY."""
    if not settings.payment_provider_token:
        return None
    try:
        return await purchases.quote(ref, amount_kg, currency=settings.card_currency)
    except DomainError:
        return None


async def _pay(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, how: str) -> int:
    draft = _draft(context)
    if how == "ret":
        return await _retire_now(update, context, t)
    settings = context.bot_data["settings"]
    currency = settings.card_currency if how == "card" and settings.payment_provider_token else STARS
    try:
        order = await purchases.start_purchase(
            update.effective_user.id, draft["ref"], draft["amount_kg"], currency=currency,
            retire_for=draft.get("retire_for"), reason=draft.get("reason", ""),
            key=f"buy:{update.effective_user.id}:{draft['id']}:{currency}", now=now_of(context),
        )
    except DomainError as error:
        await show(update, explain(t, error, texts_of(context)))
        return ConversationHandler.END
    amount = t.kg(order.amount_kg)
    what = t(INVOICE_RETIRE, beneficiary=order.retire_for) if order.retire_for else t(INVOICE_KEEP)
    title = (order.product_name if order.product_id else t(INVOICE_TITLE, amount=amount))[:32]
    description = t(INVOICE_DESCRIPTION, amount=amount, project=order.project_name,
                    vintage=order.vintage, what=what)[:255]
    await show(update, t(INVOICE_SENT))
    await update.effective_chat.send_invoice(
        title=title,
        description=description,
        payload=order.payload,
        currency=order.currency,
        # Stars: no provider token and exactly one price (Telegram refuses anything else).
        prices=[LabeledPrice(title, order.total_amount)],
        provider_token=settings.payment_provider_token if currency != STARS else "",
        # A forwarded copy then opens the bot (/start order_<id>) instead of showing a Pay button.
        start_parameter=invoice_start_parameter(order.id),
    )
    context.user_data.pop("buy", None)
    return ConversationHandler.END


async def _retire_now(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator) -> int:
    draft = _draft(context)
    try:
        retirement = await purchases.retire_own_credits(
            update.effective_user.id, draft["amount_kg"], draft["retire_for"], draft.get("reason", ""),
            key=f"retire:{update.effective_user.id}:{draft['id']}",
        )
    except DomainError as error:
        await show(update, error_text(t, error, texts_of(context)))
        return ConversationHandler.END
    context.user_data.pop("buy", None)
    await show(update, t(RETIRED, amount=t.tonnes_and_kg(retirement.amount_kg),
                         beneficiary=retirement.beneficiary))
    await send_certificate(context.bot, context.bot_data, update.effective_chat.id, t, retirement)
    return ConversationHandler.END


async def on_pay_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: PayPressed) -> int:
    _, t = await member(update, context)
    await answer(update)
    return await _pay(update, context, t, pressed.how)


async def on_confirm_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """"pay" (or "card") in /buy, "retire" (or yes, ok...) in /retire."""
    _, t = await member(update, context)
    word = update.effective_message.text.strip().lower()
    if _is_retire(_draft(context)):
        if word in RETIRE_WORDS and _offers_payment(context, PayPressed("ret")):
            return await _pay(update, context, t, "ret")
        await update.effective_chat.send_message(t(RETIRE_CONFIRM_HINT))
        return Buy.CONFIRM
    how = "card" if word in CARD_WORDS else "xtr" if word in PAY_WORDS else None
    if how is not None and _offers_payment(context, PayPressed(how)):
        return await _pay(update, context, t, how)
    await update.effective_chat.send_message(t(CONFIRM_HINT))
    return Buy.CONFIRM


# ---- /retire -------------------------------------------------------------------------


async def retire_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/retire [amount]: retire credits already held, for a beneficiary, with a certificate."""
    user, t = await member(update, context)
    if user is None:
        return ConversationHandler.END
    figures = await users.balances(user.id)
    if figures.available_kg <= 0:
        await update.effective_chat.send_message(t(NOTHING_TO_RETIRE))
        return ConversationHandler.END
    _new_draft(context, "retire")
    if context.args:
        try:
            return await _take_amount(update, context, t, parse_amount_kg(" ".join(context.args)))
        except DomainError as error:
            await update.effective_chat.send_message(error_text(t, error, texts_of(context)))
    await show(update, t(ASK_RETIRE_AMOUNT, available=t.tonnes_and_kg(figures.available_kg)),
               amount_keyboard(t))
    return Buy.AMOUNT


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: CancelPressed | None = None) -> int:
    """/cancel or the Cancel button."""
    _, t = await member(update, context)
    await answer(update)
    context.user_data.pop("buy", None)
    context.user_data.pop("buy_prefill", None)
    await show(update, t(CANCELLED))
    return ConversationHandler.END


def buy_conversation(wiring: Wiring) -> ConversationHandler:
    """The buying flow; other features enter it through `wiring.entry_points["buy"]` (e.g.
    the footprint's "Offset now" button, which calls `start_offset`)."""
    typed_text = wiring.typed_text
    return ConversationHandler(
        entry_points=[
            *wiring.entry_points.get("buy", ()),
            CommandHandler("buy", buy_command),
            CommandHandler("retire", retire_command),
            MessageHandler(filters.TEXT & menu.LabelIs(BUY_MENU), buy_command),
            MessageHandler(filters.TEXT & menu.LabelIs(RETIRE_MENU), retire_command),
            BUY.handler(ItemPressed, on_item_pressed),
        ],
        states={
            Buy.ITEM: [MessageHandler(typed_text, on_item_typed)],
            Buy.AMOUNT: [
                BUY.handler(AmountPressed, on_amount_pressed, is_open=_asks_tonnes),
                BUY.handler(UnitsPressed, on_units_pressed, is_open=_asks_units),
                MessageHandler(typed_text, on_amount_typed),
            ],
            Buy.RETIRE: [
                BUY.handler(RetirePressed, on_retire_pressed, is_open=_offers_choice),
                MessageHandler(typed_text, on_retire_typed),
            ],
            Buy.BENEFICIARY: [MessageHandler(typed_text, on_beneficiary_typed)],
            Buy.REASON: [
                BUY.handler(ReasonSkipped, on_reason_skipped),
                MessageHandler(typed_text, on_reason_typed),
            ],
            Buy.CONFIRM: [
                BUY.handler(PayPressed, on_pay_pressed, is_open=_offers_payment),
                MessageHandler(typed_text, on_confirm_typed),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            BUY.handler(CancelPressed, cancel),
            BUY.stale_handler(),  # a buy: button of another step: answered, nothing moves
        ],
        name="buy",
        persistent=True,
        allow_reentry=True,
    )


async def _menu_buy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    return await buy_command(update, context)


async def _menu_retire(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    return await retire_command(update, context)


FEATURE = Feature(
    name="buy",
    conversations=[buy_conversation],
    menu_items=[
        menu.MenuItem(BUY_MENU, _menu_buy, order=10),
        menu.MenuItem(RETIRE_MENU, _menu_retire, order=11),
    ],
    commands=[
        Command("buy", N_("Buy credits or CCCP products"), order=40),
        Command("retire", N_("Retire credits you hold, with a certificate"), order=41),
    ],
    deeplinks={"buy": continue_buy_link},
    error_texts=BUY_ERROR_TEXTS,
    codecs=[BUY],
)
