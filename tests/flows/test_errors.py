"""An unexpected error in a handler: a short apology with a reference, the same
reference in the log with the traceback, and the bot goes on answering."""

from __future__ import annotations

import logging
import re

from bot.handlers import account


async def test_an_unexpected_error_apologises_with_a_reference_logged_with_its_traceback(
    bot, monkeypatch, caplog
):
    alice = await bot.signed_up_user("Alice")
    real_balances = account.users.balances
    calls = []

    async def balances_failing_once(user_id: int):
        calls.append(user_id)
        if len(calls) == 1:
            raise RuntimeError("ledger replica unreachable")
        return await real_balances(user_id)

    monkeypatch.setattr(account.users, "balances", balances_failing_once)
    caplog.set_level(logging.ERROR, logger="bot.errors")

    reply = await alice.send("/balance")

    apology = re.fullmatch(
        r"Sorry, something went wrong on our side\. Please try again later\. Reference: ([0-9A-F]{8})",
        reply.text,
    )
    assert apology, reply.text
    assert "ledger replica unreachable" not in reply.text  # no internals for the person
    reference = apology.group(1)
    [record] = [r for r in caplog.records if r.name == "bot.errors"]
    logged = record.getMessage()
    assert record.levelno == logging.ERROR
    assert f"error {reference} while handling update" in logged
    assert "/balance" in logged  # the update, so support sees what the person sent
    assert "Traceback (most recent call last)" in logged
    assert "RuntimeError: ledger replica unreachable" in logged
    assert bot.unexpected_errors == 1

    again = await alice.send("/balance")

    assert "Reference" not in again.text
    assert "Available" in again.text
    assert calls == [alice.user_id, alice.user_id]
