"""The learning library in private chat (menu 📚): sections → a section's lessons, paged
→ a lesson. A lesson above the member's tier now shows 🔒, and opening it says which
plan opens it, with a button to that plan's quote (or the shop). Opening a lesson sends
its content with content protection (no forwarding or saving); access is checked by
the service at every tap, so an old button of a lapsed VIP opens nothing.

Also here, because the admin side (handlers/admin/library/) uses them too: a lesson part
read from a message the admin sent, and the content sent as members get it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    InputMediaAudio,
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
    Message,
)
from aiogram.utils.keyboard import InlineKeyboardBuilder
from pydantic import Field

from domain.catalog import Plan, Tier
from handlers.common.callbacks import CallbackId, MenuAction, MenuCallback, PlanCallback
from kernel.i18n import Translator, escape
from kernel.names import plan_name
from services.library import (
    ContentKind,
    LessonPart,
    LibraryService,
    Opened,
    Opening,
    SectionPage,
    Shelf,
)

log = logging.getLogger(__name__)

Page = Annotated[int, Field(ge=0, le=10_000)]


class LibraryView(StrEnum):
    SHELF = "shelf"
    SECTION = "section"
    LESSON = "lesson"


class LibraryCallback(CallbackData, prefix="lib"):
    """A member's tap in the library: the sections, a page of one, or one lesson."""

    view: LibraryView
    section: CallbackId = 0
    lesson: CallbackId = 0
    page: Page = 0


# ---------------------------------------------------------------- content in and out

# The message fields a lesson part can come from, checked in this order (an animation
# also carries `document` for old clients).
_FILE_KINDS = (
    ContentKind.ANIMATION,
    ContentKind.PHOTO,
    ContentKind.VIDEO,
    ContentKind.DOCUMENT,
    ContentKind.AUDIO,
    ContentKind.VOICE,
)


def part_of(message: Message) -> LessonPart | None:
    """The message as one part of a lesson (its file and its text or caption as HTML,
    Telegram's formatting kept); None for what a lesson cannot hold (a sticker, a
    poll, a location ...)."""
    if message.text is not None:
        return LessonPart(ContentKind.TEXT, None, message.html_text)
    caption = message.html_text if message.caption else None
    for kind in _FILE_KINDS:
        found = getattr(message, kind.value, None)
        if found:
            file_id = found[-1].file_id if kind is ContentKind.PHOTO else found.file_id
            return LessonPart(kind, file_id, caption)
    return None


_MEDIA = {
    ContentKind.PHOTO: InputMediaPhoto,
    ContentKind.VIDEO: InputMediaVideo,
    ContentKind.DOCUMENT: InputMediaDocument,
    ContentKind.AUDIO: InputMediaAudio,
}


async def send_lesson(
    bot: Bot, chat_id: int, parts: Sequence[LessonPart], thread_id: int | None = None
) -> None:
    """The content as members get it: one message, or the parts as one album; always
    protected (official clients neither forward nor save it)."""
    common = {"protect_content": True, "message_thread_id": thread_id}
    if len(parts) > 1:
        media = [
            _MEDIA[p.kind](media=p.file_id or "", caption=p.html, parse_mode="HTML") for p in parts
        ]
        await bot.send_media_group(chat_id, media=media, **common)  # type: ignore[arg-type]
        return
    part = parts[0]
    if part.kind is ContentKind.TEXT:
        await bot.send_message(chat_id, part.html or "", **common)  # type: ignore[arg-type]
        return
    send = {
        ContentKind.PHOTO: bot.send_photo,
        ContentKind.VIDEO: bot.send_video,
        ContentKind.DOCUMENT: bot.send_document,
        ContentKind.AUDIO: bot.send_audio,
        ContentKind.VOICE: bot.send_voice,
        ContentKind.ANIMATION: bot.send_animation,
    }[part.kind]
    await send(chat_id, part.file_id, caption=part.html, **common)  # type: ignore[operator]


