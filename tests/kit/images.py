"""Synthetic payment receipts drawn on the fly (no image is committed to the repo)."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from typing import Any

from PIL import Image, ImageChops, ImageDraw, ImageFont

# Synthetic receipts: a coloured header with a bank logo, an optional big amount,
# label/value rows, grey boxes, an optional footer, and a little grain.


@dataclass(frozen=True)
class Layout:
    header: str  # "bar": full-width coloured band; "plain": logo on white
    header_height: int
    accent: tuple[int, int, int]
    logo: str  # "ellipse", "square" or "diamond"
    logo_x: float  # centre of the logo, as a fraction of the width
    hero: bool  # the big centred "success + amount" block many bank apps show
    font_size: int
    row_gap: int
    box_every: int  # every n-th row is a grey box instead; 0 for none
    footer: bool


LAYOUTS = (
    Layout("bar", 220, (0, 90, 170), "square", 0.5, True, 30, 62, 0, False),
    Layout("bar", 140, (230, 180, 0), "ellipse", 0.2, False, 34, 56, 4, True),
    Layout("plain", 200, (240, 110, 20), "diamond", 0.8, True, 28, 84, 3, False),
    Layout("bar", 300, (10, 90, 50), "ellipse", 0.5, False, 38, 92, 0, True),
    Layout("plain", 160, (120, 40, 160), "square", 0.15, False, 26, 48, 2, False),
    Layout("bar", 120, (200, 20, 30), "diamond", 0.85, True, 32, 72, 5, True),
)
WORDS = (
    "transfer rekening tujuan nominal biaya berita total status berhasil tanggal "
    "waktu referensi nama penerima pengirim bank"
).split()
INK = (25, 25, 25)
SIZE = (800, 1200)


@cache
def receipt(layout_index: int = 0, text_seed: int = 0, size: tuple[int, int] = SIZE) -> Image.Image:
    layout = LAYOUTS[layout_index]
    text = random.Random(text_seed)
    width, height = size
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    top = layout.header_height
    logo_fill: Any = layout.accent
    if layout.header == "bar":
        draw.rectangle((0, 0, width, top), fill=layout.accent)
        logo_fill = "white"
    r, cx, cy = 50, round(width * layout.logo_x), top // 2
    if layout.logo == "ellipse":
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=logo_fill)
    elif layout.logo == "square":
        draw.rectangle((cx - r, cy - r, cx + r, cy + r), fill=logo_fill)
    else:
        draw.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], fill=logo_fill)
    y = top + 50
    if layout.hero:
        big = ImageFont.load_default(size=72)
        amount = f"Rp {text.randint(10, 9999) * 1000:,}".replace(",", ".")
        draw.ellipse((width // 2 - 45, y, width // 2 + 45, y + 90), fill=layout.accent)
        draw.text(((width - draw.textlength(amount, font=big)) / 2, y + 110), amount, INK, big)
        y += 230
    font = ImageFont.load_default(size=layout.font_size)
    left = 60
    for row in itertools.count(1):
        if y > height - 150:
            break
        if layout.box_every and row % layout.box_every == 0:
            draw.rectangle(
                (40, y, width - 120, y + 110), fill=(232, 232, 232), outline=INK, width=4
            )
            label = " ".join(text.choice(WORDS) for _ in range(2)).upper()
            draw.text((60, y + 15), label, INK, font)
            y += 110 + layout.row_gap // 2
            continue
        label = " ".join(text.choice(WORDS) for _ in range(text.randint(1, 2)))
        value = str(text.randint(10**5, 10**10))
        draw.text((left, y), label, INK, font)
        draw.text((width - left - draw.textlength(value, font=font), y), value, INK, font)
        y += layout.row_gap
    if layout.footer:
        draw.rectangle((0, height - 90, width, height), fill=layout.accent)
    return with_grain(image, seed=text_seed)


def with_grain(image: Image.Image, seed: int) -> Image.Image:
    """Deterministic sensor-like noise of about +-10 grey levels."""
    width, height = image.size
    noise = Image.frombytes("L", image.size, random.Random(seed).randbytes(width * height))
    noise = noise.point(lambda v: 118 + v // 12)
    return ImageChops.add(image, Image.merge("RGB", (noise, noise, noise)), offset=-128)


def encode(image: Image.Image, image_format: str = "JPEG", **params: Any) -> bytes:
    out = BytesIO()
    if image_format == "PNG":
        params.setdefault("compress_level", 1)
    image.save(out, image_format, **params)
    return out.getvalue()


def receipt_jpeg(layout_index: int = 0, text_seed: int = 0) -> bytes:
    """A phone-screenshot-like receipt as JPEG bytes."""
    return encode(receipt(layout_index, text_seed), "JPEG", quality=85)
