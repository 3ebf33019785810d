"""The boundary: what a person sends is cleaned once, before any handler reads it.

Control characters have no place in what people type and break what comes after:
a NUL typed into a certificate name reached PostgreSQL, which refuses "\\u0000" in
text and jsonb; the draft holding it stayed in user_data, so saving it failed on
every later update of that chat until /cancel. Other C0 and C1 controls are
invisible in a chat and meaningless in a name or an amount, and a lone surrogate
cannot even be encoded to send it back. So every string of an update loses them
(newline and tab stay), and entity offsets move with the text, so a command still
reads as one.

Where: PTB's objects are frozen and every handler is handed the same Update, so no
handler can clean for the others. `InboundApplication` (bot/app.py builds the bot with
it) overrides `process_update`, the one door every update passes before any handler,
polled or from the webhook. It looks at the strings a person controls and handlers
read (text, caption, callback data, names, queries, payloads: a regex over a few
strings, so a clean update costs next to nothing) and only when one is dirty rebuilds
the Update from its cleaned dict (`to_dict` -> `clean_data` -> `de_json`), which
cleans every string in it. Handlers, persistence and the error handler all get the
cleaned one.

Data stored before this existed can hold a NUL too: bot/persistence.py runs what it
reads and writes through `clean_data`, so such state cannot poison a chat either.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from telegram import Update
from telegram.ext import Application

log = logging.getLogger(__name__)

# C0 controls but tab and newline, DEL, C1 controls, and surrogates (a str holds one
# only when it is unpaired: a valid pair decodes to one astral character).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """`text` without control characters (tab and newline kept)."""
    return CONTROL.sub("", text)


def _utf16_shift(text: str) -> list[tuple[int, int]]:
    """(UTF-16 offset, units) of each character `clean_text` drops."""
    dropped, offset = [], 0
    for char in text:
        if CONTROL.match(char):
            dropped.append((offset, 1))  # controls and surrogates are one unit each
        offset += 2 if ord(char) > 0xFFFF else 1
    return dropped


def _moved_entities(text: str, entities: list[Any]) -> list[Any]:
    """Entities of `text` with their UTF-16 offsets and lengths after `clean_text`."""
    dropped = _utf16_shift(text)

    def moved(offset: int) -> int:
        return offset - sum(units for at, units in dropped if at < offset)

    result = []
    for entity in entities:
        if not isinstance(entity, dict) or not isinstance(entity.get("offset"), int) \
                or not isinstance(entity.get("length"), int):
            result.append(entity)
            continue
        start, end = moved(entity["offset"]), moved(entity["offset"] + entity["length"])
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return result


def _entities_key(key: str) -> str:
    return "entities" if key == "text" else f"{key}_entities"


def clean_data(value: Any) -> Any:
    """A JSON value (an update, stored state) with every string cleaned; keys stay."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list | tuple):
        return [clean_data(item) for item in value]
    if not isinstance(value, dict):
        return value
    cleaned = {key: clean_data(item) for key, item in value.items()}
    for key, item in value.items():
        entities = value.get(_entities_key(key))
        if isinstance(item, str) and isinstance(entities, list) and CONTROL.search(item):
            cleaned[_entities_key(key)] = clean_data(_moved_entities(item, entities))
    return cleaned


def _person_strings(update: Update) -> list[str | None]:
    """The strings of an update that a person controls and the bot reads or stores."""
    strings: list[str | None] = []
    message = update.effective_message
    if message is not None:
        strings += [message.text, message.caption]
        if message.successful_payment is not None:
            paid = message.successful_payment
            strings += [paid.invoice_payload, paid.telegram_payment_charge_id,
                        paid.provider_payment_charge_id]
    if update.callback_query is not None:
        strings.append(update.callback_query.data if isinstance(update.callback_query.data, str) else None)
    if update.inline_query is not None:
        strings.append(update.inline_query.query)
    for query in (update.pre_checkout_query, update.shipping_query):
        if query is not None:
            strings.append(query.invoice_payload)
    user, chat = update.effective_user, update.effective_chat
    if user is not None:
        strings += [user.first_name, user.last_name, user.username, user.language_code]
    if chat is not None:
        strings += [chat.title, chat.first_name, chat.last_name, chat.username]
    return strings


def is_dirty(update: object) -> bool:
    """Whether a string a person controls holds a control character."""
    return isinstance(update, Update) and any(
        CONTROL.search(s) for s in _person_strings(update) if s
    )


def clean_update(update: object, bot) -> object:
    """The update itself when clean, else a rebuilt Update with every string cleaned."""
    if not is_dirty(update):
        return update
    log.info("removed control characters from update %s", update.update_id)
    return Update.de_json(clean_data(update.to_dict()), bot)


class InboundApplication(Application):
    """PTB's Application, cleaning each update before its handlers (module docstring)."""

    async def process_update(self, update: object) -> None:
        await super().process_update(clean_update(update, self.bot))

    async def start(self) -> None:
        """Start PTB, then the outbox sender (bot/outbox.py) when the app has one."""
        await super().start()
        if (sender := self.bot_data.get("outbox_sender")) is not None:
            sender.start()

    async def stop(self) -> None:
        if (sender := self.bot_data.get("outbox_sender")) is not None:
            await sender.stop()
        await super().stop()
