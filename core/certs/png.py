"""PNG encoding that packs only what differs from a page's background.

Most of a certificate is its background: paper, frame, headings and labels, the
same on every certificate of a kind and language. Compressing the whole 1.8 MP
page took about 20 ms of a 30 ms render. So the rows are compressed in bands of
`BAND_ROWS`, each as its own deflate block sequence with an empty history (a
"full flush" boundary, as pigz does for parallel compression), and a band whose
pixels equal the background's reuses the background's compressed band. The
result is one ordinary zlib stream in one IDAT chunk; any decoder reads it.
The bands that differ are compressed on two threads (zlib lets go of the GIL while
it works), half each.

Rows are unfiltered (filter type 0): the page is mostly flat paper, which zlib
packs well as it is, and trying PNG's filters on every row (Pillow's encoder)
costs more than it saves here.
"""

from __future__ import annotations

import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

from PIL import Image

BAND_ROWS = 8
LEVEL = 3
_ZLIB_HEADER = b"\x78\x5e"  # deflate, 32 KiB window, "fast" level (RFC 1950 check bits hold)
_FINAL_BLOCK = b"\x03\x00"  # an empty final block with fixed codes: ends the deflate stream
_ADLER_BASE = 65521


@dataclass(frozen=True)
class PackedPage:
    """An RGB image's raw pixels and its rows compressed band by band."""

    size: tuple[int, int]
    pixels: bytes
    bands: tuple[tuple[bytes, int, int], ...]  # (deflate bytes, adler-32, length) per band


def _rows(pixels: bytes, stride: int, start: int, stop: int) -> bytes:
    """PNG scanlines for pixels[start:stop]: each row prefixed by filter type 0."""
    return b"".join(b"\x00" + pixels[i : i + stride] for i in range(start, stop, stride))


def _pack(rows: bytes) -> tuple[bytes, int, int]:
    """One band: raw deflate from an empty history, ending byte-aligned and not final."""
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return packer.compress(rows) + packer.flush(zlib.Z_FULL_FLUSH), zlib.adler32(rows), len(rows)


def adler32_combine(first: int, second: int, second_length: int) -> int:
    """The Adler-32 of A + B from those of A and B (zlib's adler32_combine)."""
    rem = second_length % _ADLER_BASE
    low = ((first & 0xFFFF) + (second & 0xFFFF) + _ADLER_BASE - 1) % _ADLER_BASE
    high = (rem * (first & 0xFFFF) + (first >> 16) + (second >> 16) + _ADLER_BASE - rem) % _ADLER_BASE
    return low | (high << 16)


def _bands_of(img: Image.Image) -> tuple[bytes, int, list[tuple[int, int]]]:
    """An RGB image's pixels, its row stride, and where each band starts and stops in them."""
    pixels = img.tobytes()
    stride = img.width * 3
    step = stride * BAND_ROWS
    return pixels, stride, [(a, min(a + step, len(pixels))) for a in range(0, len(pixels), step)]


def pack_page(img: Image.Image) -> PackedPage:
    """Compress every band of `img` (a background, to be reused by `encode_png`)."""
    pixels, stride, spans = _bands_of(img.convert("RGB"))
    return PackedPage(img.size, pixels, tuple(_pack_all(pixels, stride, spans)))


@cache
def _helper() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="png")


def _pack_all(pixels: bytes, stride: int, spans: list[tuple[int, int]]) -> list[tuple[bytes, int, int]]:
    """_pack for each span of pixels: the second half on the helper thread, the first here."""
    def pack(some: list[tuple[int, int]]) -> list[tuple[bytes, int, int]]:
        return [_pack(_rows(pixels, stride, a, b)) for a, b in some]

    if len(spans) < 4:
        return pack(spans)
    half = len(spans) // 2
    second = _helper().submit(pack, spans[half:])
    return pack(spans[:half]) + second.result()


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def encode_png(img: Image.Image, background: PackedPage | None = None) -> bytes:
    """`img` as an 8-bit RGB PNG; bands equal to `background`'s are not compressed again."""
    if img.mode != "RGB":
        img = img.convert("RGB")
    pixels, stride, spans = _bands_of(img)
    if background is not None and background.size == img.size:
        changed = [n for n, (a, b) in enumerate(spans) if pixels[a:b] != background.pixels[a:b]]
        bands = list(background.bands)
    else:
        changed, bands = list(range(len(spans))), [None] * len(spans)
    for n, band in zip(changed, _pack_all(pixels, stride, [spans[n] for n in changed]), strict=True):
        bands[n] = band
    adler = 1
    for _, checksum, length in bands:
        adler = adler32_combine(adler, checksum, length)
    stream = _ZLIB_HEADER + b"".join(b[0] for b in bands) + _FINAL_BLOCK + struct.pack(">I", adler)
    header = struct.pack(">IIBBBBB", img.width, img.height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", stream) + _chunk(b"IEND", b"")
