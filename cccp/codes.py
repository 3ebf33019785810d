"""`cccp codes ...` and `cccp labels ...`: merchants, product codes and label sheets.

Every merchant action of the bot exists here too, for operators and scripts;
`--json` prints machine-readable output. Bad input prints the error on stderr and
exits with code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from core import codes, db
from core.codes.labels import FORMATS, Label, label_url, render_labels
from core.codes.secret import codes_secret
from core.errors import DomainError
from core.settings import load_settings

EXIT_BAD_INPUT = 2


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add `codes` and `labels` to the `cccp` command line."""
    parser = subparsers.add_parser("codes", help="merchants, their products and product codes")
    sub = parser.add_subparsers(dest="codes_command", required=True, metavar="ACTION")

    def command(name: str, help_text: str, work) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--json", action="store_true", help="machine-readable output")
        p.set_defaults(func=lambda a: _run(work(a)))
        return p

    p = command("register-merchant", "make a signed-up user a merchant (pending)", _register)
    p.add_argument("--user", required=True, type=int, help="Telegram user id")
    p.add_argument("--name", default=None, help="the name on labels and certificates")
    for name, verb in (("approve-merchant", codes.approve_merchant), ("suspend-merchant", codes.suspend_merchant)):
        p = command(name, f"{name.split('-')[0]} a merchant", lambda a, verb=verb: _set_status(a, verb))
        p.add_argument("user", type=int, help="the merchant's Telegram user id")
    p = command("add-product", "register a product sold outside the bot", _add_product)
    p.add_argument("--merchant", required=True, type=int, help="the merchant's Telegram user id")
    p.add_argument("--name", required=True)
    p.add_argument("--kg", type=int, default=None, help="kg CO2e each unit carries")
    p.add_argument("--footprint", default=None, help='work the kg out from a footprint, e.g. "1 kg beef"')
    p.add_argument("--gtin", default=None, help="GTIN or SKU")
    p = command("fund", "hold the backing of N codes and print the batch id", _fund)
    p.add_argument("product", type=int, help="product id")
    p.add_argument("--count", required=True, type=int)
    p.add_argument("--expires", default=None, help="expiry date (YYYY-MM-DD, UTC)")
    p.add_argument("--key", default=None, help="idempotency key (default: a fresh one)")
    p = command("batches", "funded batches, newest first", _batches)
    p.add_argument("--merchant", type=int, default=None)
    p = command("show", "what a code is and whether it was claimed", _show)
    p.add_argument("code")
    command("expire", "retire the unclaimed backing of batches past their expiry now", _expire)

    p = subparsers.add_parser("labels", help="a batch's label sheet as a vector PDF")
    p.add_argument("batch", help="batch id (B...)")
    p.add_argument("--format", choices=sorted(FORMATS), default="a4-3x8")
    p.add_argument("--out", required=True, type=Path)
    p.set_defaults(func=lambda a: _run(_labels(a)))


def _run(work: Awaitable[int]) -> int:
    async def main() -> int:
        await db.open_migrated_db(load_settings().database_url)
        try:
            return await work
        except DomainError as error:
            print(f"cccp: {error.code} {error.params}", file=sys.stderr)
            return EXIT_BAD_INPUT
        finally:
            await db.close_db()

    return asyncio.run(main())


def _print(args, data: dict | list, text: str) -> int:
    print(json.dumps(data, default=str, sort_keys=True) if getattr(args, "json", False) else text)
    return 0


async def _register(args) -> int:
    merchant = await codes.register_merchant(args.user, args.name)
    return _print(args, asdict(merchant), f"merchant {merchant.user_id} {merchant.name!r}: {merchant.status}")


async def _set_status(args, verb) -> int:
    merchant = await verb(args.user)
    return _print(args, asdict(merchant), f"merchant {merchant.user_id} {merchant.name!r}: {merchant.status}")


async def _add_product(args) -> int:
    if (args.kg is None) == (args.footprint is None):
        print("cccp: give --kg or --footprint (one of them)", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        product = await codes.add_product(args.merchant, args.name, kg_per_unit=args.kg, gtin=args.gtin,
                                          footprint_basis=args.footprint)
    except ValueError as error:  # a footprint the calculator cannot read
        print(f"cccp: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return _print(args, asdict(product), str(product.id))


def _date(text: str | None) -> datetime | None:
    if text is None:
        return None
    return datetime.fromisoformat(text).replace(tzinfo=UTC) if "T" not in text else datetime.fromisoformat(text)


async def _fund(args) -> int:
    import secrets

    settings = load_settings()
    batch = await codes.fund_batch(
        args.product, args.count, secret=codes_secret(settings), key=args.key or f"cli:{secrets.token_hex(8)}",
        expires_at=_date(args.expires),
    )
    return _print(args, _batch_data(batch), batch.id)


def _batch_data(batch: codes.BatchView) -> dict:
    data = asdict(batch)
    data["product"] = batch.product.id
    data["product_name"] = batch.product.name
    return data


async def _batches(args) -> int:
    rows = await codes.batches(user_id=args.merchant)
    lines = [
        f"{b.id}  {b.product.name} ({b.product.merchant_name})  {b.count} codes x {b.kg_per_unit} kg"
        f"  claimed {b.claimed}  held {b.held_kg} kg  {b.status}"
        + (f"  expires {b.expires_at:%Y-%m-%d}" if b.expires_at else "")
        for b in rows
    ]
    return _print(args, [_batch_data(b) for b in rows], "\n".join(lines) or "no batches")


async def _show(args) -> int:
    view = await codes.code_status(args.code, secret=codes_secret(load_settings()))
    data = asdict(view)
    data["product"] = asdict(view.product)
    text = (f"{codes.printed(view.code)}  {view.product.name} ({view.product.merchant_name}), "
            f"{view.product.kg_per_unit} kg, batch {view.batch_id}: {view.state}"
            + (f" at {view.claimed_at:%Y-%m-%d %H:%M} UTC" if view.claimed_at else "")
            + (f", retirement {view.retirement_id}" if view.retirement_id else ""))
    return _print(args, data, text)


async def _expire(args) -> int:
    done = await codes.expire_batches()
    return _print(args, done, "\n".join(done) or "nothing to expire")


async def _labels(args) -> int:
    settings = load_settings()
    batch = await codes.get_batch(args.batch)
    all_codes = await codes.batch_codes(batch.id, secret=codes_secret(settings))
    labels = [Label(code, label_url(settings.public_base_url, code), batch.product.name, batch.kg_per_unit)
              for code in all_codes]

    def progress(done: int, total: int) -> None:
        if total >= 200:
            print(f"\r{done}/{total} labels", end="", file=sys.stderr, flush=True)

    pdf = await asyncio.to_thread(render_labels, labels, args.format, title=f"CCCP {batch.id}", progress=progress)
    if len(labels) >= 200:
        print(file=sys.stderr)
    args.out.write_bytes(pdf)
    print(f"{len(labels)} labels -> {args.out}")
    return 0
