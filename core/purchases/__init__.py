"""Buying credits and products: orders, payments, refunds, retirements (see service.py).

Importing this package shows its reduction orders in the registry's look-up
(core/registry/reductions.py); core/checks.py imports it, as the app and the
CLI do.
"""

from core.ledger import add_check
from core.purchases.checks import check_payments
from core.purchases.reductions import reductions_of_retirement
from core.registry.reductions import register_reduction_source

register_reduction_source(reductions_of_retirement)
add_check(check_payments)
