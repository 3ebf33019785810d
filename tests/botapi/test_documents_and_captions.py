"""sendDocument, editMessageCaption and sendChatAction answer as api.telegram.org does."""

from __future__ import annotations

import aiohttp

from sandbox.botapi import BotApiServer, events

from .conftest import TOKEN, png_bytes

PDF = b"%PDF-1.4\n% a certificate\n%%EOF\n"
TOO_LONG = (400, "Bad Request: message caption is too long")


def started(server: BotApiServer, name: str = "Alice"):
    person = server.user(name)
    person.user.has_started = True
    return person


def document_form(chat_id: int, caption: str | None = None, data: bytes = PDF) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("chat_id", str(chat_id))
    if caption is not None:
        form.add_field("caption", caption)
    form.add_field("document", data, filename="certificate.pdf", content_type="application/pdf")
    return form


async def send_photo(api, chat_id: int, caption: str) -> dict:
    form = aiohttp.FormData()
    form.add_field("chat_id", str(chat_id))
    form.add_field("caption", caption)
    form.add_field("photo", png_bytes(), filename="p.png", content_type="image/png")
    status, body = await api.form("sendPhoto", form)
    assert status == 200, body
    return body["result"]


# ---- sendDocument ----------------------------------------------------------------------


async def test_a_document_round_trips_with_its_name_type_and_caption(api, server):
    alice = started(server)

    status, body = await api.form("sendDocument", document_form(alice.chat_id, "Your certificate"))

    assert status == 200, body
    sent = body["result"]
    assert sent["caption"] == "Your certificate"
    document = sent["document"]
    assert (document["file_name"], document["mime_type"], document["file_size"]) == (
        "certificate.pdf", "application/pdf", len(PDF),
    )
    file = await api.ok("getFile", file_id=document["file_id"])
    async with api.session.get(f"{server.base_file_url}{TOKEN}/{file['file_path']}") as response:
        assert await response.read() == PDF
    assert alice.last_document_bytes == PDF
    assert alice.last_text == "Your certificate"


async def test_a_document_sent_again_by_file_id_is_the_same_file(api, server):
    alice = started(server)
    _, body = await api.form("sendDocument", document_form(alice.chat_id))
    file_id = body["result"]["document"]["file_id"]

    again = await api.ok("sendDocument", chat_id=alice.chat_id, document=file_id)

    assert again["document"]["file_id"] == file_id
    assert "caption" not in again
    assert len(alice.messages) == 2


async def test_a_document_caption_of_1024_characters_is_accepted_and_1025_is_too_long(api, server):
    alice = started(server)

    status, body = await api.form("sendDocument", document_form(alice.chat_id, "c" * 1024))
    assert status == 200 and len(body["result"]["caption"]) == 1024

    status, body = await api.form("sendDocument", document_form(alice.chat_id, "c" * 1025))
    assert (status, body["description"]) == TOO_LONG
    assert len(alice.messages) == 1


async def test_a_document_caption_is_measured_after_html_is_parsed(api, server):
    alice = started(server)
    form = document_form(alice.chat_id, "<b>" + "c" * 1024 + "</b>")
    form.add_field("parse_mode", "HTML")

    status, body = await api.form("sendDocument", form)

    assert status == 200, body
    assert body["result"]["caption_entities"] == [{"type": "bold", "offset": 0, "length": 1024}]


async def test_a_document_without_a_file_or_with_an_unknown_file_id_is_refused(api, server):
    alice = started(server)

    _, missing = await api("sendDocument", chat_id=alice.chat_id)
    _, unknown = await api("sendDocument", chat_id=alice.chat_id, document="nope")

    assert missing["description"] == "Bad Request: there is no document in the request"
    assert unknown["description"] == "Bad Request: wrong file identifier/HTTP URL specified"
    assert alice.messages == []


async def test_the_bot_cannot_send_a_document_first(api, server):
    bob = server.user("Bob")

    status, body = await api.form("sendDocument", document_form(bob.chat_id))

    assert (status, body["description"]) == (403, "Forbidden: bot can't initiate conversation with a user")


# ---- editMessageCaption ----------------------------------------------------------------


