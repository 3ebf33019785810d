"""Typed phrases in English, German and French, read as a person means them.

Each row of phrases_<lang>.csv: the text, the activity (or `error:<code>` when the text
cannot give a figure), and what the result must say: `key=value` pairs checked against
the computed footprint's inputs (places by their resolved name and country), or
against the error's params (lists joined with |). A text that cannot be read never
gives a figure: the test checks no footprint comes out of an error row.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from core.footprint import FootprintError, compute, parse_request

HERE = Path(__file__).parent


def _rows(language: str) -> list[tuple[str, str, str]]:
    with (HERE / f"phrases_{language}.csv").open(newline="", encoding="utf-8") as f:
        return [(r["text"], r["activity"], r["expect"] or "") for r in csv.DictReader(f)]


def _expected(expect: str) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in expect.split(";") if pair)


def _same(actual: object, wanted: str) -> bool:
    if isinstance(actual, list):
        return "|".join(map(str, actual)) == wanted
    try:
        return Decimal(str(actual)) == Decimal(wanted)
    except ArithmeticError:
        return str(actual) == wanted


def _read(text: str, language: str):
    return compute(parse_request(text, language))


ALL = [(lang, *row) for lang in ("en", "de", "fr") for row in _rows(lang)]


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_each_language_has_at_least_fifty_phrases(language):
    assert len(_rows(language)) >= 50


@pytest.mark.parametrize(("language", "text", "activity", "expect"), ALL,
                         ids=[f"{r[0]}:{r[1]}" for r in ALL])
def test_phrase_is_read_as_meant(language, text, activity, expect):
    wanted = _expected(expect)
    if activity.startswith("error:"):
        with pytest.raises(FootprintError) as caught:
            _read(text, language)
        assert caught.value.code == activity.removeprefix("error:"), caught.value
        for key, value in wanted.items():
            assert _same(caught.value.params.get(key), value), (key, caught.value.params)
        return
    fp = _read(text, language)
    assert fp.activity == activity
    for key, value in wanted.items():
        assert key in fp.inputs, (key, fp.inputs)
        assert _same(fp.inputs[key], value), (key, fp.inputs[key], value)
    assert fp.kg_co2e > 0
