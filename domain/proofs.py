"""Payment proofs as values: the checked picture a member sent, and when two are one picture.

A proof that matches an earlier one (the same bytes, the same Telegram file, or the same
picture) is flagged for the admins, never refused by itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "SAME_PICTURE_MAX_DISTANCE",
    "ProofFile",
    "ProofFingerprint",
    "duplicate_of",
    "hamming",
    "same_picture",
]

# Receipts from one bank app differ only in their digits, which a 64-bit hash cannot
# see: measured, most such pairs fall within services/proof_images.py's looser
# "similar" distance. Re-sent, recompressed, scaled or rotated copies measured at 4 or
# less, so only that close a match is flagged; a heavily cropped re-use may pass unflagged.
SAME_PICTURE_MAX_DISTANCE = 6


@dataclass(frozen=True, slots=True)
class ProofFile:
    """A checked proof image (see services/proof_images.py) and its Telegram ids."""

    telegram_file_id: str
    file_unique_id: str
    sha256: str
    perceptual_hash: str
    size_bytes: int
    width: int
    height: int
    image_format: str
    media_kind: str = "photo"  # or "document": an image sent as a file


@dataclass(frozen=True, slots=True)
class ProofFingerprint:
    """What an earlier proof is recognised by."""

    id: int
    sha256: str
    file_unique_id: str
    perceptual_hash: str


def hamming(a: str, b: str) -> int:
    """How many of the 64 bits differ between two perceptual hashes (16 hex digits each)."""
    if len(a) != 16 or len(b) != 16:
        raise ValueError("perceptual hashes are 16 hex digits")
    return (int(a, 16) ^ int(b, 16)).bit_count()


def same_picture(stored: str, new: str) -> bool:
    """Two perceptual hashes at most `SAME_PICTURE_MAX_DISTANCE` bits apart: one picture,
    re-sent or recompressed. A malformed stored hash matches nothing (it must not block a
    member's proof)."""
    try:
        return hamming(stored, new) <= SAME_PICTURE_MAX_DISTANCE
    except ValueError:
        return False


def duplicate_of(proof: ProofFile, earlier: Iterable[ProofFingerprint]) -> int | None:
    """The first earlier proof (in the order given, newest first) that `proof` repeats:
    the same bytes (sha256), the same Telegram file, or the same picture; None if none."""
    return next(
        (
            seen.id
            for seen in earlier
            if seen.sha256 == proof.sha256
            or seen.file_unique_id == proof.file_unique_id
            or same_picture(seen.perceptual_hash, proof.perceptual_hash)
        ),
        None,
    )
