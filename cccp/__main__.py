"""`cccp` — the one command-line entry (also `python -m cccp`).

The only place that imports core, bot, web and sandbox together to start
processes. Each area adds its subcommands through `add_parser(subparsers)`;
a subcommand sets `func(args) -> int` (the exit code).
"""

from __future__ import annotations

import argparse
import logging
import sys

from cccp import audit as audit_commands
from cccp import catalog as catalog_commands
from cccp import certs as certs_commands
from cccp import codes as codes_commands
from cccp import db as db_commands
from cccp import footprint as footprint_commands
from cccp import forest as forest_commands
from cccp import outbox as outbox_commands
from cccp import payments as payments_commands
from cccp import registry as registry_commands
from cccp import run as run_commands
from cccp import sandbox as sandbox_commands
from cccp import seed_demo as seed_demo_commands
from core.db import SchemaNotReady
from core.settings import SettingsError

AREAS = [
    db_commands,
    run_commands,
    sandbox_commands,
    seed_demo_commands,
    registry_commands,
    footprint_commands,
    certs_commands,
    catalog_commands,
    payments_commands,
    audit_commands,
    outbox_commands,
    forest_commands,
    codes_commands,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cccp", description="CCCP carbon credit registry and bot")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug output")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for area in AREAS:
        area.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        return args.func(args)
    except (SettingsError, SchemaNotReady) as exc:
        print(f"cccp: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
