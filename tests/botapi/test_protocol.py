"""The stand-in answers the HTTP protocol and Telegram's rules as api.telegram.org does."""

from __future__ import annotations

import json

import aiohttp

from sandbox.botapi import BotApiServer, RateLimits

from .conftest import TOKEN, png_bytes


def started(server: BotApiServer, name: str = "Alice"):
    person = server.user(name)
    person.user.has_started = True
    return person


async def test_get_me_answers_the_bot_user(api):
    me = await api.ok("getMe")
    assert me["is_bot"] is True and me["id"] == 123456


async def test_an_unknown_method_is_404_not_found(api):
    status, body = await api("sendTelepathy")
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_a_wrong_token_is_401(api, server):
    async with api.session.get(f"{server.base_url}999:nope/getMe") as response:
        assert response.status == 401
        assert (await response.json())["description"] == "Unauthorized"


async def test_method_names_are_case_insensitive_and_get_works(api, server):
    async with api.session.get(f"{server.base_url}{TOKEN}/getme") as response:
        assert (await response.json())["ok"] is True


async def test_form_encoded_parameters_are_read_like_json(api, server):
    alice = started(server)
    markup = json.dumps({"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]})
    status, body = await api.form(
        "sendMessage", {"chat_id": str(alice.chat_id), "text": "hi", "reply_markup": markup}
    )
    assert status == 200
    assert body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "go"


async def test_a_message_over_4096_characters_is_too_long(api, server):
    alice = started(server)
    status, body = await api("sendMessage", chat_id=alice.chat_id, text="x" * 4097)
    assert (status, body["description"]) == (400, "Bad Request: message is too long")


async def test_an_empty_message_is_refused(api, server):
    alice = started(server)
    status, body = await api("sendMessage", chat_id=alice.chat_id, text="")
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")


async def test_an_unknown_chat_is_not_found(api):
    status, body = await api("sendMessage", chat_id=42, text="hi")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")


async def test_the_bot_cannot_write_first(api, server):
    bob = server.user("Bob")
    status, body = await api("sendMessage", chat_id=bob.chat_id, text="hi")
    assert (status, body["description"]) == (403, "Forbidden: bot can't initiate conversation with a user")


async def test_a_blocked_bot_is_forbidden(api, server):
    alice = started(server)
    alice.block()
    status, body = await api("sendMessage", chat_id=alice.chat_id, text="hi")
    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")


async def test_a_caption_over_1024_characters_is_too_long(api, server):
    alice = started(server)
    data = aiohttp.FormData()
    data.add_field("chat_id", str(alice.chat_id))
    data.add_field("caption", "c" * 1025)
    data.add_field("photo", png_bytes(), filename="p.png", content_type="image/png")
    status, body = await api.form("sendPhoto", data)
    assert (status, body["description"]) == (400, "Bad Request: message caption is too long")


async def test_callback_data_over_64_bytes_is_invalid(api, server):
    alice = started(server)
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "é" * 33}]]}
    status, body = await api("sendMessage", chat_id=alice.chat_id, text="hi", reply_markup=markup)
    assert (status, body["description"]) == (400, "Bad Request: BUTTON_DATA_INVALID")


async def test_a_malformed_reply_markup_is_refused(api, server):
    alice = started(server)
    status, body = await api.form(
        "sendMessage", {"chat_id": str(alice.chat_id), "text": "hi", "reply_markup": "{nope"}
    )
    assert body["description"] == "Bad Request: can't parse reply keyboard markup JSON object"


async def test_reply_keyboards_are_remembered_and_removed(api, server):
    alice = started(server)
    await api.ok("sendMessage", chat_id=alice.chat_id, text="pick",
                 reply_markup={"keyboard": [["Yes", {"text": "No"}]], "one_time_keyboard": True})
    assert alice.keyboard_labels() == ["Yes", "No"]
    await api.ok("sendMessage", chat_id=alice.chat_id, text="ok",
                 reply_markup={"remove_keyboard": True})
    assert alice.keyboard_labels() == []


async def test_editing_to_the_same_content_is_not_modified(api, server):
    alice = started(server)
    sent = await api.ok("sendMessage", chat_id=alice.chat_id, text="same")
    status, body = await api(
        "editMessageText", chat_id=alice.chat_id, message_id=sent["message_id"], text="same"
    )
    assert status == 400
    assert body["description"] == (
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message"
    )