async def deliver(
    bot: Bot, chat_id: int, parts: Sequence[LessonPart], thread_id: int | None = None
) -> bool:
    """`send_lesson`, True when the content reached the chat; False when Telegram still
    refused it after the sending path's retries (logged, for the caller to say so)."""
    try:
        await send_lesson(bot, chat_id, parts, thread_id)
    except TelegramAPIError as error:
        log.warning("library: content not delivered to %s: %s", chat_id, error)
        return False
    return True


def tier_label(tier: Tier, i18n: Translator, lang: str) -> str:
    """The tier's name ("VIP"); a tier the owner added without a translation by its code.
    Not escaped: as a parameter of a text it is escaped there, once."""
    key = f"tier.{tier.code}"
    return i18n.t(key, lang) if i18n.has(key) else tier.code.upper()


# ---------------------------------------------------------------- screens


def _shelf_screen(shelf: Shelf, i18n: Translator, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    builder = InlineKeyboardBuilder()
    if not shelf.sections:
        builder.button(
            text=i18n.t("library.button_menu", lang),
            callback_data=MenuCallback(action=MenuAction.HOME),
        )
        return i18n.t("library.shelf_empty", lang), builder.as_markup()
    lines = [i18n.t("library.shelf", lang)]
    if shelf.tier is not None:
        lines.append(i18n.t("library.shelf_tier", lang, tier=tier_label(shelf.tier, i18n, lang)))
    elif shelf.lowest is not None:
        lowest = tier_label(shelf.lowest, i18n, lang)
        lines.append(i18n.t("library.shelf_no_plan", lang, tier=lowest))
    for section in shelf.sections:
        builder.button(
            text=f"{escape(section.name)} ({section.lessons})",
            callback_data=LibraryCallback(view=LibraryView.SECTION, section=section.id),
        )
    if shelf.tier is None:
        builder.button(
            text=i18n.t("library.button_shop", lang),
            callback_data=MenuCallback(action=MenuAction.SHOP),
        )
    builder.button(
        text=i18n.t("library.button_menu", lang), callback_data=MenuCallback(action=MenuAction.HOME)
    )
    builder.adjust(1)
    return i18n.join(lines, "\n\n"), builder.as_markup()


def _section_screen(
    page: SectionPage, i18n: Translator, lang: str
) -> tuple[str, InlineKeyboardMarkup]:
    builder = InlineKeyboardBuilder()
    for lesson in page.lessons:
        builder.button(
            text=("🔒 " if lesson.locked else "📖 ") + escape(lesson.title),
            callback_data=LibraryCallback(
                view=LibraryView.LESSON, section=page.section.id, lesson=lesson.id, page=page.page
            ),
        )
    sizes = [1] * len(page.lessons)
    turns = 0
    for label, to in (("prev", page.page - 1), ("next", page.page + 1)):
        if 0 <= to < page.pages:
            builder.button(
                text=i18n.t(f"library.button_{label}", lang),
                callback_data=LibraryCallback(
                    view=LibraryView.SECTION, section=page.section.id, page=to
                ),
            )
            turns += 1
    if turns:
        sizes.append(turns)
    builder.button(
        text=i18n.t("library.button_back_sections", lang),
        callback_data=LibraryCallback(view=LibraryView.SHELF),
    )
    builder.adjust(*sizes, 1)
    lines = [i18n.t("library.section", lang, section=page.section.name)]
    if page.pages > 1:
        lines.append(i18n.t("library.page", lang, page=page.page + 1, pages=page.pages))
    if page.tier is not None and any(lesson.locked for lesson in page.lessons):
        lines.append(i18n.t("library.shelf_tier", lang, tier=tier_label(page.tier, i18n, lang)))
    return i18n.join(lines, "\n\n"), builder.as_markup()


def _locked_screen(
    opening: Opening, callback: LibraryCallback, i18n: Translator, lang: str
) -> tuple[str, InlineKeyboardMarkup]:
    lesson = opening.lesson
    assert lesson is not None
    needed = tier_label(lesson.tier, i18n, lang)
    current = (
        i18n.t("library.locked_current", lang, tier=tier_label(opening.tier, i18n, lang))
        if opening.tier is not None
        else i18n.t("library.locked_no_plan", lang)
    )
    lines = [i18n.t("library.locked", lang, title=lesson.title, tier=needed, current=current)]
    builder = InlineKeyboardBuilder()
    plans: tuple[Plan, ...] = opening.unlock_with
    if len(plans) == 1:
        builder.button(
            text=i18n.t("library.button_unlock", lang, plan=plan_name(plans[0])),
            callback_data=PlanCallback(plan_id=plans[0].id),
        )
    elif plans:
        builder.button(
            text=i18n.t("library.button_shop", lang),
            callback_data=MenuCallback(action=MenuAction.SHOP),
        )
    else:
        lines.append(i18n.t("library.locked_none_on_sale", lang, tier=needed))
    builder.button(
        text=i18n.t("library.button_back_section", lang, section=lesson.section_name),
        callback_data=LibraryCallback(
            view=LibraryView.SECTION, section=lesson.section_id, page=callback.page
        ),
    )
    builder.adjust(1)
    return i18n.join(lines), builder.as_markup()


async def _show(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup) -> None:
    """The tapped library screen becomes the next one (shown again unchanged, it stays)."""
    message = query.message
    if not isinstance(message, Message):
        return
    try:
        await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as error:
        if "not modified" not in error.message:
            await message.answer(text, reply_markup=markup)


async def open_library(
    query: CallbackQuery, library: LibraryService, i18n: Translator, lang: str
) -> None:
    """The menu's 📚 button: the sections, in a new message under the menu."""
    await query.answer()
    shelf = await library.shelf(query.from_user.id)
    text, markup = _shelf_screen(shelf, i18n, lang)
    if isinstance(query.message, Message):
        await query.message.answer(text, reply_markup=markup)


async def on_library(
    query: CallbackQuery,
    callback_data: LibraryCallback,
    library: LibraryService,
    bot: Bot,
    i18n: Translator,
    lang: str,
) -> None:
    user = query.from_user.id
    view = callback_data.view
    if view is LibraryView.SHELF:
        await query.answer()
        await _show(query, *_shelf_screen(await library.shelf(user), i18n, lang))
        return
    if view is LibraryView.SECTION:
        page = await library.section_page(user, callback_data.section, callback_data.page)
        if page is None:
            await query.answer(i18n.t("library.section_gone", lang), show_alert=True)
            await _show(query, *_shelf_screen(await library.shelf(user), i18n, lang))
            return
        await query.answer()
        await _show(query, *_section_screen(page, i18n, lang))
        return
    opening = await library.open_lesson(user, callback_data.lesson)
    if opening.outcome is Opened.GONE:
        await query.answer(i18n.t("library.gone", lang), show_alert=True)
        return
    if opening.outcome is Opened.LOCKED:
        await query.answer()
        text, markup = _locked_screen(opening, callback_data, i18n, lang)
        if isinstance(query.message, Message):
            await query.message.answer(text, reply_markup=markup)
        return
    # Sent first, the view recorded and the tap answered only once it arrived: a
    # member Telegram could not reach is told so, and nothing is counted.
    assert opening.lesson is not None
    if not await deliver(bot, user, opening.parts):
        await query.answer(i18n.t("library.not_sent", lang), show_alert=True)
        return
    await library.record_view(opening)
    await query.answer(i18n.t("library.opening", lang, title=opening.lesson.title))


def build_router() -> Router:
    router = Router(name="library")
    router.callback_query.filter(F.message.chat.type == "private")
    router.callback_query.register(
        open_library, MenuCallback.filter(F.action == MenuAction.LIBRARY)
    )
    router.callback_query.register(on_library, LibraryCallback.filter())
    return router
