from core import ledger
from core.ledger import Leg

# Carbon enters wallets only by registry issuance (its serial blocks follow
# every carbon posting), so ledger-only tests move money.
EUR = "EUR"


async def test_a_posting_moves_money_between_two_accounts(db):
    clearing = await ledger.system_account(ledger.Role.CLEARING, EUR)
    alice = await ledger.user_account(1, EUR)
    await ledger.post("k1", "issuance", [Leg(clearing.id, alice.id, 1500)])
    assert (await ledger.get_account(alice.id)).balance == 1500
    h = await ledger.hold("h1", alice.id, 500, "offer")
    assert (await ledger.get_account(alice.id)).available == 1000
    bob = await ledger.user_account(2, EUR)
    await ledger.post_hold("p1", h.id, bob.id, amount=200)
    a = await ledger.get_account(alice.id)
    assert (a.balance, a.held) == (1300, 0)
    page = await ledger.history([alice.id])
    assert [e.amount for e in page.entries] == [-200, 1500]
