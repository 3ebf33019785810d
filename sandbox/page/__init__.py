"""The sandbox chat page: try the bot in a browser, as Alice, Bob or Support.

    page = SandboxPage(server)     # server: a BotApiServer mounted on the same web app
    page.add_routes(web_app)       # /sandbox, /sandbox/ws, /sandbox/static/...
"""

from .channel import ActionError, SandboxPage
from .deeplink import DeepLinkError, deep_link_payload, start_command
from .people import ALICE, BOB, PEOPLE, SUPPORT, Person, staff_ids

__all__ = [
    "ALICE",
    "BOB",
    "PEOPLE",
    "SUPPORT",
    "ActionError",
    "DeepLinkError",
    "Person",
    "SandboxPage",
    "deep_link_payload",
    "staff_ids",
    "start_command",
]
