"""Every field of a certificate wraps instead of being cut; emoji are drawn, never boxes."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
from PIL import Image

from core.certs import richtext
from core.certs.render import (
    COL_WIDTH,
    render_certificate_image,
    render_certificate_png,
    wrap_block,
)
from core.certs.service import issue_certificate

METHODOLOGY_120 = ("Afforestation, reforestation and revegetation of degraded lands except wetlands "
                   "under the clean development mechanism (v2)")


def test_a_120_character_methodology_wraps_whole():
    assert len(METHODOLOGY_120) >= 120
    _font, lines = wrap_block(METHODOLOGY_120, COL_WIDTH, 3, (16, 15, 14, 12))
    assert " ".join(lines) == METHODOLOGY_120 and not any("…" in line for line in lines)
    assert len(lines) <= 3


def test_a_word_longer_than_the_column_is_split_not_cut():
    code = "CCCP-" + "X" * 120
    _font, lines = wrap_block(code, COL_WIDTH, 2, (22,))
    assert "".join(lines) == code


def test_emoji_go_to_the_emoji_font_and_unknown_characters_to_a_clear_fallback():
    runs = richtext.runs("Zoë 🌍 e.V. \ue000")
    assert runs[-1].text.endswith(richtext.FALLBACK)  # a private-use character no font has
    if richtext.emoji_font_path() is not None:
        assert any(r.is_emoji and "🌍" in r.text for r in runs)
    else:
        assert all("🌍" not in r.text for r in runs)


async def test_a_certificate_with_an_emoji_name_and_a_long_methodology_draws_them(
    cert_db, make_data, signing_key, base_url, tmp_path
):
    view = await issue_certificate(
        make_data(beneficiary="Zoë 🌍 Förderverein e.V.", methodology=METHODOLOGY_120),
        key=signing_key, public_base_url=base_url,
    )
    png = render_certificate_png(view)
    (tmp_path / "emoji.png").write_bytes(png)  # look at it: tests leave it in their tmp folder
    image = Image.open(io.BytesIO(png)).convert("RGB")
    plain = render_certificate_image(replace(view, beneficiary="Zoë    Förderverein e.V."))
    # The name line differs from the same name without the emoji: something is drawn there,
    # and where a colour font is present it is in colour (not ink on paper).
    band = np.asarray(image)[430:510].astype(int)
    assert (np.abs(band - np.asarray(plain)[430:510].astype(int)).sum(axis=2) > 60).sum() > 200
    if richtext.emoji_font_path() is not None:
        r, b = band[..., 0], band[..., 2]
        assert ((b - r > 60) & (b > 120)).sum() > 50  # the blue of the globe
