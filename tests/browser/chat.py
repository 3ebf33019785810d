"""The sandbox page as a person uses it in Chromium: type, tap, pay, switch; wait for answers."""

from __future__ import annotations

from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

TIMEOUT_S = 20
# The stand-in takes the money once the bot has answered the pre-checkout and gone quiet, or,
# if the bot stays busy, when the sandbox's 30 s settle time (cccp/sandbox.py) is up.
PAY_TIMEOUT_S = 45


class ChatPage:
    def __init__(self, driver: WebDriver, base_url: str) -> None:
        self.driver = driver
        self.base_url = base_url

    def open(self, person: str = "alice") -> ChatPage:
        self.driver.get(f"{self.base_url}/sandbox?as={person}")
        self.wait_until(lambda d: d.find_element(By.CSS_SELECTOR, f'.person.active[data-person="{person}"]'))
        self.wait_until(lambda d: "online" in d.find_element(By.TAG_NAME, "body").get_attribute("class"))
        return self

    def wait_until(self, condition, timeout: float = TIMEOUT_S):
        # The page redraws a message when it is edited: an element found a moment ago may
        # be gone, so look again rather than fail.
        ignored = (NoSuchElementException, StaleElementReferenceException)
        try:
            return WebDriverWait(self.driver, timeout, ignored_exceptions=ignored).until(condition)
        except TimeoutException:
            raise TimeoutException(f"waited {timeout} s; the page shows: {self._last_words()}") from None

    def _last_words(self) -> str:
        """The chat's last rows and any notice on the page, for a failed wait's message."""
        rows = self.driver.find_elements(By.CSS_SELECTOR, "#messages .row")[-6:]
        notices = self.driver.find_elements(By.CSS_SELECTOR, "#toast, #messages .notice")
        return " | ".join([r.text.replace("\n", " ")[:200] for r in rows] + [n.text for n in notices if n.text])

    # ---- what the person sees --------------------------------------------------------------

    def rows(self, side: str = "bot") -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, f"#messages .row.{side}")

    def texts(self, side: str = "bot") -> list[str]:
        return [e.text for e in self.driver.find_elements(By.CSS_SELECTOR, f"#messages .row.{side} .text")]

    def wait_for_text(self, fragment: str, side: str = "bot") -> WebElement:
        """The newest message of `side` whose text contains `fragment`."""

        def found(driver):
            for row in reversed(driver.find_elements(By.CSS_SELECTOR, f"#messages .row.{side}")):
                if fragment in row.text:
                    return row
            return False

        return self.wait_until(found)

    def wait_for_new_bot_row(self, count_before: int) -> WebElement:
        return self.wait_until(lambda d: len(self.rows()) > count_before and self.rows()[-1])

    def wait_for_photo(self) -> WebElement:
        """The newest photo in the chat, once the browser has loaded it."""

        def loaded(driver):
            images = driver.find_elements(By.CSS_SELECTOR, "#messages .row.bot .photo img")
            if images and driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", images[-1]):
                return images[-1]
            return False

        return self.wait_until(loaded)

    def row_of(self, element: WebElement) -> WebElement:
        """The chat row (the whole message, caption included) that holds `element`."""
        return element.find_element(By.XPATH, "ancestor::div[contains(concat(' ', @class, ' '), ' row ')]")

    def is_in_view(self, element: WebElement) -> bool:
        """Whether the element's bottom edge shows in the message list, not scrolled away
        or hidden behind the keyboard."""
        return self.driver.execute_script(
            "const r = arguments[0].getBoundingClientRect();"
            "const box = document.getElementById('messages').getBoundingClientRect();"
            "return r.bottom > box.top && r.bottom <= box.bottom + 1;",
            element,
        )

    def reply_keyboard_labels(self) -> list[str]:
        return [b.text for b in self.driver.find_elements(By.CSS_SELECTOR, "#keyboard .kb-button")]

    def active_person(self) -> str:
        return self.driver.find_element(By.CSS_SELECTOR, ".person.active").get_attribute("data-person")

    # ---- what the person does --------------------------------------------------------------

    def send(self, text: str) -> None:
        box = self.driver.find_element(By.ID, "text")
        box.clear()
        box.send_keys(text)
        self.driver.find_element(By.ID, "send").click()

    def press(self, label: str, *, starts_with: bool = False) -> None:
        """Tap the newest inline button (or reply-keyboard button) with this label (or
        starting with it: a price in a label may change with the demo data)."""

        def is_it(text: str) -> bool:
            return text.startswith(label) if starts_with else text == label

        def button(driver):
            candidates = driver.find_elements(By.CSS_SELECTOR, "#messages .inline-kb .kb-button, #keyboard .kb-button")
            matching = [b for b in candidates if is_it(b.text) and b.is_enabled()]
            return matching[-1] if matching else False

        target = self.wait_until(button)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", target)
        target.click()

    def pay(self) -> None:
        target = self.wait_until(EC.element_to_be_clickable((By.CSS_SELECTOR, "#messages .invoice .pay:not([disabled])")))
        message_id = target.find_element(By.XPATH, "ancestor::div[@data-id]").get_attribute("data-id")
        target.click()
        selector = f'#messages [data-id="{message_id}"] .pay.paid'
        self.wait_until(lambda d: d.find_element(By.CSS_SELECTOR, selector), timeout=PAY_TIMEOUT_S)

    def open_deep_link(self, link: str) -> None:
        field = self.driver.find_element(By.ID, "deeplink")
        field.clear()
        field.send_keys(link)
        self.driver.find_element(By.ID, "deeplink-open").click()

    def switch_to(self, person: str) -> None:
        self.driver.find_element(By.CSS_SELECTOR, f'.person[data-person="{person}"]').click()
        self.wait_until(lambda d: self.active_person() == person)
