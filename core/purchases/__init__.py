"""Buying credits and products: orders, payments, refunds, retirements (see service.py)."""
