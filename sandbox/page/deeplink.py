"""What a phone does with a bot link: `https://t.me/<bot>?start=<payload>` opens the
chat and sends `/start <payload>`. The sandbox page's field takes such a link (also
`t.me/...`, `tg://resolve?domain=...&start=...`) or the bare payload."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

# Telegram's rule for start parameters: up to 64 of A-Z, a-z, 0-9, _ and -.
_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TELEGRAM_HOSTS = {"t.me", "telegram.me", "telegram.dog", "www.t.me"}


class DeepLinkError(ValueError):
    """The text is no link to this bot, or its payload is not one Telegram would pass on."""


def start_command(link: str, bot_username: str) -> str:
    """The message the link makes the person's app send: "/start <payload>" or "/start"."""
    payload = deep_link_payload(link, bot_username)
    return f"/start {payload}" if payload else "/start"


def deep_link_payload(link: str, bot_username: str) -> str | None:
    """The start payload of a bot link (None when it only opens the chat), or a bare payload."""
    text = link.strip()
    if not text:
        raise DeepLinkError(f"Paste a link like https://t.me/{bot_username}?start=CODE, or just the code.")
    if text.lower().startswith(tuple(f"{host}/" for host in _TELEGRAM_HOSTS)):
        text = "https://" + text
    if "://" not in text:
        return _checked(text)
    parts = urlsplit(text)
    query = parse_qs(parts.query)
    if parts.scheme == "tg" and parts.netloc == "resolve":
        name = (query.get("domain") or [""])[0]
    elif parts.scheme in ("http", "https") and parts.netloc.lower() in _TELEGRAM_HOSTS:
        name = parts.path.strip("/").split("/", 1)[0]
    else:
        raise DeepLinkError(f"That is not a Telegram link: {link.strip()[:80]}")
    if name.lower() != bot_username.lower():
        raise DeepLinkError(f"That link opens @{name or '?'}, not this bot (@{bot_username}).")
    starts = query.get("start")
    return _checked(starts[0]) if starts else None


def _checked(payload: str) -> str:
    if not _PAYLOAD.fullmatch(payload):
        raise DeepLinkError(
            "Telegram passes on only up to 64 letters, digits, _ and - after ?start=; "
            f"this is not one: {payload[:80]}"
        )
    return payload
