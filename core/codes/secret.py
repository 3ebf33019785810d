"""The codes secret: the key of every code's hash and of its derivation.

From CODES_SECRET (at least 32 characters) or, when that is empty, generated once
into the data directory (mode 0600) and reused, like the certificate signing key.
Losing it makes every unclaimed code unclaimable: back it up with the database.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from core.codes.format import MIN_SECRET_BYTES


def load_or_create_secret(value: str, path: Path) -> bytes:
    if value:
        if len(value) < MIN_SECRET_BYTES:
            raise ValueError(f"CODES_SECRET must be at least {MIN_SECRET_BYTES} characters")
        return value.encode()
    if path.exists():
        return path.read_text().strip().encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it a moment ago
        return path.read_text().strip().encode()
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")
    return text.encode()


def codes_secret(settings) -> bytes:
    """This deployment's codes secret (CODES_SECRET, else data/codes_secret)."""
    return load_or_create_secret(settings.codes_secret, settings.data_dir / "codes_secret")
