"""Headless Chromium through Selenium, with Debian's chromium and chromedriver.

Nothing is downloaded: the driver path is given, so selenium-manager never runs.
Servers the browser talks to run in a thread with their own event loop, because
Selenium's calls block.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROME_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1200,900",
)

@pytest.fixture(scope="session")
def chrome():
    if not (os.path.exists(CHROMEDRIVER) and os.path.exists(CHROMIUM)):
        pytest.skip("chromium and chromium-driver are not installed (make browser-deps)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    # Keep the console (CSP violations are reported there) for driver.get_log("browser").
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


class ServerThread:
    """Runs an async context manager (a server) in its own thread and event loop."""

    def __init__(self, factory: Callable[[], AbstractAsyncContextManager[Any]]) -> None:
        self._factory = factory
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self.value: Any = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Any:
        self._thread.start()
        if not self._ready.wait(60):
            raise TimeoutError("the server did not start within 60 s")
        if self._error is not None:
            raise self._error
        return self.value

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    def call(self, coroutine) -> Any:
        """Run a coroutine on the server's loop and wait for its result."""
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(30)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            async with self._factory() as value:
                self.value = value
                self._ready.set()
                await self._stop.wait()
        except BaseException as exc:  # reported to the test thread
            self._error = exc
            self._ready.set()


@pytest.fixture
def server_thread() -> Iterator[type[ServerThread]]:
    yield ServerThread


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory, sqlite_template) -> Path:
    """A sandbox database, migrated and seeded once; each test starts from a copy."""
    from cccp.seed_demo import seed_demo
    from core import db

    path = tmp_path_factory.mktemp("seeded") / "sandbox.sqlite3"
    shutil.copy(sqlite_template, path)  # migrated once for the whole suite

    async def build() -> None:
        url = f"sqlite://{path}"
        await db.upgrade(url)
        await db.open_db(url)
        try:
            from core.certs.signing import load_or_create_key

            # The demo retirement's certificate too, signed with the key the sandbox then uses.
            await seed_demo(signing_key=load_or_create_key(None, path.parent / "cert_signing_key"),
                            public_base_url="http://127.0.0.1")
        finally:
            await db.close_db()

    asyncio.run(build())
    return path


@asynccontextmanager
async def real_sandbox(data_dir: Path) -> AsyncIterator[str]:
    """`cccp sandbox` in this thread's loop (the real bot, seeded demo data); yields its URL."""
    from cccp.sandbox import _free_port, sandbox_settings, serve_sandbox
    from core.settings import load_settings

    port = _free_port("127.0.0.1")
    settings = sandbox_settings(
        load_settings(data_dir=data_dir),
        host="127.0.0.1",
        port=port,
        database_url=f"sqlite://{data_dir / 'sandbox.sqlite3'}",
    )
    stop, started = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve_sandbox(settings, stop=stop, started=started))
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiter.cancel()
        task.result()  # raises what stopped it
        raise RuntimeError("the sandbox stopped before it started")
    try:
        yield settings.telegram_api_url
    finally:
        stop.set()
        await task


@pytest.fixture
def sandbox_url(tmp_path: Path, seeded_database: Path) -> Iterator[str]:
    shutil.copy(seeded_database, tmp_path / "sandbox.sqlite3")
    shutil.copy(seeded_database.parent / "cert_signing_key", tmp_path / "cert_signing_key")
    with ServerThread(lambda: real_sandbox(tmp_path)) as url:
        yield url
