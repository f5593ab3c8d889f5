"""The screenshots step of the report flow: up to five pictures, each checked, none
twice; the fifth (or the Done button) leads to the summary.

Photos of an album arrive as concurrent updates: the member's lock serialises the
read-modify-write of the draft so none is lost and never more than five are kept.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from domain.reports import MAX_SCREENSHOTS
from handlers.common.locks import MemberLocks
from handlers.common.uploads import PictureRefused, take_picture
from handlers.member.reports.draft import ReportFlow
from handlers.member.reports.screens import done_button, show_summary
from kernel.i18n import Translator

ScreenshotHandler = Callable[[Message, Bot, FSMContext, Translator, str], Awaitable[None]]


def make_receive_screenshot(locks: MemberLocks) -> ScreenshotHandler:
    async def receive_screenshot(
        message: Message, bot: Bot, state: FSMContext, i18n: Translator, lang: str
    ) -> None:
        assert message.from_user is not None
        try:
            upload, _ = await take_picture(message, bot, "a report screenshot")
        except PictureRefused as refused:
            await message.answer(i18n.t(f"report_flow.shot_{refused.problem}", lang))
            return
        async with locks.hold(message.from_user.id):
            if await state.get_state() != ReportFlow.screenshots.state:
                # The fifth of an album already closed the list.
                await message.answer(i18n.t("report_flow.shot_too_many", lang, max=MAX_SCREENSHOTS))
                return
            draft = await state.get_data()
            shots: list[list[str]] = list(draft.get("shots") or [])
            if any(shot[1] == upload.unique_id for shot in shots):
                await message.answer(i18n.t("report_flow.shot_duplicate", lang))
                return
            shots.append([upload.file_id, upload.unique_id, upload.media_kind])
            await state.update_data(shots=shots)
            if len(shots) >= MAX_SCREENSHOTS:
                await message.answer(
                    i18n.t("report_flow.shot_full", lang, have=len(shots), max=MAX_SCREENSHOTS)
                )
                await show_summary(message, state, i18n, lang)
                return
            await message.answer(
                i18n.t("report_flow.shot_received", lang, have=len(shots), max=MAX_SCREENSHOTS),
                reply_markup=done_button(draft["flow"], i18n, lang),
            )

    return receive_screenshot
