"""Approvals other areas add to the admin menu (projects, issuance requests,
merchants, withdrawal requests...), one registry, filled by `core.setup()`.

An area registers an `Approval`: a name, how to list what waits, and how to
approve or reject one item by its id with a reason. `/approve` lists every
registered kind and calls the right one; the staff area audits every decision.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from core.staff import audit
from core.staff.errors import UnknownApproval
from core.staff.freezes import check_reason
from core.staff.roles import Level, require


@dataclass(frozen=True)
class Waiting:
    id: str
    summary: str


@dataclass(frozen=True)
class Approval:
    name: str  # e.g. "project", "merchant", "withdrawal"
    waiting: Callable[[], Awaitable[list[Waiting]]]
    decide: Callable[[str, bool, str, int], Awaitable[None]]  # (item id, is_approved, reason, actor)


_REGISTRY: dict[str, Approval] = {}


def register(approval: Approval) -> None:
    """Add (or replace) a kind of approval; safe to call again."""
    _REGISTRY[approval.name] = approval


def kinds() -> list[str]:
    return sorted(_REGISTRY)


async def waiting(actor_id: int, *, now: datetime | None = None) -> dict[str, list[Waiting]]:
    await require(actor_id, Level.ADMIN, action="approve", now=now)
    return {name: await _REGISTRY[name].waiting() for name in kinds()}


async def decide(actor_id: int, name: str, item_id: str, is_approved: bool, reason: str = "", *,
                 now: datetime | None = None) -> None:
    await require(actor_id, Level.ADMIN, action="approve", now=now)
    approval = _REGISTRY.get(name)
    if approval is None:
        raise UnknownApproval(kind=name[:32])
    reason = check_reason(reason) if not is_approved else " ".join(str(reason or "").split())
    await approval.decide(item_id, is_approved, reason, actor_id)
    await audit.record(actor_id, "approve" if is_approved else "reject", target=f"{name} {item_id}"[:200],
                       reason=reason, now=now)


async def _draft_projects() -> list[Waiting]:
    from core.registry.projects import list_projects

    return [Waiting(str(p.id), f"{p.code} · {p.name} ({p.country})") for p in await list_projects("draft")]


async def _decide_project(item_id: str, is_approved: bool, reason: str, actor_id: int) -> None:
    from core.registry.projects import approve_project, suspend_project

    await (approve_project if is_approved else suspend_project)(int(item_id) if item_id.isdigit() else item_id)


def register_projects() -> None:
    """The registry's draft projects: approve, or reject (suspend)."""
    register(Approval("project", _draft_projects, _decide_project))


async def _pending_merchants() -> list[Waiting]:
    from core.codes.models import Merchant, MerchantStatus

    rows = await Merchant.filter(status=MerchantStatus.PENDING).order_by("id")
    return [Waiting(str(r.user_id), f"{r.name} (user {r.user_id})") for r in rows]


async def _decide_merchant(item_id: str, is_approved: bool, reason: str, actor_id: int) -> None:
    from core.codes import approve_merchant, suspend_merchant

    if not item_id.isdigit():
        raise UnknownApproval(kind=f"merchant {item_id}"[:32])
    await (approve_merchant if is_approved else suspend_merchant)(int(item_id))


async def _requested_withdrawals() -> list[Waiting]:
    from core.market.wallet import withdrawals

    return [Waiting(str(w.id), f"{w.amount_xtr:,} ⭐ for user {w.user_id}") for w in await withdrawals()]


async def _decide_withdrawal(item_id: str, is_approved: bool, reason: str, actor_id: int) -> None:
    from core.market.wallet import approve_withdrawal, reject_withdrawal

    if not item_id.isdigit():
        raise UnknownApproval(kind=f"withdrawal {item_id}"[:32])
    await (approve_withdrawal if is_approved else reject_withdrawal)(int(item_id), note=reason)


async def _issuance_requests() -> list[Waiting]:
    """Each request with its plot's species; a species whose values are not all checked against
    a source says so, so staff weigh that before credits are issued from its model."""
    from core.reforestation import pending_requests
    from core.reforestation.models import Plot
    from core.reforestation.species import get_species

    requests = await pending_requests()
    plots = {p.id: p for p in await Plot.filter(id__in=[r.plot_id for r in requests])}
    waiting = []
    for r in requests:
        species = get_species(plots[r.plot_id].species)
        warning = f" ⚠ {len(species.unchecked)} species values not checked (cccp forest species)" if species.unchecked else ""
        waiting.append(Waiting(str(r.id), f"plot {r.plot_id} ({species.code}): {r.amount_kg:,} kg{warning}"))
    return waiting


async def _decide_issuance(item_id: str, is_approved: bool, reason: str, actor_id: int) -> None:
    from core.reforestation.service import approve_issuance, refuse_issuance

    await (approve_issuance if is_approved else refuse_issuance)(item_id)


def register_areas() -> None:
    """What the other areas leave to staff: merchants (codes), withdrawal requests (market)
    and forest issuance requests (reforestation)."""
    register(Approval("merchant", _pending_merchants, _decide_merchant))
    register(Approval("withdrawal", _requested_withdrawals, _decide_withdrawal))
    register(Approval("issuance", _issuance_requests, _decide_issuance))
