"""The learning library (SPEC "Community" → learning materials): lessons in sections,
each open from a minimum tier upward, its content one Telegram message or an album.

Pure rules: who may open a lesson, what content a lesson may hold, what a title or a
section name may be. No I/O; the member's tier is worked out by the caller at `now`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from domain.catalog import Tier

__all__ = [
    "ALBUM_KINDS",
    "MAX_ALBUM_PARTS",
    "MAX_SECTION_NAME",
    "MAX_TITLE",
    "ContentKind",
    "ContentProblem",
    "LessonPart",
    "clean_name",
    "content_problem",
    "opens",
    "section_key",
]

# A title is a button label and a line of a list: short enough to read on a phone.
MAX_TITLE = 80
MAX_SECTION_NAME = 40
# Telegram's albums hold 2-10 items.
MAX_ALBUM_PARTS = 10


class ContentKind(StrEnum):
    """What one part of a lesson is, as Telegram names the message's content."""

    TEXT = "text"
    PHOTO = "photo"
    VIDEO = "video"
    DOCUMENT = "document"
    AUDIO = "audio"
    VOICE = "voice"
    ANIMATION = "animation"


# What sendMediaGroup accepts: photos and videos mixed, or documents alone, or audio alone.
ALBUM_KINDS = frozenset(
    {ContentKind.PHOTO, ContentKind.VIDEO, ContentKind.DOCUMENT, ContentKind.AUDIO}
)


@dataclass(frozen=True, slots=True)
class LessonPart:
    """One message of a lesson's content, kept so the lesson outlives the admin's own
    message: its kind, the Telegram file (None for text) and the text or caption as HTML
    (None when a file has no caption)."""

    kind: ContentKind
    file_id: str | None
    html: str | None


class ContentProblem(StrEnum):
    EMPTY = "empty"  # no part at all, or a text with no text
    TOO_MANY = "too_many"  # more parts than an album holds
    NOT_ALBUM = "not_album"  # several parts, one of a kind albums cannot hold
    MIXED = "mixed"  # documents or audio mixed with other kinds in one album
    NO_FILE = "no_file"  # a file part without its file


def content_problem(parts: Sequence[LessonPart]) -> ContentProblem | None:
    """Why these parts cannot be a lesson's content, or None when they can.

    One part of any kind is one message. Several parts are an album: 2-10 photos and
    videos mixed, or only documents, or only audio (Telegram refuses other mixes)."""
    if not parts:
        return ContentProblem.EMPTY
    for part in parts:
        if part.kind is ContentKind.TEXT and not (part.html or "").strip():
            return ContentProblem.EMPTY
        if part.kind is not ContentKind.TEXT and not part.file_id:
            return ContentProblem.NO_FILE
    if len(parts) == 1:
        return None
    if len(parts) > MAX_ALBUM_PARTS:
        return ContentProblem.TOO_MANY
    kinds = {part.kind for part in parts}
    if not kinds <= ALBUM_KINDS:
        return ContentProblem.NOT_ALBUM
    for alone in (ContentKind.DOCUMENT, ContentKind.AUDIO):
        if alone in kinds and len(kinds) > 1:
            return ContentProblem.MIXED
    return None


def clean_name(text: str, most: int) -> str | None:
    """A title or section name as typed, on one line with single spaces; None when it
    is empty or longer than `most` characters."""
    name = " ".join(text.split())
    if not name or len(name) > most:
        return None
    return name


def section_key(name: str) -> str:
    """What makes two section names the same section: spaces trimmed and collapsed,
    case folded ("Dasar AI" and " dasar  ai" are one section)."""
    return " ".join(name.split()).casefold()


def opens(tier: Tier | None, lesson_rank: int) -> bool:
    """Whether a member whose effective tier now is `tier` may open a lesson open from
    the tier of rank `lesson_rank` upward: Basic opens Basic lessons, VIP opens both, no
    plan opens none (a VIP whose 30 days ran out is Basic again, or has no tier)."""
    return tier is not None and tier.rank >= lesson_rank
