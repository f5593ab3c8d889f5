"""Adding a lesson with buttons and short steps, and changing a lesson's title or content:

section (pick, or type a new one) → title (typed) → minimum tier (buttons) → the content
(any message, or an album: its parts are collected by media_group_id until "👀 Preview
album" is tapped) → the preview, exactly as members will get it → ✅ Add.

Typed answers follow the console's rule (handlers/common/asked.py): the admin's
next message in the topic of the question, or a reply to it; /cancel stops. Buttons
carry the draft's number: a tap on an older draft, a second tap of ✅ or another admin's
tap finds no matching draft and is told so. The draft also holds a random key (128 bits,
kept in the FSM data, never in a button) that the lesson keeps in the database, so even
two taps at the same instant add one lesson, and no later draft is ever taken for it.

A new section typed during the draft is made only when the lesson is added: a cancelled
draft leaves no empty section behind. An album's parts arrive as separate updates
handled at the same time: the admin's lock (DRAFT_LOCKS) takes them in turn in this
process, and each part is kept as its own row in the database (keyed by the draft and
the message), so parts handled by several processes at once are all kept too."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from aiogram import Bot
from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from handlers.admin.console.home import show
from handlers.admin.library.callbacks import Act, LibraryAdminCallback
from handlers.admin.library.screens import (
    album_buttons,
    draft_buttons,
    lesson_screen,
    section_choice,
    section_screen,
    tier_buttons,
)
from handlers.common.admin_command import actor
from handlers.common.admins import AdminGate
from handlers.common.asked import answer_of, ask
from handlers.common.locks import MemberLocks
from handlers.member.library import deliver, part_of, tier_label
from kernel.clock import Clock
from kernel.i18n import Translator
from services.library import (
    MAX_SECTION_NAME,
    MAX_TITLE,
    ContentKind,
    LessonDraft,
    LessonPart,
    LibraryError,
    LibraryProblem,
    LibraryService,
    check_content,
    section_name_of,
    title_of,
)


class LibraryDraft(StatesGroup):
    pick = State()  # the section buttons
    section_name = State()  # typed
    title = State()  # typed
    tier = State()  # the tier buttons
    content = State()  # any message, or an album's first part
    album = State()  # an album's parts still coming; "👀 Preview album"
    confirm = State()  # ✅ / ✖️ under the preview
    new_title = State()  # typed, for a lesson that exists
    section_rename = State()  # typed, a section's new name


DRAFT_ACTS = frozenset(
    {Act.ADD, Act.PICK, Act.NEW_SECTION, Act.DRAFT_TIER, Act.ALBUM_DONE, Act.CONFIRM, Act.CANCEL}
    | {Act.TITLE, Act.CONTENT, Act.SECTION_NAME}
)
_STEPS_OF: dict[Act, frozenset[str | None]] = {
    Act.PICK: frozenset({LibraryDraft.pick.state}),
    Act.NEW_SECTION: frozenset({LibraryDraft.pick.state}),
    Act.DRAFT_TIER: frozenset({LibraryDraft.tier.state}),
    Act.ALBUM_DONE: frozenset({LibraryDraft.album.state}),
    Act.CONFIRM: frozenset({LibraryDraft.confirm.state}),
    Act.CANCEL: frozenset(s.state for s in LibraryDraft.__all_states__),
}
CANCELLED = "library.cancelled"
# A draft left longer is dropped: a later message of the admin is chatter, not a step.
DRAFT_KEPT = timedelta(minutes=30)
# Per admin: the updates of one admin's draft (an album's parts) handled in turn.
DRAFT_LOCKS = MemberLocks()


def _now(clock: Clock) -> float:
    return clock.now().timestamp()


class Fresh(Filter):
    """The admin's library draft (or change) is still open: started within DRAFT_KEPT.
    One left longer is dropped, and the message goes on to the other features."""

    async def __call__(self, message: Message, state: FSMContext, clock: Clock) -> bool:
        data = await state.get_data()
        if _now(clock) - float(data.get("started", 0)) > DRAFT_KEPT.total_seconds():
            await state.clear()
            return False
        return True


def problem(error: LibraryError, i18n: Translator, lang: str) -> str:
    params = dict(error.params)
    if "why" in params:
        params["why"] = i18n.t(f"library.why_{params['why']}", lang)
    return i18n.t(f"library.problem_{error.problem.value}", lang, **params)


async def _wait(state: FSMContext, step: State, screen: Message, data: dict[str, Any]) -> None:
    """Wait for the admin's answer to `screen`, the draft kept."""
    kept = {k: v for k, v in data.items() if k not in ("screen", "thread")}
    await ask(state, step, screen, **kept)


