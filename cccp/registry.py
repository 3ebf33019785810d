"""`cccp registry ...`: the operators' registry commands.

    cccp registry projects
    cccp registry methodologies
    cccp registry create-project --name NAME --methodology ACM0001 --country DE --producer USER_ID [--approve]
    cccp registry approve PROJECT | suspend PROJECT
    cccp registry issue PROJECT VINTAGE AMOUNT [--unit kg|t] [--gas CH4] [--key KEY]
    cccp registry show SERIAL_OR_RETIREMENT_ID
    cccp registry reductions [--limit N]

AMOUNT is kg CO2e by default; with --unit t tonnes CO2e; with --gas it is the
quantity of that gas avoided (in --unit, default t), converted with AR6 GWP-100.
The default idempotency key is made from the arguments, so running the same
issue command twice issues once; give --key to issue the same amount again.
Errors print their code and exit 1.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from decimal import Decimal, InvalidOperation

from core import db, registry
from core.errors import DomainError
from core.registry import errors as registry_errors
from core.settings import load_settings


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("registry", help="projects, issuance and serial look-up")
    commands = parser.add_subparsers(dest="registry_command", required=True, metavar="ACTION")

    commands.add_parser("projects", help="list projects").set_defaults(func=_run(projects))
    commands.add_parser("methodologies", help="list known methodologies").set_defaults(
        func=methodologies
    )

    create = commands.add_parser("create-project", help="register a project")
    create.add_argument("--name", required=True)
    create.add_argument("--methodology", required=True, help="e.g. VM0047, ACM0001, AM0023, CCCP-SF6")
    create.add_argument("--country", required=True, help="ISO 3166-1 alpha-2, e.g. DE")
    create.add_argument("--producer", required=True, type=int, help="the producer's user id")
    create.add_argument("--code", help="public code in serials (default P<id>)")
    create.add_argument("--location", default="")
    create.add_argument("--description", default="")
    create.add_argument("--buffer-percent", type=int, help="default: the methodology's")
    create.add_argument("--approve", action="store_true", help="approve at once")
    create.set_defaults(func=_run(create_project))

    for name, helptext in (("approve", "approve a project"), ("suspend", "suspend a project")):
        status = commands.add_parser(name, help=helptext)
        status.add_argument("project", help="project id or code")
        status.set_defaults(func=_run(set_status), action=name)

    issue = commands.add_parser("issue", help="issue a batch of credits")
    issue.add_argument("project", help="project id or code")
    issue.add_argument("vintage", type=int)
    issue.add_argument("amount", help="kg CO2e, t CO2e with --unit t, or gas with --gas")
    issue.add_argument("--unit", choices=["kg", "t"])
    issue.add_argument("--gas", help="CO2, CH4 (the methodology's kind), CH4-fossil, N2O, SF6")
    issue.add_argument("--key", help="idempotency key (default: from the arguments)")
    issue.set_defaults(func=_run(issue_credits))

    show = commands.add_parser("show", help="look up a serial number or retirement id")
    show.add_argument("text", help="CCCP-P1-2024-1000, CCCP-P1-2024-1-1000 or R...")
    show.set_defaults(func=_run(show_serial))

    reductions = commands.add_parser("reductions", help="reduction orders that purchases started")
    reductions.add_argument("--limit", type=int, default=50)
    reductions.set_defaults(func=_run(list_reductions))


# Codes an operator meets at the command line, said in words after the code.
HINTS = {
    "unknown_producer": "no user with id {producer_id} has signed up; the producer signs up in the bot first",
}


def _run(command):
    """Open the database, run the async command, print a domain error's code."""

    def run(args: argparse.Namespace) -> int:
        async def main() -> int:
            await db.open_migrated_db(load_settings().database_url)
            try:
                return await command(args)
            finally:
                await db.close_db()

        try:
            return asyncio.run(main())
        except DomainError as error:
            print(f"error: {error.code} {error.params}", file=sys.stderr)
            if (hint := HINTS.get(error.code)) is not None:
                print(hint.format(**error.params), file=sys.stderr)
            return 1

    return run


