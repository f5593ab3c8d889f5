"""/announce: a post composed step by step in the admin group, by one admin.

post → link buttons (or none; an album skips this step) → audience (+ days for
"expiring") → preview and the exact count → test to me / send now / schedule / cancel.

Every step checks the person again and answers input that does not fit with what to
do instead, staying at the step. Buttons carry the draft's number: a tap on an older
preview, a second tap on "send", or another admin's tap finds no matching draft and is
told so. An album arrives as several updates sharing a media_group_id: the first one
moves the flow on; the others only add their message ids (in any later step), so the
parts never have to be waited for.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from handlers.admin.announcements.callbacks import ComposeAction, ComposeCallback
from handlers.admin.announcements.views import (
    audience_markup,
    audience_name,
    confirm_markup,
    copy_post,
    days_markup,
    no_buttons_markup,
    number,
    time_left,
)
from handlers.common.admin_command import AdminCall, actor, admin_command
from handlers.common.admins import AdminGate
from handlers.common.config import HandlerConfig
from handlers.common.dates import local_time
from handlers.common.filters import allowed
from kernel.clock import Clock
from kernel.i18n import Translator
from services.announcements import (
    MAX_BUTTONS,
    MAX_DAYS,
    MIN_DAYS,
    AnnouncementError,
    AnnouncementProblem,
    AnnouncementService,
    Audience,
    Draft,
    parse_days,
    parse_link_buttons,
    parse_send_time,
)
from services.questions import QuestionService

log = logging.getLogger(__name__)

# What a member can be sent as an announcement (copyMessage copies each of these).
POST_KINDS = frozenset(
    {"text", "photo", "video", "document", "voice", "audio", "animation", "video_note"}
)


class Compose(StatesGroup):
    post = State()
    buttons = State()
    audience = State()
    days = State()
    confirm = State()
    when = State()


def problem(error: AnnouncementError, i18n: Translator, lang: str, **extra: Any) -> str:
    return i18n.t(f"announce.problem_{error.problem.value}", lang, **{**extra, **error.params})


def _is_cancel(text: str) -> bool:
    return text.split("@", 1)[0].split(" ", 1)[0] == "/cancel"


def example_time(clock: Clock, zone: ZoneInfo) -> str:
    tomorrow = (clock.now() + timedelta(days=1)).astimezone(zone)
    return f"{tomorrow:%d-%m-%Y} 19:00"


DRAFT_KEPT = timedelta(minutes=30)


def _thread(message: Message) -> int | None:
    return message.message_thread_id if message.is_topic_message else None


@admin_command()
async def announce_command(call: AdminCall, state: FSMContext, clock: Clock) -> None:
    await state.clear()
    await state.set_state(Compose.post)
    await state.update_data(
        draft=call.message.message_id % 1_000_000,
        thread=_thread(call.message),
        started=clock.now().timestamp(),
    )
    await call.say("announce.ask_post", most=MAX_BUTTONS)


class ComposeInput(Filter):
    """A message that is the admin's next step of their draft: typed where /announce was
    (the same topic), within DRAFT_KEPT of it, and not part of a member's conversation
    (an answer to a member is never taken as a post, even with a draft left open). A
    draft left longer is dropped, and the message goes on to the other features."""

    async def __call__(
        self, message: Message, state: FSMContext, clock: Clock, questions: QuestionService
    ) -> bool:
        data = await state.get_data()
        if clock.now().timestamp() - float(data.get("started", 0)) > DRAFT_KEPT.total_seconds():
            await state.clear()
            return False
        if _thread(message) != data.get("thread"):
            return False
        replied = message.reply_to_message
        return not await questions.is_conversation(
            message.chat.id, replied.message_id if replied else None, _thread(message)
        )


class AlbumPart(Filter):
    """A later part of the album this admin is composing (any step after the first)."""

    async def __call__(self, message: Message, state: FSMContext) -> bool:
        if message.media_group_id is None or await state.get_state() is None:
            return False
        data = await state.get_data()
        return bool(data.get("album") == message.media_group_id)


async def album_part(message: Message, state: FSMContext) -> None:
    """Adds the part's message id; the admin was checked on the album's first part (and
    is again on every step and tap), so a part is taken without a reply."""
    data = await state.get_data()  # read and written without yielding: parts never race
    ids = sorted({*data.get("ids", []), message.message_id})
    await state.update_data(ids=ids)


async def _step(
    message: Message, state: FSMContext, admins: AdminGate, i18n: Translator, lang: str
) -> bool:
    """Common to every typed step: /cancel stops, a person who may not act is told so,
    another command is not taken as input. False when answered here already."""
    text = (message.text or "").strip()
    if _is_cancel(text):
        await state.clear()
        await message.reply(i18n.t("announce.cancelled", lang))
        return False
    if not await allowed(message, admins, i18n, lang):
        return False
    if text.startswith("/"):
        await message.reply(i18n.t("announce.command_inside", lang))
        return False
    return True


def _kind(message: Message) -> str | None:
    return next((kind for kind in POST_KINDS if getattr(message, kind, None)), None)


async def typed_post(
    message: Message, state: FSMContext, admins: AdminGate, i18n: Translator, lang: str
) -> None:
    if message.media_group_id is not None and _kind(message) is not None:
        data = await state.get_data()  # claim the album before anything can yield
        if data.get("album") == message.media_group_id:  # a part that raced the first
            await album_part(message, state)
            return
        await state.update_data(album=message.media_group_id, ids=[message.message_id])
        await state.set_state(Compose.audience)
        if not await _step(message, state, admins, i18n, lang):
            await state.clear()
            return
        await message.reply(
            i18n.t("announce.album_received", lang),
            reply_markup=audience_markup(int(data.get("draft", 0)), i18n, lang),
        )
        return
    if not await _step(message, state, admins, i18n, lang):
        return
    if _kind(message) is None:
        await message.reply(i18n.t("announce.post_unsupported", lang))
        return
    data = await state.get_data()
    await state.update_data(album=None, ids=[message.message_id])
    await state.set_state(Compose.buttons)
    await message.reply(
        i18n.t("announce.ask_buttons", lang, most=MAX_BUTTONS),
        reply_markup=no_buttons_markup(int(data["draft"]), i18n, lang),
    )


async def typed_buttons(
    message: Message, state: FSMContext, admins: AdminGate, i18n: Translator, lang: str
) -> None:
    if not await _step(message, state, admins, i18n, lang):
        return
    if not message.text:
        await message.reply(i18n.t("announce.buttons_text_only", lang))
        return
    try:
        buttons = parse_link_buttons(message.text)
    except AnnouncementError as error:
        await message.reply(problem(error, i18n, lang))
        return
    await state.update_data(buttons=[[list(b) for b in row] for row in buttons])
    await _ask_audience(message, state, i18n, lang)


async def _ask_audience(message: Message, state: FSMContext, i18n: Translator, lang: str) -> None:
    data = await state.get_data()
    await state.set_state(Compose.audience)
    await message.answer(
        i18n.t("announce.ask_audience", lang),
        reply_markup=audience_markup(int(data["draft"]), i18n, lang),
    )


async def typed_days(
    message: Message,
    state: FSMContext,
    bot: Bot,
    announcements: AnnouncementService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    clock: Clock,
) -> None:
    if not await _step(message, state, admins, i18n, lang):
        return
    if not message.text:
        await message.reply(i18n.t("announce.days_text_only", lang, least=MIN_DAYS, most=MAX_DAYS))
        return
    try:
        days = parse_days(message.text)
    except AnnouncementError as error:
        await message.reply(problem(error, i18n, lang))
        return
    await _preview(message, state, bot, announcements, i18n, lang, Audience.EXPIRING, days)


async def typed_when(
    message: Message,
    state: FSMContext,
    announcements: AnnouncementService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    config: HandlerConfig,
    clock: Clock,
) -> None:
    if not await _step(message, state, admins, i18n, lang):
        return
    example = example_time(clock, config.zone)
    if not message.text:
        await message.reply(i18n.t("announce.time_text_only", lang, example=example))
        return
    try:
        send_at = parse_send_time(message.text, config.zone, clock.now())
        record = await announcements.confirm(
            _draft(await state.get_data()), _actor(message), send_at=send_at
        )
    except AnnouncementError as error:
        await message.reply(problem(error, i18n, lang, example=example))
        return
    await state.clear()
    await message.reply(
        i18n.t(
            "announce.scheduled",
            lang,
            id=record.id,
            when=local_time(send_at, config.zone),
            audience=audience_name(record.audience, record.audience_days, i18n, lang),
        )
    )


async def typed_elsewhere(
    message: Message, state: FSMContext, admins: AdminGate, i18n: Translator, lang: str
) -> None:
    """Typing where a button is expected (the audience, the preview)."""
    if await _step(message, state, admins, i18n, lang):
        await message.reply(i18n.t("announce.press_button", lang))


def _actor(message: Message) -> Any:
    assert message.from_user is not None
    return actor(message.from_user)


def _draft(data: dict[str, Any]) -> Draft:
    return Draft(
        source_chat_id=int(data["chat"]),
        message_ids=tuple(int(i) for i in data["ids"]),
        is_album=data.get("album") is not None,
        buttons=tuple(tuple((str(t), str(u)) for t, u in row) for row in data.get("buttons") or []),
        audience=Audience(data["audience"]),
        days=data.get("days"),
    )


async def _preview(
    message: Message,
    state: FSMContext,
    bot: Bot,
    announcements: AnnouncementService,
    i18n: Translator,
    lang: str,
    audience: Audience,
    days: int | None,
) -> None:
    """The post as members will see it, then the count and the choices. An audience
    with nobody in it is said at once and asked again."""
    data = await state.get_data()
    draft_number = int(data["draft"])
    size = await announcements.audience_size(audience, days)
    if size.count == 0:
        await state.set_state(Compose.audience)
        await message.answer(
            i18n.t("announce.problem_no_recipients", lang),
            reply_markup=audience_markup(draft_number, i18n, lang),
        )
        return
    await state.update_data(
        audience=audience.value, days=days, chat=message.chat.id, count=size.count
    )
    await state.set_state(Compose.confirm)
    draft = _draft(await state.get_data())
    await message.answer(i18n.t("announce.preview", lang))
    topic = message.message_thread_id if message.is_topic_message else None
    await copy_post(
        bot, message.chat.id, draft.source_chat_id, draft.message_ids, draft.is_album,
        draft.buttons, topic,
    )  # fmt: skip
    skipped = (
        i18n.t("announce.summary_skipped", lang, blocked=number(size.blocked, lang))
        if size.blocked
        else ""
    )
    lines = [
        i18n.t(
            "announce.summary",
            lang,
            audience=audience_name(audience, days, i18n, lang),
            count=number(size.count, lang),
            skipped=skipped,
            eta=time_left(size.count / announcements.rate, i18n, lang),
        )
    ]
    if draft.is_album:
        lines.append(i18n.t("announce.summary_album", lang))
    await message.answer(i18n.join(lines), reply_markup=confirm_markup(draft_number, i18n, lang))


async def on_compose_button(
    query: CallbackQuery,
    callback_data: ComposeCallback,
    state: FSMContext,
    bot: Bot,
    announcements: AnnouncementService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    config: HandlerConfig,
    clock: Clock,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    message = query.message
    data = await state.get_data()
    current = await state.get_state()
    # The draft is this admin's own: another admin, an old preview or a second tap of
    # "send" finds no draft of that number in the step the button belongs to.
    if (
        not isinstance(message, Message)
        or current is None
        or data.get("draft") != callback_data.draft
        or current not in _STEPS_OF[callback_data.action]
    ):
        await query.answer(i18n.t("announce.stale", lang), show_alert=True)
        return
    action = callback_data.action
    if action is ComposeAction.CANCEL:
        await state.clear()
        await query.answer()
        await _close(bot, message, i18n.t("announce.cancelled", lang))
        return
    if action is ComposeAction.NO_BUTTONS:
        await query.answer()
        await state.update_data(buttons=[])
        await _close(bot, message, None)
        await _ask_audience(message, state, i18n, lang)
        return
    if action is ComposeAction.AUDIENCE:
        await _on_audience(query, message, callback_data, state, bot, announcements, i18n, lang)
        return
    if action is ComposeAction.DAYS:
        await query.answer()
        await _close(bot, message, None)
        await _preview(message, state, bot, announcements, i18n, lang, Audience.EXPIRING,
                       callback_data.days or 7)  # fmt: skip
        return
    draft = _draft(data)
    if action is ComposeAction.TEST:
        await _send_test(query, draft, bot, i18n, lang)
        return
    if action is ComposeAction.SCHEDULE:
        await query.answer()
        await state.set_state(Compose.when)
        await message.answer(
            i18n.t(
                "announce.ask_time", lang, zone=config.zone.key,
                example=example_time(clock, config.zone),
            )
        )  # fmt: skip
        return
    # SEND: the state is cleared first, so a second tap (even a concurrent one) is stale.
    await state.clear()
    try:
        record = await announcements.confirm(draft, actor(query.from_user))
    except AnnouncementError as error:
        # Nothing was sent: the draft stays, and with nobody left in the audience (they
        # left or blocked the bot since the preview) another audience is asked for.
        await state.set_state(current)
        await state.set_data(data)
        await query.answer(problem(error, i18n, lang), show_alert=True)
        if error.problem is AnnouncementProblem.NO_RECIPIENTS:
            await _ask_audience(message, state, i18n, lang)
        return
    await query.answer()
    await _close(bot, message, None)
    count = number(int(data.get("count", 0)), lang)
    await message.answer(i18n.t("announce.started", lang, id=record.id, count=count))


async def _on_audience(
    query: CallbackQuery,
    message: Message,
    callback_data: ComposeCallback,
    state: FSMContext,
    bot: Bot,
    announcements: AnnouncementService,
    i18n: Translator,
    lang: str,
) -> None:
    audience = callback_data.audience
    if audience is None:
        await query.answer(i18n.t("announce.stale", lang), show_alert=True)
        return
    await query.answer()
    await _close(bot, message, None)
    if audience is Audience.EXPIRING:
        data = await state.get_data()
        await state.set_state(Compose.days)
        await message.answer(
            i18n.t("announce.ask_days", lang, least=MIN_DAYS, most=MAX_DAYS),
            reply_markup=days_markup(int(data["draft"]), i18n, lang),
        )
        return
    await _preview(message, state, bot, announcements, i18n, lang, audience, None)


async def _send_test(
    query: CallbackQuery, draft: Draft, bot: Bot, i18n: Translator, lang: str
) -> None:
    try:
        await copy_post(
            bot, query.from_user.id, draft.source_chat_id, draft.message_ids, draft.is_album,
            draft.buttons,
        )  # fmt: skip
    except (TelegramForbiddenError, TelegramBadRequest) as error:
        log.info("Test announcement not delivered to %s: %s", query.from_user.id, error.message)
        await query.answer(i18n.t("announce.test_not_started", lang), show_alert=True)
        return
    await query.answer(i18n.t("announce.test_sent", lang))


async def _close(bot: Bot, message: Message, text: str | None) -> None:
    """Take the buttons off a step that is over (and say why, when `text` is given)."""
    try:
        if text is None:
            await bot.edit_message_reply_markup(
                chat_id=message.chat.id, message_id=message.message_id,
                reply_markup=InlineKeyboardMarkup(inline_keyboard=[]),
            )  # fmt: skip
        else:
            await bot.edit_message_text(
                text=text, chat_id=message.chat.id, message_id=message.message_id
            )
    except TelegramBadRequest as error:
        log.info("Announcement step not closed: %s", error.message)


_STEPS_OF: dict[ComposeAction, frozenset[str | None]] = {
    ComposeAction.NO_BUTTONS: frozenset({Compose.buttons.state}),
    ComposeAction.AUDIENCE: frozenset({Compose.audience.state}),
    ComposeAction.DAYS: frozenset({Compose.days.state}),
    ComposeAction.TEST: frozenset({Compose.confirm.state}),
    ComposeAction.SEND: frozenset({Compose.confirm.state}),
    ComposeAction.SCHEDULE: frozenset({Compose.confirm.state}),
    ComposeAction.CANCEL: frozenset(s.state for s in Compose.__all_states__),
}

STEPS = (
    (Compose.post, typed_post),
    (Compose.buttons, typed_buttons),
    (Compose.audience, typed_elsewhere),
    (Compose.days, typed_days),
    (Compose.confirm, typed_elsewhere),
    (Compose.when, typed_when),
)
