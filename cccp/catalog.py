"""`cccp catalog ...` and `cccp purchases ...`: what is for sale and what was bought.

Operators list credits and create CCCP products here until merchants can
register their own (a later issue; `owner` on listings and products is the
seam). Bad input prints the error on stderr and exits with code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable

from bot.i18n import translator
from core import db
from core.certs.service import format_tonnes
from core.errors import DomainError
from core.settings import load_settings

EXIT_BAD_INPUT = 2


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add `catalog` and `purchases` to the `cccp` command line."""
    parser = subparsers.add_parser("catalog", help="credits and CCCP products for sale")
    sub = parser.add_subparsers(dest="catalog_command", required=True, metavar="ACTION")

    p = sub.add_parser("list", help="every listing and product, with what is available")
    p.add_argument("--all", action="store_true", help="include withdrawn and sold-out items")
    p.set_defaults(func=lambda a: _run(_list(a)))

    p = sub.add_parser("add-listing", help="offer a batch's credits at a price per tonne")
    p.add_argument("--project", required=True, help="project code, e.g. P7")
    p.add_argument("--batch", required=True, type=int, help="batch id (see cccp registry)")
    p.add_argument("--price-xtr-per-t", required=True, type=int, help="Telegram Stars per tonne")
    p.add_argument("--price-cents-per-t", type=int, default=0,
                   help="card price per tonne in the currency's minor unit (0: Stars only)")
    p.add_argument("--currency", default=None, help="card currency (default CARD_CURRENCY)")
    p.add_argument("--seller", choices=["producer", "inventory"], default="producer",
                   help="sell from the producer's wallet or from CCCP's inventory account")
    p.add_argument("--fee-bps", type=int, default=0, help="CCCP's fee in basis points")
    p.set_defaults(func=lambda a: _run(_add_listing(a)))

    p = sub.add_parser("add-product", help="a CCCP product or service carrying fixed credits")
    p.add_argument("--name", required=True)
    p.add_argument("--description", default="")
    p.add_argument("--kg", required=True, type=int, help="kg CO2e each unit carries")
    p.add_argument("--price-xtr", required=True, type=int, help="Telegram Stars per unit")
    p.add_argument("--price-cents", type=int, default=0, help="card price per unit (minor unit)")
    p.add_argument("--currency", default=None)
    p.add_argument("--listing", required=True, type=int, help="the listing its credits come from")
    p.set_defaults(func=lambda a: _run(_add_product(a)))

    for name, is_active in (("withdraw", False), ("restore", True)):
        p = sub.add_parser(name, help=f"{name} an item (L<id> or P<id>)")
        p.add_argument("ref")
        p.set_defaults(func=lambda a, active=is_active: _run(_set_active(a, active)))

    parser = subparsers.add_parser("purchases", help="orders, payments and reduction orders")
    sub = parser.add_subparsers(dest="purchases_command", required=True, metavar="ACTION")
    p = sub.add_parser("list", help="a user's purchases, newest first")
    p.add_argument("--user", required=True, type=int)
    p.set_defaults(func=lambda a: _run(_purchases(a)))
    p = sub.add_parser("reductions", help="reduction orders that purchases started")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=lambda a: _run(_reductions(a)))
    p = sub.add_parser("refunds", help="payments owed back (card payments: refund at the provider)")
    p.set_defaults(func=lambda a: _run(_refunds(a)))
    p = sub.add_parser("record-refund", help="book a refund staff made at the card provider")
    p.add_argument("charge_id", help="the telegram_payment_charge_id (see `purchases refunds`)")
    p.set_defaults(func=lambda a: _run(_record_refund(a)))
    p = sub.add_parser("expire", help="release lapsed holds and expire old orders now")
    p.set_defaults(func=lambda a: _run(_expire(a)))


def _run(work: Awaitable[int]) -> int:
    async def main() -> int:
        await db.open_migrated_db(load_settings().database_url)
        try:
            return await work
        except DomainError as error:
            print(f"cccp: {error.code}: {error.params}", file=sys.stderr)
            return EXIT_BAD_INPUT
        finally:
            await db.close_db()

    return asyncio.run(main())


def _listing_line(card) -> str:
    state = "" if card.is_active else "  [withdrawn]"
    cents = f", {translator('en').money(card.currency, card.price_cents_per_t)}/t" if card.price_cents_per_t else ""
    return (
        f"{card.ref:>6}  {card.project_code} {card.project_name} ({card.project_type}, "
        f"{card.methodology}, {card.country}) vintage {card.vintage} batch {card.batch_id}: "
        f"{format_tonnes(card.available_kg)} t available at {card.price_xtr_per_t} XTR/t{cents}"
        f"{state}"
    )


