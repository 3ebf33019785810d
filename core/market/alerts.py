"""Alerts: "tell me when reforestation sells under 900 ⭐/t".

An alert names one project or filters (project type, country) and a maximum
price. Each new sell offer that comes to rest is checked against the active
alerts in its own transaction; a match writes one outbox row per (alert,
offer), its dedup key, so an alert notifies once per offer however often the
check runs. The seller's own alerts are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q

from core import outbox
from core.clock import utcnow
from core.market.errors import BadOffer
from core.market.models import Alert, Offer
from core.market.rules import DEFAULT_RULES, Rules
from core.outbox import Topic
from core.registry.models import Project

MAX_ALERTS = 20


@dataclass(frozen=True)
class AlertView:
    id: int
    project_id: int | None
    project_type: str | None
    country: str | None
    max_price_per_t: int


def _view(alert: Alert) -> AlertView:
    return AlertView(alert.id, alert.project_id, alert.project_type, alert.country, alert.max_price_per_t)


async def create_alert(
    user_id: int, max_price_per_t: int, *, project_id: int | None = None, project_type: str | None = None,
    country: str | None = None, rules: Rules = DEFAULT_RULES, now: datetime | None = None,
) -> AlertView:
    if not isinstance(max_price_per_t, int) or not 1 <= max_price_per_t <= rules.max_price_per_t:
        raise BadOffer(field="price", value=max_price_per_t, minimum=1, maximum=rules.max_price_per_t)
    if await Alert.filter(user_id=user_id, is_active=True).count() >= MAX_ALERTS:
        raise BadOffer(field="alerts", value=MAX_ALERTS)
    alert = await Alert.create(user_id=user_id, project_id=project_id, project_type=project_type,
                               country=country, max_price_per_t=max_price_per_t, created_at=now or utcnow())
    return _view(alert)


async def alerts_of(user_id: int) -> list[AlertView]:
    return [_view(a) for a in await Alert.filter(user_id=user_id, is_active=True).order_by("id")]


async def delete_alert(user_id: int, alert_id: int) -> bool:
    """Switch the alert off; False when it is not (or no longer) the user's."""
    return bool(await Alert.filter(id=alert_id, user_id=user_id, is_active=True).update(is_active=False))


async def notify_alerts(offer: Offer, project: Project, vintage: int, now: datetime | None = None) -> int:
    """Inside the offer's transaction: one outbox row per matching alert; returns how many."""
    query = Alert.filter(
        Q(project_id=project.id) | Q(project_id__isnull=True), is_active=True,
        max_price_per_t__gte=offer.price_per_t,
    ).exclude(user_id=offer.user_id)
    count = 0
    for alert in await query:
        if alert.project_type is not None and alert.project_type != project.project_type:
            continue
        if alert.country is not None and alert.country != project.country:
            continue
        await outbox.enqueue(alert.user_id, "market_alert", {
            "offer": offer.id, "project": project.name, "project_id": project.id, "price_per_t": offer.price_per_t,
            "amount_kg": offer.remaining_kg, "max_price_per_t": alert.max_price_per_t, "vintage": vintage,
        }, dedup_key=f"market:alert:{alert.id}:{offer.id}", topic=Topic.ALERTS, now=now)
        count += 1
    return count
