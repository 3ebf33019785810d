"""Product codes end to end through the local Bot API stand-in: a merchant registers a
product, funds codes and downloads the label sheet; shoppers claim by deep link (through
sign-up), by typing and by a photo of a label, and get the certificate."""

from __future__ import annotations

import io
import re

import pypdfium2
import zxingcpp
from PIL import Image

from core import codes, registry
from core.ledger import CARBON, user_account
from tests.codes.test_labels_and_page import photo_of
from tests.helpers import issue_to

CODE = re.compile(r"K[0-9A-Z]{4}-[0-9A-Z]{5}-[0-9A-Z]{5}")


async def merchant_with_labels(bot, count: int = 4):
    """Mia registers a coffee through /merchant, is approved, funds `count` codes and gets the A4 sheet."""
    mia = await bot.signed_up_user("Mia", roles=("merchant",))
    await issue_to(mia.user_id, 1000, key="mia")
    reply = await mia.send("/merchant")
    assert "You are now a CCCP merchant, Mia" in reply.texts[0] and "pending approval" in reply.texts[-1]
    await mia.press("➕ Register a product")
    await mia.send("Fair-trade coffee 500 g")
    await mia.send("5 kg")
    reply = await mia.send("/skip")
    assert "Product #" in reply.texts[0] and "5 kg per unit" in reply.texts[0]
    reply = await mia.press("🎫 Fund codes")
    assert "pending approval" in reply.text  # a pending merchant funds no codes
    await codes.approve_merchant(mia.user_id)
    await mia.send("/merchant fund")
    await mia.press(data=mia.last.reply_markup["inline_keyboard"][0][0]["callback_data"])
    reply = await mia.send(str(count))
    assert f"Fund {count} codes of Fair-trade coffee 500 g" in reply.text
    reply = await mia.press("✅ Fund the codes")
    assert f"{count} codes of Fair-trade coffee 500 g, {count * 5} kg" in reply.text
    reply = await mia.press("A4 (3×8)")
    pdf = mia.last_document_bytes
    assert pdf.startswith(b"%PDF") and "Labels of batch" in reply.texts[-1]
    document = pypdfium2.PdfDocument(pdf)
    printed = CODE.findall(document[0].get_textpage().get_text_range())
    assert len(printed) == count
    return mia, document, printed


def label_photo(document, index: int) -> bytes:
    """A photo of one label of the sheet: turned 15°, at 40 %, JPEG."""
    page = document[0].render(scale=4).to_pil().convert("RGB")
    width, height = page.width // 3, page.height // 8
    row, column = divmod(index, 3)
    return photo_of(page.crop((column * width, row * height, (column + 1) * width, (row + 1) * height)))


def mistype(code: str) -> str:
    return code[:3] + ("A" if code[3] != "A" else "B") + code[4:]


async def test_a_shopper_claims_a_code_typed_lower_case_with_spaces_and_an_o_for_a_zero(bot):
    mia, _, printed = await merchant_with_labels(bot, count=24)
    sam = await bot.signed_up_user("Sam")
    code = next(c for c in printed if "0" in c[1:])  # 24 codes: one has a 0 but for a 1 in 50,000 runs
    typed = " ".join(code.replace("-", "").lower().replace("0", "o"))
    reply = await sam.send(typed)
    assert "Fair-trade coffee 500 g from Mia: 5 kg CO2e" in reply.text
    await sam.press("🌱 Retire and get my certificate")
    assert any("Claimed: 5 kg CO2e from Fair-trade coffee 500 g (Mia), retired in your name." in (m.text or "")
               for m in sam.history)
    png = sam.last_photo_bytes
    assert png is not None and Image.open(io.BytesIO(png)).size[0] > 1000
    caption = sam.last.caption
    assert "retired for Sam" in caption and "Fair-trade coffee 500 g (Mia)" in caption
    verify_url = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))[0].text
    assert verify_url in caption
    status = await codes.code_status(code, secret=bot.application.bot_data["codes_secret"])
    looked_up = await registry.lookup(status.retirement_id)  # the public registry shows it like any retirement
    assert looked_up.retirement.beneficiary == "Sam" and looked_up.retirement.amount_kg == 5
    # Once only: a second try (anyone's) says when it was claimed.
    alex = await bot.signed_up_user("Alex")
    assert "already claimed on" in (await alex.send(f"/claim {code}")).text
    assert "You already claimed this code" in (await sam.send(code)).text
    assert bot.unexpected_errors == 0


