"""`cccp footprint ...`: the footprint calculator on the command line.

One subcommand per activity plus `sources`. Human output is a breakdown with each
factor's source; `--json` prints kg_co2e, credits, inputs and every line. Bad input
prints the error on stderr and exits with code 2.
"""

from __future__ import annotations

import argparse
import json
import sys

from core.footprint import (
    Footprint,
    FootprintError,
    FootprintRequest,
    compute,
    parse_request,
    sources,
)
from core.footprint.texts import render as render_text

EXIT_BAD_INPUT = 2


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add `footprint` and its subcommands to the `cccp` command line."""
    parser = subparsers.add_parser("footprint", help="work out the footprint of an activity")
    parser.set_defaults(func=None)
    sub = parser.add_subparsers(dest="footprint_command", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(func=run)
        return p

    p = command("flight", "a flight between two airports (IATA code or city)")
    p.add_argument("origin")
    p.add_argument("destination")
    p.add_argument("--cabin", default="economy",
                   choices=["economy", "premium_economy", "business", "first"])
    p.add_argument("--return", dest="is_return", action="store_true", help="there and back")
    p.add_argument("--no-rf", dest="with_rf", action="store_false",
                   help="without radiative forcing")
    p.add_argument("--passengers", default="1")
    p.add_argument("--confirm", dest="confirmed", default="",
                   help="a code you mean although it looks like a slip (CGD, not CDG)")

    p = command("electricity", "electricity used, in kWh")
    p.add_argument("kwh")
    p.add_argument("--country", required=True, help="ISO code or name, e.g. DE")

    p = command("car", "a car journey")
    p.add_argument("distance")
    p.add_argument("--miles", dest="unit", action="store_const", const="miles", default="km")
    p.add_argument("--fuel", default="petrol",
                   help="petrol, diesel, hybrid, plug_in_hybrid, battery_electric")
    p.add_argument("--size", default="average", help="small, medium, large, average")

    for name, kinds, default in (
            ("rail", "national_rail, international_rail, light_rail, underground",
             "national_rail"),
            ("bus", "average_local_bus, local_bus, london_bus, coach", "average_local_bus")):
        p = command(name, f"a {name} journey per passenger")
        p.add_argument("distance_km")
        p.add_argument("--kind", default=default, help=kinds)
        p.add_argument("--passengers", default="1")

    p = command("taxi", "a taxi ride")
    p.add_argument("distance_km")
    p.add_argument("--kind", default="regular_taxi", help="regular_taxi, black_cab")

    p = command("hotel", "hotel nights in a country")
    p.add_argument("nights")
    p.add_argument("--country", required=True)
    p.add_argument("--rooms", default="1")

    p = command("parcel", "a parcel: weight and distance")
    p.add_argument("weight_kg")
    p.add_argument("distance_km")
    p.add_argument("--mode", default="road", help="road, van, rail, sea, air")
    p.add_argument("--no-rf", dest="with_rf", action="store_false")

    p = command("food", "kg of a food item")
    p.add_argument("kg")
    p.add_argument("item", nargs="+")

    p = command("spend", "money spent on a category")
    p.add_argument("amount")
    p.add_argument("currency")
    p.add_argument("category", nargs="+")

    p = command("parse", "free text, as typed in the chat")
    p.add_argument("text", nargs="+")
    p.add_argument("--confirm", dest="confirmed", default="",
                   help="a code you mean although it looks like a slip (CGD, not CDG)")

    p = sub.add_parser("sources", help="the datasets and their attribution")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


_SKIP = {"json", "func", "footprint_command", "command", "verbose"}


def _request(args: argparse.Namespace) -> FootprintRequest:
    name = args.footprint_command
    params = {k: v for k, v in vars(args).items() if k not in _SKIP}
    if name == "parse":
        request = parse_request(" ".join(params["text"]))
        if params.get("confirmed") and request.activity == "flight":
            request = FootprintRequest("flight", {**request.params,
                                                  "confirmed": params["confirmed"]})
        return request
    for joined in ("item", "category"):
        if joined in params:
            params[joined] = " ".join(params[joined])
    return FootprintRequest(name, params)


def run(args: argparse.Namespace) -> int:
    """Run one `cccp footprint` subcommand; 0 on success, 2 on bad input."""
    if args.footprint_command == "sources":
        return _print_sources(args.json)
    try:
        footprint = compute(_request(args))
    except FootprintError as error:
        print(f"error ({error.code}): {error}", file=sys.stderr)
        if error.code == "airport_typo":
            from core.footprint.airports import get_airport

            for code in error.params["candidates"]:
                a = get_airport(code)
                print(f"  {code}" + (f" {a.display}, {a.country}" if a else ""), file=sys.stderr)
            print("which one? type the code you mean, or add --confirm "
                  f"{error.params['candidates'][0]}", file=sys.stderr)
            return EXIT_BAD_INPUT
        if suggestions := error.params.get("suggestions") or error.params.get("candidates"):
            print(f"did you mean: {', '.join(map(str, suggestions))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        print(json.dumps(footprint.as_dict(), indent=2, ensure_ascii=False))
    else:
        print(render(footprint))
    return 0


def render(footprint: Footprint) -> str:
    """A readable breakdown: reason, one block per line, total and credits."""
    out = [footprint.reason]
    out.extend(render_text(u) for u in footprint.understood)
    for line in footprint.lines:
        out.append(f"  {line.label}")
        out.append(f"    {line.quantity} {line.unit} x {line.factor} {line.factor_unit}"
                   f" = {line.kg_co2e.normalize():f} kg CO2e")
        out.append(f"    source: {line.source} {line.version}, {line.location}")
    out.append(f"Total: {footprint.kg_co2e} kg CO2e (rounded up) = "
               f"{footprint.credits_text} credits")
    out.extend(f"Note: {note}" for note in footprint.notes)
    return "\n".join(out)


def _print_sources(as_json: bool) -> int:
    items = sources()
    if as_json:
        print(json.dumps([s.__dict__ for s in items], indent=2, ensure_ascii=False))
    else:
        for s in items:
            print(f"{s.publisher}: {s.dataset} ({s.version}), {s.licence}; used for "
                  f"{s.used_for}.\n  {s.attribution}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m cccp.footprint ...` until the lead wires add_parser into cccp."""
    parser = argparse.ArgumentParser(prog="cccp")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["footprint", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
