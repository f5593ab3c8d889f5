"""/start, /help, /language and the main menu."""

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message

from handlers.common.callbacks import LanguageCallback, MenuAction, MenuCallback
from handlers.common.keyboards import language_choice, main_menu
from handlers.common.profiles import profile_of
from kernel.i18n import Translator
from services.members import MemberService


async def start(
    message: Message, command: CommandObject, members: MemberService, i18n: Translator
) -> None:
    assert message.from_user is not None
    member = await members.register(profile_of(message.from_user), command.args)
    lang = member.language
    key = "start.welcome_new" if member.is_new else "start.welcome_back"
    text = i18n.t(key, lang, name=member.first_name)
    if member.joined_leader:
        text += "\n\n" + i18n.t("leaders.joined", lang, leader=member.joined_leader)
    elif member.is_new and member.arrived_with_code:
        text += "\n\n" + i18n.t("start.referred", lang)
    await message.answer(text)
    await message.answer(i18n.t("menu.title", lang), reply_markup=main_menu(i18n, lang))


async def help_command(message: Message, i18n: Translator, lang: str) -> None:
    await message.answer(i18n.t("help.text", lang), reply_markup=main_menu(i18n, lang))


async def language_command(message: Message, i18n: Translator, lang: str) -> None:
    await message.answer(i18n.t("language.choose", lang), reply_markup=language_choice(i18n, lang))


async def help_button(query: CallbackQuery, i18n: Translator, lang: str) -> None:
    await query.answer()
    if query.message is not None:
        await query.message.answer(i18n.t("help.text", lang), reply_markup=main_menu(i18n, lang))


async def language_button(query: CallbackQuery, i18n: Translator, lang: str) -> None:
    await query.answer()
    if query.message is not None:
        await query.message.answer(
            i18n.t("language.choose", lang), reply_markup=language_choice(i18n, lang)
        )


async def home_button(query: CallbackQuery, i18n: Translator, lang: str) -> None:
    await query.answer()
    if query.message is not None:
        await query.message.answer(i18n.t("menu.title", lang), reply_markup=main_menu(i18n, lang))


async def choose_language(
    query: CallbackQuery,
    callback_data: LanguageCallback,
    members: MemberService,
    i18n: Translator,
    lang: str,
) -> None:
    new = callback_data.code.value
    if new == lang:
        await query.answer(i18n.t("language.already", lang))
        return
    member = await members.set_language(profile_of(query.from_user), new)
    await query.answer(i18n.t("language.changed", member.language))
    if query.message is not None:
        await query.message.answer(
            i18n.t("language.changed", member.language),
            reply_markup=main_menu(i18n, member.language),
        )


def build_router() -> Router:
    router = Router(name="start")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    router.message.register(start, CommandStart())
    router.message.register(help_command, Command("help"))
    router.message.register(language_command, Command("language"))
    router.callback_query.register(help_button, MenuCallback.filter(F.action == MenuAction.HELP))
    router.callback_query.register(
        language_button, MenuCallback.filter(F.action == MenuAction.LANGUAGE)
    )
    router.callback_query.register(home_button, MenuCallback.filter(F.action == MenuAction.HOME))
    router.callback_query.register(choose_language, LanguageCallback.filter())
    return router
