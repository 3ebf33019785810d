"""The catalogue: listings of project credits and CCCP products, as cards.

A card is what a buyer sees: project, type, methodology, country, vintage,
what is still available and the price per tonne. Available is computed, never
stored: the seller account's active serial blocks in the listing's batch
(held blocks are already excluded, so credits promised to a pending payment
are not offered twice). `quote` turns an item and an amount into a price with
the one rounding rule of `core.catalog.pricing`.

Item references are short strings that fit in callback data: `L<id>` for a
listing, `P<id>` for a product.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from core.catalog import inventory
from core.catalog.errors import (
    CurrencyNotOffered,
    InvalidListing,
    NotWholeUnits,
    OfferWithdrawn,
    UnknownItem,
)
from core.catalog.models import Listing, Product
from core.catalog.pricing import check_purchase_kg, fee_of, trade_value
from core.clock import utcnow
from core.ledger import STARS, get_account

_REF = re.compile(r"^([LP])([1-9][0-9]{0,17})$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class ListingCard:
    id: int
    owner: str
    seller_account_id: int
    project_id: int
    project_code: str
    project_name: str
    project_type: str
    methodology: str
    standard: str
    country: str
    batch_id: int
    vintage: int
    price_xtr_per_t: int
    price_cents_per_t: int
    currency: str
    fee_bps: int
    is_active: bool
    available_kg: int

    @property
    def ref(self) -> str:
        return f"L{self.id}"

    def price_per_t(self, currency: str) -> int:
        """The price per tonne in `currency` (XTR or the listing's card currency)."""
        if currency == STARS:
            return self.price_xtr_per_t
        if currency == self.currency and self.price_cents_per_t > 0:
            return self.price_cents_per_t
        raise CurrencyNotOffered(item=self.ref, currency=currency)


@dataclass(frozen=True)
class ProductCard:
    id: int
    owner: str
    name: str
    description: str
    kg_per_unit: int
    price_xtr: int
    price_cents: int
    currency: str
    is_active: bool
    listing: ListingCard

    @property
    def ref(self) -> str:
        return f"P{self.id}"

    @property
    def available_units(self) -> int:
        return self.listing.available_kg // self.kg_per_unit

    def price_per_unit(self, currency: str) -> int:
        if currency == STARS:
            return self.price_xtr
        if currency == self.currency and self.price_cents > 0:
            return self.price_cents
        raise CurrencyNotOffered(item=self.ref, currency=currency)


Item = ListingCard | ProductCard


@dataclass(frozen=True)
class Quote:
    item_ref: str
    amount_kg: int
    units: int  # products: how many; listings: 0
    currency: str
    unit_price: int  # per tonne for listings, per unit for products
    total: int
    fee: int

    @property
    def seller_gets(self) -> int:
        return self.total - self.fee


def parse_ref(ref: str) -> tuple[str, int]:
    """('L', 12) for 'L12'; UnknownItem for anything else."""
    match = _REF.match(ref or "")
    if match is None:
        raise UnknownItem(item=str(ref)[:20])
    return match.group(1), int(match.group(2))


def _with_relations(query):
    """Listings read with their project and batch in the same query (what _listing_card needs)."""
    return query.select_related("project", "batch")


async def _loaded_listing(listing_id: int) -> Listing | None:
    return await _with_relations(Listing.filter(id=listing_id)).first()


async def _listing_card(row: Listing) -> ListingCard:
    """The card of a listing read with its project and batch (`_with_relations`)."""
    return ListingCard(
        id=row.id,
        owner=row.owner,
        seller_account_id=row.seller_account_id,
        project_id=row.project.id,
        project_code=row.project.code,
        project_name=row.project.name,
        project_type=row.project.project_type,
        methodology=row.project.methodology,
        standard=row.project.standard,
        country=row.project.country,
        batch_id=row.batch.id,
        vintage=row.batch.vintage,
        price_xtr_per_t=row.price_xtr_per_t,
        price_cents_per_t=row.price_cents_per_t,
        currency=row.currency,
        fee_bps=row.fee_bps,
        is_active=row.is_active,
        available_kg=await inventory.available_kg(row.seller_account_id, row.batch_id),
    )


async def _product_card(row: Product, listing: ListingCard | None = None) -> ProductCard:
    if listing is None:
        listing = await _listing_card(await _loaded_listing(row.listing_id))
    return ProductCard(
        id=row.id,
        owner=row.owner,
        name=row.name,
        description=row.description,
        kg_per_unit=row.kg_per_unit,
        price_xtr=row.price_xtr,
        price_cents=row.price_cents,
        currency=row.currency,
        is_active=row.is_active,
        listing=listing,
    )


def _check_currency(currency: str) -> str:
    currency = (currency or "").upper()
    if not _CURRENCY.match(currency) or currency == STARS:
        raise InvalidListing(field="currency", value=currency)
    return currency


def _check_price(name: str, value: int, *, minimum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise InvalidListing(field=name, value=value)
    return value


def _check_fee(fee_bps: int) -> int:
    if not isinstance(fee_bps, int) or isinstance(fee_bps, bool) or not 0 <= fee_bps <= 10_000:
        raise InvalidListing(field="fee_bps", value=fee_bps)
    return fee_bps


async def create_listing(
    *,
    project_code: str,
    batch_id: int,
    price_xtr_per_t: int,
    price_cents_per_t: int = 0,
    currency: str = "EUR",
    seller_account_id: int | None = None,
    fee_bps: int = 0,
    owner: str = "system",
    now: datetime | None = None,
) -> ListingCard:
    """Offer a batch's credits held by the seller (default: the producer's carbon wallet)."""
    batch = await inventory.batch_of_project(project_code, batch_id)
    if seller_account_id is None:
        seller_account_id = await inventory.producer_account_id(batch.project_id)
    seller = await get_account(seller_account_id)
    if seller.asset != "carbon":
        raise InvalidListing(field="seller_account", value=seller_account_id)
    row = await Listing.create(
        owner=owner,
        seller_account_id=seller.id,
        project_id=batch.project_id,
        batch_id=batch.id,
        price_xtr_per_t=_check_price("price_xtr_per_t", price_xtr_per_t, minimum=1),
        price_cents_per_t=_check_price("price_cents_per_t", price_cents_per_t, minimum=0),
        currency=_check_currency(currency),
        fee_bps=_check_fee(fee_bps),
        is_active=True,
        created_at=now or utcnow(),
    )
    return await _listing_card(await _loaded_listing(row.id))


async def create_product(
    *,
    name: str,
    kg_per_unit: int,
    price_xtr: int,
    listing_id: int,
    description: str = "",
    price_cents: int = 0,
    currency: str = "EUR",
    owner: str = "system",
    now: datetime | None = None,
) -> ProductCard:
    """A CCCP product or service carrying `kg_per_unit` credits from a listing's batch."""
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        raise InvalidListing(field="name", value=name[:40])
    if len(description) > 1000:
        raise InvalidListing(field="description", value=description[:40])
    listing = await Listing.get_or_none(id=listing_id)
    if listing is None:
        raise UnknownItem(item=f"L{listing_id}")
    row = await Product.create(
        owner=owner,
        name=name,
        description=description.strip(),
        kg_per_unit=_check_price("kg_per_unit", kg_per_unit, minimum=1),
        price_xtr=_check_price("price_xtr", price_xtr, minimum=1),
        price_cents=_check_price("price_cents", price_cents, minimum=0),
        currency=_check_currency(currency),
        listing_id=listing.id,
        is_active=True,
        created_at=now or utcnow(),
    )
    return await _product_card(row)


async def list_listings(*, include_inactive: bool = False) -> list[ListingCard]:
    """Listing cards, oldest first; by default only active ones with credits left."""
    query = Listing.all() if include_inactive else Listing.filter(is_active=True)
    cards = [await _listing_card(row) for row in await _with_relations(query).order_by("id")]
    if include_inactive:
        return cards
    return [card for card in cards if card.available_kg > 0]


async def list_products(*, include_inactive: bool = False) -> list[ProductCard]:
    query = Product.all() if include_inactive else Product.filter(is_active=True)
    cards = [await _product_card(row) for row in await query.order_by("id")]
    if include_inactive:
        return cards
    return [c for c in cards if c.listing.is_active and c.available_units > 0]


async def get_item(ref: str) -> Item:
    """The card behind `L<id>` or `P<id>`, whether or not it is still for sale."""
    kind, item_id = parse_ref(ref)
    if kind == "L":
        row = await _loaded_listing(item_id)
        if row is None:
            raise UnknownItem(item=ref)
        return await _listing_card(row)
    product = await Product.get_or_none(id=item_id)
    if product is None:
        raise UnknownItem(item=ref)
    return await _product_card(product)


async def set_active(ref: str, is_active: bool) -> Item:
    """Withdraw an item from sale (or put it back)."""
    kind, item_id = parse_ref(ref)
    model = Listing if kind == "L" else Product
    if not await model.filter(id=item_id).update(is_active=is_active):
        raise UnknownItem(item=ref)
    return await get_item(ref)


def is_product_ref(ref: str) -> bool:
    """Whether `ref` names a CCCP product (`P<id>`) rather than a listing: the one place
    that knows how refs are spelt."""
    match = _REF.match(ref or "")
    return match is not None and match.group(1) == "P"


def is_for_sale(item: Item) -> bool:
    if isinstance(item, ProductCard):
        return item.is_active and item.listing.is_active
    return item.is_active


def quote(item: Item, amount_kg: int, *, currency: str = STARS) -> Quote:
    """The price of `amount_kg` of `item` in `currency` (no database access)."""
    amount_kg = check_purchase_kg(amount_kg)
    if not is_for_sale(item):
        raise OfferWithdrawn(item=item.ref)
    if isinstance(item, ProductCard):
        units, rest = divmod(amount_kg, item.kg_per_unit)
        if rest or units < 1:
            raise NotWholeUnits(item=item.ref, kg_per_unit=item.kg_per_unit, amount_kg=amount_kg)
        unit_price = item.price_per_unit(currency)
        total = units * unit_price
        fee = fee_of(total, item.listing.fee_bps)
        return Quote(item.ref, amount_kg, units, currency, unit_price, total, fee)
    unit_price = item.price_per_t(currency)
    total = trade_value(amount_kg, unit_price)
    return Quote(item.ref, amount_kg, 0, currency, unit_price, total, fee_of(total, item.fee_bps))


def listing_of(item: Item) -> ListingCard:
    return item.listing if isinstance(item, ProductCard) else item


async def for_sale_kg(project_code: str) -> int:
    """kg of a project that its active listings offer now: the figure /buy shows in the bot,
    summed once per seller and batch (two listings of the same credits do not count twice)."""
    pairs = await Listing.filter(project__code=project_code, is_active=True).distinct().values_list(
        "seller_account_id", "batch_id"
    )
    return sum([await inventory.available_kg(seller, batch) for seller, batch in set(pairs)])
