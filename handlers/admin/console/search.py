"""Finding a member: "🔎 Find member" then a name, @username or id typed in the chat, or
/member TEXT; one match opens the card, several a paged list of buttons.
(what counts as the typed search: handlers/common/asked.py)."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.admin.console.callbacks import (
    ConsoleCallback,
    MemberAction,
    MemberCallback,
    ResultsCallback,
    Screen,
)
from handlers.admin.console.card import CardSources, card_screen
from handlers.admin.console.home import back_markup, show
from handlers.admin.console.memo import ConsoleMemo
from handlers.common.admin_command import ADMIN_PROBLEMS, AdminCall, admin_command, refusal_text
from handlers.common.admins import AdminGate
from handlers.common.asked import answer_of, ask
from handlers.common.config import HandlerConfig
from handlers.common.filters import allowed
from kernel.admin_input import AdminToolError
from kernel.i18n import Translator
from services.affiliates import AffiliateService
from services.leaders import LeaderService
from services.ledger import LedgerService
from services.members import MemberLookupService, MemberMatches

PER_PAGE = 8
QUERY_MAX = 64  # longer is no name; kept short so a results screen can remember it
SEARCHES = "search"


class MemberSearch(StatesGroup):
    typing = State()


def sources_of(data: dict[str, Any]) -> CardSources:
    return CardSources(
        data["member_lookup"], data["ledger"], data["leaders"], data["affiliates"], data["config"]
    )


async def ask_search(
    query: CallbackQuery,
    callback_data: ConsoleCallback,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    state: FSMContext,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    await query.answer()
    message = query.message
    if not isinstance(message, Message):
        return
    await ask(state, MemberSearch.typing, message)
    await show(query, i18n.t("console.search_prompt", lang), back_markup(i18n, lang))


async def typed_search(
    message: Message,
    state: FSMContext,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    **data: Any,
) -> None:
    typed = await answer_of(message, state, admins, i18n, lang, "console.search_cancelled")
    if typed is None:
        return
    given = " ".join((typed[0] or "").split())
    if typed[0] is None or len(given) < 2 or len(given) > QUERY_MAX:
        await message.reply(i18n.t("console.search_text_only", lang, max=QUERY_MAX))
        return
    await state.clear()
    memo = ConsoleMemo(data["fsm_storage"], data["bot"].id, message.chat.id)
    await answer_search(message, given, i18n, lang, sources_of(data), memo)


def search_text(given: str) -> str | None:
    """The text after /member on one line; None (the usage) when there is none, when it
    is only numbers (several ids) or too long for a name."""
    text = " ".join(given.split())
    if not text or len(text) > QUERY_MAX or (" " in text and text.replace(" ", "").isdigit()):
        return None
    return text


@admin_command("console.usage_member", args=search_text)
async def member_command(
    call: AdminCall,
    member_lookup: MemberLookupService,
    ledger: LedgerService,
    leaders: LeaderService,
    affiliates: AffiliateService,
    config: HandlerConfig,
    fsm_storage: BaseStorage,
    bot: Bot,
) -> None:
    """/member TEXT: a Telegram id, an @username, or a part of a name or username."""
    sources = CardSources(member_lookup, ledger, leaders, affiliates, config)
    memo = ConsoleMemo(fsm_storage, bot.id, call.message.chat.id)
    await answer_search(call.message, call.args, call.i18n, call.lang, sources, memo)


async def answer_search(
    message: Message,
    text: str,
    i18n: Translator,
    lang: str,
    sources: CardSources,
    memo: ConsoleMemo,
) -> None:
    """Reply with the one member found (their card) or the first page of those found."""
    try:
        found = await sources.member_lookup.search(text, 0, PER_PAGE)
        if found.total == 1:
            screen, markup = await card_screen(found.members[0].telegram_id, sources, i18n, lang)
            await message.reply(screen, reply_markup=markup)
            return
    except AdminToolError as error:
        problem = refusal_text(error, i18n, lang, ADMIN_PROBLEMS)
        await message.reply(problem or "", reply_markup=again_markup(i18n, lang))
        return
    if found.total == 0:
        none = i18n.t("console.search_none", lang, query=text)
        await message.reply(none, reply_markup=again_markup(i18n, lang))
        return
    sent = await message.reply(
        results_text(text, found, 0, i18n, lang), reply_markup=results_markup(found, 0, i18n, lang)
    )
    await memo.remember(SEARCHES, sent.message_id, text)


def pages(total: int) -> int:
    return max(1, -(-total // PER_PAGE))


def results_text(text: str, found: MemberMatches, page: int, i18n: Translator, lang: str) -> str:
    return i18n.t(
        "console.results",
        lang,
        query=text,
        count=found.total,
        page=page + 1,
        pages=pages(found.total),
    )


def results_markup(
    found: MemberMatches, page: int, i18n: Translator, lang: str
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for member in found.members:
        builder.button(
            text=i18n.t(
                "console.result_button",
                lang,
                name=member.name,
                username=f" · @{member.username}" if member.username else "",
                telegram_id=member.telegram_id,
            ),
            callback_data=MemberCallback(action=MemberAction.OPEN, member=member.telegram_id),
        )
    sizes = [1] * len(found.members)
    turns = []
    if page > 0:
        turns.append(("console.page_back", page - 1))
    if page + 1 < pages(found.total):
        turns.append(("console.page_next", page + 1))
    for key, target in turns:
        builder.button(text=i18n.t(key, lang), callback_data=ResultsCallback(page=target))
    if turns:
        sizes.append(len(turns))
    add_way_out(builder, i18n, lang)
    builder.adjust(*sizes, 2)
    return builder.as_markup()


def add_way_out(builder: InlineKeyboardBuilder, i18n: Translator, lang: str) -> None:
    """🔎 Search again and ⬅️ Panel, the last row of every search screen."""
    ways = (("console.search_again", Screen.SEARCH), ("console.back_home", Screen.HOME))
    for key, screen in ways:
        builder.button(text=i18n.t(key, lang), callback_data=ConsoleCallback(screen=screen))


def again_markup(i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    add_way_out(builder, i18n, lang)
    builder.adjust(2)
    return builder.as_markup()


async def results_page(
    query: CallbackQuery,
    callback_data: ResultsCallback,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    fsm_storage: BaseStorage,
    bot: Bot,
    **data: Any,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    message = query.message
    text = None
    if isinstance(message, Message):
        text = await ConsoleMemo(fsm_storage, bot.id, message.chat.id).recall(
            SEARCHES, message.message_id
        )
    if text is None:
        await query.answer(i18n.t("console.results_stale", lang), show_alert=True)
        return
    await query.answer()
    page = callback_data.page
    found = await data["member_lookup"].search(text, page * PER_PAGE, PER_PAGE)
    if found.total and not found.members:  # fewer members match now: the last page
        page = pages(found.total) - 1
        found = await data["member_lookup"].search(text, page * PER_PAGE, PER_PAGE)
    if found.total == 0:
        none = i18n.t("console.search_none", lang, query=text)
        await show(query, none, again_markup(i18n, lang))
        return
    shown = results_text(text, found, page, i18n, lang)
    await show(query, shown, results_markup(found, page, i18n, lang))


async def member_screen(
    query: CallbackQuery,
    callback_data: MemberCallback,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    **data: Any,
) -> None:
    """A member's card: OPEN (from a results list) in a new message under the list,
    CARD (back from one of the card's steps) in place."""
    if not await allowed(query, admins, i18n, lang):
        return
    try:
        text, markup = await card_screen(callback_data.member, sources_of(data), i18n, lang)
    except AdminToolError:
        await query.answer(i18n.t("console.member_gone", lang), show_alert=True)
        return
    await query.answer()
    if callback_data.action is MemberAction.OPEN and isinstance(query.message, Message):
        await query.message.answer(text, reply_markup=markup)
        return
    await show(query, text, markup)


def register(router: Router) -> None:
    router.message.register(member_command, Command("member"))
    router.message.register(typed_search, StateFilter(MemberSearch.typing))
    router.callback_query.register(ask_search, ConsoleCallback.filter(F.screen == Screen.SEARCH))
    router.callback_query.register(results_page, ResultsCallback.filter())
    router.callback_query.register(
        member_screen,
        MemberCallback.filter(F.action.in_({MemberAction.OPEN, MemberAction.CARD})),
    )
