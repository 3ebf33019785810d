"""What staff find and see of the market: an offer names its trader, and the user card
lists the trader's open offers. `core.setup()` registers both with core.staff.lookup.

Offers are numbered (#12 in every message about one). A bare "#12" could be a ticket
or a broadcast as well, so the look-up takes an offer's number with its word:
"offer 12", "offer #12", "offer:12" or "offer12" (one word, for `/freeze offer#12 ...`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from core.market.book import OfferView, offer_view
from core.market.models import Offer, OfferStatus

CARD_OFFERS = 5  # the newest open offers on the card; the count says how many there are
_OFFER = re.compile(r"offer\s*[#:_-]?\s*(\d{1,18})", re.IGNORECASE)


@dataclass(frozen=True)
class OffersOnCard:
    open_count: int
    newest: tuple[OfferView, ...]  # newest first, at most CARD_OFFERS


def offer_number(text: str) -> int | None:
    """The offer a staff query names ("offer #12"), or None when it names none."""
    match = _OFFER.fullmatch(text.strip())
    return int(match[1]) if match else None


async def find_trader(text: str, keys: Mapping[str, bytes]) -> int | None:
    """The user who posted the offer the text names (open or not)."""
    number = offer_number(text)
    if number is None:
        return None
    offer = await Offer.get_or_none(id=number)
    return None if offer is None else offer.user_id


async def offers_on_card(user_id: int, keys: Mapping[str, bytes]) -> OffersOnCard:
    """The user's open offers: how many, and the newest."""
    query = Offer.filter(user_id=user_id, status=OfferStatus.OPEN)
    count = await query.count()
    rows = await query.order_by("-id").limit(CARD_OFFERS) if count else []
    return OffersOnCard(open_count=count, newest=tuple([await offer_view(row) for row in rows]))
