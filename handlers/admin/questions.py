"""Members' questions in the admin group: answering them, their status buttons, /questions
(what waits for an answer, VIP first) and /signature (answers signed by the team or by
the admin's own name).

An answer is an admin's reply to a relayed question (or to an earlier answer), or any
admin message in the member's forum topic; commands and notes starting with "//" are
never answers. Messages of people who are not admins are left alone: only admins'
replies reach members. An admin posting anonymously (as the group) answers as the team."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.admin.console.callbacks import ConsoleCallback, Screen
from handlers.admin.question_buttons import conversation_keyboard, mute_keyboard
from handlers.common.admin_command import AdminCall, actor, admin_command
from handlers.common.admins import AdminGate
from handlers.common.callbacks import QuestionAction, QuestionCallback, SignatureCallback
from handlers.common.config import HandlerConfig
from handlers.common.filters import InAdminChat, allowed
from handlers.common.said import said_of
from kernel.actor import Actor
from kernel.i18n import Translator
from services.questions import QuestionService, StatusChange

LISTED = 30
NOTE = "//"  # a message in a member's topic starting so stays among the admins


def _maybe_answer(message: Message) -> bool:
    """Cheap test before any query: a reply, or a message in a forum topic, that is not a
    command nor an internal note ("//..."), from a person or an anonymous admin."""
    if message.from_user is None or (message.from_user.is_bot and not _anonymous_admin(message)):
        return False
    text = message.text or message.caption or ""
    if text.startswith(("/", NOTE)):
        return False
    return message.reply_to_message is not None or bool(
        message.is_topic_message and message.message_thread_id
    )


def _anonymous_admin(message: Message) -> bool:
    """An admin posting as the group itself: only the group's administrators can."""
    return message.sender_chat is not None and message.sender_chat.id == message.chat.id


async def _admin_acting(message: Message, admins: AdminGate, i18n: Translator) -> Actor | None:
    if _anonymous_admin(message):
        return Actor(message.chat.id, i18n.t("qa.team_name", i18n.default))
    assert message.from_user is not None
    if await admins.is_admin(message.from_user.id):
        return actor(message.from_user)
    return None


async def answer(
    message: Message, questions: QuestionService, admins: AdminGate, i18n: Translator
) -> None:
    said = said_of(message)
    admin = await _admin_acting(message, admins, i18n) if said is not None else None
    if said is None or admin is None:
        return
    thread = message.message_thread_id if message.is_topic_message else None
    await questions.answer(admin, said, thread_id=thread)


async def edited_answer(
    message: Message, questions: QuestionService, admins: AdminGate, i18n: Translator
) -> None:
    said = said_of(message)
    admin = await _admin_acting(message, admins, i18n) if said is not None else None
    if said is not None and admin is not None:
        await questions.edit_answer(admin, said)


