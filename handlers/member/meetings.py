"""📅 Zoom meetings in a member's private chat: the coming meetings of their tier, an
answer per occurrence (Hadir / Tidak / Mungkin, changeable), the join link and "✅ Saya
hadir". Every tap asks the service again, which checks the member's tier at that moment.

The "🔗 Link" button shows from 24 hours before the start until the end (earlier the
screen says when it comes); a tap on it sends the link in a message only after checking
the member is in the audience right then, so a lapsed VIP's old screen gives nothing.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from pydantic import Field

from handlers.common.callbacks import CallbackId, MenuAction, MenuCallback
from handlers.common.config import HandlerConfig
from kernel.i18n import Translator
from services.meetings import (
    MAX_OCCURRENCE,
    MeetingError,
    MeetingService,
    MemberMeeting,
    Rsvp,
    when_param,
)

Occurrence = Annotated[int, Field(ge=0, le=MAX_OCCURRENCE)]


class MeetingAction(StrEnum):
    LIST = "list"
    OPEN = "open"
    SHOW = "show"  # as OPEN, in a new message (a reminder's button: the reminder stays)
    YES = "yes"
    NO = "no"
    MAYBE = "maybe"
    LINK = "link"
    HERE = "here"


class MeetingCallback(CallbackData, prefix="mtg"):
    action: MeetingAction
    meeting: CallbackId = 0
    occurrence: Occurrence = 0


ANSWERS = {MeetingAction.YES: Rsvp.YES, MeetingAction.NO: Rsvp.NO, MeetingAction.MAYBE: Rsvp.MAYBE}


def meeting_screen(meeting_id: int, occurrence: int) -> str:
    """The callback data opening one occurrence (the reminder's button)."""
    return MeetingCallback(
        action=MeetingAction.SHOW, meeting=meeting_id, occurrence=occurrence
    ).pack()


def problem_text(error: MeetingError, i18n: Translator, lang: str) -> str:
    return i18n.t(f"meetings.problem.{error.problem.value}", lang, **error.params)


def answer_text(answer: Rsvp | None, i18n: Translator, lang: str) -> str:
    return i18n.t(f"meetings.answer_{answer.value}" if answer else "meetings.answer_none", lang)


async def _show(event: Message | CallbackQuery, text: str, markup: InlineKeyboardMarkup) -> None:
    """The tapped screen becomes `text`; a typed command gets a new message."""
    if isinstance(event, CallbackQuery):
        if isinstance(event.message, Message):
            try:
                await event.message.edit_text(text, reply_markup=markup)
            except TelegramBadRequest as error:
                if "not modified" not in error.message:
                    raise
        return
    await event.answer(text, reply_markup=markup)


async def show_list(
    event: Message | CallbackQuery,
    meetings: MeetingService,
    i18n: Translator,
    lang: str,
    config: HandlerConfig,
) -> None:
    assert event.from_user is not None
    if isinstance(event, CallbackQuery):
        await event.answer()
    try:
        found = await meetings.for_member(event.from_user.id)
    except MeetingError as error:
        await _show(event, problem_text(error, i18n, lang), _menu_only(i18n, lang))
        return
    builder = InlineKeyboardBuilder()
    lines = [i18n.t("meetings.member.title", lang), ""]
    if not found.items:
        lines.append(
            i18n.t("meetings.member.none" if found.has_plan else "meetings.member.no_plan", lang)
        )
        if not found.has_plan:
            builder.button(
                text=i18n.t("meetings.member.button_shop", lang),
                callback_data=MenuCallback(action=MenuAction.SHOP),
            )
    else:
        for item in found.items:
            answer = (
                i18n.t(
                    "meetings.member.line_answer", lang, answer=answer_text(item.answer, i18n, lang)
                )
                if item.answer
                else ""
            )
            when = when_param(item.occurrence.starts_at, config.zone)
            lines.append(
                i18n.t("meetings.member.line", lang, title=item.meeting.title, when=when,
                       answer=answer)
            )  # fmt: skip
            short = when_param(item.occurrence.starts_at, config.zone)
            assert isinstance(short, dict)
            short = {**short, "key": "meetings.when_short"}  # `Kam 10 Des 19.00`
            builder.button(
                text=i18n.t("meetings.member.button_meeting", lang, title=item.meeting.title[:40],
                            when=short),
                callback_data=MeetingCallback(action=MeetingAction.OPEN, meeting=item.meeting.id,
                                              occurrence=item.occurrence.index),
            )  # fmt: skip
        lines += ["", i18n.t("meetings.member.pick", lang)]
    builder.button(
        text=i18n.t("meetings.member.button_menu", lang),
        callback_data=MenuCallback(action=MenuAction.HOME),
    )
    builder.adjust(1)
    await _show(event, i18n.join(lines), builder.as_markup())


def _menu_only(i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=i18n.t("meetings.member.button_menu", lang),
        callback_data=MenuCallback(action=MenuAction.HOME),
    )
    return builder.as_markup()


def detail_text(item: MemberMeeting, i18n: Translator, lang: str, config: HandlerConfig) -> str:
    meeting = item.meeting
    notes = i18n.t("meetings.member.notes", lang, notes=meeting.notes) if meeting.notes else ""
    extra = [i18n.t("meetings.member.present", lang)] if item.present else []
    if not item.link_open:
        extra.append(i18n.t("meetings.member.link_later", lang))
    present = i18n.join(extra, "")
    return i18n.t(
        "meetings.member.detail",
        lang,
        title=meeting.title,
        when=when_param(item.occurrence.starts_at, config.zone),
        minutes=meeting.duration_minutes,
        repeat={"key": f"meetings.repeat_{meeting.repeat.value}"},
        audience={"key": f"meetings.audience_{meeting.audience.value}"},
        notes=notes,
        answer=answer_text(item.answer, i18n, lang),
        present=present,
    )


def detail_markup(item: MemberMeeting, i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    where = {"meeting": item.meeting.id, "occurrence": item.occurrence.index}
    for action, answer in ANSWERS.items():
        label = i18n.t(f"meetings.member.button_{answer.value}", lang)
        if item.answer is answer:
            label = i18n.t("meetings.member.chosen", lang, label=label)
        builder.button(text=label, callback_data=MeetingCallback(action=action, **where))
    sizes = [3]
    if item.link_open:
        builder.button(
            text=i18n.t("meetings.member.button_link", lang),
            callback_data=MeetingCallback(action=MeetingAction.LINK, **where),
        )
        sizes.append(1)
    if item.window_open and not item.present:
        builder.button(
            text=i18n.t("meetings.member.button_here", lang),
            callback_data=MeetingCallback(action=MeetingAction.HERE, **where),
        )
        sizes.append(1)
    builder.button(
        text=i18n.t("meetings.member.button_back", lang),
        callback_data=MeetingCallback(action=MeetingAction.LIST),
    )
    builder.adjust(*sizes, 1)
    return builder.as_markup()


async def on_meeting(
    query: CallbackQuery,
    callback_data: MeetingCallback,
    meetings: MeetingService,
    i18n: Translator,
    lang: str,
    config: HandlerConfig,
) -> None:
    action = callback_data.action
    if action is MeetingAction.LIST:
        await show_list(query, meetings, i18n, lang, config)
        return
    user, meeting_id, index = query.from_user.id, callback_data.meeting, callback_data.occurrence
    popup: str | None = None
    try:
        if action in (MeetingAction.OPEN, MeetingAction.SHOW):
            item = await meetings.member_meeting(user, meeting_id, index)
        elif action in ANSWERS:
            item = await meetings.answer(user, meeting_id, index, ANSWERS[action])
            popup = i18n.t("meetings.member.answered", lang,
                           answer=answer_text(item.answer, i18n, lang))  # fmt: skip
        elif action is MeetingAction.LINK:
            item = await meetings.join_link(user, meeting_id, index)
            await query.answer()
            await _send_link(query, item, i18n, lang, config)
            return
        else:
            checked = await meetings.check_in(user, meeting_id, index)
            item = checked.meeting
            key = "here_recorded" if checked.recorded else "here_already"
            if checked.corrected:
                key = "here_corrected"
            popup = i18n.t(f"meetings.member.{key}", lang)
    except MeetingError as error:
        await query.answer(problem_text(error, i18n, lang), show_alert=True)
        return
    await query.answer(popup)
    text, markup = detail_text(item, i18n, lang, config), detail_markup(item, i18n, lang)
    if action is MeetingAction.SHOW and isinstance(query.message, Message):
        await query.message.answer(text, reply_markup=markup)
        return
    await _show(query, text, markup)


async def _send_link(
    query: CallbackQuery, item: MemberMeeting, i18n: Translator, lang: str, config: HandlerConfig
) -> None:
    if not isinstance(query.message, Message):
        return
    builder = InlineKeyboardBuilder()
    builder.button(text=i18n.t("meetings.button_join", lang), url=item.meeting.join_link)
    text = i18n.t(
        "meetings.member.link",
        lang,
        title=item.meeting.title,
        when=when_param(item.occurrence.starts_at, config.zone),
        link=item.meeting.join_link,
    )
    await query.message.answer(text, reply_markup=builder.as_markup())


async def on_menu(
    query: CallbackQuery,
    meetings: MeetingService,
    i18n: Translator,
    lang: str,
    config: HandlerConfig,
) -> None:
    await show_list(query, meetings, i18n, lang, config)


def build_router() -> Router:
    router = Router(name="member_meetings")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    router.callback_query.register(on_menu, MenuCallback.filter(F.action == MenuAction.MEETINGS))
    router.callback_query.register(on_meeting, MeetingCallback.filter())
    return router
