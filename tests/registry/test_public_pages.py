"""The public registry pages over the real web app: projects, look-up by serial and
retirement id, the JSON, the project page, and whatever garbage people type."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import pytest
from aiohttp.test_utils import TestClient, TestServer

from core import ledger, registry
from core.ledger import CARBON, Leg
from core.purchases.certificates import certify_retirement
from core.settings import load_settings
from tests.purchases.conftest import make_shop
from tests.purchases.test_buying import buy
from tests.registry.conftest import NOW, PRODUCER, make_project, wallet
from web import certs
from web.app import build_web_app

BUYER = 2002
BASE_URL = "https://registry.example"


@dataclass
class World:
    client: TestClient
    code: str
    retirement: registry.RetirementView
    certificate_id: str

    def serial(self, first: int, last: int | None = None) -> str:
        tail = f"{first}" if last is None else f"{first}-{last}"
        return f"CCCP-{self.code}-2024-{tail}"


@pytest.fixture
async def world(db, tmp_path):
    """5,000 kg issued; 2,000 transferred to a buyer who holds 500 and retires 300.

    Serials: 1-500 held (buyer), 501-800 retired, 801-2000 active (buyer),
    2001-5000 active (producer).
    """
    project = await make_project(name="Hamburg <Landfill> Gas", code="HLG")
    await registry.issue_batch(project.id, 2024, 5000, key="b1", now=NOW)
    producer, buyer = await wallet(PRODUCER), await ledger.user_account(BUYER, CARBON)
    await ledger.post("t1", "transfer", [Leg(producer.id, buyer.id, 2000)], now=NOW)
    await ledger.hold("h1", buyer.id, 500, "offer", now=NOW)
    retirement = await registry.retire(
        buyer.id, 300, "Zoë <script>alert(1)</script>", "Flight HAM–LIS", key="r1", now=NOW
    )
    app = build_web_app(load_settings(data_dir=tmp_path, database_url=db, public_base_url=BASE_URL))
    certificate = await certify_retirement(retirement, signing_key=app[certs.CERT_KEY], public_base_url=BASE_URL)
    async with TestClient(TestServer(app)) as client:
        yield World(client, project.code, retirement, certificate.id)


async def page(world: World, path: str, status: int = 200) -> str:
    response = await world.client.get(path)
    assert response.status == status, await response.text()
    assert response.content_type == "text/html"
    return await response.text()


async def lookup(world: World, query: str) -> str:
    return await page(world, "/registry?q=" + quote(query))


async def test_the_registry_lists_projects_with_issued_retired_and_available_tonnes(world):
    text = await page(world, "/registry")
    assert 'name="q"' in text and 'action="/registry"' in text
    assert "Hamburg &lt;Landfill&gt; Gas" in text and "<Landfill>" not in text
    assert "Landfill gas" in text or "ACM0001" in text
    assert "Germany" in text and "Approved" in text
    assert "5 t" in text and "300 kg" in text and "4.7 t" in text
    assert f'href="/registry/projects/{world.code}"' in text


async def test_an_active_serial_shows_its_project_batch_vintage_and_status(world):
    text = await lookup(world, world.serial(3000))
    assert "Hamburg &lt;Landfill&gt; Gas" in text
    assert f"CCCP-{world.code}-2024-1-5000" in text  # the batch
    assert "Vintage" in text and "2024" in text
    assert '<span class="pill active">Active</span>' in text
    assert "Retired for" not in text


async def test_a_held_serial_says_it_is_held(world):
    text = await lookup(world, world.serial(100).lower())
    assert '<span class="pill held">Held</span>' in text
    assert '<span class="pill active">' not in text


async def test_a_retired_serial_names_the_beneficiary_reason_date_and_certificate(world):
    text = await lookup(world, world.serial(600))
    assert '<span class="pill retired">Retired</span>' in text
    assert "Zoë &lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>" not in text
    assert "Flight HAM–LIS" in text
    assert "1 June 2025, 12:00 UTC" in text
    assert f'href="/c/{world.certificate_id}"' in text
    assert world.retirement.id in text


async def test_a_serial_range_shows_each_state_piece_by_piece(world):
    text = await lookup(world, world.serial(400, 900))
    for piece in (world.serial(400, 500), world.serial(501, 800), world.serial(801, 900)):
        assert piece in text
    assert text.index("pill held") < text.index("pill retired") < text.rindex("pill active")


async def test_a_retirement_id_shows_for_whom_how_much_and_its_serials(world):
    text = await lookup(world, world.retirement.id)
    assert "Credits retired for good on behalf of" in text
    assert "Zoë &lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "300 kg" in text and world.serial(501, 800) in text
    assert f'href="/c/{world.certificate_id}"' in text


async def test_the_json_look_up_tells_the_same_facts(world):
    response = await world.client.get("/registry/lookup.json", params={"q": world.serial(600)})
    assert response.status == 200
    document = await response.json()
    assert document["kind"] == "serial" and document["project"]["code"] == world.code
    assert document["batch"]["serial"] == world.serial(1, 5000) and document["batch"]["vintage"] == 2024
    (piece,) = document["ranges"]
    assert piece["status"] == "retired" and piece["beneficiary"] == "Zoë <script>alert(1)</script>"
    assert piece["retired_at"] == "2025-06-01T12:00:00Z"
    assert piece["certificate_url"] == f"/c/{world.certificate_id}"
    by_id = await (await world.client.get("/registry/lookup.json", params={"q": world.retirement.id})).json()
    assert by_id["kind"] == "retirement" and by_id["retirement"]["amount_kg"] == 300


async def test_the_project_page_lists_its_batches_with_issued_and_retired_kg(world):
    text = await page(world, f"/registry/projects/{world.code.lower()}")
    assert "Hamburg &lt;Landfill&gt; Gas" in text
    assert world.serial(1, 5000) in text
    assert "5,000 kg" in text and "300 kg" in text and "4,700 kg" in text


async def test_the_certificate_page_links_to_its_retirement_in_the_registry(world):
    text = await page(world, f"/c/{world.certificate_id}")
    assert f'href="/registry?q={world.retirement.id}&amp;lang=en"' in text  # in the certificate's language


@pytest.mark.parametrize(
    "query",
    [
        "CCCP-HLG-2024-9000",  # past the batch
        "CCCP-HLG-2023-100",  # wrong vintage
        "CCCP-XYZ-2024-100",  # no such project
        "CCCP-HLG-2024-9999999999999999999",  # past BIGINT
        "RZZZZZZZZZZ",  # a retirement id nobody has
        "<script>alert(1)</script>",
        "CCCP-" + "9" * 5000,
        "x" * 5000,
        "Ω²\x00'; DROP TABLE registry_batch; --",
    ],
)
async def test_unknown_or_malformed_input_finds_nothing_without_an_error(world, query):
    text = await page(world, "/registry?q=" + quote(query), status=404)
    assert "We could not find that" in text
    assert "<script>alert" not in text
    response = await world.client.get("/registry/lookup.json", params={"q": query})
    assert response.status == 404 and (await response.json())["error"] == "not_found"


@pytest.mark.parametrize(
    "path",
    ["/registry/projects/NOPE", "/registry/projects/%3Cscript%3E", "/registry/projects/" + "9" * 40,
     "/registry/projects/²", "/registry/projects/", "/registry/projects/a/b", "/registry/other"],
)
async def test_an_unknown_project_or_page_is_a_friendly_404(world, path):
    text = await page(world, path, status=404)
    assert "We could not find that" in text and "<script>" not in text


@pytest.fixture
async def shop_client(db, tmp_path):
    """The web app over a shop (tests/purchases/conftest.py) where purchases can be made."""
    shop = await make_shop()
    app = build_web_app(load_settings(data_dir=tmp_path, database_url=db, public_base_url=BASE_URL))
    async with TestClient(TestServer(app)) as client:
        yield shop, client


async def test_a_purchased_retirement_shows_its_carbon_reduction_order_on_the_page_and_in_json(shop_client):
    shop, client = shop_client
    result = await buy(shop, 500, retire_for="Zoë", reason="offset of flight LHR–CDG")
    response = await client.get("/registry", params={"q": result.retirement.id})
    assert response.status == 200
    text = await response.text()
    assert "<dt>Carbon reduction</dt>" in text
    assert "This purchase started a carbon reduction order: recorded (500 kg, 2025-03-01)" in text
    document = await (await client.get("/registry/lookup.json", params={"q": result.retirement.id})).json()
    assert document["reductions"] == [
        {"status": "recorded", "amount_kg": 500, "created_at": "2025-03-01T12:00:00Z"}
    ]


async def test_a_retirement_with_no_purchase_shows_no_carbon_reduction(world):
    text = await lookup(world, world.retirement.id)
    assert "Carbon reduction" not in text
    document = await (await world.client.get("/registry/lookup.json", params={"q": world.retirement.id})).json()
    assert document["reductions"] == []


async def test_the_project_page_lists_its_recent_retirements_with_links_to_them_and_their_certificate(world):
    text = await page(world, f"/registry/projects/{world.code}")
    assert "Recent retirements" in text
    section = text[text.index("Recent retirements"):]
    assert f'href="/registry?q={world.retirement.id}"' in section
    assert "Zoë &lt;script&gt;alert(1)&lt;/script&gt;" in section and "<script>" not in section
    assert "300 kg" in section and "1 June 2025" in section
    assert f'href="/c/{world.certificate_id}"' in section


async def test_a_project_page_shows_the_newest_twenty_retirements_first(db, tmp_path):
    project = await make_project(code="MANY")
    await registry.issue_batch(project.id, 2024, 1000, key="b", now=NOW)
    producer = await wallet(PRODUCER)
    for day in range(1, 23):
        await registry.retire(producer.id, day, f"Beneficiary {day:02d}", "", key=f"r{day}",
                              now=NOW.replace(day=day))
    app = build_web_app(load_settings(data_dir=tmp_path, database_url=db, public_base_url=BASE_URL))
    async with TestClient(TestServer(app)) as client:
        text = await (await client.get("/registry/projects/MANY")).text()
    shown = [n for n in range(1, 23) if f"Beneficiary {n:02d}" in text]
    assert shown == list(range(3, 23))
    assert text.index("Beneficiary 22") < text.index("Beneficiary 21") < text.index("Beneficiary 03")
    assert 'href="/c/' not in text  # none of them has a certificate


async def test_a_retirement_spanning_two_projects_counts_on_each_page_only_what_came_from_it(db, tmp_path):
    first = await make_project(name="First", code="ONE")
    second = await make_project(name="Second", code="TWO")
    await registry.issue_batch(first.id, 2024, 1000, key="b1", now=NOW)
    await registry.issue_batch(second.id, 2024, 1000, key="b2", now=NOW)
    retirement = await registry.retire((await wallet(PRODUCER)).id, 1300, "Both", "", key="r", now=NOW)
    app = build_web_app(load_settings(data_dir=tmp_path, database_url=db, public_base_url=BASE_URL))
    async with TestClient(TestServer(app)) as client:
        for code, kg in (("ONE", "1,000 kg"), ("TWO", "300 kg")):
            text = await (await client.get(f"/registry/projects/{code}")).text()
            row = text[text.index(f'href="/registry?q={retirement.id}"'):].split("</tr>")[0]
            assert kg in row
