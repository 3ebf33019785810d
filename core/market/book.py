"""Offers, matching and trades: one order book per project, in the database.

Rules (issue 15):
- A sell offer holds its kg of one batch on the seller's carbon account (the
  ledger's hold, serial blocks HELD); a buy offer holds Stars on the buyer's wallet.
- An incoming offer matches the opposite side by price, then time, among the
  offers that accept each other (a filter bid accepts a project by type, country
  and vintage range); it fills at the resting offer's price; the incoming
  trader's own offers are skipped. What is left rests, unless it is below the
  offer's minimum fill, then it is released.
- Rounding is cumulative per resting offer: a fill of `kg` after `filled` costs
  value(filled + kg) - value(filled) at its price (core.catalog.pricing), the
  fee likewise, so partial fills never cost more than the whole and a resting
  bid's hold, value(rest_kg), always covers what is left.
- The seller pays the fee (MARKET_FEE_BPS) out of the proceeds; the buyer pays
  the value.
- A trade is one database transaction: carbon to the buyer, Stars to the
  seller, the fee to the fees account, both holds reduced, a Trade row under the
  take's key (UNIQUE: a replay returns the first trade), outbox rows for both sides.

Concurrency: every change of a book locks its Book row first (SELECT ... FOR
UPDATE on PostgreSQL; SQLite serialises writers), then the offer rows it
touches; a filter bid, which spans books, is locked as a row. Readers of the
book take no lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Count, Sum
from tortoise.transactions import in_transaction

from core import outbox
from core.catalog.pricing import fee_of, trade_value
from core.clock import utcnow
from core.ledger import (
    CARBON,
    STARS,
    HoldStatus,
    Kind,
    Leg,
    Role,
    get_hold,
    hold,
    post,
    post_hold,
    system_account,
    user_account,
    void_hold,
)
from core.ledger.errors import InsufficientFunds
from core.market.errors import (
    BadOffer,
    BelowMinFill,
    BelowMinimum,
    BookMoved,
    NotEnoughCredits,
    NotEnoughStars,
    NotYourOffer,
    OfferGone,
    OutsideBand,
    OwnOffer,
    TooManyOffers,
    UnknownBook,
)
from core.market.models import Book, Offer, OfferStatus, Side, Trade
from core.market.rules import DEFAULT_RULES, Rules
from core.outbox import Topic
from core.registry.errors import BatchExhausted, RegistryError
from core.registry.models import Batch, BlockStatus, Project, ProjectStatus, SerialBlock
from core.registry.serials import format_serial

PAGE = 50
MAX_EXPIRY = timedelta(days=365)


@dataclass(frozen=True)
class OfferView:
    id: int
    side: Side
    user_id: int
    project_id: int | None
    batch_id: int | None
    project_type: str | None
    country: str | None
    vintage_from: int | None
    vintage_to: int | None
    price_per_t: int
    amount_kg: int
    remaining_kg: int
    min_fill_kg: int
    status: OfferStatus
    expires_at: datetime | None
    created_at: datetime
    held: int  # kg (sell) or Stars (buy) the offer's hold still reserves
    closed_at: datetime | None = None

    @property
    def is_filter_bid(self) -> bool:
        return self.project_id is None

    def is_expired(self, now: datetime) -> bool:
        """Expired, or past its time and not closed yet: the expiry job closes it within a minute,
        and it matches nothing meanwhile (_is_live)."""
        return self.status == OfferStatus.EXPIRED or (
            self.status == OfferStatus.OPEN and self.expires_at is not None and self.expires_at <= now)


@dataclass(frozen=True)
class TradeView:
    id: int
    key: str
    project_id: int
    batch_id: int
    sell_offer_id: int | None
    buy_offer_id: int | None
    seller_id: int
    buyer_id: int
    amount_kg: int
    price_per_t: int
    value_xtr: int
    fee_xtr: int
    serials: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class PlaceResult:
    offer: OfferView
    trades: tuple[TradeView, ...]


@dataclass(frozen=True)
class Filters:
    """What a filter bid (or an alert) accepts; None accepts anything."""

    project_type: str | None = None
    country: str | None = None
    vintage_from: int | None = None
    vintage_to: int | None = None


# ---- views ----

async def _held_of(offer: Offer) -> int:
    if offer.hold_id is None:
        return 0
    h = await get_hold(offer.hold_id)
    return h.remaining if h.status == HoldStatus.PENDING else 0


async def offer_view(offer: Offer) -> OfferView:
    return OfferView(
        id=offer.id, side=Side(offer.side), user_id=offer.user_id, project_id=offer.project_id,
        batch_id=offer.batch_id, project_type=offer.project_type, country=offer.country,
        vintage_from=offer.vintage_from, vintage_to=offer.vintage_to, price_per_t=offer.price_per_t,
        amount_kg=offer.amount_kg, remaining_kg=offer.remaining_kg, min_fill_kg=offer.min_fill_kg,
        status=OfferStatus(offer.status), expires_at=offer.expires_at, created_at=offer.created_at,
        held=await _held_of(offer), closed_at=offer.closed_at,
    )


async def _batch_label(batch_id: int, seen: dict[int, tuple[str, int]] | None = None) -> tuple[str, int]:
    """(project code, vintage) of a batch. Remembered per call only (`seen`): a
    process-wide cache would outlive the database it read (tests, the sandbox's own)."""
    if seen is not None and batch_id in seen:
        return seen[batch_id]
    batch = await Batch.get(id=batch_id).prefetch_related("project")
    label = (batch.project.code, batch.vintage)
    if seen is not None:
        seen[batch_id] = label
    return label


async def trade_view(trade: Trade) -> TradeView:
    serials, seen = [], {}
    for batch_id, first, last in trade.serials:
        code, vintage = await _batch_label(batch_id, seen)
        serials.append(format_serial(code, vintage, first, last))
    return TradeView(
        id=trade.id, key=trade.key, project_id=trade.project_id, batch_id=trade.batch_id,
        sell_offer_id=trade.sell_offer_id, buy_offer_id=trade.buy_offer_id, seller_id=trade.seller_id,
        buyer_id=trade.buyer_id, amount_kg=trade.amount_kg, price_per_t=trade.price_per_t,
        value_xtr=trade.value_xtr, fee_xtr=trade.fee_xtr, serials=tuple(serials), created_at=trade.created_at,
    )


# ---- checks ----

def _check_int(name: str, value: object, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise BadOffer(field=name, value=value, minimum=low, maximum=high)
    return value


async def _lock_book(project_id: int) -> Book:
    """The book's row, locked for the rest of the transaction (created on first use)."""
    if not await Book.exists(project_id=project_id):
        try:
            async with in_transaction():  # a savepoint: losing the race aborts nothing
                await Book.create(project_id=project_id)
        except IntegrityError:
            pass
    return await Book.select_for_update().get(project_id=project_id)


def _check_band(book: Book, price: int, rules: Rules) -> None:
    if not rules.band_percent or book.last_price_per_t is None:
        return
    low = book.last_price_per_t * (100 - rules.band_percent) // 100
    high = -(-book.last_price_per_t * (100 + rules.band_percent) // 100)
    if not max(low, 1) <= price <= high:
        raise OutsideBand(price_per_t=price, low=max(low, 1), high=high, last=book.last_price_per_t)


async def _project(project_id: int) -> Project:
    project = await Project.get_or_none(id=project_id)
    if project is None or project.status != ProjectStatus.APPROVED:
        raise UnknownBook(project_id=project_id)
    return project


async def _seller_batch(user_id: int, project_id: int, kg: int, batch_id: int | None,
                        filters: Filters | None = None) -> int:
    """The batch a seller's offer takes its serials from: the one named, else the
    seller's batch of the project with the most active credits that has `kg`."""
    carbon = await user_account(user_id, CARBON)
    query = SerialBlock.filter(account_id=carbon.id, status=BlockStatus.ACTIVE, hold_id__isnull=True,
                               batch__project_id=project_id)
    if batch_id is not None:
        query = query.filter(batch_id=batch_id)
    if filters is not None:
        if filters.vintage_from is not None:
            query = query.filter(batch__vintage__gte=filters.vintage_from)
        if filters.vintage_to is not None:
            query = query.filter(batch__vintage__lte=filters.vintage_to)
    totals: dict[int, int] = {}
    for block in await query.values("batch_id", "serial_first", "serial_last"):
        totals[block["batch_id"]] = totals.get(block["batch_id"], 0) + block["serial_last"] - block["serial_first"] + 1
    best = max(totals.items(), key=lambda item: (item[1], -item[0]), default=None)
    if best is None or best[1] < kg:
        raise NotEnoughCredits(project_id=project_id, available_kg=best[1] if best else 0, amount_kg=kg)
    return best[0]


def accepts(bid: Offer | Filters, project: Project, vintage: int) -> bool:
    """Whether a buy offer (or alert filters) accepts credits of this project and vintage."""
    if isinstance(bid, Offer) and bid.project_id is not None and bid.project_id != project.id:
        return False
    if bid.project_type is not None and bid.project_type != project.project_type:
        return False
    if bid.country is not None and bid.country != project.country:
        return False
    if bid.vintage_from is not None and vintage < bid.vintage_from:
        return False
    return not (bid.vintage_to is not None and vintage > bid.vintage_to)


def _is_live(offer: Offer, now: datetime) -> bool:
    return offer.status == OfferStatus.OPEN and (offer.expires_at is None or offer.expires_at > now)


def _fill_size(incoming_left: int, incoming_min: int, resting: Offer) -> int:
    """How much an incoming offer fills against a resting one (0: they do not accept each other)."""
    kg = min(incoming_left, resting.remaining_kg)
    if kg < resting.min_fill_kg and kg < resting.remaining_kg:
        return 0
    if kg < incoming_min and kg < incoming_left:
        return 0
    return kg


def maker_cost(maker: Offer, kg: int, fee_bps: int) -> tuple[int, int]:
    """(value, fee) of a fill of `kg` at the resting offer's price, cumulative over its fills."""
    before = trade_value(maker.maker_filled_kg, maker.price_per_t)
    after = trade_value(maker.maker_filled_kg + kg, maker.price_per_t)
    return after - before, fee_of(after, fee_bps) - fee_of(before, fee_bps)


# ---- moving ----

async def _ranges(account_id: int, kg: int, *, hold_id: int | None, batch_id: int) -> list[list[int]]:
    """The serial ranges a movement of `kg` will take: the registry takes the lowest first."""
    query = SerialBlock.filter(account_id=account_id, batch_id=batch_id)
    if hold_id is not None:
        query = query.filter(status=BlockStatus.HELD, hold_id=hold_id)
    else:
        query = query.filter(status=BlockStatus.ACTIVE, hold_id__isnull=True)
    ranges, left = [], kg
    for block in await query.order_by("serial_first").limit(kg):
        size = block.serial_last - block.serial_first + 1
        take = min(size, left)
        ranges.append([block.batch_id, block.serial_first, block.serial_first + take - 1])
        left -= take
        if not left:
            break
    return ranges


async def _move(
    key: str, *, project: Project, batch_id: int, seller_id: int, buyer_id: int, kg: int, price: int,
    value: int, fee: int, sell: Offer | None, buy: Offer | None, now: datetime,
) -> Trade:
    """One trade's legs (inside the caller's transaction); holds are the offers' when they have one."""
    seller_carbon = await user_account(seller_id, CARBON)
    buyer_carbon = await user_account(buyer_id, CARBON)
    seller_wallet = await user_account(seller_id, STARS)
    buyer_wallet = await user_account(buyer_id, STARS)
    sell_hold = sell.hold_id if sell is not None else None
    ranges = await _ranges(seller_carbon.id, kg, hold_id=sell_hold, batch_id=batch_id)
    memo = f"market trade {project.code}"
    try:
        if sell_hold is not None:
            await post_hold(f"{key}:c", sell_hold, buyer_carbon.id, amount=kg, release_rest=False,
                            kind=Kind.TRADE, memo=memo, now=now)
        else:
            await post(f"{key}:c", Kind.TRADE, [Leg(seller_carbon.id, buyer_carbon.id, kg, batch_id=batch_id,
                                                    is_batch_strict=True)], memo=memo, now=now)
    except (InsufficientFunds, BatchExhausted):
        raise NotEnoughCredits(project_id=project.id, amount_kg=kg) from None
    if value:
        try:
            if buy is not None and buy.hold_id is not None:
                await post_hold(f"{key}:s", buy.hold_id, seller_wallet.id, amount=value, release_rest=False,
                                kind=Kind.TRADE, memo=memo, now=now)
            else:
                await post(f"{key}:s", Kind.TRADE, [Leg(buyer_wallet.id, seller_wallet.id, value)], memo=memo,
                           now=now)
        except InsufficientFunds:
            raise NotEnoughStars(needed=value) from None
    if fee:
        fees = await system_account(Role.FEES, STARS)
        await post(f"{key}:f", Kind.TRADE, [Leg(seller_wallet.id, fees.id, fee)], memo=memo, now=now)
    trade = await Trade.create(
        key=key, project_id=project.id, batch_id=batch_id, sell_offer_id=sell.id if sell else None,
        buy_offer_id=buy.id if buy else None, seller_id=seller_id, buyer_id=buyer_id, amount_kg=kg,
        price_per_t=price, value_xtr=value, fee_xtr=fee, serials=ranges, created_at=now,
    )
    await Book.filter(project_id=project.id).update(last_price_per_t=price, last_trade_at=now)
    for user_id, side, offer in ((seller_id, Side.SELL, sell), (buyer_id, Side.BUY, buy)):
        await outbox.enqueue(user_id, "market_fill", {
            "side": side.value, "amount_kg": kg, "price_per_t": price, "value": value,
            "fee": fee if side == Side.SELL else 0, "project": project.name, "trade": trade.id,
            "offer": offer.id if offer else None,
            "remaining_kg": None if offer is None else offer.remaining_kg - kg,
        }, dedup_key=f"market:fill:{trade.id}:{side.value}", topic=Topic.FILLS, now=now)
    return trade


async def _close(offer: Offer, status: OfferStatus, now: datetime, *, notify: bool = True) -> None:
    """Close an offer and release what its hold still reserves."""
    offer.status = status
    offer.closed_at = now
    await Offer.filter(id=offer.id).update(status=status, closed_at=now, remaining_kg=offer.remaining_kg)
    released = 0  # kg (sell) or Stars (buy) the hold still reserved
    if offer.hold_id is not None:
        h = await get_hold(offer.hold_id)
        if h.status == HoldStatus.PENDING:
            released = h.remaining
            await void_hold(f"market:offer:{offer.id}:release", offer.hold_id, memo=f"offer {offer.id} {status}",
                            now=now)
    if notify and status in (OfferStatus.CANCELLED, OfferStatus.EXPIRED):
        await outbox.enqueue(offer.user_id, "market_closed", {
            "offer": offer.id, "status": status.value, "side": offer.side, "remaining_kg": offer.remaining_kg,
            "price_per_t": offer.price_per_t, "released": released,
        }, dedup_key=f"market:closed:{offer.id}", topic=Topic.FILLS, now=now)


async def _after_maker_fill(maker: Offer, kg: int, now: datetime) -> None:
    """The resting offer gave `kg`: move it on, and release a remainder below its minimum fill."""
    maker.remaining_kg -= kg
    maker.maker_filled_kg += kg
    await Offer.filter(id=maker.id).update(remaining_kg=maker.remaining_kg, maker_filled_kg=maker.maker_filled_kg)
    if maker.remaining_kg < max(maker.min_fill_kg, 1):
        await _close(maker, OfferStatus.FILLED, now, notify=False)


# ---- use cases ----

async def _open_count(user_id: int) -> int:
    return await Offer.filter(user_id=user_id, status=OfferStatus.OPEN).count()


def _check_common(amount_kg: int, price_per_t: int, min_fill_kg: int | None, expires_at: datetime | None,
                  now: datetime, rules: Rules) -> int:
    _check_int("price", price_per_t, 1, rules.max_price_per_t)
    _check_int("amount", amount_kg, 1, rules.max_kg)
    if amount_kg < rules.min_kg:
        raise BelowMinimum(amount_kg=amount_kg, minimum_kg=rules.min_kg)
    min_fill = 1 if min_fill_kg is None else _check_int("min_fill", min_fill_kg, 1, amount_kg)
    if expires_at is not None and not now < expires_at <= now + MAX_EXPIRY:
        raise BadOffer(field="expiry", value=str(expires_at))
    return min_fill


async def place_sell(
    user_id: int, project_id: int, amount_kg: int, price_per_t: int, *, key: str,
    batch_id: int | None = None, min_fill_kg: int | None = None, expires_at: datetime | None = None,
    rules: Rules = DEFAULT_RULES, now: datetime | None = None,
) -> PlaceResult:
    """Post a sell offer: hold the credits, fill against the best bids, rest the remainder."""
    now = now or utcnow()
    if (done := await Offer.get_or_none(key=key)) is not None:
        return await _replay(done)
    min_fill = _check_common(amount_kg, price_per_t, min_fill_kg, expires_at, now, rules)
    project = await _project(project_id)
    try:
        async with in_transaction():
            book = await _lock_book(project.id)
            _check_band(book, price_per_t, rules)
            if await _open_count(user_id) >= rules.max_open_offers:
                raise TooManyOffers(maximum=rules.max_open_offers)
            batch = await _seller_batch(user_id, project.id, amount_kg, batch_id)
            vintage = (await _batch_label(batch))[1]
            offer = await Offer.create(
                key=key, side=Side.SELL, user_id=user_id, project_id=project.id, batch_id=batch,
                price_per_t=price_per_t, amount_kg=amount_kg, remaining_kg=amount_kg, min_fill_kg=min_fill,
                expires_at=expires_at, created_at=now,
            )
            carbon = await user_account(user_id, CARBON)
            try:
                reserved = await hold(f"market:offer:{offer.id}:hold", carbon.id, amount_kg, Kind.OFFER,
                                      memo=f"sell offer {offer.id}", batch_id=batch, is_batch_strict=True,
                                      now=now)
            except (InsufficientFunds, RegistryError):
                raise NotEnoughCredits(project_id=project.id, amount_kg=amount_kg) from None
            offer.hold_id = reserved.id
            await Offer.filter(id=offer.id).update(hold_id=reserved.id)
            trades = []
            offset = 0
            while offer.remaining_kg > 0:
                page = await (
                    Offer.filter(Q(project_id=project.id) | Q(project_id__isnull=True), side=Side.BUY,
                                 status=OfferStatus.OPEN, price_per_t__gte=price_per_t)
                    .exclude(user_id=user_id).order_by("-price_per_t", "created_at", "id")
                    .offset(offset).limit(PAGE).select_for_update()
                )
                for bid in page:
                    if offer.remaining_kg == 0:
                        break
                    if not _is_live(bid, now) or not accepts(bid, project, vintage):
                        continue
                    kg = _fill_size(offer.remaining_kg, offer.min_fill_kg, bid)
                    if not kg:
                        continue
                    value, fee = maker_cost(bid, kg, rules.fee_bps)
                    trade = await _move(
                        f"market:m:{offer.id}:{bid.id}", project=project, batch_id=batch, seller_id=user_id,
                        buyer_id=bid.user_id, kg=kg, price=bid.price_per_t, value=value, fee=fee, sell=offer,
                        buy=bid, now=now,
                    )
                    trades.append(trade)
                    offer.remaining_kg -= kg
                    await Offer.filter(id=offer.id).update(remaining_kg=offer.remaining_kg)
                    await _after_maker_fill(bid, kg, now)
                if len(page) < PAGE:
                    break
                offset += PAGE
            offer.rest_kg = offer.remaining_kg
            await Offer.filter(id=offer.id).update(rest_kg=offer.rest_kg)
            if offer.remaining_kg < offer.min_fill_kg:
                await _close(offer, OfferStatus.FILLED, now, notify=False)
            else:
                await _alert(offer, project, vintage, now)
    except IntegrityError:
        if (done := await Offer.get_or_none(key=key)) is not None:
            return await _replay(done)
        raise
    return PlaceResult(await offer_view(offer), tuple([await trade_view(t) for t in trades]))


async def place_bid(
    user_id: int, amount_kg: int, price_per_t: int, *, key: str, project_id: int | None = None,
    filters: Filters | None = None, min_fill_kg: int | None = None, expires_at: datetime | None = None,
    rules: Rules = DEFAULT_RULES, now: datetime | None = None,
) -> PlaceResult:
    """Post a buy offer for one project or for filters: fill against the best asks, hold for the rest."""
    now = now or utcnow()
    if (done := await Offer.get_or_none(key=key)) is not None:
        return await _replay(done)
    min_fill = _check_common(amount_kg, price_per_t, min_fill_kg, expires_at, now, rules)
    if (project_id is None) == (filters is None):
        raise BadOffer(field="project", value="a buy offer names one project or filters")
    filters = filters or Filters()
    projects: dict[int, Project] = {}
    if project_id is not None:
        projects[project_id] = await _project(project_id)
    else:
        query = Project.filter(status=ProjectStatus.APPROVED)
        if filters.project_type:
            query = query.filter(project_type=filters.project_type)
        if filters.country:
            query = query.filter(country=filters.country)
        projects = {p.id: p for p in await query}
    try:
        async with in_transaction():
            for pid in sorted(projects):  # one lock order across books
                book = await _lock_book(pid)
                if project_id is not None:
                    _check_band(book, price_per_t, rules)
            if await _open_count(user_id) >= rules.max_open_offers:
                raise TooManyOffers(maximum=rules.max_open_offers)
            offer = await Offer.create(
                key=key, side=Side.BUY, user_id=user_id, project_id=project_id, price_per_t=price_per_t,
                amount_kg=amount_kg, remaining_kg=amount_kg, min_fill_kg=min_fill, expires_at=expires_at,
                created_at=now, project_type=filters.project_type, country=filters.country,
                vintage_from=filters.vintage_from, vintage_to=filters.vintage_to,
            )
            # Plan the fills on the locked book first: the hold is their cost plus what the rest needs.
            plan: list[tuple[Offer, int, int, int]] = []
            left, offset, seen = amount_kg, 0, {}
            while left > 0 and projects:
                page = await (
                    Offer.filter(project_id__in=list(projects), side=Side.SELL, status=OfferStatus.OPEN,
                                 price_per_t__lte=price_per_t)
                    .exclude(user_id=user_id).order_by("price_per_t", "created_at", "id")
                    .offset(offset).limit(PAGE).select_for_update()
                )
                for ask in page:
                    if left == 0:
                        break
                    vintage = (await _batch_label(ask.batch_id, seen))[1]
                    if not _is_live(ask, now) or not accepts(offer, projects[ask.project_id], vintage):
                        continue
                    kg = _fill_size(left, min_fill, ask)
                    if not kg:
                        continue
                    value, fee = maker_cost(ask, kg, rules.fee_bps)
                    plan.append((ask, kg, value, fee))
                    left -= kg
                if len(page) < PAGE:
                    break
                offset += PAGE
            rest = left if left >= min_fill else 0
            needed = sum(value for _, _, value, _ in plan) + trade_value(rest, price_per_t)
            if needed:
                wallet = await user_account(user_id, STARS)
                try:
                    reserved = await hold(f"market:offer:{offer.id}:hold", wallet.id, needed, Kind.OFFER,
                                          memo=f"buy offer {offer.id}", now=now)
                except InsufficientFunds as error:
                    raise NotEnoughStars(needed=needed, available=error.params.get("available")) from None
                offer.hold_id = reserved.id
                await Offer.filter(id=offer.id).update(hold_id=reserved.id)
            trades = []
            for ask, kg, value, fee in plan:
                trade = await _move(
                    f"market:m:{offer.id}:{ask.id}", project=projects[ask.project_id], batch_id=ask.batch_id,
                    seller_id=ask.user_id, buyer_id=user_id, kg=kg, price=ask.price_per_t, value=value, fee=fee,
                    sell=ask, buy=offer, now=now,
                )
                trades.append(trade)
                offer.remaining_kg -= kg
                await Offer.filter(id=offer.id).update(remaining_kg=offer.remaining_kg)
                await _after_maker_fill(ask, kg, now)
            offer.rest_kg = offer.remaining_kg
            await Offer.filter(id=offer.id).update(rest_kg=offer.rest_kg)
            if offer.remaining_kg < min_fill:
                await _close(offer, OfferStatus.FILLED, now, notify=False)
    except IntegrityError:
        if (done := await Offer.get_or_none(key=key)) is not None:
            return await _replay(done)
        raise
    return PlaceResult(await offer_view(offer), tuple([await trade_view(t) for t in trades]))


async def _replay(offer: Offer) -> PlaceResult:
    trades = await Trade.filter(key__startswith=f"market:m:{offer.id}:").order_by("id")
    return PlaceResult(await offer_view(offer), tuple([await trade_view(t) for t in trades]))


async def _alert(offer: Offer, project: Project, vintage: int, now: datetime) -> None:
    """Tell each matching alert's owner of a new sell offer, once per alert and offer."""
    from core.market.alerts import notify_alerts

    await notify_alerts(offer, project, vintage, now)


async def take_offer(
    user_id: int, offer_id: int, amount_kg: int, *, price_per_t: int, key: str,
    rules: Rules = DEFAULT_RULES, now: datetime | None = None,
) -> TradeView:
    """Take `amount_kg` of a resting offer at the price the taker confirmed.

    The book may have moved since the taker looked: a different price or less
    left raises BookMoved, a closed offer OfferGone; then nothing moves.
    """
    now = now or utcnow()
    if (done := await Trade.get_or_none(key=key)) is not None:
        return await trade_view(done)
    _check_int("amount", amount_kg, 1, rules.max_kg)
    first = await Offer.get_or_none(id=offer_id)
    if first is None:
        raise OfferGone(offer_id=offer_id)
    try:
        async with in_transaction():
            if first.project_id is not None:
                await _lock_book(first.project_id)
            offer = await Offer.select_for_update().get(id=offer_id)
            if not _is_live(offer, now):
                raise OfferGone(offer_id=offer_id, status=offer.status)
            if offer.user_id == user_id:
                raise OwnOffer(offer_id=offer_id)
            if offer.price_per_t != price_per_t or amount_kg > offer.remaining_kg:
                raise BookMoved(offer_id=offer_id, price_per_t=offer.price_per_t, remaining_kg=offer.remaining_kg)
            if amount_kg < offer.min_fill_kg and amount_kg < offer.remaining_kg:
                raise BelowMinFill(min_fill_kg=offer.min_fill_kg, remaining_kg=offer.remaining_kg)
            value, fee = maker_cost(offer, amount_kg, rules.fee_bps)
            if offer.side == Side.SELL:
                project = await _project(offer.project_id)
                trade = await _move(key, project=project, batch_id=offer.batch_id, seller_id=offer.user_id,
                                    buyer_id=user_id, kg=amount_kg, price=offer.price_per_t, value=value, fee=fee,
                                    sell=offer, buy=None, now=now)
            else:
                project_id = offer.project_id
                if project_id is None:
                    raise BadOffer(field="project", value="a filter bid is taken by a sell offer")
                project = await _project(project_id)
                batch = await _seller_batch(user_id, project_id, amount_kg, None, Filters(
                    vintage_from=offer.vintage_from, vintage_to=offer.vintage_to))
                trade = await _move(key, project=project, batch_id=batch, seller_id=user_id,
                                    buyer_id=offer.user_id, kg=amount_kg, price=offer.price_per_t, value=value,
                                    fee=fee, sell=None, buy=offer, now=now)
            await _after_maker_fill(offer, amount_kg, now)
    except IntegrityError:
        if (done := await Trade.get_or_none(key=key)) is not None:
            return await trade_view(done)
        raise
    return await trade_view(trade)


async def cancel_offer(user_id: int, offer_id: int, *, now: datetime | None = None) -> OfferView:
    """The owner withdraws an offer: what is left is released. A closed offer raises OfferGone."""
    return await _end(offer_id, OfferStatus.CANCELLED, now or utcnow(), user_id=user_id)


async def _end(offer_id: int, status: OfferStatus, now: datetime, *, user_id: int | None = None) -> OfferView:
    first = await Offer.get_or_none(id=offer_id)
    if first is None:
        raise OfferGone(offer_id=offer_id)
    if user_id is not None and first.user_id != user_id:
        raise NotYourOffer(offer_id=offer_id)
    async with in_transaction():
        if first.project_id is not None:
            await _lock_book(first.project_id)
        offer = await Offer.select_for_update().get(id=offer_id)
        if offer.status != OfferStatus.OPEN:
            raise OfferGone(offer_id=offer_id, status=offer.status)
        if status == OfferStatus.EXPIRED and (offer.expires_at is None or offer.expires_at > now):
            raise OfferGone(offer_id=offer_id, status=offer.status)
        await _close(offer, status, now)
    return await offer_view(offer)


async def expire_offers(now: datetime | None = None, *, limit: int = 500) -> list[int]:
    """Close every open offer whose time is up and release its hold (a job runs this)."""
    now = now or utcnow()
    due = await Offer.filter(status=OfferStatus.OPEN, expires_at__lte=now).order_by("expires_at").limit(
        limit).values_list("id", flat=True)
    expired = []
    for offer_id in due:
        try:
            await _end(offer_id, OfferStatus.EXPIRED, now)
            expired.append(offer_id)
        except OfferGone:  # filled or cancelled a moment ago
            continue
    return expired


# ---- reading ----

async def get_offer(offer_id: int) -> OfferView:
    offer = await Offer.get_or_none(id=offer_id)
    if offer is None:
        raise OfferGone(offer_id=offer_id)
    return await offer_view(offer)


async def offers_of(user_id: int, *, is_open: bool = True, limit: int = 20) -> list[OfferView]:
    query = Offer.filter(user_id=user_id)
    if is_open:
        query = query.filter(status=OfferStatus.OPEN)
    return [await offer_view(o) for o in await query.order_by("-id").limit(limit)]


EXPIRED_SHOWN = timedelta(days=7)


@dataclass(frozen=True)
class MyOffers:
    live: tuple[OfferView, ...]  # open and in time, newest first
    expired: tuple[OfferView, ...]  # expired in the last EXPIRED_SHOWN, or past their time, newest first


async def my_offers(user_id: int, *, now: datetime | None = None, limit: int = 20, expired_limit: int = 5,
                    expired_within: timedelta = EXPIRED_SHOWN) -> MyOffers:
    """What /offers shows: a trader's open offers and those that expired lately."""
    now = now or utcnow()
    due = Q(expires_at__isnull=False) & Q(expires_at__lte=now)  # past its time, the job not run yet
    live = await Offer.filter(user_id=user_id, status=OfferStatus.OPEN).exclude(due).order_by("-id").limit(limit)
    expired = await Offer.filter(
        Q(status=OfferStatus.OPEN, expires_at__lte=now)
        | Q(status=OfferStatus.EXPIRED, closed_at__gte=now - expired_within),
        user_id=user_id,
    ).order_by("-expires_at", "-id").limit(expired_limit)
    return MyOffers(tuple([await offer_view(o) for o in live]), tuple([await offer_view(o) for o in expired]))


async def countries_of_type(project_type: str, *, limit: int = 6) -> list[str]:
    """The countries (ISO alpha-2) that have approved projects of a type: a filter bid's choices."""
    return list(await Project.filter(status=ProjectStatus.APPROVED, project_type=project_type).distinct().order_by(
        "country").limit(limit).values_list("country", flat=True))


async def trades_of(user_id: int, *, limit: int = 20) -> list[TradeView]:
    rows = await Trade.filter(Q(seller_id=user_id) | Q(buyer_id=user_id)).order_by("-id").limit(limit)
    return [await trade_view(t) for t in rows]


@dataclass(frozen=True)
class Reputation:
    trades: int
    volume_kg: int


async def reputation(user_id: int) -> Reputation:
    """Completed trades and kg traded, as either side: what an offer card shows of its trader."""
    total, volume = 0, 0
    for field in ("seller_id", "buyer_id"):
        row = await Trade.filter(**{field: user_id}).annotate(n=Count("id"), kg=Sum("amount_kg")).first().values(
            "n", "kg")
        total += row["n"] or 0
        volume += row["kg"] or 0
    return Reputation(total, volume)


@dataclass(frozen=True)
class Level:
    price_per_t: int
    amount_kg: int
    offers: int
    first_offer_id: int  # the oldest at this price: the one a taker takes first


@dataclass(frozen=True)
class BookView:
    project_id: int
    asks: tuple[Level, ...]  # lowest first
    bids: tuple[Level, ...]  # highest first
    last_price_per_t: int | None


async def _levels(project_id: int, side: Side, depth: int, now: datetime) -> tuple[Level, ...]:
    order = ("price_per_t" if side == Side.SELL else "-price_per_t", "created_at", "id")
    levels: list[Level] = []
    offset = 0
    while len(levels) <= depth:
        rows = await Offer.filter(project_id=project_id, side=side, status=OfferStatus.OPEN).order_by(
            *order).offset(offset).limit(PAGE).values("id", "price_per_t", "remaining_kg", "expires_at")
        for row in rows:
            if row["expires_at"] is not None and row["expires_at"] <= now:
                continue
            if levels and levels[-1].price_per_t == row["price_per_t"]:
                last = levels[-1]
                levels[-1] = Level(last.price_per_t, last.amount_kg + row["remaining_kg"], last.offers + 1,
                                   last.first_offer_id)
            else:
                levels.append(Level(row["price_per_t"], row["remaining_kg"], 1, row["id"]))
        if len(rows) < PAGE:
            break
        offset += PAGE
    return tuple(levels[:depth])


async def book(project_id: int, *, depth: int = 5, now: datetime | None = None) -> BookView:
    now = now or utcnow()
    row = await Book.get_or_none(project_id=project_id)
    return BookView(project_id, await _levels(project_id, Side.SELL, depth, now),
                    await _levels(project_id, Side.BUY, depth, now), row.last_price_per_t if row else None)


@dataclass(frozen=True)
class MarketLine:
    project_id: int
    project_code: str
    project_name: str
    project_type: str
    country: str
    best_bid: int | None
    best_ask: int | None
    last_price_per_t: int | None
    volume_24h_kg: int


async def overview(*, now: datetime | None = None) -> list[MarketLine]:
    """Every approved project with its best bid and ask, last price and the last 24 h's volume."""
    now = now or utcnow()
    lines = []
    for project in await Project.filter(status=ProjectStatus.APPROVED).order_by("id"):
        view = await book(project.id, depth=1, now=now)
        volume = await Trade.filter(project_id=project.id, created_at__gte=now - timedelta(hours=24)).annotate(
            kg=Sum("amount_kg")).first().values("kg")
        lines.append(MarketLine(
            project.id, project.code, project.name, project.project_type, project.country,
            view.bids[0].price_per_t if view.bids else None, view.asks[0].price_per_t if view.asks else None,
            view.last_price_per_t, (volume or {}).get("kg") or 0,
        ))
    return lines


async def price_history(project_id: int, *, limit: int = 500) -> list[tuple[datetime, int, int]]:
    """(time, price per t, kg) of a project's last trades, oldest first: the chart's data."""
    rows = await Trade.filter(project_id=project_id).order_by("-id").limit(limit).values(
        "created_at", "price_per_t", "amount_kg")
    return [(r["created_at"], r["price_per_t"], r["amount_kg"]) for r in reversed(rows)]
