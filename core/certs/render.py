"""Draw a certificate as a PNG a person would share.

Landscape, 1600 x 1131 (the A-series ratio, so it prints on A4), drawn with
Pillow from the fonts shipped in `assets/` (DejaVu Sans: Latin with accents,
Greek and Cyrillic, so no name comes out as empty boxes).

Speed: everything that does not depend on the certificate (the border, the
watermark, the CCCP symbol, the headings and labels) is drawn once per kind
and language and cached; a render copies that background, writes the variable
text, pastes the QR code and encodes the PNG, compressing only the bands of rows that
differ from the background (core/certs/png.py). The symbol is drawn at 4x and scaled down,
which is how Pillow gets smooth curves.
"""

from __future__ import annotations

import asyncio
import math
from datetime import UTC
from functools import lru_cache
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

from core.certs import richtext
from core.certs.models import CertificateKind
from core.certs.png import PackedPage, encode_png, pack_page
from core.certs.service import CertificateView
from core.certs.texts import (
    N_,
    format_issued,
    format_kg,
    format_tonnes,
    normalise_language,
    translate,
)

ASSETS = Path(__file__).parent / "assets"
REGULAR = ASSETS / "DejaVuSans.ttf"
BOLD = ASSETS / "DejaVuSans-Bold.ttf"

WIDTH, HEIGHT = 1600, 1131
# The one name of CCCP, on the certificate, in the bot's welcome and on the web pages.
CCCP_NAME = "Carbon Credit Consumer Symbol"

PAPER = (251, 249, 242)
INK = (33, 41, 38)
MUTED = (104, 112, 108)
GREEN_DARK = (22, 78, 56)
GREEN = (46, 133, 80)
GREEN_LIGHT = (86, 170, 110)
GOLD = (176, 141, 62)
GOLD_TEXT = (122, 92, 26)  # labels: 5.6:1 on the paper, where GOLD is only 2.9:1
DISC = (238, 244, 234)
GLOBE_LINE = (190, 214, 196)
WHITE = (255, 255, 255)

SYMBOL_SIZE = 168
QR_BOX = 250
SERIALS_SHOWN = 3

# English msgids; drawn translated into the certificate's language (core/certs/texts.py).
TITLES = {
    CertificateKind.RETIREMENT: (
        N_("Certificate of Carbon Offset"),
        N_("RETIREMENT OF CARBON CREDITS"),
    ),
    CertificateKind.PURCHASE: (N_("Certificate of Carbon Credits"), N_("PURCHASE OF CARBON CREDITS")),
    CertificateKind.PRODUCT: (N_("Certificate of Carbon Offset"), N_("CCCP PRODUCT")),
}
VERBS = {
    CertificateKind.RETIREMENT: N_("has retired, for good, carbon credits for"),
    CertificateKind.PURCHASE: N_("has bought carbon credits for"),
    CertificateKind.PRODUCT: N_("has received, with a CCCP product, carbon credits for"),
}
CERTIFIES = N_("This certifies that")
LABEL_PROJECT = N_("PROJECT")
LABEL_METHODOLOGY = N_("METHODOLOGY")
LABEL_COUNTRY = N_("COUNTRY")
LABEL_VINTAGE = N_("VINTAGE")
LABEL_SERIALS = N_("SERIAL NUMBERS")
LABEL_ISSUED = N_("ISSUED")
LABEL_STANDARD = N_("STANDARD")
LABEL_PROJECT_ID = N_("PROJECT ID")
IDS_LINE = N_("Certificate {id}   ·   Retirement {retirement_id}")
IDS_LINE_NO_RETIREMENT = N_("Certificate {id}")
SCAN_TO_VERIFY = N_("SCAN TO VERIFY")
MORE_RANGES = N_("and {count} more ranges")
REASON = N_("for “{reason}”")
FOOTER = N_("Ed25519 key {key_id}   ·   signature {fingerprint}")