async def test_a_photo_of_a_label_turned_small_and_compressed_claims_its_code(bot):
    mia, document, printed = await merchant_with_labels(bot)
    pat = await bot.signed_up_user("Pat")
    reply = await pat.send_photo(label_photo(document, 1))
    assert "Fair-trade coffee 500 g from Mia" in reply.text
    await pat.press("📥 Keep in my account")
    assert any("They are in your account" in (m.text or "") for m in pat.history)
    assert (await user_account(pat.user_id, CARBON)).balance == 5
    blank = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(blank, "JPEG")
    assert "found no CCCP code" in (await pat.send_photo(blank.getvalue())).text
    assert bot.unexpected_errors == 0


async def test_a_new_user_claims_by_deep_link_after_signing_up(bot):
    _, _, printed = await merchant_with_labels(bot)
    neo = bot.user("Neo")
    await neo.send(f"/start {printed[2].replace('-', '')}")
    await neo.press("✓ English")
    await neo.press("✅ I accept")
    await neo.press("☐ Consumer")
    reply = await neo.press("Done")
    assert "Fair-trade coffee 500 g from Mia: 5 kg CO2e" in reply.texts[-1]
    await neo.press("🌱 Retire and get my certificate")
    assert "retired for Neo" in neo.last.caption


async def test_bad_codes_get_clear_answers_and_change_nothing(bot):
    mia, _, printed = await merchant_with_labels(bot, count=1)
    zoe = await bot.signed_up_user("Zoë", language="de")
    assert "vertippt" in (await zoe.send(mistype(printed[0]))).text
    unknown = codes.printed(codes.derive(b"x" * 32, "B0", 0))
    assert "kennen diesen Code nicht" in (await zoe.send(unknown)).text
    await codes.suspend_merchant(mia.user_id)
    assert "Händler" in (await zoe.send(printed[0])).text
    await codes.approve_merchant(mia.user_id)
    assert (await user_account(zoe.user_id, CARBON)).balance == 0
    assert bot.unexpected_errors == 0


async def test_at_expiry_the_merchant_is_told_and_a_late_shopper_gets_a_certificate_for_the_share(bot):
    from datetime import UTC, datetime, timedelta

    from bot.outbox import drain
    from core.codes.models import CodeBatch

    mia, _, printed = await merchant_with_labels(bot, count=3)
    await CodeBatch.all().update(expires_at=datetime.now(UTC) + timedelta(days=1))
    later = datetime.now(UTC) + timedelta(days=2)
    assert await codes.expire_batches(later)
    bot.application.bot_data["clock"] = lambda: later  # the outbox sends what is due by the bot's clock
    await drain(bot.application)
    notice = mia.last_text
    assert "has expired" in notice and "the 15 kg backing its 3 unclaimed codes" in notice
    lou = await bot.signed_up_user("Lou", language="fr")
    reply = await lou.send(printed[0])
    assert "déjà retiré ces crédits pour ses clients" in reply.text
    await lou.press("🌱 Obtenir mon certificat")
    assert "retirés pour Lou" in lou.last.caption
    assert bot.unexpected_errors == 0


async def test_a_merchant_does_everything_by_typing_alone(bot):
    max_ = await bot.signed_up_user("Max", language="de", roles=("merchant",))
    await issue_to(max_.user_id, 1000, key="max")
    await max_.send("/merchant")
    await codes.approve_merchant(max_.user_id)
    await max_.send("/merchant product")
    await max_.send("Rindersteak 300 g")
    reply = await max_.send("300 g beef")
    assert "GTIN" in reply.text
    reply = await max_.send("4006381333931")
    product = (await codes.products_of(max_.user_id))[0]
    assert product.footprint_basis == "300 g beef" and product.kg_per_unit > 1
    assert f"#{product.id}" in reply.texts[0] and "Fußabdruck von 300 g beef" in reply.texts[0]
    await max_.send("/merchant fund")
    await max_.send(f"#{product.id}")
    reply = await max_.send("2")
    assert "2 Codes für Rindersteak 300 g decken?" in reply.text
    reply = await max_.send("ja")
    batch = (await codes.batches(user_id=max_.user_id))[0]
    assert batch.id in reply.text and batch.held_kg == 2 * product.kg_per_unit
    await max_.send(f"/merchant labels {batch.id.lower()} roll")
    assert len(pypdfium2.PdfDocument(max_.last_document_bytes)) == 2  # a roll: one label a page
    assert "keine Charge" in (await max_.send("/merchant labels B0000000000")).text
    assert bot.unexpected_errors == 0
