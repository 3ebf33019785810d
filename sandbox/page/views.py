"""What the page draws for a message: the Bot API Message as the stand-in holds it,
reduced to what a chat shows, with file URLs the browser can load."""

from __future__ import annotations

from typing import Any

from sandbox.botapi import BotApiServer


def file_url(server: BotApiServer, file_id: str) -> str | None:
    """The stand-in's own download URL (as the bot would fetch it), relative: the page,
    the web app and the Bot API share one origin."""
    stored = server.files.get(file_id)
    if stored is None:
        return None
    return f"/file/bot{server.token}/{stored.file_path}"


def message_view(server: BotApiServer, message: dict[str, Any], *, is_paid: bool = False) -> dict[str, Any]:
    """A Bot API Message dict (a snapshot) as the page's JSON.

    In a group the page also needs who wrote it, its forum topic (thread_id; a topic's
    first message names the topic) and what it replies to."""
    sender = message.get("from", {})
    view: dict[str, Any] = {
        "id": message["message_id"],
        "chat_id": message.get("chat", {}).get("id"),
        "from_bot": bool(sender.get("is_bot")),
        "sender": {"id": sender.get("id"), "name": sender.get("first_name") or ""},
        "thread_id": message.get("message_thread_id"),
        "topic_created": (message.get("forum_topic_created") or {}).get("name"),
        "reply_to": _reply_to(server, message),
        "date": message.get("date"),
        "edit_date": message.get("edit_date"),
        "text": message.get("text"),
        "entities": message.get("entities", []),
        "caption": message.get("caption"),
        "caption_entities": message.get("caption_entities", []),
        "inline_keyboard": (message.get("reply_markup") or {}).get("inline_keyboard"),
    }
    if message.get("photo"):
        largest = message["photo"][-1]
        view["photo"] = {
            "url": file_url(server, largest["file_id"]),
            "width": largest.get("width"),
            "height": largest.get("height"),
        }
    if document := message.get("document"):
        view["document"] = {
            "url": file_url(server, document["file_id"]),
            "name": document.get("file_name") or "file",
            "size": document.get("file_size"),
            "mime": document.get("mime_type"),
        }
    if sticker := message.get("sticker"):
        view["sticker"] = {"emoji": sticker.get("emoji") or "🖼"}
    if invoice := message.get("invoice"):
        view["invoice"] = {**invoice, "is_paid": is_paid}
    if payment := message.get("successful_payment"):
        view["successful_payment"] = {
            "currency": payment["currency"],
            "total_amount": payment["total_amount"],
        }
    return view


def _reply_to(server: BotApiServer, message: dict[str, Any]) -> int | None:
    """The id of the message this one replies to (the stand-in keeps it on the live message)."""
    if replied := message.get("reply_to_message"):
        return replied.get("message_id")
    live = server.messages.get(message.get("chat", {}).get("id"), {}).get(message["message_id"])
    return None if live is None else live.reply_to_message_id
