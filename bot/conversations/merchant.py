"""/merchant: a merchant registers products, funds batches of codes and downloads label sheets.

The first /merchant makes the person a merchant (pending until CCCP staff approve it:
`cccp codes approve-merchant`). A pending merchant registers products; only an
approved one funds codes. Everything works from buttons and from typed text:
`/merchant product`, `/merchant fund`, `/merchant labels <batch> [a4|letter|roll]`,
and each step reads what is typed. Label sheets are drawn in a thread (reportlab);
a large batch gets a progress message first. Core decides everything (core.codes).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import timedelta
from enum import IntEnum, auto

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import CommandHandler, ContextTypes, ConversationHandler, MessageHandler, filters

from bot import menu
from bot.callbacks import Codec, one_of, part, token, whole
from bot.clock import now_of
from bot.codes_key import codes_secret_of
from bot.feature import Command, Feature, Job, Wiring
from bot.i18n import N_, Translator
from bot.members import member
from bot.replies import answer, echo, show
from bot.texts import error_text, texts_of
from core import codes, ledger
from core.codes.errors import CodesError
from core.codes.labels import Label, label_url, render_labels
from core.errors import DomainError, InputError
from core.footprint import FootprintError
from core.ledger import CARBON
from core.outbox import OutboxMessage
from core.parsing import parse_amount_kg
from core.users import UserRole


class Merch(IntEnum):
    MENU = auto()
    NAME = auto()
    KG = auto()
    GTIN = auto()
    PRODUCT = auto()
    COUNT = auto()
    CONFIRM = auto()


DESCRIPTION = N_("Merchant: your CCCP products, codes and labels")
MERCHANT_MENU = N_("🏪 My products")
WELCOME = N_("You are now a CCCP merchant, {name}. CCCP staff will approve your account; until then you can "
             "register products, and once approved you can fund codes for them.")
STATUS = {
    "pending": N_("pending approval"),
    "approved": N_("approved"),
    "suspended": N_("suspended"),
}
MENU_TITLE = N_("🏪 Merchant {name} ({status}). Your credits: {available}.")
PRODUCTS_TITLE = N_("Products:")
PRODUCT_LINE = N_("• #{id} {name}: {amount} per unit")
NO_PRODUCTS = N_("No products yet.")
BATCHES_TITLE = N_("Batches of codes:")
BATCH_LINE = N_("• {id} {product}: {claimed} of {count} claimed, {held} held")
ADD_BUTTON = N_("➕ Register a product")
FUND_BUTTON = N_("🎫 Fund codes")
LABELS_BUTTON = N_("🖨 Labels {id}")
ASK_NAME = N_("What is the product called? (as on its package, up to 120 characters)")
ASK_KG = N_("How much CO2e does one unit carry? Type it with its unit (5 kg, 0.2 t), or what it is and the "
            "footprint calculator works it out (1 kg beef, a 200 km parcel).")
KG_UNREADABLE = N_("I could not read “{text}” as an amount or a footprint. Try 5 kg, 0.2 t or 1 kg beef.")
ASK_GTIN = N_("Its GTIN (barcode number) or SKU, if it has one? Type it, or /skip.")
PRODUCT_ADDED = N_("✅ Product #{id} registered: {name}, {amount} per unit.")
FROM_FOOTPRINT = N_("Worked out from the footprint of {basis}.")
NOT_APPROVED = N_("Your merchant account is {status}: you can fund codes once CCCP staff approve it.")
ASK_PRODUCT = N_("Which product are the codes for?")
NEED_PRODUCT = N_("Register a product first.")
ASK_COUNT = N_("How many codes? Each is backed by {amount} of your credits. Type a number from 1 to {max}.")
COUNT_UNREADABLE = N_("Please type a whole number of codes from 1 to {max}.")
CONFIRM = N_("Fund {count} codes of {product}? {total} of your credits will be held for them "
             "(you have {available}).")
CONFIRM_BUTTON = N_("✅ Fund the codes")
CANCEL_BUTTON = N_("✖️ Cancel")
FUNDED = N_("✅ Batch {id}: {count} codes of {product}, {total} held. Print the labels:")
FORMAT_BUTTONS = {"a4": N_("A4 (3×8)"), "letter": N_("Letter (30)"), "roll": N_("Label roll")}
FORMATS = {"a4": "a4-3x8", "letter": "letter-30", "roll": "roll"}
MAKING = N_("Making {n} labels, this takes a moment…")
LABELS_CAPTION = N_("Labels of batch {id}: {n} codes of {product}. Print at 100 % (no scaling).")
UNKNOWN_BATCH = N_("You have no batch {id}. Send /merchant to see yours.")
CANCELLED = N_("Cancelled. Nothing was changed.")
EXPIRED_NOTICE = N_("⌛ Batch {batch} of {product} has expired: the {amount} backing its {codes} unclaimed codes "
                    "were retired in your name on behalf of your customers. Shoppers who claim those codes now "
                    "get a certificate for their share.")
MAX_COUNT = 10_000  # in the chat; `cccp codes fund` allows more
PROGRESS_FROM = 200

ERROR_TEXTS = {
    "code_not_a_merchant": N_("Send /merchant first to become a merchant."),
    "code_merchant_not_approved": N_("Your merchant account is not approved yet: codes can be funded once CCCP staff approve it."),
    "code_invalid_product": N_("That product name or number cannot be used (a name up to 120 characters; "
                               "a GTIN or SKU of letters and digits, up to 32)."),
    "code_not_enough_credits": N_("You do not have enough credits: the codes need {needed}, you have {available}."),
    "code_invalid_batch": N_("That number of codes cannot be funded."),
    "code_unknown_product": N_("There is no such product."),
    "code_unknown_batch": N_("There is no such batch."),
}

MERCH = Codec("merch")


@MERCH.kind("add")
@dataclass(frozen=True)
class AddPressed:
    pass


@MERCH.kind("fund")
@dataclass(frozen=True)
class FundPressed:
    pass


@MERCH.kind("prod")
@dataclass(frozen=True)
class ProductPressed:
    product_id: int = part(whole(1, 2**62))


@MERCH.kind("ok")
@dataclass(frozen=True)
class ConfirmPressed:
    pass


@MERCH.kind("no")
@dataclass(frozen=True)
class CancelPressed:
    pass


@MERCH.kind("lbl")
@dataclass(frozen=True)
class LabelsPressed:
    batch: str = part(token(r"B[0-9A-HJKMNP-TV-Z]{10}"))
    sheet: str = part(one_of("a4", "letter", "roll"))


def _draft(context) -> dict:
    return context.user_data.setdefault("merchant", {})


def _error(t: Translator, context, error: DomainError) -> str:
    params = dict(error.params)
    if error.code == "code_not_enough_credits":
        return t(ERROR_TEXTS[error.code], needed=t.tonnes_and_kg(int(params.get("needed_kg") or 0)),
                 available=t.tonnes_and_kg(int(params.get("available_kg") or 0)))
    return error_text(t, error, {**texts_of(context), **ERROR_TEXTS})


async def _menu_text(t: Translator, merchant: codes.MerchantView) -> tuple[str, InlineKeyboardMarkup]:
    wallet = await ledger.user_account(merchant.user_id, CARBON)
    lines = [t(MENU_TITLE, name=merchant.name, status=t(STATUS[merchant.status.value]),
               available=t.tonnes_and_kg(wallet.available)), "", t(PRODUCTS_TITLE)]
    products = await codes.products_of(merchant.user_id)
    lines += [t(PRODUCT_LINE, id=p.id, name=p.name, amount=t.kg(p.kg_per_unit)) for p in products] or [t(NO_PRODUCTS)]
    batches = await codes.batches(user_id=merchant.user_id, limit=5)
    buttons = [[InlineKeyboardButton(t(ADD_BUTTON), callback_data=MERCH.encode(AddPressed()))],
               [InlineKeyboardButton(t(FUND_BUTTON), callback_data=MERCH.encode(FundPressed()))]]
    if batches:
        lines += ["", t(BATCHES_TITLE)]
        lines += [t(BATCH_LINE, id=b.id, product=b.product.name, claimed=b.claimed, count=b.count,
                    held=t.kg(b.held_kg)) for b in batches]
        buttons += [[InlineKeyboardButton(t(LABELS_BUTTON, id=b.id),
                                          callback_data=MERCH.encode(LabelsPressed(b.id, "a4")))] for b in batches]
    return "\n".join(lines), InlineKeyboardMarkup(buttons)


async def merchant_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/merchant [product | fund | labels <batch> [a4|letter|roll]]."""
    user, t = await member(update, context)
    if user is None:
        return ConversationHandler.END
    merchant = await codes.get_merchant(user.id)
    if merchant is None:
        merchant = await codes.register_merchant(user.id, now=now_of(context))
        await update.effective_chat.send_message(t(WELCOME, name=merchant.name))
    context.user_data["merchant"] = {}
    args = [a.lower() for a in context.args or []]
    if args[:1] == ["product"]:
        return await ask_name(update, context)
    if args[:1] == ["fund"]:
        return await ask_product(update, context)
    if args[:1] == ["labels"] and len(args) >= 2:
        sheet = args[2] if len(args) > 2 and args[2] in FORMATS else "a4"
        await send_labels(update, context, args[1].upper(), sheet)
        return ConversationHandler.END
    text, markup = await _menu_text(t, merchant)
    await update.effective_chat.send_message(text, reply_markup=markup)
    return Merch.MENU


