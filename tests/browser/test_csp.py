"""The pages under their Content-Security-Policy in a real Chromium: nothing refused.

Chromium reports every blocked script, style, image or connection on the console
("Refused to ...", since Chromium 1xx "... violates the following Content Security
Policy directive ..."); the tests read the console after each page has done its work,
and one test shows that the check sees a refusal.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from .chat import ChatPage

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def certified_data(tmp_path_factory, sqlite_template) -> tuple[Path, str]:
    """A data directory: the seeded sandbox database, its demo retirement certified
    with the signing key beside it; and that certificate's id."""
    from cccp.seed_demo import seed_demo
    from core import db
    from core.certs.models import Certificate
    from core.certs.signing import load_or_create_key

    directory = tmp_path_factory.mktemp("certified")
    key = load_or_create_key("", directory / "cert_signing_key")

    shutil.copy(sqlite_template, directory / "sandbox.sqlite3")  # migrated once for the whole suite

    async def build() -> str:
        url = f"sqlite://{directory / 'sandbox.sqlite3'}"
        await db.upgrade(url)
        await db.open_db(url)
        try:
            await seed_demo(signing_key=key, public_base_url="http://127.0.0.1")
            return (await Certificate.first()).public_id
        finally:
            await db.close_db()

    return directory, asyncio.run(build())


@pytest.fixture
def sandbox(tmp_path, certified_data, server_thread):
    from .conftest import real_sandbox

    directory, certificate_id = certified_data
    for name in ("sandbox.sqlite3", "cert_signing_key"):
        shutil.copy(directory / name, tmp_path / name)
    with server_thread(lambda: real_sandbox(tmp_path)) as url:
        yield url, certificate_id


def csp_complaints(driver) -> list[str]:
    """What the console said about the policy since the last call."""
    return [
        entry["message"] for entry in driver.get_log("browser")
        if "Content Security Policy" in entry["message"] or "Refused to" in entry["message"]
    ]


def body_text(driver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def test_the_verify_and_registry_pages_show_without_a_csp_violation(chrome, sandbox):
    url, certificate_id = sandbox
    csp_complaints(chrome)  # forget earlier tests' console
    chrome.get(f"{url}/c/{certificate_id}")
    assert "Signature valid ✓" in body_text(chrome)
    image = chrome.find_element(By.CSS_SELECTOR, ".preview img")
    ChatPage(chrome, url).wait_until(lambda d: d.execute_script("return arguments[0].complete", image))
    assert chrome.execute_script("return arguments[0].naturalWidth", image) == 1600
    # The stylesheet applied: the card has its border colour, not the browser's default.
    card = chrome.find_element(By.CSS_SELECTOR, "article.card")
    assert card.value_of_css_property("border-top-color") == "rgba(22, 78, 56, 1)"
    complaints = csp_complaints(chrome)

    for path in ("/registry?q=CCCP-KEREF-2024-1", "/registry/no-such-page", "/registry"):
        chrome.get(url + path)
        assert "CCCP registry" in body_text(chrome)
        assert chrome.find_element(By.CSS_SELECTOR, "form.search button").value_of_css_property(
            "background-color") == "rgba(22, 78, 56, 1)"
        complaints += csp_complaints(chrome)
    chrome.find_element(By.CSS_SELECTOR, "tbody a").click()  # the first project's page
    ChatPage(chrome, url).wait_until(lambda d: "/registry/projects/" in d.current_url)
    assert complaints + csp_complaints(chrome) == []


def test_the_sandbox_chat_runs_without_a_csp_violation(chrome, sandbox):
    url, _ = sandbox
    csp_complaints(chrome)
    page = ChatPage(chrome, url).open("bob")  # "online": the WebSocket is connected
    before = len(page.rows())
    page.send("/balance")
    page.wait_for_new_bot_row(before)
    assert csp_complaints(chrome) == []


def test_the_console_check_sees_what_the_policy_refuses(chrome, sandbox):
    url, certificate_id = sandbox
    chrome.get(f"{url}/c/{certificate_id}")
    csp_complaints(chrome)
    chrome.execute_script(
        "const s = document.createElement('style'); s.textContent = 'body{color:red}'; document.head.append(s);"
    )
    complaints: list[str] = []

    def refused(driver) -> bool:
        complaints.extend(csp_complaints(driver))
        return any("style-src" in c for c in complaints)

    ChatPage(chrome, url).wait_until(refused, timeout=5)
