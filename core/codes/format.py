"""What a product code looks like, how a typed one is read, and how codes are made.

A code is "K", 13 random-looking characters of Crockford's base 32 (65 bits) and a
Luhn mod 32 check character (core.ids): 15 characters, printed in three groups of
five (`KABCD-EFGHJ-KMNPX`). No serial ("CCCP-...") or retirement id ("R...") starts
with K, and the whole code fits a deep-link payload.

Codes are derived, not drawn: code i of batch B is HMAC-SHA256(secret, "code:B:i")
cut to 65 bits, so the labels of a batch can be printed again from the secret. The
database stores only HMAC-SHA256(secret, "hash:" + code): without the secret a copy
of it reveals no code.
"""

from __future__ import annotations

import hashlib
import hmac

from core.codes.errors import CodeMistyped, NotACode
from core.ids import ALPHABET, check_character, is_id, normalize

PREFIX = "K"
BODY_LENGTH = 13  # 65 bits
LENGTH = len(PREFIX) + BODY_LENGTH + 1
MIN_SECRET_BYTES = 32


def looks_like_code(text: str) -> bool:
    """True when `text` has a code's shape (check character right or not): what a reader claims."""
    if not isinstance(text, str) or len(text) > 3 * LENGTH:
        return False
    candidate = normalize(text)
    return is_id(candidate, PREFIX, BODY_LENGTH + 1)


def is_probably_code(text: str) -> bool:
    """What a free-text reader should take for a code: its shape, and a digit, a dash or a right check.

    A 15-letter word starting with K and without U ("Kartoffelsalate") has a code's shape;
    it is taken for one only when its check character happens to be right (1 in 32). A real
    code always passes; a mistyped one passes when it has a digit (all but 0.5 % do) or dashes.
    """
    if not looks_like_code(text):
        return False
    return any(c.isdigit() for c in text) or "-" in text or is_id(normalize(text), PREFIX, BODY_LENGTH, check=True)


def parse(text: str) -> str:
    """The code a person typed (any case, spaces, dashes, O for 0, I/L for 1), or a typed error."""
    if not looks_like_code(text):
        raise NotACode()
    candidate = normalize(text)
    if not is_id(candidate, PREFIX, BODY_LENGTH, check=True):
        raise CodeMistyped()
    return candidate


def printed(code: str) -> str:
    """KABCD-EFGHJ-KMNPX: three groups of five, read aloud and typed without losing one's place."""
    return "-".join(code[i:i + 5] for i in range(0, len(code), 5))


def derive(secret: bytes, batch_public_id: str, index: int) -> str:
    """Code `index` of the batch, from the secret alone (a lost label sheet can be printed again)."""
    digest = hmac.new(secret, f"code:{batch_public_id}:{index}".encode(), hashlib.sha256).digest()
    value = int.from_bytes(digest[:9], "big") >> (72 - 5 * BODY_LENGTH)
    body = "".join(ALPHABET[(value >> (5 * (BODY_LENGTH - 1 - i))) & 31] for i in range(BODY_LENGTH))
    return PREFIX + body + check_character(PREFIX + body)


def code_hash(secret: bytes, code: str) -> str:
    """What the database stores for a code."""
    return hmac.new(secret, f"hash:{code}".encode(), hashlib.sha256).hexdigest()
