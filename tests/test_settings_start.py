"""A bad setting stops `cccp run` before anything starts, with one line naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from core.settings import SettingsError, load_settings

GOOD_TOKEN = "123456:SETTINGS-test_1"


def run_cccp(tmp_path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "CERT_SIGNING_KEY", "DATABASE_URL"}}
    clean |= {"BOT_TOKEN": GOOD_TOKEN, "DATABASE_URL": f"sqlite://{tmp_path / 'db.sqlite3'}", **env}
    return subprocess.run([sys.executable, "-m", "cccp", "run"], cwd=tmp_path, env=clean,
                          capture_output=True, text=True, timeout=60)


def test_a_signing_key_that_is_not_32_bytes_refuses_the_start(tmp_path):
    short_key = "00" * 16  # 16 bytes in hex
    result = run_cccp(tmp_path, CERT_SIGNING_KEY=short_key, PYTHONPATH=os.getcwd())
    assert result.returncode == 2
    assert "CERT_SIGNING_KEY: signing key must be 32 bytes, got 16" in result.stderr
    assert short_key not in result.stderr  # a secret is never echoed


def test_a_token_of_the_wrong_shape_refuses_the_start(tmp_path):
    result = run_cccp(tmp_path, BOT_TOKEN="not a token", PYTHONPATH=os.getcwd())
    assert result.returncode == 2
    assert "BOT_TOKEN: expected the token @BotFather gave you" in result.stderr
    assert "not a token" not in result.stderr


@pytest.mark.parametrize(("name", "value", "says"), [
    ("cert_signing_key", "not base64 !!", "neither 64 hex digits nor base64"),
    ("public_base_url", "http://", "expected an http(s):// URL with a host"),
    ("public_base_url", "cccp.example", "expected an http(s):// URL with a host"),
    ("telegram_api_url", "http://host:port", "expected an http(s):// URL with a host"),
    ("webhook_url", "ftp://x.example/hook", "expected an https:// URL"),
    ("webhook_secret", "has spaces in it", "1 to 256 letters"),
    ("card_currency", "EURO", "expected a currency Telegram takes card payments in"),
    ("card_currency", "XXX", "expected a currency Telegram takes card payments in"),
    ("admin_ids", "12,abc", "expected comma-separated Telegram user ids"),
    ("bot_token", "123456:", "expected the token @BotFather gave you"),
    ("bot_token", ":ABC", "expected the token @BotFather gave you"),
])
def test_every_setting_is_checked_and_named(name, value, says):
    with pytest.raises(SettingsError) as raised:
        load_settings(**{name: value})
    line = str(raised.value).splitlines()[1].strip()
    assert line.startswith(f"{name.upper()}: ") and says in line


def test_good_values_pass():
    settings = load_settings(bot_token=GOOD_TOKEN, cert_signing_key="ab" * 32, card_currency="usd",
                             webhook_url="https://bot.example/telegram/webhook", webhook_secret="s3cret_-x")
    assert settings.card_currency == "USD"
