"""`verify`: recompute the ledger from its transfers and report any drift.

Checks: every account's balance equals credits minus debits of its transfers;
every hold's cached remaining and status are what its steps leave (amount
minus what its posts moved and its steps released), and its posts moved what
its transfers did; every held amount equals what its pending holds still
reserve, by their steps; no non-negative account has balance < held; no
account but the system's issuance, clearing and adjustments is negative or
flagged as allowed to be; each asset sums to zero over all accounts; the
database still has its guards (guards.py: a rebuilt SQLite table loses its
triggers). Other areas (the registry's serial blocks) add their checks with
`add_check`, installed by `core.setup()`; `cccp verify` runs them all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from core.ledger import guards
from core.ledger.accounts import may_go_negative
from core.ledger.models import CLOSED_BY, Account, Hold, HoldAction, HoldStatus, HoldStep, Transfer


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # facts a check states that are not counts

    @property
    def is_clean(self) -> bool:
        return not self.problems

    def text(self) -> str:
        lines = [f"{name}: {count}" for name, count in self.counts.items()] + self.notes
        if self.is_clean:
            lines.append("OK: no drift")
        else:
            lines.append(f"DRIFT: {len(self.problems)} problem(s)")
            lines.extend(f"  - {p}" for p in self.problems)
        return "\n".join(lines)


Check = Callable[[Report], Awaitable[None]]
_checks: list[Check] = []


def add_check(check: Check) -> None:
    if check not in _checks:
        _checks.append(check)


async def _check_holds(report: Report, moved_by_hold: dict[int, int]) -> dict[int, int]:
    """Each hold's cache against its steps; returns what pending holds reserve, per account."""
    taken: dict[int, int] = defaultdict(int)
    posted: dict[int, int] = defaultdict(int)
    last_action: dict[int, HoldAction] = {}
    for hold_id, action, moved, released in await HoldStep.all().order_by("id").values_list(
        "hold_id", "action", "posted", "released"
    ):
        taken[hold_id] += moved + released
        posted[hold_id] += moved
        last_action[hold_id] = HoldAction(action)
    held: dict[int, int] = defaultdict(int)
    for hold_id, account_id, amount, remaining, status in await Hold.all().order_by("id").values_list(
        "id", "account_id", "amount", "remaining", "status"
    ):
        left = amount - taken[hold_id]
        if left < 0:
            report.problems.append(f"hold {hold_id}: its steps take {taken[hold_id]} of {amount}")
        derived = HoldStatus.PENDING if left > 0 else CLOSED_BY.get(last_action.get(hold_id))
        if remaining != left or status != derived:
            report.problems.append(
                f"hold {hold_id}: {status} with {remaining} remaining"
                f" but its steps leave it {derived or 'closed by no step'} with {left}"
            )
        if posted[hold_id] != moved_by_hold.get(hold_id, 0):
            report.problems.append(
                f"hold {hold_id}: its posts moved {posted[hold_id]}"
                f" but its transfers {moved_by_hold.get(hold_id, 0)}"
            )
        if left > 0:
            held[account_id] += left
    return held


async def check_ledger(report: Report) -> None:
    sums: dict[int, int] = defaultdict(int)
    moved_by_hold: dict[int, int] = defaultdict(int)
    transfers = 0
    async for row in Transfer.all().values_list("debit_account_id", "credit_account_id", "amount", "hold_id"):
        debit, credit, amount, hold_id = row
        sums[debit] -= amount
        sums[credit] += amount
        if hold_id is not None:
            moved_by_hold[hold_id] += amount
        transfers += 1
    held = await _check_holds(report, moved_by_hold)
    per_asset: dict[str, int] = defaultdict(int)
    accounts = await Account.all().order_by("id")
    for a in accounts:
        per_asset[a.asset] += a.balance
        if a.balance != sums[a.id]:
            report.problems.append(
                f"account {a.id} ({a.owner}/{a.role}/{a.asset}): balance {a.balance}"
                f" but transfers sum to {sums[a.id]}"
            )
        if a.held != held[a.id]:
            report.problems.append(
                f"account {a.id} ({a.owner}/{a.role}/{a.asset}): held {a.held}"
                f" but pending holds sum to {held[a.id]}"
            )
        if a.is_nonnegative and a.balance < a.held:
            report.problems.append(f"account {a.id} ({a.owner}): balance {a.balance} < held {a.held}")
        if a.is_nonnegative == may_go_negative(a.owner, a.role):
            # The flag is what the overdraft CHECK trusts. The database refuses a
            # user wallet allowed below zero; this also catches the other way round,
            # and databases built before that CHECK.
            report.problems.append(
                f"account {a.id} ({a.owner}/{a.role}): is_nonnegative is {a.is_nonnegative}"
            )
        if not may_go_negative(a.owner, a.role) and a.balance < 0:
            report.problems.append(f"account {a.id} ({a.owner}): negative balance {a.balance}")
    for asset, total in sorted(per_asset.items()):
        if total != 0:
            report.problems.append(f"asset {asset} sums to {total}, not 0")
    for name in await guards.missing(Account._meta.db):
        report.problems.append(f"the database lacks the guard {name} (core/ledger/guards.py)")
    report.counts.update(accounts=len(accounts), transfers=transfers, assets=len(per_asset))


async def verify() -> Report:
    """Run every check; the report says what drifted, if anything."""
    report = Report()
    await check_ledger(report)
    for check in _checks:
        await check(report)
    return report
