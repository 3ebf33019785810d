"""Serial numbers as people see them: ``CCCP-<project>-<vintage>-<first>-<last>``.

One serial per kg CO2e, numbered globally (a batch's range is unique across
all projects). A single kg is written ``CCCP-P7-2024-1000``; a range
``CCCP-P7-2024-1000-1999``. Project codes hold no hyphen, so the text splits
unambiguously.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.registry.errors import BadSerial

PREFIX = "CCCP"
MAX_SERIAL = 2**63 - 1  # serials are BIGINT columns; a larger number is no serial
_SERIAL = re.compile(r"^CCCP-([A-Z0-9]{1,12})-(\d{4})-(\d{1,19})(?:-(\d{1,19}))?$")


@dataclass(frozen=True)
class SerialText:
    project_code: str
    vintage: int
    first: int
    last: int


def format_serial(project_code: str, vintage: int, first: int, last: int) -> str:
    return f"{PREFIX}-{project_code}-{vintage}-{first}-{last}"


def parse_serial(text: str) -> SerialText:
    """Read a serial number or range; BadSerial for anything else."""
    match = _SERIAL.match(str(text).strip().upper())
    if not match:
        raise BadSerial(text=str(text)[:80])
    code, vintage, first, last = match.groups()
    first_n = int(first)
    last_n = int(last) if last is not None else first_n
    if first_n < 1 or last_n < first_n or last_n > MAX_SERIAL:
        raise BadSerial(text=str(text)[:80])
    return SerialText(code, int(vintage), first_n, last_n)


def looks_like_serial(text: str) -> bool:
    return str(text).strip().upper().startswith(PREFIX + "-")
