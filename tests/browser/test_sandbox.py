"""`cccp sandbox` in a real Chromium: the real bot, its database and demo data, as a newcomer meets them."""

from __future__ import annotations

import io
import re
from urllib.request import urlopen

import pytest
import zxingcpp
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

from .chat import ChatPage

pytestmark = pytest.mark.browser


@pytest.fixture
def page(chrome, sandbox_url):
    return ChatPage(chrome, sandbox_url)


def sign_up_with_buttons(page: ChatPage, name: str = "Alice") -> None:
    page.driver.find_element(By.CSS_SELECTOR, ".start-button").click()
    page.wait_for_text("Welcome to CCCP")
    page.press("✓ English")
    page.wait_for_text("accept our terms")
    page.press("✅ I accept")
    page.press("☐ Consumer")
    page.wait_until(lambda d: any(b.text == "☑ Consumer" for b in d.find_elements(By.CSS_SELECTOR, ".inline-kb .kb-button")))
    page.press("Done")
    page.wait_for_text(f"You are all set, {name}!")
    page.wait_until(lambda d: "💰 Balance" in page.reply_keyboard_labels())


def test_a_newcomer_signs_up_with_buttons_alone(page):
    page.open("alice")
    sign_up_with_buttons(page)
    assert page.is_in_view(page.wait_for_text("You are all set, Alice!"))


def offset_a_flight(page: ChatPage) -> tuple[int, WebElement]:
    """Alice signs up, types a flight, offsets it and pays; the breakdown's kg and the certificate <img>."""
    page.open("alice")
    sign_up_with_buttons(page)
    page.send("LHR CDG return")
    breakdown = page.wait_for_text("🌍 Flight LHR–CDG return, economy").text
    assert "passenger-km ×" in breakdown and "Source: Defra 2024" in breakdown
    kg = int(re.search(r"To offset: ([\d,]+) kg", breakdown).group(1).replace(",", ""))

    page.press("✅ Offset now")
    page.wait_for_text("To offset")
    page.press("2. Hamburg Landfill Gas Capture", starts_with=True)
    page.press("🌱 Retire now in my name (Alice)")
    summary = page.wait_for_text("Reason: Flight LHR–CDG return, economy").text
    assert f"{kg:,} kg CO2e from Hamburg Landfill Gas Capture" in summary
    page.press("Pay ", starts_with=True)
    page.pay()
    return kg, page.wait_for_photo()


def test_a_flights_footprint_offset_now_and_paid_shows_the_certificate_naming_the_flight(page):
    kg, image = offset_a_flight(page)
    assert page.driver.execute_script("return arguments[0].naturalWidth", image) > 0
    caption = page.row_of(image).text
    assert f"{kg:,} kg CO2e retired for Alice" in caption
    assert "For: Flight LHR–CDG return, economy" in caption
    assert page.is_in_view(image)


def test_the_certificates_qr_code_opens_its_page_in_the_sandbox(page):
    _, image = offset_a_flight(page)
    png = urlopen(image.get_attribute("src")).read()
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert code.text.startswith(page.base_url + "/c/")  # PUBLIC_BASE_URL defaults to the sandbox
    page.driver.get(code.text)
    body = page.wait_until(lambda d: d.find_element(By.TAG_NAME, "body")).text
    assert "Signature valid ✓" in body and "Flight LHR–CDG return, economy" in body


def test_a_deep_link_typed_in_the_field_opens_the_bot_with_its_code(page):
    page.open("alice")
    page.open_deep_link("https://t.me/cccp_sandbox_bot?start=demo")
    page.wait_for_text("/start demo", side="me")
    page.wait_for_text("Welcome to CCCP")


def test_each_person_has_their_own_chat_with_the_bot(page):
    page.open("bob")
    page.send("/balance")
    balance = page.wait_for_new_bot_row(0).text
    page.switch_to("alice")
    assert page.texts() == [] and page.texts("me") == []
    page.send("/start")
    page.wait_for_text("Welcome to CCCP")
    page.switch_to("bob")
    page.wait_for_text(balance.split("\n")[0])
    assert "Welcome to CCCP" not in " ".join(page.texts())
