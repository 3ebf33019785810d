"""The Telegram front end: handlers and conversations that translate chat to core calls."""

import os

# python-telegram-bot 22 gives time periods (a 429's retry_after) as datetime.timedelta when
# asked to; without it every access warns that it will. bot/inbox.py and bot/outbox.py read both.
os.environ.setdefault("PTB_TIMEDELTA", "true")
