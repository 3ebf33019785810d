"""The steps buying and retiring share: how much, for whom, why (not a feature).

`RetireSteps(codec, ...)` declares the buttons of these steps on the flow's own codec
(`<prefix>:amt:<kg>`, `<prefix>:ret:me|other|keep`, `<prefix>:why:skip`,
`<prefix>:cancel`) and gives the flow its handlers for them, so /buy and /retire ask the
same questions the same way without either importing the other. The flow hands in how
to load and save its typed draft (bot/drafts.py; the draft has `amount_kg`,
`retire_for`, `reason`), whether keeping the credits is offered, whether it is an
offset, and what comes after the reason (its summary).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes, ConversationHandler, MessageHandler, filters

from bot import drafts
from bot.callbacks import Codec, one_of, part, whole
from bot.i18n import N_, Translator
from bot.members import member
from bot.orders import send_certificate
from bot.replies import answer, in_rows, show
from bot.texts import error_text, texts_of
from core.errors import DomainError
from core.parsing import MAX_AMOUNT_KG
from core.purchases import service as purchases

Context = ContextTypes.DEFAULT_TYPE

AMOUNT_CHOICES_KG = (100, 500, 1_000, 5_000)

CANCEL = N_("Cancel")
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
RETIRE_ME = N_("🌱 In my name ({name})")
RETIRE_OTHER = N_("✍️ For someone else")
KEEP = N_("📥 Keep in my account")
ASK_BENEFICIARY = N_("Type the name to put on the certificate.")
ASK_REASON = N_("What is it for? Type a reason, for example “offset of flight LHR–CDG”, or skip.")
SKIP = N_("Skip")
CANCELLED = N_("Cancelled. Nothing was bought or retired.")
SUMMARY_REASON = N_("Reason: {reason}")
RETIRE_SUMMARY = N_("Retire {amount} CO2e for {beneficiary}?")
RETIRE_CONFIRM = N_("✅ Retire")
RETIRE_CONFIRM_HINT = N_("Press Retire or type “retire” to retire the credits, or /cancel.")
RETIRED = N_("Done: {amount} CO2e retired for {beneficiary}. Here is your certificate.")

KEEP_WORDS = {"keep", "behalten", "garder", "conserver", "no", "nein", "non"}
ME_WORDS = {"me", "myself", "i", "ich", "mich", "moi", "yes", "ja", "oui"}
SKIP_WORDS = {"skip", "-", "no", "none", "überspringen", "nein", "passer", "non", "aucune"}
RETIRE_WORDS = {"retire", "stilllegen", "retirer", "yes", "ok", "okay", "ja", "oui"}
# Retiring is an offset's default: "ok" or "pay" there means "in my name".
OFFSET_ME_WORDS = {"pay", "yes", "ok", "okay", "zahlen", "bezahlen", "ja", "payer", "oui", "retire"}


def tonnes(t: Translator, amount_kg: int) -> str:
    """0.1 t, 0,5 t: amount buttons always in tonnes (one credit is one tonne)."""
    return f"{t.number(Decimal(amount_kg) / 1000)} t"


class RetireSteps:
    """How much, for whom and why, on one flow's codec (see the module docstring)."""

    def __init__(
        self,
        codec: Codec,
        *,
        key: str,
        draft: type,
        states: tuple[object, object, object],  # for whom, the typed name, the reason
        summary: Callable[[Update, Context, Translator], Awaitable[int]],
        can_keep: Callable[[Any], bool] = lambda draft: False,
        is_offset: Callable[[Any], bool] = lambda draft: False,
    ) -> None:
        self.codec, self.key, self.draft_class = codec, key, draft
        self.whom_state, self.beneficiary_state, self.reason_state = states
        self.summary, self.can_keep, self.is_offset = summary, can_keep, is_offset

        @codec.kind("amt")
        @dataclass(frozen=True)
        class AmountPressed:
            amount_kg: int = part(whole(1, MAX_AMOUNT_KG))

        @codec.kind("ret")
        @dataclass(frozen=True)
        class WhomPressed:
            choice: str = part(one_of("me", "other", "keep"))

        @codec.kind("why:skip")
        @dataclass(frozen=True)
        class ReasonSkipped:
            pass

        @codec.kind("cancel")
        @dataclass(frozen=True)
        class CancelPressed:
            pass

        @codec.kind("done")
        @dataclass(frozen=True)
        class RetirePressed:
            pass

        self.AmountPressed, self.WhomPressed = AmountPressed, WhomPressed
        self.ReasonSkipped, self.CancelPressed, self.RetirePressed = ReasonSkipped, CancelPressed, RetirePressed

    # ---- the draft and the keyboards ----

    def load(self, context: Context) -> Any:
        return drafts.load(context, self.key, self.draft_class)

    def save(self, context: Context, draft: object) -> None:
        drafts.save(context, self.key, draft)

    def cancel_row(self, t: Translator) -> list[InlineKeyboardButton]:
        return [InlineKeyboardButton(t(CANCEL), callback_data=self.codec.encode(self.CancelPressed()))]

    def amount_keyboard(self, t: Translator) -> InlineKeyboardMarkup:
        buttons = [InlineKeyboardButton(tonnes(t, kg), callback_data=self.codec.encode(self.AmountPressed(kg)))
                   for kg in AMOUNT_CHOICES_KG]
        return InlineKeyboardMarkup([*in_rows(buttons, 4), self.cancel_row(t)])

    def whom_keyboard(self, t: Translator, name: str, *, can_keep: bool, is_offset: bool) -> InlineKeyboardMarkup:
        """Retire now first (an offset's default: it is what brings the certificate), keep last."""
        me = OFFSET_RETIRE_ME if is_offset else RETIRE_ME
        data = lambda choice: self.codec.encode(self.WhomPressed(choice))  # noqa: E731
        rows = [[InlineKeyboardButton(t(me, name=name), callback_data=data("me"))],
                [InlineKeyboardButton(t(RETIRE_OTHER), callback_data=data("other"))]]
        if can_keep:
            keep = KEEP_NO_CERTIFICATE if is_offset else KEEP
            rows.append([InlineKeyboardButton(t(keep), callback_data=data("keep"))])
        return InlineKeyboardMarkup([*rows, self.cancel_row(t)])

    async def cancel(self, update: Update, context: Context, pressed: object = None) -> int:
        """/cancel or the Cancel button: the draft is dropped, nothing moves."""
        _, t = await member(update, context)
        await answer(update)
        drafts.drop(context, self.key)
        await show(update, t(CANCELLED))
        return ConversationHandler.END

    # ---- for whom ----

    async def ask_whom(self, update: Update, context: Context, t: Translator, user) -> int:
        draft = self.load(context)
        can_keep, is_offset = self.can_keep(draft), self.is_offset(draft)
        if is_offset:
            text = t(OFFSET_ASK_RETIRE, reason=draft.reason or "—")
        else:
            text = t(ASK_RETIRE) if can_keep else t(ASK_WHOSE_NAME)
        await show(update, text, self.whom_keyboard(t, user.first_name, can_keep=can_keep, is_offset=is_offset))
        return self.whom_state

    def whom_is_open(self, context: Context, pressed) -> bool:
        draft = self.load(context)
        return bool(draft and draft.amount_kg) and (pressed.choice != "keep" or self.can_keep(draft))

    async def take_beneficiary(self, update: Update, context: Context, t: Translator, name: str | None) -> int:
        draft = self.load(context)
        draft.retire_for = name
        self.save(context, draft)
        if name is None or draft.reason:
            return await self.summary(update, context, t)
        skip = InlineKeyboardMarkup([
            [InlineKeyboardButton(t(SKIP), callback_data=self.codec.encode(self.ReasonSkipped()))],
            self.cancel_row(t),
        ])
        await show(update, t(ASK_REASON), skip)
        return self.reason_state

    async def on_whom_pressed(self, update: Update, context: Context, pressed) -> int:
        user, t = await member(update, context)
        await answer(update)
        if pressed.choice == "other":
            await show(update, t(ASK_BENEFICIARY), InlineKeyboardMarkup([self.cancel_row(t)]))
            return self.beneficiary_state
        return await self.take_beneficiary(update, context, t, None if pressed.choice == "keep" else user.first_name)

    async def on_whom_typed(self, update: Update, context: Context) -> int:
        """"keep", "me", or the name to put on the certificate."""
        user, t = await member(update, context)
        draft = self.load(context)
        word = " ".join(update.effective_message.text.split()).lower()
        if word in KEEP_WORDS and self.can_keep(draft):
            return await self.take_beneficiary(update, context, t, None)
        if word in ME_WORDS or (self.is_offset(draft) and word in OFFSET_ME_WORDS):
            return await self.take_beneficiary(update, context, t, user.first_name)
        return await self.on_beneficiary_typed(update, context)

    async def on_beneficiary_typed(self, update: Update, context: Context) -> int:
        _, t = await member(update, context)
        try:
            name = purchases.check_beneficiary(update.effective_message.text)
        except DomainError as error:
            await update.effective_chat.send_message(error_text(t, error, texts_of(context)))
            return self.beneficiary_state
        return await self.take_beneficiary(update, context, t, name)

    # ---- why ----

    async def on_reason_skipped(self, update: Update, context: Context, pressed) -> int:
        _, t = await member(update, context)
        await answer(update)
        return await self._take_reason(update, context, t, "")

    async def on_reason_typed(self, update: Update, context: Context) -> int:
        _, t = await member(update, context)
        try:
            reason = purchases.check_reason(update.effective_message.text)
        except DomainError as error:
            await update.effective_chat.send_message(error_text(t, error, texts_of(context)))
            return self.reason_state
        return await self._take_reason(update, context, t, "" if reason.lower() in SKIP_WORDS else reason)

    async def _take_reason(self, update: Update, context: Context, t: Translator, reason: str) -> int:
        draft = self.load(context)
        if draft is None:  # a step reached with no draft (a late button after the flow ended)
            return await self.summary(update, context, t)
        draft.reason = reason
        self.save(context, draft)
        return await self.summary(update, context, t)

    # ---- retiring credits the person holds ----

    async def ask_to_retire(self, update: Update, context: Context, t: Translator) -> None:
        """"Retire 300 kg CO2e for Alice?" with the reason, and Retire / Cancel."""
        draft = self.load(context)
        lines = [t(RETIRE_SUMMARY, amount=t.tonnes_and_kg(draft.amount_kg), beneficiary=draft.retire_for)]
        if draft.reason:
            lines.append(t(SUMMARY_REASON, reason=draft.reason))
        keyboard = [[InlineKeyboardButton(t(RETIRE_CONFIRM), callback_data=self.codec.encode(self.RetirePressed()))],
                    self.cancel_row(t)]
        await show(update, "\n".join(lines), InlineKeyboardMarkup(keyboard))

    def can_retire_now(self, context: Context, pressed: object = None) -> bool:
        draft = self.load(context)
        return bool(draft and draft.amount_kg and draft.retire_for)

    def says_retire(self, text: str) -> bool:
        return text.strip().lower() in RETIRE_WORDS

    async def retire_now(self, update: Update, context: Context, t: Translator):
        """Retire the draft's credits from the person's own; the certificate follows. The
        retirement, or None after saying why not (the draft is dropped either way)."""
        draft = self.load(context)
        drafts.drop(context, self.key)
        try:
            retirement = await purchases.retire_own_credits(
                update.effective_user.id, draft.amount_kg, draft.retire_for, draft.reason or "",
                key=f"retire:{update.effective_user.id}:{draft.id}",
            )
        except DomainError as error:
            await show(update, error_text(t, error, texts_of(context)))
            return None
        await show(update, t(RETIRED, amount=t.tonnes_and_kg(retirement.amount_kg),
                             beneficiary=retirement.beneficiary))
        await send_certificate(context.bot, context.bot_data, update.effective_chat.id, t, retirement)
        return retirement

    def states(self, typed_text: filters.BaseFilter) -> dict[object, list]:
        """The conversation states of these steps (for whom, the typed name, why)."""
        return {
            self.whom_state: [
                self.codec.handler(self.WhomPressed, self.on_whom_pressed, is_open=self.whom_is_open),
                MessageHandler(typed_text, self.on_whom_typed),
            ],
            self.beneficiary_state: [MessageHandler(typed_text, self.on_beneficiary_typed)],
            self.reason_state: [
                self.codec.handler(self.ReasonSkipped, self.on_reason_skipped),
                MessageHandler(typed_text, self.on_reason_typed),
            ],
        }
