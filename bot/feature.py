"""A bot feature as one value: everything it adds to the bot, handed to `bot/app.py`.

Each feature module (bot/conversations/<flow>.py, bot/handlers/<topic>.py) ends
with `FEATURE = Feature(...)`; `build_application` takes a list of them and wires
handlers, menu, commands, deep links, error texts, jobs and outbox renderers from
that list alone. Nothing registers itself at import: leave a feature out of the
list and its buttons, commands and links are gone.

Factories get the `Wiring` of the application being built: what the composition
root hands a feature (the text filter that knows this bot's menu labels, the entry
points other features add to a conversation), so features never import each other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from telegram import Update
from telegram.ext import BaseHandler, ContextTypes, filters

from bot.callbacks import Codec
from bot.menu import MenuItem
from bot.outbox import Renderer

Continuation = Callable[[Update, ContextTypes.DEFAULT_TYPE, str], Awaitable[None]]
JobCallback = Callable[[ContextTypes.DEFAULT_TYPE], Awaitable[None]]


@dataclass(frozen=True)
class Wiring:
    """What the composition root hands a feature's factories."""

    typed_text: filters.BaseFilter  # typed text: not a command, not one of this bot's menu labels
    entry_points: Mapping[str, Sequence[BaseHandler]]  # conversation name -> handlers others add


HandlerFactory = Callable[[Wiring], Sequence[BaseHandler]]
EntryPointFactory = Callable[[], Sequence[BaseHandler]]


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
    codecs: Sequence[Codec] = ()
    entry_points: Mapping[str, EntryPointFactory] = field(default_factory=dict)  # into others' conversations
