"""The button payloads of the meetings area (typed, bounded: a forged one never unpacks)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from handlers.common.callbacks import CallbackId
from services.meetings import MAX_OCCURRENCE, MeetingAudience, Repeat
from services.meetings import Field as MeetingField

Occurrence = Annotated[int, Field(ge=0, le=MAX_OCCURRENCE)]
Page = Annotated[int, Field(ge=0, le=10_000)]
DURATIONS = (30, 60, 90, 120)


class Act(StrEnum):
    LIST = "list"
    NEW = "new"
    OPEN = "open"
    NAMES = "names"
    EDIT = "edit"
    CANCEL = "cancel"  # ask to confirm
    CANCEL_DO = "cancel_do"
    PAST = "past"
    ROSTER = "roster"
    MARK = "mark"  # set present or absent (the button carries which)
    FIND = "find"  # mark someone who did not answer: ask for a name, @username or id
    MEMBERS = "members"


class MeetingsCallback(CallbackData, prefix="mta"):
    act: Act
    meeting: CallbackId = 0
    occurrence: Occurrence = 0
    member: CallbackId = 0
    page: Page = 0
    present: bool = False  # what MARK sets


class Step(StrEnum):
    DURATION = "duration"
    AUDIENCE = "audience"
    REPEAT = "repeat"
    SKIP_NOTES = "skip"
    CONFIRM = "confirm"
    ABORT = "abort"


class WizardCallback(CallbackData, prefix="mtw"):
    """A button of the scheduling steps (the step's screen must be the one tapped)."""

    step: Step
    minutes: Annotated[int, Field(ge=0, le=600)] = 0
    audience: MeetingAudience | None = None
    repeat: Repeat | None = None


class EditCallback(CallbackData, prefix="mte"):
    """Choose a field to change; for the audience and the repeat, its new value."""

    meeting: CallbackId
    field: MeetingField
    audience: MeetingAudience | None = None
    repeat: Repeat | None = None
