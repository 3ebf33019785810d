"""A local stand-in for the Telegram Bot API server, and a driver that acts as people.

    server = BotApiServer(token, clock=ManualClock())
    await server.start()
    alice = server.user("Alice", language_code="de")
    reply = await alice.send("/start")
"""

from .clock import ManualClock
from .driver import ChatUser, DriverError, PaymentOutcome, Reply, SettleTimeout
from .errors import ApiError
from .events import BotEvent
from .limits import RateLimits
from .server import TEST_CARD_PROVIDER_TOKEN, BotApiServer

__all__ = [
    "ApiError",
    "BotApiServer",
    "BotEvent",
    "ChatUser",
    "DriverError",
    "ManualClock",
    "PaymentOutcome",
    "RateLimits",
    "Reply",
    "SettleTimeout",
    "TEST_CARD_PROVIDER_TOKEN",
]
