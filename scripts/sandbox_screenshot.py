"""Take docs/sandbox.png: the real sandbox in headless Chromium, mid-conversation.

Bob buys half a tonne, pays with sandbox Stars and gets his certificate. Run from
the repository root (emoji need Debian's fonts-noto-color-emoji):

    .venv/bin/python scripts/sandbox_screenshot.py [out.png] [width,height]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, "tests")  # the browser tests' helpers drive the page

from browser.chat import ChatPage  # noqa: E402
from browser.conftest import CHROME_FLAGS, CHROMEDRIVER, ServerThread, real_sandbox  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402


def main(out: str = "docs/sandbox.png", size: str = "1280,1080") -> None:
    options = webdriver.ChromeOptions()
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={size}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    data_dir = Path(tempfile.mkdtemp())
    try:
        with ServerThread(lambda: real_sandbox(data_dir)) as url:
            page = ChatPage(driver, url).open("bob")
            for text, answer in (
                ("/buy", "What would you like to buy?"),
                ("1", "How much CO2e"),
                ("500 kg", "Retire the credits now?"),
            ):
                page.send(text)
                page.wait_for_text(answer)
            page.press("🌱 In my name (Bob)")
            page.wait_for_text("What is it for?")
            page.send("offset of flight FRA-JFK")
            page.wait_for_text("Your order")
            page.send("pay")
            page.pay()
            page.wait_for_photo()
            driver.execute_script("document.getElementById('toast').hidden = true")
            driver.save_screenshot(out)
    finally:
        driver.quit()
    print(f"wrote {out}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
