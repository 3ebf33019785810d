"""`cccp sandbox` in a real Chromium: the real bot, its database and demo data, as a newcomer meets them."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from .chat import ChatPage

pytestmark = pytest.mark.browser


@pytest.fixture
def page(chrome, sandbox_url):
    return ChatPage(chrome, sandbox_url)


def test_a_newcomer_signs_up_with_buttons_alone(page):
    page.open("alice")
    page.driver.find_element(By.CSS_SELECTOR, ".start-button").click()
    page.wait_for_text("Welcome to CCCP")
    page.press("✓ English")
    page.wait_for_text("accept our terms")
    page.press("✅ I accept")
    page.press("☐ Consumer")
    page.wait_until(lambda d: any(b.text == "☑ Consumer" for b in d.find_elements(By.CSS_SELECTOR, ".inline-kb .kb-button")))
    page.press("Done")
    page.wait_for_text("You are all set, Alice!")
    page.wait_until(lambda d: "💰 Balance" in page.reply_keyboard_labels())