async def ask_name(update: Update, context, pressed=None) -> int:
    user, t = await member(update, context)
    if user is None:
        return ConversationHandler.END
    await answer(update)
    await update.effective_chat.send_message(t(ASK_NAME))
    return Merch.NAME


async def on_name_typed(update: Update, context) -> int:
    user, t = await member(update, context)
    name = " ".join(update.effective_message.text.split())
    if not name or len(name) > 120:
        await update.effective_chat.send_message(t(ERROR_TEXTS["code_invalid_product"]))
        return Merch.NAME
    _draft(context)["name"] = name
    await update.effective_chat.send_message(t(ASK_KG))
    return Merch.KG


def read_kg(text: str) -> tuple[int, str | None]:
    """(kg, footprint basis): "5 kg", "0.2 t", a bare "5" as kg; else a footprint ("1 kg beef")."""
    cleaned = " ".join(text.split())
    try:
        return parse_amount_kg(cleaned + (" kg" if re.fullmatch(r"[\d.,\s]+", cleaned) else "")), None
    except InputError:
        return codes.kg_of_footprint(cleaned), cleaned


async def on_kg_typed(update: Update, context) -> int:
    user, t = await member(update, context)
    text = update.effective_message.text
    try:
        kg, basis = read_kg(text)
    except (InputError, FootprintError, ValueError):
        await update.effective_chat.send_message(t(KG_UNREADABLE, text=echo(text)))
        return Merch.KG
    if not 0 < kg <= 1_000_000:
        await update.effective_chat.send_message(t(KG_UNREADABLE, text=echo(text)))
        return Merch.KG
    _draft(context).update(kg=kg, basis=basis)
    await update.effective_chat.send_message(t(ASK_GTIN))
    return Merch.GTIN