async def conversation_button(
    query: CallbackQuery,
    callback_data: QuestionCallback,
    questions: QuestionService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    action, conversation = callback_data.action, callback_data.conversation
    if action is QuestionAction.MUTE:
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(
                reply_markup=mute_keyboard(i18n, lang, conversation)
            )
        return
    toast: str | None = None
    if action in (QuestionAction.MUTE_FOR, QuestionAction.UNMUTE):
        hours = callback_data.hours if action is QuestionAction.MUTE_FOR else 0
        view = await questions.mute(actor(query.from_user), conversation, hours)
        if view is not None:
            toast = (
                i18n.t("qa.muted_admin", lang, name=view.member_name, until=view.muted_until)
                if view.muted_until
                else i18n.t("qa.unmuted_admin", lang, name=view.member_name)
            )
    elif action is QuestionAction.BACK:
        view = await questions.view(conversation)
    else:
        shown = callback_data.shown.value if callback_data.shown else None
        change, view = await questions.set_status(
            actor(query.from_user), conversation, action.value, shown=shown
        )
        toast = i18n.t(f"qa.change_{change.value}", lang,
                       status=i18n.t(f"qa.status_{view.status}", lang) if view else "")  # fmt: skip
        if change is StatusChange.GONE:
            view = None
    if view is None:
        await query.answer(i18n.t("error.stale_button", lang), show_alert=True)
        return
    await query.answer(toast)
    if isinstance(query.message, Message):
        keyboard = conversation_keyboard(
            i18n, lang, view.id, view.status, view.muted_until is not None
        )
        await query.message.edit_reply_markup(reply_markup=keyboard)


@admin_command()
async def waiting_questions(
    call: AdminCall, questions: QuestionService, config: HandlerConfig
) -> None:
    total, waiting = await questions.waiting(LISTED)
    markup = _list_keyboard(call.i18n, call.lang)
    if not waiting:
        await call.reply_lines([call.t("qa.none_waiting")], markup)
        return
    lines = [call.t("qa.waiting_title", count=total)]
    for item in waiting:
        lines.append(
            call.t(
                "qa.waiting_line",
                name=item.name,
                username=f"@{item.username}" if item.username else "",
                tier=call.t(f"tier.{item.tier}") if item.tier else call.t("qa.no_plan"),
                minutes=item.waiting_minutes,
                conversation=item.conversation_id,
                link=_topic_link(config.admin_chat_id, item.topic_id),
            )
        )
    if total > len(waiting):
        lines.append(call.t("qa.waiting_more", count=total - len(waiting)))
    await call.reply_lines(lines, markup)


def _list_keyboard(i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    """Under the list: how answers are signed (/signature), and back to the panel."""
    builder = InlineKeyboardBuilder()
    builder.button(
        text=i18n.t("qa.button_signature", lang),
        callback_data=ConsoleCallback(screen=Screen.SIGNATURE),
    )
    builder.button(
        text=i18n.t("console.back_home", lang), callback_data=ConsoleCallback(screen=Screen.HOME)
    )
    builder.adjust(1)
    return builder.as_markup()


def _topic_link(chat_id: int, topic_id: int | None) -> str:
    """A link that opens the member's topic (supergroups only: -100… ids)."""
    text = str(chat_id)
    if topic_id is None or not text.startswith("-100"):
        return ""
    return f"https://t.me/c/{text[4:]}/{topic_id}"


@admin_command()
async def signature(call: AdminCall, questions: QuestionService) -> None:
    with_name = await questions.signs_with_name(call.actor.telegram_id)
    await call.message.reply(
        call.t("qa.signature_now_name" if with_name else "qa.signature_now_team",
               name=call.actor.name),
        reply_markup=_signature_keyboard(call.i18n, call.lang),
    )  # fmt: skip


def _signature_keyboard(i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=i18n.t("qa.sign_team", lang),
                   callback_data=SignatureCallback(with_name=False))  # fmt: skip
    builder.button(text=i18n.t("qa.sign_name", lang),
                   callback_data=SignatureCallback(with_name=True))  # fmt: skip
    builder.adjust(1)
    return builder.as_markup()


async def signature_button(
    query: CallbackQuery,
    callback_data: SignatureCallback,
    questions: QuestionService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    me = actor(query.from_user)
    await questions.sign_with_name(me, callback_data.with_name)
    key = "qa.signature_now_name" if callback_data.with_name else "qa.signature_now_team"
    await query.answer(i18n.t(key, lang, name=me.name))


def build_router() -> Router:
    router = Router(name="admin_questions")
    router.message.filter(InAdminChat())
    router.edited_message.filter(InAdminChat())
    router.callback_query.filter(InAdminChat())
    router.message.register(waiting_questions, Command("questions"))
    router.message.register(signature, Command("signature"))
    router.message.register(answer, _maybe_answer)
    router.edited_message.register(edited_answer, _maybe_answer)
    router.callback_query.register(conversation_button, QuestionCallback.filter())
    router.callback_query.register(signature_button, SignatureCallback.filter())
    return router
