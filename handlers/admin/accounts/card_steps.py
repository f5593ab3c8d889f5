"""The card's typed steps: 📝 Note (the text as the answer; a skip word clears it) and
👤 Assign on an available account (a name, @username or Telegram id as the answer; several
members found → pick one; confirm; the change is /assignaccount's `assign_to`).

What counts as the answer is handlers/common/asked.py's rule: the admin's next message in
the topic where the question was shown, or a reply to it. A note replaces the old one, so
an unreplied message counts only within NOTE_FRESH of the question: later chatter is not
a note. Any button of the accounts area tapped meanwhile ends the wait (waits.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from domain.affiliates import AccountFilter
from handlers.admin.accounts.buttons import is_account_card
from handlers.admin.accounts.callbacks import (
    AccountAction,
    AccountCallback,
    AssignCallback,
    AssignStep,
    ListCallback,
)
from handlers.admin.accounts.views import (
    PROBLEMS,
    SKIP_WORDS,
    back_of,
    button,
    card_markup,
    card_text,
    problem_text,
    show,
    show_again,
    status_param,
    step_markup,
)
from handlers.common.admin_command import ADMIN_PROBLEMS, actor, refusal_text
from handlers.common.admins import AdminGate
from handlers.common.asked import answer_of, ask, replied_to
from handlers.common.config import HandlerConfig
from handlers.common.filters import allowed
from kernel.admin_input import AdminToolError, MemberRef
from kernel.clock import Clock
from kernel.i18n import Translator
from services.affiliates import (
    AccountCard,
    AccountRef,
    AffiliateError,
    AffiliateProblem,
    AffiliateService,
)
from services.members import FoundMember, MemberLookupService

PICKS = 8  # members offered when several match
QUERY_MAX = 64  # longer is no name
ALL_PROBLEMS = {**ADMIN_PROBLEMS, **PROBLEMS}
CANCELLED = "affiliates.step_cancelled"
# How long the admin's next message, not a reply to the question, still counts as the note.
NOTE_FRESH = timedelta(minutes=10)


class CardTyping(StatesGroup):
    note = State()
    member = State()


def _back(asked: dict[str, Any]) -> ListCallback:
    try:
        return ListCallback(within=AccountFilter(asked["within"]), page=int(asked["page"]))
    except (KeyError, ValueError):
        return ListCallback(within=AccountFilter.ALL, page=0)


def unavailable_text(card: AccountCard, i18n: Translator, lang: str) -> str:
    """Why this account cannot be given out now."""
    if card.holder is not None:
        return i18n.t(
            "affiliates.problem_account_taken",
            lang,
            username=card.username,
            holder=card.holder.name,
        )
    return i18n.t(
        "affiliates.problem_account_not_active",
        lang,
        username=card.username,
        status=status_param(card.status),
    )


async def on_step(
    query: CallbackQuery,
    callback_data: AccountCallback,
    state: FSMContext,
    affiliates: AffiliateService,
    admins: AdminGate,
    config: HandlerConfig,
    clock: Clock,
    i18n: Translator,
    lang: str,
) -> None:
    """📝 Note or 👤 Assign on a card: the question, in place of the card."""
    if not await allowed(query, admins, i18n, lang):
        return
    message = query.message
    account_id = callback_data.account_id
    if not isinstance(message, Message) or not is_account_card(message, account_id):
        await query.answer(i18n.t("affiliates.not_card", lang), show_alert=True)
        return
    back = back_of(message)
    try:
        card = await affiliates.card(account_id)
    except AffiliateError as error:  # the account is gone
        await query.answer(problem_text(error, i18n, lang), show_alert=True)
        return
    kept = {"account": card.id, "within": back.within.value, "page": back.page}
    if callback_data.action is AccountAction.NOTE:
        await query.answer()
        await ask(state, CardTyping.note, message, **kept, asked_at=clock.now().timestamp())
        none = i18n.t("affiliates.none", lang)
        text = i18n.t(
            "affiliates.note_ask",
            lang,
            id=card.id,
            username=card.username,
            notes=card.notes or none,
        )
        await show(query, text, step_markup(card.id, i18n, lang, back))
        return
    if not card.available:  # a stale card: say what is true now, and show it
        await query.answer(unavailable_text(card, i18n, lang), show_alert=True)
        await show(query, card_text(card, i18n, lang, config), card_markup(card, i18n, lang, back))
        return
    await query.answer()
    await ask(state, CardTyping.member, message, **kept)
    text = i18n.t("affiliates.assign_ask", lang, id=card.id, username=card.username)
    await show(query, text, step_markup(card.id, i18n, lang, back))


def _note_overdue(message: Message, asked: dict[str, Any], clock: Clock) -> bool:
    """A message that does not reply to the question, typed NOTE_FRESH or more after it."""
    if replied_to(message) is not None:
        return False
    try:
        asked_at = float(asked["asked_at"])
    except (KeyError, TypeError, ValueError):
        return True  # a wait kept from before the rule: only a reply counts
    return clock.now().timestamp() - asked_at >= NOTE_FRESH.total_seconds()


async def typed_note(
    message: Message,
    state: FSMContext,
    affiliates: AffiliateService,
    admins: AdminGate,
    config: HandlerConfig,
    clock: Clock,
    i18n: Translator,
    lang: str,
) -> None:
    typed = await answer_of(message, state, admins, i18n, lang, CANCELLED)
    if typed is None:
        return
    text, asked = typed
    if _note_overdue(message, asked, clock):
        await state.clear()
        raise SkipHandler  # chatter long after the question would replace the note
    if text is None or not text.strip():
        await message.reply(i18n.t("affiliates.note_text_only", lang))
        return
    value = None if text.strip().lower() in SKIP_WORDS else text.strip()
    assert message.from_user is not None
    try:
        card = await affiliates.set_notes(int(asked["account"]), value, actor(message.from_user))
    except AffiliateError as error:
        await message.reply(problem_text(error, i18n, lang))
        if error.problem is not AffiliateProblem.TOO_LONG:  # gone: nothing to wait for
            await state.clear()
        return
    await state.clear()
    markup = card_markup(card, i18n, lang, _back(asked))
    await show_again(message, int(asked["screen"]), card_text(card, i18n, lang, config), markup)
    key = "affiliates.note_saved" if card.notes else "affiliates.note_cleared"
    await message.reply(i18n.t(key, lang, username=card.username, id=card.id))


def confirm_screen(
    card: AccountCard, member: FoundMember, back: ListCallback, i18n: Translator, lang: str
) -> tuple[str, InlineKeyboardMarkup]:
    text = i18n.t(
        "affiliates.assign_confirm",
        lang,
        username=card.username,
        id=card.id,
        name=member.name,
        telegram_id=member.telegram_id,
    )
    do = AssignCallback(step=AssignStep.DO, account_id=card.id, member=member.telegram_id)
    rows = [[button(i18n.t("affiliates.button_assign_do", lang), do)]]
    return text, step_markup(card.id, i18n, lang, back, rows)


def pick_screen(
    card: AccountCard,
    given: str,
    members: tuple[FoundMember, ...],
    more: bool,
    back: ListCallback,
    i18n: Translator,
    lang: str,
) -> tuple[str, InlineKeyboardMarkup]:
    rows = [
        [
            button(
                i18n.t(
                    "affiliates.assign_member_button",
                    lang,
                    name=m.name,
                    username=f" · @{m.username}" if m.username else "",
                    telegram_id=m.telegram_id,
                ),
                AssignCallback(step=AssignStep.PICK, account_id=card.id, member=m.telegram_id),
            )
        ]
        for m in members
    ]
    text = i18n.t(
        "affiliates.assign_pick",
        lang,
        id=card.id,
        username=card.username,
        query=given,
        more={"key": "affiliates.assign_pick_more"} if more else "",
    )
    return text, step_markup(card.id, i18n, lang, back, rows)


async def typed_member(
    message: Message,
    state: FSMContext,
    affiliates: AffiliateService,
    member_lookup: MemberLookupService,
    admins: AdminGate,
    config: HandlerConfig,
    i18n: Translator,
    lang: str,
) -> None:
    typed = await answer_of(message, state, admins, i18n, lang, CANCELLED)
    if typed is None:
        return
    text, asked = typed
    given = " ".join((text or "").split())
    if text is None or len(given) < 2 or len(given) > QUERY_MAX:
        await message.reply(i18n.t("affiliates.assign_text_only", lang, max=QUERY_MAX))
        return
    try:
        found = await member_lookup.search(given, 0, PICKS)
    except AdminToolError as error:  # an id or @username nobody has: ask again
        await message.reply(refusal_text(error, i18n, lang, ALL_PROBLEMS) or "")
        return
    if not found.members:
        await message.reply(i18n.t("affiliates.assign_none", lang, query=given))
        return
    back = _back(asked)
    try:
        card = await affiliates.card(int(asked["account"]))
    except AffiliateError as error:
        await state.clear()
        await message.reply(problem_text(error, i18n, lang))
        return
    await state.clear()
    if not card.available:  # given out meanwhile: what is true now
        await message.reply(unavailable_text(card, i18n, lang))
        screen = card_text(card, i18n, lang, config), card_markup(card, i18n, lang, back)
    elif found.total == 1:
        screen = confirm_screen(card, found.members[0], back, i18n, lang)
    else:
        more = found.total > len(found.members)
        screen = pick_screen(card, given, found.members, more, back, i18n, lang)
    await show_again(message, int(asked["screen"]), *screen)


async def on_assign(
    query: CallbackQuery,
    callback_data: AssignCallback,
    affiliates: AffiliateService,
    member_lookup: MemberLookupService,
    admins: AdminGate,
    config: HandlerConfig,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    message = query.message
    account_id, member = callback_data.account_id, callback_data.member
    if not isinstance(message, Message) or not is_account_card(message, account_id):
        await query.answer(i18n.t("affiliates.not_card", lang), show_alert=True)
        return
    back = back_of(message)
    if callback_data.step is AssignStep.PICK:
        try:
            found = await member_lookup.resolve(MemberRef(telegram_id=member))
            card = await affiliates.card(account_id)
        except (AdminToolError, AffiliateError) as error:
            await query.answer(refusal_text(error, i18n, lang, ALL_PROBLEMS), show_alert=True)
            return
        if not card.available:
            await query.answer(unavailable_text(card, i18n, lang), show_alert=True)
            await show(
                query, card_text(card, i18n, lang, config), card_markup(card, i18n, lang, back)
            )
            return
        await query.answer()
        await show(query, *confirm_screen(card, found, back, i18n, lang))
        return
    try:
        done = await affiliates.assign_to(
            AccountRef(id=account_id), MemberRef(telegram_id=member), actor(query.from_user)
        )
    except (AffiliateError, AdminToolError) as error:
        try:
            card = await affiliates.card(account_id)
        except AffiliateError:
            await query.answer(refusal_text(error, i18n, lang, ALL_PROBLEMS), show_alert=True)
            return
        if card.holder is not None and card.holder.telegram_id == member:
            # A second tap: the member holds this account already, nothing repeated.
            name = card.holder.name
            await query.answer(
                i18n.t("affiliates.assign_already", lang, name=name, username=card.username)
            )
        else:
            await query.answer(refusal_text(error, i18n, lang, ALL_PROBLEMS), show_alert=True)
        await show(query, card_text(card, i18n, lang, config), card_markup(card, i18n, lang, back))
        return
    await query.answer(
        i18n.t("affiliates.offer_done", lang, username=done.account.username, name=done.member.name)
    )
    card = done.account
    await show(query, card_text(card, i18n, lang, config), card_markup(card, i18n, lang, back))
