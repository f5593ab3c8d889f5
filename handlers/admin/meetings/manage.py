"""/meetings: the coming meetings with their answers, one meeting (names, edit, cancel),
and attendance: the occurrences that have begun, a roster with a present / absent button
per member (and "mark someone" who did not answer), and attendance per member. Every tap
checks the admin again."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery

from handlers.admin.console.home import show
from handlers.admin.meetings import views, wizard
from handlers.admin.meetings.callbacks import Act, EditCallback, MeetingsCallback
from handlers.common.admin_command import AdminCall, actor, admin_command
from handlers.common.admins import AdminGate
from handlers.common.config import HandlerConfig
from handlers.common.filters import allowed
from kernel.clock import Clock
from kernel.i18n import Translator
from services.meetings import Field, MeetingError, MeetingService, Scheduled


@admin_command()
async def meetings_command(
    call: AdminCall, meetings: MeetingService, config: HandlerConfig, state: FSMContext
) -> None:
    await state.clear()
    text, markup = views.list_screen(
        await meetings.upcoming_counted(), call.i18n, call.lang, config
    )
    await call.message.reply(text, reply_markup=markup)


async def on_meetings(
    query: CallbackQuery,
    callback_data: MeetingsCallback,
    state: FSMContext,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    meetings: MeetingService,
    config: HandlerConfig,
    clock: Clock,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    act, data = callback_data.act, callback_data
    if act is Act.NEW:
        await wizard.begin(query, state, i18n, lang, clock)
        return
    if act is Act.FIND:
        try:
            roster = await meetings.roster(data.meeting, data.occurrence)
        except MeetingError as error:
            await query.answer(views.problem(error, i18n, lang), show_alert=True)
            return
        await wizard.ask_find(query, state, roster, i18n, lang, clock)
        return
    popup: str | None = None
    try:
        if act is Act.LIST:
            screen = views.list_screen(await meetings.upcoming_counted(), i18n, lang, config)
        elif act is Act.OPEN:
            item = await meetings.meeting(data.meeting)
            counts = await meetings.counts_of(item)
            screen = views.detail_screen(item, counts, i18n, lang, config)
        elif act is Act.NAMES:
            roster = await meetings.roster(data.meeting, data.occurrence, data.page)
            screen = views.names_screen(roster, i18n, lang, config)
        elif act is Act.EDIT:
            screen = views.fields_screen((await meetings.meeting(data.meeting)).meeting, i18n, lang)
        elif act is Act.CANCEL:
            screen = views.cancel_screen((await meetings.meeting(data.meeting)).meeting, i18n, lang)
        elif act is Act.CANCEL_DO:
            await meetings.cancel(data.meeting, actor(query.from_user))
            popup = i18n.t("meetings.admin.cancelled_meeting", lang)
            screen = (popup, views.back_to_list(i18n, lang))
        elif act is Act.PAST:
            screen = views.past_screen(await meetings.past(), i18n, lang, config)
        elif act is Act.ROSTER:
            roster = await meetings.roster(data.meeting, data.occurrence, data.page)
            screen = views.roster_screen(roster, i18n, lang, config)
        elif act is Act.MARK:
            marked = await meetings.mark(
                data.meeting, data.occurrence, data.member, data.present, actor(query.from_user)
            )
            # The page they are on now (found by a search, they may be on any).
            roster = await meetings.roster(data.meeting, data.occurrence, marked.page)
            mark = "✅" if data.present else "⬜"
            popup = i18n.t("meetings.admin.marked", lang, name=marked.name, mark=mark)
            screen = views.roster_screen(roster, i18n, lang, config)
        else:
            screen = views.members_screen(await meetings.by_member(data.page), i18n, lang)
    except MeetingError as error:
        await query.answer(views.problem(error, i18n, lang), show_alert=True)
        return
    await query.answer(popup)
    await show(query, *screen)


async def on_edit(
    query: CallbackQuery,
    callback_data: EditCallback,
    state: FSMContext,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    meetings: MeetingService,
    config: HandlerConfig,
    clock: Clock,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    field = callback_data.field
    try:
        item = await meetings.meeting(callback_data.meeting)
        if item.next is None:
            await query.answer(i18n.t("meetings.problem.over", lang), show_alert=True)
            return
        if field not in (Field.AUDIENCE, Field.REPEAT):
            await wizard.ask_edit(query, state, item.meeting.id, field, i18n, lang, clock, config)
            return
        value = callback_data.audience if field is Field.AUDIENCE else callback_data.repeat
        if value is None:
            await query.answer()
            await show(query, *views.choice_screen(item.meeting, field, i18n, lang))
            return
        edited = await meetings.edit(item.meeting.id, field, value, actor(query.from_user))
    except MeetingError as error:
        await query.answer(views.problem(error, i18n, lang), show_alert=True)
        return
    changed = (edited.id, edited.version) != (item.meeting.id, item.meeting.version)
    await query.answer(
        i18n.t("meetings.admin.edited" if changed else "meetings.admin.unchanged", lang)
    )
    shown = Scheduled(edited, meetings.next_of(edited))
    counts = await meetings.counts_of(shown)
    await show(query, *views.detail_screen(shown, counts, i18n, lang, config))
