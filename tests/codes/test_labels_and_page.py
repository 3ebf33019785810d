"""Label sheets, photos of labels, the public code page and the command line."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys

import pypdfium2
import pytest
from aiohttp.test_utils import TestClient, TestServer
from PIL import Image

from core import codes
from core.codes.labels import FORMATS, Label, label_url, render_labels
from core.codes.scan import code_in_text, codes_in_photo
from core.codes.secret import codes_secret
from core.settings import load_settings
from tests.codes.test_codes import NOW, merchant_with_product, shopper
from web.app import build_web_app

SECRET = b"s" * 32


def labels(n: int) -> list[Label]:
    return [Label(c, label_url("https://cccp.example", c), "Fair-trade coffee 500 g", 5)
            for c in (codes.derive(SECRET, "B1", i) for i in range(n))]


def page_image(pdf: bytes, page: int = 0, scale: float = 4) -> Image.Image:
    return pypdfium2.PdfDocument(pdf)[page].render(scale=scale).to_pil().convert("RGB")


def photo_of(image: Image.Image, *, angle: float = 15, scale: float = 0.4, quality: int = 60) -> bytes:
    """A phone's photo of a label: on a table, turned, small and JPEG-compressed."""
    table = Image.new("RGB", (image.width + 240, image.height + 240), (236, 231, 224))
    table.paste(image, (120, 120))
    turned = table.rotate(angle, expand=True, fillcolor=(236, 231, 224), resample=Image.BICUBIC)
    small = turned.resize((int(turned.width * scale), int(turned.height * scale)), Image.LANCZOS)
    out = io.BytesIO()
    small.save(out, "JPEG", quality=quality)
    return out.getvalue()


