"""The footprint calculator in the chat, against the local Bot API stand-in: typed and
by buttons, its refusals, and "Offset now" into the buying flow up to the certificate."""

from __future__ import annotations

import re

import pytest

from core.certs.service import get_certificate
from core.ledger import CARBON, STARS, user_account
from core.purchases import service as purchases
from tests.purchases.conftest import make_shop


@pytest.fixture
async def shop(bot):
    return await make_shop()


async def balances(person, shop) -> tuple[int, int]:
    """The person's carbon and the producer's Stars: what a purchase would change."""
    carbon = (await user_account(person.user_id, CARBON)).balance
    stars = (await user_account(shop.project.producer_id, STARS)).balance
    return carbon, stars


async def assert_nothing_happened(person, shop) -> None:
    assert await purchases.purchases_of(person.user_id) == []
    assert await balances(person, shop) == (0, 0)


async def test_lhr_cdg_typed_then_offset_now_and_paid_brings_a_certificate_naming_the_flight(bot, shop):
    alice = await bot.signed_up_user("Alice")
    reply = await alice.send("LHR CDG return")
    text = reply.text
    assert text.startswith("🌍 Flight LHR–CDG return, economy")
    assert "passenger-km ×" in text and "kg CO2e" in text and "Source: Defra 2024" in text
    kg = int(re.search(r"To offset: ([\d,]+) kg", text).group(1).replace(",", ""))
    assert 100 < kg < 300  # 2 x 349 km short-haul economy with RF, about 0.19 kg per km
    assert "radiative forcing" in text
    assert "✅ Offset now" in alice.keyboard_labels()

    reply = await alice.press("✅ Offset now")
    assert "Flight LHR–CDG return, economy" in reply.text and "Hamburg landfill gas" in reply.text
    await alice.press(data=f"buy:item:{shop.listing.ref}")
    reply = await alice.press("🌱 Retire now in my name (Alice)")
    assert f"{kg:,} kg CO2e" in reply.text and "Reason: Flight LHR–CDG return, economy" in reply.text
    await alice.press(alice.keyboard_labels()[0])  # Pay ... ⭐
    paid = await alice.pay()
    await alice.wait_for(lambda m: bool(m.photo))  # the certificate, sent when drawn
    assert paid.is_paid

    caption = alice.last_text
    assert "For: Flight LHR–CDG return, economy" in caption
    cert_id = re.search(r"Certificate (\S+):", caption).group(1)
    cert = await get_certificate(cert_id)
    assert cert.reason == "Flight LHR–CDG return, economy" and cert.amount_kg == kg
    assert bot.unexpected_errors == 0


async def offset_flight_up_to_retiring(alice, shop):
    """LHR CDG return, Offset now, the shop's listing: the question whether to retire."""
    await alice.send("LHR CDG return")
    await alice.press("✅ Offset now")
    return await alice.press(data=f"buy:item:{shop.listing.ref}")


async def certificate_of_last_photo(alice):
    """The certificate whose link the last photo's caption carries (any language)."""
    # the newest certificate: sent when drawn, through the outbox, so perhaps still to come
    last = alice.last
    photo = last if last is not None and last.photo else await alice.wait_for(lambda m: bool(m.photo), existing=False)
    return await get_certificate(re.search(r"/c/([A-Za-z0-9_-]+)", photo.caption).group(1))


async def test_offsetting_puts_retire_now_first_and_says_keeping_brings_no_certificate(bot, shop):
    alice = await bot.signed_up_user("Alice")
    reply = await offset_flight_up_to_retiring(alice, shop)
    assert "To offset “Flight LHR–CDG return, economy”" in reply.text
    assert "no certificate is issued" in reply.text
    assert alice.keyboard_labels() == [
        "🌱 Retire now in my name (Alice)", "✍️ For someone else",
        "📥 Keep in my account (no certificate)", "Cancel",
    ]


async def test_an_offset_confirmed_by_typing_ok_is_retired_with_the_footprint_reason(bot, shop):
    alice = await bot.signed_up_user("Alice")
    await offset_flight_up_to_retiring(alice, shop)
    reply = await alice.send("ok")
    assert "Retired at once for Alice." in reply.text
    assert "Reason: Flight LHR–CDG return, economy" in reply.text
    await alice.send("pay")
    assert (await alice.pay()).is_paid
    cert = await certificate_of_last_photo(alice)
    assert (cert.beneficiary, cert.reason) == ("Alice", "Flight LHR–CDG return, economy")
    assert bot.unexpected_errors == 0


