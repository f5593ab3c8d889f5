"""What Telegram tells about a person, what a member looks like to handlers, and the
`/start` referral payload."""

from __future__ import annotations

import re
from dataclasses import dataclass

REFERRAL_PAYLOAD = re.compile(r"^ref_([A-Za-z0-9]{4,32})$")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read aloud


@dataclass(frozen=True, slots=True)
class TelegramProfile:
    """What Telegram tells us about a person; refreshed on every /start."""

    telegram_id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


@dataclass(frozen=True, slots=True)
class MemberView:
    id: int
    telegram_id: int
    first_name: str
    language: str
    referral_code: str
    arrived_with_code: str | None
    is_new: bool
    # Set when this /start made them the sub of the leader whose link they used.
    joined_leader: str | None = None


def referral_code_from_payload(payload: str | None) -> str | None:
    """`/start ref_<code>` deep links carry a leader's code; anything else is ignored."""
    if not payload:
        return None
    match = REFERRAL_PAYLOAD.match(payload.strip())
    return match.group(1).upper() if match else None
