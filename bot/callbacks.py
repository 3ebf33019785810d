"""Callback data: one small codec per feature, one typed value per kind of button.

Telegram carries at most 64 bytes of callback data and hands back whatever a
client sends: the button of an old message, of another flow, a forged one, an
empty string (PTB lets empty data match every pattern). So no handler reads
`callback_query.data`; a feature declares its buttons and gets them back typed:

    BUY = Codec("buy")

    @BUY.kind("amt")
    @dataclass(frozen=True)
    class AmountPressed:
        amount_kg: int = part(whole(1, MAX_AMOUNT_KG))

    InlineKeyboardButton("0.5 t", callback_data=BUY.encode(AmountPressed(500)))  # "buy:amt:500"
    BUY.handler(AmountPressed, on_amount_pressed, is_open=amount_is_asked)

    async def on_amount_pressed(update, context, pressed: AmountPressed) -> int: ...

Data is `<prefix>:<kind>:<part>:<part>...` (a kind may be "", then the parts follow
the prefix, as in `hist:20`). `decode` gives the kind's value or None: the kind must
be known, every part must match its rule, and the data must be exactly what `encode`
would write for that value (no leading zeros, no trailing colon). `encode` refuses a
value whose data would not decode or would pass 64 bytes, so a bug shows at once.

`handler` is the only way a button reaches a feature: it matches only its kind;
`is_open(context, pressed)` says whether the step the person is at is one that shows
this kind of button (the conversation's state already routes by step; `is_open`
checks the draft: a units button only for a product, "retire" only in /retire...).
When it is not, the person is told "This button is no longer valid." (or the
feature's own `stale` text) and nothing changes: the callback returns None, so a
conversation stays where it is. Every press gets exactly one answer: the callback
may answer itself (a text, an alert) through bot.replies.answer; if it did not, the
handler answers after it. `stale_handler` answers any other data of the prefix (a
conversation's fallback, or the last word on a prefix outside one).

`guard` is the boundary for data no button of ours can carry (empty, or longer than
Telegram allows): it is answered as no longer valid before any feature sees it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram import Update
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, ContextTypes

from bot.i18n import N_, tr
from bot.replies import answer

MAX_BYTES = 64  # Telegram's limit for callback data
STALE_BUTTON = N_("This button is no longer valid.")
_PART = "callback_part"

K = TypeVar("K")
Context = ContextTypes.DEFAULT_TYPE
IsOpen = Callable[[Context, Any], bool]


@dataclass(frozen=True)
class Rule:
    """How one part of the data reads: a regular expression and a conversion."""

    pattern: re.Pattern[str]
    read: Callable[[str], object] = str
    accepts: Callable[[object], bool] = lambda value: True

    def parse(self, text: str) -> object | None:
        if not self.pattern.fullmatch(text):
            return None
        value = self.read(text)
        return value if self.accepts(value) else None


def whole(low: int, high: int) -> Rule:
    """A whole number from low to high."""
    return Rule(re.compile(rf"\d{{1,{len(str(high))}}}"), int, lambda n: low <= n <= high)


def one_of(*values: str) -> Rule:
    """One of a fixed set of words."""
    return Rule(re.compile("|".join(re.escape(v) for v in values)))


def token(pattern: str) -> Rule:
    """Text matching `pattern` (never a colon: it separates the parts)."""
    if ":" in pattern:
        raise ValueError(f"a part cannot contain ':' ({pattern!r})")
    return Rule(re.compile(pattern))


def part(rule: Rule) -> Any:
    """A dataclass field that is one part of the data, read by `rule`."""
    return dataclasses.field(metadata={_PART: rule})


def fits(data: str) -> bool:
    """Data Telegram would carry: 1 to 64 bytes."""
    return 0 < len(data.encode("utf-8", "surrogatepass")) <= MAX_BYTES


class Codec:
    """The buttons of one feature: `<prefix>:<kind>:<parts>` (see the module docstring)."""

    def __init__(self, prefix: str) -> None:
        if not re.fullmatch(r"[a-z]{1,8}", prefix):
            raise ValueError(f"a callback prefix is a short lower-case word: {prefix!r}")
        self.prefix = prefix
        self._heads: dict[type, str] = {}  # kind class -> "buy:amt"
        self._kinds: dict[str, type] = {}  # "buy:amt" -> kind class

    def kind(self, name: str) -> Callable[[type[K]], type[K]]:
        """Register a frozen dataclass as the button kind `name` (its fields are parts)."""
        head = f"{self.prefix}:{name}" if name else self.prefix

        def declare(cls: type[K]) -> type[K]:
            if not dataclasses.is_dataclass(cls) or head in self._kinds:
                raise TypeError(f"{cls.__name__}: a dataclass, and {head!r} only once")
            if any(_PART not in f.metadata for f in dataclasses.fields(cls)):
                raise TypeError(f"{cls.__name__}: every field is a part(...)")
            self._heads[cls] = head
            self._kinds[head] = cls
            return cls

        return declare

    def _join(self, pressed: object) -> str:
        values = [str(getattr(pressed, f.name)) for f in dataclasses.fields(pressed)]
        return ":".join([self._heads[type(pressed)], *values])

    def encode(self, pressed: object) -> str:
        """The callback data of a button; ValueError if it could not come back as `pressed`."""
        data = self._join(pressed)
        if not fits(data) or self.decode(data) != pressed:
            raise ValueError(f"not valid callback data: {data!r}")
        return data

    def decode(self, data: object) -> object | None:
        """The button `data` stands for, or None when it is none of this feature's."""
        if not isinstance(data, str) or not fits(data):
            return None
        heads = [h for h in self._kinds if data == h or data.startswith(h + ":")]
        if not heads:
            return None
        head = max(heads, key=len)
        cls = self._kinds[head]
        rules = [f.metadata[_PART] for f in dataclasses.fields(cls)]
        texts = data[len(head) + 1 :].split(":") if rules else []
        if len(texts) != len(rules):
            return None
        values = [rule.parse(text) for rule, text in zip(rules, texts, strict=True)]
        if any(value is None for value in values):
            return None
        pressed = cls(*values)
        return pressed if self._join(pressed) == data else None

    def owns(self, data: object) -> bool:
        """Data with this feature's prefix (valid or not)."""
        return isinstance(data, str) and (data == self.prefix or data.startswith(self.prefix + ":"))

    def handler(
        self,
        kind: type[K],
        callback: Callable[[Update, Context, K], Awaitable[Any]],
        *,
        is_open: Callable[[Context, K], bool] | None = None,
        stale: str = STALE_BUTTON,
    ) -> CallbackQueryHandler:
        """Run `callback(update, context, pressed)` for a press of `kind` the step shows."""
        if kind not in self._heads:
            raise TypeError(f"{kind.__name__} is not a kind of {self.prefix!r}")

        def matches(data: object) -> bool:
            return isinstance(self.decode(data), kind)

        async def on_pressed(update: Update, context: Context) -> Any:
            pressed = self.decode(update.callback_query.data)
            if not isinstance(pressed, kind) or (is_open is not None and not is_open(context, pressed)):
                await answer_stale(update, context, stale)
                return None
            result = await callback(update, context, pressed)
            await answer(update)  # only if the callback did not answer itself
            return result

        on_pressed.__doc__ = callback.__doc__
        on_pressed.__name__ = callback.__name__
        return CallbackQueryHandler(on_pressed, pattern=matches)

    def stale_handler(self, stale: str = STALE_BUTTON) -> CallbackQueryHandler:
        """Answer any data of this prefix as no longer valid, changing nothing."""

        async def on_stale(update: Update, context: Context) -> None:
            await answer_stale(update, context, stale)

        return CallbackQueryHandler(on_stale, pattern=self.owns)


async def answer_stale(update: Update, context: Context, text: str = STALE_BUTTON) -> None:
    """Tell the person the button they pressed does nothing any more."""
    t = await tr(update, context)
    await answer(update, t(text), alert=True)


def _is_unusable(data: object) -> bool:
    return not isinstance(data, str) or not fits(data)


async def _refuse_unusable(update: Update, context: Context) -> None:
    """Data no button of ours carries: answered here, seen by no feature."""
    await answer_stale(update, context)
    raise ApplicationHandlerStop


def guard() -> CallbackQueryHandler:
    """The boundary for callback data (bot/app.py adds it before every feature).

    PTB matches an empty `data` against every pattern without calling it (and this
    handler with it), so empty data stops here too.
    """
    return CallbackQueryHandler(_refuse_unusable, pattern=_is_unusable)
