"""The button payloads of the library's admin screens (typed, bounded: a forged one
never unpacks)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from handlers.common.callbacks import CallbackId

Page = Annotated[int, Field(ge=0, le=10_000)]
# Which composition a button belongs to: a tap on an older draft finds another number.
DraftNumber = Annotated[int, Field(ge=0, le=999_999)]
# The place (1 = top) of a lesson the admin saw when ⬆️ / ⬇️ was drawn: a stale one moves nothing.
Place = Annotated[int, Field(ge=0, le=1_000_000)]
TierCode = Annotated[str, Field(pattern=r"^[a-z0-9_]{0,24}$")]


class Act(StrEnum):
    HOME = "home"  # the sections (page)
    SECTION = "sec"  # a section's lessons (section, page)
    LESSON = "les"  # a lesson's card (lesson)
    UP = "up"
    DOWN = "down"
    TITLE = "title"  # type a new title
    TIER = "tier"  # the tier buttons
    SET_TIER = "settier"  # (lesson, tier)
    CONTENT = "content"  # send new content
    PREVIEW = "preview"  # the content as members get it
    RETIRE = "retire"  # ask to confirm
    UNRETIRE = "unretire"
    RETIRE_DO = "retired"
    UNRETIRE_DO = "unretired"
    ADD = "add"  # a new lesson (in `section`, or pick one)
    PICK = "pick"  # the new lesson's section (draft, section)
    NEW_SECTION = "newsec"  # type a new section's name (draft)
    DRAFT_TIER = "dtier"  # the new lesson's tier (draft, tier)
    ALBUM_DONE = "album"  # every part of the album is in: preview (draft)
    CONFIRM = "confirm"  # add the lesson, or save the new content (draft)
    CANCEL = "cancel"  # drop the draft
    SECTION_NAME = "secname"  # type a section's new name (section)
    SECTION_DELETE = "secdel"  # delete a section that holds no lesson (section)


class LibraryAdminCallback(CallbackData, prefix="liba"):
    act: Act
    section: CallbackId = 0
    lesson: CallbackId = 0
    page: Page = 0
    tier: TierCode = ""
    draft: DraftNumber = 0
    at: Place = 0
