"""What can go wrong with a staff action; each code has a translated sentence in the bot."""

from core.errors import DomainError


class StaffError(DomainError):
    code = "staff_error"


class NotStaff(StaffError):
    """The person has no staff role that allows this (checked in the database each time)."""

    code = "staff_not_allowed"


class ReasonRequired(StaffError):
    code = "staff_reason_required"


class UserNotFound(StaffError):
    code = "staff_user_not_found"


class NotRefundable(StaffError):
    """The payment cannot be given back as a whole charge (see docs/DECISIONS.md)."""

    code = "staff_not_refundable"


class AlreadyRefunded(StaffError):
    code = "staff_already_refunded"


class AlreadyFrozen(StaffError):
    code = "staff_already_frozen"


class NotFrozen(StaffError):
    code = "staff_not_frozen"


class AccountFrozen(StaffError):
    """The user's account is frozen by staff: they can read, but move nothing."""

    code = "account_frozen"


class BadAmount(StaffError):
    code = "staff_bad_amount"


class WouldOverdraw(StaffError):
    """A debit larger than what the user has: a user's balance never goes below zero."""

    code = "staff_would_overdraw"


class UnknownTicket(StaffError):
    code = "staff_unknown_ticket"


class UnknownBroadcast(StaffError):
    code = "staff_unknown_broadcast"


class BadSegment(StaffError):
    code = "staff_bad_segment"


class UnknownApproval(StaffError):
    code = "staff_unknown_approval"


class CannotRevokeAdmin(StaffError):
    """Admins come from ADMIN_IDS; the bot grants and revokes support only."""

    code = "staff_admin_from_settings"
