"""`core.setup()` wires the areas together; without it carbon does not move.

Nothing installs a hook or a check at import: a process that imports every
area but never calls `core.setup()` is refused carbon (HookMissing), instead of
moving it with no serial blocks behind it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from tortoise.backends.base import executor

import core
from core import ledger, registry
from core.ledger import CARBON, Leg
from core.ledger.errors import HookMissing
from core.ledger.models import Posting, Transfer
from core.registry.blocks import follow_movement
from core.registry.checks import check_serials
from core.registry.models import SerialBlock
from tests.registry.conftest import NOW, PRODUCER, make_project, wallet

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def never_set_up(monkeypatch) -> None:
    """A process that never called core.setup(): no hooks, no checks of other areas."""
    executor.EXECUTOR_CACHE.clear()  # cached per connection name, not per engine (tests/conftest.py)
    monkeypatch.setattr(sys.modules["core.ledger.hooks"], "_hooks", {})
    monkeypatch.setattr(sys.modules["core.ledger.verify"], "_checks", [])
    monkeypatch.setattr(sys.modules["core.registry.reductions"], "_sources", [])


async def test_moving_carbon_before_core_setup_raises_and_writes_nothing(db_url, never_set_up):
    from tortoise.context import TortoiseContext

    from core import db as database

    async with TortoiseContext() as ctx:  # opened by hand: core.db's open functions set up
        await ctx.init(config=database.tortoise_config(db_url))
        issuance = await ledger.system_account(ledger.Role.ISSUANCE, CARBON)
        alice = await ledger.user_account(1, CARBON)
        with pytest.raises(HookMissing) as refused:
            await ledger.post("issue", "issuance", [Leg(issuance.id, alice.id, 5, batch_id=1)])
        assert refused.value.params["asset"] == CARBON
        assert (await Posting.all().count(), await Transfer.all().count()) == (0, 0)
        euros = await ledger.user_account(1, "EUR")
        clearing = await ledger.system_account(ledger.Role.CLEARING, "EUR")
        await ledger.post("pay", "payment", [Leg(clearing.id, euros.id, 5)])  # money needs no hook


async def test_after_core_setup_carbon_moves_its_serial_blocks(db_url, never_set_up):
    from core import db as database

    await database.open_db(db_url)  # runs core.setup()
    try:
        project = await make_project()
        await registry.issue_batch(project.id, 2024, 1000, key="b1", now=NOW)
        producer, buyer = await wallet(PRODUCER), await wallet(2)
        await ledger.post("t1", "transfer", [Leg(producer.id, buyer.id, 100)])
        blocks = await SerialBlock.filter(account_id=buyer.id).values_list("serial_first", "serial_last")
        assert blocks == [(1, 100)]
        assert (await ledger.verify()).is_clean
    finally:
        await database.close_db()


def test_core_setup_twice_installs_each_hook_and_check_once(never_set_up):
    from core.ledger import hooks
    from core.purchases.checks import check_payments
    from core.purchases.reductions import reductions_of_retirement
    from core.reforestation.checks import check_forest
    from core.registry import reductions

    core.setup()
    core.setup()
    assert hooks._hooks == {CARBON: [follow_movement]}
    assert sys.modules["core.ledger.verify"]._checks == [check_serials, check_payments, check_forest]
    assert reductions._sources == [reductions_of_retirement]


def test_importing_every_area_installs_nothing():
    # A fresh interpreter: what the imports alone leave behind.
    script = textwrap.dedent(
        """
        import sys
        import bot.app, web.app, cccp.__main__, core.checks, core.purchases.service, core.registry
        hooks = sys.modules["core.ledger.hooks"]._hooks
        checks = sys.modules["core.ledger.verify"]._checks
        sources = sys.modules["core.registry.reductions"]._sources
        print(any(hooks.values()), len(checks), len(sources))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "0", "0"]