async def on_gtin_typed(update: Update, context) -> int:
    text = update.effective_message.text.strip()
    return await _add_product(update, context, None if text.lower() in {"skip", "-", "/skip", "no"} else text)


async def on_skip(update: Update, context) -> int:
    return await _add_product(update, context, None)


async def _add_product(update: Update, context, gtin: str | None) -> int:
    user, t = await member(update, context)
    draft = _draft(context)
    if "name" not in draft or "kg" not in draft:
        return await merchant_command(update, context)
    try:
        product = await codes.add_product(user.id, draft["name"], kg_per_unit=draft["kg"], gtin=gtin,
                                          footprint_basis=draft.get("basis"), now=now_of(context))
    except CodesError as error:
        await update.effective_chat.send_message(_error(t, context, error))
        return Merch.GTIN
    lines = [t(PRODUCT_ADDED, id=product.id, name=product.name, amount=t.kg(product.kg_per_unit))]
    if product.footprint_basis:
        lines.append(t(FROM_FOOTPRINT, basis=product.footprint_basis))
    context.user_data["merchant"] = {}
    text, markup = await _menu_text(t, await codes.get_merchant(user.id))
    await update.effective_chat.send_message("\n".join(lines))
    await update.effective_chat.send_message(text, reply_markup=markup)
    return Merch.MENU