async def test_an_edit_keeps_history_and_a_changed_keyboard_is_accepted(api, server):
    alice = started(server)
    sent = await api.ok("sendMessage", chat_id=alice.chat_id, text="same")
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    edited = await api.ok("editMessageReplyMarkup", chat_id=alice.chat_id,
                          message_id=sent["message_id"], reply_markup=markup)
    assert "edit_date" in edited
    assert alice.last.is_edited and alice.last.history[0]["text"] == "same"
    assert alice.keyboard_labels() == ["A"]


async def test_editing_or_deleting_an_unknown_message_is_not_found(api, server):
    alice = started(server)
    _, edit = await api("editMessageText", chat_id=alice.chat_id, message_id=99, text="x")
    _, delete = await api("deleteMessage", chat_id=alice.chat_id, message_id=99)
    assert edit["description"] == "Bad Request: message to edit not found"
    assert delete["description"] == "Bad Request: message to delete not found"


async def test_a_deleted_message_cannot_be_deleted_again(api, server):
    alice = started(server)
    sent = await api.ok("sendMessage", chat_id=alice.chat_id, text="bye")
    assert await api.ok("deleteMessage", chat_id=alice.chat_id, message_id=sent["message_id"])
    _, body = await api("deleteMessage", chat_id=alice.chat_id, message_id=sent["message_id"])
    assert body["description"] == "Bad Request: message to delete not found"
    assert alice.messages == []


async def test_answering_an_unknown_callback_query_is_too_old(api):
    status, body = await api("answerCallbackQuery", callback_query_id="nope")
    assert status == 400
    assert body["description"] == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )


async def test_answering_a_callback_query_after_the_timeout_is_too_old(api, server, clock):
    alice = started(server)
    sent = server._add_message(alice.user, is_from_bot=True, text="x")
    query = server.new_callback_query(alice.user, sent, "x")
    clock.advance(server.callback_answer_timeout_s + 1)
    _, body = await api("answerCallbackQuery", callback_query_id=query.id)
    assert body["description"].startswith("Bad Request: query is too old")


async def test_unbalanced_html_cannot_be_parsed(api, server):
    alice = started(server)
    _, body = await api("sendMessage", chat_id=alice.chat_id, text="<b>bold", parse_mode="HTML")
    assert body["description"] == (
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""
    )


async def test_html_becomes_text_and_entities(api, server):
    alice = started(server)
    sent = await api.ok("sendMessage", chat_id=alice.chat_id,
                        text="<b>Hi</b> &amp; <i>you</i>", parse_mode="HTML")
    assert sent["text"] == "Hi & you"
    assert sent["entities"] == [
        {"type": "bold", "offset": 0, "length": 2},
        {"type": "italic", "offset": 5, "length": 3},
    ]


async def test_commands_are_stored_per_language_and_scope(api):
    await api.ok("setMyCommands", commands=[{"command": "start", "description": "Start"}])
    await api.ok("setMyCommands", commands=[{"command": "start", "description": "Los"}],
                 language_code="de")
    assert (await api.ok("getMyCommands", language_code="de"))[0]["description"] == "Los"
    assert (await api.ok("getMyCommands"))[0]["description"] == "Start"
    assert await api.ok("getMyCommands", scope={"type": "all_group_chats"}) == []


async def test_an_invalid_command_name_is_refused(api):
    _, body = await api("setMyCommands", commands=[{"command": "Bad Name", "description": "x"}])
    assert body["description"] == "Bad Request: BOT_COMMAND_INVALID"


async def test_the_per_chat_limit_answers_429_with_retry_after(api, server, clock):
    alice = started(server)
    for _ in range(server.flood.limits.per_chat_burst):
        await api.ok("sendMessage", chat_id=alice.chat_id, text="hi")
    status, body = await api("sendMessage", chat_id=alice.chat_id, text="one too many")
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    clock.advance(1.0)
    await api.ok("sendMessage", chat_id=alice.chat_id, text="again")


async def test_the_overall_limit_counts_all_chats(api, server):
    server.flood.limits = RateLimits(per_chat_burst=100, global_burst=5)
    people = [started(server, f"P{i}") for i in range(6)]
    for person in people[:5]:
        await api.ok("sendMessage", chat_id=person.chat_id, text="hi")
    status, body = await api("sendMessage", chat_id=people[5].chat_id, text="hi")
    assert status == 429 and body["parameters"]["retry_after"] == 1


async def test_limits_can_be_switched_off(api, server):
    server.flood.limits = RateLimits.off()
    alice = started(server)
    for _ in range(50):
        await api.ok("sendMessage", chat_id=alice.chat_id, text="hi")


