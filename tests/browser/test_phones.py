"""Every page at a phone's 390 px and a desktop's 1280 px: axe-core finds no critical or serious
violation, nothing is wider than the screen or scrolls sideways, every table on a phone is a
stack of labelled cards, and the sandbox shows the person's own messages.

axe-core comes from the npm registry (`make browser-deps` puts it in .browser-deps/); the
screenshots land in the test's tmp folder (look at them when you change a page)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from .chat import ChatPage

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / ".browser-deps" / "node_modules" / "axe-core" / "axe.min.js"
PHONE, DESKTOP = (390, 844), (1280, 900)
BAD = {"critical", "serious"}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (make browser-deps installs it from npm)")
    return AXE.read_text()


def size(driver, width_height) -> None:
    width, height = width_height
    driver.set_window_size(width, height)
    inner = driver.execute_script("return window.innerWidth")
    driver.set_window_size(width + (width - inner), height)  # the viewport, not the window, is 390


def violations(driver, axe_source: str) -> list[dict]:
    driver.execute_script(axe_source)
    driver.set_script_timeout(60)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},"
        " resultTypes: ['violations']}).then(r => done(JSON.stringify(r.violations)), e => done(String(e)));"
    )
    found = json.loads(result)
    return [v for v in found if v["impact"] in BAD]


def describe(found: list[dict]) -> str:
    return "; ".join(f"{v['id']} ({v['impact']}): " + ", ".join(n["target"][0] for n in v["nodes"][:4])
                     for v in found)


def wider_than_the_screen(driver) -> list[str]:
    """Elements that stick out of the viewport (a table cut off, a line that does not wrap)."""
    return driver.execute_script("""
        const limit = document.documentElement.clientWidth + 1;
        const out = [];
        for (const e of document.querySelectorAll('body *')) {
          const r = e.getBoundingClientRect();
          if (r.width && r.right > limit && getComputedStyle(e).position !== 'fixed') {
            let clipped = false;  // inside a scroll box that shows it can scroll
            for (let p = e.parentElement; p; p = p.parentElement) {
              const o = getComputedStyle(p).overflowX;
              if (o === 'auto' || o === 'scroll' || o === 'hidden') { clipped = true; break; }
            }
            if (!clipped) out.push(e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
          }
        }
        return out.slice(0, 5);""")


def public_pages(driver, base: str) -> dict[str, str]:
    """The pages to check, found as a visitor finds them: the registry links to a project,
    the project to a certificate."""
    driver.get(base + "/registry")
    projects = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "a[href^='/registry/projects/']")]
    project = projects[0]
    driver.get(project)
    serial = driver.find_element(By.CSS_SELECTOR, "a[href*='/registry?q=CCCP-']").get_attribute("href")
    certificate = retirement = None
    for candidate in projects:
        driver.get(candidate)
        retirements = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "a[href*='/registry?q=R']")]
        retirement = retirement or (retirements[0] if retirements else None)
        for page in [candidate, *retirements]:
            driver.get(page)
            if links := driver.find_elements(By.CSS_SELECTOR, "a[href*='/c/']"):
                certificate = links[0].get_attribute("href").split("?")[0]
                break
        if certificate:
            break
    pages = {"landing": base + "/", "registry": base + "/registry", "project": project, "lookup": serial,
             "not found": base + "/registry/no-such-page", "certificate not found": base + "/c/NOPE"}
    if retirement:
        pages["retirement lookup"] = retirement
    if certificate:
        pages["certificate"] = certificate
    return pages


def scrolls_sideways(driver) -> list[str]:
    """The page, or a box in it, that scrolls sideways, and any box whose content sticks out."""
    return driver.execute_script("""
        const out = [];
        const page = document.scrollingElement;
        if (page.scrollWidth > window.innerWidth) out.push(`the page: ${page.scrollWidth} px in ${window.innerWidth}`);
        for (const e of document.querySelectorAll('body *')) {
          if (!e.clientWidth || e.scrollWidth <= e.clientWidth + 1) continue;
          const name = e.tagName.toLowerCase() + (e.className ? '.' + e.className : '');
          const overflow = getComputedStyle(e).overflowX;
          if (overflow === 'auto' || overflow === 'scroll') out.push(`${name} scrolls: ${e.scrollWidth} px in ${e.clientWidth}`);
          else if (overflow === 'visible') out.push(`${name} sticks out: ${e.scrollWidth} px in ${e.clientWidth}`);
        }
        return out.slice(0, 8);""")


def unlabelled_cells(driver) -> tuple[int, list[str]]:
    """How many data cells the page's tables have, and those a person on a phone cannot read
    as "header: value": no label, a label other than the column's header, or a label not drawn."""
    return driver.execute_script("""
        let cells = 0;
        const bad = [];
        for (const table of document.querySelectorAll('main table')) {
          const heads = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
          for (const row of table.querySelectorAll('tbody tr')) {
            [...row.children].forEach((cell, i) => {
              if (cell.colSpan > 1) return;  // "nothing here yet"
              cells++;
              const label = getComputedStyle(cell, '::before');
              const box = cell.getBoundingClientRect(), value = (cell.querySelector('.v') || cell).getBoundingClientRect();
              const drawn = label.display !== 'none' && label.visibility === 'visible'
                && !['none', 'normal'].includes(label.content) && parseFloat(label.fontSize) >= 10
                && label.color !== 'rgba(0, 0, 0, 0)'
                // the label takes room in the cell: beside the value, or above it
                && (value.left - box.left > 30 || value.top - box.top > 8)
                && box.left >= 0 && box.right <= window.innerWidth;
              if (cell.dataset.label !== heads[i] || !drawn)
                bad.push(`${heads[i]}: label "${cell.dataset.label}", drawn ${drawn}`);
            });
          }
        }
        return [cells, bad.slice(0, 8)];""")


def full_page_shot(driver, path: Path) -> None:
    """The whole page, not only the screen's height (Chromium's own capture beyond the viewport)."""
    import base64

    width, height = driver.execute_script("return [window.innerWidth, document.scrollingElement.scrollHeight]")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))


