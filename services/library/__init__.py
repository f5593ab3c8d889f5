"""The learning library (SPEC "Community" → learning materials).

- `browse.py`: what a member sees: sections, a section's lessons (locked ones marked),
  a lesson opened (its content, and the opening recorded).
- `manage.py`: what admins do: sections, lessons added from a draft, title, tier and
  content changed, reordered, retired; the lists with each lesson's views.
- `views.py`: the owner's numbers: lessons opened in a period.

A lesson is open from a minimum tier upward (Basic < VIP; a temporal plan gives its
tier while it runs). Access is decided at every request from the plans held now.
"""

from __future__ import annotations

from domain.library import (
    MAX_ALBUM_PARTS,
    MAX_SECTION_NAME,
    MAX_TITLE,
    ContentKind,
    ContentProblem,
    LessonPart,
)
from services.library._base import PAGE_SIZE, LibraryError, LibraryProblem
from services.library.browse import (
    Browsing,
    Opened,
    Opening,
    SectionPage,
    Shelf,
    ShelfLesson,
    ShelfSection,
)
from services.library.manage import (
    AdminLesson,
    AdminLessonCard,
    AdminSectionPage,
    LessonDraft,
    Managing,
    check_content,
    section_name_of,
    title_of,
)
from services.library.views import LibraryViews, Viewing
from storage.repos.library import LessonRecord, LessonViews, Moved, SectionRecord, TopLesson

__all__ = [
    "MAX_ALBUM_PARTS",
    "MAX_SECTION_NAME",
    "MAX_TITLE",
    "PAGE_SIZE",
    "AdminLesson",
    "AdminLessonCard",
    "AdminSectionPage",
    "ContentKind",
    "ContentProblem",
    "LessonDraft",
    "LessonPart",
    "LessonRecord",
    "LessonViews",
    "LibraryError",
    "LibraryProblem",
    "LibraryService",
    "LibraryViews",
    "Moved",
    "Opened",
    "Opening",
    "SectionPage",
    "SectionRecord",
    "Shelf",
    "ShelfLesson",
    "ShelfSection",
    "TopLesson",
    "check_content",
    "section_name_of",
    "title_of",
]


class LibraryService(Browsing, Managing, Viewing):
    """The learning library for members, admins and the owner's numbers."""
