"""Staff tools: roles, the audit log, freezes, refunds and adjustments, support
tickets, broadcasts, statistics and the approvals other areas add.

Import the modules you need (`from core.staff import audit, roles`): this package
imports nothing itself, because core.purchases reads `core.staff.freezes` at
pre-checkout while `core.staff.money` builds on core.purchases.
"""