async def ask_product(update: Update, context, pressed=None) -> int:
    user, t = await member(update, context)
    if user is None:
        return ConversationHandler.END
    await answer(update)
    merchant = await codes.get_merchant(user.id)
    if merchant.status != codes.MerchantStatus.APPROVED:
        await update.effective_chat.send_message(t(NOT_APPROVED, status=t(STATUS[merchant.status.value])))
        return Merch.MENU
    products = await codes.products_of(user.id)
    if not products:
        await update.effective_chat.send_message(t(NEED_PRODUCT))
        return await ask_name(update, context)
    buttons = [[InlineKeyboardButton(f"#{p.id} {p.name} ({t.kg(p.kg_per_unit)})",
                                     callback_data=MERCH.encode(ProductPressed(p.id)))] for p in products[-10:]]
    await update.effective_chat.send_message(t(ASK_PRODUCT), reply_markup=InlineKeyboardMarkup(buttons))
    return Merch.PRODUCT


async def _choose_product(update: Update, context, product_id: int) -> int:
    user, t = await member(update, context)
    await answer(update)
    products = {p.id: p for p in await codes.products_of(user.id)}
    if product_id not in products:
        await update.effective_chat.send_message(t(ERROR_TEXTS["code_unknown_product"]))
        return Merch.PRODUCT
    _draft(context)["product"] = product_id
    await update.effective_chat.send_message(t(ASK_COUNT, amount=t.kg(products[product_id].kg_per_unit),
                                               max=t.number(MAX_COUNT, 0)))
    return Merch.COUNT


async def on_product_pressed(update: Update, context, pressed: ProductPressed) -> int:
    return await _choose_product(update, context, pressed.product_id)


async def on_product_typed(update: Update, context) -> int:
    text = update.effective_message.text.strip().lstrip("#")
    if not text.isdigit() or len(text) > 18:
        user, t = await member(update, context)
        await update.effective_chat.send_message(t(ERROR_TEXTS["code_unknown_product"]))
        return Merch.PRODUCT
    return await _choose_product(update, context, int(text))


async def on_count_typed(update: Update, context) -> int:
    user, t = await member(update, context)
    text = update.effective_message.text.strip().replace(",", "").replace(" ", "").replace("\u202f", "")
    if not text.isdigit() or not 0 < int(text) <= MAX_COUNT or "product" not in _draft(context):
        await update.effective_chat.send_message(t(COUNT_UNREADABLE, max=t.number(MAX_COUNT, 0)))
        return Merch.COUNT
    count = int(text)
    product = await codes.get_product(_draft(context)["product"])
    _draft(context)["count"] = count
    wallet = await ledger.user_account(user.id, CARBON)
    buttons = [[InlineKeyboardButton(t(CONFIRM_BUTTON), callback_data=MERCH.encode(ConfirmPressed())),
                InlineKeyboardButton(t(CANCEL_BUTTON), callback_data=MERCH.encode(CancelPressed()))]]
    await update.effective_chat.send_message(
        t(CONFIRM, count=t.number(count, 0), product=product.name, total=t.tonnes_and_kg(count * product.kg_per_unit),
          available=t.tonnes_and_kg(wallet.available)),
        reply_markup=InlineKeyboardMarkup(buttons))
    return Merch.CONFIRM


async def _fund(update: Update, context) -> int:
    user, t = await member(update, context)
    await answer(update)
    draft = _draft(context)
    if "count" not in draft:
        return await merchant_command(update, context)
    try:
        batch = await codes.fund_batch(
            draft["product"], draft["count"], secret=codes_secret_of(context), now=now_of(context),
            key=f"bot:{user.id}:{update.update_id}",
        )
    except CodesError as error:
        await show(update, _error(t, context, error))
        return Merch.MENU
    context.user_data["merchant"] = {}
    buttons = [[InlineKeyboardButton(t(label), callback_data=MERCH.encode(LabelsPressed(batch.id, sheet)))
                for sheet, label in FORMAT_BUTTONS.items()]]
    await show(update, t(FUNDED, id=batch.id, count=t.number(batch.count, 0), product=batch.product.name,
                         total=t.tonnes_and_kg(batch.held_kg)), InlineKeyboardMarkup(buttons))
    return Merch.MENU


async def on_confirm_pressed(update: Update, context, pressed: ConfirmPressed) -> int:
    return await _fund(update, context)


async def on_confirm_typed(update: Update, context) -> int:
    if update.effective_message.text.strip().lower() in {"yes", "ja", "oui", "ok", "y"}:
        return await _fund(update, context)
    return await cancel(update, context)


