"""The verify page and the registry pages in German and French, in a real Chromium.

The language comes from ?lang=, else the certificate's own, else Accept-Language; the
switch on each page leads to the same page in another language. Screenshots land in a
temporary folder; `SCREENSHOTS_DIR=docs/screenshots` refreshes the docs' pictures (looked at
by hand: docs/DECISIONS.md "Understood in every language"), so a test run never edits docs/.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from .chat import ChatPage
from .test_csp import body_text, certified_data, csp_complaints, sandbox  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or Path(tempfile.gettempdir()) / "cccp-screenshots")
ENGLISH_WORDS = ("Signature valid", "Serial numbers", "Check it yourself", "Public key",
                 "Retired", "Project", "Methodology", "Look up", "Available", "Vintage")


def _no_english(text: str) -> None:
    for words in ENGLISH_WORDS:
        assert not re.search(rf"\b{words}\b", text), words


def _shot(driver, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(1200, min(max(height, 900), 2400))
    driver.save_screenshot(str(SHOTS / name))
    driver.set_window_size(1200, 900)


@pytest.mark.parametrize(("lang", "valid", "project", "switch_to", "other_valid"), [
    ("de", "Signatur gültig ✓", "Projekt", "Français", "Signature valide ✓"),
    ("fr", "Signature valide ✓", "Projet", "Deutsch", "Signatur gültig ✓"),
])
def test_the_verify_page_speaks_german_and_french(chrome, sandbox, lang, valid, project,  # noqa: F811
                                                   switch_to, other_valid):
    url, certificate_id = sandbox
    csp_complaints(chrome)
    chrome.get(f"{url}/c/{certificate_id}?lang={lang}")
    text = body_text(chrome)
    assert valid in text and project.upper() in text.upper()
    assert chrome.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
    _no_english(text)
    _shot(chrome, f"verify_{lang}.png")
    chrome.find_element(By.LINK_TEXT, switch_to).click()
    ChatPage(chrome, url).wait_until(lambda d: other_valid in body_text(d))
    assert csp_complaints(chrome) == []


@pytest.mark.parametrize(("lang", "heading", "retired"), [
    ("de", "Projekte und ihre Zertifikate", "Stillgelegt"),
    ("fr", "Les projets et leurs crédits", "Retiré"),
])
def test_the_registry_pages_speak_german_and_french(chrome, sandbox, lang, heading, retired):  # noqa: F811
    url, _ = sandbox
    csp_complaints(chrome)
    chrome.get(f"{url}/registry?lang={lang}")
    text = body_text(chrome)
    assert heading in text
    _no_english(text)
    _shot(chrome, f"registry_{lang}.png")
    chrome.find_element(By.CSS_SELECTOR, "tbody a").click()  # a project page, still in lang
    ChatPage(chrome, url).wait_until(lambda d: "/registry/projects/" in d.current_url)
    text = body_text(chrome)
    assert f"lang={lang}" in chrome.current_url and heading not in text
    assert retired.upper() in text.upper()
    _no_english(text)
    _shot(chrome, f"registry_project_{lang}.png")
    assert csp_complaints(chrome) == []
