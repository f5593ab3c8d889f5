"""What an admin types while composing: link buttons, the days of "expiring", the date
and time of a scheduled send. Pure parsing: each refusal says what to fix."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from services.announcements._base import AnnouncementError, AnnouncementProblem
from storage.repos.announcements import Audience

MAX_BUTTONS = 6
MAX_LABEL = 40
MIN_DAYS, MAX_DAYS = 1, 90
LINK_SCHEMES = ("https", "http", "tg")
# A scheduled send at least this far ahead, and at most a year.
MIN_LEAD = timedelta(minutes=1)
MAX_LEAD = timedelta(days=366)

_LINE = re.compile(r"^(?P<label>.+?)\s+[-–—|]\s+(?P<url>\S+)$")
_WHEN = re.compile(
    r"^(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})\s+(?P<H>\d{1,2})[:.](?P<M>\d{2})$"
)

LinkButtons = tuple[tuple[tuple[str, str], ...], ...]


@dataclass(frozen=True, slots=True)
class Draft:
    """A composed post before it is confirmed: where it is, its buttons and audience."""

    source_chat_id: int
    message_ids: tuple[int, ...]
    is_album: bool
    buttons: LinkButtons
    audience: Audience
    days: int | None = None


def _valid_link(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme.lower() not in LINK_SCHEMES:
        return False
    if parts.scheme.lower() == "tg":
        return bool(parts.netloc)
    host = parts.hostname or ""
    return "." in host and not host.startswith(".") and not host.endswith(".")


def parse_link_buttons(text: str) -> LinkButtons:
    """Lines "Label - https://link", one button per line, at most six.

    >>> parse_link_buttons("Daftar Zoom - https://zoom.us/j/1")
    ((('Daftar Zoom', 'https://zoom.us/j/1'),),)
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_BUTTONS:
        raise AnnouncementError(AnnouncementProblem.TOO_MANY_BUTTONS, most=MAX_BUTTONS)
    rows = []
    for number, line in enumerate(lines, start=1):
        match = _LINE.match(line)
        if match is None:
            raise AnnouncementError(AnnouncementProblem.BAD_LINE, line=number)
        label, url = match["label"].strip(), match["url"]
        if len(label) > MAX_LABEL:
            raise AnnouncementError(AnnouncementProblem.LABEL_TOO_LONG, line=number, most=MAX_LABEL)
        if not _valid_link(url):
            raise AnnouncementError(AnnouncementProblem.BAD_LINK, line=number)
        rows.append(((label, url),))
    if not rows:
        raise AnnouncementError(AnnouncementProblem.BAD_LINE, line=1)
    return tuple(rows)


def parse_days(text: str) -> int:
    """The N of "expiring within N days": a whole number from 1 to 90."""
    value = text.strip()
    if not value.isdigit() or not MIN_DAYS <= int(value) <= MAX_DAYS:
        raise AnnouncementError(AnnouncementProblem.BAD_DAYS, least=MIN_DAYS, most=MAX_DAYS)
    return int(value)


def parse_send_time(text: str, zone: ZoneInfo, now: datetime) -> datetime:
    """A date and time like "10-12-2026 19:00" in the bot's time zone, in the future
    (at least a minute ahead, at most a year)."""
    match = _WHEN.match(text.strip())
    if match is None:
        raise AnnouncementError(AnnouncementProblem.BAD_DATE)
    try:
        local = datetime(
            int(match["y"]), int(match["m"]), int(match["d"]), int(match["H"]), int(match["M"]),
            tzinfo=zone,
        )  # fmt: skip
    except ValueError:
        raise AnnouncementError(AnnouncementProblem.BAD_DATE) from None
    if local < now + MIN_LEAD:
        raise AnnouncementError(AnnouncementProblem.PAST_DATE)
    if local > now + MAX_LEAD:
        raise AnnouncementError(AnnouncementProblem.TOO_FAR)
    return local
