"""The main menu: a reply keyboard with the actions the user's roles allow.

Each feature lists its items in its FEATURE (the buying flow gives "Buy credits"
for consumers, the market "Offers" for traders...); `bot/app.py` builds one `Menu`
per application and keeps it in `bot_data["menu"]`. Pressing a reply
keyboard button sends its label as text; `menu_pressed` finds the item by its
label in any language and runs the item's callback, so the menu also works when
the person switched language since the keyboard was drawn.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from telegram import ReplyKeyboardMarkup, Update
from telegram.ext import ContextTypes, MessageHandler, filters

from bot.i18n import N_, Translator, translator
from bot.replies import in_rows
from core.i18n import LANGUAGES
from core.users import UserView

MENU_KEY = "menu"  # bot_data: the Menu of this application
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[object]]


@dataclass(frozen=True)
class MenuItem:
    label: str  # msgid, N_()-marked
    callback: Callback
    roles: frozenset[str] | None = None  # None: everyone
    order: int = 50


class Menu:
    """The main menu of one application: the items its features give, found by label."""

    def __init__(self, items: Iterable[MenuItem]) -> None:
        unique: dict[str, MenuItem] = {}
        for item in items:
            unique.setdefault(item.label, item)
        self.items = sorted(unique.values(), key=lambda i: (i.order, i.label))
        self._by_label = {
            translator(lang)(item.label): item for item in self.items for lang in LANGUAGES
        }
        self.label = _MenuLabel(self._by_label, name="MENU_LABEL")

    def items_for(self, user: UserView | None) -> list[MenuItem]:
        roles = {str(r) for r in user.roles} if user else set()
        return [i for i in self.items if i.roles is None or i.roles & roles]

    def keyboard(self, t: Translator, user: UserView | None) -> ReplyKeyboardMarkup:
        labels = [t(item.label) for item in self.items_for(user)]
        return ReplyKeyboardMarkup(in_rows(labels, 2), resize_keyboard=True, is_persistent=True)

    def find(self, text: str) -> MenuItem | None:
        return self._by_label.get(text.strip())

    def typed_text(self) -> filters.BaseFilter:
        """What a flow takes as an answer: typed text, not a command and not a menu button."""
        return filters.TEXT & ~filters.COMMAND & ~self.label

    def handler(self) -> MessageHandler:
        return MessageHandler(filters.TEXT & self.label, menu_pressed)


def main_menu(context: ContextTypes.DEFAULT_TYPE, t: Translator, user: UserView | None) -> ReplyKeyboardMarkup:
    """The main-menu keyboard of this bot for `user`."""
    return context.bot_data[MENU_KEY].keyboard(t, user)


async def menu_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """A main-menu button: run its item."""
    item = context.bot_data[MENU_KEY].find(update.effective_message.text)
    return await item.callback(update, context)


class _MenuLabel(filters.MessageFilter):
    """Text that is exactly a label of one menu in some language."""

    def __init__(self, by_label: dict[str, MenuItem], name: str) -> None:
        super().__init__(name=name)
        self._labels = by_label

    def filter(self, message) -> bool:
        return bool(message.text) and message.text.strip() in self._labels


class LabelIs(filters.MessageFilter):
    """Text that is exactly the label `label` (a msgid) in some language."""

    def __init__(self, label: str) -> None:
        super().__init__(name=f"label:{label}")
        self.label = label

    def filter(self, message) -> bool:
        text = (message.text or "").strip()
        return any(text == translator(lang)(self.label) for lang in LANGUAGES)


# The entries every user has (their features give the items).
BALANCE = N_("💰 Balance")
HISTORY = N_("📜 History")
SETTINGS = N_("⚙️ Settings")
HELP = N_("❓ Help")