def _parts(data: dict[str, Any]) -> list[LessonPart]:
    ordered = sorted(data.get("parts") or [], key=lambda p: int(p[0]))
    return [LessonPart(ContentKind(kind), file_id, text) for _, kind, file_id, text in ordered]


def _stored(message: Message, part: LessonPart) -> list[Any]:
    return [message.message_id, part.kind.value, part.file_id, part.html]


async def _content(data: dict[str, Any], library: LibraryService) -> list[LessonPart]:
    """The draft's content: its album's parts (kept in the database), or its message."""
    album = data.get("album")
    if album:
        return list(await library.album_parts(str(data["key"]), str(album)))
    return _parts(data)


# ---------------------------------------------------------------- buttons


async def on_draft_button(
    query: CallbackQuery,
    callback_data: LibraryAdminCallback,
    state: FSMContext,
    library: LibraryService,
    bot: Bot,
    clock: Clock,
    i18n: Translator,
    lang: str,
) -> None:
    message = query.message
    if not isinstance(message, Message):
        await query.answer(i18n.t("library.stale", lang), show_alert=True)
        return
    act = callback_data.act
    if act in (Act.ADD, Act.TITLE, Act.CONTENT, Act.SECTION_NAME):
        try:
            await _start(query, message, callback_data, state, library, clock, i18n, lang)
        except LibraryError as error:  # the lesson or section is gone
            await query.answer(problem(error, i18n, lang), show_alert=True)
        return
    data = await state.get_data()
    current = await state.get_state()
    if data.get("draft") != callback_data.draft or current not in _STEPS_OF[act]:
        await query.answer(i18n.t("library.stale", lang), show_alert=True)
        return
    if act is Act.CANCEL:
        await state.clear()
        if data.get("album"):
            await library.drop_album(str(data["key"]))
        await query.answer()
        await show(query, i18n.t(CANCELLED, lang))
        return
    if act is Act.PICK:
        section = next((s for s in await library.sections() if s.id == callback_data.section), None)
        if section is None:
            await query.answer(i18n.t("library.problem_no_section", lang), show_alert=True)
            return
        await query.answer()
        data.update(section=section.id, section_name=section.name)
        await show(query, _ask_title(data, i18n, lang))
        await _wait(state, LibraryDraft.title, message, data)
        return
    if act is Act.NEW_SECTION:
        await query.answer()
        await show(query, i18n.t("library.ask_section_name", lang, most=MAX_SECTION_NAME))
        await _wait(state, LibraryDraft.section_name, message, data)
        return
    if act is Act.DRAFT_TIER:
        if callback_data.tier not in {t.code for t in await library.tiers()}:
            await query.answer(i18n.t("library.problem_no_tier", lang), show_alert=True)
            return
        await query.answer()
        data.update(tier=callback_data.tier)
        await show(query, await _ask_content(data, library, i18n, lang))
        await _wait(state, LibraryDraft.content, message, data)
        return
    if act is Act.ALBUM_DONE:
        await query.answer()
        shown = "library.preview_again" if data.get("unsent") else "library.album_started"
        await show(query, i18n.t(shown, lang))
        await _preview(message, state, data, bot, library, i18n, lang)
        return
    await _confirm(query, message, state, data, library, bot, i18n, lang)