@pytest.mark.parametrize("screen", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_page_passes_axe_and_fits_the_screen(chrome, sandbox_url, axe_source, screen, tmp_path):
    """On a phone, also: no page and no box in it scrolls sideways, and every table is a stack
    of cards whose every cell shows its column's header (the registry, a project, the
    look-ups, a certificate). On a desktop the tables keep their header row."""
    pages = public_pages(chrome, sandbox_url)
    assert {"certificate", "retirement lookup"} <= set(pages), "the demo data has a retirement with a certificate"
    pages["sandbox"] = sandbox_url + "/sandbox?as=alice"
    size(chrome, screen)
    problems, cells = [], {}
    for name, url in pages.items():
        chrome.get(url)
        if name == "sandbox":
            ChatPage(chrome, sandbox_url).wait_until(lambda d: d.find_elements(By.CSS_SELECTOR, ".person"))
        time.sleep(0.2)  # layout settles after web fonts and images (no assertion on time)
        full_page_shot(chrome, tmp_path / f"{name.replace(' ', '-')}-{screen[0]}.png")
        if found := violations(chrome, axe_source):
            problems.append(f"{name}: {describe(found)}")
        if screen == PHONE:
            if wide := wider_than_the_screen(chrome):
                problems.append(f"{name}: wider than 390 px: {', '.join(wide)}")
            if name != "sandbox":  # the chat scrolls its own way; its bubbles are checked above
                problems += [f"{name}: {p}" for p in scrolls_sideways(chrome)]
                cells[name], bad = unlabelled_cells(chrome)
                problems += [f"{name}: {b}" for b in bad]
        elif name == "project":
            header = chrome.find_element(By.CSS_SELECTOR, "main table thead th")
            assert header.is_displayed() and header.size["height"] > 10, "a desktop table has its header row"
        assert len(chrome.find_elements(By.TAG_NAME, "h1")) == 1, f"{name} has one <h1>"
        assert chrome.find_elements(By.CSS_SELECTOR, "main, [role=main]"), f"{name} has a main landmark"
    assert not problems, "\n".join(problems)
    if screen == PHONE:  # the projects, the batches and retirements, the retired serials were cards
        assert all(cells[name] >= 4 for name in ("registry", "project", "retirement lookup")), cells


def test_on_a_phone_the_sandbox_shows_the_persons_own_messages(chrome, sandbox_url):
    size(chrome, PHONE)
    page = ChatPage(chrome, sandbox_url).open("alice")
    page.send("/help")
    page.wait_until(lambda d: d.find_elements(By.CSS_SELECTOR, ".row.me .bubble"))
    bubble = chrome.find_elements(By.CSS_SELECTOR, ".row.me .bubble")[-1]
    assert bubble.is_displayed() and "/help" in bubble.text
    assert bubble.size["width"] > 20


def test_every_sandbox_control_is_reachable_by_keyboard(chrome, sandbox_url):
    size(chrome, DESKTOP)
    ChatPage(chrome, sandbox_url).open("alice")
    reached = set()
    body = chrome.find_element(By.TAG_NAME, "body")
    body.click()
    for _ in range(60):
        chrome.switch_to.active_element.send_keys("\ue004")  # Tab
        element = chrome.switch_to.active_element
        reached.add(element.get_attribute("id") or element.get_attribute("class"))
    for control in ("photo-button", "document-button", "sticker-button", "text", "send", "menu-button"):
        assert control in reached, f"{control} is not reachable with Tab"
