"""The boundary: control characters leave an update before any handler reads it."""

from __future__ import annotations

from telegram import Update

from bot.inbound import clean_data, clean_text, clean_update, is_dirty


def message_update(text: str, entities: list[dict]) -> Update:
    return Update.de_json({"update_id": 1, "message": {
        "message_id": 3, "date": 1_700_000_000, "chat": {"id": 12, "type": "private", "first_name": "Al"},
        "from": {"id": 12, "is_bot": False, "first_name": "Al"}, "text": text, "entities": entities,
    }}, None)


def test_controls_and_lone_surrogates_go_newline_and_tab_stay():
    assert clean_text("a\x00b\x07c\x1b[0m\x7f\x85\x9f\ud800\udfffd\n\te\u200b😀") == "abc[0md\n\te\u200b😀"


def test_a_clean_update_is_left_as_it_is():
    update = message_update("/balance", [{"type": "bot_command", "offset": 0, "length": 8}])
    assert not is_dirty(update) and clean_update(update, None) is update


def test_entities_move_with_the_text_in_utf16_units():
    update = message_update("/bal\x00ance 😀\x00x", [{"type": "bot_command", "offset": 0, "length": 9},
                                                     {"type": "bold", "offset": 10, "length": 4}])
    cleaned = clean_update(update, None)
    assert cleaned.message.text == "/balance 😀x"
    assert list(cleaned.message.parse_entities().values()) == ["/balance", "😀x"]


def test_every_string_of_a_dirty_update_is_cleaned_names_and_callback_data_too():
    update = Update.de_json({"update_id": 2, "callback_query": {
        "id": "9", "chat_instance": "1", "data": "buy:amt:\x00500",
        "from": {"id": 12, "is_bot": False, "first_name": "Zo\x00ë"},
    }}, None)
    cleaned = clean_update(update, None)
    assert cleaned.callback_query.data == "buy:amt:500" and cleaned.effective_user.first_name == "Zoë"


def test_stored_state_is_cleaned_keys_and_numbers_kept():
    assert clean_data({"buy": {"retire_for": "Zo\x00ë", "amount_kg": 500, "refs": ["L1\x00"]}}) == \
        {"buy": {"retire_for": "Zoë", "amount_kg": 500, "refs": ["L1"]}}
