"""Text that may hold emoji, measured, wrapped and drawn on a certificate.

The shipped DejaVu fonts cover Latin, Greek and Cyrillic, not emoji. A run of
characters DejaVu has no glyph for is drawn from a colour emoji font when the
machine has one (Debian's `fonts-noto-color-emoji`, a bitmap font drawn at its
one size, 109 px, and scaled to the text); without it, or for a character
neither font has, a clear fallback glyph (◆) is drawn instead — never the
empty box of a missing glyph. Which font has which character is read from the
fonts' character maps (fontTools), once per process.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, features

log = logging.getLogger(__name__)

ASSETS = Path(__file__).parent / "assets"
EMOJI_FONT_PATHS = (
    Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"),
    Path("/usr/share/fonts/noto/NotoColorEmoji.ttf"),
)
EMOJI_BITMAP_SIZE = 109  # the one size Noto Color Emoji's bitmaps come in
FALLBACK = "◆"  # in DejaVu Sans; stands for a character no font here can draw
# Joiners and selectors belong to the emoji beside them; drawn alone they are nothing.
_JOINERS = {0x200D, 0xFE0E, 0xFE0F, 0x20E3}


@cache
def _codepoints(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as fnt:
        return frozenset(fnt.getBestCmap() or {})


@cache
def emoji_font_path() -> Path | None:
    """The colour emoji font on this machine, if any."""
    for path in EMOJI_FONT_PATHS:
        if path.exists():
            return path
    log.warning("no colour emoji font (apt-get install fonts-noto-color-emoji): emoji are drawn as %s", FALLBACK)
    return None


@cache
def _emoji_font() -> ImageFont.FreeTypeFont | None:
    path = emoji_font_path()
    if path is None:
        return None
    # Raqm (when Pillow has it) joins ZWJ sequences (👩‍👩‍👧) into the one glyph the font draws.
    engine = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(path), EMOJI_BITMAP_SIZE, layout_engine=engine)


def _text_codepoints() -> frozenset[int]:
    return _codepoints(str(ASSETS / "DejaVuSans.ttf")) & _codepoints(str(ASSETS / "DejaVuSans-Bold.ttf"))


def _emoji_codepoints() -> frozenset[int]:
    path = emoji_font_path()
    return frozenset() if path is None else _codepoints(str(path))


def warm() -> None:
    """Read the character maps and open the emoji font now, not during the first certificate."""
    _text_codepoints()
    _emoji_codepoints()
    _emoji_font()


@dataclass(frozen=True)
class Run:
    text: str
    is_emoji: bool


@lru_cache(maxsize=512)
def runs(text: str) -> tuple[Run, ...]:
    """`text` cut into runs for the text font and runs for the emoji font (fallbacks substituted)."""
    plain, emoji = _text_codepoints(), _emoji_codepoints()
    pieces: list[Run] = []
    for char in text:
        code = ord(char)
        if code in _JOINERS:
            if pieces and pieces[-1].is_emoji:
                kind, shown = True, char
            else:
                continue
        elif code in plain or char.isspace():
            kind, shown = False, char
        elif code in emoji:
            kind, shown = True, char
        else:
            kind, shown = False, FALLBACK
        if pieces and pieces[-1].is_emoji == kind:
            pieces[-1] = Run(pieces[-1].text + shown, kind)
        else:
            pieces.append(Run(shown, kind))
    return tuple(pieces)


def has_emoji(text: str) -> bool:
    return any(run.is_emoji for run in runs(text))


def _emoji_scale(fnt: ImageFont.FreeTypeFont) -> float:
    return fnt.size * 1.15 / EMOJI_BITMAP_SIZE


def _emoji_width(text: str, fnt: ImageFont.FreeTypeFont) -> float:
    emoji_font = _emoji_font()
    return emoji_font.getlength(text) * _emoji_scale(fnt)


def length(text: str, fnt: ImageFont.FreeTypeFont) -> float:
    """The drawn width of `text` in pixels, emoji included."""
    total = 0.0
    for run in runs(text):
        total += _emoji_width(run.text, fnt) if run.is_emoji else fnt.getlength(run.text)
    return total


def draw_text(
    img: Image.Image,
    xy: tuple[float, float],
    text: str,
    fnt: ImageFont.FreeTypeFont,
    fill: tuple[int, int, int],
    anchor: str = "ls",
) -> None:
    """Draw `text` with its baseline at y; anchor 'ls' (left) or 'ms' (centred at x)."""
    x, y = xy
    parts = runs(text)
    if not any(run.is_emoji for run in parts):
        ImageDraw.Draw(img).text((x, y), "".join(r.text for r in parts), font=fnt, fill=fill, anchor=anchor)
        return
    if anchor[0] == "m":
        x -= length(text, fnt) / 2
    draw = ImageDraw.Draw(img)
    for run in parts:
        if not run.is_emoji:
            draw.text((x, y), run.text, font=fnt, fill=fill, anchor="ls")
            x += fnt.getlength(run.text)
            continue
        x += _paste_emoji(img, (x, y), run.text, fnt)


def _paste_emoji(img: Image.Image, xy: tuple[float, float], text: str, fnt: ImageFont.FreeTypeFont) -> float:
    emoji_font = _emoji_font()
    left, top, right, bottom = emoji_font.getbbox(text, anchor="ls")
    width = max(1, int(right - left))
    height = max(1, int(bottom - top))
    tile = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(tile).text((-left, -top), text, font=emoji_font, embedded_color=True, anchor="ls")
    scale = _emoji_scale(fnt)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    tile = tile.resize(size, Image.LANCZOS)
    x, y = xy
    # The emoji sits on the baseline, as tall as a capital and a little more.
    img.paste(tile, (round(x + left * scale), round(y + top * scale * 0.85)), tile)
    return _emoji_width(text, fnt)
