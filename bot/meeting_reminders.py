"""The meeting reminder as an outbox action (kind from kernel/actions.py).

A reminder is queued when its moment comes, but its turn in the outbox may come later
(after an outage, behind a long queue). The action asks MeetingService again at that
turn: nothing goes once the meeting started, was moved or cancelled, or the member said
"no" since (`skipped`), and the join link goes in only when the member is in the
audience right then. What goes is rendered like any queued message.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.outbox import Action, Outcome
from kernel.actions import MEETING_REMINDER_ACTION
from kernel.i18n import Translator
from kernel.notices import Notice
from services.meetings import MeetingService
from storage.repos.outbox import QueuedMessage


class MeetingReminders:
    def __init__(self, bot: Bot, meetings: MeetingService, i18n: Translator) -> None:
        self.bot = bot
        self.meetings = meetings
        self.i18n = i18n

    def table(self) -> dict[str, Action]:
        return {MEETING_REMINDER_ACTION: self.remind}

    async def remind(self, row: QueuedMessage) -> Outcome:
        where: dict[str, Any] = dict(row.params.get("reminder") or {})
        if row.member_id is None or not where:
            return ("failed", "a meeting reminder without its meeting")
        notice = await self.meetings.reminder_to_send(
            row.member_id,
            int(where["meeting"]),
            int(where["occurrence"]),
            int(where["starts"]),
            int(where["offset"]),
        )
        if notice is None:
            return ("skipped", "the meeting started, moved or was cancelled, or not coming")
        message = await self.bot.send_message(
            row.chat_id, self._text(notice), reply_markup=self._markup(notice)
        )
        return ("sent", message.message_id)

    def _text(self, notice: Notice) -> str:
        params = {k: v for k, v in notice.params.items() if k != "reminder"}
        return self.i18n.t(notice.text_key, notice.language, **params)

    def _markup(self, notice: Notice) -> InlineKeyboardMarkup | None:
        if not notice.buttons:
            return None
        return InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(
                        text=self.i18n.t(b.text_key, notice.language, **b.params),
                        callback_data=b.callback_data,
                        url=b.url,
                    )
                    for b in line
                ]
                for line in notice.buttons
            ]
        )