async def test_an_offset_for_someone_else_keeps_the_footprint_reason_on_the_certificate(bot, shop):
    alice = await bot.signed_up_user("Alice", language="de")
    await alice.send("LHR CDG hin und zurück")
    await alice.press(alice.keyboard_labels()[0])  # ✅ Jetzt kompensieren
    await alice.press(data=f"buy:item:{shop.listing.ref}")
    await alice.press(data="buy:ret:other")
    reply = await alice.send("Zoë Ørsted")
    assert "Zoë Ørsted" in reply.text and "Flug LHR–CDG" in reply.text
    await alice.send("zahlen")
    assert (await alice.pay()).is_paid
    cert = await certificate_of_last_photo(alice)
    assert cert.beneficiary == "Zoë Ørsted" and cert.reason.startswith("Flug LHR–CDG")


async def test_an_offset_kept_in_the_account_says_no_certificate_and_sends_none(bot, shop):
    alice = await bot.signed_up_user("Alice")
    await offset_flight_up_to_retiring(alice, shop)
    reply = await alice.press("📥 Keep in my account (no certificate)")
    assert "no certificate is issued until you retire them" in reply.text
    await alice.send("pay")
    paid = await alice.pay()
    assert paid.is_paid and not any(m.photo for m in paid.reply.messages)
    carbon, _ = await balances(alice, shop)
    assert carbon > 0
    [order] = await purchases.purchases_of(alice.user_id)
    assert order.retire_for is None and order.retirement_id is None


async def test_a_flight_by_buttons_alone_asks_each_input_and_shows_the_breakdown(bot, shop):
    alice = await bot.signed_up_user("Alice")
    reply = await alice.send("/footprint")
    assert "What would you like to offset?" in reply.text
    await alice.press("✈️ Flight")
    await alice.send("LHR")
    reply = await alice.send("JFK")
    assert "One way or return?" in reply.text
    await alice.press("One way")
    await alice.press("Business")
    reply = await alice.press("2")
    assert reply.text.startswith("🌍 Flight LHR–JFK, business, 2 passengers")
    assert "long-haul" in reply.text
    with_rf = int(re.search(r"To offset: ([\d,]+) kg", reply.text).group(1).replace(",", ""))
    reply = await alice.press("Without radiative forcing")
    without_rf = int(re.search(r"To offset: ([\d,]+) kg", reply.text).group(1).replace(",", ""))
    assert without_rf < with_rf and "Without radiative forcing:" in reply.text
    assert reply.text.startswith("🌍 Flight LHR–JFK, business, 2 passengers, without RF")
    assert "With radiative forcing" in alice.keyboard_labels()
    await assert_nothing_happened(alice, shop)


async def test_typed_electricity_and_hotel_get_their_breakdown(bot):
    alice = await bot.signed_up_user("Alice")
    reply = await alice.send("350 kWh Germany")
    assert reply.text.startswith("🌍 Electricity, 350 kWh, Germany")
    assert "Ember" in reply.text and "✅ Offset now" in alice.keyboard_labels()
    reply = await alice.send("2 nights hotel France")
    assert reply.text.startswith("🌍 Hotel, 2 nights, France") and "Defra" in reply.text


async def test_electricity_by_buttons_with_a_country_shortcut(bot):
    alice = await bot.signed_up_user("Alice")
    await alice.send("/footprint")
    await alice.press("💡 Electricity")
    reply = await alice.press("United Kingdom")
    assert "How many kWh?" in reply.text
    reply = await alice.send("1,5 MWh")
    assert reply.text.startswith("🌍 Electricity, 1,500 kWh, United Kingdom")
    assert "transmission and distribution" in reply.text


async def test_an_unknown_airport_offers_close_matches_as_buttons(bot, shop):
    alice = await bot.signed_up_user("Alice")
    reply = await alice.send("LHX CDG")
    assert "“LHX” looks like a typo. Which airport do you mean?" in reply.text
    labels = alice.keyboard_labels()
    assert any(label.startswith("LHR ") for label in labels)
    reply = await alice.press(next(label for label in labels if label.startswith("LHR ")))
    assert reply.text.startswith("🌍 Flight LHR–CDG, economy")
    await assert_nothing_happened(alice, shop)