async def test_a_photo_round_trips_through_upload_get_file_and_download(api, server):
    alice = started(server)
    image = png_bytes()
    data = aiohttp.FormData()
    data.add_field("chat_id", str(alice.chat_id))
    data.add_field("photo", image, filename="p.png", content_type="image/png")
    _, body = await api.form("sendPhoto", data)
    photo = body["result"]["photo"][-1]
    assert (photo["width"], photo["height"]) == (4, 3)
    file = await api.ok("getFile", file_id=photo["file_id"])
    async with api.session.get(f"{server.base_file_url}{TOKEN}/{file['file_path']}") as response:
        assert await response.read() == image
    again = await api.ok("sendPhoto", chat_id=alice.chat_id, photo=photo["file_id"])
    assert again["photo"][-1]["file_id"] == photo["file_id"]
    assert alice.last_photo_bytes == image


async def test_an_unknown_file_id_is_refused(api, server):
    alice = started(server)
    _, body = await api("sendPhoto", chat_id=alice.chat_id, photo="nope")
    assert body["description"] == "Bad Request: wrong file identifier/HTTP URL specified"
    _, body = await api("getFile", file_id="nope")
    assert body["description"] == "Bad Request: invalid file_id"


async def test_a_stars_invoice_needs_no_provider_and_one_price(api, server):
    alice = started(server)
    base = dict(chat_id=alice.chat_id, title="Credits", description="1 t CO2e",
                payload="buy:1", currency="XTR")
    _, body = await api("sendInvoice", **base, provider_token="tok",
                        prices=[{"label": "1 t", "amount": 5}])
    assert body["description"] == "Bad Request: PAYMENT_PROVIDER_INVALID"
    _, body = await api("sendInvoice", **base, prices=[{"label": "a", "amount": 5}, {"label": "b", "amount": 1}])
    assert body["description"] == "Bad Request: STARS_INVOICE_INVALID"
    _, body = await api("sendInvoice", **{**base, "payload": "p" * 129},
                        prices=[{"label": "1 t", "amount": 5}])
    assert body["description"] == "Bad Request: INVOICE_PAYLOAD_INVALID"
    sent = await api.ok("sendInvoice", **base, prices=[{"label": "1 t", "amount": 5}])
    assert sent["invoice"]["total_amount"] == 5


async def test_get_updates_conflicts_with_a_webhook(api):
    await api.ok("setWebhook", url="http://127.0.0.1:9/hook")
    status, body = await api("getUpdates")
    assert status == 409
    assert body["description"] == (
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first"
    )
    await api.ok("deleteWebhook")
    assert await api.ok("getUpdates") == []


async def test_get_updates_wakes_as_soon_as_an_update_arrives(api, server):
    import asyncio

    alice = server.user("Alice")
    poll = asyncio.ensure_future(api.ok("getUpdates", timeout=30))
    await asyncio.sleep(0)  # let the poll reach the server before the update
    while not server._pending and not poll.done():
        server.queue_update({"message": server.add_user_message(alice.user, text="hi").to_api()})
    updates = await asyncio.wait_for(poll, 5)
    assert updates[0]["message"]["text"] == "hi"


async def test_an_offset_confirms_updates(api, server):
    alice = server.user("Alice")
    first = server.queue_update({"message": server.add_user_message(alice.user, text="a").to_api()})
    updates = await api.ok("getUpdates")
    assert [u["update_id"] for u in updates] == [first.update_id]
    assert await api.ok("getUpdates", offset=first.update_id + 1) == []
    assert first.fetched.result() is True


async def test_logout_close_and_menu_button_are_harmless(api, server):
    started(server)
    assert await api.ok("logOut") is True
    assert await api.ok("close") is True
    assert await api.ok("setChatMenuButton", menu_button={"type": "commands"}) is True
    assert (await api.ok("getChatMenuButton"))["type"] == "commands"


async def test_the_test_card_provider_takes_card_invoices_and_refuses_a_live_token(api, server):
    from sandbox.botapi import TEST_CARD_PROVIDER_TOKEN

    alice = started(server)
    base = dict(chat_id=alice.chat_id, title="Credits", description="1 t CO2e", payload="buy:2",
                currency="EUR", prices=[{"label": "1 t", "amount": 1500}])
    _, body = await api("sendInvoice", **base, provider_token="123:LIVE:real-money")
    assert body["description"] == "Bad Request: PAYMENT_PROVIDER_INVALID"
    _, body = await api("sendInvoice", **base, provider_token=TEST_CARD_PROVIDER_TOKEN, need_shipping_address=True)
    assert "ships" in body["description"]
    sent = await api.ok("sendInvoice", **base, provider_token=TEST_CARD_PROVIDER_TOKEN)
    assert (sent["invoice"]["currency"], sent["invoice"]["total_amount"]) == ("EUR", 1500)
