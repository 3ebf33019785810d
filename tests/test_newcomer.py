"""The newcomer path: with no bot token, `cccp sandbox` serves the chat page and stops cleanly."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def lines_of(process: subprocess.Popen) -> queue.Queue:
    """The process's output, line by line, as it comes (None at the end)."""
    lines: queue.Queue = queue.Queue()

    def read() -> None:
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return lines


def test_the_sandbox_starts_without_a_token_serves_the_page_and_stops_on_sigterm(tmp_path: Path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_TOKEN", "DATABASE_URL", "SANDBOX_"))}
    env.update(BOT_TOKEN="", DATA_DIR=str(tmp_path / "data"), SANDBOX_DATABASE_URL=f"sqlite://{tmp_path}/sandbox.sqlite3")
    process = subprocess.Popen(
        [sys.executable, "-m", "cccp", "sandbox", "--port", str(port)],
        cwd=tmp_path,  # no .env here: what a fresh clone without a token gets
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/sandbox"
    seen: list[str] = []
    try:
        lines = lines_of(process)
        # The sandbox prints its URL once everything listens.
        while not any(url in line for line in seen):
            line = lines.get(timeout=START_TIMEOUT_S)
            assert line is not None, "cccp sandbox exited early:\n" + "".join(seen)
            seen.append(line)
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200
            assert b"not connected to Telegram" in response.read()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=STOP_TIMEOUT_S)
        while (line := lines.get(timeout=STOP_TIMEOUT_S)) is not None:
            seen.append(line)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    output = "".join(seen)
    assert process.returncode == 0, output
    assert "Traceback" not in output, output
    # The start line names the database the sandbox really uses, and no other.
    assert f"database sqlite://{tmp_path}/sandbox.sqlite3" in output, output
    assert "cccp.sqlite3" not in output, output


def test_make_run_without_a_token_upgrades_no_other_database():
    """`make run` with no token starts the sandbox, which upgrades and names its own database;
    the bot's data/cccp.sqlite3 is not touched (nor announced)."""
    plan = subprocess.run(["make", "-n", "run", "BOT_TOKEN="], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1], check=True).stdout
    assert "cccp sandbox" in plan
    assert 'if [ "sandbox" = run ]' in plan  # the bot's `db upgrade` is skipped for the sandbox
