"""Formatted text: HTML parse_mode turned into plain text plus entities, as Telegram does.

Offsets and lengths count UTF-16 code units (Telegram's rule). Errors use Telegram's
wording: "can't parse entities: <what> at byte offset <n>", the offset in UTF-8 bytes
of the source text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import bad_request

_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_CHAR_REF = re.compile(r"&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]+);")
_START_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)")
_ATTRIBUTE = re.compile(r"\s+([a-zA-Z-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>\"']+))?")
_END_TAG = re.compile(r"</([a-zA-Z0-9-]*)\s*>")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    tag: str
    attrs: dict[str, str]
    offset: int
    byte_offset: int
    children: list[dict[str, Any]] = field(default_factory=list)


def _fail(detail: str) -> Exception:
    return bad_request(f"can't parse entities: {detail}")


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities of an HTML-formatted message; 400 when the HTML is bad."""
    out: list[str] = []
    length = 0  # UTF-16 length of what was emitted so far
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i, n = 0, len(source)

    def emit(chunk: str) -> None:
        nonlocal length
        out.append(chunk)
        length += utf16_len(chunk)

    def byte_offset(pos: int) -> int:
        return len(source[:pos].encode())

    while i < n:
        char = source[i]
        if char == "&":
            match = _CHAR_REF.match(source, i)
            if match and match.group(1).startswith("#"):
                emit(html.unescape(match.group(0)))
                i = match.end()
                continue
            if match and match.group(1) in _NAMED_ENTITIES:
                emit(_NAMED_ENTITIES[match.group(1)])
                i = match.end()
                continue
            emit("&")
            i += 1
        elif char == "<" and source.startswith("</", i):
            match = _END_TAG.match(source, i)
            if not match:
                raise _fail(f"Unclosed end tag at byte offset {byte_offset(i)}")
            name = match.group(1).lower()
            if not stack:
                raise _fail(f"Unexpected end tag at byte offset {byte_offset(i)}")
            if stack[-1].tag != name:
                raise _fail(
                    f'Unmatched end tag at byte offset {byte_offset(i)}, expected '
                    f'"</{stack[-1].tag}>", found "</{name}>"'
                )
            _close(stack.pop(), length, entities)
            i = match.end()
        elif char == "<":
            match = _START_TAG.match(source, i)
            name = match.group(1).lower() if match else ""
            if name not in _TAG_ENTITY:
                raise _fail(f'Unsupported start tag "{name}" at byte offset {byte_offset(i)}')
            pos = match.end()
            attrs: dict[str, str] = {}
            while (attr := _ATTRIBUTE.match(source, pos)) is not None:
                value = attr.group(2) or ""
                if value[:1] in ("'", '"'):
                    value = value[1:-1]
                attrs[attr.group(1).lower()] = html.unescape(value)
                pos = attr.end()
            while pos < n and source[pos].isspace():
                pos += 1
            if pos < n and source[pos] == "/":
                pos += 1
            if pos >= n or source[pos] != ">":
                raise _fail(f"Unclosed start tag at byte offset {byte_offset(i)}")
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise _fail(f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(i)}')
            stack.append(_Open(name, attrs, length, byte_offset(i)))
            i = pos + 1
        else:
            emit(char)
            i += 1
    if stack:
        raise _fail(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _close(opened: _Open, end: int, entities: list[dict[str, Any]]) -> None:
    kind = _TAG_ENTITY[opened.tag]
    entity: dict[str, Any] = {"type": kind, "offset": opened.offset, "length": end - opened.offset}
    if entity["length"] == 0:
        return
    if kind == "text_link":
        if not opened.attrs.get("href"):
            return
        entity["url"] = opened.attrs["href"]
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = opened.attrs.get("emoji-id", "")
    elif kind == "blockquote" and "expandable" in opened.attrs:
        entity["type"] = "expandable_blockquote"
    entities.append(entity)


def format_text(
    text: str | None,
    parse_mode: str | None,
    raw_entities: Any,
) -> tuple[str, list[dict[str, Any]]]:
    """Apply parse_mode (HTML is checked; Markdown modes are passed through) or given entities."""
    text = text or ""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return parse_html(text)
    if mode in ("", "markdown", "markdownv2"):
        entities = raw_entities if isinstance(raw_entities, list) else []
        return text, [dict(e) for e in entities if isinstance(e, dict)]
    raise bad_request(f"unsupported parse_mode {parse_mode}")
