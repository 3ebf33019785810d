"""CCCP's domain: the ledger and the areas built on it (see DESIGN.md).

The areas meet through a few seams that `setup()` fills, never an import's
side effects: the registry follows every carbon movement with its serial
blocks (a ledger movement hook) and adds its checks to `verify`, and the
purchases show their reduction orders in the registry's look-up and add their
check (no payment left unapplied, the last reconciliation) to `verify`; the
market and the codes teach the staff look-up their ids and add their parts to
the user card.

Every process calls `setup()` before anything moves; core.db's open functions
do, and so do the front ends' composition roots. The ledger refuses to move
carbon when no hook follows it (HookMissing), so a process that forgot the
call fails loudly instead of moving carbon without its serials.
"""


def setup() -> None:
    """Install the hooks and checks the areas hand each other. Safe to call again."""
    # Imported here, not at the top: `import core.ledger` must not pull in the
    # registry and the purchases (imports point down).
    from core.codes.lookup import codes_on_card, find_code_user
    from core.codes.reductions import reductions_of_retirement as reductions_of_claims
    from core.ledger import CARBON, add_check, on_movement
    from core.market.checks import check_offers
    from core.market.lookup import find_trader, offers_on_card
    from core.market.wallet import PAYLOAD_PREFIX as TOPUP_PREFIX
    from core.market.wallet import apply_topup, precheck_topup
    from core.purchases.checks import check_payments
    from core.purchases.reductions import reductions_of_retirement
    from core.purchases.service import register_order_kind
    from core.reforestation.checks import check_forest
    from core.registry.blocks import follow_movement
    from core.registry.checks import check_serials
    from core.registry.reductions import register_reduction_source
    from core.staff.approvals import register_areas, register_projects
    from core.staff.lookup import register_finder, register_section

    # Each registry keeps a hook once, however often this runs.
    on_movement(CARBON, follow_movement)
    add_check(check_serials)
    add_check(check_payments)
    add_check(check_forest)
    register_reduction_source(reductions_of_retirement)
    register_projects()  # the staff's /approve; other areas register theirs here too
    register_areas()
    register_order_kind(TOPUP_PREFIX, precheck_topup, apply_topup)
    add_check(check_offers)
    register_reduction_source(reductions_of_claims)
    # The staff look-up finds users by what the market and the codes name them by,
    # and its user card shows their offers, products and claims.
    register_finder(find_trader)
    register_finder(find_code_user)
    register_section("offers", offers_on_card)
    register_section("codes", codes_on_card)
