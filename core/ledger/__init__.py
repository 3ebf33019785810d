"""The double-entry ledger: the only way credits and money move. See models.py."""

from core.ledger.accounts import (
    STARS,
    AccountView,
    Role,
    accounts_of,
    get_account,
    open_account,
    open_accounts,
    project_owner,
    set_frozen,
    system_account,
    system_name,
    user_account,
    user_name,
    user_owner,
)
from core.ledger.errors import LedgerError
from core.ledger.history import Entry, HistoryPage, history
from core.ledger.hooks import Movement, MovementKind, on_movement
from core.ledger.kinds import Kind
from core.ledger.models import CARBON, HoldAction, HoldStatus
from core.ledger.postings import (
    HoldStepView,
    HoldView,
    Leg,
    PostingView,
    expire_holds,
    get_hold,
    get_posting,
    hold,
    hold_history,
    post,
    post_hold,
    void_hold,
)
from core.ledger.verify import Report, add_check, verify

__all__ = [
    "CARBON", "STARS", "AccountView", "Entry", "HistoryPage", "HoldAction", "HoldStatus",
    "HoldStepView", "HoldView", "Kind", "Leg", "LedgerError", "Movement", "MovementKind",
    "PostingView", "Report", "Role", "accounts_of", "add_check", "expire_holds", "get_account",
    "get_hold", "get_posting", "history", "hold", "hold_history", "on_movement", "open_account",
    "open_accounts", "post", "post_hold", "project_owner", "set_frozen", "system_account", "system_name",
    "user_account", "user_name", "user_owner", "verify", "void_hold",
]
