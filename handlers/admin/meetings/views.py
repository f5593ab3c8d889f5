"""The meetings area's screens: texts and keyboards, built from what the service returns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.admin.meetings.callbacks import (
    DURATIONS,
    Act,
    EditCallback,
    MeetingsCallback,
    Step,
    WizardCallback,
)
from handlers.common.config import HandlerConfig
from kernel.i18n import Translator
from services.meetings import (
    PAGE,
    AnswerCounts,
    Field,
    MeetingAudience,
    MeetingError,
    MeetingRecord,
    MeetingStatus,
    MemberTotals,
    PastOccurrence,
    Repeat,
    Roster,
    Rsvp,
    Scheduled,
    when_param,
)
from services.members import MemberMatches


def problem(error: MeetingError, i18n: Translator, lang: str) -> str:
    return i18n.t(f"meetings.problem.{error.problem.value}", lang, **error.params)


def _label(kind: str, value: Any) -> dict[str, Any]:
    return {"key": f"meetings.{kind}_{value.value}"}


def answer_label(answer: Rsvp | None) -> dict[str, Any]:
    return {"key": f"meetings.answer_{answer.value}" if answer else "meetings.answer_none"}


def _button(
    builder: InlineKeyboardBuilder, i18n: Translator, lang: str, key: str, data: Any, **params: Any
) -> None:
    builder.button(text=i18n.t(key, lang, **params), callback_data=data)


def _go(act: Act, **fields: int) -> MeetingsCallback:
    return MeetingsCallback(act=act, **fields)


def short_when(moment: datetime, zone: tzinfo) -> dict[str, Any]:
    """`Kam 10 Des 19.00` (`Thu 10 Dec 19:00`) for a button: `when_param` in its short form."""
    when = when_param(moment, zone)
    assert isinstance(when, dict)
    return {**when, "key": "meetings.when_short"}


# ---------------------------------------------------------------- the list and a meeting


def list_screen(
    items: list[tuple[Scheduled, AnswerCounts]], i18n: Translator, lang: str, config: HandlerConfig
) -> tuple[str, InlineKeyboardMarkup]:
    lines = [i18n.t("meetings.admin.list_title", lang), ""]
    builder = InlineKeyboardBuilder()
    if not items:
        lines.append(i18n.t("meetings.admin.list_empty", lang))
    for n, (item, counts) in enumerate(items, 1):
        assert item.next is not None
        meeting = item.meeting
        lines.append(
            i18n.t(
                "meetings.admin.list_line",
                lang,
                n=n,
                title=meeting.title,
                repeat=_label("repeat", meeting.repeat),
                audience=_label("audience", meeting.audience),
                when=when_param(item.next.starts_at, config.zone),
                yes=counts.yes,
                maybe=counts.maybe,
                no=counts.no,
            )
        )
        builder.button(
            text=f"{n}. {meeting.title[:40]}", callback_data=_go(Act.OPEN, meeting=meeting.id)
        )
    _button(builder, i18n, lang, "meetings.admin.button_new", _go(Act.NEW))
    _button(builder, i18n, lang, "meetings.admin.button_past", _go(Act.PAST))
    _button(builder, i18n, lang, "meetings.admin.button_members", _go(Act.MEMBERS))
    builder.adjust(1)
    return i18n.join(lines), builder.as_markup()


def _fields(meeting: MeetingRecord, i18n: Translator, lang: str) -> dict[str, Any]:
    notes = i18n.t("meetings.member.notes", lang, notes=meeting.notes) if meeting.notes else ""
    return {
        "title": meeting.title,
        "minutes": meeting.duration_minutes,
        "repeat": _label("repeat", meeting.repeat),
        "audience": _label("audience", meeting.audience),
        "link": meeting.join_link,
        "notes": notes,
    }


def detail_screen(
    item: Scheduled, counts: AnswerCounts, i18n: Translator, lang: str, config: HandlerConfig
) -> tuple[str, InlineKeyboardMarkup]:
    meeting = item.meeting
    builder = InlineKeyboardBuilder()
    here = {"meeting": meeting.id}
    if meeting.status is MeetingStatus.CANCELLED and meeting.continued_as is not None:
        # A series moved by an edit: this row holds its past, the new one goes on.
        text = i18n.t("meetings.admin.detail_moved", lang, title=meeting.title)
        moved = _go(Act.OPEN, meeting=meeting.continued_as)
        _button(builder, i18n, lang, "meetings.admin.button_moved", moved)
    elif meeting.status is MeetingStatus.CANCELLED:
        text = i18n.t("meetings.admin.detail_cancelled", lang, title=meeting.title)
    elif item.next is None:
        text = i18n.t("meetings.admin.detail_over", lang, title=meeting.title)
    else:
        text = i18n.t(
            "meetings.admin.detail",
            lang,
            **_fields(meeting, i18n, lang),
            when=when_param(item.next.starts_at, config.zone),
            yes=counts.yes,
            maybe=counts.maybe,
            no=counts.no,
        )
        names = _go(Act.NAMES, occurrence=item.next.index, **here)
        _button(builder, i18n, lang, "meetings.admin.button_names", names)
        _button(builder, i18n, lang, "meetings.admin.button_edit", _go(Act.EDIT, **here))
        _button(builder, i18n, lang, "meetings.admin.button_cancel", _go(Act.CANCEL, **here))
    _button(builder, i18n, lang, "meetings.admin.button_back", _go(Act.LIST))
    builder.adjust(2, 1, 1)
    return text, builder.as_markup()


def _pager(
    builder: InlineKeyboardBuilder, i18n: Translator, lang: str, page: int, pages: int, **where: Any
) -> int:
    shown = 0
    if page > 0:
        _button(
            builder,
            i18n,
            lang,
            "meetings.admin.button_prev",
            MeetingsCallback(page=page - 1, **where),
        )
        shown += 1
    if page + 1 < pages:
        _button(
            builder,
            i18n,
            lang,
            "meetings.admin.button_next",
            MeetingsCallback(page=page + 1, **where),
        )
        shown += 1
    return shown


def names_screen(
    roster: Roster, i18n: Translator, lang: str, config: HandlerConfig
) -> tuple[str, InlineKeyboardMarkup]:
    when = when_param(roster.occurrence.starts_at, config.zone)
    lines = [
        i18n.t(
            "meetings.admin.names_title",
            lang,
            title=roster.meeting.title,
            when=when,
            page=roster.page + 1,
            pages=roster.pages,
        ),
        "",
    ]
    if not roster.rows:
        lines.append(i18n.t("meetings.admin.names_empty", lang))
    for n, row in enumerate(roster.rows, roster.page * PAGE + 1):
        mark = ""
        if row.present is not None:
            mark = i18n.t(
                "meetings.admin.present_mark" if row.present else "meetings.admin.absent_mark", lang
            )
        lines.append(
            i18n.t(
                "meetings.admin.names_line",
                lang,
                n=n,
                name=row.member.full_name,
                answer=answer_label(row.answer),
                present=mark,
            )
        )
    builder = InlineKeyboardBuilder()
    where = {"act": Act.NAMES, "meeting": roster.meeting.id, "occurrence": roster.occurrence.index}
    paged = _pager(builder, i18n, lang, roster.page, roster.pages, **where)
    _button(
        builder, i18n, lang, "meetings.admin.button_back", _go(Act.OPEN, meeting=roster.meeting.id)
    )
    builder.adjust(*([paged] if paged else []), 1)
    return i18n.join(lines), builder.as_markup()


def fields_screen(
    meeting: MeetingRecord, i18n: Translator, lang: str
) -> tuple[str, InlineKeyboardMarkup]:
    builder = InlineKeyboardBuilder()
    for field in Field:
        _button(
            builder,
            i18n,
            lang,
            f"meetings.admin.field_{field.value}",
            EditCallback(meeting=meeting.id, field=field),
        )
    _button(builder, i18n, lang, "meetings.admin.button_back", _go(Act.OPEN, meeting=meeting.id))
    builder.adjust(2)
    return i18n.t("meetings.admin.choose_field", lang), builder.as_markup()


def choice_screen(
    meeting: MeetingRecord, field: Field, i18n: Translator, lang: str
) -> tuple[str, InlineKeyboardMarkup]:
    """The new audience or repeat, as buttons."""
    builder = InlineKeyboardBuilder()
    if field is Field.AUDIENCE:
        for audience in MeetingAudience:
            _button(
                builder,
                i18n,
                lang,
                f"meetings.audience_{audience.value}",
                EditCallback(meeting=meeting.id, field=field, audience=audience),
            )
        text = i18n.t("meetings.admin.edit_audience", lang)
    else:
        for repeat in Repeat:
            _button(
                builder,
                i18n,
                lang,
                f"meetings.repeat_{repeat.value}",
                EditCallback(meeting=meeting.id, field=field, repeat=repeat),
            )
        text = i18n.t("meetings.admin.edit_repeat", lang)
    _button(builder, i18n, lang, "meetings.admin.button_back", _go(Act.OPEN, meeting=meeting.id))
    builder.adjust(1)
    return text, builder.as_markup()


def cancel_screen(
    meeting: MeetingRecord, i18n: Translator, lang: str
) -> tuple[str, InlineKeyboardMarkup]:
    builder = InlineKeyboardBuilder()
    _button(
        builder,
        i18n,
        lang,
        "meetings.admin.button_cancel_yes",
        _go(Act.CANCEL_DO, meeting=meeting.id),
    )
    _button(builder, i18n, lang, "meetings.admin.button_keep", _go(Act.OPEN, meeting=meeting.id))
    builder.adjust(2)
    return i18n.t("meetings.admin.confirm_cancel", lang, title=meeting.title), builder.as_markup()


def back_to_list(i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    _button(builder, i18n, lang, "meetings.admin.button_list", _go(Act.LIST))
    return builder.as_markup()


# ---------------------------------------------------------------- attendance


def past_screen(
    items: list[PastOccurrence], i18n: Translator, lang: str, config: HandlerConfig
) -> tuple[str, InlineKeyboardMarkup]:
    builder = InlineKeyboardBuilder()
    key = "meetings.admin.past_title" if items else "meetings.admin.past_empty"
    for item in items:
        _button(
            builder,
            i18n,
            lang,
            "meetings.admin.past_button",
            _go(Act.ROSTER, meeting=item.meeting.id, occurrence=item.occurrence.index),
            title=item.meeting.title[:40],
            when=short_when(item.occurrence.starts_at, config.zone),
        )
    _button(builder, i18n, lang, "meetings.admin.button_back", _go(Act.LIST))
    builder.adjust(1)
    return i18n.t(key, lang), builder.as_markup()


def roster_screen(
    roster: Roster, i18n: Translator, lang: str, config: HandlerConfig
) -> tuple[str, InlineKeyboardMarkup]:
    when = when_param(roster.occurrence.starts_at, config.zone)
    lines = [
        i18n.t(
            "meetings.admin.roster_title",
            lang,
            title=roster.meeting.title,
            when=when,
            page=roster.page + 1,
            pages=roster.pages,
        ),
    ]
    if not roster.rows:
        lines += ["", i18n.t("meetings.admin.roster_empty", lang)]
    builder = InlineKeyboardBuilder()
    here = {"meeting": roster.meeting.id, "occurrence": roster.occurrence.index}
    for row in roster.rows:
        _button(
            builder,
            i18n,
            lang,
            "meetings.admin.roster_button",
            MeetingsCallback(
                act=Act.MARK,
                member=row.member.id,
                page=roster.page,
                present=not row.present,
                **here,
            ),
            mark="✅" if row.present else "⬜",
            name=row.member.full_name[:40],
            answer=answer_label(row.answer),
        )
    paged = _pager(builder, i18n, lang, roster.page, roster.pages, act=Act.ROSTER, **here)
    extra = 1
    if roster.started:
        _button(builder, i18n, lang, "meetings.admin.button_find", _go(Act.FIND, **here))
        extra += 1
    _button(builder, i18n, lang, "meetings.admin.button_back", _go(Act.PAST))
    builder.adjust(*([1] * len(roster.rows)), *([paged] if paged else []), *([1] * extra))
    return i18n.join(lines), builder.as_markup()


def found_screen(
    roster: Roster, found: MemberMatches, i18n: Translator, lang: str
) -> tuple[str, InlineKeyboardMarkup]:
    """The members an admin's search found, each a button marking them present."""
    shown = len(found.members)
    more = i18n.t("meetings.admin.find_more", lang, shown=shown) if found.total > shown else ""
    text = i18n.t(
        "meetings.admin.find_found",
        lang,
        title=roster.meeting.title,
        count=found.total,
        more=more,
    )
    builder = InlineKeyboardBuilder()
    here = {"meeting": roster.meeting.id, "occurrence": roster.occurrence.index}
    for person in found.members:
        _button(
            builder,
            i18n,
            lang,
            "meetings.admin.find_button",
            MeetingsCallback(act=Act.MARK, member=person.id, present=True, **here),
            name=person.name[:40],
            username=f" @{person.username}" if person.username else "",
        )
    _button(builder, i18n, lang, "meetings.admin.button_back", _go(Act.ROSTER, **here))
    builder.adjust(1)
    return text, builder.as_markup()


