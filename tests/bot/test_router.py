"""The free-text router: readers in their stated order, the first that reads the text wins."""

from __future__ import annotations

import pytest

from bot import router
from bot.feature import READ_CODE, READ_FOOTPRINT, READ_HINT, READ_ID, Reader


def reader(name: str, order: int, seen: list[str], *, takes: bool) -> Reader:
    async def read(update, context, text: str) -> bool:
        seen.append(name)
        return takes

    return Reader(name, read, order=order)


def test_readers_are_tried_code_then_id_then_footprint_then_hint_whatever_the_feature_order():
    seen: list[str] = []
    readers = [reader(n, o, seen, takes=False) for n, o in
               [("hint", READ_HINT), ("footprint", READ_FOOTPRINT), ("id", READ_ID), ("code", READ_CODE)]]
    assert [r.name for r in router.ordered(readers)] == ["code", "id", "footprint", "hint"]


def test_two_readers_with_one_name_are_refused():
    with pytest.raises(ValueError):
        router.ordered([reader("id", READ_ID, [], takes=True), reader("id", READ_CODE, [], takes=True)])


async def test_the_first_reader_that_reads_the_text_stops_the_others():
    class Message:
        text = "  CODE-7K3M  "

    class Update:
        effective_message = Message()

    seen: list[str] = []
    readers = [reader("hint", READ_HINT, seen, takes=True), reader("id", READ_ID, seen, takes=True),
               reader("code", READ_CODE, seen, takes=False)]
    handler = router.handler(None, readers)
    await handler.callback(Update(), None)
    assert seen == ["code", "id"]
