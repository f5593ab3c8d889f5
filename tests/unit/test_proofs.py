"""When a payment proof repeats an earlier one: the same bytes, the same Telegram file,
or the same picture (a perceptual hash at most 6 bits away)."""

from __future__ import annotations

import pytest

from domain.proofs import (
    SAME_PICTURE_MAX_DISTANCE,
    ProofFile,
    ProofFingerprint,
    duplicate_of,
    hamming,
    same_picture,
)

HASH = "00ff00ff00ff00ff"


def flipped(bits: int) -> str:
    """`HASH` with its lowest `bits` bits flipped."""
    return f"{int(HASH, 16) ^ ((1 << bits) - 1):016x}"


def proof(
    sha: str = "sha-new", unique: str = "uniq-new", phash: str = "ffffffff00000000"
) -> ProofFile:
    return ProofFile(
        telegram_file_id="file",
        file_unique_id=unique,
        sha256=sha,
        perceptual_hash=phash,
        size_bytes=1000,
        width=800,
        height=1200,
        image_format="JPEG",
    )


def seen(id: int, sha: str = "sha", unique: str = "uniq", phash: str = HASH) -> ProofFingerprint:
    return ProofFingerprint(id, sha, unique, phash)


def test_a_recompressed_copy_is_the_same_picture_but_another_receipt_is_not() -> None:
    assert SAME_PICTURE_MAX_DISTANCE == 6
    assert hamming(HASH, flipped(6)) == 6
    assert same_picture(HASH, flipped(4)) and same_picture(HASH, flipped(6))
    assert not same_picture(HASH, flipped(7))
    assert not same_picture(HASH, flipped(12))  # one bank app, another receipt


def test_a_malformed_stored_hash_matches_nothing_instead_of_failing() -> None:
    assert not same_picture("not-a-hash", HASH)
    with pytest.raises(ValueError):
        hamming("not-a-hash", HASH)


def test_a_proof_repeats_the_newest_earlier_proof_it_matches_in_any_way() -> None:
    earlier = [
        seen(30, phash=flipped(2)),
        seen(20, unique="uniq-new", phash=flipped(20)),
        seen(10, sha="sha-new", phash=flipped(20)),
    ]
    assert duplicate_of(proof(phash=HASH), earlier) == 30
    assert duplicate_of(proof(), earlier) == 20
    assert duplicate_of(proof(unique="other"), earlier) == 10
    assert duplicate_of(proof(sha="x", unique="y"), earlier) is None
    assert duplicate_of(proof(), []) is None
