"""Random issuances, transfers, holds and retirements keep the serial invariants.

After every step `verify()` is clean (blocks = balances per account, held
blocks = held, each batch's serials in exactly one block, retirements match
their blocks), and every retired range is still there, unchanged. A posting
out of the retirement account is always refused.

Hypothesis drives a sync test; each example runs on its own event loop over
a fresh database (a copy of the migrated SQLite template, or the session's
PostgreSQL database emptied).
"""

from __future__ import annotations

import asyncio
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tortoise.backends.base import executor
from tortoise.context import TortoiseContext

import core
from core import db as database
from core import ledger, registry
from core.errors import DomainError
from core.ledger import CARBON, Leg, Role
from core.registry.errors import RetiredCreditsNeverMove
from core.registry.models import BlockStatus, SerialBlock
from tests.conftest import DB_KINDS, _truncate_postgres
from tests.helpers import sign_up_producer
from tests.registry.conftest import NOW

USERS = (1, 2, 3)
amounts = st.integers(min_value=1, max_value=3000)
issued = st.integers(min_value=1, max_value=20_000)
picks = st.integers(min_value=0, max_value=50)
holders = st.integers(min_value=0, max_value=len(USERS))  # the last one is project 1's buffer
steps = st.lists(
    st.one_of(
        st.tuples(st.just("issue"), st.integers(0, 1), issued),
        st.tuples(st.just("transfer"), holders, holders, amounts, st.none() | picks),
        st.tuples(st.just("hold"), holders, amounts, st.none() | picks),
        st.tuples(st.just("post_hold"), picks, holders, st.none() | amounts, st.booleans()),
        st.tuples(st.just("retire_hold"), picks),
        st.tuples(st.just("void"), picks),
        st.tuples(st.just("retire"), holders, amounts, st.none() | picks),
        st.tuples(st.just("steal"), holders, amounts),
    ),
    min_size=3,
    max_size=25,
)


class World:
    def __init__(self) -> None:
        self.projects: list[registry.ProjectView] = []
        self.batches: list[int] = []
        self.holds: list[int] = []
        self.accounts: list[int] = []
        self.n = 0

    def key(self, kind: str) -> str:
        self.n += 1
        return f"{kind}:{self.n}"

    def pick(self, items: list[int], index: int | None) -> int | None:
        return None if index is None or not items else items[index % len(items)]


async def _setup(world: World) -> None:
    for producer_id in (1, 2):
        await sign_up_producer(producer_id)
    world.projects = [
        await registry.create_project(
            name="Forest", methodology="VM0047", country="BR", producer_id=1, approve=True, now=NOW
        ),
        await registry.create_project(
            name="Landfill", methodology="ACM0001", country="DE", producer_id=2, approve=True, now=NOW
        ),
    ]
    world.accounts = [(await ledger.user_account(u, CARBON)).id for u in USERS]
    buffer = await ledger.open_account(ledger.project_owner(world.projects[0].id), Role.BUFFER, CARBON)
    world.accounts.append(buffer.id)
    for project in world.projects:  # stock to move from the first step on
        batch = await registry.issue_batch(project.id, 2023, 5000, key=world.key("issue"), now=NOW)
        world.batches.append(batch.id)


async def _step(world: World, step: tuple) -> None:
    kind, *args = step
    acc = world.accounts
    if kind == "issue":
        project, amount = args
        batch = await registry.issue_batch(
            world.projects[project].id, 2024, amount, key=world.key("issue"), now=NOW
        )
        world.batches.append(batch.id)
    elif kind == "transfer":
        src, dst, amount, batch = args
        if src != dst:
            leg = Leg(acc[src], acc[dst], amount, batch_id=world.pick(world.batches, batch))
            await ledger.post(world.key("t"), "transfer", [leg])
    elif kind == "hold":
        src, amount, batch = args
        held = await ledger.hold(
            world.key("h"), acc[src], amount, "offer", batch_id=world.pick(world.batches, batch)
        )
        world.holds.append(held.id)
    elif kind == "post_hold":
        index, dst, amount, release_rest = args
        hold_id = world.pick(world.holds, index)
        if hold_id is not None:
            await ledger.post_hold(
                world.key("p"), hold_id, acc[dst], amount=amount, release_rest=release_rest
            )
    elif kind == "retire_hold":
        hold_id = world.pick(world.holds, args[0])
        if hold_id is not None:
            await registry.retire_held(hold_id, "Someone", "", key=world.key("rh"), now=NOW)
    elif kind == "void":
        hold_id = world.pick(world.holds, args[0])
        if hold_id is not None:
            await ledger.void_hold(world.key("v"), hold_id)
    elif kind == "retire":
        src, amount, batch = args
        await registry.retire(
            acc[src], amount, "Someone", "why", key=world.key("r"),
            batch_id=world.pick(world.batches, batch), now=NOW,
        )
    elif kind == "steal":
        dst, amount = args
        retirement = await ledger.system_account(Role.RETIREMENT, CARBON)
        if retirement.balance >= amount:
            with pytest.raises(RetiredCreditsNeverMove):
                await ledger.post(world.key("s"), "transfer", [Leg(retirement.id, acc[dst], amount)])


async def _retired() -> set[tuple[int, int, int]]:
    return set(
        await SerialBlock.filter(status=BlockStatus.RETIRED).values_list(
            "serial_first", "serial_last", "retired_posting_id"
        )
    )


async def _run(url: str, kind: str, sequence: list[tuple]) -> None:
    executor.EXECUTOR_CACHE.clear()
    core.setup()  # the serial-block hook and checks, as core.db's open functions install them
    async with TortoiseContext() as ctx:
        await ctx.init(config=database.tortoise_config(url))
        if kind == "postgres":
            await _truncate_postgres()
        world = World()
        await _setup(world)
        retired: set = set()
        for step in sequence:
            try:
                await _step(world, step)
            except DomainError:
                pass  # refused (not enough, hold gone...): nothing may have changed
            report = await ledger.verify()
            assert report.is_clean, f"after {step}: {report.text()}"
            now_retired = await _retired()
            assert retired <= now_retired, f"after {step}: retired serials moved"
            retired = now_retired


@pytest.mark.parametrize("kind", DB_KINDS)
def test_random_movements_keep_serials_and_balances_in_step(kind, request, tmp_path):
    template = None if kind == "postgres" else request.getfixturevalue("sqlite_template")
    pg_url = request.getfixturevalue("postgres_url") if kind == "postgres" else None
    counter = iter(range(10**6))

    @settings(
        max_examples=60 if kind == "sqlite" else 25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(sequence=steps)
    def check(sequence):
        if kind == "postgres":
            url = pg_url
        else:
            path = tmp_path / f"example{next(counter)}.sqlite3"
            shutil.copy(template, path)
            url = f"sqlite://{path}"
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(_run(url, kind, sequence))
        finally:
            loop.close()

    check()
