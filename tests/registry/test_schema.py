import pytest
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core import registry
from core.registry.models import Batch, BlockStatus, SerialBlock
from tests.registry.conftest import NOW, PRODUCER, make_project, wallet


async def _refused(**fields) -> None:
    with pytest.raises(IntegrityError):
        async with in_transaction():
            await SerialBlock.create(**fields)


async def test_the_database_refuses_a_second_block_on_the_same_serials_and_a_held_block_without_hold(db):
    project = await make_project()
    batch = await registry.issue_batch(project.id, 2024, 100, key="b1", now=NOW)
    account = await wallet(PRODUCER)
    base = {"batch_id": batch.id, "account_id": account.id, "status": BlockStatus.ACTIVE}
    await _refused(**base, serial_first=1, serial_last=1)  # serial 1 already has its block
    await _refused(**base, serial_first=50, serial_last=100)  # so has 100
    await _refused(**{**base, "status": BlockStatus.HELD}, serial_first=200, serial_last=201)
    await _refused(**{**base, "status": BlockStatus.RETIRED}, serial_first=300, serial_last=301)
    await _refused(**base, serial_first=401, serial_last=400)
    with pytest.raises(IntegrityError):
        async with in_transaction():
            await Batch.filter(id=batch.id).update(amount_kg=99)  # range no longer its amount
    assert await SerialBlock.all().count() == 1
