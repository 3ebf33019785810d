"""People who use CCCP: sign-up, language, roles, settings and what they hold."""

from core.users.errors import RoleNotSelfService, UnknownRole, UnknownUser, UnsupportedLanguage
from core.users.models import UserRole
from core.users.service import (
    BalanceView,
    CashBalance,
    HistoryPage,
    UserView,
    add_role,
    balances,
    get_user,
    grant_staff,
    history,
    mark_blocked,
    mark_unblocked,
    set_language,
    set_notifications,
    set_topic_muted,
    sign_up,
)

__all__ = [
    "BalanceView", "CashBalance", "HistoryPage", "RoleNotSelfService", "UnknownRole", "UnknownUser",
    "UnsupportedLanguage", "UserRole", "UserView", "add_role", "balances", "get_user", "grant_staff",
    "history",
    "mark_blocked", "mark_unblocked", "set_language", "set_notifications", "set_topic_muted", "sign_up",
]