def _product_line(card) -> str:
    state = "" if card.is_active else "  [withdrawn]"
    return (
        f"{card.ref:>6}  {card.name}: {card.kg_per_unit} kg CO2e per unit at {card.price_xtr} XTR"
        f" from {card.listing.ref}; {card.available_units} units available{state}"
    )


async def _list(args: argparse.Namespace) -> int:
    from core.catalog import service as catalog

    listings = await catalog.list_listings(include_inactive=args.all)
    products = await catalog.list_products(include_inactive=args.all)
    print("Listings:" if listings else "No listings.")
    for card in listings:
        print(_listing_line(card))
    print("Products:" if products else "No products.")
    for card in products:
        print(_product_line(card))
    return 0


def _currency(value: str | None) -> str:
    return (value or load_settings().card_currency).upper()


async def _add_listing(args: argparse.Namespace) -> int:
    from core.catalog import service as catalog
    from core.ledger import CARBON, Role, system_account

    seller_id = None
    if args.seller == "inventory":
        seller_id = (await system_account(Role.INVENTORY, CARBON)).id
    card = await catalog.create_listing(
        project_code=args.project.upper(),
        batch_id=args.batch,
        price_xtr_per_t=args.price_xtr_per_t,
        price_cents_per_t=args.price_cents_per_t,
        currency=_currency(args.currency),
        seller_account_id=seller_id,
        fee_bps=args.fee_bps,
    )
    print(_listing_line(card))
    return 0


async def _add_product(args: argparse.Namespace) -> int:
    from core.catalog import service as catalog

    card = await catalog.create_product(
        name=args.name,
        description=args.description,
        kg_per_unit=args.kg,
        price_xtr=args.price_xtr,
        price_cents=args.price_cents,
        currency=_currency(args.currency),
        listing_id=args.listing,
    )
    print(_product_line(card))
    return 0


async def _set_active(args: argparse.Namespace, is_active: bool) -> int:
    from core.catalog import service as catalog
    from core.catalog.service import ListingCard

    card = await catalog.set_active(args.ref.upper(), is_active)
    print(_listing_line(card) if isinstance(card, ListingCard) else _product_line(card))
    return 0


async def _purchases(args: argparse.Namespace) -> int:
    from core.purchases import service as purchases

    views = await purchases.purchases_of(args.user)
    if not views:
        print("No purchases.")
    for p in views:
        retire = f", retire for {p.retire_for}" if p.retire_for else ""
        print(
            f"{p.id}  {p.created_at:%Y-%m-%d %H:%M}  {p.status:<13} {format_tonnes(p.amount_kg)} t "
            f"{p.project_code} for {p.total_amount} {p.currency}{retire}"
            + (f"  retirement {p.retirement_id}" if p.retirement_id else "")
        )
    return 0


async def _reductions(args: argparse.Namespace) -> int:
    return await print_reductions(args.limit)


async def print_reductions(limit: int) -> int:
    """The newest reduction orders, one a line (`cccp purchases reductions`, `cccp registry reductions`)."""
    from core.purchases import service as purchases

    orders = await purchases.reduction_orders(limit=limit)
    if not orders:
        print("No reduction orders.")
    for o in orders:
        print(
            f"#{o.id}  {o.created_at:%Y-%m-%d %H:%M}  {o.status}  {format_tonnes(o.amount_kg)} t "
            f"({o.amount_kg} kg) via {o.project_code}, purchase {o.purchase_id}"
            + (f", retirement {o.retirement_id}" if o.retirement_id else "")
        )
    return 0


async def _refunds(args: argparse.Namespace) -> int:
    from core.purchases import service as purchases

    owed = await purchases.refunds_owed()
    if not owed:
        print("No refunds owed.")
    for r in owed:
        print(
            f"{r.charge_id}  {r.paid_at:%Y-%m-%d %H:%M}  user {r.user_id}  {r.total_amount} "
            f"{r.currency} (minor units)  {r.reason}  order {r.purchase_id or '-'}"
            + (f"  provider {r.provider_charge_id}" if r.provider_charge_id else "")
        )
    return 0


async def _record_refund(args: argparse.Namespace) -> int:
    from core.purchases import service as purchases

    result = await purchases.record_refund(args.charge_id)
    print(f"refund of {result.total_amount} {result.currency} (minor units) booked: {result.outcome}")
    return 0


async def _expire(args: argparse.Namespace) -> int:
    from core.purchases import service as purchases

    report = await purchases.expire_purchases()
    print(
        f"{report.holds_expired} hold(s) released, {report.orders_released} order(s) back to "
        f"pending, {report.orders_expired} order(s) expired"
    )
    return 0

