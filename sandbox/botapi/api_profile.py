"""The stand-in's bot identity and settings methods."""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import bad_request
from .params import Params

_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE_CODE = re.compile(r"^([a-z]{2})?$")


class ProfileMethods:
    """The bot's identity and settings: getMe, commands, menu button, name, descriptions."""

    # ---- bot identity and settings --------------------------------------------------------

    async def _api_getMe(self, params: Params) -> dict[str, Any]:
        return self.bot_user

    async def _api_logOut(self, params: Params) -> bool:
        return True

    async def _api_close(self, params: Params) -> bool:
        return True

    async def _api_setMyCommands(self, params: Params) -> bool:
        commands = params.json("commands", error="can't parse commands JSON object")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_NAME.match(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params)
        self.commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _api_getMyCommands(self, params: Params) -> list[dict[str, str]]:
        return self.commands.get(self._commands_key(params), [])

    async def _api_deleteMyCommands(self, params: Params) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _commands_key(self, params: Params) -> tuple[str, str]:
        scope = params.json("scope") or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise bad_request("can't parse BotCommandScope JSON object")
        language_code = params.str("language_code") or ""
        if not _LANGUAGE_CODE.match(language_code):
            raise bad_request("invalid language code specified")
        return json.dumps(scope, sort_keys=True), language_code

    def commands_for(self, language_code: str = "", scope: dict[str, Any] | None = None) -> list[dict[str, str]]:
        """The commands set for a scope (default: all private chats) and language."""
        key = json.dumps(scope or {"type": "default"}, sort_keys=True)
        return self.commands.get((key, language_code), [])

    async def _api_setChatMenuButton(self, params: Params) -> bool:
        chat_id = self._chat(params).id if params.has("chat_id") else None
        button = params.json("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in ("default", "commands", "web_app"):
            raise bad_request("can't parse menu button JSON object")
        self.menu_buttons[chat_id] = button
        return True

    async def _api_getChatMenuButton(self, params: Params) -> dict[str, Any]:
        chat_id = self._chat(params).id if params.has("chat_id") else None
        return self.menu_buttons.get(chat_id, self.menu_buttons.get(None, {"type": "default"}))

    async def _api_setMyName(self, params: Params) -> bool:
        return self._set_profile("name", params)

    async def _api_getMyName(self, params: Params) -> dict[str, str]:
        return {"name": self._get_profile("name", params) or self.bot_user["first_name"]}

    async def _api_setMyDescription(self, params: Params) -> bool:
        return self._set_profile("description", params)

    async def _api_getMyDescription(self, params: Params) -> dict[str, str]:
        return {"description": self._get_profile("description", params)}

    async def _api_setMyShortDescription(self, params: Params) -> bool:
        return self._set_profile("short_description", params)

    async def _api_getMyShortDescription(self, params: Params) -> dict[str, str]:
        return {"short_description": self._get_profile("short_description", params)}

    def _set_profile(self, field_name: str, params: Params) -> bool:
        self.profile[(field_name, params.str("language_code") or "")] = params.str(field_name) or ""
        return True

    def _get_profile(self, field_name: str, params: Params) -> str:
        return self.profile.get((field_name, params.str("language_code") or ""), "")

    async def _api_getChat(self, params: Params) -> dict[str, Any]:
        user = self._chat(params)
        return {**user.chat_api(), "accent_color_id": 0, "max_reaction_count": 11}
