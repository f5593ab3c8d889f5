"""What every library use case shares: the service's fields and its refusals."""

from __future__ import annotations

from enum import StrEnum

from kernel.refusal import Refusal
from services.base import ServiceBase

# Lessons (and sections) on one page of buttons.
PAGE_SIZE = 8


class LibraryProblem(StrEnum):
    BAD_TITLE = "bad_title"  # empty, or longer than MAX_TITLE
    BAD_SECTION_NAME = "bad_section_name"  # empty, or longer than MAX_SECTION_NAME
    SECTION_TAKEN = "section_taken"  # another section has that name (`name`)
    SECTION_NOT_EMPTY = "section_not_empty"  # a section with lessons is not deleted
    BAD_CONTENT = "bad_content"  # see domain.library.ContentProblem (`why`)
    NO_SECTION = "no_section"  # the section is gone
    NO_LESSON = "no_lesson"  # the lesson is gone
    NO_TIER = "no_tier"  # the tier is not in the catalog


class LibraryError(Refusal[LibraryProblem]):
    """Why what an admin typed or asked for the library was refused."""


class LibraryServiceBase(ServiceBase):
    pass
