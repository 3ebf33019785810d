"""The registry's part of `verify`: serial blocks agree with the ledger.

- every carbon account: active + held blocks = balance, held blocks = held;
  accounts that mirror the outside world (issuance...) hold no blocks;
- each pending hold's held blocks add up to what it still reserves;
- retired blocks sit only in the retirement account, and only they do;
- cancelled blocks sit only in the cancellation account, and only they do
  (they are never counted as retired);
- the blocks of each batch cover [serial_first, serial_last] exactly once;
- each retirement's amount equals its retired blocks.
"""

from __future__ import annotations

from collections import defaultdict

from core.ledger import CARBON, Report, Role
from core.ledger.accounts import SYSTEM
from core.ledger.models import Account, Hold, HoldStatus
from core.registry.models import Batch, BlockStatus, Retirement, SerialBlock


async def check_serials(report: Report) -> None:
    problems = report.problems
    blocks = await SerialBlock.all().order_by("serial_first").values_list(
        "batch_id", "serial_first", "serial_last", "account_id", "status", "hold_id", "retired_posting_id"
    )
    active: dict[int, int] = defaultdict(int)
    held: dict[int, int] = defaultdict(int)
    per_hold: dict[int, int] = defaultdict(int)
    retired_by_posting: dict[int, int] = defaultdict(int)
    cancelled: dict[int, int] = defaultdict(int)
    per_batch: dict[int, list[tuple[int, int]]] = defaultdict(list)
    accounts = {a.id: a for a in await Account.filter(asset=CARBON)}
    for batch_id, first, last, account_id, status, hold_id, posting_id in blocks:
        kg = last - first + 1
        per_batch[batch_id].append((first, last))
        account = accounts.get(account_id)
        is_retirement = account is not None and (account.owner, account.role) == (SYSTEM, Role.RETIREMENT)
        is_cancellation = account is not None and (account.owner, account.role) == (SYSTEM, Role.CANCELLATION)
        if is_cancellation != (status == BlockStatus.CANCELLED):
            problems.append(f"serials {first}-{last} are {status} in account {account_id}")
        if status == BlockStatus.CANCELLED:
            cancelled[account_id] += kg
        elif status == BlockStatus.ACTIVE:
            active[account_id] += kg
        elif status == BlockStatus.HELD:
            held[account_id] += kg
            per_hold[hold_id] += kg
        else:
            retired_by_posting[posting_id] += kg
            if not is_retirement:
                problems.append(f"serials {first}-{last} retired outside the retirement account")
        if is_retirement and status != BlockStatus.RETIRED:
            problems.append(f"serials {first}-{last} in the retirement account are {status}")
    for account in accounts.values():
        if account.owner == SYSTEM and account.role == Role.RETIREMENT:
            continue
        if account.owner == SYSTEM and account.role == Role.CANCELLATION:
            if cancelled[account.id] != account.balance:
                problems.append(
                    f"cancellation account holds {account.balance} kg but cancelled serials {cancelled[account.id]}"
                )
            continue
        on_blocks = active[account.id] + held[account.id]
        if not account.is_nonnegative:
            if on_blocks:
                problems.append(f"account {account.id} ({account.role}) holds {on_blocks} kg of serials")
            continue
        if on_blocks != account.balance:
            problems.append(
                f"account {account.id} ({account.owner}/{account.role}): balance {account.balance}"
                f" but active + held serials {on_blocks}"
            )
        if held[account.id] != account.held:
            problems.append(
                f"account {account.id} ({account.owner}/{account.role}): held {account.held}"
                f" but held serials {held[account.id]}"
            )
    retirement_balance = sum(
        a.balance for a in accounts.values() if (a.owner, a.role) == (SYSTEM, Role.RETIREMENT)
    )
    if retirement_balance != sum(retired_by_posting.values()):
        problems.append(
            f"retirement account holds {retirement_balance} kg"
            f" but retired serials {sum(retired_by_posting.values())}"
        )
    pending = {
        h.id: h for h in await Hold.filter(status=HoldStatus.PENDING, account__asset=CARBON)
    }
    for hold_id in set(per_hold) | set(pending):
        hold = pending.get(hold_id)
        if hold is None:
            problems.append(f"hold {hold_id} is not pending but holds {per_hold[hold_id]} kg of serials")
        elif per_hold[hold_id] != hold.remaining:
            problems.append(f"hold {hold_id} reserves {hold.remaining} but holds {per_hold[hold_id]} kg of serials")
    batches = await Batch.all().values_list("id", "serial_first", "serial_last")
    for batch_id, serial_first, serial_last in batches:
        expected = serial_first
        for first, last in per_batch.pop(batch_id, []):
            if first != expected:
                problems.append(f"batch {batch_id}: serials {expected}.. expected, block starts at {first}")
            expected = last + 1
        if expected != serial_last + 1:
            problems.append(f"batch {batch_id}: blocks end at {expected - 1}, not {serial_last}")
    for batch_id in per_batch:
        problems.append(f"blocks of unknown batch {batch_id}")
    retirements = await Retirement.all().values_list("public_id", "amount_kg", "posting_id")
    for public_id, amount_kg, posting_id in retirements:
        if retired_by_posting[posting_id] != amount_kg:
            problems.append(
                f"retirement {public_id}: {amount_kg} kg but {retired_by_posting[posting_id]} kg retired serials"
            )
    report.counts.update(
        batches=len(batches), serial_blocks=len(blocks), retirements=len(retirements)
    )
