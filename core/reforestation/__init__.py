"""Reforestation: species, plots, growth, ex-post issuance, harvest, replant (see service.py)."""

from core.reforestation.planting import (
    MILESTONES_KG,
    PLANTING_SHARE_BPS,
    TREES_PER_TONNE,
    TreesView,
    plant_orders,
    trees_of,
)
from core.reforestation.service import (
    LOSS_CAUSES,
    LossView,
    PlotView,
    RequestView,
    approve_issuance,
    get_plot,
    harvest,
    issuable_kg,
    list_plots,
    parse_volume,
    pending_requests,
    record_loss,
    record_measurement,
    register_plot,
    replant,
    request_issuance,
)
from core.reforestation.species import Species, all_species, get_species
from core.reforestation.tick import TickReport, tick

__all__ = [
    "LOSS_CAUSES", "MILESTONES_KG", "PLANTING_SHARE_BPS", "TREES_PER_TONNE", "LossView", "PlotView",
    "RequestView", "Species", "TickReport", "TreesView", "all_species", "approve_issuance", "get_plot",
    "get_species", "harvest", "issuable_kg", "list_plots", "parse_volume", "pending_requests", "plant_orders",
    "record_loss", "record_measurement", "register_plot", "replant", "request_issuance", "tick", "trees_of",
]
