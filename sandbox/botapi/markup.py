"""reply_markup: parsed, validated and normalised the way Telegram reads it."""

from __future__ import annotations

import json
from typing import Any

from .errors import BUTTON_DATA_INVALID, bad_request

MAX_CALLBACK_DATA_BYTES = 64
_BAD_MARKUP = "can't parse reply keyboard markup JSON object"
_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def parse_reply_markup(raw: Any) -> dict[str, Any] | None:
    """Return the markup as a dict (one of the four kinds) or None; 400 when malformed."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise bad_request(_BAD_MARKUP) from None
    if not isinstance(raw, dict):
        raise bad_request(_BAD_MARKUP)
    if "inline_keyboard" in raw:
        return {"inline_keyboard": _inline_rows(raw["inline_keyboard"])}
    if "keyboard" in raw:
        markup = dict(raw)
        markup["keyboard"] = _reply_rows(raw["keyboard"])
        return markup
    if raw.get("remove_keyboard"):
        return dict(raw)
    if raw.get("force_reply"):
        return dict(raw)
    raise bad_request(_BAD_MARKUP)


def _inline_rows(rows: Any) -> list[list[dict[str, Any]]]:
    if not isinstance(rows, list):
        raise bad_request("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array")
    parsed = []
    for row in rows:
        if not isinstance(row, list):
            raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
        parsed.append([_inline_button(button) for button in row])
    return parsed


def _inline_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Field \"text\" must be of type String")
    if not button["text"].strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [key for key in _INLINE_ACTIONS if key in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request(BUTTON_DATA_INVALID)
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://", "tg://")):
            raise bad_request("BUTTON_URL_INVALID")
    return dict(button)


def _reply_rows(rows: Any) -> list[list[dict[str, Any]]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("field \"keyboard\" of the ReplyKeyboardMarkup must be an Array")
    parsed = []
    for row in rows:
        buttons = []
        for button in row:
            if isinstance(button, str):
                button = {"text": button}
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request("can't parse keyboard button: KeyboardButton must be a String or an Object")
            buttons.append(dict(button))
        parsed.append(buttons)
    return parsed


def inline_buttons(markup: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every inline button of a markup, row by row."""
    if not markup or "inline_keyboard" not in markup:
        return []
    return [button for row in markup["inline_keyboard"] for button in row]
