"""Food: kg of an item x Poore & Nemecek (2018) mean kg CO2e per kg (Our World in Data)."""

from __future__ import annotations

import difflib

from core.footprint import texts as tx
from core.footprint.errors import UnknownFood
from core.footprint.factors import factor, keys
from core.footprint.limits import checked
from core.footprint.result import Footprint, Line, make_footprint
from core.footprint.texts import Text

# What people type -> the study's item (its slug in poore_nemecek_2018.csv).
FOOD_ALIASES = {
    "beef": "beef_beef_herd", "steak": "beef_beef_herd", "rind": "beef_beef_herd",
    "rindfleisch": "beef_beef_herd", "boeuf": "beef_beef_herd", "bœuf": "beef_beef_herd",
    "dairy beef": "beef_dairy_herd", "lamb": "lamb_mutton", "mutton": "lamb_mutton",
    "chicken": "poultry_meat", "poultry": "poultry_meat", "turkey": "poultry_meat",
    "huhn": "poultry_meat", "poulet": "poultry_meat", "pork": "pig_meat",
    "ham": "pig_meat", "bacon": "pig_meat", "schwein": "pig_meat", "porc": "pig_meat",
    "prawns": "prawns_farmed", "shrimp": "prawns_farmed", "fish": "fish_farmed",
    "chocolate": "dark_chocolate", "egg": "eggs", "apple": "apples", "banana": "bananas",
    "tomato": "tomatoes", "potato": "potatoes", "oats": "oatmeal", "wheat": "wheat_rye",
    "rye": "wheat_rye", "bread": "wheat_rye", "sugar": "cane_sugar", "soy milk": "soy_milk",
    "soya milk": "soy_milk", "kaese": "cheese", "käse": "cheese", "fromage": "cheese",
    "milch": "milk", "lait": "milk", "kaffee": "coffee", "café": "coffee", "cafe": "coffee",
    "reis": "rice", "riz": "rice", "nut": "nuts", "pea": "peas", "onion": "onions_leeks",
    "onions": "onions_leeks", "berries": "berries_grapes", "grapes": "berries_grapes",
    # German and French
    "hähnchen": "poultry_meat", "hühnchen": "poultry_meat", "hühnerfleisch": "poultry_meat",
    "geflügel": "poultry_meat", "volaille": "poultry_meat", "dinde": "poultry_meat",
    "pute": "poultry_meat", "lamm": "lamb_mutton", "lammfleisch": "lamb_mutton",
    "agneau": "lamb_mutton", "mouton": "lamb_mutton", "schweinefleisch": "pig_meat",
    "schinken": "pig_meat", "jambon": "pig_meat", "rinderhack": "beef_beef_herd",
    "hackfleisch": "beef_beef_herd", "steak haché": "beef_beef_herd", "veau": "beef_dairy_herd",
    "fisch": "fish_farmed", "poisson": "fish_farmed", "garnelen": "prawns_farmed",
    "crevettes": "prawns_farmed", "eier": "eggs", "ei": "eggs", "œufs": "eggs", "oeufs": "eggs",
    "œuf": "eggs", "oeuf": "eggs", "schokolade": "dark_chocolate", "chocolat": "dark_chocolate",
    "kartoffeln": "potatoes", "pommes de terre": "potatoes", "tomaten": "tomatoes",
    "tomates": "tomatoes", "äpfel": "apples", "apfel": "apples", "pommes": "apples",
    "bananen": "bananas", "bananes": "bananas", "brot": "wheat_rye", "pain": "wheat_rye",
    "zucker": "cane_sugar", "sucre": "cane_sugar", "wein": "wine", "vin": "wine",
    "nüsse": "nuts", "noix": "nuts", "erbsen": "peas", "pois": "peas",
    "haferflocken": "oatmeal", "flocons d'avoine": "oatmeal", "avoine": "oatmeal",
    "sojamilch": "soy_milk", "lait de soja": "soy_milk", "mais": "maize", "maïs": "maize",
    "zwiebeln": "onions_leeks", "oignons": "onions_leeks", "beeren": "berries_grapes",
    "trauben": "berries_grapes", "raisin": "berries_grapes", "gemüse": "other_vegetables",
    "légumes": "other_vegetables", "obst": "other_fruit", "fruits": "other_fruit",
    "erdnüsse": "groundnuts", "cacahuètes": "groundnuts", "kohl": "brassicas", "chou": "brassicas",
}


def food_items() -> list[str]:
    return sorted(keys("food"))


def resolve_food(text: str) -> str:
    """The study item key for what was typed; UnknownFood with close matches."""
    typed = " ".join(str(text).lower().split())
    slug = typed.replace(" ", "_").replace("&", "").replace("(", "").replace(")", "")
    slug = "_".join(p for p in slug.split("_") if p)
    for candidate in (FOOD_ALIASES.get(typed), slug, FOOD_ALIASES.get(typed.rstrip("s"))):
        if candidate and factor("food", candidate):
            return candidate
    names = {k.replace("_", " "): k for k in food_items()}
    names.update(FOOD_ALIASES)
    found = difflib.get_close_matches(typed, list(names), n=5, cutoff=0.6)
    raise UnknownFood(f"unknown food {text!r}", text=text,
                      suggestions=list(dict.fromkeys(names[f] for f in found)))


def food(item: str, kg: object) -> Footprint:
    """kg of a food item (e.g. "beef", "rice", "cheese")."""
    key = resolve_food(item)
    amount = checked(kg, "kg", "food_kg")
    f = factor("food", key)
    return make_footprint("food", {"item": key, "kg": amount},
                          [Line.of(f"Food: {f.label}", amount, "kg", f,
                                   Text(tx.LINE_FOOD, {"item": Text(tx.FOOD_NAMES[key])}))],
                          f"Food {amount} kg {f.label}")
