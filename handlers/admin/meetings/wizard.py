"""Scheduling a meeting in short steps: title → start → duration → audience → repeat →
link → notes → preview → confirm. Typed steps wait with the console's `ask` (a reply to
another message or a command is not the answer; /cancel stops); the others are buttons on
the same screen, which moves on as the draft grows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from handlers.admin.console.home import show, show_again
from handlers.admin.meetings.callbacks import Step, WizardCallback
from handlers.admin.meetings.views import (
    back_to_list,
    detail_screen,
    found_screen,
    problem,
    start_prompt,
    step_screen,
)
from handlers.common.admin_command import actor
from handlers.common.admins import AdminGate
from handlers.common.asked import answer_of, ask
from handlers.common.config import HandlerConfig
from handlers.common.filters import allowed
from handlers.common.locks import MemberLocks
from kernel.clock import Clock
from kernel.i18n import Translator
from kernel.refusal import Refusal
from services.meetings import (
    AnswerCounts,
    Draft,
    Field,
    MeetingAudience,
    MeetingError,
    MeetingProblem,
    MeetingService,
    Repeat,
    Roster,
    Scheduled,
)
from services.members import MemberLookupService


class Steps(StatesGroup):
    title = State()
    start = State()
    duration = State()
    choose = State()  # a button is expected (audience, repeat, preview)
    link = State()
    notes = State()
    edit = State()  # a new value for one field of a scheduled meeting
    find = State()  # who to mark present: a name, @username or id


TYPED = (
    Steps.title,
    Steps.start,
    Steps.duration,
    Steps.choose,
    Steps.link,
    Steps.notes,
    Steps.edit,
    Steps.find,
)
CANCELLED = "meetings.admin.cancelled_wizard"
# A step left unanswered this long is dropped (the admin's later messages are not taken).
KEPT = timedelta(minutes=30)
# "✅ Schedule" taps on one preview (by its message id) are handled one at a time: the
# second finds the draft gone and schedules nothing (the draft's token stops a second
# process too).
CONFIRMING = MemberLocks()


async def begin(
    query: CallbackQuery, state: FSMContext, i18n: Translator, lang: str, clock: Clock
) -> None:
    """ "➕ Schedule": the first question, in a message of its own."""
    if not isinstance(query.message, Message):
        return
    await query.answer()
    screen = await query.message.answer(i18n.t("meetings.admin.ask_title", lang))
    await ask(
        state,
        Steps.title,
        screen,
        draft={},
        started=clock.now().timestamp(),
        token=uuid4().hex,  # the meeting is scheduled once, however often "Schedule" is tapped
    )


async def _move(
    state: FSMContext, step: str, draft: dict[str, Any], wait: State, clock: Clock
) -> None:
    await state.set_state(wait)
    await state.update_data(draft=draft, step=step, started=clock.now().timestamp())


def _read(step: str, text: str | None, meetings: MeetingService, draft: dict[str, Any]) -> str:
    """Takes the typed answer of `step` into the draft; returns the next step."""
    if step == "title":
        draft["title"] = meetings.read_title(text)
        return "start"
    if step == "start":
        draft["start"] = meetings.read_start(text).timestamp()
        return "duration"
    if step == "duration":
        draft["minutes"] = meetings.read_duration(text)
        return "audience"
    if step == "link":
        draft["link"] = meetings.read_link(text)
        return "notes"
    draft["notes"] = None if (text or "").strip() == "-" else meetings.read_notes(text)
    return "preview"


WAITS = {"start": Steps.start, "duration": Steps.duration, "link": Steps.link, "notes": Steps.notes}


async def typed_step(
    message: Message,
    state: FSMContext,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    meetings: MeetingService,
    config: HandlerConfig,
    clock: Clock,
    member_lookup: MemberLookupService,
) -> None:
    data = await state.get_data()
    if clock.now().timestamp() - float(data.get("started", 0)) > KEPT.total_seconds():
        await state.clear()  # left unfinished: the message is for the other areas
        raise SkipHandler
    got = await answer_of(message, state, admins, i18n, lang, CANCELLED)
    if got is None:
        return
    text, asked = got
    current = await state.get_state()
    if current == Steps.edit.state:
        await _typed_edit(message, text, asked, state, meetings, i18n, lang, config)
        return
    if current == Steps.find.state:
        await _typed_find(message, text, asked, state, meetings, member_lookup, i18n, lang)
        return
    step = str(asked.get("step", "title"))
    if current == Steps.choose.state:
        await message.reply(i18n.t("meetings.admin.press_button", lang))
        return
    draft = dict(asked.get("draft") or {})
    try:
        following = _read(step, text, meetings, draft)
    except MeetingError as error:
        await message.reply(problem(error, i18n, lang))
        return
    await _move(state, following, draft, WAITS.get(following, Steps.choose), clock)
    shown, markup = step_screen(following, draft, i18n, lang, config, clock.now())
    await show_again(message, int(asked["screen"]), shown, markup)


async def on_step_button(
    query: CallbackQuery,
    callback_data: WizardCallback,
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
    data = await state.get_data()
    message = query.message
    draft = dict(data.get("draft") or {})
    if not isinstance(message, Message) or data.get("screen") != message.message_id:
        await query.answer(i18n.t("error.stale_button", lang), show_alert=True)
        return
    expected = {
        Step.DURATION: "duration",
        Step.AUDIENCE: "audience",
        Step.REPEAT: "repeat",
        Step.SKIP_NOTES: "notes",
        Step.CONFIRM: "preview",
    }
    step = callback_data.step
    if step is Step.ABORT:
        await state.clear()
        await query.answer()
        await show(query, i18n.t(CANCELLED, lang), back_to_list(i18n, lang))
        return
    if data.get("step") != expected[step]:
        await query.answer(i18n.t("error.stale_button", lang), show_alert=True)
        return
    if step is Step.CONFIRM:
        async with CONFIRMING.hold(message.message_id):
            data = await state.get_data()  # again: a tap before this one may have used it
            if data.get("screen") != message.message_id or data.get("step") != "preview":
                await query.answer(i18n.t("meetings.admin.already_scheduled", lang))
                return
            await _confirm(query, data, state, meetings, i18n, lang, config)
        return
    if step is Step.DURATION and callback_data.minutes >= 5:
        draft["minutes"], following = callback_data.minutes, "audience"
    elif step is Step.AUDIENCE and callback_data.audience is not None:
        draft["audience"], following = callback_data.audience.value, "repeat"
    elif step is Step.REPEAT and callback_data.repeat is not None:
        draft["repeat"], following = callback_data.repeat.value, "link"
    elif step is Step.SKIP_NOTES:
        draft["notes"], following = None, "preview"
    else:
        await query.answer(i18n.t("error.stale_button", lang), show_alert=True)
        return
    await query.answer()
    await _move(state, following, draft, WAITS.get(following, Steps.choose), clock)
    shown, markup = step_screen(following, draft, i18n, lang, config, clock.now())
    await show(query, shown, markup)


async def _confirm(
    query: CallbackQuery,
    data: dict[str, Any],
    state: FSMContext,
    meetings: MeetingService,
    i18n: Translator,
    lang: str,
    config: HandlerConfig,
) -> None:
    draft = dict(data.get("draft") or {})
    try:
        scheduled = await meetings.schedule(
            Draft(
                title=str(draft["title"]),
                starts_at=datetime.fromtimestamp(float(draft["start"]), UTC),
                duration_minutes=int(draft["minutes"]),
                audience=MeetingAudience(draft["audience"]),
                repeat=Repeat(draft["repeat"]),
                join_link=str(draft["link"]),
                notes=draft.get("notes"),
                token=data.get("token"),
            ),
            actor(query.from_user),
        )
    except MeetingError as error:
        # The start passed while the preview waited: nothing can be typed here any more.
        past = error.problem is MeetingProblem.PAST_TIME
        shown = (
            i18n.t("meetings.admin.past_at_confirm", lang) if past else problem(error, i18n, lang)
        )
        await query.answer(shown, show_alert=True)
        return
    await state.clear()
    await query.answer(i18n.t("meetings.admin.scheduled", lang), show_alert=True)
    item = Scheduled(scheduled, meetings.next_of(scheduled))
    text, markup = detail_screen(item, AnswerCounts(), i18n, lang, config)
    await show(query, i18n.join([i18n.t("meetings.admin.scheduled", lang), "", text]), markup)


async def ask_edit(
    query: CallbackQuery,
    state: FSMContext,
    meeting_id: int,
    field: Field,
    i18n: Translator,
    lang: str,
    clock: Clock,
    config: HandlerConfig,
) -> None:
    if not isinstance(query.message, Message):
        return
    await query.answer()
    await ask(
        state,
        Steps.edit,
        query.message,
        meeting=meeting_id,
        field=field.value,
        started=clock.now().timestamp(),
    )
    if field is Field.START:
        text = start_prompt("meetings.admin.ask_edit_start", i18n, lang, config, clock.now())
    elif field is Field.NOTES:
        text = i18n.t("meetings.admin.ask_edit_notes", lang)
    else:
        name = i18n.t(f"meetings.admin.field_{field.value}", lang)
        text = i18n.t("meetings.admin.ask_edit", lang, field=name.lower())
    await show(query, text)


async def _typed_edit(
    message: Message,
    text: str | None,
    asked: dict[str, Any],
    state: FSMContext,
    meetings: MeetingService,
    i18n: Translator,
    lang: str,
    config: HandlerConfig,
) -> None:
    field = Field(asked["field"])
    readers = {
        Field.TITLE: meetings.read_title,
        Field.START: meetings.read_start,
        Field.DURATION: meetings.read_duration,
        Field.LINK: meetings.read_link,
    }
    assert message.from_user is not None
    try:
        if field is Field.NOTES:
            value: Any = None if (text or "").strip() == "-" else meetings.read_notes(text)
        else:
            value = readers[field](text)
        before = (await meetings.meeting(int(asked["meeting"]))).meeting
        edited = await meetings.edit(before.id, field, value, actor(message.from_user))
    except MeetingError as error:
        await message.reply(problem(error, i18n, lang))
        return
    await state.clear()
    item = Scheduled(edited, meetings.next_of(edited))
    counts = await meetings.counts_of(item)
    shown, markup = detail_screen(item, counts, i18n, lang, config)
    changed = (edited.id, edited.version) != (before.id, before.version)
    lines = [i18n.t("meetings.admin.edited" if changed else "meetings.admin.unchanged", lang)]
    lines += ["", shown]
    await show_again(message, int(asked["screen"]), i18n.join(lines), markup)


# How many members a search offers as buttons.
FOUND_SHOWN = 6


async def ask_find(
    query: CallbackQuery,
    state: FSMContext,
    roster: Roster,
    i18n: Translator,
    lang: str,
    clock: Clock,
) -> None:
    """ "➕ Mark someone": who came without answering, by name, @username or id."""
    if not isinstance(query.message, Message):
        return
    await query.answer()
    await ask(
        state,
        Steps.find,
        query.message,
        meeting=roster.meeting.id,
        occurrence=roster.occurrence.index,
        started=clock.now().timestamp(),
    )
    await show(query, i18n.t("meetings.admin.ask_find", lang, title=roster.meeting.title))


async def _typed_find(
    message: Message,
    text: str | None,
    asked: dict[str, Any],
    state: FSMContext,
    meetings: MeetingService,
    member_lookup: MemberLookupService,
    i18n: Translator,
    lang: str,
) -> None:
    """The members matching what was typed, as buttons marking them present; when none
    matches the wait goes on (another name may be typed)."""
    typed = " ".join((text or "").split())
    try:
        roster = await meetings.roster(int(asked["meeting"]), int(asked["occurrence"]))
        found = await member_lookup.search(typed, 0, FOUND_SHOWN) if typed else None
    except MeetingError as error:
        await message.reply(problem(error, i18n, lang))
        return
    except Refusal:  # a malformed id or an unknown @username
        found = None
    if found is None or not found.members:
        await message.reply(i18n.t("meetings.admin.find_none", lang, text=typed[:60]))
        return
    await state.clear()  # answered: later messages in the group are not searches
    await show_again(message, int(asked["screen"]), *found_screen(roster, found, i18n, lang))