async def test_london_asks_which_airport_with_the_main_one_first(bot):
    alice = await bot.signed_up_user("Alice")
    reply = await alice.send("flight london to paris business")
    assert "“London” has several airports. Which one?" in reply.text
    labels = alice.keyboard_labels()
    assert labels[0].startswith("LHR ") and any(label.startswith("LGW ") for label in labels)
    reply = await alice.press(next(label for label in labels if label.startswith("LGW ")))
    assert "“Paris” has several airports" in reply.text
    assert alice.keyboard_labels()[0].startswith("CDG ")
    reply = await alice.press(alice.keyboard_labels()[0])
    assert reply.text.startswith("🌍 Flight LGW–CDG, business")


@pytest.mark.parametrize(("typed", "answer"), [
    ("LHR LHR", "From and to are the same airport (LHR)"),
    ("-5 kWh Germany", "Please give a number greater than zero."),
    ("1000000000 kWh Germany", "1,000,000,000 kWh is more than the 1,000,000 kWh I accept"),
    ("1e9 kWh Germany", "1,000,000,000 kWh is more than the 1,000,000 kWh I accept"),
    ("350 kWh Germany 5", "I did not expect a number in “Germany 5”."),
    ("350 kWh Atlantis", "I do not know the country “Atlantis”."),
    ("2 nights hotel Narnia", "I do not know the country “Narnia”."),
    ("flight", "I need where from and where to as well"),
])
async def test_a_bad_footprint_gets_a_clear_answer_and_nothing_else_happens(bot, shop, typed, answer):
    alice = await bot.signed_up_user("Alice")
    reply = await alice.send(typed)
    assert answer in reply.text
    assert "✅ Offset now" not in alice.keyboard_labels()
    await assert_nothing_happened(alice, shop)
    assert bot.unexpected_errors == 0


async def test_a_bad_value_in_a_step_is_explained_and_asked_again(bot, shop):
    alice = await bot.signed_up_user("Alice")
    await alice.send("/footprint")
    await alice.press("💡 Electricity")
    await alice.press("Germany")
    reply = await alice.send("-3")
    assert "Please give a number greater than zero." in reply.text and "How many kWh?" in reply.text
    reply = await alice.send("1000000000")
    assert "is more than the 1,000,000 kWh I accept" in reply.text
    await assert_nothing_happened(alice, shop)


async def test_a_stale_offset_button_says_so_and_buys_nothing(bot, shop):
    alice = await bot.signed_up_user("Alice")
    await alice.send("LHR CDG")
    reply = await bot.press_data(alice, "fp:off:deadbeef")
    assert "no longer available" in reply.callback_answer["text"]
    reply = await bot.press_data(alice, "fp:rf:deadbeef")
    assert "no longer available" in reply.callback_answer["text"]
    await assert_nothing_happened(alice, shop)


async def test_sources_lists_every_dataset_with_its_attribution(bot):
    alice = await bot.signed_up_user("Alice")
    reply = await alice.send("/sources")
    for publisher in ("Defra", "EPA", "Ember", "Poore & Nemecek / Our World in Data", "BLS"):
        assert publisher in reply.text
    assert "Open Government Licence v3.0" in reply.text and "CC BY 4.0" in reply.text


async def test_the_menu_button_opens_the_calculator(bot):
    alice = await bot.signed_up_user("Alice")
    await alice.send("/help")
    assert "🌍 Footprint" in alice.keyboard_labels()
    reply = await alice.press("🌍 Footprint")
    assert "What would you like to offset?" in reply.text


@pytest.mark.parametrize(("language", "typed", "starts"), [
    ("de", "350 kWh Deutschland", "🌍 Strom, 350 kWh, Deutschland"),
    ("fr", "2 nuits hôtel France", "🌍 Hôtel, 2 nuits, France"),
    ("de", "LHR CDG hin und zurück ohne rf",
     "🌍 Flug LHR–CDG hin und zurück, Economy, ohne Nicht-CO2-Effekte"),
    ("fr", "vol CDG NCE sans rf", "🌍 Vol CDG–NCE, classe économique, sans les effets hors CO2"),
])
async def test_the_breakdown_speaks_the_persons_language(bot, language, typed, starts):
    person = await bot.signed_up_user("Zoé", language=language)
    reply = await person.send(typed)
    assert reply.text.startswith(starts), reply.text