def members_screen(
    totals: MemberTotals, i18n: Translator, lang: str
) -> tuple[str, InlineKeyboardMarkup]:
    lines = [
        i18n.t("meetings.admin.members_title", lang, page=totals.page + 1, pages=totals.pages),
        "",
    ]
    if not totals.rows:
        lines.append(i18n.t("meetings.admin.members_empty", lang))
    for n, row in enumerate(totals.rows, totals.page * PAGE + 1):
        lines.append(
            i18n.t(
                "meetings.admin.members_line",
                lang,
                n=n,
                name=row.member.full_name,
                attended=row.attended,
                said_yes=row.said_yes,
            )
        )
    builder = InlineKeyboardBuilder()
    paged = _pager(builder, i18n, lang, totals.page, totals.pages, act=Act.MEMBERS)
    _button(builder, i18n, lang, "meetings.admin.button_back", _go(Act.LIST))
    builder.adjust(*([paged] if paged else []), 1)
    return i18n.join(lines), builder.as_markup()


# ---------------------------------------------------------------- scheduling steps


def example_start(now: datetime, config: HandlerConfig) -> dict[str, Any]:
    """A start a week from today at 19.00, as an admin would type it (day/month)."""
    local = now.astimezone(config.zone) + timedelta(days=7)
    return {
        "key": "meetings.admin.example_start",
        "params": {"day": local.day, "month": local.month},
    }


