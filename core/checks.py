"""Every self-check of the system, in one call (`cccp verify`).

The ledger's own checks, and those the areas add to it: `core.setup()`
installs them (the registry's serial blocks), as it installs the movement hooks.
"""

import core
from core.ledger import Report, verify


async def verify_all() -> Report:
    core.setup()  # already done by core.db's open functions; once is enough
    return await verify()