async def test_a_question_about_typed_text_is_cancelled_by_cancel_and_asks_nothing_more(bot):
    alice = await bot.signed_up_user("Alice")
    reply = await alice.send("flight london to paris business")
    assert "“London” has several airports. Which one?" in reply.text
    reply = await alice.send("/cancel")
    assert reply.text == "Cancelled. Nothing was calculated."
    reply = await alice.send("Gatwick")  # no longer read as the answer
    assert "Which one?" not in reply.text and not reply.text.startswith("🌍")
    reply = await alice.send("flight london to paris business")
    await alice.press("Cancel")
    assert alice.last_text == "Cancelled. Nothing was calculated."
    assert bot.unexpected_errors == 0


async def test_a_typed_answer_to_a_question_about_typed_text_is_read(bot):
    alice = await bot.signed_up_user("Alice")
    await alice.send("flight london to paris business")
    reply = await alice.send("LGW")
    assert "“Paris” has several airports" in reply.text
    reply = await alice.send("CDG")
    assert reply.text.startswith("🌍 Flight LGW–CDG, business")


async def test_a_typo_of_cdg_is_asked_with_buttons_and_either_choice_is_taken(bot, shop):
    alice = await bot.signed_up_user("Alice")
    reply = await alice.send("LHR CGD return")
    assert "“CGD” looks like a typo. Which airport do you mean?" in reply.text
    labels = alice.keyboard_labels()
    assert labels[0].startswith("CGD ") and labels[1].startswith("CDG ")
    reply = await alice.press(labels[1])
    assert reply.text.startswith("🌍 Flight LHR–CDG return, economy")
    assert "🔎 Understood: LHR London Heathrow, United Kingdom → CDG Paris Charles de Gaulle, France" in reply.text
    reply = await alice.send("JKF LHR")
    assert "“JKF” looks like a typo" in reply.text and alice.keyboard_labels()[0].startswith("JFK ")
    reply = await alice.send("LHR CGD")
    reply = await alice.press(alice.keyboard_labels()[0])  # Changde, as typed
    assert reply.text.startswith("🌍 Flight LHR–CGD, economy") and "Changde" in reply.text
    reply = await alice.send("CDG LHR")
    assert reply.text.startswith("🌍 Flight CDG–LHR, economy")
    await assert_nothing_happened(alice, shop)


async def test_a_city_stands_for_its_country_and_every_figure_reads_alike(bot, shop):
    alice = await bot.signed_up_user("Alice")
    reply = await alice.send("1 night hotel Paris")
    assert reply.text.startswith("🌍 Hotel, 1 night, France")
    assert "🔎 Understood: Paris, France → France" in reply.text
    line_kg = re.search(r"= ([\d,.]+) kg CO2e", reply.text).group(1)
    assert f"Footprint: {line_kg} kg CO2e" in reply.text
    assert re.search(r"To offset: \d+ kg, the footprint rounded up to the whole kg", reply.text)
    reply = await alice.send("train London to Edinburgh")
    assert reply.text.startswith("🌍 Train 641 km, national rail")
    assert "estimate: 534 km in a straight line between London, United Kingdom and Edinburgh" in reply.text
    await assert_nothing_happened(alice, shop)


async def test_suggestions_are_buttons_that_read_the_text_again(bot, shop):
    alice = await bot.signed_up_user("Alice")
    reply = await alice.send("2 nights hotel Pariss")
    assert "I do not know the place “Pariss”. Did you mean one of these?" in reply.text
    reply = await alice.press("Paris")
    assert reply.text.startswith("🌍 Hotel, 2 nights, France")
    reply = await alice.send("2 kg beeff")
    assert "Did you mean one of these?" in reply.text
    reply = await alice.press(alice.keyboard_labels()[0])
    assert reply.text.startswith("🌍 Food: 2 kg beef")
    await assert_nothing_happened(alice, shop)


async def test_a_transfer_is_not_read_as_a_food(bot, shop):
    alice = await bot.signed_up_user("Alice")
    reply = await alice.send("send 100 kg to Alice")
    assert "I work out footprints" in reply.text and "food" not in reply.text.split(".")[-1]
    assert "I do not know the food" not in reply.text
    await assert_nothing_happened(alice, shop)
