"""Catalogue errors with stable codes; front ends translate them."""

from core.errors import DomainError


class CatalogError(DomainError):
    code = "catalog_error"


class UnknownItem(CatalogError):
    """The listing or product does not exist (or the button that named it is malformed)."""

    code = "item_unknown"


class OfferWithdrawn(CatalogError):
    """The listing or product is no longer for sale."""

    code = "offer_withdrawn"


class SoldOut(CatalogError):
    """The seller cannot deliver that many credits from the batch any more."""

    code = "sold_out"


class CurrencyNotOffered(CatalogError):
    code = "currency_not_offered"


class NotWholeUnits(CatalogError):
    """A product is sold in whole units of its kg per unit."""

    code = "not_whole_units"


class InvalidListing(CatalogError):
    code = "invalid_listing"
