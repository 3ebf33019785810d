"""Settings from the environment and `.env`, validated once at start.

Every variable DESIGN.md names is here with a default that works for a local
run. A bad value stops the process with one clear line per problem
(`ADMIN_IDS: expected comma-separated Telegram user ids, got 'abc'`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DATA_DIR = Path("data")
DEFAULT_DATABASE_URL = f"sqlite://{DATA_DIR / 'cccp.sqlite3'}"
TELEGRAM_API_URL = "https://api.telegram.org"
# A bearer token as RFC 6750 spells one, long enough not to be guessed.
BEARER_TOKEN = re.compile(r"[A-Za-z0-9._~+/-]{16,}=*")
# What @BotFather hands out: the bot's numeric id, a colon, then the secret part.
BOT_TOKEN_SHAPE = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
# What Telegram accepts as X-Telegram-Bot-Api-Secret-Token.
WEBHOOK_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,256}")


def _is_url(value: str, *, schemes: tuple[str, ...]) -> bool:
    """An absolute URL of one of `schemes` with a host and no spaces."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return False
    return parts.scheme in schemes and bool(parts.hostname) and not any(c.isspace() for c in value)


class SettingsError(Exception):
    """The configuration cannot be used; the message says which variable and why."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    bot_token: str = ""
    database_url: str = DEFAULT_DATABASE_URL
    telegram_api_url: str = TELEGRAM_API_URL
    public_base_url: str = "http://127.0.0.1:8080"
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=1, le=65535)
    webhook_url: str = ""
    webhook_secret: str = ""
    admin_ids: Annotated[tuple[int, ...], NoDecode] = ()
    support_chat_id: int | None = None
    payment_provider_token: str = ""
    card_currency: str = "EUR"
    hold_ttl_s: int = Field(default=900, ge=30, le=86_400)
    # How long a bot process that stops renewing its lease keeps it (a standby then takes over).
    inbox_lease_s: float = Field(default=15, ge=1, le=300)
    # The outbox sender: messages a second overall, and how long a crashed sender's message waits.
    outbox_rate_per_s: float = Field(default=25, gt=0, le=30)
    outbox_lease_s: float = Field(default=120, ge=1, le=3600)
    outbox_in_flight: int = Field(default=1, ge=1, le=16)
    cert_signing_key: str = ""
    # The key of every product code's hash (core/codes/secret.py); empty: generated into data/.
    codes_secret: str = ""
    # The bot's @username without the @: the product code page's "Claim in Telegram" link.
    bot_username: str = ""
    default_language: str = "en"
    metrics_token: str = ""
    data_dir: Path = DATA_DIR
    # The market (core/market/rules.py): fee in basis points paid by the seller, smallest
    # offer in kg, open offers per user, price band in percent around the last trade (0: none).
    market_fee_bps: int = Field(default=100, ge=0, le=5_000)
    market_min_kg: int = Field(default=10, ge=1, le=1_000_000)
    market_max_open_offers: int = Field(default=50, ge=1, le=10_000)
    market_price_band_percent: int = Field(default=50, ge=0, le=1_000)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            try:
                ids = tuple(int(p) for p in parts)
            except ValueError:
                raise ValueError(
                    f"expected comma-separated Telegram user ids, got {value!r}"
                ) from None
            value = ids
        if isinstance(value, (tuple, list)) and any(not isinstance(i, int) or i <= 0 for i in value):
            # A user id is positive; a negative number is a group (SUPPORT_CHAT_ID's kind).
            raise ValueError(f"expected positive Telegram user ids, got {value!r}")
        return value

    @field_validator("bot_token")
    @classmethod
    def _bot_token(cls, value: str) -> str:
        value = value.strip()
        if value and not BOT_TOKEN_SHAPE.fullmatch(value):
            raise ValueError(
                "expected the token @BotFather gave you: digits, a colon, then letters, digits, _ or - "
                f"(like 123456:ABC-def_1); the value given ({len(value)} characters) is not shown"
            )
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: str) -> str:
        if value and not WEBHOOK_SECRET_SHAPE.fullmatch(value):
            raise ValueError(
                "expected 1 to 256 letters, digits, _ or - (what Telegram accepts); "
                f"the value given ({len(value)} characters) is not shown"
            )
        return value

    @field_validator("cert_signing_key")
    @classmethod
    def _signing_key(cls, value: str) -> str:
        from core.certs.signing import SigningKeyError, parse_seed

        value = value.strip()
        if value:
            try:
                parse_seed(value)
            except SigningKeyError as error:
                raise ValueError(
                    f"{error}; expected 32 bytes as 64 hex digits or base64 (make one with "
                    "`python -c \"import base64, os; print(base64.b64encode(os.urandom(32)).decode())\"`)"
                ) from None
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str) -> str:
        # Telegram itself posts only to https://; the local stand-in takes http:// as well.
        if value and not _is_url(value, schemes=("http", "https")):
            raise ValueError(f"expected an https:// URL Telegram can reach, got {value!r}")
        return value

    @field_validator("support_chat_id", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("support_chat_id")
    @classmethod
    def _group_id(cls, value: int | None) -> int | None:
        if value is not None and value >= 0:
            raise ValueError(f"expected a group's id, which is negative (e.g. -1001234567890), got {value}")
        return value

    @field_validator("card_currency")
    @classmethod
    def _currency_code(cls, value: str) -> str:
        from core.purchases.card_limits import card_currencies

        code = value.strip().upper()
        if code not in card_currencies():
            raise ValueError(
                f"expected a currency Telegram takes card payments in (ISO 4217, like EUR or USD) that the "
                f"card-limit table knows ({', '.join(sorted(card_currencies()))}), got {value!r}"
            )
        return code

    @field_validator("default_language")
    @classmethod
    def _language(cls, value: str) -> str:
        from core.i18n import LANGUAGES

        if value not in LANGUAGES:
            raise ValueError(f"expected one of {', '.join(LANGUAGES)}, got {value!r}")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgres://", "postgresql://", "asyncpg://")):
            raise ValueError(f"expected sqlite://PATH or postgres://..., got {value!r}")
        return value

    @field_validator("telegram_api_url", "public_base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not _is_url(value, schemes=("http", "https")):
            raise ValueError(f"expected an http(s):// URL with a host, got {value!r}")
        return value.rstrip("/")

    @field_validator("codes_secret")
    @classmethod
    def _codes_secret(cls, value: str) -> str:
        # A secret: say what is wrong with it, never echo it into a log.
        if value and len(value) < 32:
            raise ValueError(f"expected at least 32 characters (e.g. openssl rand -hex 32), got {len(value)}")
        return value

    @field_validator("metrics_token")
    @classmethod
    def _metrics_token(cls, value: str) -> str:
        # A secret: say what is wrong with it, never echo it into a log.
        if value and not BEARER_TOKEN.fullmatch(value):
            raise ValueError(
                "expected at least 16 characters of letters, digits and -._~+/ (e.g. the "
                f"output of openssl rand -hex 32); the value given ({len(value)} characters) is not shown"
            )
        return value

    @property
    def is_sandbox(self) -> bool:
        """No token: the local Bot API stand-in plays Telegram."""
        return not self.bot_token


def load_settings(**overrides: object) -> Settings:
    """Read the environment (and `.env`); raise SettingsError naming each bad variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = str(err["loc"][0]).upper() if err["loc"] else "settings"
            message = err["msg"].removeprefix("Value error, ")
            lines.append(f"{name}: {message}")
        raise SettingsError("invalid configuration:\n  " + "\n  ".join(lines)) from None
