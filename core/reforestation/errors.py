"""Reforestation errors with stable codes. When one is raised nothing has been written."""

from core.errors import DomainError


class ReforestationError(DomainError):
    code = "reforestation_error"


class UnknownSpecies(ReforestationError):
    code = "unknown_species"


class UnknownPlot(ReforestationError):
    code = "unknown_plot"


class InvalidPlot(ReforestationError):
    """A field of a new plot is out of range (area, trees, rotation, location)."""

    code = "invalid_plot"


class NotTheProducer(ReforestationError):
    """Only the producer of the plot's project records its planting, growth and losses."""

    code = "not_the_producer"


class WrongPlotState(ReforestationError):
    """The action does not fit the plot's state (harvest a harvested plot, measure a lost one)."""

    code = "wrong_plot_state"


class BadMeasurement(ReforestationError):
    code = "bad_measurement"


class NothingToIssue(ReforestationError):
    """No growth since the last issuance, or the plot has reached its long-term average."""

    code = "nothing_to_issue"


class UnknownIssuanceRequest(ReforestationError):
    code = "unknown_issuance_request"
