"""A process that makes ledger postings until it is killed (tests/ledger/test_crash.py).

    python -m tests.ledger.crash_worker DATABASE_URL N

Posting i moves 3 cents from the EUR clearing account to Alice, 2 on to Bob
and 1 on to Carol in one posting of three legs (kind "transfer"); every fifth i
also holds 1 cent of Alice's and posts the hold to Carol (kind "post_hold", one
leg). Money, not carbon: carbon may only move with the registry's serials.
It prints i after posting i is committed, so the parent knows what must survive a SIGKILL. Keys
are fixed, so a second run replays what the first committed and goes on.
"""

from __future__ import annotations

import asyncio
import sys

from core import db, ledger
from core.ledger import Leg

LEGS_PER_POSTING = 3
EUR = "EUR"


async def main(url: str, n: int) -> None:
    await db.open_db(url)
    try:
        clearing = (await ledger.system_account(ledger.Role.CLEARING, EUR)).id
        alice, bob, carol = [(await ledger.user_account(u, EUR)).id for u in (1, 2, 3)]
        for i in range(n):
            await ledger.post(
                f"crash:{i}",
                "transfer",
                [Leg(clearing, alice, 3), Leg(alice, bob, 2), Leg(bob, carol, 1)],
            )
            if i % 5 == 0:
                held = await ledger.hold(f"crash:hold:{i}", alice, 1, "offer")
                await ledger.post_hold(f"crash:fill:{i}", held.id, carol, kind="post_hold")
            print(i, flush=True)
    finally:
        await db.close_db()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