def start_prompt(
    key: str, i18n: Translator, lang: str, config: HandlerConfig, now: datetime
) -> str:
    """The question for a start (`ask_start` when scheduling, `ask_edit_start` when editing):
    the zone and an example."""
    zone = now.astimezone(config.zone).tzname() or ""
    return i18n.t(key, lang, zone=zone, example=example_start(now, config))


def step_screen(
    step: str,
    draft: dict[str, Any],
    i18n: Translator,
    lang: str,
    config: HandlerConfig,
    now: datetime,
) -> tuple[str, InlineKeyboardMarkup]:
    """The screen asking for `step` (a Steps state's name) of the draft."""
    builder = InlineKeyboardBuilder()
    abort = WizardCallback(step=Step.ABORT)
    if step == "start":
        text = start_prompt("meetings.admin.ask_start", i18n, lang, config, now)
    elif step == "duration":
        for minutes in DURATIONS:
            _button(
                builder,
                i18n,
                lang,
                "meetings.admin.minutes",
                WizardCallback(step=Step.DURATION, minutes=minutes),
                minutes=minutes,
            )
        text = i18n.t("meetings.admin.ask_duration", lang)
    elif step == "audience":
        for audience in MeetingAudience:
            _button(
                builder,
                i18n,
                lang,
                f"meetings.audience_{audience.value}",
                WizardCallback(step=Step.AUDIENCE, audience=audience),
            )
        text = i18n.t("meetings.admin.ask_audience", lang)
    elif step == "repeat":
        for repeat in Repeat:
            _button(
                builder,
                i18n,
                lang,
                f"meetings.repeat_{repeat.value}",
                WizardCallback(step=Step.REPEAT, repeat=repeat),
            )
        text = i18n.t("meetings.admin.ask_repeat", lang)
    elif step == "link":
        text = i18n.t("meetings.admin.ask_link", lang)
    elif step == "notes":
        _button(
            builder, i18n, lang, "meetings.admin.button_skip", WizardCallback(step=Step.SKIP_NOTES)
        )
        text = i18n.t("meetings.admin.ask_notes", lang)
    else:  # the preview
        notes = draft.get("notes")
        text = i18n.t(
            "meetings.admin.preview",
            lang,
            title=draft["title"],
            when=when_param(datetime.fromtimestamp(draft["start"], UTC), config.zone),
            minutes=draft["minutes"],
            repeat={"key": f"meetings.repeat_{draft['repeat']}"},
            audience={"key": f"meetings.audience_{draft['audience']}"},
            link=draft["link"],
            notes=i18n.t("meetings.member.notes", lang, notes=notes) if notes else "",
        )
        _button(
            builder, i18n, lang, "meetings.admin.button_confirm", WizardCallback(step=Step.CONFIRM)
        )
    _button(builder, i18n, lang, "meetings.admin.button_abort", abort)
    builder.adjust(2 if step == "duration" else 1)
    return text, builder.as_markup()
