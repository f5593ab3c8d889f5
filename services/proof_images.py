"""Payment-proof images: the checks a receipt photo passes before an admin sees it.

Pure functions over bytes already downloaded from Telegram. Nothing here touches the
network, the disk or the database, and nothing here produces text for people: callers
turn a `ProofProblem` into a message in the member's language.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import threading
import warnings
from dataclasses import dataclass
from enum import StrEnum
from io import BytesIO

from PIL import ExifTags, Image, ImageFile, ImageOps, UnidentifiedImageError

from domain.proofs import hamming as hamming  # re-exported: callers measure with it
from kernel.memory import give_memory_back

MAX_PROOF_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MIN_SIDE = 100  # below this on either side, no receipt is readable
# Longer side over shorter side: a receipt, even a long scrolled screenshot, stays far
# below this; a 100:1 strip is unreadable on a phone and only costs decoding memory.
MAX_ASPECT_RATIO = 20
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")

# Decoding memory. A 40-megapixel picture takes 120-160 MB once decoded; eight at once
# took the process from 249 to 1,125 MiB. So: at most DECODE_SLOTS decodes run at once in
# the whole process (whoever calls, whichever thread), and a picture is decoded, or
# reduced right after decoding, to about DECODE_SIDE pixels on its shorter side before
# anything else copies it (the hash needs 32x32). Pictures already that small, screenshots
# and most phone photos sent as photos, are hashed exactly as before.
DECODE_SLOTS = 1
DECODE_SIDE = 1024
_DECODE_GATE = threading.BoundedSemaphore(DECODE_SLOTS)
# Modes whose pixels Image.reduce() may average as they are; others (P, PA, 1, I;16...)
# are converted first, one strip at a time.
_REDUCIBLE_MODES = frozenset({"L", "LA", "RGB", "RGBA", "RGBX", "CMYK", "YCbCr", "I", "F"})
_STRIP_BLOCKS = 64  # rows of factor x factor blocks reduced at a time
# After decoding more than this many pixels, freed memory is handed back to the system:
# glibc keeps what worker threads freed in per-thread arenas (845 MiB stayed after the
# eight pictures) unless asked with malloc_trim. Elsewhere this is simply skipped.
TRIM_AFTER_PIXELS = 4_000_000
_SIDEWAYS = frozenset({5, 6, 7, 8})  # EXIF orientations that swap width and height

# Hamming distance (out of 64 bits) up to which two proofs "look alike", measured on the
# synthetic receipts tests/unit/test_proof_images.py draws (6 layouts x 8 texts, JPEG):
#   same picture: recompressed q95->q60 <= 4, scaled to 50% <= 4, EXIF-rotated <= 2,
#     cropped 2% off every edge <= 10, 3% <= 12 for 47 of 48 (max 14), 4% <= 12 for 46
#     of 48 (max 16; on 100 receipts of randomised layouts, 89% within 12);
#   different layouts: min 12, median 28, 1 pair of 960 within 12;
#   same layout, different text: 0..22, 148 pairs of 168 within 12 (see `looks_like`).
# A hash has 32 one-bits (unless coefficients tie at the median), so distances are even:
# 12 and 13 behave the same.
SIMILAR_MAX_DISTANCE = 12

# A JPEG carrying extra embedded pictures (some phone cameras write them) opens as MPO.
_FORMAT_NAMES = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}
# ISO base media files Pillow cannot read but people send: HEIC (iPhone), HEIF, AVIF.
_HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
)

_HASH_SIDE = 32  # the image is reduced to 32x32 grey levels ...
_HASH_FREQUENCIES = 8  # ... and the 8x8 lowest cosine frequencies give the 64 bits
_COSINES = tuple(
    tuple(math.cos(math.pi * (2 * x + 1) * u / (2 * _HASH_SIDE)) for x in range(_HASH_SIDE))
    for u in range(_HASH_FREQUENCIES)
)


class ProofProblem(StrEnum):
    TOO_LARGE = "too_large"
    EMPTY = "empty"
    NOT_AN_IMAGE = "not_an_image"
    UNSUPPORTED_FORMAT = "unsupported_format"
    TOO_MANY_PIXELS = "too_many_pixels"
    CORRUPTED = "corrupted"
    TOO_SMALL = "too_small"


class ProofImageError(ValueError):
    """Why a payment proof was refused; the message is the problem's code, never prose."""

    def __init__(self, problem: ProofProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class ProofImage:
    sha256: str  # hex digest of the bytes as received: finds the exact same file
    perceptual_hash: str  # 16 hex digits (64 bits): finds the same picture re-encoded
    width: int  # upright, after the EXIF orientation is applied
    height: int
    image_format: str  # "JPEG", "PNG" or "WEBP"
    size_bytes: int


def inspect_proof(data: bytes) -> ProofImage:
    """Accept a payment proof or say why not; checks run in this order:

    1. EMPTY for no bytes, TOO_LARGE for more than MAX_PROOF_BYTES: before any decoding.
    2. Only JPEG, PNG and WEBP are opened. Bytes Pillow (or the HEIC/AVIF signature)
       recognises as another image format are UNSUPPORTED_FORMAT; anything else is
       NOT_AN_IMAGE. A recognised header that the decoder then chokes on is CORRUPTED.
    3. From the header alone, before pixels are decoded: more than MAX_PIXELS is
       TOO_MANY_PIXELS, and either side under MIN_SIDE, or a longer side more than
       MAX_ASPECT_RATIO times the shorter (a strip no one can read), is TOO_SMALL. Pillow's own
       decompression-bomb guard stays on: its warning is raised as an error here and
       reported as TOO_MANY_PIXELS too (Image.MAX_IMAGE_PIXELS is never changed).
    4. `verify()` (PNG chunk checksums), then a fresh open and a full `load()`: any
       failure, e.g. a truncated file or damaged compressed data, is CORRUPTED.
    5. The picture is turned upright by its EXIF orientation before it is measured and
       hashed, so a re-send that only differs by its orientation tag matches.

    Steps 3-5 hold one of DECODE_SLOTS process-wide (callers in other threads wait), and
    a big picture is decoded at reduced size (JPEG) or reduced right after decoding;
    width and height are still those of the whole picture.

    Whatever the bytes, the only exception raised is ProofImageError.
    """
    if not data:
        raise ProofImageError(ProofProblem.EMPTY)
    if len(data) > MAX_PROOF_BYTES:
        raise ProofImageError(ProofProblem.TOO_LARGE)
    with _DECODE_GATE:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image, image_format, (width, height) = _decode(data)
        with image:
            before = image.size
            orientation = _orientation(image)
            upright = _upright(image)
            perceptual_hash = _perceptual_hash(upright)
            turned = upright.size != before if before[0] != before[1] else orientation in _SIDEWAYS
        if width * height > TRIM_AFTER_PIXELS:
            give_memory_back()
        if turned:
            width, height = height, width
    return ProofImage(
        sha256=hashlib.sha256(data).hexdigest(),
        perceptual_hash=perceptual_hash,
        width=width,
        height=height,
        image_format=image_format,
        size_bytes=len(data),
    )


def looks_like(a: str, b: str) -> bool:
    """The same picture, give or take recompression, rescaling or a light crop.

    A hint for the admin, not proof: two genuine receipts from one banking app share
    their layout and usually land within the threshold too (the digits that differ are
    too fine for a 64-bit hash). Equal `sha256` is the exact duplicate.
    """
    return hamming(a, b) <= SIMILAR_MAX_DISTANCE


def _decode(data: bytes) -> tuple[Image.Image, str, tuple[int, int]]:
    """Check the header, verify, then decode every pixel of a fresh copy, at reduced size
    when the picture is big: the image, its format and its full (stored) size."""
    with _open(data) as probe:
        width, height = probe.size
        image_format = _FORMAT_NAMES.get(probe.format or "")
        if image_format is None:
            raise ProofImageError(ProofProblem.UNSUPPORTED_FORMAT)
        if width * height > MAX_PIXELS:
            raise ProofImageError(ProofProblem.TOO_MANY_PIXELS)
        if min(width, height) < MIN_SIDE or max(width, height) > MAX_ASPECT_RATIO * min(
            width, height
        ):
            raise ProofImageError(ProofProblem.TOO_SMALL)
        try:
            probe.verify()
        except Exception as error:
            raise ProofImageError(ProofProblem.CORRUPTED) from error
    image: Image.Image = _open(data)
    scale = DECODE_SIDE / min(width, height)
    try:
        if scale < 0.5 and image_format == "JPEG":
            # libjpeg scales by 1/2, 1/4 or 1/8 while decoding: never below the asked size.
            image.draft(image.mode, (math.ceil(width * scale), math.ceil(height * scale)))
        image.load()
        factor = min(image.size) // DECODE_SIDE
        if factor >= 2:
            reduced = _reduce(image, factor)
            image.close()
            image = reduced
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        image.close()
        raise ProofImageError(ProofProblem.TOO_MANY_PIXELS) from error
    except Exception as error:
        # Decoders report damaged data with many exception types (OSError, SyntaxError,
        # ValueError, EOFError, struct.error, ...); for untrusted bytes they all mean this.
        image.close()
        raise ProofImageError(ProofProblem.CORRUPTED) from error
    return image, image_format, (width, height)


def _reduce(image: Image.Image, factor: int) -> Image.Image:
    """Box-average `factor` x `factor` blocks, as Image.reduce() does, without a second
    full-size copy: Pillow premultiplies alpha (LA, RGBA) into a whole new image first,
    and palette or 16-bit pictures must be converted before they can be averaged, so
    those go strip by strip (strips are whole blocks tall: the result is the same)."""
    if image.mode in _REDUCIBLE_MODES and image.mode not in ("LA", "RGBA"):
        return image.reduce(factor)
    if image.mode in ("LA", "RGBA"):
        mode = image.mode
    elif image.mode.startswith("I"):
        mode = "I"
    elif image.has_transparency_data:
        mode = "RGBA"
    else:
        mode = "RGB"
    width, height = image.size
    reduced = Image.new(mode, (-(-width // factor), -(-height // factor)))
    reduced.info = image.info.copy()  # the EXIF orientation goes along
    step = factor * _STRIP_BLOCKS
    for top in range(0, height, step):
        with image.crop((0, top, width, min(top + step, height))) as strip:
            converted = strip if strip.mode == mode else strip.convert(mode)
            reduced.paste(converted.reduce(factor), (0, top // factor))
    return reduced


def _open(data: bytes) -> ImageFile.ImageFile:
    try:
        return Image.open(BytesIO(data), formats=ALLOWED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ProofImageError(ProofProblem.TOO_MANY_PIXELS) from error
    except UnidentifiedImageError as error:
        raise ProofImageError(_unreadable(data)) from error
    except Exception as error:  # the format was recognised, then its header was not
        raise ProofImageError(ProofProblem.CORRUPTED) from error


def _unreadable(data: bytes) -> ProofProblem:
    """An image in a format we refuse, or no image at all? Headers only, nothing decoded."""
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return ProofProblem.UNSUPPORTED_FORMAT
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow warns about every plugin that said no
        try:
            Image.open(BytesIO(data)).close()
        except Image.DecompressionBombError:
            return ProofProblem.UNSUPPORTED_FORMAT  # recognised, and huge besides
        except Exception:
            return ProofProblem.NOT_AN_IMAGE
    return ProofProblem.UNSUPPORTED_FORMAT


def _orientation(image: Image.Image) -> int | None:
    """The EXIF orientation tag, when it can be read."""
    with contextlib.suppress(Exception):
        value = image.getexif().get(ExifTags.Base.Orientation)
        return value if isinstance(value, int) else None
    return None


def _upright(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation; unreadable EXIF leaves the pixels as they are stored."""
    with contextlib.suppress(Exception):
        ImageOps.exif_transpose(image, in_place=True)
    return image


def _perceptual_hash(image: Image.Image) -> str:
    """A DCT hash ("pHash"): the signs of the lowest frequencies against their median.

    The upright image becomes 32x32 grey levels (box-averaged, transparency flattened
    on white), is taken through a 2-D DCT-II, and the 8x8 lowest frequencies (the
    constant term included, row-major from the top left) become 64 bits: 1 where the
    coefficient is above the median of the 64.

    Why not a difference hash (9x8 grey levels, one bit per left-right comparison)?
    Measured on the same synthetic receipts, it cannot tell the two groups apart:
    receipts are mostly flat white, so many neighbouring cells are nearly equal and
    their bits flip under a crop (2-4% off every edge moved it up to 13 bits, 20 on
    other layouts), while different receipts, all "white page with text rows", came
    as close as 5 bits (median 15). Blurring first, a centre crop of 90% before
    resizing (it makes crops worse: the cut moves content past a new hard edge), a
    dead zone around equal cells and a crop centred on the ink were also tried; none
    separated the groups. This hash puts different layouts at least 12 bits apart
    (median 28) with the same crops at 10-16.

    The low frequencies of the DCT describe the layout (where the header, the amount
    and the text blocks sit), move smoothly when the picture is cropped or rescaled,
    and the median makes every hash half ones, so unrelated layouts land far apart.
    Pure Python over 32x32 values: a couple of milliseconds, no numpy needed.
    """
    grey = _hash_input(image).tobytes()
    rows = [grey[y * _HASH_SIDE : (y + 1) * _HASH_SIDE] for y in range(_HASH_SIDE)]
    # Separable DCT: along each row first (frequency u), then down the columns (v).
    along_rows = [
        [sum(c * p for c, p in zip(cosines, row, strict=True)) for cosines in _COSINES]
        for row in rows
    ]
    coefficients = [
        sum(c * along_rows[y][u] for y, c in enumerate(_COSINES[v]))
        for v in range(_HASH_FREQUENCIES)
        for u in range(_HASH_FREQUENCIES)
    ]
    ordered = sorted(coefficients)
    middle = len(ordered) // 2
    median = (ordered[middle - 1] + ordered[middle]) / 2
    bits = 0
    for coefficient in coefficients:
        bits = (bits << 1) | (coefficient > median)
    return f"{bits:016x}"


def _hash_input(image: Image.Image) -> Image.Image:
    """The picture as 32x32 8-bit grey levels, as a person would see it on white."""
    grid = (_HASH_SIDE, _HASH_SIDE)
    if image.mode.startswith("I"):  # 16-bit grey PNGs: scale to 8 bits, don't clip
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.has_transparency_data:
        small = image.convert("RGBA").resize(grid, Image.Resampling.BOX)
        white = Image.new("RGBA", grid, "white")
        return Image.alpha_composite(white, small).convert("L")
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")  # P and 1 would be resized by nearest neighbour
    return image.resize(grid, Image.Resampling.BOX).convert("L")
