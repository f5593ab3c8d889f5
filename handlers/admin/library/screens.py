"""The library's admin screens as (text, buttons): the sections, a section's lessons, a
lesson's card, and the questions of the add and edit steps."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.catalog import Tier
from handlers.admin.console.callbacks import ConsoleCallback, Screen
from handlers.admin.library.callbacks import Act, LibraryAdminCallback
from handlers.member.library import tier_label
from kernel.i18n import Translator, escape
from services.library import (
    PAGE_SIZE,
    AdminLessonCard,
    AdminSectionPage,
    LessonPart,
    SectionRecord,
)

ScreenParts = tuple[str, InlineKeyboardMarkup]


def _data(act: Act, **fields: int | str) -> LibraryAdminCallback:
    return LibraryAdminCallback(act=act, **fields)


def home_screen(
    sections: Sequence[SectionRecord], page: int, i18n: Translator, lang: str
) -> ScreenParts:
    """The sections, paged, each with its live and total lessons."""
    builder = InlineKeyboardBuilder()
    pages = max(-(-len(sections) // PAGE_SIZE), 1)
    page = min(max(page, 0), pages - 1)
    shown = sections[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    for section in shown:
        builder.button(
            text=f"{escape(section.name)} ({section.live}/{section.total})",
            callback_data=_data(Act.SECTION, section=section.id),
        )
    sizes = [1] * len(shown) + _turns(builder, page, pages, i18n, lang, Act.HOME)
    builder.button(text=i18n.t("library.button_add", lang), callback_data=_data(Act.ADD))
    builder.button(
        text=i18n.t("library.button_panel", lang), callback_data=ConsoleCallback(screen=Screen.HOME)
    )
    builder.adjust(*sizes, 2)
    live = sum(section.live for section in sections)
    if not sections:
        return i18n.t("library.admin_home_empty", lang), builder.as_markup()
    text = i18n.t("library.admin_home", lang, sections=len(sections), lessons=live)
    if pages > 1:
        text += "\n" + i18n.t("library.page", lang, page=page + 1, pages=pages)
    return text, builder.as_markup()


def _turns(
    builder: InlineKeyboardBuilder,
    page: int,
    pages: int,
    i18n: Translator,
    lang: str,
    act: Act,
    section: int = 0,
) -> list[int]:
    """◀️ ▶️ buttons of a paged list; the row size they take ([] when one page)."""
    count = 0
    for label, to in (("prev", page - 1), ("next", page + 1)):
        if 0 <= to < pages:
            builder.button(
                text=i18n.t(f"library.button_{label}", lang),
                callback_data=_data(act, section=section, page=to),
            )
            count += 1
    return [count] if count else []


def section_screen(listing: AdminSectionPage, i18n: Translator, lang: str) -> ScreenParts:
    """A section's lessons, paged: 🗄 retired, the tier each opens from, 👁 opens."""
    section = listing.section
    builder = InlineKeyboardBuilder()
    for item in listing.lessons:
        lesson = item.lesson
        builder.button(
            text=i18n.t(
                "library.lesson_button",
                lang,
                mark="🗄 " if lesson.retired else "",
                title=lesson.title,
                tier=tier_label(lesson.tier, i18n, lang),
                opens=item.views.opens,
            ),
            callback_data=_data(Act.LESSON, lesson=lesson.id, page=listing.page),
        )
    sizes = [1] * len(listing.lessons)
    sizes += _turns(builder, listing.page, listing.pages, i18n, lang, Act.SECTION, section.id)
    builder.button(
        text=i18n.t("library.button_add_here", lang),
        callback_data=_data(Act.ADD, section=section.id),
    )
    builder.button(
        text=i18n.t("library.button_section_name", lang),
        callback_data=_data(Act.SECTION_NAME, section=section.id),
    )
    if section.total == 0:  # only a section holding no lesson (retired ones count)
        builder.button(
            text=i18n.t("library.button_section_delete", lang),
            callback_data=_data(Act.SECTION_DELETE, section=section.id),
        )
    builder.button(text=i18n.t("library.button_sections", lang), callback_data=_data(Act.HOME))
    builder.adjust(*sizes, 1, 1, 1, 1)
    name = section.name
    if not listing.lessons:
        return i18n.t("library.admin_section_empty", lang, section=name), builder.as_markup()
    text = i18n.t(
        "library.admin_section",
        lang,
        section=name,
        live=section.live,
        retired=section.total - section.live,
    )
    if listing.pages > 1:
        text += "\n" + i18n.t("library.page", lang, page=listing.page + 1, pages=listing.pages)
    return text, builder.as_markup()


def content_summary(parts: Sequence[LessonPart], i18n: Translator, lang: str) -> str:
    if len(parts) == 1:
        kind = i18n.t(f"library.kind_{parts[0].kind.value}", lang)
        return i18n.t("library.content_single", lang, kind=kind)
    return i18n.t("library.content_album", lang, count=len(parts))


