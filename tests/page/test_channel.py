"""The sandbox page's live channel streams one person's chat and takes their actions."""

from __future__ import annotations

import base64

import aiohttp

from .toybot import png_bytes


def bot_text(message: dict) -> bool:
    return message["type"] == "message" and message["message"]["from_bot"]


async def test_the_page_is_served_with_its_script_and_styles(sandbox):
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{sandbox.url}/sandbox") as response:
            assert response.status == 200
            html = await response.text()
        assert "SANDBOX" in html and "not connected to Telegram" in html
        for asset in ("/sandbox/static/chat.js", "/sandbox/static/chat.css"):
            assert asset in html
            async with session.get(f"{sandbox.url}{asset}") as response:
                assert response.status == 200


async def test_hello_names_the_person_the_people_and_the_bots_menu(open_tab):
    tab = await open_tab("bob")
    hello = await tab.next_of("hello")
    assert hello["person"] == "bob"
    assert [p["name"] for p in hello["people"]] == ["Alice", "Bob", "Support"]
    assert [p["is_staff"] for p in hello["people"]] == [False, False, True]
    assert {c["command"] for c in hello["commands"]} >= {"start", "menu"}
    assert hello["messages"] == []


async def test_sending_text_shows_the_persons_message_then_the_bots_answer(open_tab):
    tab = await open_tab()
    await tab.next_of("hello")
    assert (await tab.act(type="send", text="hello there"))["type"] == "done"
    mine = await tab.next(lambda m: m["type"] == "message" and not m["message"]["from_bot"])
    assert mine["message"]["text"] == "hello there"
    answer = await tab.next(bot_text)
    assert answer["message"]["text"] == "You said: hello there"


async def test_start_brings_formatted_text_and_a_reply_keyboard(open_tab):
    tab = await open_tab()
    await tab.next_of("hello")
    await tab.act(type="send", text="/start")
    answer = await tab.next(bot_text)
    assert answer["message"]["text"] == "Welcome, Alice! Try /menu."
    assert {"type": "bold", "offset": 20, "length": 5} in answer["message"]["entities"]
    keyboard = await tab.next_of("keyboard")
    assert keyboard["keyboard"]["keyboard"] == [[{"text": "Balance"}, {"text": "Help"}]]


async def test_pressing_an_inline_button_answers_and_edits_the_message_in_place(open_tab):
    tab = await open_tab()
    await tab.next_of("hello")
    await tab.act(type="send", text="/menu")
    question = (await tab.next(bot_text))["message"]
    assert [b["text"] for b in question["inline_keyboard"][0]] == ["Yes", "No"]
    assert (await tab.act(type="press", message_id=question["id"], data="choice:yes"))["type"] == "done"
    assert (await tab.next_of("answer"))["text"] == "Pressed yes"
    edited = (await tab.next_of("edited"))["message"]
    assert edited["id"] == question["id"] and edited["text"] == "You chose yes"
    assert edited["edit_date"] is not None


async def test_paying_an_invoice_runs_checkout_and_brings_the_certificate_photo(open_tab, sandbox):
    tab = await open_tab()
    await tab.next_of("hello")
    await tab.act(type="send", text="/invoice")
    invoice = (await tab.next(bot_text))["message"]
    assert invoice["invoice"]["currency"] == "XTR" and invoice["invoice"]["total_amount"] == 25
    assert (await tab.act(type="pay", message_id=invoice["id"]))["type"] == "done"
    assert (await tab.next_of("paid"))["id"] == invoice["id"]
    receipt = await tab.next(lambda m: m["type"] == "message" and m["message"].get("successful_payment"))
    assert receipt["message"]["successful_payment"] == {"currency": "XTR", "total_amount": 25}
    certificate = (await tab.next(lambda m: bot_text(m) and "photo" in m["message"]))["message"]
    assert certificate["caption"] == "Your certificate"
    async with aiohttp.ClientSession() as session:
        async with session.get(sandbox.url + certificate["photo"]["url"]) as response:
            assert response.status == 200
            assert (await response.read()).startswith(b"\x89PNG")


async def test_an_invoice_cannot_be_paid_twice(open_tab):
    tab = await open_tab()
    await tab.next_of("hello")
    await tab.act(type="send", text="/invoice")
    invoice = (await tab.next(bot_text))["message"]
    await tab.act(type="pay", message_id=invoice["id"])
    again = await tab.act(type="pay", message_id=invoice["id"])
    assert again["type"] == "error" and "paid already" in again["text"]


