"""Reading a code from a photo of its label (zxing-cpp) or from a scanned link.

A label's QR holds `PUBLIC_BASE_URL/p/<code>`; a bot deep link holds
`?start=<code>`; a person may also photograph a QR that holds the bare code.
`code_in_text` finds the code in any of these; `codes_in_photo` decodes every QR
and barcode zxing-cpp finds in an image (rotated, small, skewed, slightly blurred
included: zxing-cpp's `try_rotate`, `try_downscale` and binarizers do that work).
Decoding is CPU work: front ends run `codes_in_photo` in a thread.
"""

from __future__ import annotations

import io
import re

import zxingcpp
from PIL import Image, ImageOps

from core.codes.format import looks_like_code
from core.ids import normalize

MAX_PIXELS = 40_000_000  # a photo larger than this is refused before decoding (a decompression bomb)
_CANDIDATE = re.compile(r"(?:/p/|[?&]start=)?([Kk][0-9A-Za-z-]{14,20})(?![0-9A-Za-z])")


def code_in_text(text: str) -> str | None:
    """The code a QR's text or a link carries (not checked yet), or None."""
    for match in _CANDIDATE.finditer(text or ""):
        if looks_like_code(match.group(1)):
            return normalize(match.group(1))
    return None


def codes_in_photo(data: bytes) -> list[str]:
    """Every product code found in the image bytes (JPEG, PNG, WebP...), in reading order."""
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            return []
        image = ImageOps.exif_transpose(image).convert("L")
    except (OSError, ValueError, Image.DecompressionBombError):
        return []
    found: list[str] = []
    for attempt in (image, ImageOps.autocontrast(image)):
        for result in zxingcpp.read_barcodes(attempt, try_rotate=True, try_downscale=True):
            code = code_in_text(result.text)
            if code is not None and code not in found:
                found.append(code)
        if found:
            break
    return found
