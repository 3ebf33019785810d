"""Reduction orders become trees on plots with room; the planting fund pays for them.

Every reduction order (a purchase's, later a code claim's) becomes one
TreeOrder of ceil(kg × TREES_PER_TONNE / 1000) trees. It is planted on the
first plot with room (its trees planted less the trees other orders already
stand on); with no room it waits, and says so in /trees, until a plot has room.

Who pays is visible in the ledger: PLANTING_SHARE_BPS of the purchase's fee
(the operator's cut) moves from the fee account to the planting fund account
in the transaction that plants the order (kind `planting`). A purchase with
no fee moves nothing.

The buyer's trees are their contribution to the project: the plot's growth
is issued as credits to the producer, never to the buyer (one tonne is
claimed once). A buyer's share of the stand is trees / trees planted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from core import ledger, outbox
from core.clock import utcnow
from core.ledger import Kind, Leg, Role
from core.outbox import Topic
from core.purchases.models import Purchase, ReductionOrder
from core.reforestation.models import (
    EventKind,
    Plot,
    PlotEvent,
    PlotStatus,
    TreeOrder,
    TreeOrderStatus,
)
from core.reforestation.service import age_years, get_species, stock_kg

TREES_PER_TONNE = 10  # one tonne bought plants ten trees
PLANTING_SHARE_BPS = 5_000  # half of the operator's fee goes to the planting fund
# What a buyer's trees have absorbed, in kg CO2, that earns a message.
MILESTONES_KG = (10, 100, 1_000, 10_000, 100_000)


def trees_for(amount_kg: int) -> int:
    return max(math.ceil(amount_kg * TREES_PER_TONNE / 1000), 1)


async def _room(plot: Plot) -> int:
    taken = await TreeOrder.filter(plot_id=plot.id).values_list("trees", flat=True)
    return plot.trees_planted - sum(taken)


async def _fund(order: TreeOrder, purchase: Purchase | None, now: datetime) -> tuple[int, str]:
    if purchase is None or not purchase.fee_amount:
        return 0, ""
    share = purchase.fee_amount * PLANTING_SHARE_BPS // 10_000
    if share <= 0:
        return 0, ""
    fees = await ledger.system_account(Role.FEES, purchase.currency)
    fund = await ledger.system_account(Role.PLANTING_FUND, purchase.currency)
    await ledger.post(f"forest:fund:{order.reduction_order_id}", Kind.PLANTING, [Leg(fees.id, fund.id, share)],
                      memo=f"trees for reduction order {order.reduction_order_id}",
                      metadata={"reduction_order_id": order.reduction_order_id, "trees": order.trees}, now=now)
    return share, purchase.currency


async def plant_orders(*, now: datetime | None = None, user_id: int | None = None, limit: int = 200) -> int:
    """Turn new reduction orders into tree orders and plant the waiting ones; returns how many were planted."""
    now = now or utcnow()
    known = Subquery(TreeOrder.all().values("reduction_order_id"))
    fresh = ReductionOrder.filter(id__not_in=known).order_by("id").limit(limit).prefetch_related("purchase")
    if user_id is not None:
        fresh = fresh.filter(purchase__user_id=user_id)
    for order in await fresh:
        await TreeOrder.get_or_create(
            reduction_order_id=order.id,
            defaults={"user_id": order.purchase.user_id, "amount_kg": order.amount_kg,
                      "trees": trees_for(order.amount_kg), "created_at": now},
        )
    waiting = TreeOrder.filter(status=TreeOrderStatus.WAITING).order_by("id").limit(limit)
    if user_id is not None:
        waiting = waiting.filter(user_id=user_id)
    plots = await Plot.filter(status__in=[PlotStatus.PLANTED, PlotStatus.GROWING]).order_by("id")
    planted = 0
    for order in await waiting:
        for plot in plots:
            if await _room(plot) < order.trees:
                continue
            reduction = await ReductionOrder.get_or_none(id=order.reduction_order_id).prefetch_related("purchase")
            async with in_transaction():
                # Conditional: a twin process planting the same order moves nothing twice.
                if not await TreeOrder.filter(id=order.id, status=TreeOrderStatus.WAITING).update(
                        status=TreeOrderStatus.PLANTED, plot_id=plot.id, planted_at=now):
                    break
                amount, currency = await _fund(order, reduction.purchase if reduction else None, now)
                await TreeOrder.filter(id=order.id).update(fund_amount=amount, fund_currency=currency)
                await outbox.enqueue(order.user_id, "trees_planted",
                                     {"trees": order.trees, "plot": plot.name, "location": plot.location},
                                     dedup_key=f"trees:planted:{order.id}", now=now, topic=Topic.TREES)
            planted += 1
            break
    return planted


@dataclass(frozen=True)
class TreesView:
    """One order's trees, as the buyer sees them."""

    order_id: int
    trees: int
    status: str  # waiting, or the plot's status
    plot_id: int | None
    plot_name: str
    location: str
    species_name: str
    planted_at: datetime | None
    age_years: float
    rotation: int
    estimated_kg: int  # the CO2 their share of the stand holds now
    absorbed_kg: int  # over all rotations since they were planted (harvested stands included)


async def _share_kg(order: TreeOrder, plot: Plot, now: datetime) -> tuple[int, int]:
    now_kg = stock_kg(plot, now) * order.trees // max(plot.trees_planted, 1)
    harvested = await PlotEvent.filter(plot_id=plot.id, kind=EventKind.HARVESTED, at__gte=order.planted_at)
    before = sum(e.amount_kg * order.trees // max(plot.trees_planted, 1) for e in harvested)
    return now_kg, now_kg + before


async def trees_of(user_id: int, *, now: datetime | None = None) -> list[TreesView]:
    now = now or utcnow()
    views = []
    for order in await TreeOrder.filter(user_id=user_id).order_by("id").prefetch_related("plot"):
        plot = order.plot
        if plot is None:
            views.append(TreesView(order.id, order.trees, "waiting", None, "", "", "", None, 0.0, 0, 0, 0))
            continue
        estimated, absorbed = await _share_kg(order, plot, now)
        views.append(TreesView(
            order.id, order.trees, str(plot.status), plot.id, plot.name, plot.location,
            get_species(plot.species).name, order.planted_at, age_years(plot, now), plot.rotation, estimated, absorbed,
        ))
    return views


async def announce_milestones(now: datetime) -> int:
    """A message for each order whose trees passed a new milestone; in the same transaction as the mark."""
    sent = 0
    for order in await TreeOrder.filter(status=TreeOrderStatus.PLANTED).prefetch_related("plot"):
        _, absorbed = await _share_kg(order, order.plot, now)
        reached = sum(1 for m in MILESTONES_KG if absorbed >= m)
        if reached <= order.milestone:
            continue
        async with in_transaction():
            if not await TreeOrder.filter(id=order.id, milestone=order.milestone).update(milestone=reached):
                continue
            await outbox.enqueue(
                order.user_id, "trees_milestone",
                {"trees": order.trees, "plot": order.plot.name, "milestone_kg": MILESTONES_KG[reached - 1],
                 "absorbed_kg": absorbed},
                dedup_key=f"trees:milestone:{order.id}:{reached}", now=now, topic=Topic.TREES,
            )
        sent += 1
    return sent