async def test_a_deep_link_sends_start_with_its_payload(open_tab, sandbox):
    tab = await open_tab()
    await tab.next_of("hello")
    username = sandbox.server.bot_user["username"]
    await tab.act(type="deep_link", link=f"https://t.me/{username}?start=CCCP-7F3K")
    mine = await tab.next(lambda m: m["type"] == "message" and not m["message"]["from_bot"])
    assert mine["message"]["text"] == "/start CCCP-7F3K"
    assert (await tab.next(bot_text))["message"]["text"] == "Alice opened code CCCP-7F3K"


async def test_a_link_to_another_bot_is_refused_with_a_reason(open_tab):
    tab = await open_tab()
    await tab.next_of("hello")
    answer = await tab.act(type="deep_link", link="https://t.me/some_other_bot?start=abc")
    assert answer["type"] == "error" and "@some_other_bot" in answer["text"]


async def test_a_photo_upload_reaches_the_bot(open_tab):
    tab = await open_tab()
    await tab.next_of("hello")
    data = base64.b64encode(png_bytes(64, 48)).decode()
    assert (await tab.act(type="photo", data=data))["type"] == "done"
    mine = await tab.next(lambda m: m["type"] == "message" and not m["message"]["from_bot"])
    assert mine["message"]["photo"]["width"] == 64
    assert (await tab.next(bot_text))["message"]["text"] == "Got your photo (64x48)"


async def test_a_file_that_is_no_picture_is_refused(open_tab):
    tab = await open_tab()
    await tab.next_of("hello")
    answer = await tab.act(type="photo", data=base64.b64encode(b"not a picture").decode())
    assert answer["type"] == "error" and "not a picture" in answer["text"]


async def test_a_document_comes_with_its_name_and_a_download_url(open_tab, sandbox):
    tab = await open_tab()
    await tab.next_of("hello")
    await tab.act(type="send", text="/doc")
    document = (await tab.next(bot_text))["message"]["document"]
    assert document["name"] == "labels.pdf"
    async with aiohttp.ClientSession() as session:
        async with session.get(sandbox.url + document["url"]) as response:
            assert await response.read() == b"%PDF-1.4 labels"


async def test_each_person_has_their_own_chat_and_a_reload_shows_it_again(open_tab):
    alice = await open_tab("alice")
    await alice.next_of("hello")
    await alice.act(type="send", text="I am Alice")
    await alice.next(bot_text)
    await alice.act(type="switch", person="bob")
    bob_hello = await alice.next_of("hello")
    assert bob_hello["person"] == "bob" and bob_hello["messages"] == []
    reloaded = await open_tab("alice")
    texts = [m["text"] for m in (await reloaded.next_of("hello"))["messages"]]
    assert texts == ["I am Alice", "You said: I am Alice"]


async def test_another_persons_new_message_shows_as_unread(open_tab):
    alice = await open_tab("alice")
    await alice.next_of("hello")
    bob = await open_tab("bob")
    await bob.next_of("hello")
    await bob.act(type="send", text="hi")
    assert (await alice.next_of("unread"))["person"] == "bob"


async def test_a_websocket_from_another_site_is_refused(sandbox):
    async with aiohttp.ClientSession() as session:
        try:
            await session.ws_connect(f"{sandbox.url}/sandbox/ws", headers={"Origin": "https://evil.example"})
        except aiohttp.WSServerHandshakeError as exc:
            assert exc.status == 403
        else:
            raise AssertionError("the handshake should have been refused")


async def test_a_sticker_and_a_document_from_the_page_reach_the_chat(open_tab):
    tab = await open_tab()
    await tab.next_of("hello")
    assert (await tab.act(type="sticker", emoji="🐼"))["type"] == "done"
    mine = await tab.next(lambda m: m["type"] == "message" and not m["message"]["from_bot"])
    assert mine["message"]["sticker"] == {"emoji": "🐼"}
    data = base64.b64encode(b"order,kg\n1,500\n").decode()
    done = await tab.act(type="document", data=data, file_name="orders.csv", mime_type="text/csv")
    assert done["type"] == "done"
    mine = await tab.next(lambda m: m["type"] == "message" and not m["message"]["from_bot"]
                          and "document" in m["message"])
    assert (mine["message"]["document"]["name"], mine["message"]["document"]["size"]) == ("orders.csv", 15)
    empty = await tab.act(type="document", data="", file_name="x")
    assert empty["type"] == "error" and "Choose a file first" in empty["text"]
