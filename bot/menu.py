"""The main menu: a reply keyboard with the actions the user's roles allow.

Features add their entry with `add_item` at import (the buying flow adds "Buy
credits" for consumers, the market "Offers" for traders...). Pressing a reply
keyboard button sends its label as text; `menu_pressed` finds the item by its
label in any language and runs the item's callback, so the menu also works when
the person switched language since the keyboard was drawn.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import ReplyKeyboardMarkup, Update
from telegram.ext import ContextTypes, MessageHandler, filters

from bot.i18n import N_, Translator, translator
from bot.replies import in_rows
from core.i18n import LANGUAGES
from core.users import UserView

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[object]]


@dataclass(frozen=True)
class MenuItem:
    label: str  # msgid, N_()-marked
    callback: Callback
    roles: frozenset[str] | None = None  # None: everyone
    order: int = 50


_items: list[MenuItem] = []


def add_item(label: str, callback: Callback, *, roles=None, order: int = 50) -> None:
    """Show `label` to users with any of `roles` (None: everyone); pressing it runs `callback`."""
    if any(item.label == label for item in _items):
        return
    _items.append(MenuItem(label, callback, frozenset(roles) if roles else None, order))


def items_for(user: UserView | None) -> list[MenuItem]:
    roles = {str(r) for r in user.roles} if user else set()
    return sorted(
        (i for i in _items if i.roles is None or i.roles & roles), key=lambda i: (i.order, i.label)
    )


def main_menu(t: Translator, user: UserView | None) -> ReplyKeyboardMarkup:
    labels = [t(item.label) for item in items_for(user)]
    return ReplyKeyboardMarkup(in_rows(labels, 2), resize_keyboard=True, is_persistent=True)


def _by_label() -> dict[str, MenuItem]:
    return {translator(lang)(item.label): item for item in _items for lang in LANGUAGES}


async def menu_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """A main-menu button: run its item."""
    item = _by_label()[update.effective_message.text.strip()]
    return await item.callback(update, context)


class _MenuLabel(filters.MessageFilter):
    """Text that is exactly a menu label in some language."""

    def filter(self, message) -> bool:
        return bool(message.text) and message.text.strip() in _by_label()


MENU_LABEL = _MenuLabel(name="MENU_LABEL")
# What a flow takes as an answer: typed text, not a command and not a main-menu button.
TYPED_TEXT = filters.TEXT & ~filters.COMMAND & ~MENU_LABEL


class LabelIs(filters.MessageFilter):
    """Text that is exactly the label `label` (a msgid) in some language."""

    def __init__(self, label: str) -> None:
        super().__init__(name=f"label:{label}")
        self.label = label

    def filter(self, message) -> bool:
        text = (message.text or "").strip()
        return any(text == translator(lang)(self.label) for lang in LANGUAGES)


def handler() -> MessageHandler:
    return MessageHandler(filters.TEXT & MENU_LABEL, menu_pressed)


# The entries every user has; features add theirs.
BALANCE = N_("💰 Balance")
HISTORY = N_("📜 History")
SETTINGS = N_("⚙️ Settings")
HELP = N_("❓ Help")
