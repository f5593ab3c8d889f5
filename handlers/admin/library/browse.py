"""/library and its screens in the admin group: the sections, a section's lessons, a
lesson's card with its views; moving a lesson up or down, its tier, its content shown
as members get it, retiring it and bringing it back (each after a confirmation).

Every tap checks the admin again; a button of a lesson or section that is gone says so."""

from __future__ import annotations

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from handlers.admin.console.home import show
from handlers.admin.library.callbacks import Act, LibraryAdminCallback
from handlers.admin.library.compose import LibraryDraft
from handlers.admin.library.screens import (
    confirm_retire,
    home_screen,
    lesson_screen,
    section_screen,
    tier_buttons,
)
from handlers.common.admin_command import AdminCall, actor, admin_command
from handlers.member.library import deliver
from kernel.i18n import Translator
from services.library import LibraryError, LibraryProblem, LibraryService, Moved


@admin_command()
async def library_command(call: AdminCall, library: LibraryService, state: FSMContext) -> None:
    await state.clear()
    text, markup = home_screen(await library.sections(), 0, call.i18n, call.lang)
    await call.message.answer(text, reply_markup=markup)


def _thread(message: Message) -> int | None:
    return message.message_thread_id if message.is_topic_message else None


async def on_screen(
    query: CallbackQuery,
    callback_data: LibraryAdminCallback,
    state: FSMContext,
    library: LibraryService,
    bot: Bot,
    i18n: Translator,
    lang: str,
) -> None:
    """The taps that show or change what is: screens, moves, tier, retire, preview. A
    draft or a typed change the admin left open ends here: their next message is not
    taken for its answer (a title, a lesson's content)."""
    current = await state.get_state()
    if current is not None and current in LibraryDraft.__all_states_names__:
        await state.clear()
    act = callback_data.act
    try:
        if act is Act.HOME:
            await query.answer()
            sections = await library.sections()
            await show(query, *home_screen(sections, callback_data.page, i18n, lang))
        elif act is Act.SECTION:
            listing = await library.section_lessons(callback_data.section, callback_data.page)
            await query.answer()
            await show(query, *section_screen(listing, i18n, lang))
        elif act is Act.SECTION_DELETE:
            await library.delete_section(callback_data.section, actor(query.from_user))
            await query.answer(i18n.t("library.section_deleted", lang))
            await show(query, *home_screen(await library.sections(), 0, i18n, lang))
        else:
            await _on_lesson(query, callback_data, library, bot, i18n, lang)
    except LibraryError as error:
        await query.answer(i18n.t(f"library.problem_{error.problem.value}", lang, **error.params),
                           show_alert=True)  # fmt: skip
        if error.problem in (LibraryProblem.NO_SECTION, LibraryProblem.NO_LESSON):
            await show(query, *home_screen(await library.sections(), 0, i18n, lang))


async def _on_lesson(
    query: CallbackQuery,
    callback_data: LibraryAdminCallback,
    library: LibraryService,
    bot: Bot,
    i18n: Translator,
    lang: str,
) -> None:
    act, lesson_id = callback_data.act, callback_data.lesson
    admin = actor(query.from_user)
    if act in (Act.UP, Act.DOWN):
        moved = await library.move(lesson_id, act is Act.UP, callback_data.at, admin)
        if moved is Moved.STALE:  # a double tap, or another admin moved it: redrawn
            await query.answer(i18n.t("library.moved_stale", lang), show_alert=True)
        else:
            await query.answer(None if moved is Moved.MOVED else i18n.t("library.moved_end", lang))
    elif act is Act.SET_TIER:
        await library.set_tier(lesson_id, callback_data.tier, admin)
        await query.answer(i18n.t("library.tier_saved", lang))
    elif act in (Act.RETIRE_DO, Act.UNRETIRE_DO):
        retiring = act is Act.RETIRE_DO
        _, changed = await library.retire(lesson_id, retiring, admin)
        done = ("library.retired" if retiring else "library.unretired") if changed else None
        await query.answer(i18n.t(done or "library.already", lang))
    card = await library.lesson_card(lesson_id)
    if act is Act.TIER:
        await query.answer()
        title = card.lesson.title
        await show(
            query,
            i18n.t("library.ask_new_tier", lang, title=title),
            tier_buttons(await library.tiers(), i18n, lang, lesson=lesson_id),
        )
        return
    if act in (Act.RETIRE, Act.UNRETIRE):
        await query.answer()
        await show(query, *confirm_retire(card, i18n, lang))
        return
    if act is Act.PREVIEW:
        message = query.message
        if isinstance(message, Message) and not await deliver(
            bot, message.chat.id, card.parts, _thread(message)
        ):
            await query.answer(i18n.t("library.not_sent", lang), show_alert=True)
            return
        await query.answer()
        return
    if act is Act.LESSON:
        await query.answer()
    await show(query, *lesson_screen(card, i18n, lang))
