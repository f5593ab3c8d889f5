"""What the questions feature hands in and out: a message as the relay needs it, and the
outcomes handlers render."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kernel.dates import DateText

# How a message is copied to the other side (and so how an edit of it is carried):
TEXT = "text"  # a text message: sent again as text, under a header or a signature
CAPTION = "caption"  # media with a caption (photo, video, document, voice...): copied,
# the caption replaced by header/signature + the caption
BARE = "bare"  # a sticker, a video note, a location...: copied as it is
HEADER = "header"  # the member's card posted above a bare copy (admins may reply to it)
# Suffixes: the copy carries the member's card inline: the full card of a new wait
# ("+new", "+again" when reopened) or the one-line header of a message that follows.
PREFIXES = ("+new", "+again", "+line")


@dataclass(frozen=True, slots=True)
class Said:
    """A message someone sent: where it is, how it can be copied, its text as HTML (the
    person's formatting kept, escaped once), and the message in the same chat it replies
    to."""

    chat_id: int
    message_id: int
    shape: str
    html: str | None = None
    reply_to: int | None = None


class Asked(StrEnum):
    FIRST = "first"  # relayed; the conversation was opened (or reopened) by it
    MORE = "more"  # relayed into a conversation already waiting for an answer
    MUTED = "muted"  # not relayed: the admins muted this member for now
    DUPLICATE = "duplicate"  # the same message again (a redelivered update): nothing done
    UNKNOWN = "unknown"  # not a registered member


@dataclass(frozen=True, slots=True)
class AskResult:
    outcome: Asked
    muted_until: DateText | None = None


class Answered(StrEnum):
    QUEUED = "queued"  # the answer goes to the member
    NOT_A_QUESTION = "not_a_question"  # the message was not about a member's question
    DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True)
class ConversationView:
    """A conversation as the admins' buttons show it."""

    id: int
    status: str
    member_name: str
    muted_until: DateText | None


class StatusChange(StrEnum):
    CHANGED = "changed"
    ALREADY = "already"  # it already had that status (a second tap)
    NOT_ALLOWED = "not_allowed"  # e.g. "answered" for a closed conversation
    STALE = "stale"  # the buttons were drawn for an earlier status (a new question since)
    GONE = "gone"


@dataclass(frozen=True, slots=True)
class Waiting:
    """An open conversation in the admins' list."""

    conversation_id: int
    name: str
    username: str | None
    telegram_id: int
    tier: str | None  # the tier's code, None without a plan
    waiting_minutes: int
    topic_id: int | None
