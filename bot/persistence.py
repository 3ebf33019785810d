"""PTB persistence in our database (core.kv), so conversations survive a restart.

User data (the language, a deep-link payload kept through sign-up) and the
states of persistent ConversationHandlers are stored as JSON; bot and chat data
are not kept (nothing needs them). A value is written only when it changed since
it was last read or written, so a busy bot does not rewrite unchanged rows.
Conversation keys are tuples of ints; they are stored as "1,2".
What is read and written passes bot.inbound.clean_data: a control character that
got into state before the boundary cleaned input (PostgreSQL refuses a NUL, so
writing it failed on every update of that chat) is dropped instead of kept, and a
user whose data had to be cleaned on writing gets the cleaned data in memory too
before their next update (`refresh_user_data`, which PTB calls with the live dict).
"""

from __future__ import annotations

import json
from copy import deepcopy
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from bot.inbound import clean_data
from core import kv

USER_DATA = "ptb:user_data"
CONVERSATION = "ptb:conversation:"


def _key(conversation_key: ConversationKey) -> str:
    return ",".join(str(part) for part in conversation_key)


def _conversation_key(text: str) -> ConversationKey:
    return tuple(int(part) for part in text.split(","))


class DatabasePersistence(BasePersistence[dict[str, Any], dict[str, Any], dict[str, Any]]):
    """BasePersistence over core.kv; see the module docstring."""

    def __init__(self, update_interval: float = 60) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True, callback_data=False),
            update_interval=update_interval,
        )
        self._written: dict[tuple[str, str], str] = {}
        self._dirty_users: set[int] = set()  # user data in memory holds what writing cleaned

    async def _write(self, namespace: str, key: str, value: Any) -> bool:
        """Store `value` cleaned; True when cleaning changed it."""
        cleaned = clean_data(value)
        encoded = json.dumps(cleaned, sort_keys=True, default=str)
        if self._written.get((namespace, key)) != encoded:
            if value is None:
                await kv.delete(namespace, key)
            else:
                await kv.set_value(namespace, key, json.loads(encoded))
            self._written[(namespace, key)] = encoded
        return cleaned != value

    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        stored = clean_data(await kv.get_namespace(USER_DATA))
        for key, value in stored.items():
            self._written[(USER_DATA, key)] = json.dumps(value, sort_keys=True, default=str)
        return {int(key): value for key, value in stored.items()}

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        if await self._write(USER_DATA, str(user_id), data or None):
            self._dirty_users.add(user_id)

    async def drop_user_data(self, user_id: int) -> None:
        await self._write(USER_DATA, str(user_id), None)

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        """Clean the live user data when writing it had to (else nothing: this process
        is the only writer)."""
        if user_id in self._dirty_users:
            self._dirty_users.discard(user_id)
            cleaned = clean_data(user_data)
            user_data.clear()
            user_data.update(cleaned)

    async def get_conversations(self, name: str) -> ConversationDict:
        stored = clean_data(await kv.get_namespace(CONVERSATION + name))
        for key, value in stored.items():
            self._written[(CONVERSATION + name, key)] = json.dumps(value, sort_keys=True)
        return {_conversation_key(key): value for key, value in stored.items()}

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        await self._write(CONVERSATION + name, _key(key), deepcopy(new_state))

    # Chat data, bot data and callback data are not stored (store_data says so).
    async def get_chat_data(self) -> dict[int, dict[str, Any]]:
        return {}

    async def update_chat_data(self, chat_id: int, data: dict[str, Any]) -> None:
        """Not stored."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """Not stored."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[str, Any]) -> None:
        """Not stored."""

    async def get_bot_data(self) -> dict[str, Any]:
        return {}

    async def update_bot_data(self, data: dict[str, Any]) -> None:
        """Not stored."""

    async def refresh_bot_data(self, bot_data: dict[str, Any]) -> None:
        """Not stored."""

    async def get_callback_data(self) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        """Not stored."""

    async def flush(self) -> None:
        """Every write went to the database when it was made."""
