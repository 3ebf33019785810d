"""Buying credits and products: orders, payments, refunds, retirements (see service.py).

Its reduction orders show in the registry's look-up (core/registry/reductions.py)
once `core.setup()` has installed `reductions.reductions_of_retirement`.
"""
