"""Retiring credits already held: /retire [amount] (or the menu) -> amount -> for whom ->
reason -> confirm -> certificate.

Works by buttons alone and by typing alone (an amount in any form people type,
"me" or a name, a reason or "skip", "retire"). What was chosen so far is a
`RetireDraft` in user_data["retire"] (bot/drafts.py). Core decides whether the person
holds enough (core.purchases.check_can_retire) and retires lowest serials first.
The steps for whom and why are the ones /buy asks too (bot/conversations/steps.py),
on this feature's codec `retire:`; a button of another step or flow changes nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import IntEnum, auto

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes, ConversationHandler, MessageHandler, filters

from bot import drafts, menu
from bot.callbacks import Codec
from bot.conversations.steps import RETIRE_CONFIRM_HINT, RetireSteps
from bot.feature import Command, Feature, Wiring
from bot.i18n import N_, Translator
from bot.members import member, members_only
from bot.replies import answer, show
from bot.texts import error_text, texts_of
from core import users
from core.errors import DomainError
from core.parsing import parse_amount_kg
from core.purchases import service as purchases
from core.users import UserView


class Retire(IntEnum):
    AMOUNT = auto()
    WHOM = auto()
    BENEFICIARY = auto()
    REASON = auto()
    CONFIRM = auto()


RETIRE_MENU = N_("🌱 Retire credits")
ASK_RETIRE_AMOUNT = N_(
    "How much would you like to retire? You hold {available}.\n"
    "Choose an amount or type one, for example 0.5 t or 250 kg."
)
NOTHING_TO_RETIRE = N_("You have no credits to retire yet. Send /buy to get some.")
DRAFT_KEY = "retire"


@dataclass
class RetireDraft:
    """What /retire has chosen so far (stored as plain data, bot/drafts.py)."""

    id: str
    amount_kg: int = 0
    retire_for: str | None = None
    reason: str | None = None  # None: not asked yet; "": skipped


async def _summary(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator) -> int:
    if not STEPS.can_retire_now(context):  # reached out of order (a late button): start over
        return await retire_command(update, context)
    await STEPS.ask_to_retire(update, context, t)
    return Retire.CONFIRM


RETIRE = Codec("retire")
STEPS = RetireSteps(RETIRE, key=DRAFT_KEY, draft=RetireDraft,
                    states=(Retire.WHOM, Retire.BENEFICIARY, Retire.REASON), summary=_summary)


def _asks_amount(context: ContextTypes.DEFAULT_TYPE, pressed: object) -> bool:
    return STEPS.load(context) is not None


@members_only
async def retire_command(update: Update, context: ContextTypes.DEFAULT_TYPE, user: UserView, t: Translator) -> int:
    """/retire [amount]: retire credits already held, for a beneficiary, with a certificate."""
    figures = await users.balances(user.id)
    if figures.available_kg <= 0:
        await update.effective_chat.send_message(t(NOTHING_TO_RETIRE))
        return ConversationHandler.END
    drafts.save(context, DRAFT_KEY, RetireDraft(id=secrets.token_hex(6)))
    if context.args:
        try:
            return await _take_amount(update, context, t, parse_amount_kg(" ".join(context.args)))
        except DomainError as error:
            await update.effective_chat.send_message(error_text(t, error, texts_of(context)))
    await show(update, t(ASK_RETIRE_AMOUNT, available=t.tonnes_and_kg(figures.available_kg)),
               STEPS.amount_keyboard(t))
    return Retire.AMOUNT


async def _take_amount(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, amount_kg: int) -> int:
    try:
        await purchases.check_can_retire(update.effective_user.id, amount_kg)
    except DomainError as error:
        await show(update, error_text(t, error, texts_of(context)), STEPS.amount_keyboard(t))
        return Retire.AMOUNT
    draft = STEPS.load(context)
    if draft is None:  # an amount step with no draft (its data lost): start over
        return await retire_command(update, context)
    draft.amount_kg = amount_kg
    STEPS.save(context, draft)
    user, _ = await member(update, context)
    return await STEPS.ask_whom(update, context, t, user)


async def on_amount_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed) -> int:
    _, t = await member(update, context)
    await answer(update)
    return await _take_amount(update, context, t, pressed.amount_kg)


async def on_amount_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """An amount in any form ("0,5 t", "250 kg")."""
    _, t = await member(update, context)
    try:
        amount_kg = parse_amount_kg(update.effective_message.text)
    except DomainError as error:
        await update.effective_chat.send_message(error_text(t, error, texts_of(context)))
        return Retire.AMOUNT
    return await _take_amount(update, context, t, amount_kg)


async def on_retire_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed) -> int:
    _, t = await member(update, context)
    await answer(update)
    await STEPS.retire_now(update, context, t)
    return ConversationHandler.END


async def on_confirm_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """"retire" (or yes, ok...) retires; anything else is answered with a hint."""
    _, t = await member(update, context)
    if STEPS.says_retire(update.effective_message.text) and STEPS.can_retire_now(context):
        await STEPS.retire_now(update, context, t)
        return ConversationHandler.END
    await update.effective_chat.send_message(t(RETIRE_CONFIRM_HINT))
    return Retire.CONFIRM


def retire_conversation(wiring: Wiring) -> ConversationHandler:
    typed_text = wiring.typed_text
    return ConversationHandler(
        entry_points=[
            *wiring.entry_points.get("retire", ()),
            CommandHandler("retire", retire_command),
            MessageHandler(filters.TEXT & menu.LabelIs(RETIRE_MENU), retire_command),
        ],
        states={
            Retire.AMOUNT: [
                RETIRE.handler(STEPS.AmountPressed, on_amount_pressed, is_open=_asks_amount),
                MessageHandler(typed_text, on_amount_typed),
            ],
            **STEPS.states(typed_text),
            Retire.CONFIRM: [
                RETIRE.handler(STEPS.RetirePressed, on_retire_pressed, is_open=STEPS.can_retire_now),
                MessageHandler(typed_text, on_confirm_typed),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", STEPS.cancel),
            RETIRE.handler(STEPS.CancelPressed, STEPS.cancel),
            RETIRE.stale_handler(),  # a retire: button of another step: answered, nothing moves
            *(codec.stale_handler() for codec in wiring.codecs.get("buy", ())),  # /buy's, too
        ],
        name="retire",
        persistent=True,
        allow_reentry=True,
    )


async def _menu_retire(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    return await retire_command(update, context)


FEATURE = Feature(
    name="retire",
    conversations=[retire_conversation],
    menu_items=[menu.MenuItem(RETIRE_MENU, _menu_retire, order=11)],
    commands=[Command("retire", N_("Retire credits you hold, with a certificate"), order=41)],
    codecs=[RETIRE],
)
