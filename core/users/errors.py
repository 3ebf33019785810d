"""What can go wrong with a user's own record."""

from core.errors import DomainError


class UserError(DomainError):
    code = "user_error"


class UnknownUser(UserError):
    """No one with this id has signed up."""

    code = "unknown_user"


class UnknownRole(UserError):
    code = "unknown_role"


class UnsupportedLanguage(UserError):
    code = "unsupported_language"


class RoleNotSelfService(UserError):
    """Nobody gives themselves this role (staff): an operator grants it with `grant_staff`."""

    code = "role_not_allowed"
