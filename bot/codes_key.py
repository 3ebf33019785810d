"""The codes secret as the bot's handlers read it: loaded once per application, kept in
`bot_data` (core/codes/secret.py says where it comes from)."""

from __future__ import annotations

from typing import Any

from core.codes.secret import codes_secret

SECRET_KEY = "codes_secret"


def codes_secret_of(holder: Any) -> bytes:
    """The codes secret of the application `holder` (a context or the application) runs."""
    secret = holder.bot_data.get(SECRET_KEY)
    if secret is None:
        secret = holder.bot_data[SECRET_KEY] = codes_secret(holder.bot_data["settings"])
    return secret
