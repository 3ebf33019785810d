"""Registry errors with stable codes. When one is raised nothing has been written."""

from core.errors import DomainError


class RegistryError(DomainError):
    code = "registry_error"


class UnknownProject(RegistryError):
    code = "unknown_project"


class UnknownMethodology(RegistryError):
    code = "unknown_methodology"


class UnknownCountry(RegistryError):
    code = "unknown_country"


class InvalidProject(RegistryError):
    """A field of a new project is empty, too long or out of range."""

    code = "invalid_project"


class UnknownProducer(RegistryError):
    """A project's producer must be a signed-up user: issuance pays into their wallet."""

    code = "unknown_producer"


class ProjectCodeTaken(RegistryError):
    code = "project_code_taken"


class ProjectNotApproved(RegistryError):
    """Credits are issued only into approved projects (not drafts, not suspended ones)."""

    code = "project_not_approved"


class VintageInFuture(RegistryError):
    code = "vintage_in_future"


class VintageTooOld(RegistryError):
    code = "vintage_too_old"


class AmountNotPositive(RegistryError):
    code = "amount_not_positive"


class UnknownGas(RegistryError):
    code = "unknown_gas"


class AmbiguousGas(RegistryError):
    """CH4 must say fossil or non-fossil: their GWPs differ."""

    code = "ambiguous_gas"


class UnknownUnit(RegistryError):
    code = "unknown_unit"


class BadQuantity(RegistryError):
    code = "bad_quantity"


class UnknownBatch(RegistryError):
    code = "unknown_batch"


class BadSerial(RegistryError):
    """The text is neither a serial number, a serial range nor a retirement id."""

    code = "bad_serial"


class SerialNotFound(RegistryError):
    code = "serial_not_found"


class RetiredCreditsNeverMove(RegistryError):
    code = "retired_credits_never_move"


class BatchExhausted(RegistryError):
    """The account holds fewer credits of the named batch than a batch-strict movement moves.

    A buyer who chose a project gets that project's serials or nothing (the
    front ends say "sold out").
    """

    code = "batch_exhausted"


class SerialsMissing(RegistryError):
    """A carbon movement found fewer serials on the account than it moves.

    Blocks follow the ledger, so this means carbon entered an account outside
    the registry (e.g. from the issuance account without a batch).
    """

    code = "serials_missing"


class CarbonOutsideRegistry(RegistryError):
    """Carbon may enter circulation only by issuance and leave it only by retirement."""

    code = "carbon_outside_registry"


class InvalidRetirement(RegistryError):
    code = "invalid_retirement"