async def _start(
    query: CallbackQuery,
    message: Message,
    callback_data: LibraryAdminCallback,
    state: FSMContext,
    library: LibraryService,
    clock: Clock,
    i18n: Translator,
    lang: str,
) -> None:
    """➕ (a new draft), or ✏️ / 📎 on a lesson's card: the first question, as a new
    message under the screen tapped (which stays as it was)."""
    # The number only matches the draft's buttons; the key names it in the database.
    draft = secrets.randbelow(999_999) + 1
    key = secrets.token_hex(16)
    act = callback_data.act
    if act is Act.ADD:
        sections = await library.sections()
        data: dict[str, Any] = {"draft": draft, "key": key, "mode": "add", "started": _now(clock)}
        chosen = next((s for s in sections if s.id == callback_data.section), None)
        await query.answer()
        if chosen is not None:
            data.update(section=chosen.id, section_name=chosen.name)
            asked = await message.answer(_ask_title(data, i18n, lang))
            await _wait(state, LibraryDraft.title, asked, data)
            return
        markup = section_choice(sections, draft, i18n, lang)
        asked = await message.answer(i18n.t("library.ask_section", lang), reply_markup=markup)
        await _wait(state, LibraryDraft.pick, asked, data)
        return
    if act is Act.SECTION_NAME:
        listing = await library.section_lessons(callback_data.section, 0)
        await query.answer()
        data = {"draft": draft, "key": key, "mode": "section", "started": _now(clock)}
        data.update(section=listing.section.id)
        asked = await message.answer(
            i18n.t(
                "library.ask_section_rename",
                lang,
                section=listing.section.name,
                most=MAX_SECTION_NAME,
            )
        )
        await _wait(state, LibraryDraft.section_rename, asked, data)
        return
    card = await library.lesson_card(callback_data.lesson)
    title = card.lesson.title
    data = {"draft": draft, "key": key, "mode": "edit", "started": _now(clock)}
    data.update(lesson=card.lesson.id, title=card.lesson.title)
    await query.answer()
    if act is Act.TITLE:
        asked = await message.answer(
            i18n.t("library.ask_new_title", lang, title=title, most=MAX_TITLE)
        )
        await _wait(state, LibraryDraft.new_title, asked, data)
        return
    asked = await message.answer(i18n.t("library.ask_new_content", lang, title=title))
    await _wait(state, LibraryDraft.content, asked, data)


def _ask_title(data: dict[str, Any], i18n: Translator, lang: str) -> str:
    section = str(data["section_name"])
    return i18n.t("library.ask_title", lang, section=section, most=MAX_TITLE)


async def _ask_content(
    data: dict[str, Any], library: LibraryService, i18n: Translator, lang: str
) -> str:
    tier = next(t for t in await library.tiers() if t.code == data["tier"])
    return i18n.t(
        "library.ask_content",
        lang,
        title=str(data["title"]),
        tier=tier_label(tier, i18n, lang),
    )


async def _confirm(
    query: CallbackQuery,
    message: Message,
    state: FSMContext,
    data: dict[str, Any],
    library: LibraryService,
    bot: Bot,
    i18n: Translator,
    lang: str,
) -> None:
    # The draft is over before anything is written: a second tap (even a concurrent one)
    # finds no draft, and the draft's key in the database stops a racing one.
    await state.clear()
    admin = actor(query.from_user)
    try:
        if data.get("mode") == "edit":
            content = await _content(data, library)
            lesson = await library.replace_content(int(data["lesson"]), content, admin)
            await query.answer()
            text = i18n.t("library.content_saved", lang, title=lesson.title)
        else:
            section = data.get("section")
            draft = LessonDraft(
                str(data["key"]),
                None if section is None else int(section),
                str(data["title"]),
                str(data["tier"]),
                tuple(await _content(data, library)),
                new_section=str(data["section_name"]),
            )
            lesson, added = await library.add_lesson(draft, admin)
            if not added:
                await query.answer(i18n.t("library.added_already", lang), show_alert=True)
                return
            await query.answer()
            text = i18n.t("library.added", lang, title=lesson.title)
    except LibraryError as error:
        await query.answer(problem(error, i18n, lang), show_alert=True)
        return
    if data.get("album"):
        await library.drop_album(str(data["key"]))
    await show(query, text)
    card = await library.lesson_card(lesson.id)
    screen, markup = lesson_screen(card, i18n, lang)
    await message.answer(screen, reply_markup=markup)


