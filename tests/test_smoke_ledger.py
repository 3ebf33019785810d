from core import ledger
from core.ledger import Leg


async def test_a_posting_moves_carbon_between_two_accounts(db):
    issuance = await ledger.system_account(ledger.Role.ISSUANCE, ledger.CARBON)
    alice = await ledger.user_account(1, ledger.CARBON)
    await ledger.post("k1", "issue", [Leg(issuance.id, alice.id, 1500)])
    assert (await ledger.get_account(alice.id)).balance == 1500
    h = await ledger.hold("h1", alice.id, 500, "offer")
    assert (await ledger.get_account(alice.id)).available == 1000
    bob = await ledger.user_account(2, ledger.CARBON)
    await ledger.post_hold("p1", h.id, bob.id, amount=200)
    a = await ledger.get_account(alice.id)
    assert (a.balance, a.held) == (1300, 0)
    page = await ledger.history([alice.id])
    assert [e.amount for e in page.entries] == [-200, 1500]
