"""Buying: /buy (or the menu) -> item -> amount -> retire? -> summary -> invoice.

Works by buttons alone and by typing alone: an item by its number on the
catalogue, an amount in any form people type (core.parsing.parse_amount_kg), a
number of units for a product, "keep" or a beneficiary's name, a reason or "skip",
"pay". What was chosen so far is a `BuyDraft` in user_data["buy"] (bot/drafts.py,
persisted with the conversation state). The order is made when Pay is pressed (key:
the draft's id, so a double tap makes one order); payment is handled by the payments
feature, outside this conversation, because Telegram sends it whenever the person pays.

Core decides: what a number of units weighs and costs (core.purchases.quote_units),
that a product is always retired (must_retire), whether the person holds enough to
retire. The steps for whom and why are shared with /retire (bot/conversations/steps.py).

The action "offset" (`start_offset(update, context, amount_kg, reason)`, offered to the
other features through Wiring.actions: the footprint's "Offset now") opens the catalogue
with the amount and reason filled in. When the person already holds credits it first
offers to retire those (all that is needed, or all they hold), then to buy the rest.

Buttons are the kinds of `BUY` (bot/callbacks.py). The conversation's state says
which step the person is at; each button is also checked against the draft: amounts
in tonnes for a listing, units for a product, "keep" only where keeping is offered,
Retire only for credits already held. Any other `buy:` button in the conversation is
answered as no longer valid and changes nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from enum import IntEnum, auto

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LabeledPrice, Update
from telegram.ext import (
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import drafts, menu
from bot.callbacks import Codec, one_of, part, token, whole
from bot.clock import now_of
from bot.conversations.steps import RETIRE_CONFIRM_HINT, SUMMARY_REASON, RetireSteps
from bot.feature import Command, Feature, Wiring
from bot.i18n import KG_PER_TONNE, N_, Translator
from bot.members import member, members_only
from bot.orders import invoice_start_parameter
from bot.replies import answer, fit, in_rows, show
from bot.texts import error_text, texts_of
from core import users
from core.catalog import service as catalog
from core.errors import DomainError
from core.ledger import STARS
from core.parsing import MAX_AMOUNT_KG, parse_amount_kg
from core.purchases import service as purchases
from core.users import UserView


class Buy(IntEnum):
    ITEM = auto()
    AMOUNT = auto()
    RETIRE = auto()
    BENEFICIARY = auto()
    REASON = auto()
    CONFIRM = auto()
    HELD = auto()


UNIT_CHOICES = (1, 2, 5, 10)
MAX_CARDS = 12
LARGE_STOCK_KG = 100_000  # 100 t: below it a buyer may want the exact kilograms
BUY_MENU = N_("🛒 Buy credits")
DRAFT_KEY = "buy"

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
SUMMARY_KEEP_NO_CERTIFICATE = N_(
    "Kept in your account: no certificate is issued until you retire them with /retire."
)
SUMMARY_LISTING = N_(
    "Your order:\n{amount} CO2e from {project} ({country}, vintage {vintage})\n"
    "Price: {price} per tonne\nTotal: {total}"
)
SUMMARY_PRODUCT = N_("Your order:\n{units} × {name} ({amount} CO2e from {project})\nTotal: {total}")
SUMMARY_RETIRE = N_("Retired at once for {beneficiary}.")
SUMMARY_KEEP = N_("Kept in your account.")
PAY = N_("Pay {total}")
PAY_CARD = N_("💳 Pay {total} by card")
FINISHED = N_("This purchase is finished or has expired. Send /buy to start again.")
CONFIRM_HINT = N_("Press Pay or type “pay” to get the invoice, or /cancel.")
INVOICE_TITLE = N_("{amount} CO2e credits")
INVOICE_DESCRIPTION = N_("{amount} CO2e from {project}, vintage {vintage}. {what}")
INVOICE_RETIRE = N_("Retired for {beneficiary}.")
INVOICE_KEEP = N_("Kept in your account.")
INVOICE_SENT = N_("Here is your invoice. Your credits are reserved when you press Pay.")
HOLD_ALL = N_(
    "To offset “{reason}” ({amount} CO2e) you can retire credits you already hold: you have {held}. "
    "Retire them now, or buy new credits?"
)
HOLD_PART = N_(
    "To offset “{reason}” ({amount} CO2e) you can retire the {held} you already hold "
    "and then buy the remaining {rest}. Or buy new credits for all of it."
)
USE_HELD = N_("🌱 Retire {amount} I hold")
BUY_NEW = N_("🛒 Buy {amount} new")
HOLD_HINT = N_("Please choose with the buttons: retire credits you hold, or buy new ones.")
REST_TO_BUY = N_("To finish the offset, buy the remaining {amount}: choose a project below or type its number.")

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

PAY_WORDS = {"pay", "yes", "ok", "okay", "zahlen", "bezahlen", "ja", "payer", "oui", "retire"}
CARD_WORDS = {"card", "karte", "carte"}


# ---- the draft -----------------------------------------------------------------------


@dataclass
class BuyDraft:
    """What /buy has chosen so far (stored as plain data, bot/drafts.py)."""

    id: str
    ref: str = ""  # the item chosen (catalog ref)
    amount_kg: int = 0
    retire_for: str | None = None  # None: kept in the account
    reason: str | None = None  # None: not asked yet; "": skipped
    is_offset: bool = False  # bought to offset a footprint: retiring is the point
    refs: list[str] = field(default_factory=list)  # the catalogue as shown, for "type its number"
    offset_kg: int = 0  # an offset's whole amount (when held credits cover part of it)
    from_held: bool = False  # retiring credits already held, before buying the rest

    @property
    def is_product(self) -> bool:
        return bool(self.ref) and purchases.must_retire(self.ref)

    @property
    def can_keep(self) -> bool:
        """Keeping the credits is offered when buying from a listing (a product is retired)."""
        return bool(self.ref) and not purchases.must_retire(self.ref) and not self.from_held


def _draft(context: ContextTypes.DEFAULT_TYPE) -> BuyDraft | None:
    return drafts.load(context, DRAFT_KEY, BuyDraft)


def _save(context: ContextTypes.DEFAULT_TYPE, draft: BuyDraft) -> BuyDraft:
    drafts.save(context, DRAFT_KEY, draft)
    return draft


def _new_draft(context: ContextTypes.DEFAULT_TYPE, **prefill) -> BuyDraft:
    return _save(context, BuyDraft(id=secrets.token_hex(6), **prefill))


async def _to_summary(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator) -> int:
    return await _summary(update, context, t)


# ---- buttons (callback data) ---------------------------------------------------------

BUY = Codec("buy")
STEPS = RetireSteps(
    BUY, key=DRAFT_KEY, draft=BuyDraft, states=(Buy.RETIRE, Buy.BENEFICIARY, Buy.REASON), summary=_to_summary,
    can_keep=lambda draft: draft.can_keep, is_offset=lambda draft: draft.is_offset and not draft.from_held,
)
AmountPressed, CancelPressed = STEPS.AmountPressed, STEPS.CancelPressed


@BUY.kind("item")
@dataclass(frozen=True)
class ItemPressed:
    ref: str = part(token(r"[LP][1-9]\d{0,17}"))


@BUY.kind("qty")
@dataclass(frozen=True)
class UnitsPressed:
    units: int = part(whole(1, purchases.MAX_UNITS))


@BUY.kind("pay")
@dataclass(frozen=True)
class PayPressed:
    how: str = part(one_of("xtr", "card"))


@BUY.kind("held")
@dataclass(frozen=True)
class HeldChoice:
    choice: str = part(one_of("use", "buy"))


def _asks_tonnes(context: ContextTypes.DEFAULT_TYPE, pressed: AmountPressed) -> bool:
    draft = _draft(context)
    return draft is not None and bool(draft.ref) and not draft.is_product


def _asks_units(context: ContextTypes.DEFAULT_TYPE, pressed: UnitsPressed) -> bool:
    draft = _draft(context)
    return draft is not None and draft.is_product


def _offers_payment(context: ContextTypes.DEFAULT_TYPE, pressed: PayPressed) -> bool:
    """Pay (Stars or card) closes a purchase: an item and an amount are chosen."""
    draft = _draft(context)
    return draft is not None and bool(draft.amount_kg and draft.ref) and not draft.from_held


def _offers_held(context: ContextTypes.DEFAULT_TYPE, pressed: HeldChoice) -> bool:
    draft = _draft(context)
    return draft is not None and draft.is_offset and draft.offset_kg > 0


def _cancel_row(t: Translator) -> list[InlineKeyboardButton]:
    return STEPS.cancel_row(t)


def stock_text(t: Translator, available_kg: int) -> str:
    """A project's stock on its card: whole tonnes (rounded down, never promising more)
    once it is large, so one sale does not turn "32,400 t" into "32,399.873 t"."""
    if available_kg >= LARGE_STOCK_KG:
        return t.kg(available_kg // KG_PER_TONNE * KG_PER_TONNE)
    return t.kg(available_kg)


def units_keyboard(t: Translator) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(str(n), callback_data=BUY.encode(UnitsPressed(n))) for n in UNIT_CHOICES]
    return InlineKeyboardMarkup([buttons, _cancel_row(t)])


def _type_label(t: Translator, project_type: str) -> str:
    return t(PROJECT_TYPES[project_type]) if project_type in PROJECT_TYPES else project_type


# ---- the catalogue -------------------------------------------------------------------


async def _catalogue(draft: BuyDraft) -> list[catalog.Item]:
    """What is for sale, listings first; with an amount to offset, only listings."""
    items: list[catalog.Item] = list(await catalog.list_listings())
    if not draft.amount_kg:
        items += await catalog.list_products()
    return items[:MAX_CARDS]


async def show_catalogue(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator,
                         intro: str | None = None, *, fresh: bool = False) -> int:
    """The catalogue, editing the pressed message (or in a new one when `fresh`)."""
    draft = _draft(context) or _new_draft(context)
    items = await _catalogue(draft)
    draft.refs = [item.ref for item in items]
    _save(context, draft)
    if not items:
        text = "\n\n".join(filter(None, [intro, t(CATALOGUE_EMPTY)]))
        await (update.effective_chat.send_message(text) if fresh else show(update, text))
        return ConversationHandler.END
    cards, buttons = [], []
    for n, item in enumerate(items, start=1):
        if isinstance(item, catalog.ProductCard):
            price = t.money(STARS, item.price_xtr)
            cards.append(t(PRODUCT_CARD, n=n, name=item.name, description=item.description or "—",
                           amount=t.kg(item.kg_per_unit), price=price))
            label = t(PRODUCT_BUTTON, n=n, name=item.name, price=price)
        else:
            price = t.money(STARS, item.price_xtr_per_t)
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


@members_only
async def buy_command(update: Update, context: ContextTypes.DEFAULT_TYPE, user: UserView, t: Translator) -> int:
    """/buy [amount] or the menu button: show the catalogue."""
    draft = _new_draft(context)
    if context.args:
        try:
            draft.amount_kg = parse_amount_kg(" ".join(context.args))
            _save(context, draft)
        except DomainError as error:
            await update.effective_chat.send_message(error_text(t, error, texts_of(context)))
    return await show_catalogue(update, context, t)


@members_only
async def start_offset(update: Update, context: ContextTypes.DEFAULT_TYPE, user: UserView, t: Translator, amount_kg: int,
                       reason: str) -> int:
    """The action "offset": offset `amount_kg` for `reason` (a footprint's "Offset now").

    With credits already held, first the offer to retire those (all that is needed, or
    all there are, then buy the rest); else the catalogue with the amount and reason
    filled in. Either comes as a new message, so the message the person pressed (a
    footprint's breakdown) stays readable above it.
    """
    reason = purchases.cut_reason(reason)
    held_kg = (await users.balances(user.id)).available_kg
    if held_kg <= 0:
        _new_draft(context, amount_kg=int(amount_kg), reason=reason, is_offset=True)
        intro = t(OFFSET_INTRO, amount=t.tonnes_and_kg(int(amount_kg)), reason=reason)
        return await show_catalogue(update, context, t, intro=intro, fresh=True)
    _new_draft(context, amount_kg=int(amount_kg), reason=reason, is_offset=True, offset_kg=int(amount_kg))
    use_kg = min(held_kg, int(amount_kg))
    if held_kg >= amount_kg:
        text = t(HOLD_ALL, reason=reason, amount=t.kg(int(amount_kg)), held=t.tonnes_and_kg(held_kg))
    else:
        text = t(HOLD_PART, reason=reason, amount=t.kg(int(amount_kg)), held=t.tonnes_and_kg(held_kg),
                 rest=t.tonnes_and_kg(int(amount_kg) - held_kg))
    keyboard = InlineKeyboardMarkup([
        [InlineKeyboardButton(t(USE_HELD, amount=t.kg(use_kg)), callback_data=BUY.encode(HeldChoice("use")))],
        [InlineKeyboardButton(t(BUY_NEW, amount=t.kg(int(amount_kg))), callback_data=BUY.encode(HeldChoice("buy")))],
        _cancel_row(t),
    ])
    await update.effective_chat.send_message(text, reply_markup=keyboard)
    return Buy.HELD


@members_only
async def on_held_choice(update: Update, context: ContextTypes.DEFAULT_TYPE, user: UserView, t: Translator, pressed: HeldChoice) -> int:
    """Retire credits already held toward the offset, or buy new ones for all of it."""
    await answer(update)
    draft = _draft(context)
    if pressed.choice == "buy":
        _new_draft(context, amount_kg=draft.offset_kg, reason=draft.reason, is_offset=True)
        intro = t(OFFSET_INTRO, amount=t.tonnes_and_kg(draft.offset_kg), reason=draft.reason or "—")
        return await show_catalogue(update, context, t, intro=intro)
    held_kg = (await users.balances(user.id)).available_kg
    if held_kg <= 0:  # spent meanwhile (another chat, a sale): buy all of it
        return await on_held_choice(update, context, HeldChoice("buy"))
    draft.amount_kg, draft.from_held = min(held_kg, draft.offset_kg), True
    _save(context, draft)
    return await STEPS.ask_whom(update, context, t, user)


async def on_held_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    _, t = await member(update, context)
    await update.effective_chat.send_message(t(HOLD_HINT))
    return Buy.HELD


async def continue_buy_link(update: Update, context: ContextTypes.DEFAULT_TYPE, rest: str) -> None:
    """/start buy or /start buy_2500: the catalogue (with 2500 kg filled in)."""
    digits = rest.lstrip("_")
    user, t = await member(update, context)
    if user is not None:
        amount_kg = int(digits) if digits.isdigit() and 1 <= int(digits) <= MAX_AMOUNT_KG else 0
        _new_draft(context, amount_kg=amount_kg)
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
    draft.ref = item.ref
    if draft.is_product:
        draft.amount_kg = 0
        _save(context, draft)
        await show(update, t(ASK_UNITS, name=item.name, amount=t.kg(item.kg_per_unit)), units_keyboard(t))
        return Buy.AMOUNT
    _save(context, draft)
    if draft.amount_kg:
        return await _take_amount(update, context, t, draft.amount_kg)
    await show(update, t(ASK_AMOUNT, project=item.project_name, available=stock_text(t, item.available_kg)),
               STEPS.amount_keyboard(t))
    return Buy.AMOUNT


@members_only
async def on_item_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, user: UserView, t: Translator, pressed: ItemPressed) -> int:
    """A catalogue button (also after a restart or from an old catalogue)."""
    await answer(update)
    draft = _draft(context)
    if draft is None or draft.from_held:
        _new_draft(context)
    return await _choose(update, context, t, pressed.ref)


@members_only
async def on_item_typed(update: Update, context: ContextTypes.DEFAULT_TYPE, user: UserView, t: Translator) -> int:
    """An offer by its number on the catalogue, or its project code."""
    text = update.effective_message.text.strip().rstrip(".").upper()
    refs = (_draft(context) or _new_draft(context)).refs
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
                       amount_kg: int, keyboard: InlineKeyboardMarkup | None = None) -> int:
    draft = _draft(context)
    try:
        await purchases.quote(draft.ref, amount_kg)
    except DomainError as error:
        await show(update, error_text(t, error, texts_of(context)), keyboard or STEPS.amount_keyboard(t))
        return Buy.AMOUNT
    draft.amount_kg = amount_kg
    _save(context, draft)
    user, _ = await member(update, context)
    return await STEPS.ask_whom(update, context, t, user)


async def on_amount_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: AmountPressed) -> int:
    _, t = await member(update, context)
    await answer(update)
    return await _take_amount(update, context, t, pressed.amount_kg)


async def on_units_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: UnitsPressed) -> int:
    _, t = await member(update, context)
    await answer(update)
    return await _take_units(update, context, t, pressed.units)


async def _take_units(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, units: int) -> int:
    """`units` of the product chosen: core says what they weigh (units × kg per unit)."""
    item = await catalog.get_item(_draft(context).ref)
    try:
        amount_kg = purchases.kg_of_units(item, units)
    except DomainError as error:
        await show(update, error_text(t, error, texts_of(context)), units_keyboard(t))
        return Buy.AMOUNT
    return await _take_amount(update, context, t, amount_kg, units_keyboard(t))


async def on_amount_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """An amount in any form ("0,5 t", "250 kg"), or a number of units for a product."""
    _, t = await member(update, context)
    text = update.effective_message.text
    draft = _draft(context)
    if draft is None or not draft.ref:  # an amount step with no item (a restart, a forged order)
        return await show_catalogue(update, context, t)
    if draft.is_product:
        units = text.strip().lower().rstrip("x× ")
        if not units.isdigit() or not 1 <= int(units) <= purchases.MAX_UNITS:
            await update.effective_chat.send_message(t(UNITS_HINT))
            return Buy.AMOUNT
        return await _take_units(update, context, t, int(units))
    try:
        amount_kg = parse_amount_kg(text)
    except DomainError as error:
        await update.effective_chat.send_message(error_text(t, error, texts_of(context)))
        return Buy.AMOUNT
    return await _take_amount(update, context, t, amount_kg)


# ---- summary, invoice ----------------------------------------------------------------


async def _summary(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator) -> int:
    draft = _draft(context)
    settings = context.bot_data["settings"]
    if draft is None or not draft.amount_kg:  # reached out of order (a late button, a restart)
        return await show_catalogue(update, context, t)
    if draft.from_held:  # the offset's first part: retire credits already held
        await STEPS.ask_to_retire(update, context, t)
        return Buy.CONFIRM
    if not draft.ref:
        return await show_catalogue(update, context, t)
    tail = []
    if draft.retire_for:
        tail.append(t(SUMMARY_RETIRE, beneficiary=draft.retire_for))
        if draft.reason:
            tail.append(t(SUMMARY_REASON, reason=draft.reason))
    else:
        tail.append(t(SUMMARY_KEEP_NO_CERTIFICATE if draft.is_offset else SUMMARY_KEEP))
    try:
        item = await catalog.get_item(draft.ref)
        stars = await purchases.quote(draft.ref, draft.amount_kg)
    except DomainError:
        return await show_catalogue(update, context, t, intro=t(ITEM_GONE))
    listing = catalog.listing_of(item)
    if isinstance(item, catalog.ProductCard):
        head = t(SUMMARY_PRODUCT, units=stars.units, name=item.name, amount=t.kg(draft.amount_kg),
                 project=listing.project_name, total=t.money(STARS, stars.total))
    else:
        head = t(SUMMARY_LISTING, amount=t.tonnes_and_kg(draft.amount_kg), project=listing.project_name,
                 country=listing.country, vintage=listing.vintage,
                 price=t.money(STARS, item.price_xtr_per_t), total=t.money(STARS, stars.total))
    pay = InlineKeyboardButton(t(PAY, total=t.money(STARS, stars.total)),
                               callback_data=BUY.encode(PayPressed("xtr")))
    buttons = [[pay]]
    card = await _card_quote(settings, draft.ref, draft.amount_kg)
    if card is not None:
        buttons.append([InlineKeyboardButton(t(PAY_CARD, total=t.money(card.currency, card.total)),
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
    settings = context.bot_data["settings"]
    currency = settings.card_currency if how == "card" and settings.payment_provider_token else STARS
    try:
        order = await purchases.start_purchase(
            update.effective_user.id, draft.ref, draft.amount_kg, currency=currency,
            retire_for=draft.retire_for, reason=draft.reason or "",
            key=f"buy:{update.effective_user.id}:{draft.id}:{currency}", now=now_of(context),
        )
    except DomainError as error:
        await show(update, error_text(t, error, texts_of(context)))
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
    drafts.drop(context, DRAFT_KEY)
    return ConversationHandler.END


async def _retire_held(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator) -> int:
    """Retire the held credits toward the offset; then, if they did not cover it, the rest."""
    draft = _draft(context)
    retirement = await STEPS.retire_now(update, context, t)
    rest_kg = draft.offset_kg - retirement.amount_kg if retirement is not None else 0
    if rest_kg <= 0:
        return ConversationHandler.END
    _new_draft(context, amount_kg=rest_kg, reason=draft.reason, is_offset=True)
    return await show_catalogue(update, context, t, intro=t(REST_TO_BUY, amount=t.tonnes_and_kg(rest_kg)),
                                fresh=True)


def _retires_held(context: ContextTypes.DEFAULT_TYPE, pressed: object) -> bool:
    draft = _draft(context)
    return draft is not None and draft.from_held and STEPS.can_retire_now(context)


async def on_pay_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: PayPressed) -> int:
    _, t = await member(update, context)
    await answer(update)
    return await _pay(update, context, t, pressed.how)


async def on_retire_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: object) -> int:
    _, t = await member(update, context)
    await answer(update)
    return await _retire_held(update, context, t)


async def on_confirm_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """"pay" (or "card"); "retire" (or yes, ok...) for held credits."""
    _, t = await member(update, context)
    text = update.effective_message.text
    if _retires_held(context, None):
        if STEPS.says_retire(text):
            return await _retire_held(update, context, t)
        await update.effective_chat.send_message(t(RETIRE_CONFIRM_HINT))
        return Buy.CONFIRM
    word = text.strip().lower()
    how = "card" if word in CARD_WORDS else "xtr" if word in PAY_WORDS else None
    if how is not None and _offers_payment(context, PayPressed(how)):
        return await _pay(update, context, t, how)
    await update.effective_chat.send_message(t(CONFIRM_HINT))
    return Buy.CONFIRM


def buy_conversation(wiring: Wiring) -> ConversationHandler:
    """The buying flow; other features enter it through `wiring.entry_points["buy"]` (e.g.
    the footprint's "Offset now" button, which calls the action "offset")."""
    typed_text = wiring.typed_text
    return ConversationHandler(
        entry_points=[
            *wiring.entry_points.get("buy", ()),
            CommandHandler("buy", buy_command),
            MessageHandler(filters.TEXT & menu.LabelIs(BUY_MENU), buy_command),
            BUY.handler(ItemPressed, on_item_pressed),
        ],
        states={
            Buy.HELD: [
                BUY.handler(HeldChoice, on_held_choice, is_open=_offers_held),
                MessageHandler(typed_text, on_held_typed),
            ],
            Buy.ITEM: [MessageHandler(typed_text, on_item_typed)],
            Buy.AMOUNT: [
                BUY.handler(AmountPressed, on_amount_pressed, is_open=_asks_tonnes),
                BUY.handler(UnitsPressed, on_units_pressed, is_open=_asks_units),
                MessageHandler(typed_text, on_amount_typed),
            ],
            **STEPS.states(typed_text),
            Buy.CONFIRM: [
                BUY.handler(PayPressed, on_pay_pressed, is_open=_offers_payment),
                BUY.handler(STEPS.RetirePressed, on_retire_pressed, is_open=_retires_held),
                MessageHandler(typed_text, on_confirm_typed),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", STEPS.cancel),
            BUY.handler(CancelPressed, STEPS.cancel),
            BUY.stale_handler(),  # a buy: button of another step: answered, nothing moves
            *(codec.stale_handler() for codec in wiring.codecs.get("retire", ())),  # /retire's, too
        ],
        name="buy",
        persistent=True,
        allow_reentry=True,
    )


async def _menu_buy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    return await buy_command(update, context)


def handlers(wiring: Wiring) -> list:
    """A buying button from a purchase that is over (paid, cancelled, after a restart)."""
    return [BUY.stale_handler(FINISHED)]


FEATURE = Feature(
    name="buy",
    conversations=[buy_conversation],
    handlers=handlers,
    menu_items=[menu.MenuItem(BUY_MENU, _menu_buy, order=10)],
    commands=[Command("buy", N_("Buy credits or CCCP products"), order=40)],
    deeplinks={"buy": continue_buy_link},
    error_texts=BUY_ERROR_TEXTS,
    codecs=[BUY],
    actions={"offset": start_offset},
)