async def test_editing_a_caption_changes_it_and_keeps_the_old_one_in_history(api, server):
    alice = started(server)
    photo = await send_photo(api, alice.chat_id, "Your certificate")

    edited = await api.ok("editMessageCaption", chat_id=alice.chat_id, message_id=photo["message_id"],
                          caption="Your certificate (retired)")

    assert edited["caption"] == "Your certificate (retired)" and "edit_date" in edited
    assert alice.last_text == "Your certificate (retired)"
    assert alice.last.history[0]["caption"] == "Your certificate"


async def test_editing_a_document_caption_to_1024_characters_works_and_1025_is_too_long(api, server):
    alice = started(server)
    _, body = await api.form("sendDocument", document_form(alice.chat_id, "before"))
    message_id = body["result"]["message_id"]

    status, body = await api("editMessageCaption", chat_id=alice.chat_id, message_id=message_id,
                             caption="c" * 1025)
    assert (status, body["description"]) == TOO_LONG
    assert alice.last_text == "before"

    edited = await api.ok("editMessageCaption", chat_id=alice.chat_id, message_id=message_id,
                          caption="c" * 1024)
    assert len(edited["caption"]) == 1024


async def test_editing_a_caption_to_the_same_text_is_not_modified(api, server):
    alice = started(server)
    photo = await send_photo(api, alice.chat_id, "same")

    status, body = await api("editMessageCaption", chat_id=alice.chat_id,
                             message_id=photo["message_id"], caption="same")

    assert status == 400
    assert body["description"].startswith("Bad Request: message is not modified")


async def test_editing_the_caption_of_a_text_message_is_refused(api, server):
    alice = started(server)
    sent = await api.ok("sendMessage", chat_id=alice.chat_id, text="plain text")

    status, body = await api("editMessageCaption", chat_id=alice.chat_id,
                             message_id=sent["message_id"], caption="a caption")

    assert (status, body["description"]) == (400, "Bad Request: there is no caption in the message to edit")
    assert alice.last_text == "plain text"


async def test_editing_the_caption_of_an_unknown_message_is_not_found(api, server):
    alice = started(server)

    _, body = await api("editMessageCaption", chat_id=alice.chat_id, message_id=99, caption="x")

    assert body["description"] == "Bad Request: message to edit not found"


async def test_editing_a_caption_can_change_the_inline_keyboard_too(api, server):
    alice = started(server)
    photo = await send_photo(api, alice.chat_id, "Offset 2 t?")
    markup = {"inline_keyboard": [[{"text": "Pay", "callback_data": "pay:1"}]]}

    await api.ok("editMessageCaption", chat_id=alice.chat_id, message_id=photo["message_id"],
                 caption="Offset 3 t?", reply_markup=markup)

    assert alice.keyboard_labels() == ["Pay"]


# ---- sendChatAction --------------------------------------------------------------------


async def test_a_chat_action_is_true_and_shows_in_the_chat_without_a_message(api, server):
    alice = started(server)
    seen = server.subscribe(alice.chat_id)
    try:
        assert await api.ok("sendChatAction", chat_id=alice.chat_id, action="upload_document") is True
        event = seen.get_nowait()
    finally:
        server.unsubscribe(seen)

    assert (event.kind, event.data) == (events.CHAT_ACTION, {"action": "upload_document"})
    assert alice.messages == []


async def test_an_unknown_chat_action_is_refused(api, server):
    alice = started(server)

    status, body = await api("sendChatAction", chat_id=alice.chat_id, action="dancing")

    assert (status, body["description"]) == (400, "Bad Request: wrong parameter action in request")


async def test_a_chat_action_for_someone_who_never_started_the_bot_is_forbidden(api, server):
    bob = server.user("Bob")

    status, body = await api("sendChatAction", chat_id=bob.chat_id, action="typing")

    assert (status, body["description"]) == (403, "Forbidden: bot can't initiate conversation with a user")


async def test_a_chat_action_for_an_unknown_chat_is_not_found(api):
    status, body = await api("sendChatAction", chat_id=42, action="typing")

    assert (status, body["description"]) == (400, "Bad Request: chat not found")
