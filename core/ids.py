"""Public ids: one generator over an alphabet people can read aloud and type.

Crockford's base 32 (digits and capitals without I, L, O, U): no look-alikes,
no leading symbol, case-insensitive when read back (`normalize` maps o→0, i/l→1).
Each kind of id has its own one-letter prefix, so an id says what it names and
no two kinds can collide; an id may end with a check character (Luhn mod 32),
so a mistyped letter is caught before anything is looked up.

    new_id("R", 10)              -> "R7K3M9Q2XA4"     (a retirement)
    new_id("C", 12, check=True)  -> "C4QZ8M1T0E3K9" + check character ("X")
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def normalize(text: str) -> str:
    """What a person typed, as the id it means: upper case, no spaces or dashes, look-alikes mapped."""
    return "".join(text.split()).replace("-", "").upper().translate(_READ_AS)


def check_character(body: str) -> str:
    """The Luhn mod 32 check character of `body` (every character in ALPHABET)."""
    factor, total = 2, 0
    for char in reversed(body):
        addend = factor * _VALUE[char]
        total += addend // 32 + addend % 32
        factor = 1 if factor == 2 else 2
    return ALPHABET[(32 - total % 32) % 32]


def new_id(prefix: str, length: int, *, check: bool = False) -> str:
    """A fresh random id: `prefix`, `length` random characters, and a check character if asked."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(length))
    return prefix + body + (check_character(prefix + body) if check else "")


def is_id(text: str, prefix: str, length: int, *, check: bool = False) -> bool:
    """True when `text` (already normalized) has the shape of such an id and, if asked, a right check."""
    size = len(prefix) + length + (1 if check else 0)
    if len(text) != size or not text.startswith(prefix) or any(c not in _VALUE for c in text[len(prefix):]):
        return False
    return not check or check_character(text[:-1]) == text[-1]
