"""Market errors with stable codes; when one is raised nothing has moved."""

from core.errors import DomainError


class MarketError(DomainError):
    code = "market_error"


class OfferGone(MarketError):
    """The offer was filled, cancelled or expired (a stale button)."""

    code = "offer_gone"


class BookMoved(MarketError):
    """The offer's price or amount is no longer what the taker confirmed."""

    code = "book_moved"


class OwnOffer(MarketError):
    code = "own_offer"


class BelowMinimum(MarketError):
    code = "below_minimum"


class BelowMinFill(MarketError):
    code = "below_min_fill"


class TooManyOffers(MarketError):
    code = "too_many_offers"


class OutsideBand(MarketError):
    code = "outside_band"


class NotEnoughStars(MarketError):
    code = "not_enough_stars"


class NotEnoughCredits(MarketError):
    code = "market_not_enough_credits"


class BadOffer(MarketError):
    """Price, amount, expiry or filters out of range."""

    code = "bad_offer"


class NotYourOffer(MarketError):
    code = "not_your_offer"


class UnknownBook(MarketError):
    code = "unknown_book"


class UnknownWithdrawal(MarketError):
    code = "unknown_withdrawal"
