"""Claiming a CCCP product code: typed, from a deep link, or from a photo of its label.

Free text that is probably a code (read at READ_CODE by the router, bot/router.py;
core.codes.is_probably_code, then core.codes.parse: case, spaces, dashes and
look-alikes do not matter), `/claim <code>`, `/start <code>` (the
label's QR opens the public page, whose button opens the bot with the code; the
bot takes the deep link directly too) and a photo of the label all lead to the
same card: the product, its merchant and its kg, with two buttons — retire them
in my name now (and get the certificate) or keep them in my account. Core claims
the code on the press (race-safe: of two people pressing at once one wins, the
other is told when it was claimed). A photo is decoded in a thread (zxing-cpp).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler, ContextTypes, MessageHandler, filters

from bot import menu
from bot.callbacks import Codec, part, token
from bot.clock import now_of
from bot.codes_key import codes_secret_of
from bot.feature import READ_CODE, Command, Feature, Reader, Wiring
from bot.i18n import N_, Translator
from bot.members import member, members_only
from bot.replies import answer, show
from bot.texts import error_text, texts_of
from core import codes
from core.certs.render import render_certificate_png_async
from core.certs.signing import load_or_create_key
from core.codes.errors import CodesError
from core.codes.scan import codes_in_photo
from core.errors import DomainError
from core.users import UserRole, UserView

log = logging.getLogger(__name__)

DESCRIPTION = N_("Claim the credits of a CCCP product code")
ASK = N_("Send me the code printed under the QR code on the package (it looks like {example}), "
         "or a photo of the label.")
CARD = N_("🏷 {product} from {merchant}: {amount} CO2e.\n"
          "Retire them in your name now and get a certificate, or keep them in your account?")
CARD_SHARE = N_("🏷 {product} from {merchant}: {amount} CO2e. The merchant has already retired these "
                "credits for its customers; claim the code for your certificate of your share.")
RETIRE_BUTTON = N_("🌱 Retire and get my certificate")
KEEP_BUTTON = N_("📥 Keep in my account")
CLAIM_SHARE_BUTTON = N_("🌱 Get my certificate")
CLAIMED_RETIRED = N_("✅ Claimed: {amount} CO2e from {product} ({merchant}), retired in your name.")
CLAIMED_KEPT = N_("✅ Claimed: {amount} CO2e from {product} ({merchant}). They are in your account; "
                  "retire them whenever you like with /retire.")
CLAIMED_SHARE = N_("✅ Claimed: your share of {amount} CO2e, retired by {merchant} for its customers.")
CERT_CAPTION = N_("Certificate {id}: {amount} CO2e retired for {beneficiary}.\nFor: {reason}\nCheck it at {url}")
NO_CODE_IN_PHOTO = N_("I found no CCCP code in this photo. Take it closer, with the whole QR code in the "
                      "picture, or type the code printed under it.")
PHOTO_TOO_LARGE = N_("This picture is too large. Please send a smaller photo of the label.")
PHOTO_UNREADABLE = N_("I could not download this photo. Please send it again.")
MAX_PHOTO_BYTES = 20_000_000  # the Bot API lets bots download files up to 20 MB

ERROR_TEXTS = {
    "code_not_a_code": N_("That is not a CCCP product code. A code looks like {example}."),
    "code_mistyped": N_("This code looks mistyped: please check it against the label. "
                        "(O and 0, I and 1 may be mixed up; they are read as the same.)"),
    "code_unknown": N_("We do not know this code. Please check it against the label."),
    "code_merchant_suspended": N_("This merchant's codes cannot be claimed at the moment. Please try again later."),
    "code_claims_paused": N_("Too many unknown codes in a short time. Please try again after {until} UTC."),
}
ALREADY_CLAIMED = N_("This code was already claimed on {date}.")
ALREADY_YOURS = N_("You already claimed this code on {date}.")

EXAMPLE = codes.printed(codes.derive(b"example", "B", 0))  # a well-formed code no batch has
CLAIM = Codec("claim")
CODE_PART = token(r"K[0-9A-HJKMNP-TV-Z]{14}")


@CLAIM.kind("r")
@dataclass(frozen=True)
class RetirePressed:
    code: str = part(CODE_PART)


@CLAIM.kind("k")
@dataclass(frozen=True)
class KeepPressed:
    code: str = part(CODE_PART)


def claim_error_text(t: Translator, context, error: DomainError) -> str:
    if error.code == "code_already_claimed":
        when = error.params.get("claimed_at")
        return t(ALREADY_YOURS if error.params.get("is_yours") else ALREADY_CLAIMED,
                 date=t.date(when) if when else "—")
    if error.code == "code_claims_paused":
        return t(ERROR_TEXTS["code_claims_paused"], until=f"{error.params['until']:%H:%M}")
    if error.code == "code_not_a_code":
        return t(ERROR_TEXTS["code_not_a_code"], example=EXAMPLE)
    return error_text(t, error, {**texts_of(context), **ERROR_TEXTS})


async def offer_claim(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Show what the code carries, with the choice to retire or keep; or say why not."""
    user, t = await member(update, context)
    if user is None:
        return
    try:
        view = await codes.preview(text, user.id, secret=codes_secret_of(context), now=now_of(context))
    except CodesError as error:
        await update.effective_chat.send_message(claim_error_text(t, context, error))
        return
    params = {"product": view.product.name, "merchant": view.product.merchant_name,
              "amount": t.tonnes_and_kg(view.product.kg_per_unit)}
    if view.state == codes.CodeState.EXPIRED:
        keyboard = [[InlineKeyboardButton(t(CLAIM_SHARE_BUTTON), callback_data=CLAIM.encode(RetirePressed(view.code)))]]
        await update.effective_chat.send_message(t(CARD_SHARE, **params), reply_markup=InlineKeyboardMarkup(keyboard))
        return
    keyboard = [
        [InlineKeyboardButton(t(RETIRE_BUTTON), callback_data=CLAIM.encode(RetirePressed(view.code)))],
        [InlineKeyboardButton(t(KEEP_BUTTON), callback_data=CLAIM.encode(KeepPressed(view.code)))],
    ]
    await update.effective_chat.send_message(t(CARD, **params), reply_markup=InlineKeyboardMarkup(keyboard))