def _project_line(p: registry.ProjectView) -> str:
    return (
        f"{p.code:<8} {p.status:<9} {p.methodology:<9} {p.standard:<13} {p.country} "
        f"buffer {p.buffer_percent:>2}%  producer {p.producer_id}  {p.name}"
    )


async def projects(args: argparse.Namespace) -> int:
    found = await registry.list_projects()
    for project in found:
        print(_project_line(project))
    if not found:
        print("no projects")
    return 0


def methodologies(args: argparse.Namespace) -> int:
    for m in registry.list_methodologies():
        print(f"{m.code:<9} {m.standard:<13} {m.project_type:<20} {m.gas:<15} buffer {m.buffer_percent:>2}%  {m.name}")
    return 0


async def create_project(args: argparse.Namespace) -> int:
    project = await registry.create_project(
        name=args.name,
        methodology=args.methodology,
        country=args.country,
        producer_id=args.producer,
        code=args.code,
        location=args.location,
        description=args.description,
        buffer_percent=args.buffer_percent,
        approve=args.approve,
    )
    print(_project_line(project))
    return 0


async def set_status(args: argparse.Namespace) -> int:
    change = registry.approve_project if args.action == "approve" else registry.suspend_project
    print(_project_line(await change(args.project)))
    return 0


def _kg_co2e(amount: str, unit: str | None) -> int:
    try:
        value = Decimal(amount.replace(",", ".").replace("_", ""))
    except InvalidOperation:
        raise registry_errors.BadQuantity(quantity=amount) from None
    kg = value * (1000 if unit == "t" else 1)
    if kg != kg.to_integral_value():
        raise registry_errors.BadQuantity(quantity=amount, reason="whole kg CO2e only")
    return int(kg)


async def issue_credits(args: argparse.Namespace) -> int:
    key = args.key or f"cli:{args.project}:{args.vintage}:{args.amount}:{args.unit}:{args.gas}"
    # A replayed key returns the first batch: tell the operator nothing new was issued.
    known_batch_ids = {b.id for b in await registry.list_batches(args.project)}
    if args.gas:
        batch = await registry.issue_reduction(
            args.project, args.vintage, args.gas, args.amount, args.unit or "t", key=key
        )
    else:
        batch = await registry.issue_batch(
            args.project, args.vintage, _kg_co2e(args.amount, args.unit), key=key
        )
    what = f"{batch.amount_kg} kg CO2e ({batch.buffer_kg} kg to the buffer pool): {batch.serial}"
    if batch.id in known_batch_ids:
        print(f"already issued under key {key}, nothing new: {what}")
    else:
        print(f"issued {what}")
    return 0


async def show_serial(args: argparse.Namespace) -> int:
    found = await registry.lookup(args.text)
    p = found.project
    print(f"project  {p.code} {p.name} ({p.methodology}, {p.standard}, {p.country_name})")
    if found.batch:
        print(f"batch    {found.batch.id} vintage {found.batch.vintage}: {found.batch.serial}")
    if found.retirement:
        r = found.retirement
        print(f"retirement {r.id}: {r.amount_kg} kg for {r.beneficiary} ({r.reason or '-'}) on {r.created_at:%Y-%m-%d %H:%M} UTC")
    for piece in found.pieces:
        line = f"  {piece.serial}  {piece.amount_kg} kg  {piece.status}"
        if piece.status == "retired":
            line += f" for {piece.beneficiary} ({piece.reason or '-'}) on {piece.retired_at:%Y-%m-%d}, {piece.retirement_id}"
        print(line)
    if found.is_truncated:
        print("  ... (more pieces)")
    for order in found.reductions:
        print(
            f"reduction order #{order.id}: {order.status}, {order.amount_kg} kg, "
            f"{order.created_at:%Y-%m-%d}"
        )
    return 0


async def list_reductions(args: argparse.Namespace) -> int:
    from cccp.catalog import print_reductions

    return await print_reductions(args.limit)
