"""Take docs/sandbox.png: the real sandbox in headless Chromium, mid-conversation.

Bob types "LHR CDG return", sees the breakdown, presses Offset now, pays with
sandbox Stars and gets his certificate naming the flight; the picture shows the
breakdown's total above the certificate. Run from the repository root (emoji need
Debian's fonts-noto-color-emoji):

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
from selenium.webdriver.common.by import By  # noqa: E402


def main(out: str = "docs/sandbox.png", size: str = "1280,1640") -> None:
    options = webdriver.ChromeOptions()
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={size}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    data_dir = Path(tempfile.mkdtemp())
    try:
        with ServerThread(lambda: real_sandbox(data_dir)) as url:
            page = ChatPage(driver, url).open("bob")
            page.send("LHR CDG return")
            page.wait_for_text("🌍 Flight LHR–CDG return, economy")
            page.press("✅ Offset now")
            page.wait_for_text("To offset")
            page.press("2. Hamburg Landfill Gas Capture", starts_with=True)
            page.press("🌱 In my name (Bob)")
            page.wait_for_text("Reason: Flight LHR–CDG return, economy")
            page.press("Pay ", starts_with=True)
            page.pay()
            page.wait_for_photo()
            if driver.find_element(By.ID, "keyboard").is_displayed():  # more chat, less menu
                driver.find_element(By.ID, "keyboard-toggle").click()
            # Tall enough that the breakdown's total shows above the certificate.
            driver.execute_script("const m = document.getElementById('messages'); m.scrollTop = m.scrollHeight")
            driver.execute_script("document.getElementById('toast').hidden = true")
            driver.save_screenshot(out)
    finally:
        driver.quit()
    print(f"wrote {out}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
