"""An account's movements, newest first, a page at a time.

The cursor is the id of the last transfer shown: ids only grow, so a page is
stable while new movements arrive (no offset drift). Each post (part) of a hold
is a transfer of its own, so it is an entry of its own (with its `hold_id`);
what a hold went through, its voids and expiries included, is
`postings.hold_history`. `kind` is the posting's, a row of ledger_kind (kinds.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q

from core.ledger.models import Account, Posting, Transfer


@dataclass(frozen=True)
class Entry:
    transfer_id: int
    created_at: datetime
    kind: str
    memo: str
    asset: str
    amount: int  # signed: positive in, negative out
    counterparty_owner: str
    counterparty_role: str
    metadata: dict
    hold_id: int | None = None  # a post (part) of this hold


@dataclass(frozen=True)
class HistoryPage:
    entries: tuple[Entry, ...]
    next_cursor: int | None  # pass as `before` for the next (older) page


async def history(account_ids: list[int], *, limit: int = 10, before: int | None = None) -> HistoryPage:
    """Transfers into or out of any of the accounts, newest first."""
    limit = max(1, min(limit, 100))
    query = Transfer.filter(Q(debit_account_id__in=account_ids) | Q(credit_account_id__in=account_ids))
    if before is not None:
        query = query.filter(id__lt=before)
    rows = await query.order_by("-id").limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    others = {r.credit_account_id if r.debit_account_id in account_ids else r.debit_account_id for r in rows}
    accounts = {a.id: a for a in await Account.filter(id__in=others)}
    postings = {p.id: p for p in await Posting.filter(id__in={r.posting_id for r in rows})}
    entries = []
    for row in rows:
        outgoing = row.debit_account_id in account_ids
        other = accounts[row.credit_account_id if outgoing else row.debit_account_id]
        posting = postings[row.posting_id]
        entries.append(
            Entry(
                transfer_id=row.id,
                created_at=row.created_at,
                kind=posting.kind,
                memo=posting.memo,
                asset=row.asset,
                amount=-row.amount if outgoing else row.amount,
                counterparty_owner=other.owner,
                counterparty_role=other.role,
                metadata=posting.metadata,
                hold_id=row.hold_id,
            )
        )
    return HistoryPage(entries=tuple(entries), next_cursor=rows[-1].id if more else None)