def page_texts(kind: CertificateKind, language: str) -> dict[str, str]:
    """The fixed words of a certificate of `kind`, in `language`."""
    title, subtitle = TITLES[kind]
    words = {
        "title": title,
        "subtitle": subtitle,
        "certifies": CERTIFIES,
        "verb": VERBS[kind],
        "project": LABEL_PROJECT,
        "methodology": LABEL_METHODOLOGY,
        "country": LABEL_COUNTRY,
        "vintage": LABEL_VINTAGE,
        "serials": LABEL_SERIALS,
        "issued": LABEL_ISSUED,
        "standard": LABEL_STANDARD,
        "project_id": LABEL_PROJECT_ID,
        "scan": SCAN_TO_VERIFY,
    }
    return {name: translate(language, text) for name, text in words.items()}


@lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """A shipped DejaVu font; cached, since loading a TTF costs a few ms."""
    return ImageFont.truetype(str(BOLD if bold else REGULAR), size)


# --- the CCCP symbol ---------------------------------------------------------


def _text_on_arc(
    img: Image.Image,
    text: str,
    center: tuple[float, float],
    radius: float,
    fnt: ImageFont.FreeTypeFont,
    fill: tuple[int, int, int],
    *,
    bottom: bool,
    tracking: float = 0.0,
) -> None:
    """Write text centred on the top arc (clockwise) or bottom arc (upright)."""
    widths = [fnt.getlength(c) + tracking for c in text]
    total = sum(widths) - tracking
    cx, cy = center
    # Angles on screen: 0 at the top, growing clockwise.
    angle = -total / 2 / radius if not bottom else math.pi + total / 2 / radius
    for char, w in zip(text, widths, strict=True):
        step = w / radius
        mid = angle + (step / 2 if not bottom else -step / 2)
        x = cx + radius * math.sin(mid)
        y = cy - radius * math.cos(mid)
        rotation = -math.degrees(mid) if not bottom else 180 - math.degrees(mid)
        size = int(fnt.size * 1.6)
        glyph = Image.new("L", (size, size), 0)
        ImageDraw.Draw(glyph).text((size / 2, size / 2), char, font=fnt, fill=255, anchor="mm")
        glyph = glyph.rotate(rotation, resample=Image.BICUBIC)
        img.paste(Image.new("RGB", glyph.size, fill), (int(x - size / 2), int(y - size / 2)), glyph)
        angle += step if not bottom else -step