@pytest.mark.parametrize("sheet", sorted(FORMATS))
def test_a_label_sheet_is_a_vector_pdf_at_the_sheet_s_size_with_every_code(sheet):
    pdf = render_labels(labels(31), sheet)
    document = pypdfium2.PdfDocument(pdf)
    geometry = FORMATS[sheet]
    assert len(document) == -(-31 // geometry.per_page)
    width, height = document[0].get_size()
    assert (round(width), round(height)) == (round(geometry.page[0]), round(geometry.page[1]))
    assert b"/Subtype /Image" not in pdf  # QR and symbol are vectors, not pictures
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    assert all(codes.printed(label.code) in text for label in labels(31))
    assert "Fair-trade coffee 500 g" in text and "5 kg CO2e" in text.replace("\u202f", " ")


def test_a_photo_of_a_label_turned_15_degrees_at_40_percent_in_jpeg_gives_its_code():
    pdf = render_labels(labels(1), "roll")
    assert codes_in_photo(photo_of(page_image(pdf))) == [labels(1)[0].code]


def test_a_photo_of_a_label_from_an_a4_sheet_gives_its_code():
    image = page_image(render_labels(labels(3), "a4-3x8"), scale=3)
    one = image.crop((0, 0, image.width // 3, image.height // 8))
    assert codes_in_photo(photo_of(one, angle=-12, scale=0.6)) == [labels(1)[0].code]


def test_a_photo_without_a_code_or_not_a_picture_gives_nothing():
    blank = io.BytesIO()
    Image.new("RGB", (300, 300), "white").save(blank, "PNG")
    assert codes_in_photo(blank.getvalue()) == []
    assert codes_in_photo(b"not a picture") == []


def test_the_code_is_found_in_a_page_link_a_deep_link_or_alone():
    code = codes.derive(SECRET, "B1", 0)
    for text in (f"https://cccp.example/p/{code}", f"https://t.me/cccp_bot?start={code}", code, codes.printed(code)):
        assert code_in_text(text) == code
    assert code_in_text("https://example.com/other") is None


async def test_the_public_page_shows_product_merchant_kg_and_whether_claimed(db, tmp_path):
    settings = load_settings(data_dir=tmp_path, bot_username="cccp_test_bot", codes_secret="c" * 32)
    product = await merchant_with_product(kg=5)
    secret = codes_secret(settings)
    batch = await codes.fund_batch(product.id, 2, secret=secret, key="page", now=NOW)
    first, second = await codes.batch_codes(batch.id, secret=secret)
    await shopper(1)
    await codes.claim(first, 1, secret=secret, now=NOW)
    async with TestClient(TestServer(build_web_app(settings))) as client:
        page = await (await client.get(f"/p/{second}")).text()
        assert "Coffee 500 g" in page and "Acme Coffee" in page and "5 kg" in page
        assert f"https://t.me/cccp_test_bot?start={second}" in page and "Not claimed yet" in page
        claimed = await (await client.get(f"/p/{first.lower()}")).text()
        assert "Claimed on 1 March 2026" in claimed and "Claim in Telegram" not in claimed
        german = await (await client.get(f"/p/{second}?lang=de")).text()
        assert "Noch nicht eingelöst" in german and "In Telegram einlösen" in german
        wrong = first[:-1] + ("0" if first[-1] != "0" else "1")
        response = await client.get(f"/p/{wrong}")
        assert response.status == 404 and "mistyped" in await response.text()
        for i in range(9):
            assert (await client.get(f"/p/{codes.derive(b'x' * 32, 'B', i)}")).status == 404
        assert (await client.get(f"/p/{second}")).status == 429  # ten misses from this address


def cccp(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cccp", *args], env=env, capture_output=True, text=True, timeout=120)


def test_the_command_line_registers_funds_lists_shows_and_prints_labels(sqlite_template, tmp_path):
    import os
    import shutil

    path = tmp_path / "cccp.sqlite3"
    shutil.copy(sqlite_template, path)
    env = {**os.environ, "DATABASE_URL": f"sqlite://{path}", "CODES_SECRET": "c" * 32, "BOT_TOKEN": ""}
    script = (
        "import asyncio\nfrom core import db, users\nfrom tests.helpers import issue_to\n"
        "from tests.codes.test_codes import NOW\n"
        f"async def main():\n    await db.open_db('sqlite://{path}')\n"
        "    await users.sign_up(7001, 'Acme', 'en', ['merchant'], now=NOW)\n"
        "    await issue_to(7001, 1000, key='i', now=NOW)\n    await db.close_db()\nasyncio.run(main())\n"
    )
    subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=60)
    assert cccp("codes", "register-merchant", "--user", "7001", "--name", "Acme", env=env).returncode == 0
    refused = cccp("codes", "add-product", "--merchant", "7001", "--name", "Tea", "--kg", "3", env=env)
    product = refused.stdout.strip()
    assert refused.returncode == 0 and product.isdigit()
    pending = cccp("codes", "fund", product, "--count", "4", env=env)
    assert pending.returncode == 2 and "code_merchant_not_approved" in pending.stderr
    assert cccp("codes", "approve-merchant", "7001", env=env).returncode == 0
    funded = cccp("codes", "fund", product, "--count", "4", "--expires", "2099-01-01", "--json", env=env)
    batch = json.loads(funded.stdout)
    assert batch["count"] == 4 and batch["held_kg"] == 12
    listed = cccp("codes", "batches", env=env).stdout
    assert batch["id"] in listed and "held 12 kg" in listed
    out = tmp_path / "labels.pdf"
    made = cccp("labels", batch["id"], "--format", "letter-30", "--out", str(out), env=env)
    assert made.returncode == 0, made.stderr
    text = pypdfium2.PdfDocument(out.read_bytes())[0].get_textpage().get_text_range()
    code = re.search(r"K[0-9A-Z]{4}-[0-9A-Z]{5}-[0-9A-Z]{5}", text).group(0)
    shown = cccp("codes", "show", code.lower(), env=env).stdout
    assert "Tea (Acme), 3 kg" in shown and "unclaimed" in shown
    assert cccp("verify", env=env).returncode == 0
