"""Announcements (SPEC "Community"): an admin's post copied to an audience of members.

- `compose.py`: what admins type while composing (link buttons, days, a send time).
- `create.py`: the audience's size before confirming; the confirmed announcement.
- `control.py`: pause, resume, cancel (compare-and-set on the status).
- `history.py`: one announcement, and the history page by page.
- `delivery.py`: what the sender (bot/announcements.py) asks while it delivers.

An announcement is a status (draft, scheduled, sending, paused, cancelled, done) and,
once sending starts, one row per recipient; the sender claims them in batches with a
lease and records each outcome before counting it, so a restart resends at most the
ones in flight. Members who blocked the bot are skipped and, when found, marked.
"""

from __future__ import annotations

from services.announcements._base import AnnouncementError, AnnouncementProblem
from services.announcements.compose import (
    MAX_BUTTONS,
    MAX_DAYS,
    MIN_DAYS,
    Draft,
    LinkButtons,
    parse_days,
    parse_link_buttons,
    parse_send_time,
)
from services.announcements.control import Control, Controlling, ControlResult
from services.announcements.create import Creating
from services.announcements.delivery import Delivery
from services.announcements.history import PAGE_SIZE, History, HistoryPage
from storage.repos.announcements import (
    AnnouncementRecord,
    AnnouncementStatus,
    Audience,
    AudienceSize,
    ClaimedRecipient,
)

__all__ = [
    "MAX_BUTTONS",
    "MAX_DAYS",
    "MIN_DAYS",
    "PAGE_SIZE",
    "AnnouncementError",
    "AnnouncementProblem",
    "AnnouncementRecord",
    "AnnouncementService",
    "AnnouncementStatus",
    "Audience",
    "AudienceSize",
    "ClaimedRecipient",
    "Control",
    "ControlResult",
    "Draft",
    "HistoryPage",
    "LinkButtons",
    "parse_days",
    "parse_link_buttons",
    "parse_send_time",
]


class AnnouncementService(Creating, Controlling, History, Delivery):
    """Composing, confirming, controlling and delivering announcements."""
