"""Every self-check of the system, in one call (`cccp verify`).

Importing an area registers its checks with the ledger's `verify` (and the
registry its movement hook, so carbon postings always move serial blocks):
the app and the CLI import this module at start.
"""

import core.purchases  # noqa: F401  (shows reduction orders in the registry's look-up)
import core.registry  # noqa: F401  (registers the serial-block hook and checks)
from core.ledger import Report, verify


async def verify_all() -> Report:
    return await verify()
