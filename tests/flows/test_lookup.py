"""/lookup in the chat: the public registry's facts, translated, with a link to the page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core import ledger, registry
from core.ledger import CARBON, Leg
from tests.helpers import sign_up_producer

WHEN = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)
PRODUCER = 7001
BUYER = 7002


@pytest.fixture
async def retired(bot):
    """5,000 kg of project HLG (vintage 2025); serials 1-300 retired for Zoë, 301-500 held."""
    await sign_up_producer(PRODUCER)
    project = await registry.create_project(
        name="Hamburg Landfill Gas", methodology="ACM0001", country="DE", producer_id=PRODUCER,
        code="HLG", approve=True, now=WHEN,
    )
    await registry.issue_batch(project.id, 2025, 5000, key="b1", now=WHEN)
    producer, buyer = await ledger.user_account(PRODUCER, CARBON), await ledger.user_account(BUYER, CARBON)
    await ledger.post("t1", "transfer", [Leg(producer.id, buyer.id, 2000)], now=WHEN)
    retirement = await registry.retire(buyer.id, 300, "Zoë", "Flight HAM–LIS", key="r1", now=WHEN)
    await ledger.hold("h1", buyer.id, 200, "offer", now=WHEN)
    return retirement


async def test_lookup_of_a_retired_serial_names_project_batch_and_beneficiary(bot, retired):
    ana = bot.user("Ana")  # the registry is public: no sign-up needed
    reply = await ana.send("/lookup CCCP-HLG-2025-100")
    assert reply.text.splitlines()[0] == "🔎 Serial numbers CCCP-HLG-2025-100"
    assert "Project: Hamburg Landfill Gas (HLG), Germany" in reply.text
    assert "Batch: CCCP-HLG-2025-1-5000, vintage 2025, 5 t issued on Feb 1, 2026" in reply.text
    assert f"• CCCP-HLG-2025-100-100 (1 kg): retired for Zoë on Feb 1, 2026 ({retired.id})" in reply.text
    assert reply.text.endswith(f"Public page: {bot.settings.public_base_url.rstrip('/')}/registry?q=CCCP-HLG-2025-100")


async def test_lookup_alone_asks_for_the_number_then_reads_it(bot, retired):
    bo = await bot.signed_up_user("Bo")
    ask = await bo.send("/lookup")
    assert ask.text.startswith("Send me a serial number, a retirement id or a certificate id")
    reply = await bo.send("cccp-hlg-2025-250-600")
    assert "retired for Zoë" in reply.text
    assert "held, reserved for an offer or a payment" in reply.text
    assert "active, in circulation" in reply.text
    # the question is answered: the next text is no longer taken for a number
    assert (await bo.send("hello")).text.startswith("I did not understand that")


async def test_lookup_of_a_retirement_id_in_german(bot, retired):
    cem = await bot.signed_up_user("Cem", language="de")
    reply = await cem.send(f"/lookup {retired.id.lower()}")
    assert reply.text.splitlines()[0] == f"🔎 Stilllegung {retired.id}: 300 kg stillgelegt für Zoë am 01.02.2026"
    assert "Grund: Flight HAM–LIS" in reply.text
    assert "Projekt: Hamburg Landfill Gas (HLG), Deutschland" in reply.text
    assert "• CCCP-HLG-2025-1-300, Jahrgang 2025 (300 kg)" in reply.text
    assert f"/registry?q={retired.id}" in reply.text


async def test_a_serial_typed_outside_any_flow_is_looked_up_in_french(bot, retired):
    dee = await bot.signed_up_user("Dee", language="fr")
    reply = await dee.send("CCCP-HLG-2025-4000")
    assert reply.text.startswith("🔎 Numéros de série CCCP-HLG-2025-4000")
    assert "actif, en circulation" in reply.text and "Allemagne" in reply.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/lookup CCCP-HLG-2025-9000", "Nothing in the registry has the number CCCP-HLG-2025-9000."),
        ("/lookup RZZZZZZZZZZ", "Nothing in the registry has the number RZZZZZZZZZZ."),
        ("/lookup <script>", "“<script>” is not a serial number, a retirement id or a certificate id."),
        ("/lookup " + "x" * 5000, "“" + "x" * 39 + "…” is not a serial number"),
        ("/lookup CCCP-HLG-2025-99999999999999999999", "is not a serial number"),
    ],
)
async def test_bad_or_unknown_numbers_get_a_clear_answer(bot, retired, text, expected):
    eva = bot.user("Eva")
    reply = await eva.send(text[:4096])
    assert expected in reply.text
    assert bot.unexpected_errors == 0


async def test_bad_input_after_the_question_is_answered_in_german(bot, retired):
    fin = await bot.signed_up_user("Fin", language="de")
    await fin.send("/lookup")
    reply = await fin.send("keine Ahnung")
    assert reply.text.startswith("„keine Ahnung“ ist weder eine Seriennummer noch eine Stilllegungs-ID oder Urkunden-ID.")


async def test_cancel_while_asked_stops_the_look_up(bot, retired):
    gia = await bot.signed_up_user("Gia")
    await gia.send("/lookup")
    assert (await gia.send("/cancel")).text == "Cancelled. Nothing was looked up."


async def test_the_command_menu_lists_lookup_in_every_language(bot):
    for language, description in [
        ("en", "Look up a serial number, a retirement id or a certificate id"),
        ("de", "Eine Seriennummer, Stilllegungs-ID oder Urkunden-ID nachschlagen"),
        ("fr", "Rechercher un numéro de série, un identifiant de retrait ou de certificat"),
    ]:
        commands = bot.server.commands_for(language)
        assert {"command": "lookup", "description": description} in commands
