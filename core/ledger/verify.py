"""`verify`: recompute the ledger from its transfers and report any drift.

Checks: every account's balance equals credits minus debits of its transfers;
its held amount equals the sum of its pending holds; no hold reserves more than
it was given; no non-negative account has balance < held; no account but the
system's issuance, clearing and adjustments is negative or flagged as allowed
to be; each asset sums to zero over all accounts. Other areas (the registry's serial blocks) add their
checks with `add_check`; `cccp verify` runs them all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from core.ledger.accounts import may_go_negative
from core.ledger.models import Account, Hold, HoldStatus, Transfer


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


async def check_ledger(report: Report) -> None:
    sums: dict[int, int] = defaultdict(int)
    transfers = 0
    async for row in Transfer.all().values_list("debit_account_id", "credit_account_id", "amount"):
        debit, credit, amount = row
        sums[debit] -= amount
        sums[credit] += amount
        transfers += 1
    held: dict[int, int] = defaultdict(int)
    for account_id, amount, remaining in await Hold.filter(status=HoldStatus.PENDING).values_list(
        "account_id", "amount", "remaining"
    ):
        held[account_id] += remaining
        if remaining > amount:
            report.problems.append(f"hold on account {account_id} reserves {remaining} > {amount}")
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
    report.counts.update(accounts=len(accounts), transfers=transfers, assets=len(per_asset))


async def verify() -> Report:
    """Run every check; the report says what drifted, if anything."""
    report = Report()
    await check_ledger(report)
    for check in _checks:
        await check(report)
    return report
