"""/lookup: what a serial number, a serial range or a retirement id is, from the public registry.

`/lookup CCCP-P7-2024-1000` answers at once; `/lookup` alone asks for the
number and reads the next typed text. A serial or retirement id typed while
no flow waits for text is looked up too. Anyone may look up (no sign-up):
the registry is public. The answer lists the facts core.registry.lookup
finds, translated, and links to the public page (PUBLIC_BASE_URL/registry?q=),
which shows the same look-up with the certificate.
"""

from __future__ import annotations

import re
from enum import IntEnum, auto
from urllib.parse import quote

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes, ConversationHandler, MessageHandler

from bot.feature import READ_ID, Command, Feature, Reader, Wiring
from bot.i18n import N_, Translator, tr
from core import registry
from core.registry import LookupView, SerialRangeView
from core.registry.errors import BadSerial, SerialNotFound


class Lookup(IntEnum):
    ASKING = auto()


MAX_QUERY_CHARS = 120  # a serial range is at most ~60 characters
MAX_PIECES_SHOWN = 10  # keeps the answer far below Telegram's 4096 characters
EXAMPLE_SERIAL = "CCCP-P7-2024-1000"
EXAMPLE_RETIREMENT = "R7K3M9Q2XA4"  # R and 10 characters (core.ids)
EXAMPLE_CERTIFICATE = "C4QZ8M1T0E3K9X"  # C, 12 characters and a check character
# Typed outside any flow: a serial, or text shaped like a retirement or certificate id. One
# with a digit is answered even when nothing has it (a mistyped id); one without (about 2 %
# of retirement ids, an eleven-letter word starting with R) only when the registry has it.
SERIAL_TYPED = re.compile(r"(?i)CCCP-[A-Z0-9]{1,12}-\d{4}-\d{1,19}(-\d{1,19})?")
RETIREMENT_TYPED = re.compile(r"(?i)R[0-9A-HJKMNP-TV-Z]{10}")
CERTIFICATE_TYPED = re.compile(r"(?i)C[0-9A-HJKMNP-TV-Z]{13}")

DESCRIPTION = N_("Look up a serial number, a retirement id or a certificate id")
ASK = N_(
    "Send me a serial number, a retirement id or a certificate id, for example {serial}, "
    "{retirement} or {certificate}. The retirement id and the certificate id are printed on every certificate."
)
CANCELLED = N_("Cancelled. Nothing was looked up.")
NOT_A_NUMBER = N_(
    "“{text}” is not a serial number, a retirement id or a certificate id. A serial number looks like "
    "{serial} (project, vintage, number), a retirement id like {retirement}, a certificate id like "
    "{certificate}. Send /lookup to try again."
)
NOT_FOUND = N_("Nothing in the registry has the number {text}. Check it and send /lookup to try again.")
SERIAL_TITLE = N_("🔎 Serial numbers {serial}")
RETIREMENT_TITLE = N_("🔎 Retirement {id}: {amount} retired for {beneficiary} on {date}")
PROJECT_LINE = N_("Project: {name} ({code}), {country}")
METHODOLOGY_LINE = N_("Methodology: {methodology} ({standard})")
BATCH_LINE = N_("Batch: {serial}, vintage {vintage}, {amount} issued on {date}")
REASON_LINE = N_("Reason: {reason}")
STATUS_TITLE = N_("Status:")
SERIALS_TITLE = N_("Serial numbers:")
ACTIVE_PIECE = N_("• {serial} ({amount}): active, in circulation")
HELD_PIECE = N_("• {serial} ({amount}): held, reserved for an offer or a payment")
CANCELLED_PIECE = N_("• {serial} ({amount}): cancelled from a buffer pool for a forest loss")
RETIRED_PIECE = N_("• {serial} ({amount}): retired for {beneficiary} on {date} ({id})")
RANGE_PIECE = N_("• {serial}, vintage {vintage} ({amount})")
MORE_PIECES = N_("… and {n} more ranges on the public page.")
PUBLIC_PAGE = N_("Public page: {url}")


def public_url(context: ContextTypes.DEFAULT_TYPE, query: str) -> str:
    base = context.bot_data["settings"].public_base_url.rstrip("/")
    return f"{base}/registry?q={quote(query, safe='')}"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:39] + "…"


def piece_line(t: Translator, piece: SerialRangeView) -> str:
    amount = t.kg(piece.amount_kg)
    if piece.status == "retired":
        return t(
            RETIRED_PIECE, serial=piece.serial, amount=amount, beneficiary=piece.beneficiary or "—",
            date=t.date(piece.retired_at) if piece.retired_at else "—", id=piece.retirement_id or "—",
        )
    if piece.status == "canceled":
        return t(CANCELLED_PIECE, serial=piece.serial, amount=amount)
    return t(HELD_PIECE if piece.status == "held" else ACTIVE_PIECE, serial=piece.serial, amount=amount)


