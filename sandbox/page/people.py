"""The people you can be in the sandbox: fixed Telegram ids, so the sandbox's database
knows them again after a restart; Support's id goes into ADMIN_IDS."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    slug: str  # in the page's URL: /sandbox?as=bob
    first_name: str
    user_id: int
    language_code: str = "en"
    is_staff: bool = False
    role: str = ""  # one line under the name in the switcher

    def to_json(self) -> dict[str, object]:
        return {
            "slug": self.slug,
            "name": self.first_name,
            "user_id": self.user_id,
            "language": self.language_code,
            "is_staff": self.is_staff,
            "role": self.role,
        }


ALICE = Person("alice", "Alice", 7_100_001, role="New here: try signing up")
BOB = Person("bob", "Bob", 7_100_002, role="Consumer and trader")
SUPPORT = Person("support", "Support", 7_100_003, is_staff=True, role="Staff (in ADMIN_IDS)")
PEOPLE: tuple[Person, ...] = (ALICE, BOB, SUPPORT)


def staff_ids(people: tuple[Person, ...] = PEOPLE) -> tuple[int, ...]:
    return tuple(p.user_id for p in people if p.is_staff)
