"""Kinds: why something moved, a closed set.

Every posting and every hold names its kind, and the database refuses a kind
that is not a row of `ledger_kind` (a foreign key on PostgreSQL, a trigger on
SQLite; see guards.py). The migration that made the table seeded it with the
members below. A feature that needs a new kind adds a member here and a row
by migration: an INSERT, no table is rebuilt. tests/ledger/test_kinds.py
checks that the enum and a migrated database agree.

History shows `kind` as it is; the bot words each kind once
(bot/handlers/account.py, KIND_LABELS).
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    ISSUANCE = "issuance"  # new credits out of the issuance account (registry)
    PURCHASE = "purchase"  # credits held for a buyer and moved to them
    PAYMENT = "payment"  # money in from Telegram or a card provider, on to the seller
    REFUND = "refund"  # a payment sent back
    RETIREMENT = "retirement"  # credits out of circulation, for a beneficiary
    TRANSFER = "transfer"  # one account to another, nothing more to say
    OFFER = "offer"  # a market offer reserves the seller's credits (the market's seam)
    POST_HOLD = "post_hold"  # what a hold reserved, moved (post_hold's default)
    VOID_HOLD = "void_hold"  # a hold released (void_hold's default)
    EXPIRE_HOLD = "expire_hold"  # a hold released when its time ran out (expire_holds)
    ADJUSTMENT = "adjustment"  # staff correct a money balance against the adjustments account, with a reason
    GOODWILL = "goodwill"  # staff credit Stars as a remedy after a retirement (no refund possible)
    CANCELLATION = "cancellation"  # buffer credits cancelled for a loss (reforestation)
    PLANTING = "planting"  # a share of a purchase's fee into the planting fund (reforestation)
