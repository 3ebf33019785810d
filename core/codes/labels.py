"""Label sheets: a vector PDF (reportlab) with one label per code, at real sheet sizes.

Each label carries the CCCP symbol, a QR code of `PUBLIC_BASE_URL/p/<code>` (a page
that works without Telegram and links on to the bot), the typed code under it in
three groups of five, the product name and its kg. Everything is drawn as vectors
(the QR too), so a printer gets sharp edges at any size.

Formats (`FORMATS`): a4-3x8 (A4, 3 x 8 labels of 70 x 37.1 mm, no margins, as
Avery 3474 / L7160-type sheets), letter-30 (US Letter, 30 labels of 2 5/8 x 1 in,
Avery 5160 geometry), roll (one 62 x 29 mm label per page, for label printers).
Rendering is CPU work: front ends run `render_labels` in a thread.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import qrcode
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import inch, mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from core.codes.format import printed

ASSETS = Path(__file__).resolve().parent.parent / "certs" / "assets"
GREEN_DARK = HexColor("#1f5135")
GOLD = HexColor("#c8a24a")
DISC = HexColor("#f3f7f1")
LEAF = HexColor("#3f8f4f")
INK = HexColor("#1c1c1c")


@dataclass(frozen=True)
class Sheet:
    """A sheet of labels: page size, grid, label size and the first label's offset (points)."""

    name: str
    page: tuple[float, float]
    columns: int
    rows: int
    label: tuple[float, float]
    origin: tuple[float, float]  # left, top margin
    pitch: tuple[float, float]  # distance from one label's left/top to the next

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


FORMATS = {
    "a4-3x8": Sheet("a4-3x8", A4, 3, 8, (70 * mm, 297 * mm / 8), (0, 0), (70 * mm, 297 * mm / 8)),
    "letter-30": Sheet("letter-30", LETTER, 3, 10, (2.625 * inch, 1 * inch), (0.1875 * inch, 0.5 * inch),
                       (2.75 * inch, 1 * inch)),
    "roll": Sheet("roll", (62 * mm, 29 * mm), 1, 1, (62 * mm, 29 * mm), (0, 0), (62 * mm, 29 * mm)),
}


@dataclass(frozen=True)
class Label:
    code: str
    url: str  # what the QR holds
    product_name: str
    kg: int


def label_url(public_base_url: str, code: str) -> str:
    return f"{public_base_url.rstrip('/')}/p/{code}"


_fonts_ready = False


