import io

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from core.certs.render import (
    BOLD,
    REGULAR,
    font,
    render_certificate_png,
    render_certificate_png_async,
    serial_lines,
)
from core.certs.service import issue_certificate

NAMES = [
    "Zoë Ångström-Παπαδόπουλος",
    "Ярослава Ковальчук-Щербина",
    "François Lefèvre-Ødegård Łukasz Żółć",
    "Ελευθερία Ξανθοπούλου",
]


@pytest.fixture
async def view(cert_db, signing_key, make_data, base_url):
    return await issue_certificate(make_data(), key=signing_key, public_base_url=base_url)


def decode_qr(png: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


async def test_the_certificate_is_a_png_of_a_sensible_size(view):
    png = render_certificate_png(view)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (1600, 1131)
    assert 50_000 < len(png) < 2_000_000


async def test_the_qr_code_decodes_to_the_verify_page(view, base_url):
    assert decode_qr(render_certificate_png(view)) == [f"{base_url}/c/{view.id}"]


async def test_rendering_off_the_event_loop_gives_the_same_png(view):
    assert await render_certificate_png_async(view) == render_certificate_png(view)


def glyph_pixels(fnt, char: str) -> bytes:
    image = Image.new("L", (80, 80))
    ImageDraw.Draw(image).text((10, 10), char, font=fnt, fill=255)
    return image.tobytes()


def tofu(fnt, text: str) -> list[str]:
    """The characters the font draws as its .notdef box (a private-use code point)."""
    box = glyph_pixels(fnt, "\U0010fffd")
    return [ch for ch in text if not ch.isspace() and glyph_pixels(fnt, ch) == box]


def test_the_tofu_check_does_catch_a_letter_the_font_lacks():
    assert tofu(font(40), "a\U00013000") == ["\U00013000"]  # an Egyptian hieroglyph


@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize("name", NAMES)
def test_the_shipped_font_has_a_real_glyph_for_every_letter_of_the_name(name, bold):
    assert tofu(font(40, bold), name + "CO₂e–“”…·✓") == []


def test_the_fonts_ship_in_the_package_with_their_licence():
    assert REGULAR.is_file() and BOLD.is_file()
    assert (REGULAR.parent / "DejaVu-LICENSE.txt").is_file()


@pytest.mark.parametrize("name", NAMES)
async def test_a_certificate_renders_for_names_in_other_scripts(
    cert_db, signing_key, make_data, base_url, name
):
    view = await issue_certificate(
        make_data(beneficiary=name, retirement_id=name), key=signing_key, public_base_url=base_url
    )
    assert decode_qr(render_certificate_png(view)) == [view.verify_url]


async def test_a_very_long_name_and_many_serial_ranges_still_render(
    cert_db, signing_key, make_data, base_url
):
    serials = tuple(f"CCCP-MATA-2024-{i:012d}-{i + 9:012d}" for i in range(0, 400, 10))
    view = await issue_certificate(
        make_data(beneficiary="Ωmega " * 33, serial_ranges=serials, reason="x" * 500),
        key=signing_key,
        public_base_url=base_url,
    )
    assert decode_qr(render_certificate_png(view)) == [view.verify_url]


def test_long_serial_lists_show_the_first_few_and_how_many_more():
    serials = tuple(f"S-{i}" for i in range(10))
    assert serial_lines(serials) == ["S-0", "S-1", "and 8 more ranges"]
    assert serial_lines(serials[:3]) == ["S-0", "S-1", "S-2"]
    assert serial_lines(()) == ["—"]
