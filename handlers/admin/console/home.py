"""The admin home: /start, /help or /menu in the admin group open a panel with what
waits (payments, reports, questions) and a button for each area.

The lists behind the buttons are the commands' own answers: a tap runs the command
as if the admin had typed it (`run_as_typed`), so the panel never shows a second,
drifting copy of /pending, /reports, /questions, /accounts, /plans, /methods,
/numbers or /export, and the command's own checks (the owner only) apply again on the tap."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    Update,
)
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.admin.console.callbacks import ConsoleCallback, Screen
from handlers.common.admins import AdminGate
from handlers.common.filters import allowed
from kernel.i18n import Translator
from services.payments import PaymentService
from services.questions import QuestionService
from services.reports import ReportService

# What each list button types, and whether it is the owner's alone.
TYPED: dict[Screen, tuple[str, bool]] = {
    Screen.PAYMENTS: ("pending", False),
    Screen.REPORTS: ("reports", False),
    Screen.QUESTIONS: ("questions", False),
    Screen.ACCOUNTS: ("accounts", False),
    Screen.PLANS: ("plans", True),
    Screen.METHODS: ("methods", True),
    Screen.NUMBERS: ("numbers", False),
    Screen.EXPORTS: ("export", False),
    Screen.MEETINGS: ("meetings", False),
    Screen.LIBRARY: ("library", False),
    Screen.ANNOUNCE: ("announce", False),
    Screen.ANNOUNCEMENTS: ("announcements", False),
    Screen.SIGNATURE: ("signature", False),
}
# Areas other parts of the bot may or may not have yet: a button only when they do.
OPTIONAL = (
    Screen.NUMBERS,
    Screen.EXPORTS,
    Screen.MEETINGS,
    Screen.LIBRARY,
    Screen.ANNOUNCE,
    Screen.ANNOUNCEMENTS,
)


@dataclass(frozen=True, slots=True)
class Waiting:
    payments: int
    reports: int
    questions: int


async def waiting(
    payments: PaymentService, reports: ReportService, questions: QuestionService
) -> Waiting:
    queue = await payments.pending(0, 0)
    return Waiting(queue.submitted, await reports.waiting_count(), await questions.waiting_count())


def has_command(dispatcher: Dispatcher | None, name: str) -> bool:
    """Whether some router answers /name (a command another area may not have yet)."""
    if dispatcher is None:
        return False
    for router in dispatcher.chain_tail:
        for handler in router.message.handlers:
            for each in handler.filters or ():
                if isinstance(each.callback, Command) and name in each.callback.commands:
                    return True
    return False


def panel_text(counts: Waiting, i18n: Translator, lang: str) -> str:
    return i18n.t(
        "console.home",
        lang,
        payments=counts.payments,
        reports=counts.reports,
        questions=counts.questions,
    )


def panel_markup(
    counts: Waiting, i18n: Translator, lang: str, *, owner: bool, extra: tuple[Screen, ...] = ()
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()

    def add(screen: Screen, key: str, **params: Any) -> None:
        builder.button(
            text=i18n.t(f"console.button_{key}", lang, **params),
            callback_data=ConsoleCallback(screen=screen),
        )

    add(Screen.PAYMENTS, "payments", count=counts.payments)
    add(Screen.REPORTS, "reports", count=counts.reports)
    add(Screen.QUESTIONS, "questions", count=counts.questions)
    add(Screen.SEARCH, "members")
    add(Screen.PAYOUTS, "payouts")
    add(Screen.ACCOUNTS, "accounts")
    sizes = [2, 2, 2]
    if owner:
        add(Screen.PLANS, "plans")
        add(Screen.METHODS, "methods")
        sizes.append(2)
    for screen in extra:
        add(screen, screen.value)
    sizes += [2] * (len(extra) // 2) + [1] * (len(extra) % 2)  # two a row on a phone
    add(Screen.HOME, "refresh")
    builder.adjust(*sizes, 1)
    return builder.as_markup()


async def panel(
    user_id: int,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    data: dict[str, Any],
) -> tuple[str, InlineKeyboardMarkup]:
    """The panel for this admin (the owner's buttons for the owner only), counted now."""
    counts = await waiting(data["payments"], data["reports"], data["questions"])
    owner = await admins.is_owner(user_id)
    extra = tuple(s for s in OPTIONAL if has_command(data.get("dispatcher"), TYPED[s][0]))
    markup = panel_markup(counts, i18n, lang, owner=owner, extra=extra)
    return panel_text(counts, i18n, lang), markup


def back_markup(i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=i18n.t("console.back_home", lang), callback_data=home_data())
    return builder.as_markup()


def home_data() -> ConsoleCallback:
    return ConsoleCallback(screen=Screen.HOME)


async def show(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """The tapped screen becomes `text` (a screen shown again unchanged stays as it is)."""
    if not isinstance(query.message, Message):
        return
    try:
        await query.message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as error:
        if "not modified" not in error.message:
            raise


async def show_again(
    answer_to: Message, screen_id: int, text: str, markup: InlineKeyboardMarkup
) -> None:
    """After a typed answer the screen that asked moves on; if it is gone (deleted), the
    next step comes as a reply to the answer instead."""
    bot = answer_to.bot
    assert bot is not None
    try:
        await bot.edit_message_text(
            text=text, chat_id=answer_to.chat.id, message_id=screen_id, reply_markup=markup
        )
    except TelegramBadRequest as error:
        if "not modified" not in error.message:
            await answer_to.reply(text, reply_markup=markup)


async def home_command(
    message: Message,
    command: CommandObject,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    payments: PaymentService,
    reports: ReportService,
    questions: QuestionService,
    dispatcher: Dispatcher,
) -> None:
    """The panel. /start and /help are members' commands too: someone in the group who
    is no admin gets no answer to those (a group stays quiet), and the usual refusal to
    /menu."""
    user = message.from_user
    if command.command != "menu" and (user is None or not await admins.is_admin(user.id)):
        return
    if user is None or not await allowed(message, admins, i18n, lang):
        return
    data: dict[str, Any] = {"payments": payments, "reports": reports, "questions": questions}
    data["dispatcher"] = dispatcher
    text, markup = await panel(user.id, admins, i18n, lang, data)
    await message.answer(text, reply_markup=markup)


async def run_as_typed(
    query: CallbackQuery, command: str, dispatcher: Dispatcher, bot: Bot
) -> None:
    """Answer the tap as if its admin had typed /command in the chat of the panel: the
    same router, checks and answer as the typed command (a reply to the panel)."""
    assert isinstance(query.message, Message)
    text = f"/{command}"
    typed = query.message.model_copy(
        update={
            "from_user": query.from_user,
            "sender_chat": None,
            "text": text,
            "entities": [MessageEntity(type="bot_command", offset=0, length=len(text))],
            "reply_markup": None,
            "edit_date": None,
        }
    )
    await dispatcher.feed_update(bot, Update(update_id=0, message=typed))


async def on_screen(
    query: CallbackQuery,
    callback_data: ConsoleCallback,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    **data: Any,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    screen = callback_data.screen
    if screen is Screen.HOME:
        await query.answer()
        text, markup = await panel(query.from_user.id, admins, i18n, lang, data)
        await show(query, text, markup)
        return
    command, owner_only = TYPED[screen]
    if owner_only and not await allowed(query, admins, i18n, lang, owner=True):
        return
    dispatcher: Dispatcher | None = data.get("dispatcher")
    if dispatcher is None or not has_command(dispatcher, command):
        await query.answer(i18n.t("error.stale_button", lang), show_alert=True)
        return
    await query.answer()
    await run_as_typed(query, command, dispatcher, data["bot"])


def register(router: Router) -> None:
    router.message.register(home_command, Command("start", "help", "menu"))
    router.callback_query.register(on_screen, ConsoleCallback.filter())
