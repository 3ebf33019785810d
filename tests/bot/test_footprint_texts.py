"""The calculator's texts: every typed example it shows works in its language, and every
footprint error code has a sentence."""

from __future__ import annotations

import pytest

from bot.conversations import footprint as chat
from bot.i18n import translator
from core.footprint import compute, parse_request
from core.footprint import errors as footprint_errors
from core.i18n import LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("activity", list(chat.EXAMPLES))
def test_every_example_the_bot_shows_is_understood_in_its_language(language, activity):
    typed = translator(language)(chat.EXAMPLES[activity])
    request = parse_request(typed)
    assert request.activity == activity
    assert compute(request).kg_co2e > 0


def test_every_footprint_error_code_has_its_own_sentence():
    codes = {cls.code for cls in vars(footprint_errors).values()
             if isinstance(cls, type) and issubclass(cls, footprint_errors.FootprintError)}
    codes -= {"footprint_error", "country_not_covered"}  # the base; covered per activity
    assert codes <= set(chat.ERRORS)
    assert set(chat.NOT_COVERED) == {"hotel", "electricity"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_flight_reason_names_the_route_the_trip_and_the_cabin(language):
    t = translator(language)
    reason = chat.reason_text(t, compute(parse_request("LHR CDG return")))
    assert "LHR–CDG" in reason
    assert reason == {"en": "Flight LHR–CDG return, economy",
                      "de": "Flug LHR–CDG hin und zurück, Economy",
                      "fr": "Vol LHR–CDG aller-retour, classe économique"}[language]