@members_only
async def on_claim_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, user: UserView, t: Translator,
                           pressed: RetirePressed | KeepPressed) -> None:
    """Retire (or keep) pressed on a code's card: claim it now."""
    retire = isinstance(pressed, RetirePressed)
    try:
        claimed = await codes.claim(pressed.code, user.id, secret=codes_secret_of(context), retire=retire, now=now_of(context))
    except CodesError as error:
        await answer(update)
        await show(update, claim_error_text(t, context, error))
        return
    await answer(update)
    params = {"product": claimed.product.name, "merchant": claimed.product.merchant_name,
              "amount": t.tonnes_and_kg(claimed.amount_kg)}
    text = CLAIMED_SHARE if claimed.is_share else CLAIMED_RETIRED if claimed.retirement_id else CLAIMED_KEPT
    await show(update, t(text, **params))
    if claimed.retirement_id is not None:
        await send_certificate(update, context, t, claimed)


async def send_certificate(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator,
                           claimed: codes.ClaimView) -> None:
    """Sign (once per code), draw and send the certificate naming the product and merchant."""
    settings = context.bot_data["settings"]
    key = context.bot_data.get("cert_signing_key")
    if key is None:
        key = context.bot_data["cert_signing_key"] = load_or_create_key(
            settings.cert_signing_key, settings.data_dir / "cert_signing_key")
    cert = await codes.certify_claim(claimed, signing_key=key, public_base_url=settings.public_base_url,
                                     language=t.language)
    png = await render_certificate_png_async(cert)
    await update.effective_chat.send_photo(photo=png, caption=t(
        CERT_CAPTION, id=cert.id, amount=t.tonnes_and_kg(cert.amount_kg), beneficiary=cert.beneficiary,
        reason=cert.reason, url=cert.verify_url))


async def claim_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/claim <code>; alone, say what to send."""
    if context.args:
        await offer_claim(update, context, " ".join(context.args))
        return
    user, t = await member(update, context)
    if user is not None:
        await update.effective_chat.send_message(t(ASK, example=EXAMPLE))


async def read_code(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> bool:
    """Free text (bot/router.py): a product code typed while no flow waits for text; a
    mistyped code is still ours (it is told so), a word of a code's shape is not."""
    if not codes.is_probably_code(text):
        return False
    await offer_claim(update, context, text)
    return True


async def continue_code_link(update: Update, context: ContextTypes.DEFAULT_TYPE, rest: str) -> None:
    """/start K...: the label's QR (through the public page) or a shared link."""
    await offer_claim(update, context, codes.PREFIX + rest)


@members_only
async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE, user: UserView, t: Translator) -> None:
    """A photo (or an image file) of a label: find the code in it."""
    message = update.effective_message
    media = message.photo[-1] if message.photo else message.document
    if media.file_size and media.file_size > MAX_PHOTO_BYTES:
        await update.effective_chat.send_message(t(PHOTO_TOO_LARGE))
        return
    try:
        data = bytes(await (await context.bot.get_file(media.file_id)).download_as_bytearray())
    except TelegramError as error:
        log.warning("photo download failed: %r", error)
        await update.effective_chat.send_message(t(PHOTO_UNREADABLE))
        return
    found = await asyncio.to_thread(codes_in_photo, data)  # CPU work off the event loop
    if not found:
        await update.effective_chat.send_message(t(NO_CODE_IN_PHOTO))
        return
    await offer_claim(update, context, found[0])


def handlers(wiring: Wiring) -> list:
    return [
        CommandHandler("claim", claim_command),
        MessageHandler(filters.ChatType.PRIVATE & (filters.PHOTO | filters.Document.IMAGE), on_photo),
        CLAIM.handler(RetirePressed, on_claim_pressed),
        CLAIM.handler(KeepPressed, on_claim_pressed),
        CLAIM.stale_handler(),
    ]


CLAIM_MENU = N_("🏷 Claim a code")


FEATURE = Feature(
    name="claim",
    menu_items=[menu.MenuItem(CLAIM_MENU, claim_command, roles=frozenset({UserRole.CONSUMER.value}), order=35)],
    handlers=handlers,
    commands=[Command("claim", DESCRIPTION, order=35)],
    deeplinks={codes.PREFIX: continue_code_link},
    error_texts=ERROR_TEXTS,
    codecs=[CLAIM],
    readers=[Reader("code", read_code, order=READ_CODE)],
)
