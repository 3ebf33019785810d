"""Parcel shipping: tonnes x km x Defra 2024 "Freighting goods" factor by mode.

Modes: road (HGV, all diesel, all HGVs, average laden), van (average up to 3.5 t,
diesel), rail (freight train), sea (container ship, average), air (freight flight;
no airports are known, so the band is by distance: short-haul under 3,700 km,
long-haul from 3,700 km; with radiative forcing unless told otherwise).
"""

from __future__ import annotations

from decimal import Decimal

from core.footprint import texts as tx
from core.footprint.factors import factor
from core.footprint.flights import LONG_HAUL_FROM_KM, NO_RF_NOTE, RF_NOTE
from core.footprint.ground import pick
from core.footprint.limits import checked
from core.footprint.result import Footprint, Line, make_footprint
from core.footprint.texts import Text

MODES = ("road", "van", "rail", "sea", "air")
MODE_ALIASES = {"truck": "road", "lorry": "road", "hgv": "road", "lkw": "road",
                "camion": "road", "train": "rail", "ship": "sea", "boat": "sea",
                "plane": "air", "airfreight": "air", "air_freight": "air"}


def parcel(weight_kg: object, distance_km: object, *, mode: str = "road",
           with_rf: bool = True) -> Footprint:
    """A parcel of weight_kg carried distance_km by road, van, rail, sea or air."""
    mode = pick(mode, "mode", MODES, MODE_ALIASES)
    kg = checked(weight_kg, "weight_kg", "parcel_kg")
    km = checked(distance_km, "distance_km", "parcel_km")
    notes: tuple[str, ...] = ()
    if mode == "air":
        band = "short_haul" if km < LONG_HAUL_FROM_KM else "long_haul"
        f = factor("parcel", f"air|{band}|{'rf' if with_rf else 'no_rf'}")
        label = f"Air freight, {band.replace('_', '-')}, {'with' if with_rf else 'without'} RF"
        notes = (RF_NOTE if with_rf else NO_RF_NOTE,)
        text = Text(tx.LINE_AIR_FREIGHT, {
            "band": Text(tx.SHORT_HAUL if band == "short_haul" else tx.LONG_HAUL),
            "rf": Text(tx.WITH_RF if with_rf else tx.WITHOUT_RF)})
    else:
        f = factor("parcel", mode)
        label = f"Freight by {mode}"
        text = Text(tx.LINE_FREIGHT, {"mode": Text(tx.MODE_NAMES[mode])})
    tonne_km = kg / Decimal(1000) * km
    return make_footprint("parcel", {"weight_kg": kg, "distance_km": km, "mode": mode,
                                     "with_rf": with_rf},
                          [Line.of(label, tonne_km, "tonne.km", f, text)],
                          f"Parcel {kg} kg over {km} km by {mode}"
                          f"{', without RF' if mode == 'air' and not with_rf else ''}",
                          notes=notes, note_texts=())