def facts_text(t: Translator, view: LookupView, url: str) -> str:
    """The look-up in the person's language, at most MAX_PIECES_SHOWN ranges."""
    project = view.project
    lines = []
    retirement = view.retirement
    if retirement is not None:
        lines.append(t(
            RETIREMENT_TITLE, id=retirement.id, amount=t.kg(retirement.amount_kg),
            beneficiary=retirement.beneficiary, date=t.date(retirement.created_at),
        ))
        if retirement.reason:
            lines.append(t(REASON_LINE, reason=retirement.reason))
    else:
        lines.append(t(SERIAL_TITLE, serial=view.query.strip().upper()))
    lines.append(t(PROJECT_LINE, name=project.name, code=project.code, country=_country(t, project.country)))
    lines.append(t(METHODOLOGY_LINE, methodology=project.methodology_name, standard=project.standard))
    if view.batch is not None:
        batch = view.batch
        lines.append(t(
            BATCH_LINE, serial=batch.serial, vintage=batch.vintage, amount=t.kg(batch.amount_kg),
            date=t.date(batch.issued_at),
        ))
    lines += ["", t(SERIALS_TITLE if retirement is not None else STATUS_TITLE)]
    shown = view.pieces[:MAX_PIECES_SHOWN]
    if retirement is not None:
        lines += [t(RANGE_PIECE, serial=p.serial, vintage=p.vintage, amount=t.kg(p.amount_kg)) for p in shown]
    else:
        lines += [piece_line(t, p) for p in shown]
    if len(view.pieces) > len(shown) or view.is_truncated:
        lines.append(t(MORE_PIECES, n=max(len(view.pieces) - len(shown), 1)))
    lines += ["", t(PUBLIC_PAGE, url=url)]
    return "\n".join(lines)


def _country(t: Translator, alpha_2: str) -> str:
    from babel import Locale

    return Locale.parse(t.language).territories.get(alpha_2, alpha_2)


async def reply_lookup(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Look `text` up and answer with the facts or a clear sentence why not."""
    t = await tr(update, context)
    text = " ".join(text.split())
    examples = {"serial": EXAMPLE_SERIAL, "retirement": EXAMPLE_RETIREMENT, "certificate": EXAMPLE_CERTIFICATE}
    try:
        if len(text) > MAX_QUERY_CHARS:
            raise BadSerial(text=text[:80])
        view = await registry.lookup(text)
    except BadSerial:
        await update.effective_chat.send_message(t(NOT_A_NUMBER, text=_short(text), **examples))
        return
    except SerialNotFound:
        await update.effective_chat.send_message(t(NOT_FOUND, text=_short(text)))
        return
    url = public_url(context, view.retirement.id if view.retirement else view.query.strip().upper())
    await update.effective_chat.send_message(facts_text(t, view, url), disable_web_page_preview=True)


async def lookup_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/lookup <serial or retirement id>; alone, ask for it."""
    if context.args:
        await reply_lookup(update, context, " ".join(context.args))
        return ConversationHandler.END
    t = await tr(update, context)
    await update.effective_chat.send_message(t(ASK, serial=EXAMPLE_SERIAL, retirement=EXAMPLE_RETIREMENT,
                                                     certificate=EXAMPLE_CERTIFICATE))
    return Lookup.ASKING


async def on_number_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """The number asked for (any typed text: the answer says when it is none)."""
    await reply_lookup(update, context, update.effective_message.text)
    return ConversationHandler.END


async def read_id(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> bool:
    """Free text (bot/router.py): a serial, retirement or certificate id typed while no flow waits for text."""
    if SERIAL_TYPED.fullmatch(text):
        await reply_lookup(update, context, text)
        return True
    if not (RETIREMENT_TYPED.fullmatch(text) or CERTIFICATE_TYPED.fullmatch(text)):
        return False
    if not any(c.isdigit() for c in text) and not await _in_registry(text):
        return False
    await reply_lookup(update, context, text)
    return True


async def _in_registry(text: str) -> bool:
    try:
        await registry.lookup(text)
    except (BadSerial, SerialNotFound):
        return False
    return True


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/cancel while the number is asked for."""
    t = await tr(update, context)
    await update.effective_chat.send_message(t(CANCELLED))
    return ConversationHandler.END


def lookup_conversation(wiring: Wiring) -> ConversationHandler:
    """Before the footprint's free text, so the asked-for number is read here."""
    return ConversationHandler(
        entry_points=[CommandHandler("lookup", lookup_command)],
        states={Lookup.ASKING: [MessageHandler(wiring.typed_text, on_number_typed)]},
        fallbacks=[CommandHandler("cancel", cancel), CommandHandler("lookup", lookup_command)],
        name="lookup",
        persistent=True,
        allow_reentry=True,
    )


FEATURE = Feature(
    name="lookup",
    conversations=[lookup_conversation],
    commands=[Command("lookup", DESCRIPTION, order=60)],
    readers=[Reader("id", read_id, order=READ_ID)],
)
