"""Take the public pages' pictures in docs/: a look-up and a certificate on a desktop, and on a 390 px phone
the registry, a project, a retirement's look-up and a certificate; the landing page in
English, German and French. The real sandbox with its demo data, in headless Chromium; each
picture is the whole page. Run from the repository root:

    .venv/bin/python scripts/page_screenshots.py [out_dir]
"""

from __future__ import annotations

import base64
import sys
import tempfile
from pathlib import Path

# This checkout's code first, then the browser tests' helpers (they start the sandbox); tests/
# goes last, as its web/ and core/ folders would hide the packages of the same names.
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]
sys.path.append(str(ROOT / "tests"))

from browser.conftest import CHROME_FLAGS, CHROMEDRIVER, ServerThread, real_sandbox  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

PHONE, DESKTOP = 390, 1000


def shoot(driver, url: str, width: int, out: Path, max_height: int = 20_000) -> None:
    """The page at `url`, `width` CSS px wide, from the top down to its end (or `max_height`)."""
    driver.set_window_size(width, 900)
    inner = driver.execute_script("return window.innerWidth")
    driver.set_window_size(width + (width - inner), 900)
    driver.get(url)
    driver.execute_script("return document.fonts.ready")
    height = min(max_height, driver.execute_script("return document.scrollingElement.scrollHeight"))
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
    out.write_bytes(base64.b64decode(shot["data"]))
    print(f"wrote {out} ({width}×{height})")


def main(out_dir: str = "docs") -> None:
    out = Path(out_dir)
    (out / "screenshots").mkdir(parents=True, exist_ok=True)
    options = webdriver.ChromeOptions()
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    data_dir = Path(tempfile.mkdtemp())
    try:
        with ServerThread(lambda: real_sandbox(data_dir)) as url:
            driver.get(url + "/registry")
            project = driver.find_element(By.CSS_SELECTOR, "a[href^='/registry/projects/']").get_attribute("href")
            driver.get(project)
            retirement = driver.find_element(By.CSS_SELECTOR, "a[href*='/registry?q=R']").get_attribute("href")
            driver.get(retirement)
            certificate = driver.find_element(By.CSS_SELECTOR, "a[href*='/c/']").get_attribute("href")
            shoot(driver, retirement, DESKTOP, out / "registry-page.png")
            shoot(driver, certificate, DESKTOP, out / "verify-page.png", max_height=1500)
            for name, page in (("registry", url + "/registry"), ("project", project),
                               ("retirement", retirement), ("certificate", certificate)):
                shoot(driver, page, PHONE, out / "screenshots" / f"phone_{name}.png")
            for lang in ("en", "de", "fr"):
                shoot(driver, f"{url}/?lang={lang}", PHONE, out / "screenshots" / f"landing_{lang}.png")
    finally:
        driver.quit()


if __name__ == "__main__":
    main(*sys.argv[1:2])