def _fonts() -> None:
    global _fonts_ready
    if not _fonts_ready:  # DejaVu: product names in any script the merchant writes
        pdfmetrics.registerFont(TTFont("DejaVu", str(ASSETS / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("DejaVu-Bold", str(ASSETS / "DejaVuSans-Bold.ttf")))
        _fonts_ready = True


def draw_symbol(c: canvas.Canvas, x: float, y: float, size: float) -> None:
    """The CCCP symbol as vectors: a seal with a leaf, naming the mark (x, y: lower left)."""
    r = size / 2
    cx, cy = x + r, y + r
    c.setFillColor(GREEN_DARK)
    c.circle(cx, cy, r, stroke=0, fill=1)
    c.setStrokeColor(GOLD)
    c.setLineWidth(max(0.3, size / 60))
    c.circle(cx, cy, r * 0.93, stroke=1, fill=0)
    c.setFillColor(GOLD)
    c.circle(cx, cy, r * 0.64, stroke=0, fill=1)
    c.setFillColor(DISC)
    c.circle(cx, cy, r * 0.6, stroke=0, fill=1)
    leaf = c.beginPath()
    leaf.moveTo(cx - r * 0.32, cy - r * 0.3)
    leaf.curveTo(cx - r * 0.35, cy + r * 0.25, cx + r * 0.1, cy + r * 0.45, cx + r * 0.38, cy + r * 0.4)
    leaf.curveTo(cx + r * 0.35, cy - r * 0.05, cx, cy - r * 0.38, cx - r * 0.32, cy - r * 0.3)
    c.setFillColor(LEAF)
    c.drawPath(leaf, stroke=0, fill=1)
    c.setStrokeColor(DISC)
    c.setLineWidth(max(0.3, size / 80))
    c.line(cx - r * 0.28, cy - r * 0.26, cx + r * 0.3, cy + r * 0.33)
    c.setFillColor(white)
    c.setFont("DejaVu-Bold", r * 0.3)
    c.drawCentredString(cx, cy - r * 0.86, "CCCP")


def _fit(text: str, font: str, size: float, width: float) -> tuple[str, float]:
    """Shrink to fit (down to 60 %), then cut with an ellipsis."""
    while size > 4 and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.25
    while len(text) > 1 and pdfmetrics.stringWidth(text, font, size) > width:
        text = text[:-2] + "…"
    return text, size


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR modules of `data` (error correction M).

    One fixed mask pattern: any of the eight is a valid QR code, and choosing the
    "best" one costs ten times the encoding (8 ms a label instead of 0.9 ms).
    """
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=2)
    qr.add_data(data)
    qr.make(fit=True)
    return qr.get_matrix()


def draw_qr(c: canvas.Canvas, data: str, x: float, y: float, size: float) -> None:
    """The QR code as filled rectangles, one per run of dark modules in a row, with a quiet zone drawn white."""
    matrix = qr_matrix(data)
    n = len(matrix)
    module = size / (n + 2)  # one module of quiet zone either side (the label's white does the rest)
    c.setFillColor(INK)
    path = c.beginPath()
    for row, cells in enumerate(matrix):
        top = y + size - module * (row + 1)
        column = 0
        while column < n:
            if cells[column]:
                start = column
                while column < n and cells[column]:
                    column += 1
                path.rect(x + module * (start + 1), top - module, module * (column - start), module)
            else:
                column += 1
    c.drawPath(path, stroke=0, fill=1)


def draw_label(c: canvas.Canvas, label: Label, x: float, y: float, width: float, height: float) -> None:
    """One label with its lower left corner at (x, y)."""
    pad = min(width, height) * 0.07
    qr_size = height - 2 * pad - height * 0.16
    qr_x, qr_y = x + pad, y + height - pad - qr_size
    draw_qr(c, label.url, qr_x, qr_y, qr_size)
    code_text, code_size = _fit(printed(label.code), "DejaVu-Bold", height * 0.105, qr_size * 1.5)
    c.setFillColor(INK)
    c.setFont("DejaVu-Bold", code_size)
    c.drawString(qr_x, y + pad * 0.9, code_text)
    code_width = pdfmetrics.stringWidth(code_text, "DejaVu-Bold", code_size)
    text_x = qr_x + qr_size + pad
    text_width = x + width - pad - text_x
    symbol_size = min(text_width * 0.6, height * 0.45)
    c.saveState()  # the symbol is drawn once per document and placed as a form
    c.translate(x + width - pad - symbol_size, y + height - pad - symbol_size)
    c.scale(symbol_size / 100, symbol_size / 100)
    c.doForm(_symbol_form(c))
    c.restoreState()
    name, name_size = _fit(label.product_name, "DejaVu-Bold", height * 0.1, text_width)
    c.setFillColor(INK)
    c.setFont("DejaVu-Bold", name_size)
    c.drawString(text_x, y + height * 0.3, name)
    kg_x = max(text_x, qr_x + code_width + pad)
    kg_text, kg_size = _fit(f"{label.kg:,} kg CO2e".replace(",", "\u202f"), "DejaVu", height * 0.1, x + width - pad - kg_x)
    c.setFont("DejaVu", kg_size)
    c.drawString(kg_x, y + pad * 0.9, kg_text)


def _symbol_form(c: canvas.Canvas) -> str:
    name = "cccp-symbol"
    if not getattr(c, "_has_cccp_symbol", False):
        c.beginForm(name, 0, 0, 100, 100)
        draw_symbol(c, 0, 0, 100)
        c.endForm()
        c._has_cccp_symbol = True
    return name


def render_labels(
    labels: Sequence[Label],
    sheet: str = "a4-3x8",
    *,
    title: str = "CCCP labels",
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The PDF of all labels on sheets of `sheet`; `progress(done, total)` after every page."""
    _fonts()
    geometry = FORMATS[sheet]
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=geometry.page, pageCompression=1)
    c.setTitle(title)
    c.setAuthor("CCCP")
    page_width, page_height = geometry.page
    label_width, label_height = geometry.label
    for start in range(0, len(labels), geometry.per_page):
        for offset, label in enumerate(labels[start:start + geometry.per_page]):
            row, column = divmod(offset, geometry.columns)
            x = geometry.origin[0] + column * geometry.pitch[0]
            top = page_height - geometry.origin[1] - row * geometry.pitch[1]
            draw_label(c, label, x, top - label_height, label_width, label_height)
        c.showPage()
        if progress is not None:
            progress(min(start + geometry.per_page, len(labels)), len(labels))
    c.save()
    return buffer.getvalue()
