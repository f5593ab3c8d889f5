"""Payment-proof images: every picture here is drawn by the test, none is committed."""

from __future__ import annotations

import hashlib
import itertools
import random
import struct
import threading
import time
import warnings
import zlib
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from io import BytesIO
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile

from services.proof_images import (
    DECODE_SLOTS,
    MAX_PROOF_BYTES,
    SIMILAR_MAX_DISTANCE,
    ProofImage,
    ProofImageError,
    ProofProblem,
    hamming,
    inspect_proof,
    looks_like,
)
from tests.kit.images import LAYOUTS, SIZE, encode, receipt, with_grain  # noqa: F401


def decoded(data: bytes) -> Image.Image:
    return Image.open(BytesIO(data))


def crop_edges(image: Image.Image, fraction: float) -> Image.Image:
    width, height = image.size
    dx, dy = round(width * fraction), round(height * fraction)
    return image.crop((dx, dy, width - dx, height - dy))


@cache
def original_jpeg() -> bytes:
    return encode(receipt(), "JPEG", quality=95)


def distance(a: bytes, b: bytes) -> int:
    return hamming(inspect_proof(a).perceptual_hash, inspect_proof(b).perceptual_hash)


def problem_of(data: bytes) -> ProofProblem:
    with pytest.raises(ProofImageError) as caught:
        inspect_proof(data)
    return caught.value.problem


# PNG surgery: chunk = length, type, data, CRC-32 of type + data.
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    chunks, at = [], len(PNG_SIGNATURE)
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        chunks.append((png[at + 4 : at + 8], png[at + 8 : at + 8 + length]))
        at += 12 + length
    return chunks


