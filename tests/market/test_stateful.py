"""Random places, cancels, takes and expiries against a simple reference book.

A Hypothesis state machine drives core.market on one project with three
traders, and a plain Python list of offers that says what must happen: which
trades, at what price, value and fee (cumulative rounding at the resting price),
which offers rest, which are released, and every wallet, carbon balance and held
amount. The real book must agree trade for trade, and `verify` must be clean
after every step. Small prices (1 to 30 Stars per tonne) make rounding bite.
Runs as tests/ledger/test_stateful.py does: one loop and one context per test.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from tortoise import Tortoise
from tortoise.backends.base import executor
from tortoise.context import TortoiseContext

import core
from core import db as database
from core.catalog.pricing import fee_of, trade_value
from core.ledger import CARBON, STARS, Leg, Role, post, system_account, user_account, verify
from core.market import book
from core.market.errors import (
    BelowMinFill,
    BookMoved,
    NotEnoughCredits,
    NotEnoughStars,
    OfferGone,
    OwnOffer,
)
from core.market.rules import Rules
from core.registry import get_project
from tests.conftest import _truncate_postgres
from tests.helpers import issue_to
from tests.ledger.test_stateful import TEMPLATE, Runner

T0 = datetime(2030, 1, 1, tzinfo=UTC)
TRADERS = [11, 12, 13]
START_KG = 600
START_XTR = 40
RULES = Rules(fee_bps=250, min_kg=1, max_open_offers=10_000, band_percent=0)


@dataclass
class RefOffer:
    id: int  # the real offer's id
    side: str
    user: int
    price: int
    remaining: int
    min_fill: int
    seq: int
    expires_at: datetime | None
    rest: int = 0
    maker_filled: int = 0

    def hold(self) -> int:
        if self.side == "sell":
            return self.remaining
        return trade_value(self.rest, self.price) - trade_value(self.maker_filled, self.price)


def fill_size(left: int, own_min: int, resting: RefOffer) -> int:
    kg = min(left, resting.remaining)
    if kg < resting.min_fill and kg < resting.remaining:
        return 0
    if kg < own_min and kg < left:
        return 0
    return kg


def maker_cost(maker: RefOffer, kg: int) -> tuple[int, int]:
    before = trade_value(maker.maker_filled, maker.price)
    after = trade_value(maker.maker_filled + kg, maker.price)
    return after - before, fee_of(after, RULES.fee_bps) - fee_of(before, RULES.fee_bps)


async def wipe() -> None:
    conn = Tortoise.get_connection("default")
    if conn.capabilities.dialect == "postgres":
        await _truncate_postgres()
        return
    path = Path(conn.filename)
    await conn.close()
    for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copy(path.with_name(TEMPLATE), path)


class MarketMachine(RuleBasedStateMachine):
    run: Runner

    def __init__(self) -> None:
        super().__init__()
        self.now = T0
        self.seq = 0
        self.offers: list[RefOffer] = []  # open ones
        self.carbon = dict.fromkeys(TRADERS, START_KG)
        self.stars = dict.fromkeys(TRADERS, START_XTR)
        self.fees = 0
        self.project = 0

    @initialize()
    def open_market(self) -> None:
        async def setup():
            await wipe()
            await issue_to(10, START_KG * len(TRADERS), key="issue", now=T0)
            self.project = (await get_project("T10")).id
            producer = await user_account(10, CARBON)
            clearing = await system_account(Role.CLEARING, STARS)
            for trader in TRADERS:
                mine = await user_account(trader, CARBON)
                await post(f"give:{trader}", "transfer", [Leg(producer.id, mine.id, START_KG)], now=T0)
                wallet = await user_account(trader, STARS)
                await post(f"fund:{trader}", "payment", [Leg(clearing.id, wallet.id, START_XTR)], now=T0)

        self.run(setup())

    # --- the reference ----------------------------------------------------

    def live(self, offer: RefOffer) -> bool:
        return offer.expires_at is None or offer.expires_at > self.now

    def held(self, user: int, side: str) -> int:
        return sum(o.hold() for o in self.offers if o.user == user and o.side == side)

    def trade(self, seller: int, buyer: int, kg: int, value: int, fee: int) -> None:
        self.carbon[seller] -= kg
        self.carbon[buyer] += kg
        self.stars[buyer] -= value
        self.stars[seller] += value - fee
        self.fees += fee

    def after_maker(self, maker: RefOffer, kg: int) -> None:
        maker.remaining -= kg
        maker.maker_filled += kg
        if maker.remaining < maker.min_fill:
            self.offers.remove(maker)

    def compare(self, real: tuple, expected: list[tuple]) -> None:
        got = [(t.sell_offer_id, t.buy_offer_id, t.amount_kg, t.price_per_t, t.value_xtr, t.fee_xtr) for t in real]
        assert got == expected, (got, expected)

    # --- rules --------------------------------------------------------------

    @rule(user=st.sampled_from(TRADERS), kg=st.integers(1, 300), price=st.integers(1, 30),
          min_fill=st.one_of(st.none(), st.integers(1, 120)), ttl=st.one_of(st.none(), st.integers(1, 5)))
    def sell(self, user, kg, price, min_fill, ttl):
        min_fill = None if min_fill is None or min_fill > kg else min_fill
        expires = None if ttl is None else self.now + timedelta(minutes=ttl)
        self.seq += 1
        key = f"sell:{self.seq}"
        available = self.carbon[user] - self.held(user, "sell")
        try:
            result = self.run(book.place_sell(user, self.project, kg, price, key=key, min_fill_kg=min_fill,
                                              expires_at=expires, rules=RULES, now=self.now))
        except NotEnoughCredits:
            assert available < kg
            return
        assert available >= kg
        incoming = RefOffer(result.offer.id, "sell", user, price, kg, min_fill or 1, self.seq, expires)
        expected = []
        bids = sorted((o for o in self.offers if o.side == "buy" and o.user != user and o.price >= price
                       and self.live(o)), key=lambda o: (-o.price, o.seq))
        for bid in bids:
            if incoming.remaining == 0:
                break
            kg_fill = fill_size(incoming.remaining, incoming.min_fill, bid)
            if not kg_fill:
                continue
            value, fee = maker_cost(bid, kg_fill)
            expected.append((incoming.id, bid.id, kg_fill, bid.price, value, fee))
            self.trade(user, bid.user, kg_fill, value, fee)
            incoming.remaining -= kg_fill
            self.after_maker(bid, kg_fill)
        self.compare(result.trades, expected)
        incoming.rest = incoming.remaining
        if incoming.remaining >= incoming.min_fill:
            self.offers.append(incoming)

    @rule(user=st.sampled_from(TRADERS), kg=st.integers(1, 300), price=st.integers(1, 30),
          min_fill=st.one_of(st.none(), st.integers(1, 120)), ttl=st.one_of(st.none(), st.integers(1, 5)))
    def bid(self, user, kg, price, min_fill, ttl):
        min_fill = None if min_fill is None or min_fill > kg else min_fill
        expires = None if ttl is None else self.now + timedelta(minutes=ttl)
        self.seq += 1
        own_min = min_fill or 1
        asks = sorted((o for o in self.offers if o.side == "sell" and o.user != user and o.price <= price
                       and self.live(o)), key=lambda o: (o.price, o.seq))
        plan, left = [], kg
        for ask in asks:
            if left == 0:
                break
            kg_fill = fill_size(left, own_min, ask)
            if kg_fill:
                plan.append((ask, kg_fill, *maker_cost(ask, kg_fill)))
                left -= kg_fill
        rest = left if left >= own_min else 0
        needed = sum(p[2] for p in plan) + trade_value(rest, price)
        available = self.stars[user] - self.held(user, "buy")
        try:
            result = self.run(book.place_bid(user, kg, price, key=f"bid:{self.seq}", project_id=self.project,
                                             min_fill_kg=min_fill, expires_at=expires, rules=RULES, now=self.now))
        except NotEnoughStars:
            assert available < needed
            return
        assert available >= needed, (available, needed)
        incoming = RefOffer(result.offer.id, "buy", user, price, kg, own_min, self.seq, expires)
        expected = []
        for ask, kg_fill, value, fee in plan:
            expected.append((ask.id, incoming.id, kg_fill, ask.price, value, fee))
            self.trade(ask.user, user, kg_fill, value, fee)
            incoming.remaining -= kg_fill
            self.after_maker(ask, kg_fill)
        self.compare(result.trades, expected)
        incoming.rest = incoming.remaining
        if incoming.remaining >= own_min:
            self.offers.append(incoming)

    @rule(user=st.sampled_from(TRADERS), pick=st.integers(0, 50), kg=st.integers(1, 300), is_stale=st.booleans())
    def take(self, user, pick, kg, is_stale):
        if not self.offers:
            return
        offer = self.offers[pick % len(self.offers)]
        price = offer.price + (1 if is_stale else 0)
        self.seq += 1
        call = book.take_offer(user, offer.id, kg, price_per_t=price, key=f"take:{self.seq}", rules=RULES,
                               now=self.now)
        if not self.live(offer):
            return self.run.expect(OfferGone, call)
        if offer.user == user:
            return self.run.expect(OwnOffer, call)
        if is_stale or kg > offer.remaining:
            return self.run.expect(BookMoved, call)
        if kg < offer.min_fill and kg < offer.remaining:
            return self.run.expect(BelowMinFill, call)
        value, fee = maker_cost(offer, kg)
        if offer.side == "sell":
            if self.stars[user] - self.held(user, "buy") < value:
                return self.run.expect(NotEnoughStars, call)
            seller, buyer = offer.user, user
        else:
            if self.carbon[user] - self.held(user, "sell") < kg:
                return self.run.expect(NotEnoughCredits, call)
            seller, buyer = user, offer.user
        trade = self.run(call)
        assert (trade.amount_kg, trade.price_per_t, trade.value_xtr, trade.fee_xtr) == (kg, offer.price, value, fee)
        self.trade(seller, buyer, kg, value, fee)
        self.after_maker(offer, kg)

    @rule(pick=st.integers(0, 50))
    def cancel(self, pick):
        if not self.offers:
            return
        offer = self.offers[pick % len(self.offers)]
        self.run(book.cancel_offer(offer.user, offer.id, now=self.now))
        self.offers.remove(offer)

    @rule(minutes=st.integers(1, 4))
    def time_passes(self, minutes):
        self.now += timedelta(minutes=minutes)
        expired = self.run(book.expire_offers(now=self.now))
        due = [o for o in self.offers if not self.live(o)]
        assert sorted(expired) == sorted(o.id for o in due)
        for offer in due:
            self.offers.remove(offer)

    @invariant()
    def books_and_balances_agree(self) -> None:
        if not self.project:
            return

        async def read():
            report = await verify()
            assert report.is_clean, report.text()
            for user in TRADERS:
                c, s = await user_account(user, CARBON), await user_account(user, STARS)
                assert (c.balance, c.held) == (self.carbon[user], self.held(user, "sell")), user
                assert (s.balance, s.held) == (self.stars[user], self.held(user, "buy")), user
            assert (await system_account(Role.FEES, STARS)).balance == self.fees
            real_open = {o.id for o in await book.Offer.filter(status="open")}
            assert real_open == {o.id for o in self.offers}

        self.run(read())


def run_machine(url: str, max_examples: int, steps: int) -> None:
    run = Runner()
    core.setup()

    async def open_db() -> TortoiseContext:
        executor.EXECUTOR_CACHE.clear()
        ctx = TortoiseContext()
        await ctx.__aenter__()
        await ctx.init(config=database.tortoise_config(url))
        return ctx

    ctx = run(open_db())
    try:
        machine = type("Market", (MarketMachine,), {"run": run})
        run_state_machine_as_test(machine, settings=settings(
            max_examples=max_examples, stateful_step_count=steps, deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ))
    finally:
        run(ctx.__aexit__(None, None, None))
        run.loop.close()


@pytest.fixture(params=["sqlite", "postgres"])
def market_url(request, tmp_path) -> str:
    if request.param == "postgres":
        return request.getfixturevalue("postgres_url")
    path = tmp_path / "stateful.sqlite3"
    shutil.copy(request.getfixturevalue("sqlite_template"), path)
    shutil.copy(path, tmp_path / TEMPLATE)
    return f"sqlite://{path}"


def test_random_market_operations_agree_with_the_reference_book(market_url):
    run_machine(market_url, max_examples=25, steps=30)


@pytest.mark.slow
def test_many_random_market_operations_agree_with_the_reference_book(market_url):
    run_machine(market_url, max_examples=300, steps=60)