async def cancel(update: Update, context, pressed=None) -> int:
    user, t = await member(update, context)
    await answer(update)
    context.user_data["merchant"] = {}
    await update.effective_chat.send_message(t(CANCELLED))
    return ConversationHandler.END


async def send_labels(update: Update, context, batch_id: str, sheet: str) -> None:
    """The batch's label sheet as a PDF document (drawn in a thread)."""
    user, t = await member(update, context)
    if user is None:
        return
    await answer(update)
    own = {b.id: b for b in await codes.batches(user_id=user.id, limit=10_000)}
    batch = own.get(batch_id)
    if batch is None:
        await update.effective_chat.send_message(t(UNKNOWN_BATCH, id=echo(batch_id)))
        return
    if batch.count >= PROGRESS_FROM:
        await update.effective_chat.send_message(t(MAKING, n=t.number(batch.count, 0)))
    settings = context.bot_data["settings"]
    all_codes = await codes.batch_codes(batch.id, secret=codes_secret_of(context))
    labels = [Label(code, label_url(settings.public_base_url, code), batch.product.name, batch.kg_per_unit)
              for code in all_codes]
    pdf = await asyncio.to_thread(render_labels, labels, FORMATS[sheet], title=f"CCCP {batch.id}")
    await update.effective_chat.send_document(
        InputFile(pdf, filename=f"cccp-labels-{batch.id}-{sheet}.pdf"),
        caption=t(LABELS_CAPTION, id=batch.id, n=t.number(batch.count, 0), product=batch.product.name))


async def on_labels_pressed(update: Update, context, pressed: LabelsPressed) -> None:
    await send_labels(update, context, pressed.batch, pressed.sheet)


def merchant_conversation(wiring: Wiring) -> ConversationHandler:
    typed = wiring.typed_text
    by_menu = MessageHandler(filters.TEXT & menu.LabelIs(MERCHANT_MENU), merchant_command)
    buttons = [MERCH.handler(AddPressed, ask_name), MERCH.handler(FundPressed, ask_product),
               MERCH.handler(LabelsPressed, on_labels_pressed), MERCH.handler(CancelPressed, cancel)]
    return ConversationHandler(
        entry_points=[CommandHandler("merchant", merchant_command), by_menu, *buttons],
        states={
            Merch.MENU: buttons,
            Merch.NAME: [MessageHandler(typed, on_name_typed)],
            Merch.KG: [MessageHandler(typed, on_kg_typed)],
            Merch.GTIN: [CommandHandler("skip", on_skip), MessageHandler(typed, on_gtin_typed)],
            Merch.PRODUCT: [MERCH.handler(ProductPressed, on_product_pressed), MessageHandler(typed, on_product_typed)],
            Merch.COUNT: [MessageHandler(typed, on_count_typed)],
            Merch.CONFIRM: [MERCH.handler(ConfirmPressed, on_confirm_pressed), MessageHandler(typed, on_confirm_typed)],
        },
        fallbacks=[CommandHandler("cancel", cancel), CommandHandler("merchant", merchant_command), by_menu, *buttons,
                   MERCH.stale_handler()],
        name="merchant",
        persistent=True,
        allow_reentry=True,
    )


async def expire_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Retire the unclaimed backing of batches past their expiry (the notice goes through the outbox)."""
    await codes.expire_batches()


async def _send_expired(bot, bot_data, t: Translator, message: OutboxMessage) -> None:
    p = message.params
    await bot.send_message(message.chat_id, t(EXPIRED_NOTICE, batch=p["batch"], product=p["product"],
                                              amount=t.tonnes_and_kg(int(p["kg"])), codes=p["codes"]))


FEATURE = Feature(
    name="merchant",
    menu_items=[menu.MenuItem(MERCHANT_MENU, merchant_command, roles=frozenset({UserRole.MERCHANT.value}), order=30)],
    conversations=[merchant_conversation],
    commands=[Command("merchant", DESCRIPTION, order=70)],
    error_texts=ERROR_TEXTS,
    jobs=[Job("codes-expiry", expire_job, interval=timedelta(minutes=10))],
    outbox_renderers={codes.EXPIRED_KIND: _send_expired},
    codecs=[MERCH],
)
