"""The callback codec: what a feature's buttons carry, read back typed or not at all."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.callbacks import Codec, fits, one_of, part, token, whole

DEMO = Codec("demo")


@DEMO.kind("amt")
@dataclass(frozen=True)
class Amount:
    kg: int = part(whole(1, 5000))


@DEMO.kind("set")
@dataclass(frozen=True)
class Value:
    question: str = part(token(r"[0-9a-f]{8}"))
    value: str = part(one_of("yes", "no"))


@DEMO.kind("why:skip")
@dataclass(frozen=True)
class Skip:
    pass


PAGES = Codec("page")


@PAGES.kind("")
@dataclass(frozen=True)
class Page:
    before: int = part(whole(0, 10**6))


@pytest.mark.parametrize("pressed", [Amount(500), Value("deadbeef", "no"), Skip()])
def test_every_button_comes_back_as_it_was_sent(pressed):
    assert DEMO.decode(DEMO.encode(pressed)) == pressed


def test_the_data_reads_as_prefix_kind_and_parts():
    assert DEMO.encode(Amount(500)) == "demo:amt:500"
    assert DEMO.encode(Value("deadbeef", "yes")) == "demo:set:deadbeef:yes"
    assert DEMO.encode(Skip()) == "demo:why:skip"
    assert PAGES.encode(Page(20)) == "page:20" and PAGES.decode("page:20") == Page(20)


@pytest.mark.parametrize("data", [
    "", "demo", "demo:", "demo:amt", "demo:amt:", "demo:amt:0", "demo:amt:5001", "demo:amt:0500",
    "demo:amt:500:1", "demo:amt:-5", "demo:amt:5e2", "demo:amt:٥٠٠", "demo:set:deadbeef",
    "demo:set:DEADBEEF:yes", "demo:set:deadbeef:maybe", "demo:why", "demo:why:skip:", "demo:nope:1",
    "demox:amt:500", "page:", "page:x", "page:1:2", None, 500, b"demo:amt:500",
])
def test_anything_else_is_none_of_the_features_buttons(data):
    assert DEMO.decode(data) is None and PAGES.decode(data) is None


def test_a_button_that_could_not_come_back_is_refused_when_it_is_made():
    with pytest.raises(ValueError, match="not valid callback data"):
        DEMO.encode(Amount(0))
    with pytest.raises(ValueError, match="not valid callback data"):
        DEMO.encode(Value("dead:beef", "yes"))


def test_64_bytes_is_the_limit():
    assert fits("x" * 64) and not fits("x" * 65) and not fits("é" * 33) and not fits("")


def test_a_kind_is_a_dataclass_of_parts_registered_once():
    with pytest.raises(TypeError):
        DEMO.kind("amt")(dataclass(frozen=True)(type("Again", (), {"__annotations__": {}})))

    @dataclass(frozen=True)
    class Loose:
        kg: int = 1

    with pytest.raises(TypeError):
        DEMO.kind("loose")(Loose)
