"""Fit each species' Chapman–Richards curve to its yield-table points (one-off, offline).

    V(t) = A * (1 - exp(-k t)) ** p        stem volume, m³/ha

Reads core/reforestation/species/*.json, fits A, k, p by least squares on the
points (a coarse grid, then coordinate refinement: numpy only) and prints the
parameters to paste into the file. tests/reforestation/test_species.py checks
the stored curve reproduces every point.

Usage: .venv/bin/python scripts/fit_species.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

SPECIES = Path(__file__).resolve().parent.parent / "core" / "reforestation" / "species"


def curve(t, a, k, p):
    return a * (1 - np.exp(-k * t)) ** p


def fit(ages, volumes):
    t, v = np.array(ages, float), np.array(volumes, float)
    best = None
    for a in np.linspace(v.max(), v.max() * 3, 41):
        for k in np.linspace(0.005, 0.6, 120):
            for p in np.linspace(0.8, 6, 53):
                err = float(((curve(t, a, k, p) - v) ** 2).sum())
                if best is None or err < best[0]:
                    best = (err, a, k, p)
    _, a, k, p = best
    step = [a * 0.02, k * 0.02, p * 0.02]
    params = [a, k, p]
    for _ in range(4000):
        improved = False
        for i in range(3):
            for sign in (1, -1):
                trial = list(params)
                trial[i] += sign * step[i]
                err = float(((curve(t, *trial) - v) ** 2).sum())
                if err < best[0]:
                    best, params, improved = (err, *trial), trial, True
        if not improved:
            step = [s / 2 for s in step]
            if max(step) < 1e-9:
                break
    return params


if __name__ == "__main__":
    for path in sorted(SPECIES.glob("*.json")):
        data = json.loads(path.read_text())
        points = data["growth"]["yield_points"]["values"]
        a, k, p = fit([pt["age"] for pt in points], [pt["volume_m3_ha"] for pt in points])
        print(f"{data['code']}: A={a:.2f} k={k:.5f} p={p:.4f}")
