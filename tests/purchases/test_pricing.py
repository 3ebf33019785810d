"""The one money rule: value = ceil(kg x price per tonne / 1000)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.catalog.pricing import check_purchase_kg, fee_of, trade_value
from core.errors import InputError

kg = st.integers(min_value=1, max_value=10**12)
price = st.integers(min_value=1, max_value=10**9)


@given(kg, price)
def test_the_value_is_the_exact_price_rounded_up_in_the_sellers_favour(amount_kg, price_per_t):
    value = trade_value(amount_kg, price_per_t)
    assert value * 1000 >= amount_kg * price_per_t
    assert (value - 1) * 1000 < amount_kg * price_per_t


@given(kg, price)
def test_any_purchase_of_at_least_one_kg_costs_at_least_one_unit(amount_kg, price_per_t):
    assert trade_value(amount_kg, price_per_t) >= 1


@given(kg, kg, price)
def test_buying_more_never_costs_less(a, b, price_per_t):
    low, high = sorted((a, b))
    assert trade_value(low, price_per_t) <= trade_value(high, price_per_t)


@given(kg, kg, price)
def test_splitting_a_purchase_never_makes_it_cheaper(a, b, price_per_t):
    assert trade_value(a, price_per_t) + trade_value(b, price_per_t) >= trade_value(a + b, price_per_t)


def test_whole_tonnes_cost_exactly_their_price():
    assert trade_value(5000, 1000) == 5000
    assert trade_value(500, 1500) == 750
    assert trade_value(1, 1000) == 1
    assert trade_value(1, 1) == 1  # 0.001 rounds up to one Star


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=10_000))
def test_a_fee_rounds_down_and_never_exceeds_the_value(value, fee_bps):
    fee = fee_of(value, fee_bps)
    assert 0 <= fee <= value
    assert fee * 10_000 <= value * fee_bps < (fee + 1) * 10_000


def test_a_float_amount_is_a_bug_not_a_price():
    with pytest.raises(TypeError):
        trade_value(0.5, 1000)


@pytest.mark.parametrize("amount_kg", [0, -5, True])
def test_a_purchase_of_less_than_one_kg_is_refused(amount_kg):
    with pytest.raises(InputError) as caught:
        check_purchase_kg(amount_kg)
    assert caught.value.code == "amount_too_small"
