"""The market's part of `verify`: every offer's hold reserves what the offer still promises.

An open sell offer's hold reserves its remaining kg; an open bid's hold reserves
value(rest_kg) − value(maker_filled_kg) at its price (book.py: cumulative
rounding); a closed offer's hold is not pending. Offers without a hold (a bid whose
fills cost nothing) count as reserving 0. Read in pages, so a deep book costs memory
for one page at a time.
"""

from __future__ import annotations

from core.catalog.pricing import trade_value
from core.ledger import Report
from core.ledger.models import Hold, HoldStatus
from core.market.models import Offer, OfferStatus, Side

PAGE = 2_000


async def check_offers(report: Report) -> None:
    report.counts["market offers open"] = await Offer.filter(status=OfferStatus.OPEN).count()
    last = 0
    while True:
        page = await Offer.filter(id__gt=last, hold_id__isnull=False).order_by("id").limit(PAGE)
        if not page:
            return
        holds = {h.id: h for h in await Hold.filter(id__in=[o.hold_id for o in page])}
        for offer in page:
            last = offer.id
            held = holds.get(offer.hold_id)
            reserved = held.remaining if held is not None and held.status == HoldStatus.PENDING else 0
            if offer.status != OfferStatus.OPEN:
                expected = 0
            elif offer.side == Side.SELL:
                expected = offer.remaining_kg
            else:
                expected = trade_value(offer.rest_kg, offer.price_per_t) - trade_value(
                    offer.maker_filled_kg, offer.price_per_t)
            if reserved != expected:
                report.problems.append(
                    f"market offer {offer.id} ({offer.status}) reserves {reserved}, expected {expected}"
                )
