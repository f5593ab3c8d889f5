"""The button payloads of announcements (typed, as handlers/common/callbacks.py)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from handlers.common.callbacks import CallbackId
from services.announcements import Audience, Control

# Which composition a button belongs to: a tap on an older preview finds another number.
DraftNumber = Annotated[int, Field(ge=0, le=999_999)]
Page = Annotated[int, Field(ge=-1, le=100_000)]
FROM_PROGRESS = -1  # the tap came from the progress message, not a history page


class ComposeAction(StrEnum):
    NO_BUTTONS = "nobuttons"
    AUDIENCE = "audience"
    DAYS = "days"
    TEST = "test"
    SEND = "send"
    SCHEDULE = "schedule"
    CANCEL = "cancel"


class ComposeCallback(CallbackData, prefix="annd"):
    """A step of composing: the draft's number, what was tapped, and its choice."""

    draft: DraftNumber
    action: ComposeAction
    audience: Audience | None = None
    days: Annotated[int, Field(ge=1, le=90)] | None = None


class AnnouncementControlCallback(CallbackData, prefix="annc"):
    """Pause / resume / cancel, on the progress message or a history page."""

    action: Control
    announcement_id: CallbackId
    page: Page = FROM_PROGRESS


class HistoryCallback(CallbackData, prefix="annh"):
    page: Annotated[int, Field(ge=0, le=100_000)]