def lesson_screen(card: AdminLessonCard, i18n: Translator, lang: str) -> ScreenParts:
    """The lesson's card: where it is, who it opens for, its views, and what can be done."""
    lesson = card.lesson
    status = "status_retired" if lesson.retired else "status_live"
    text = i18n.t(
        "library.lesson_card",
        lang,
        title=lesson.title,
        section=lesson.section_name,
        tier=tier_label(lesson.tier, i18n, lang),
        content=content_summary(card.parts, i18n, lang) if card.parts else "-",
        opens=card.views.opens,
        members=card.views.members,
        status=i18n.t(f"library.{status}", lang),
    )
    builder = InlineKeyboardBuilder()
    one = lesson.id
    moves = 0
    if not card.first:
        builder.button(
            text=i18n.t("library.button_up", lang),
            callback_data=_data(Act.UP, lesson=one, at=card.place),
        )
        moves += 1
    if not card.last:
        builder.button(
            text=i18n.t("library.button_down", lang),
            callback_data=_data(Act.DOWN, lesson=one, at=card.place),
        )
        moves += 1
    for act, key in (
        (Act.TITLE, "title"),
        (Act.TIER, "tier"),
        (Act.CONTENT, "content"),
        (Act.PREVIEW, "preview"),
    ):
        builder.button(
            text=i18n.t(f"library.button_{key}", lang), callback_data=_data(act, lesson=one)
        )
    retire = (Act.UNRETIRE, "unretire") if lesson.retired else (Act.RETIRE, "retire")
    builder.button(
        text=i18n.t(f"library.button_{retire[1]}", lang), callback_data=_data(retire[0], lesson=one)
    )
    builder.button(
        text=i18n.t("library.button_section", lang, section=lesson.section_name),
        callback_data=_data(Act.SECTION, section=lesson.section_id),
    )
    builder.adjust(*([moves] if moves else []), 2, 2, 1, 1)
    return text, builder.as_markup()


def tier_buttons(
    tiers: Sequence[Tier],
    i18n: Translator,
    lang: str,
    *,
    lesson: int = 0,
    draft: int = 0,
) -> InlineKeyboardMarkup:
    """One button per tier (lowest first): for a lesson's card, or for a draft."""
    builder = InlineKeyboardBuilder()
    for tier in tiers:
        act = Act.SET_TIER if lesson else Act.DRAFT_TIER
        builder.button(
            text=tier_label(tier, i18n, lang),
            callback_data=_data(act, lesson=lesson, tier=tier.code, draft=draft),
        )
    back = _data(Act.LESSON, lesson=lesson) if lesson else _data(Act.CANCEL, draft=draft)
    builder.button(
        text=i18n.t("library.button_back" if lesson else "library.button_cancel", lang),
        callback_data=back,
    )
    builder.adjust(len(tiers) or 1, 1)
    return builder.as_markup()


def section_choice(
    sections: Sequence[SectionRecord], draft: int, i18n: Translator, lang: str
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for section in sections:
        builder.button(
            text=escape(section.name),
            callback_data=_data(Act.PICK, section=section.id, draft=draft),
        )
    builder.button(
        text=i18n.t("library.button_new_section", lang),
        callback_data=_data(Act.NEW_SECTION, draft=draft),
    )
    builder.button(
        text=i18n.t("library.button_cancel", lang), callback_data=_data(Act.CANCEL, draft=draft)
    )
    builder.adjust(1)
    return builder.as_markup()


def draft_buttons(
    draft: int, confirm_key: str, i18n: Translator, lang: str
) -> InlineKeyboardMarkup:
    """A draft's last step: ✅ (add, or save the new content) or ✖️."""
    builder = InlineKeyboardBuilder()
    builder.button(text=i18n.t(confirm_key, lang), callback_data=_data(Act.CONFIRM, draft=draft))
    builder.button(
        text=i18n.t("library.button_cancel", lang), callback_data=_data(Act.CANCEL, draft=draft)
    )
    builder.adjust(2)
    return builder.as_markup()


def album_buttons(
    draft: int, i18n: Translator, lang: str, *, again: bool = False
) -> InlineKeyboardMarkup:
    """👀 the album's preview (every part is in), or 🔁 a preview Telegram refused."""
    builder = InlineKeyboardBuilder()
    builder.button(
        text=i18n.t("library.button_preview_again" if again else "library.button_album_done", lang),
        callback_data=_data(Act.ALBUM_DONE, draft=draft),
    )
    builder.button(
        text=i18n.t("library.button_cancel", lang), callback_data=_data(Act.CANCEL, draft=draft)
    )
    builder.adjust(1)
    return builder.as_markup()


def confirm_retire(card: AdminLessonCard, i18n: Translator, lang: str) -> ScreenParts:
    lesson = card.lesson
    key, act = ("unretire", Act.UNRETIRE_DO) if lesson.retired else ("retire", Act.RETIRE_DO)
    builder = InlineKeyboardBuilder()
    builder.button(
        text=i18n.t(f"library.button_confirm_{key}", lang),
        callback_data=_data(act, lesson=lesson.id),
    )
    builder.button(
        text=i18n.t("library.button_back", lang), callback_data=_data(Act.LESSON, lesson=lesson.id)
    )
    builder.adjust(2)
    text = i18n.t(f"library.confirm_{key}", lang, title=lesson.title)
    return text, builder.as_markup()
