"""A bot feature as one value: everything it adds to the bot, handed to `bot/app.py`.

Each feature module (bot/conversations/<flow>.py, bot/handlers/<topic>.py) ends
with `FEATURE = Feature(...)`; `build_application` takes a list of them and wires
handlers, menu, commands, deep links, error texts, jobs and outbox renderers from
that list alone. Nothing registers itself at import: leave a feature out of the
list and its buttons, commands and links are gone.

Factories get the `Wiring` of the application being built: what the composition
root hands a feature (the text filter that knows this bot's menu labels, the entry
points other features add to a conversation, the actions features offer each other
by name), so features never import each other.

Free text (typed, not a command, not a menu label, no conversation waiting for it)
goes through one router (bot/app.py): it tries every feature's `readers` by their
`order` (READ_CODE, READ_ID, READ_FOOTPRINT, READ_HINT: a code, then an id, then a
footprint, then a hint), and the first that returns True has handled it. To read a
new kind of text (a product code, say), give the feature a reader:

    async def read_code(update, context, text) -> bool:
        if not CODE_RE.fullmatch(text.strip()):
            return False  # not mine: the next reader gets it
        ...               # answer it
        return True

    FEATURE = Feature(name="codes", ..., readers=[Reader("code", read_code, order=READ_CODE)])

Keep a reader cheap and sure (a pattern, then the database): text one reader wants
should not look like another's. A reader that needs to ask a question sends it with
buttons (a conversation's entry points take them) or keeps its own draft; then it
also offers a canceller (`cancellers=`), which /cancel outside any conversation tries.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, ContextTypes, filters

from bot.callbacks import Codec
from bot.menu import MenuItem
from bot.outbox import Renderer

Continuation = Callable[[Update, ContextTypes.DEFAULT_TYPE, str], Awaitable[None]]
ReadText = Callable[[Update, ContextTypes.DEFAULT_TYPE, str], Awaitable[bool]]
Canceller = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[bool]]  # True: it cancelled something
Action = Callable[..., Awaitable[Any]]  # offered to other features by name (Feature.actions)

READ_CODE = 10  # a product code (the codes feature)
READ_ID = 20  # a serial number or retirement id (lookup)
READ_FOOTPRINT = 30  # "LHR CDG return", "350 kWh Germany" (footprint)
READ_HINT = 90  # what nobody read: a hint at what the bot understands (help)
JobCallback = Callable[[ContextTypes.DEFAULT_TYPE], Awaitable[None]]


@dataclass(frozen=True)
class Wiring:
    """What the composition root hands a feature's factories."""

    typed_text: filters.BaseFilter  # typed text: not a command, not one of this bot's menu labels
    entry_points: Mapping[str, Sequence[BaseHandler]]  # conversation name -> handlers others add
    actions: Mapping[str, Action] = field(default_factory=dict)  # name -> a feature's offer
    codecs: Mapping[str, Sequence[Codec]] = field(default_factory=dict)  # feature name -> its buttons
    cancellers: Sequence[Canceller] = ()  # what /cancel outside a conversation tries (help's)


@dataclass(frozen=True)
class Reader:
    """One way a feature reads free text; the router tries readers by `order`, lowest first."""

    name: str
    read: ReadText
    order: int = 50


HandlerFactory = Callable[[Wiring], Sequence[BaseHandler]]
EntryPointFactory = Callable[[Mapping[str, Action]], Sequence[BaseHandler]]  # gets Wiring.actions


@dataclass(frozen=True)
class Command:
    """A command for /help and set_my_commands; `order` places it in the list."""

    name: str
    description: str  # msgid, N_()-marked
    order: int = 50


@dataclass(frozen=True)
class Job:
    """A repeating job; `first` defaults to one interval after start."""

    name: str
    callback: JobCallback
    interval: timedelta
    first: timedelta | None = None


@dataclass(frozen=True)
class Feature:
    """One bot feature: what it handles and what it adds to menu, help, links and jobs."""

    name: str
    conversations: Sequence[Callable[[Wiring], BaseHandler]] = ()
    handlers: HandlerFactory | None = None
    menu_items: Sequence[MenuItem] = ()
    commands: Sequence[Command] = ()
    deeplinks: Mapping[str, Continuation] = field(default_factory=dict)  # prefix -> continuation
    error_texts: Mapping[str, str] = field(default_factory=dict)  # error code -> msgid
    jobs: Sequence[Job] = ()
    outbox_renderers: Mapping[str, Renderer] = field(default_factory=dict)  # kind -> renderer
    entry_points: Mapping[str, EntryPointFactory] = field(default_factory=dict)  # into others' conversations
    codecs: Sequence[Codec] = ()  # its buttons; build_application refuses two features on one prefix
    readers: Sequence[Reader] = ()  # free text it reads (see the module docstring)
    cancellers: Sequence[Canceller] = ()  # drafts a reader opened that /cancel drops
    actions: Mapping[str, Action] = field(default_factory=dict)  # what it offers others, by name
