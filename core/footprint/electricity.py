"""Home electricity: kWh x the country's grid factor, stating its basis.

- GB: Defra 2024 UK electricity generation plus transmission & distribution losses
  (two lines; Defra's generation factor excludes the losses).
- US: EPA eGRID2023 US average total output (CO2, CH4, N2O with AR6 GWPs) plus the
  grid gross loss (two lines, the same basis as GB).
- Every other country: Ember lifecycle intensity (includes upstream emissions),
  the latest year Ember has, stated with the figure.
"""

from __future__ import annotations

from core.footprint import texts as tx
from core.footprint.countries import country_name, country_of, place_understood
from core.footprint.errors import CountryNotCovered
from core.footprint.factors import factor
from core.footprint.limits import checked
from core.footprint.result import Footprint, Line, make_footprint
from core.footprint.texts import Country, Text


def electricity(kwh: object, country: str) -> Footprint:
    """Electricity used, in kWh, in a country (ISO code or name)."""
    code, place = country_of(country)
    c = Country(code)
    energy = checked(kwh, "kwh")
    name = country_name(code)
    generation = factor("electricity", f"{code}|generation")
    if generation is not None:
        losses = factor("electricity", f"{code}|transmission_distribution")
        publisher = generation.source
        lines = [Line.of(f"Electricity {name}, generation ({publisher})", energy, "kWh",
                         generation, Text(tx.LINE_GENERATION,
                                          {"country": c, "publisher": publisher})),
                 Line.of(f"Electricity {name}, transmission and distribution losses "
                         f"({publisher})", energy, "kWh", losses,
                         Text(tx.LINE_LOSSES, {"country": c, "publisher": publisher}))]
        basis = f"generation plus transmission and distribution losses ({publisher})"
        basis_text = Text(tx.BASIS_GRID, {"publisher": publisher})
    else:
        lifecycle = factor("electricity", f"{code}|lifecycle")
        if lifecycle is None:
            raise CountryNotCovered(f"no grid intensity for {code}",
                                    activity="electricity", country=code)
        lines = [Line.of(f"Electricity {name}, lifecycle grid average "
                         f"(Ember {lifecycle.version})", energy, "kWh", lifecycle,
                         Text(tx.LINE_LIFECYCLE, {"country": c, "version": lifecycle.version}))]
        basis = f"lifecycle grid average, {lifecycle.version} (Ember)"
        basis_text = Text(tx.BASIS_LIFECYCLE, {"version": lifecycle.version})
    inputs = {"kwh": energy, "country": code, "basis": basis}
    if place is not None:
        inputs["place"] = place.name
    return make_footprint("electricity", inputs,
                          lines, f"Electricity {energy} kWh in {name}",
                          notes=(f"Basis: {basis}.",), note_texts=(basis_text,),
                          understood=place_understood(code, place))
