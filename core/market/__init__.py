"""The market: order books per project, trades between users, alerts, the Stars wallet.

See book.py (offers, matching, trades), alerts.py, wallet.py (top-ups and
withdrawal requests) and rules.py (the limits, from MARKET_* settings).
"""
