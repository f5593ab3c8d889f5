"""How announcements look: the progress message (shared with the sender), history lines,
the audience buttons, and the post copied as members get it."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.admin.announcements.callbacks import (
    FROM_PROGRESS,
    AnnouncementControlCallback,
    ComposeAction,
    ComposeCallback,
    HistoryCallback,
)
from handlers.common.dates import local_time
from kernel.i18n import Translator
from services.announcements import (
    AnnouncementRecord,
    AnnouncementStatus,
    Audience,
    Control,
    HistoryPage,
    LinkButtons,
)

S = AnnouncementStatus
AUDIENCE_ORDER = (
    Audience.EVERYONE, Audience.BASIC, Audience.VIP, Audience.EXPIRING, Audience.EXPIRED,
    Audience.NEVER_PAID, Audience.LEADERS,
)  # fmt: skip
DAY_CHOICES = (3, 7, 14)


def number(value: int, lang: str) -> str:
    """1.234 in Indonesian, 1,234 in English."""
    shown = f"{value:,}"
    return shown.replace(",", ".") if lang == "id" else shown


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def link_markup(buttons: LinkButtons) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, url=u) for t, u in row] for row in buttons]
    )


async def copy_post(
    bot: Bot,
    chat_id: int,
    source_chat_id: int,
    message_ids: Sequence[int],
    is_album: bool,
    buttons: LinkButtons,
    thread_id: int | None = None,
) -> None:
    """The post as a member gets it: copied (no "forwarded from"), link buttons passed
    again because copying drops them; an album is copied whole and carries none.
    `thread_id`: the forum topic of the admin group a preview belongs in."""
    if is_album:
        await bot.copy_messages(
            chat_id, source_chat_id, sorted(message_ids), message_thread_id=thread_id
        )
        return
    await bot.copy_message(
        chat_id, source_chat_id, message_ids[0], message_thread_id=thread_id,
        reply_markup=link_markup(buttons),
    )  # fmt: skip


def audience_name(audience: Audience, days: int | None, i18n: Translator, lang: str) -> str:
    if audience is Audience.EXPIRING:
        return i18n.t("announce.audience_expiring_days", lang, days=days or 0)
    return i18n.t(f"announce.audience_{audience.value}", lang)


def time_left(seconds: float, i18n: Translator, lang: str) -> str:
    seconds = max(int(seconds + 0.5), 0)
    if seconds < 60:
        return i18n.t("announce.eta_seconds", lang, n=max(seconds, 1))
    minutes = -(-seconds // 60)
    if minutes < 60:
        return i18n.t("announce.eta_minutes", lang, n=minutes)
    return i18n.t("announce.eta_hours", lang, h=minutes // 60, m=minutes % 60)


def status_name(record: AnnouncementRecord, i18n: Translator, lang: str, zone: ZoneInfo) -> str:
    if record.status is S.SCHEDULED and record.scheduled_at is not None:
        return i18n.t(
            "announce.status_scheduled_at", lang, when=local_time(record.scheduled_at, zone)
        )
    return i18n.t(f"announce.status_{record.status.value}", lang)


def progress_text(
    record: AnnouncementRecord, i18n: Translator, lang: str, zone: ZoneInfo, rate: float
) -> str:
    lines = [
        i18n.t(
            "announce.progress_title",
            lang,
            id=record.id,
            status=status_name(record, i18n, lang, zone),
            audience=audience_name(record.audience, record.audience_days, i18n, lang),
        ),
        i18n.t(
            "announce.progress_counts",
            lang,
            sent=number(record.sent, lang),
            failed=number(record.failed, lang),
            blocked=number(record.blocked, lang),
        ),
    ]
    if record.recipients_ready and record.status in (S.SENDING, S.PAUSED):
        lines.append(
            i18n.t(
                "announce.progress_remaining",
                lang,
                remaining=number(record.remaining, lang),
                total=number(record.total, lang),
                eta=time_left(record.remaining / rate, i18n, lang),
            )
        )
    elif record.status is S.CANCELLED and record.remaining:
        lines.append(
            i18n.t(
                "announce.progress_unsent",
                lang,
                total=number(record.total, lang),
                unsent=number(record.remaining, lang),
            )
        )
    elif record.status in (S.DONE, S.CANCELLED) and record.total:
        lines.append(i18n.t("announce.progress_total", lang, total=number(record.total, lang)))
    return i18n.join(lines)


def control_markup(
    record: AnnouncementRecord, i18n: Translator, lang: str, page: int = FROM_PROGRESS
) -> list[list[InlineKeyboardButton]]:
    def tap(action: Control) -> InlineKeyboardButton:
        data = AnnouncementControlCallback(action=action, announcement_id=record.id, page=page)
        label = i18n.t(f"announce.button_{action.value}", lang, id=record.id)
        return button(label, data)

    if record.status is S.SENDING:
        return [[tap(Control.PAUSE), tap(Control.CANCEL)]]
    if record.status is S.PAUSED:
        return [[tap(Control.RESUME), tap(Control.CANCEL)]]
    if record.status is S.SCHEDULED:
        return [[tap(Control.CANCEL)]]
    return []


def progress_markup(
    record: AnnouncementRecord, i18n: Translator, lang: str
) -> InlineKeyboardMarkup | None:
    rows = control_markup(record, i18n, lang)
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def history_text(page: HistoryPage, i18n: Translator, lang: str, zone: ZoneInfo) -> str:
    if not page.announcements:
        return i18n.t("announce.history_empty", lang)
    lines = [i18n.t("announce.history_title", lang, page=page.page + 1, pages=page.pages)]
    for record in page.announcements:
        lines.append(
            i18n.t(
                "announce.history_line",
                lang,
                id=record.id,
                when=local_time(record.scheduled_at or record.created_at, zone),
                status=status_name(record, i18n, lang, zone),
                audience=audience_name(record.audience, record.audience_days, i18n, lang),
                sent=number(record.sent, lang),
                failed=number(record.failed, lang),
                blocked=number(record.blocked, lang),
                total=number(record.total, lang),
            )
        )
    return i18n.join(lines, "\n\n")


def history_markup(page: HistoryPage, i18n: Translator, lang: str) -> InlineKeyboardMarkup | None:
    rows: list[list[InlineKeyboardButton]] = []
    for record in page.announcements:
        rows.extend(control_markup(record, i18n, lang, page.page))
    moves = []
    if page.page > 0:
        moves.append(
            button(i18n.t("announce.button_newer", lang), HistoryCallback(page=page.page - 1))
        )
    if page.page + 1 < page.pages:
        moves.append(
            button(i18n.t("announce.button_older", lang), HistoryCallback(page=page.page + 1))
        )
    if moves:
        rows.append(moves)
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def audience_markup(draft: int, i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    def choice(audience: Audience) -> InlineKeyboardButton:
        label = i18n.t(f"announce.audience_{audience.value}", lang)
        data = ComposeCallback(draft=draft, action=ComposeAction.AUDIENCE, audience=audience)
        return button(label, data)

    buttons = [choice(a) for a in AUDIENCE_ORDER]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([cancel_button(draft, i18n, lang)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def days_markup(draft: int, i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    row = [
        button(
            i18n.t("announce.button_days", lang, days=days),
            ComposeCallback(draft=draft, action=ComposeAction.DAYS, days=days),
        )
        for days in DAY_CHOICES
    ]
    return InlineKeyboardMarkup(inline_keyboard=[row, [cancel_button(draft, i18n, lang)]])


def cancel_button(draft: int, i18n: Translator, lang: str) -> InlineKeyboardButton:
    return button(
        i18n.t("announce.button_cancel_draft", lang),
        ComposeCallback(draft=draft, action=ComposeAction.CANCEL),
    )


def no_buttons_markup(draft: int, i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    skip = button(
        i18n.t("announce.button_no_buttons", lang),
        ComposeCallback(draft=draft, action=ComposeAction.NO_BUTTONS),
    )
    return InlineKeyboardMarkup(inline_keyboard=[[skip], [cancel_button(draft, i18n, lang)]])


def confirm_markup(draft: int, i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    def tap(action: ComposeAction) -> InlineKeyboardButton:
        return button(
            i18n.t(f"announce.button_{action.value}", lang),
            ComposeCallback(draft=draft, action=action),
        )

    return InlineKeyboardMarkup(
        inline_keyboard=[
            [tap(ComposeAction.TEST)],
            [tap(ComposeAction.SEND), tap(ComposeAction.SCHEDULE)],
            [cancel_button(draft, i18n, lang)],
        ]
    )