def _leaf(draw: ImageDraw.ImageDraw, base: tuple[float, float], length: float, angle_deg: float):
    """A two-tone leaf from `base`, tip pointing at `angle_deg` (0 = right, CCW)."""
    a = math.radians(angle_deg)
    ux, uy = math.cos(a), -math.sin(a)  # along the midrib
    nx, ny = -uy, ux  # across it
    bx, by = base
    width = length * 0.34
    steps = 48

    def point(t: float, side: float) -> tuple[float, float]:
        # Widest a little below the middle, a sharp tip and a rounded base.
        half = width * math.sin(math.pi * t) ** 0.85 * (1.0 - 0.35 * t)
        return (bx + ux * length * t + nx * half * side, by + uy * length * t + ny * half * side)

    upper = [point(i / steps, 1) for i in range(steps + 1)]
    lower = [point(i / steps, -1) for i in range(steps + 1)]
    tip = (bx + ux * length, by + uy * length)
    draw.polygon([base, *upper, tip], fill=GREEN_LIGHT)
    draw.polygon([base, *lower, tip], fill=GREEN)
    rib = max(2, int(length * 0.025))
    # stem
    draw.line(
        [(bx - ux * length * 0.16, by - uy * length * 0.16), base], fill=GREEN_DARK, width=rib * 2
    )
    draw.line([base, (bx + ux * length * 0.93, by + uy * length * 0.93)], fill=PAPER, width=rib)
    for t in (0.25, 0.42, 0.59, 0.76):
        sx, sy = bx + ux * length * t, by + uy * length * t
        for side in (1, -1):
            half = width * math.sin(math.pi * t) ** 0.85 * (1.0 - 0.35 * t) * 0.72
            ex = sx + ux * half * 0.9 + nx * half * side
            ey = sy + uy * half * 0.9 + ny * half * side
            draw.line([(sx, sy), (ex, ey)], fill=PAPER, width=max(1, rib * 2 // 3))


@lru_cache(maxsize=4)
def symbol(size: int = SYMBOL_SIZE) -> Image.Image:
    """The CCCP symbol: a leaf over a globe in a seal naming the mark. RGBA."""
    scale = 4
    s = size * scale
    img = Image.new("RGB", (s, s), WHITE)
    mask = Image.new("L", (s, s), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, s - 1, s - 1), fill=255)
    draw = ImageDraw.Draw(img)
    c = s / 2
    r = s / 2
    draw.ellipse((0, 0, s - 1, s - 1), fill=GREEN_DARK)
    inner = r * 0.69
    draw.ellipse(
        (c - r * 0.955, c - r * 0.955, c + r * 0.955, c + r * 0.955),
        outline=GOLD,
        width=max(2, s // 160),
    )
    draw.ellipse(
        (
            c - inner - s * 0.012,
            c - inner - s * 0.012,
            c + inner + s * 0.012,
            c + inner + s * 0.012,
        ),
        fill=GOLD,
    )
    draw.ellipse((c - inner, c - inner, c + inner, c + inner), fill=DISC)
    # A globe: parallels and meridians, faint, inside the disc.
    line = max(2, s // 200)
    g = inner * 0.9
    draw.ellipse((c - g, c - g, c + g, c + g), outline=GLOBE_LINE, width=line)
    for k in (0.35, 0.7):
        draw.ellipse((c - g * k, c - g, c + g * k, c + g), outline=GLOBE_LINE, width=line)
    draw.line([(c, c - g), (c, c + g)], fill=GLOBE_LINE, width=line)
    for k in (-0.5, 0.0, 0.5):
        y = c + g * k
        half = g * math.sqrt(1 - k * k)
        draw.line([(c - half, y), (c + half, y)], fill=GLOBE_LINE, width=line)
    _leaf(draw, (c - inner * 0.42, c + inner * 0.30), inner * 1.12, 48)
    band_font = font(int(r * 0.155), bold=True)
    band_r = (r * 0.955 + inner + s * 0.012) / 2
    _text_on_arc(
        img,
        CCCP_NAME.upper(),
        (c, c),
        band_r,
        band_font,
        WHITE,
        bottom=False,
        tracking=r * 0.012,
    )
    _text_on_arc(
        img,
        "• CCCP •",
        (c, c),
        band_r,
        font(int(r * 0.17), bold=True),
        WHITE,
        bottom=True,
        tracking=r * 0.03,
    )
    img.putalpha(mask)
    return img.resize((size, size), Image.LANCZOS)


# --- layout helpers ------------------------------------------------------------


def _spaced(draw: ImageDraw.ImageDraw, xy, text, fnt, fill, tracking: float, anchor="l"):
    """Letter-spaced capitals for labels; anchor 'l' left or 'm' centred at x."""
    widths = [fnt.getlength(ch) for ch in text]
    total = sum(widths) + tracking * (len(text) - 1)
    x, y = xy
    if anchor == "m":
        x -= total / 2
    for ch, w in zip(text, widths, strict=True):
        draw.text((x, y), ch, font=fnt, fill=fill, anchor="ls")
        x += w + tracking


def _fit(text: str, width: int, largest: int, smallest: int, bold: bool) -> ImageFont.FreeTypeFont:
    """The largest font size at which `text` fits in `width` pixels."""
    size = largest
    while size > smallest and richtext.length(text, font(size, bold)) > width:
        size -= 2
    return font(size, bold)


def _ellipsize(text: str, fnt: ImageFont.FreeTypeFont, width: int) -> str:
    if richtext.length(text, fnt) <= width:
        return text
    while text and richtext.length(text + "…", fnt) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _break_word(word: str, fnt: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """A word wider than the column, cut into pieces that fit (a long code or URL)."""
    pieces, current = [], ""
    for char in word:
        if current and richtext.length(current + char, fnt) > width:
            pieces.append(current)
            current = ""
        current += char
    return [*pieces, current] if current else pieces


def wrap_block(
    text: str, width: int, max_lines: int, sizes: tuple[int, ...], bold: bool = False
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest of `sizes` at which `text` wraps into `max_lines` lines of `width` without
    cutting anything; at the smallest size, as many lines as it needs."""
    for size in sizes:
        lines = _wrap_all(text, font(size, bold), width)
        if len(lines) <= max_lines:
            return font(size, bold), lines
    smallest = font(sizes[-1], bold)
    return smallest, _wrap_all(text, smallest, width)


def _wrap_all(text: str, fnt: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap that never cuts: a word too long for a line is split across lines."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if richtext.length(trial, fnt) <= width:
            current = trial
            continue
        if current:
            lines.append(current)
        pieces = _break_word(word, fnt, width) if richtext.length(word, fnt) > width else [word]
        lines += pieces[:-1]
        current = pieces[-1]
    if current:
        lines.append(current)
    return lines or [""]


def _wrap(text: str, fnt: ImageFont.FreeTypeFont, width: int, max_lines: int) -> list[str]:
    """Greedy word wrap; the last allowed line ends in an ellipsis if text is left."""
    words = text.split()
    lines: list[str] = []
    current = ""
    for i, word in enumerate(words):
        trial = f"{current} {word}".strip()
        if richtext.length(trial, fnt) <= width or not current:
            current = trial
            continue
        lines.append(current)
        current = word
        if len(lines) == max_lines - 1:
            current = " ".join(words[i:])
            break
    if current:
        lines.append(current)
    return [_ellipsize(line, fnt, width) for line in lines[:max_lines]]


def country_name(code: str, language: str = "en") -> str:
    """'BR' -> 'Brazil (BR)', 'Brasilien (BR)' in German; the code alone if unknown."""
    if not code:
        return "—"
    if normalise_language(language) != "en":
        from babel import Locale

        name = Locale.parse(normalise_language(language)).territories.get(code)
        if name:
            return f"{name} ({code})"
    try:
        import pycountry

        country = pycountry.countries.get(alpha_2=code)
    except (ImportError, LookupError, KeyError):
        country = None
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    return f"{name} ({code})"


def serial_lines(
    serials: tuple[str, ...], shown: int = SERIALS_SHOWN, language: str = "en"
) -> list[str]:
    """The first few serial ranges, then 'and N more'."""
    if not serials:
        return ["—"]
    if len(serials) <= shown:
        return list(serials)
    more = translate(language, MORE_RANGES, count=len(serials) - shown + 1)
    return [*serials[: shown - 1], more]


def issued_text(view: CertificateView, language: str | None = None) -> str:
    """'14 March 2025, 09:30 UTC', in the certificate's language unless told."""
    return format_issued(view.issued_at.astimezone(UTC), language or view.language)


def amount_texts(view: CertificateView, language: str) -> tuple[str, str]:
    """('0.5 t CO₂e', '  (500 kg)') with the language's number format."""
    return (
        f"{format_tonnes(view.amount_kg, language)} t CO₂e",
        f"  ({format_kg(view.amount_kg, language)} kg)",
    )


def reason_text(view: CertificateView, language: str) -> str:
    return translate(language, REASON, reason=view.reason) if view.reason else ""


def footer_text(view: CertificateView, language: str) -> str:
    return translate(
        language,
        FOOTER,
        key_id=view.key_id,
        fingerprint=grouped(view.signature_fingerprint),
    )


def ids_text(view: CertificateView, language: str) -> str:
    """'Certificate C… · Retirement R…': both ids a person can look up."""
    if view.retirement_id:
        return translate(language, IDS_LINE, id=view.id, retirement_id=view.retirement_id)
    return translate(language, IDS_LINE_NO_RETIREMENT, id=view.id)


def certificate_lines(view: CertificateView, language: str | None = None) -> list[str]:
    """Every text the certificate draws, in drawing order (the language's words,
    dates and numbers); `language` defaults to the one stored on the certificate."""
    language = normalise_language(language or view.language)
    words = page_texts(view.kind, language)
    amount, kg = amount_texts(view, language)
    lines = [
        "CCCP",
        CCCP_NAME.upper(),
        words["title"],
        words["subtitle"],
        words["certifies"],
        view.beneficiary,
        words["verb"],
        amount + kg,
    ]
    if view.reason:
        lines.append(reason_text(view, language))
    lines += [
        words["project"],
        view.project_name or "—",
        words["methodology"],
        view.methodology or "—",
        words["country"],
        country_name(view.country, language),
        words["vintage"],
        str(view.vintage or "—"),
        words["standard"],
        view.standard or "—",
        words["project_id"],
        view.project_id or "—",
        words["serials"],
        *serial_lines(view.serial_ranges, language=language),
        words["issued"],
        issued_text(view, language),
        words["scan"],
        ids_text(view, language),
        footer_text(view, language),
        view.verify_url.split("://", 1)[-1],
    ]
    return lines


def grouped(fingerprint: str) -> str:
    return " ".join(fingerprint[i : i + 4] for i in range(0, len(fingerprint), 4))


QR_MASK = 2


def qr_image(url: str, box: int = QR_BOX) -> Image.Image:
    """A QR code for `url` with its quiet zone, `box` pixels or a little less."""
    # One fixed mask: every mask is valid QR and decodes alike (the certificate tests read
    # it back with zxing-cpp); choosing the "best" of eight costs eight extra encodings,
    # about a fifth of a certificate's render. Product labels do the same.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=1, mask_pattern=QR_MASK)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    n = len(matrix)
    small = Image.new("L", (n, n), 255)
    small.putdata([0 if cell else 255 for row in matrix for cell in row])
    module = max(1, box // n)
    return small.resize((n * module, n * module), Image.NEAREST).convert("RGB")


# --- the page ----------------------------------------------------------------

MARGIN = 110
LEFT_COL = MARGIN
RIGHT_COL = 680
COL_WIDTH = 500
DETAILS_TOP = 752
ROW = 106
QR_X = WIDTH - MARGIN - QR_BOX
QR_Y = 740
STANDARD_DX = 150
PROJECT_ID_DX = 340


@lru_cache(maxsize=16)
def background(kind: CertificateKind, language: str = "en") -> Image.Image:
    """Everything that is the same on every certificate of this kind and language."""
    words = page_texts(kind, language)
    img = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(img)
    # Watermark: the symbol, very faint, behind the middle of the page.
    mark = symbol(620).copy()
    alpha = mark.getchannel("A").point(lambda a: a * 5 // 100)
    mark.putalpha(alpha)
    img.paste(mark, ((WIDTH - 620) // 2, 250), mark)
    # Frame: a heavy green rule, then a fine gold one inside it.
    draw.rectangle((26, 26, WIDTH - 27, HEIGHT - 27), outline=GREEN_DARK, width=8)
    draw.rectangle((44, 44, WIDTH - 45, HEIGHT - 45), outline=GOLD, width=2)
    for x, y in ((44, 44), (WIDTH - 45, 44), (44, HEIGHT - 45), (WIDTH - 45, HEIGHT - 45)):
        draw.rectangle((x - 7, y - 7, x + 7, y + 7), fill=GOLD)
    # Header: symbol and word mark.
    sym = symbol(SYMBOL_SIZE)
    img.paste(sym, (MARGIN - 20, 74), sym)
    draw.text(
        (MARGIN + SYMBOL_SIZE + 4, 140), "CCCP", font=font(54, True), fill=GREEN_DARK, anchor="ls"
    )
    _spaced(draw, (MARGIN + SYMBOL_SIZE + 6, 178), CCCP_NAME.upper(), font(17), MUTED, 2.2)
    title_font = _fit(words["title"], 1300, 60, 40, bold=True)
    draw.text((WIDTH / 2, 306), words["title"], font=title_font, fill=GREEN_DARK, anchor="ms")
    _spaced(draw, (WIDTH / 2, 350), words["subtitle"], font(20, True), GOLD_TEXT, 5, anchor="m")
    draw.text((WIDTH / 2, 414), words["certifies"], font=font(24), fill=MUTED, anchor="ms")
    draw.line((WIDTH / 2 - 420, 512, WIDTH / 2 + 420, 512), fill=GOLD, width=2)
    verb_font = _fit(words["verb"], 1300, 24, 16, bold=False)
    draw.text((WIDTH / 2, 554), words["verb"], font=verb_font, fill=MUTED, anchor="ms")
    draw.line((MARGIN, 706, WIDTH - MARGIN, 706), fill=(222, 216, 198), width=2)
    labels = (
        (LEFT_COL, DETAILS_TOP, words["project"]),
        (LEFT_COL, DETAILS_TOP + ROW, words["methodology"]),
        (LEFT_COL, DETAILS_TOP + 2 * ROW, words["country"]),
        (RIGHT_COL, DETAILS_TOP, words["vintage"]),
        (RIGHT_COL + STANDARD_DX, DETAILS_TOP, words["standard"]),
        (RIGHT_COL + PROJECT_ID_DX, DETAILS_TOP, words["project_id"]),
        (RIGHT_COL, DETAILS_TOP + 78, words["serials"]),
        (RIGHT_COL, DETAILS_TOP + 2 * ROW, words["issued"]),
    )
    for x, y, label in labels:
        _spaced(draw, (x, y), label, font(15, True), GOLD_TEXT, 2.5)
    draw.rectangle(
        (QR_X - 12, QR_Y - 12, QR_X + QR_BOX + 12, QR_Y + QR_BOX + 12),
        fill=WHITE,
        outline=(222, 216, 198),
        width=2,
    )
    _spaced(
        draw,
        (QR_X + QR_BOX / 2, QR_Y + QR_BOX + 46),
        words["scan"],
        font(15, True),
        GOLD_TEXT,
        2.5,
        anchor="m",
    )
    return img


def _draw_lines(draw, x, y, lines, fnt, fill, leading):
    for i, text in enumerate(lines):
        draw.text((x, y + i * leading), text, font=fnt, fill=fill, anchor="ls")


NAME_WIDTH = 1240


def _draw_beneficiary(img: Image.Image, name: str, center: float) -> None:
    """One line, as large as fits; a long name goes on two (or, at the smallest size, more) lines."""
    name_font = _fit(name, NAME_WIDTH, 68, 44, bold=True)
    if richtext.length(name, name_font) <= NAME_WIDTH:
        richtext.draw_text(img, (center, 490), name, name_font, INK, anchor="ms")
        return
    fnt, lines = wrap_block(name, NAME_WIDTH, 2, tuple(range(40, 22, -2)), bold=True)
    leading = fnt.size + 6
    top = 496 - leading * (len(lines) - 1)
    for i, line in enumerate(lines):
        richtext.draw_text(img, (center, top + i * leading), line, fnt, INK, anchor="ms")


def _draw_block(img, x, y, text, width, max_lines, sizes=(22, 20, 18, 16)) -> None:
    fnt, lines = wrap_block(text, width, max_lines, sizes)
    leading = fnt.size + (6 if len(lines) < 3 else 4)
    for i, line in enumerate(lines):
        richtext.draw_text(img, (x, y + i * leading), line, fnt, INK)


def render_certificate_image(view: CertificateView, language: str | None = None) -> Image.Image:
    """The certificate as a Pillow image (RGB), in `language` (default: the stored one)."""
    language = normalise_language(language or view.language)
    img = background(view.kind, language).copy()
    draw = ImageDraw.Draw(img)
    center = WIDTH / 2

    _draw_beneficiary(img, view.beneficiary, center)

    amount, kg = amount_texts(view, language)
    big, small = font(58, True), font(30)
    total = big.getlength(amount) + small.getlength(kg)
    x0 = center - total / 2
    draw.text((x0, 626), amount, font=big, fill=GREEN_DARK, anchor="ls")
    draw.text((x0 + big.getlength(amount), 626), kg, font=small, fill=MUTED, anchor="ls")
    if view.reason:
        reason = reason_text(view, language)
        reason_font, lines = wrap_block(reason, 1300, 2, (26, 24, 22, 20, 18, 16))
        leading = reason_font.size + 4
        top = 670 - leading * (len(lines) - 1) // 2 if len(lines) > 1 else 670
        for i, line in enumerate(lines):
            richtext.draw_text(img, (center, top + i * leading), line, reason_font, INK, anchor="ms")

    _draw_block(img, LEFT_COL, DETAILS_TOP + 34, view.project_name or "—", COL_WIDTH, 2)
    methodology = view.methodology or "—"
    if len(wrap_block(methodology, COL_WIDTH, 2, (22, 20, 18))[1]) <= 2:
        _draw_block(img, LEFT_COL, DETAILS_TOP + ROW + 34, methodology, COL_WIDTH, 2, sizes=(22, 20, 18))
    else:  # three lines of smaller print fit above the country
        _draw_block(img, LEFT_COL, DETAILS_TOP + ROW + 30, methodology, COL_WIDTH, 3, sizes=(16, 15, 14, 12))
    value = font(22)
    draw.text(
        (LEFT_COL, DETAILS_TOP + 2 * ROW + 34),
        country_name(view.country, language),
        font=value,
        fill=INK,
        anchor="ls",
    )
    draw.text(
        (RIGHT_COL, DETAILS_TOP + 34), str(view.vintage or "—"), font=value, fill=INK, anchor="ls"
    )
    _draw_block(img, RIGHT_COL + STANDARD_DX, DETAILS_TOP + 34, view.standard or "—",
                PROJECT_ID_DX - STANDARD_DX - 14, 2, sizes=(22, 20, 18, 16))
    _draw_block(img, RIGHT_COL + PROJECT_ID_DX, DETAILS_TOP + 34, view.project_id or "—",
                COL_WIDTH - PROJECT_ID_DX, 2, sizes=(22, 20, 18, 16))
    serial_font = font(18)
    serials = [
        _ellipsize(s, serial_font, COL_WIDTH)
        for s in serial_lines(view.serial_ranges, language=language)
    ]
    _draw_lines(draw, RIGHT_COL, DETAILS_TOP + 110, serials, serial_font, INK, 26)
    draw.text(
        (RIGHT_COL, DETAILS_TOP + 2 * ROW + 34),
        issued_text(view, language),
        font=value,
        fill=INK,
        anchor="ls",
    )

    qr = qr_image(view.verify_url)
    offset = (QR_BOX - qr.width) // 2
    img.paste(qr, (QR_X + offset, QR_Y + offset))

    draw.text((MARGIN, HEIGHT - 92), ids_text(view, language), font=font(19, True), fill=INK, anchor="ls")
    footer = footer_text(view, language)
    draw.text((MARGIN, HEIGHT - 66), footer, font=font(15), fill=MUTED, anchor="ls")
    short_url = view.verify_url.split("://", 1)[-1]
    url_font = _fit(short_url, QR_BOX + 40, 15, 11, bold=False)
    draw.text(
        (QR_X + QR_BOX / 2, QR_Y + QR_BOX + 72), short_url, font=url_font, fill=MUTED, anchor="ms"
    )
    return img


def warm() -> None:
    """Load fonts, the emoji font's map, the QR encoder, babel's locale data, pycountry and the
    backgrounds before the first certificate, so a payment's certificate does not pay for them
    (`cccp run` calls this at start): one sample certificate drawn per kind and language."""
    from datetime import datetime

    richtext.warm()
    for kind in CertificateKind:
        for language in ("en", "de", "fr"):
            sample = CertificateView(
                id="C0000000000000", kind=kind, beneficiary="Zoë 🌍 Förderverein e.V. " * 3, amount_kg=1250,
                reason="warm-up " * 12, project_name="Warm-up project " * 6, methodology="Warm-up " * 16,
                country="DE", vintage=2025, serial_ranges=("CCCP-WARM-2025-1-1250",) * 4, retirement_id="R0000000000",
                issued_at=datetime(2026, 1, 1, tzinfo=UTC), verify_url="https://warm.invalid/c/C0000000000000",
                signature="A" * 86, key_id="0" * 16, payload={"standard": "VCS", "project_id": "WARM"},
                language=language,
            )
            render_certificate_png(sample)
    for size in range(12, 70, 2):
        font(size, True)
        font(size)


@lru_cache(maxsize=16)
def packed_background(kind: CertificateKind, language: str = "en") -> PackedPage:
    """The background's pixels and compressed bands, which a certificate's PNG reuses."""
    return pack_page(background(kind, language))


def render_certificate_png(view: CertificateView, language: str | None = None) -> bytes:
    """The certificate as PNG bytes, in `language` (default: the stored one)."""
    language = normalise_language(language or view.language)
    return encode_png(render_certificate_image(view, language), packed_background(view.kind, language))


async def render_certificate_png_async(view: CertificateView, language: str | None = None) -> bytes:
    """render_certificate_png in a worker thread, so the event loop keeps serving."""
    return await asyncio.to_thread(render_certificate_png, view, language)
