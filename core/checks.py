"""Every self-check of the system, in one call (`cccp verify`).

Importing an area registers its checks with the ledger's `verify`.
"""

from core.ledger import Report, verify


async def verify_all() -> Report:
    return await verify()
