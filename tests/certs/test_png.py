"""The certificate PNG: every pixel drawn is the pixel a viewer decodes.

The encoder reuses the background's compressed bands where the page equals it
(core/certs/png.py), so these tests decode what it wrote with Pillow and zlib
and compare with the image that was drawn, for pages that differ from their
background in few bands, many bands or all of them.
"""

from __future__ import annotations

import io
import random
import zlib
from datetime import UTC, datetime

import pytest
from PIL import Image, ImageDraw

from core.certs import png
from core.certs.models import CertificateKind
from core.certs.render import packed_background, render_certificate_image, render_certificate_png
from core.certs.service import CertificateView


def certificate(kind=CertificateKind.RETIREMENT, language="en", **fields) -> CertificateView:
    values = dict(
        id="C4QZ8M1T0E3K9X", kind=kind, beneficiary="Zoë 🌍 Förderverein e.V.", amount_kg=1250,
        reason="Flight LHR–CDG", project_name="Hamburg landfill gas", methodology="ACM0001",
        country="DE", vintage=2025, serial_ranges=("CCCP-LAND-2025-1-1250",), retirement_id="R7K3M9Q2XA4",
        issued_at=datetime(2026, 12, 1, tzinfo=UTC), verify_url="https://cccp.example/c/C4QZ8M1T0E3K9X",
        signature="A" * 86, key_id="0123456789abcdef", payload={"standard": "VCS", "project_id": "LAND"},
        language=language,
    )
    values.update(fields)
    return CertificateView(**values)


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()  # reads every row and checks the stream's checksums
    return image


@pytest.mark.parametrize("kind", list(CertificateKind))
@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_the_certificate_png_decodes_to_exactly_the_page_drawn(kind, language):
    view = certificate(kind, language, methodology="Methodology " * 10)
    drawn = render_certificate_image(view, language)
    shown = decoded(render_certificate_png(view, language))
    assert shown.mode == "RGB" and shown.size == drawn.size
    assert shown.tobytes() == drawn.tobytes()


def test_a_page_that_differs_everywhere_or_nowhere_from_its_background_decodes_exactly():
    background = packed_background(CertificateKind.RETIREMENT, "en")
    page = Image.frombytes("RGB", background.size, background.pixels)
    assert decoded(png.encode_png(page, background)).tobytes() == page.tobytes()
    ImageDraw.Draw(page).line((0, 0, page.width, page.height), fill=(255, 0, 0), width=40)
    assert decoded(png.encode_png(page, background)).tobytes() == page.tobytes()
    noise = Image.effect_noise(background.size, 60).convert("RGB")
    assert decoded(png.encode_png(noise, background)).tobytes() == noise.tobytes()


def test_an_image_of_another_size_than_the_background_is_encoded_whole():
    background = packed_background(CertificateKind.RETIREMENT, "en")
    odd = Image.effect_noise((333, 77), 80).convert("RGB")  # 77 rows: the last band is short
    assert decoded(png.encode_png(odd, background)).tobytes() == odd.tobytes()
    assert decoded(png.encode_png(odd)).tobytes() == odd.tobytes()


def test_the_combined_checksum_is_zlibs_checksum_of_the_whole():
    rng = random.Random(7)
    for _ in range(200):
        first = rng.randbytes(rng.randrange(0, 3000))
        second = rng.randbytes(rng.randrange(0, 200_000))
        combined = png.adler32_combine(zlib.adler32(first), zlib.adler32(second), len(second))
        assert combined == zlib.adler32(first + second)


def test_the_png_stream_is_one_valid_zlib_stream():
    data = render_certificate_png(certificate())
    body = data[data.index(b"IDAT") + 4 : data.index(b"IEND") - 8]  # without the IDAT's CRC and IEND's length
    rows = zlib.decompress(body)
    assert len(rows) == 1131 * (1 + 1600 * 3)