# ---------------------------------------------------------------- typed steps


async def typed_section_name(
    message: Message,
    state: FSMContext,
    library: LibraryService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    answered = await answer_of(message, state, admins, i18n, lang, CANCELLED)
    if answered is None:
        return
    text, data = answered
    try:
        name = section_name_of(text or "")
        section = await library.section_named(name)
    except LibraryError as error:
        await message.reply(problem(error, i18n, lang))
        return
    if section is not None:  # the same name (spaces and case aside): that section
        data.update(section=section.id, section_name=section.name)
    else:  # made when the lesson is added, not before
        data.update(section=None, section_name=name)
    asked = await message.reply(_ask_title(data, i18n, lang))
    await _wait(state, LibraryDraft.title, asked, data)


async def typed_title(
    message: Message,
    state: FSMContext,
    library: LibraryService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    answered = await answer_of(message, state, admins, i18n, lang, CANCELLED)
    if answered is None:
        return
    text, data = answered
    try:
        title = title_of(text or "")
    except LibraryError as error:
        await message.reply(problem(error, i18n, lang))
        return
    data.update(title=title)
    draft = int(data["draft"])
    asked = await message.reply(
        i18n.t("library.ask_tier", lang, title=title),
        reply_markup=tier_buttons(await library.tiers(), i18n, lang, draft=draft),
    )
    await _wait(state, LibraryDraft.tier, asked, data)


async def typed_new_title(
    message: Message,
    state: FSMContext,
    library: LibraryService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    answered = await answer_of(message, state, admins, i18n, lang, CANCELLED)
    if answered is None:
        return
    text, data = answered
    assert message.from_user is not None
    try:
        lesson = await library.rename(int(data["lesson"]), text or "", actor(message.from_user))
    except LibraryError as error:
        await message.reply(problem(error, i18n, lang))
        return
    await state.clear()
    screen, markup = lesson_screen(await library.lesson_card(lesson.id), i18n, lang)
    await message.reply(i18n.join([i18n.t("library.title_saved", lang), "", screen]),
                        reply_markup=markup)  # fmt: skip


async def typed_section_rename(
    message: Message,
    state: FSMContext,
    library: LibraryService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    answered = await answer_of(message, state, admins, i18n, lang, CANCELLED)
    if answered is None:
        return
    text, data = answered
    assert message.from_user is not None
    try:
        await library.rename_section(int(data["section"]), text or "", actor(message.from_user))
    except LibraryError as error:
        await message.reply(problem(error, i18n, lang))
        if error.problem is LibraryProblem.NO_SECTION:
            await state.clear()
        return
    await state.clear()
    listing = await library.section_lessons(int(data["section"]), 0)
    screen, markup = section_screen(listing, i18n, lang)
    await message.reply(i18n.join([i18n.t("library.section_renamed", lang), "", screen]),
                        reply_markup=markup)  # fmt: skip


async def typed_content(
    message: Message,
    state: FSMContext,
    bot: Bot,
    library: LibraryService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    assert message.from_user is not None
    async with DRAFT_LOCKS.hold(message.from_user.id):
        await _typed_content(message, state, bot, library, admins, i18n, lang)


async def _typed_content(
    message: Message,
    state: FSMContext,
    bot: Bot,
    library: LibraryService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    part = part_of(message)
    if message.media_group_id is not None and part is not None:
        data = await state.get_data()
        if data.get("album") == message.media_group_id:  # a part that waited for the first
            await _add_part(message, state, library)
            return
    answered = await answer_of(message, state, admins, i18n, lang, CANCELLED)
    if answered is None:
        return
    _, data = answered
    if part is None:
        await message.reply(i18n.t("library.unsupported", lang))
        return
    data.pop("album", None)
    data.update(parts=[_stored(message, part)])
    if message.media_group_id is not None:
        album = message.media_group_id
        await library.keep_album_part(str(data["key"]), album, message.message_id, part)
        data.update(album=album, parts=[])
        await state.update_data(album=album, parts=[])
        await state.set_state(LibraryDraft.album)
        await message.reply(
            i18n.t("library.album_started", lang),
            reply_markup=album_buttons(int(data["draft"]), i18n, lang),
        )
        return
    await _preview(message, state, data, bot, library, i18n, lang)


class AlbumPart(Filter):
    """A later part of the album this admin is sending as a lesson's content."""

    async def __call__(self, message: Message, state: FSMContext) -> bool:
        if message.media_group_id is None:
            return False
        data = await state.get_data()
        return bool(data.get("album") == message.media_group_id)


async def album_part(message: Message, state: FSMContext, library: LibraryService) -> None:
    """Adds the part (the admin was checked on the album's first part, and is again on
    every tap), so a part is taken without a reply; what a lesson cannot hold is left
    for the preview to refuse."""
    assert message.from_user is not None
    async with DRAFT_LOCKS.hold(message.from_user.id):
        await _add_part(message, state, library)


async def _add_part(message: Message, state: FSMContext, library: LibraryService) -> None:
    """The part as a row of its own: the draft's FSM data is only read, never rewritten,
    so no part's write can drop another's."""
    part = part_of(message)
    data = await state.get_data()
    album = message.media_group_id
    if part is None or album is None or data.get("album") != album:
        return
    await library.keep_album_part(str(data["key"]), album, message.message_id, part)


async def _preview(
    message: Message,
    state: FSMContext,
    data: dict[str, Any],
    bot: Bot,
    library: LibraryService,
    i18n: Translator,
    lang: str,
) -> None:
    """The content as members will get it, then ✅ / ✖️. Content Telegram cannot deliver
    (a voice in an album ...) is said, and the content asked again."""
    thread = message.message_thread_id if message.is_topic_message else None
    try:
        parts = check_content(await _content(data, library))
    except LibraryError as error:
        if data.pop("album", None):
            await library.drop_album(str(data["key"]))
        data.pop("unsent", None)
        data.update(parts=[])
        asked = await message.answer(problem(error, i18n, lang))
        await _wait(state, LibraryDraft.content, asked, data)
        return
    await message.answer(i18n.t("library.preview", lang))
    draft = int(data["draft"])
    if not await deliver(bot, message.chat.id, parts, thread):
        # The draft stays, its content too: 🔁 tries the preview again.
        data.update(unsent=True)
        asked = await message.answer(
            i18n.t("library.preview_not_sent", lang),
            reply_markup=album_buttons(draft, i18n, lang, again=True),
        )
        await _wait(state, LibraryDraft.album, asked, data)
        return
    title = str(data["title"])
    if data.get("mode") == "edit":
        text = i18n.t("library.confirm_content", lang, title=title)
        markup = draft_buttons(draft, "library.button_confirm_content", i18n, lang)
    else:
        tier = next(t for t in await library.tiers() if t.code == data["tier"])
        text = i18n.t(
            "library.confirm_add",
            lang,
            title=title,
            section=str(data["section_name"]),
            tier=tier_label(tier, i18n, lang),
        )
        markup = draft_buttons(draft, "library.button_confirm_add", i18n, lang)
    asked = await message.answer(text, reply_markup=markup)
    await _wait(state, LibraryDraft.confirm, asked, data)
