"""History pages newest first; `verify` finds drift that raw SQL put in."""

from __future__ import annotations

from core import ledger
from core.ledger import Leg

from .conftest import raw_sql


async def test_history_pages_through_every_movement_newest_first(book):
    await book.fund(book.alice, 1000)  # movement 1
    for n in range(2, 26):  # movements 2..25, alternating out and in
        leg = Leg(book.alice, book.bob, n) if n % 2 == 0 else Leg(book.bob, book.alice, 1)
        await ledger.post(f"m:{n}", "transfer", [leg], memo=f"#{n}")

    pages, cursor = [], None
    while True:
        page = await ledger.history([book.alice], limit=10, before=cursor)
        pages.append(page.entries)
        cursor = page.next_cursor
        if cursor is None:
            break

    assert [len(p) for p in pages] == [10, 10, 5]
    entries = [e for p in pages for e in p]
    ids = [e.transfer_id for e in entries]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == 25
    assert [e.memo for e in entries[:3]] == ["#25", "#24", "#23"]
    assert entries[0].amount == 1 and entries[1].amount == -24  # signed: in +, out -
    assert (entries[1].counterparty_owner, entries[1].counterparty_role) == ("user:2", "wallet")
    assert (entries[-1].kind, entries[-1].amount, entries[-1].counterparty_role) == ("issuance", 1000, "issuance")


async def test_history_of_an_account_without_movements_is_empty(book):
    page = await ledger.history([book.carol])
    assert (page.entries, page.next_cursor) == ((), None)


async def test_a_page_of_exactly_the_limit_has_no_next_cursor(book):
    for _ in range(10):
        await book.fund(book.alice, 1)
    page = await ledger.history([book.alice], limit=10)
    assert (len(page.entries), page.next_cursor) == (10, None)


async def test_history_over_several_accounts_of_one_owner(book):
    euros = await ledger.user_account(1, "EUR")
    clearing = await ledger.system_account(ledger.Role.CLEARING, "EUR")
    await book.fund(book.alice, 5)
    await ledger.post("pay", "payment", [Leg(clearing.id, euros.id, 700)])
    page = await ledger.history([book.alice, euros.id])
    assert [(e.asset, e.amount) for e in page.entries] == [("EUR", 700), ("carbon", 5)]


async def test_a_clean_ledger_verifies_with_counts(book):
    await book.fund(book.alice, 100)
    await ledger.hold("h", book.alice, 30, "offer")
    report = await ledger.verify()
    assert report.is_clean
    assert report.counts == {"accounts": 4, "transfers": 1, "assets": 1}
    assert "OK: no drift" in report.text()


async def test_verify_reports_a_balance_changed_behind_the_ledgers_back(book):
    await book.fund(book.alice, 100)
    await raw_sql(f"UPDATE ledger_account SET balance = 150 WHERE id = {book.alice}")
    report = await ledger.verify()
    assert not report.is_clean
    text = report.text()
    assert f"account {book.alice} (user:1/wallet/carbon): balance 150 but transfers sum to 100" in text
    assert "asset carbon sums to 50, not 0" in text
    assert "DRIFT: 2 problem(s)" in text
    await raw_sql(f"UPDATE ledger_account SET balance = 100 WHERE id = {book.alice}")


async def test_verify_reports_a_held_amount_that_no_hold_explains(book):
    await book.fund(book.alice, 100)
    await ledger.hold("h", book.alice, 30, "offer")
    await raw_sql(f"UPDATE ledger_account SET held = 45 WHERE id = {book.alice}")
    report = await ledger.verify()
    assert report.problems == [
        f"account {book.alice} (user:1/wallet/carbon): held 45 but pending holds sum to 30"
    ]
    await raw_sql(f"UPDATE ledger_account SET held = 30 WHERE id = {book.alice}")


async def test_verify_reports_an_outside_world_account_flagged_never_negative(book):
    # The database refuses a user wallet allowed below zero (test_schema); the
    # opposite flag passes its CHECK, and verify still compares it with the rule.
    await raw_sql(f"UPDATE ledger_account SET is_nonnegative = TRUE WHERE id = {book.issuance}")
    report = await ledger.verify()
    assert report.problems == [f"account {book.issuance} (system/issuance): is_nonnegative is True"]
    await raw_sql(f"UPDATE ledger_account SET is_nonnegative = FALSE WHERE id = {book.issuance}")


async def _raw_step(hold_id: int, key: str, action: str, released: int) -> None:
    """A step written past the ledger, its posting with it (what a bug or a hand could do)."""
    await raw_sql(
        'INSERT INTO ledger_posting ("key", kind, memo, metadata, fingerprint, created_at)'
        f" VALUES ('{key}', 'void_hold', '', '{{}}', 'f', '2030-01-01 00:00:00+00:00')"
    )
    (posting,) = await raw_sql(f"SELECT id FROM ledger_posting WHERE \"key\" = '{key}'")
    await raw_sql(
        "INSERT INTO ledger_hold_step (hold_id, posting_id, action, posted, released, created_at)"
        f" VALUES ({hold_id}, {posting['id']}, '{action}', 0, {released}, '2030-01-01 00:00:00+00:00')"
    )


async def test_verify_reads_a_holds_steps_not_its_cached_remaining(book):
    await book.fund(book.alice, 100)
    held = await ledger.hold("h", book.alice, 30, "offer")
    await _raw_step(held.id, "raw:void", "void", 10)  # a release the cache never saw
    assert (await ledger.verify()).problems == [
        f"hold {held.id}: pending with 30 remaining but its steps leave it pending with 20",
        f"account {book.alice} (user:1/wallet/carbon): held 30 but pending holds sum to 20",
    ]
    # Repaired by hand, the cache agrees with the rows again (it may only go down).
    await raw_sql(f"UPDATE ledger_hold SET remaining = 20 WHERE id = {held.id}")
    await raw_sql(f"UPDATE ledger_account SET held = 20 WHERE id = {book.alice}")
    assert (await ledger.verify()).is_clean


async def test_verify_reports_a_hold_its_steps_closed_while_its_cache_says_pending(book):
    await book.fund(book.alice, 100)
    held = await ledger.hold("h", book.alice, 30, "offer")
    await _raw_step(held.id, "raw:void", "void", 30)  # the rows close it; the cache says pending
    assert (await ledger.verify()).problems == [
        f"hold {held.id}: pending with 30 remaining but its steps leave it voided with 0",
        f"account {book.alice} (user:1/wallet/carbon): held 30 but pending holds sum to 0",
    ]
    await raw_sql(f"UPDATE ledger_hold SET remaining = 0, status = 'voided' WHERE id = {held.id}")
    await raw_sql(f"UPDATE ledger_account SET held = 0 WHERE id = {book.alice}")
    assert (await ledger.verify()).is_clean
