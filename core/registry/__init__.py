"""The registry: projects, batches, serial numbers, issuance, retirement, look-up.

Every carbon movement moves serial blocks (blocks.follow_movement) and `verify`
checks them (checks.check_serials): `core.setup()` installs both with the
ledger; importing this package installs nothing.
"""

from core.registry.errors import RegistryError, UnknownProducer
from core.registry.gases import GWP_100, GWP_SOURCE, Gas, parse_gas, to_co2e_kg
from core.registry.inventory import project_inventory
from core.registry.issuance import issue_batch, issue_reduction, list_batches
from core.registry.lookup import lookup
from core.registry.methodologies import (
    METHODOLOGIES,
    Methodology,
    ProjectType,
    Standard,
    get_methodology,
    list_methodologies,
)
from core.registry.models import BlockStatus, ProjectStatus
from core.registry.projects import (
    approve_project,
    create_project,
    get_project,
    list_projects,
    parse_country,
    suspend_project,
)
from core.registry.public import BatchTotals, ProjectTotals, list_project_totals, project_totals
from core.registry.reductions import (
    ReductionView,
    reductions_for_retirement,
    register_reduction_source,
)
from core.registry.retirement import get_retirement, retire, retire_held
from core.registry.serials import format_serial, parse_serial
from core.registry.views import (
    BatchView,
    InventoryLine,
    LookupView,
    ProjectView,
    RetirementView,
    SerialRangeView,
)

__all__ = [
    "BatchTotals", "BatchView", "BlockStatus", "GWP_100", "GWP_SOURCE", "Gas", "InventoryLine",
    "LookupView", "METHODOLOGIES", "Methodology", "ProjectStatus", "ProjectTotals",
    "ProjectType", "ProjectView", "ReductionView", "RegistryError", "RetirementView", "UnknownProducer",
    "SerialRangeView", "Standard", "approve_project", "create_project", "format_serial",
    "get_methodology", "get_project", "get_retirement", "issue_batch", "issue_reduction",
    "list_batches", "list_methodologies", "list_project_totals", "list_projects", "lookup",
    "parse_country", "parse_gas", "parse_serial", "project_inventory", "project_totals",
    "reductions_for_retirement", "register_reduction_source", "retire", "retire_held",
    "suspend_project", "to_co2e_kg",
]