def black_png(width: int, height: int) -> bytes:
    """A real, valid 1-bit greyscale PNG: its all-zero rows compress to almost nothing."""
    compressor = zlib.compressobj(9)
    rows = bytes(1 + (width + 7) // 8) * 500  # filter byte + packed pixels, 500 rows
    whole, rest = divmod(height, 500)
    idat = b"".join(compressor.compress(rows) for _ in range(whole))
    idat += compressor.compress(rows[: rest * len(rows) // 500]) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


# ---------------------------------------------------------------------------
# Accepted proofs


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_a_jpeg_a_png_and_a_webp_are_accepted_with_format_size_and_sha256(
    image_format: str,
) -> None:
    data = encode(receipt(), image_format)

    proof = inspect_proof(data)

    assert proof == ProofImage(
        sha256=hashlib.sha256(data).hexdigest(),
        perceptual_hash=proof.perceptual_hash,
        width=800,
        height=1200,
        image_format=image_format,
        size_bytes=len(data),
    )
    assert len(proof.perceptual_hash) == 16
    int(proof.perceptual_hash, 16)


def test_the_same_bytes_always_give_the_same_hashes() -> None:
    assert inspect_proof(original_jpeg()) == inspect_proof(bytes(original_jpeg()))


def test_the_same_receipt_saved_as_jpeg_png_and_webp_looks_alike() -> None:
    hashes = [inspect_proof(encode(receipt(), f)).perceptual_hash for f in ("JPEG", "PNG", "WEBP")]

    assert all(looks_like(a, b) for a, b in itertools.combinations(hashes, 2))


def test_a_jpeg_recompressed_from_quality_95_to_60_looks_like_the_original() -> None:
    recompressed = encode(decoded(original_jpeg()), "JPEG", quality=60)

    assert hashlib.sha256(recompressed).digest() != hashlib.sha256(original_jpeg()).digest()
    assert distance(original_jpeg(), recompressed) <= SIMILAR_MAX_DISTANCE


@pytest.mark.parametrize("fraction", [0.02, 0.03, 0.04])
def test_a_copy_cropped_by_a_few_percent_on_every_edge_looks_like_the_original(
    fraction: float,
) -> None:
    cropped = encode(crop_edges(decoded(original_jpeg()), fraction), "JPEG", quality=85)

    assert distance(original_jpeg(), cropped) <= SIMILAR_MAX_DISTANCE


def test_a_copy_scaled_to_half_size_looks_like_the_original() -> None:
    half = decoded(original_jpeg()).resize((400, 600), Image.Resampling.LANCZOS)

    proof = inspect_proof(encode(half, "JPEG", quality=85))

    assert (proof.width, proof.height) == (400, 600)
    assert looks_like(proof.perceptual_hash, inspect_proof(original_jpeg()).perceptual_hash)


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_a_copy_stored_sideways_with_an_exif_orientation_looks_like_the_original(
    image_format: str,
) -> None:
    # Orientation 6: "rotate 90 degrees clockwise to display", so the pixels are stored
    # turned 90 degrees anticlockwise, the way a phone held sideways writes them.
    sideways = decoded(original_jpeg()).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6

    proof = inspect_proof(encode(sideways, image_format, exif=exif))

    assert (proof.width, proof.height) == (800, 1200)
    assert distance(original_jpeg(), encode(sideways, image_format)) > SIMILAR_MAX_DISTANCE
    assert looks_like(proof.perceptual_hash, inspect_proof(original_jpeg()).perceptual_hash)


def test_receipts_with_different_text_and_layout_do_not_look_alike() -> None:
    hashes = [
        inspect_proof(encode(receipt(index, text_seed=100 + index))).perceptual_hash
        for index in range(len(LAYOUTS))
    ]

    close = [
        (a, b, hamming(hashes[a], hashes[b]))
        for a, b in itertools.combinations(range(len(hashes)), 2)
        if looks_like(hashes[a], hashes[b])
    ]
    assert close == []


def test_a_png_with_a_transparent_background_looks_like_the_same_receipt_on_white() -> None:
    opaque = receipt()
    transparent = opaque.convert("RGBA")
    # Near-white grain becomes fully transparent, as in a PNG exported from an app.
    alpha = opaque.convert("L").point(lambda v: 0 if v > 225 else 255)
    transparent.putalpha(alpha)

    assert distance(encode(transparent, "PNG"), encode(opaque, "PNG")) <= SIMILAR_MAX_DISTANCE


def test_a_16_bit_greyscale_png_is_hashed_like_its_8_bit_copy() -> None:
    grey = receipt().convert("L")
    deep = grey.convert("I").point(lambda v: v * 257).convert("I;16")
    assert decoded(encode(deep, "PNG")).mode.startswith("I")

    assert distance(encode(deep, "PNG"), encode(grey, "PNG")) <= SIMILAR_MAX_DISTANCE


@pytest.mark.parametrize("size", [(100, 100), (100, 1200), (1200, 100)])
def test_an_image_100_pixels_on_its_shortest_side_is_accepted(size: tuple[int, int]) -> None:
    proof = inspect_proof(encode(receipt(size=size), "PNG"))

    assert (proof.width, proof.height) == size


# ---------------------------------------------------------------------------
# Refused proofs


def test_empty_bytes_are_empty() -> None:
    assert problem_of(b"") is ProofProblem.EMPTY


def test_more_than_10_mb_is_too_large_even_when_it_is_a_valid_jpeg() -> None:
    # A JPEG decoder stops at the end-of-image marker, so trailing padding keeps it valid.
    at_the_limit = original_jpeg().ljust(MAX_PROOF_BYTES, b"\0")
    assert inspect_proof(at_the_limit).size_bytes == MAX_PROOF_BYTES

    assert problem_of(at_the_limit + b"\0") is ProofProblem.TOO_LARGE


@pytest.mark.parametrize("image_format", ["GIF", "BMP", "TIFF", "ICO", "PPM"])
def test_images_in_other_formats_are_an_unsupported_format(image_format: str) -> None:
    image = receipt().resize((256, 256)) if image_format == "ICO" else receipt()

    assert problem_of(encode(image, image_format)) is ProofProblem.UNSUPPORTED_FORMAT


@pytest.mark.parametrize("brand", [b"heic", b"mif1", b"avif"])
def test_an_iphone_heic_or_an_avif_is_an_unsupported_format(brand: bytes) -> None:
    header = struct.pack(">I", 24) + b"ftyp" + brand + bytes(4) + b"mif1heic"

    assert problem_of(header + bytes(1000)) is ProofProblem.UNSUPPORTED_FORMAT


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n%%EOF\n",
        random.Random(7).randbytes(5000),
        "Bukti transfer — Rp 150.000 ke BCA 1234567890 ✓\n".encode() * 20,
    ],
    ids=["pdf", "random-bytes", "text-file"],
)
def test_a_pdf_random_bytes_and_a_text_file_are_not_an_image(data: bytes) -> None:
    assert problem_of(data) is ProofProblem.NOT_AN_IMAGE


def test_a_jpeg_cut_in_half_is_corrupted() -> None:
    data = original_jpeg()

    assert problem_of(data[: len(data) // 2]) is ProofProblem.CORRUPTED


def test_a_png_with_flipped_bytes_in_its_image_data_is_corrupted() -> None:
    png = encode(receipt(), "PNG")
    idat_at = png.index(b"IDAT") + 4
    damaged = bytearray(png)
    for at in range(idat_at + 1000, idat_at + 1016):
        damaged[at] ^= 0xFF

    assert bytes(damaged[:idat_at]) == png[:idat_at]  # the header is intact
    assert problem_of(bytes(damaged)) is ProofProblem.CORRUPTED


def test_a_png_with_damaged_image_data_under_a_correct_checksum_is_corrupted() -> None:
    # verify() only checks chunk checksums; the full decode must catch this one.
    png = encode(receipt(), "PNG")
    rebuilt = bytearray(PNG_SIGNATURE)
    for kind, data in png_chunks(png):
        if kind == b"IDAT":
            data = b"\x00\x00" + data[2:]  # an impossible zlib header
        rebuilt += png_chunk(kind, data)

    assert problem_of(bytes(rebuilt)) is ProofProblem.CORRUPTED


@pytest.mark.parametrize(
    "size",
    [(8000, 8000), (10_000, 10_000), (20_000, 20_000)],
    ids=["over-our-40-mpx", "over-pillow-warning", "over-pillow-error"],
)
def test_a_decompression_bomb_is_refused_from_its_header_without_decoding(
    size: tuple[int, int],
) -> None:
    bomb = black_png(*size)
    assert len(bomb) < 100_000
    limit, filters = Image.MAX_IMAGE_PIXELS, list(warnings.filters)

    started = time.perf_counter()
    problem = problem_of(bomb)
    elapsed = time.perf_counter() - started

    assert problem is ProofProblem.TOO_MANY_PIXELS
    assert elapsed < 1.0  # decoding even the smallest would take seconds and gigabytes
    assert Image.MAX_IMAGE_PIXELS == limit
    assert warnings.filters == filters


@pytest.mark.parametrize("size", [(50, 50), (99, 1200), (800, 99)])
def test_an_image_under_100_pixels_on_a_side_is_too_small(size: tuple[int, int]) -> None:
    assert problem_of(encode(receipt(size=size), "PNG")) is ProofProblem.TOO_SMALL


@pytest.mark.parametrize("size", [(100, 10_000), (10_000, 100), (150, 3_010), (120, 2_500)])
def test_a_strip_longer_than_20_to_1_is_refused_as_unreadable(size: tuple[int, int]) -> None:
    """A 100:1 strip is no readable receipt and only costs memory to decode."""
    assert problem_of(encode(Image.new("RGB", size, "white"), "PNG")) is ProofProblem.TOO_SMALL


@pytest.mark.parametrize("size", [(100, 2_000), (2_000, 100), (1_080, 8_000)])
def test_up_to_20_to_1_long_screenshots_are_accepted(size: tuple[int, int]) -> None:
    proof = inspect_proof(encode(receipt(size=size), "JPEG"))

    assert (proof.width, proof.height) == size


@cache
def big_picture(mode: str, size: tuple[int, int] = (2400, 3600)) -> Image.Image:
    """A flat drawing (it compresses well even when big): a header band and text rows."""
    picture = Image.new("RGB", size, "white")
    width, height = size
    picture.paste((0, 90, 170), (0, 0, width, height // 6))
    for row in range(8):
        top = height // 4 + row * height // 12
        picture.paste(
            (30, 30, 30),
            (width // 10, top, width // 10 + (row + 3) * width // 14, top + height // 40),
        )
    if mode == "RGBA":
        rgba = picture.convert("RGBA")
        rgba.putalpha(picture.convert("L").point(lambda v: 0 if v > 225 else 255))
        return rgba
    if mode == "I;16":
        return picture.convert("L").convert("I").point(lambda v: v * 257).convert("I;16")
    if mode == "P":
        return picture.convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    return picture.convert(mode)


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "P", "1", "I;16"])
def test_a_big_picture_is_measured_whole_and_hashed_like_a_small_copy(mode: str) -> None:
    """Decoded or reduced to about 1024 px before it is hashed: same size, same look."""
    big = big_picture(mode)
    small = big_picture("RGB").resize((800, 1200), Image.Resampling.BOX)

    proof = inspect_proof(encode(big, "PNG"))

    assert (proof.width, proof.height) == (2400, 3600)
    assert hamming(proof.perceptual_hash, inspect_proof(encode(small, "PNG")).perceptual_hash) <= 4


def test_a_big_jpeg_stored_sideways_is_measured_upright() -> None:
    sideways = big_picture("RGB").transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6

    proof = inspect_proof(encode(sideways, "JPEG", exif=exif))

    assert (proof.width, proof.height) == (2400, 3600)
    upright = inspect_proof(encode(big_picture("RGB"), "JPEG"))
    assert hamming(proof.perceptual_hash, upright.perceptual_hash) <= 4


def test_a_picture_just_under_the_pixel_cap_is_accepted_quickly() -> None:
    started = time.perf_counter()
    proof = inspect_proof(black_png(7280, 5456))  # 39.7 megapixels

    assert (proof.width, proof.height) == (7280, 5456)
    assert time.perf_counter() - started < 10


def test_eight_pictures_at_once_are_decoded_one_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whoever calls and from however many threads, at most DECODE_SLOTS pictures are
    being decoded at any moment (the memory of one big decode, not eight)."""
    running, most, lock = 0, 0, threading.Lock()
    load = ImageFile.ImageFile.load

    def counting_load(image: ImageFile.ImageFile) -> Any:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            time.sleep(0.02)
            return load(image)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    pictures = [encode(receipt(text_seed=n), "JPEG") for n in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        proofs = list(pool.map(inspect_proof, pictures))

    assert len({proof.sha256 for proof in proofs}) == 8
    assert most == DECODE_SLOTS == 1


def test_a_refusal_is_a_value_error_carrying_its_code_not_prose() -> None:
    error = ProofImageError(ProofProblem.CORRUPTED)

    assert isinstance(error, ValueError)
    assert error.problem is ProofProblem.CORRUPTED
    assert str(error) == "corrupted"


# ---------------------------------------------------------------------------
# Hash arithmetic


def test_hamming_counts_the_differing_bits_of_two_hashes() -> None:
    assert hamming("0" * 16, "0" * 16) == 0
    assert hamming("0" * 16, "f" * 16) == 64
    assert hamming("8000000000000001", "0000000000000000") == 2
    assert looks_like("0" * 16, f"{(1 << SIMILAR_MAX_DISTANCE) - 1:016x}")
    assert not looks_like("0" * 16, f"{(1 << (SIMILAR_MAX_DISTANCE + 1)) - 1:016x}")


@pytest.mark.parametrize(("a", "b"), [("abc", "0" * 16), ("0" * 16, "z" * 16), ("", "")])
def test_hamming_refuses_anything_but_two_16_digit_hex_hashes(a: str, b: str) -> None:
    with pytest.raises(ValueError):
        hamming(a, b)


# ---------------------------------------------------------------------------
# Properties: whatever arrives, the answer is a ProofImage or a ProofImageError.

MODES_BY_FORMAT = {
    "JPEG": ["L", "RGB", "CMYK"],
    "PNG": ["1", "L", "LA", "P", "RGB", "RGBA", "I;16"],
    "WEBP": ["L", "RGB", "RGBA"],
}


@st.composite
def small_image_files(draw: st.DrawFn) -> bytes:
    image_format = draw(st.sampled_from(sorted(MODES_BY_FORMAT)))
    mode = draw(st.sampled_from(MODES_BY_FORMAT[image_format]))
    size = (draw(st.integers(100, 140)), draw(st.integers(100, 140)))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    if mode == "I;16":
        image = Image.frombytes(mode, size, rng.randbytes(size[0] * size[1] * 2))
    else:
        image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3)).convert(mode)
    if mode in ("LA", "RGBA"):
        image.putalpha(Image.frombytes("L", size, rng.randbytes(size[0] * size[1])))
    if mode == "P" and draw(st.booleans()):
        image.info["transparency"] = 0
    exif = Image.Exif()
    exif[0x0112] = draw(st.integers(1, 8))
    data = bytearray(encode(image, image_format, exif=exif))
    damage = draw(st.sampled_from(["none", "truncate", "flip"]))
    at = draw(st.integers(0, len(data) - 1))
    if damage == "truncate":
        del data[at:]
    elif damage == "flip":
        data[at] ^= draw(st.integers(1, 255))
    return bytes(data)


@settings(max_examples=60, deadline=None)
@given(small_image_files())
def test_a_small_image_file_even_damaged_is_accepted_or_refused_with_a_problem(
    data: bytes,
) -> None:
    try:
        proof = inspect_proof(data)
    except ProofImageError as error:
        assert isinstance(error.problem, ProofProblem)
    else:
        assert proof.width >= 100 and proof.height >= 100
        assert len(proof.perceptual_hash) == 16


MAGIC_PREFIXES = [
    b"",
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    PNG_SIGNATURE,
    PNG_SIGNATURE + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 200, 200, 8, 2, 0, 0, 0)),
    b"RIFF\x00\x10\x00\x00WEBPVP8 ",
    b"GIF89a",
    b"BM",
    b"II*\x00",
    b"%PDF-1.4\n",
]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(MAGIC_PREFIXES), st.binary(max_size=2048))
def test_random_bytes_never_raise_anything_but_a_proof_image_error(
    prefix: bytes, tail: bytes
) -> None:
    try:
        inspect_proof(prefix + tail)
    except ProofImageError:
        pass
