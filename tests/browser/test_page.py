"""The chat page in a real Chromium, against a toy bot: what a person sees and taps."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.page.toybot import toy_sandbox

from .chat import ChatPage

pytestmark = pytest.mark.browser


@pytest.fixture
def page(chrome, server_thread):
    with server_thread(toy_sandbox) as running:
        yield ChatPage(chrome, running.url)


def test_a_message_typed_in_the_page_gets_the_bots_answer(page):
    page.open("alice")
    page.send("hello bot")
    page.wait_for_text("hello bot", side="me")
    page.wait_for_text("You said: hello bot")


def test_start_shows_bold_text_and_the_reply_keyboard(page):
    page.open("alice")
    page.driver.find_element(By.CSS_SELECTOR, ".start-button").click()
    row = page.wait_for_text("Welcome, Alice!")
    assert row.find_element(By.CSS_SELECTOR, "strong").text == "/menu"
    page.wait_until(lambda d: page.reply_keyboard_labels() == ["Balance", "Help"])
    page.press("Balance")
    page.wait_for_text("You said: Balance")


def test_a_pressed_button_edits_its_message_in_place(page):
    page.open("alice")
    page.send("/menu")
    page.wait_for_text("Shall we?")
    page.press("Yes")
    row = page.wait_for_text("You chose yes")
    assert "edited" in row.text
    assert "Shall we?" not in " ".join(page.texts())


def test_paying_an_invoice_shows_the_certificate_image(page):
    page.open("alice")
    page.send("/invoice")
    page.wait_for_text("Offset 50 kg CO2e")
    page.pay()
    page.wait_for_text("You paid", side="service")
    image = page.wait_for_photo()
    assert page.driver.execute_script("return arguments[0].naturalWidth", image) == 300


def test_the_deep_link_field_sends_start_with_the_code(page):
    page.open("alice")
    page.open_deep_link("https://t.me/cccp_sandbox_bot?start=CCCP-7F3K")
    page.wait_for_text("Alice opened code CCCP-7F3K")


def test_the_command_menu_lists_the_bots_commands_and_sends_one(page):
    page.open("alice")
    page.driver.find_element(By.ID, "menu-button").click()
    items = page.wait_until(lambda d: d.find_elements(By.CSS_SELECTOR, "#menu .menu-command"))
    assert [i.text for i in items] == ["/start", "/menu", "/invoice", "/doc"]
    items[3].click()
    row = page.wait_for_text("labels.pdf")
    assert row.find_element(By.CSS_SELECTOR, "a.document").get_attribute("download") == "labels.pdf"


def test_each_person_has_their_own_chat(page):
    page.open("alice")
    page.send("I am Alice")
    page.wait_for_text("You said: I am Alice")
    page.switch_to("bob")
    page.wait_until(lambda d: d.find_elements(By.CSS_SELECTOR, ".start-button"))
    assert page.texts() == []
    page.send("I am Bob")
    page.wait_for_text("You said: I am Bob")
    page.switch_to("alice")
    page.wait_for_text("You said: I am Alice")
    assert "I am Bob" not in " ".join(page.texts("me"))
    page.driver.refresh()
    page.wait_for_text("You said: I am Alice")
    assert page.active_person() == "alice"


def test_the_answer_that_brings_the_reply_keyboard_stays_in_view(page):
    page.open("alice")
    page.send("long " * 600)  # fills the chat twice over, so the keyboard has something to hide
    page.wait_for_text("You said: long")
    page.send("/start")
    welcome = page.wait_for_text("Welcome, Alice!")
    page.wait_until(lambda d: page.reply_keyboard_labels() == ["Balance", "Help"])
    page.wait_until(lambda d: page.is_in_view(welcome))
