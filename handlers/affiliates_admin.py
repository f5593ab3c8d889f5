"""Affiliate accounts in the admin group (SPEC "Affiliate accounts"; issue item 4).

Commands: /accounts [filter], /account ACCOUNT, /addaccount (guided), /importaccounts
(then the CSV document, or the document with that caption), /exportaccounts,
/assignaccount [ACCOUNT] MEMBER, /unassignaccount ACCOUNT, /accountstatus ACCOUNT STATUS,
/cartverified ACCOUNT [off], /accountnote ACCOUNT TEXT|-. ACCOUNT is `#12` or
`@tiktok_username`; MEMBER a Telegram id or @username.

Every command and every tap checks the person again (`allowed`); taps also check the
state of the account (the service refuses what no longer fits) and are answered once.
Logins typed in /addaccount are deleted from the chat as soon as they are read and
kept only encrypted; admins never see a stored login.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from enum import StrEnum
from typing import Any

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from domain.states import ShopStatus
from handlers.admin_tools import _reply_lines
from handlers.common.admins import AdminGate
from handlers.common.callbacks import CallbackId
from handlers.common.config import HandlerConfig
from handlers.common.filters import InAdminChat, allowed
from kernel.actor import Actor
from kernel.admin_input import AdminToolError, parse_member_ref
from kernel.i18n import Translator
from services.affiliates import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    AccountCard,
    AccountFilter,
    AccountRef,
    AffiliateError,
    AffiliateService,
    ImportResult,
    Offer,
    parse_account_ref,
    parse_filter,
    parse_status,
    parse_username,
)
from services.credentials import CredentialsError
from services.member_lookup import MemberLookupService

log = logging.getLogger(__name__)

ERRORS_SHOWN = 20  # bad rows named in an import reply; the rest are counted
SKIP_WORDS = frozenset({"-", "—", "skip", "lewati", "kosong", "tidak", "none"})
UNVERIFY_WORDS = frozenset({"off", "batal", "no", "tidak", "undo", "hapus"})
CSV_TYPES = frozenset(
    {"text/csv", "text/plain", "application/csv", "application/vnd.ms-excel", "text/x-csv"}
)
EXCEL_NAMES = re.compile(r"\.(xlsx|xlsm|xls|ods|numbers)$", re.IGNORECASE)


# ---------------------------------------------------------------------------- callback data


class AccountAction(StrEnum):
    UNASSIGN = "unassign"
    STATUS_MENU = "menu"  # show the status choices
    STATUS = "status"  # set `status`
    CART_ON = "cart_on"
    CART_OFF = "cart_off"
    BACK = "back"


class AccountCallback(CallbackData, prefix="acct"):
    """A tap on an account card in the admin group."""

    action: AccountAction
    account_id: CallbackId
    status: str = "-"


class OfferCallback(CallbackData, prefix="affoffer"):
    """ "Assign @name" on a closed payment card: exactly that account to that member."""

    member_id: CallbackId
    account_id: CallbackId


class AddAction(StrEnum):
    SAVE = "save"
    CANCEL = "cancel"


class AddAccountCallback(CallbackData, prefix="acctadd"):
    action: AddAction


class AddAccount(StatesGroup):
    username = State()
    account_id = State()
    shop_id = State()
    shop_name = State()
    login = State()
    password = State()
    confirm = State()


class ImportAccounts(StatesGroup):
    waiting = State()


# ---------------------------------------------------------------------------- helpers


def _actor(user: Any) -> Actor:
    return Actor(user.id, user.full_name)


def _day(moment: datetime | None, config: HandlerConfig) -> str:
    return "-" if moment is None else f"{moment.astimezone(config.zone):%d-%m-%Y}"


def problem_text(error: AffiliateError, i18n: Translator, lang: str) -> str:
    return i18n.t(f"affiliates.problem_{error.problem.value}", lang, **error.params)


async def _refuse(message: Message, error: AffiliateError, i18n: Translator, lang: str) -> None:
    await message.reply(problem_text(error, i18n, lang))


def _status(status: ShopStatus) -> dict[str, Any]:
    return {"key": f"affiliates.status_{status.value}"}


def card_text(card: AccountCard, i18n: Translator, lang: str, config: HandlerConfig) -> str:
    none = i18n.t("affiliates.none", lang)
    if card.yellow_cart and card.yellow_cart_verified_at is not None:
        cart: Any = {
            "key": "affiliates.cart_verified",
            "params": {"at": _day(card.yellow_cart_verified_at, config)},
        }
    elif card.yellow_cart:
        cart = {"key": "affiliates.cart_unverified"}
    else:
        cart = {"key": "affiliates.cart_none"}
    holder: Any = {"key": "affiliates.card_no_holder"}
    if card.holder is not None:
        holder = {
            "key": "affiliates.card_holder",
            "params": {
                "name": card.holder.name,
                "telegram_id": card.holder.telegram_id,
                "since": _day(card.assigned_at, config),
            },
        }
    return i18n.t(
        "affiliates.card",
        lang,
        id=card.id,
        username=card.username,
        account_id=card.tiktok_account_id or none,
        shop_name=card.shop_name or none,
        shop_id=card.shop_id or none,
        status=_status(card.status),
        cart=cart,
        login={"key": "affiliates.yes" if card.has_login else "affiliates.no"},
        holder=holder,
        notes=card.notes or none,
    )


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def card_markup(card: AccountCard, i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    def data(action: AccountAction) -> AccountCallback:
        return AccountCallback(action=action, account_id=card.id)

    rows: list[list[InlineKeyboardButton]] = []
    if card.holder is not None:
        rows.append(
            [_button(i18n.t("affiliates.button_unassign", lang), data(AccountAction.UNASSIGN))]
        )
    rows.append(
        [_button(i18n.t("affiliates.button_status", lang), data(AccountAction.STATUS_MENU))]
    )
    if card.yellow_cart and card.yellow_cart_verified_at is not None:
        rows.append(
            [_button(i18n.t("affiliates.button_cart_off", lang), data(AccountAction.CART_OFF))]
        )
    else:
        rows.append(
            [_button(i18n.t("affiliates.button_cart_on", lang), data(AccountAction.CART_ON))]
        )
    return InlineKeyboardMarkup(inline_keyboard=rows)


def status_markup(card: AccountCard, i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    rows = [
        [
            _button(
                i18n.t("affiliates.button_status_to", lang, status=_status(status)),
                AccountCallback(
                    action=AccountAction.STATUS, account_id=card.id, status=status.value
                ),
            )
        ]
        for status in ShopStatus
        if status is not card.status
    ]
    rows.append(
        [
            _button(
                i18n.t("affiliates.button_back", lang),
                AccountCallback(action=AccountAction.BACK, account_id=card.id),
            )
        ]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


def offer_markup(offer: Offer | None, i18n: Translator, lang: str) -> InlineKeyboardMarkup | None:
    """The one button on a closed payment card: assign this account to this member."""
    if offer is None:
        return None
    data = OfferCallback(member_id=offer.member_id, account_id=offer.account_id)
    text = i18n.t("affiliates.button_offer", lang, username=offer.username)
    return InlineKeyboardMarkup(inline_keyboard=[[_button(text, data)]])


async def approval_offer(
    affiliates: AffiliateService, request_id: int, i18n: Translator, config: HandlerConfig
) -> InlineKeyboardMarkup | None:
    """For handlers/review.py: the offer button for an approved payment's card, if its
    member is now an active VIP holding no account and one is available."""
    offer = await affiliates.offer_after_approval(request_id)
    return offer_markup(offer, i18n, config.default_language)


def _ref(text: str) -> AccountRef:
    return parse_account_ref(text)


# ---------------------------------------------------------------------------- listing and card


async def accounts_command(
    message: Message,
    command: CommandObject,
    affiliates: AffiliateService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(message, admins, i18n, lang):
        return
    args = (command.args or "").split()
    which = parse_filter(args[0]) if len(args) == 1 else (AccountFilter.ALL if not args else None)
    if which is None:
        await message.reply(i18n.t("affiliates.usage_accounts", lang))
        return
    listing = await affiliates.list_accounts(which)
    counts = listing.counts
    lines = [
        i18n.t(
            "affiliates.list_header",
            lang,
            filter={"key": f"affiliates.filter_{which.value}"},
            matching=listing.matching,
            available=counts.available,
            assigned=counts.assigned,
            suspended=counts.suspended,
            inactive=counts.inactive,
            total=counts.total,
        )
    ]
    if not listing.accounts:
        lines.append(i18n.t("affiliates.list_empty", lang))
    for card in listing.accounts:
        holder: Any = ""
        if card.holder is not None:
            holder = {"key": "affiliates.list_holder", "params": {"name": card.holder.name}}
        lines.append(
            i18n.t(
                "affiliates.list_line",
                lang,
                id=card.id,
                username=card.username,
                shop=card.shop_name or "-",
                status=_status(card.status),
                holder=holder,
            )
        )
    if listing.matching > len(listing.accounts):
        lines.append(
            i18n.t("affiliates.list_more", lang, count=listing.matching - len(listing.accounts))
        )
    if listing.accounts:
        lines.append(i18n.t("affiliates.list_hint", lang))
    await _reply_lines(message, lines)


async def account_command(
    message: Message,
    command: CommandObject,
    affiliates: AffiliateService,
    admins: AdminGate,
    config: HandlerConfig,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(message, admins, i18n, lang):
        return
    args = (command.args or "").split()
    if len(args) != 1:
        await message.reply(i18n.t("affiliates.usage_account", lang))
        return
    try:
        card = await affiliates.card(_ref(args[0]))
    except AffiliateError as error:
        await _refuse(message, error, i18n, lang)
        return
    await message.reply(
        card_text(card, i18n, lang, config), reply_markup=card_markup(card, i18n, lang)
    )


def is_account_card(message: Any, account_id: int) -> bool:
    shown = getattr(message, "text", None) or ""
    return re.search(rf"#{account_id}(?!\d)", shown) is not None


async def on_account_button(
    query: CallbackQuery,
    callback_data: AccountCallback,
    bot: Bot,
    affiliates: AffiliateService,
    admins: AdminGate,
    config: HandlerConfig,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    message = query.message
    account_id = callback_data.account_id
    if not isinstance(message, Message) or not is_account_card(message, account_id):
        await query.answer(i18n.t("affiliates.not_card", lang), show_alert=True)
        return
    who = _actor(query.from_user)
    action = callback_data.action
    toast: str | None = None
    alert = False
    menu = False
    try:
        if action is AccountAction.UNASSIGN:
            await affiliates.unassign(account_id, who)
            toast = i18n.t("affiliates.done_toast", lang)
        elif action is AccountAction.STATUS:
            await affiliates.set_status(account_id, parse_status(callback_data.status), who)
            toast = i18n.t("affiliates.done_toast", lang)
        elif action is AccountAction.CART_ON:
            await affiliates.set_cart_verified(account_id, True, who)
            toast = i18n.t("affiliates.done_toast", lang)
        elif action is AccountAction.CART_OFF:
            await affiliates.set_cart_verified(account_id, False, who)
            toast = i18n.t("affiliates.done_toast", lang)
        elif action is AccountAction.STATUS_MENU:
            menu = True
    except AffiliateError as error:
        # A double tap or a stale card: say what is true now, then show it.
        toast, alert = problem_text(error, i18n, lang), True
    try:
        card = await affiliates.card(account_id)
    except AffiliateError as error:
        await query.answer(problem_text(error, i18n, lang), show_alert=True)
        return
    await query.answer(toast, show_alert=alert)
    markup = status_markup(card, i18n, lang) if menu else card_markup(card, i18n, lang)
    try:
        await bot.edit_message_text(
            text=card_text(card, i18n, lang, config),
            chat_id=message.chat.id,
            message_id=message.message_id,
            reply_markup=markup,
        )
    except TelegramBadRequest as error:  # "message is not modified" on a double tap
        log.info("Account card not edited: %s", error.message)


# ---------------------------------------------------------------------------- assignments


async def assign_command(
    message: Message,
    command: CommandObject,
    affiliates: AffiliateService,
    member_lookup: MemberLookupService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(message, admins, i18n, lang):
        return
    args = (command.args or "").split()
    if len(args) not in (1, 2):
        await message.reply(i18n.t("affiliates.usage_assign", lang))
        return
    try:
        account = _ref(args[0]) if len(args) == 2 else None
        member = await member_lookup.resolve(parse_member_ref(args[-1]))
        done = await affiliates.assign(account, member.id, _actor(message.from_user))
    except AffiliateError as error:
        await _refuse(message, error, i18n, lang)
        return
    except AdminToolError as error:
        await message.reply(i18n.t(f"tools.problem_{error.problem.value}", lang, **error.params))
        return
    await message.reply(
        i18n.t(
            "affiliates.assigned",
            lang,
            username=done.account.username,
            id=done.account.id,
            name=done.member.name,
            telegram_id=done.member.telegram_id,
        )
    )


async def unassign_command(
    message: Message,
    command: CommandObject,
    affiliates: AffiliateService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(message, admins, i18n, lang):
        return
    args = (command.args or "").split()
    if len(args) != 1:
        await message.reply(i18n.t("affiliates.usage_unassign", lang))
        return
    try:
        done = await affiliates.unassign(_ref(args[0]), _actor(message.from_user))
    except AffiliateError as error:
        await _refuse(message, error, i18n, lang)
        return
    await message.reply(
        i18n.t(
            "affiliates.unassigned",
            lang,
            username=done.account.username,
            id=done.account.id,
            name=done.former.name,
            telegram_id=done.former.telegram_id,
        )
    )


async def on_offer(
    query: CallbackQuery,
    callback_data: OfferCallback,
    bot: Bot,
    affiliates: AffiliateService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    message = query.message
    if not isinstance(message, Message):
        await query.answer(i18n.t("error.stale_button", lang), show_alert=True)
        return
    markup: InlineKeyboardMarkup | None = None
    try:
        done = await affiliates.assign(
            callback_data.account_id, callback_data.member_id, _actor(query.from_user)
        )
    except AffiliateError as error:
        offer = await affiliates.offer_for(callback_data.member_id)
        if offer is not None and offer.account_id != callback_data.account_id:
            old = await _username_of(affiliates, callback_data.account_id)
            text = i18n.t("affiliates.offer_changed", lang, old=old, new=offer.username)
            markup = offer_markup(offer, i18n, lang)
        else:
            text = problem_text(error, i18n, lang)
        await query.answer(text, show_alert=True)
    else:
        await query.answer(
            i18n.t(
                "affiliates.offer_done", lang, username=done.account.username, name=done.member.name
            )
        )
        await message.reply(
            i18n.t(
                "affiliates.assigned",
                lang,
                username=done.account.username,
                id=done.account.id,
                name=done.member.name,
                telegram_id=done.member.telegram_id,
            )
        )
    try:
        await bot.edit_message_reply_markup(
            chat_id=message.chat.id, message_id=message.message_id, reply_markup=markup
        )
    except TelegramBadRequest as error:  # already without the button (double tap)
        log.info("Offer button not changed: %s", error.message)


async def _username_of(affiliates: AffiliateService, account_id: int) -> str:
    try:
        return (await affiliates.card(account_id)).username
    except AffiliateError:
        return f"#{account_id}"


# ---------------------------------------------------------------------------- status, cart, notes


async def status_command(
    message: Message,
    command: CommandObject,
    affiliates: AffiliateService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(message, admins, i18n, lang):
        return
    args = (command.args or "").split()
    if len(args) != 2:
        await message.reply(i18n.t("affiliates.usage_status", lang))
        return
    try:
        ref = _ref(args[0])
        status = parse_status(args[1])
        done = await affiliates.set_status(ref, status, _actor(message.from_user))
    except AffiliateError as error:
        await _refuse(message, error, i18n, lang)
        return
    text = i18n.t(
        "affiliates.status_changed",
        lang,
        username=done.account.username,
        id=done.account.id,
        old=_status(done.old),
        new=_status(done.account.status),
    )
    if done.alerted and done.account.holder is not None:
        text += i18n.t("affiliates.status_alerted", lang, name=done.account.holder.name)
    await message.reply(text)


async def cart_command(
    message: Message,
    command: CommandObject,
    affiliates: AffiliateService,
    admins: AdminGate,
    config: HandlerConfig,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(message, admins, i18n, lang):
        return
    args = (command.args or "").split()
    if len(args) not in (1, 2) or (len(args) == 2 and args[1].lower() not in UNVERIFY_WORDS):
        await message.reply(i18n.t("affiliates.usage_cart", lang))
        return
    verified = len(args) == 1
    try:
        card = await affiliates.set_cart_verified(
            _ref(args[0]), verified, _actor(message.from_user)
        )
    except AffiliateError as error:
        await _refuse(message, error, i18n, lang)
        return
    key = "affiliates.cart_done_on" if verified else "affiliates.cart_done_off"
    await message.reply(
        i18n.t(
            key,
            lang,
            username=card.username,
            id=card.id,
            at=_day(card.yellow_cart_verified_at, config),
        )
    )


async def note_command(
    message: Message,
    command: CommandObject,
    affiliates: AffiliateService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(message, admins, i18n, lang):
        return
    parts = (command.args or "").strip().split(maxsplit=1)
    if len(parts) != 2:
        await message.reply(i18n.t("affiliates.usage_note", lang))
        return
    text = None if parts[1].strip() in SKIP_WORDS else parts[1]
    try:
        card = await affiliates.set_notes(_ref(parts[0]), text, _actor(message.from_user))
    except AffiliateError as error:
        await _refuse(message, error, i18n, lang)
        return
    key = "affiliates.note_saved" if card.notes else "affiliates.note_cleared"
    await message.reply(i18n.t(key, lang, username=card.username, id=card.id))


# ---------------------------------------------------------------------------- import / export


async def import_command(
    message: Message,
    bot: Bot,
    state: FSMContext,
    affiliates: AffiliateService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(message, admins, i18n, lang):
        return
    if message.document is not None:  # the file came with the command as its caption
        await _import_document(message, bot, affiliates, i18n, lang)
        return
    await state.set_state(ImportAccounts.waiting)
    await message.reply(
        i18n.t(
            "affiliates.import_prompt", lang, rows=MAX_IMPORT_ROWS, size=MAX_IMPORT_BYTES // 1000
        )
    )


async def import_waiting(
    message: Message,
    bot: Bot,
    state: FSMContext,
    affiliates: AffiliateService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    text = (message.text or "").strip()
    if text.startswith("/cancel"):
        await state.clear()
        await message.reply(i18n.t("affiliates.import_cancelled", lang))
        return
    if message.document is None:
        await message.reply(i18n.t("affiliates.import_waiting", lang))
        return
    if not await allowed(message, admins, i18n, lang):
        await state.clear()
        return
    if await _import_document(message, bot, affiliates, i18n, lang):
        await state.clear()


async def _import_document(
    message: Message, bot: Bot, affiliates: AffiliateService, i18n: Translator, lang: str
) -> bool:
    """Check, fetch and import the document; False when the admin should send another."""
    document = message.document
    assert document is not None
    name = document.file_name or "?"
    mime = (document.mime_type or "").lower()
    if EXCEL_NAMES.search(name):
        await message.reply(i18n.t("affiliates.import_excel", lang, name=name[:64]))
        return False
    if not name.lower().endswith((".csv", ".txt")) and mime not in CSV_TYPES:
        await message.reply(i18n.t("affiliates.import_not_csv", lang, name=name[:64]))
        return False
    if document.file_size is not None and document.file_size > MAX_IMPORT_BYTES:
        await message.reply(
            i18n.t(
                "affiliates.problem_file_too_big",
                lang,
                size=document.file_size,
                max=MAX_IMPORT_BYTES // 1000,
            )
        )
        return False
    try:
        downloaded = await bot.download(document.file_id)
    except (TelegramBadRequest, TelegramForbiddenError) as error:
        log.warning("Could not download an accounts CSV: %s", error.message)
        await message.reply(i18n.t("affiliates.import_download_failed", lang))
        return False
    data = downloaded.read() if downloaded is not None else b""
    assert message.from_user is not None
    try:
        result = await affiliates.import_csv(data, _actor(message.from_user))
    except AffiliateError as error:
        await _refuse(message, error, i18n, lang)
        result = None
    else:
        await _reply_lines(message, import_lines(result, i18n, lang))
    # The file may hold logins and passwords in plain text: it leaves the chat once
    # answered, whatever the import decided (a fixed file is sent again anyway).
    await _forget(message, bot, i18n, lang)
    return bool(result and result.imported)


def import_lines(result: ImportResult, i18n: Translator, lang: str) -> list[str]:
    if not result.errors:
        return [
            i18n.t(
                "affiliates.import_done", lang, count=result.imported, with_login=result.with_login
            )
        ]
    lines = [i18n.t("affiliates.import_rejected", lang, bad=len(result.errors), rows=result.rows)]
    for error in result.errors[:ERRORS_SHOWN]:
        issues = i18n.join(
            (
                i18n.t(f"affiliates.row_{issue.problem.value}", lang, **issue.params)
                for issue in error.issues
            ),
            "; ",
        )
        lines.append(i18n.t("affiliates.import_row", lang, line=error.line, issues=issues))
    if len(result.errors) > ERRORS_SHOWN:
        lines.append(
            i18n.t("affiliates.import_more", lang, count=len(result.errors) - ERRORS_SHOWN)
        )
    return lines


async def export_command(
    message: Message,
    affiliates: AffiliateService,
    admins: AdminGate,
    config: HandlerConfig,
    clock: Any,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(message, admins, i18n, lang):
        return
    counts = await affiliates.counts()
    if not counts.total:
        await message.reply(i18n.t("affiliates.export_empty", lang))
        return
    data = await affiliates.export_csv()
    stamp = f"{clock.now().astimezone(config.zone):%Y%m%d-%H%M}"
    await message.reply_document(
        BufferedInputFile(data, filename=f"affiliate-accounts-{stamp}.csv"),
        caption=i18n.t("affiliates.export_caption", lang, count=counts.total),
    )


# ---------------------------------------------------------------------------- /addaccount


async def add_command(
    message: Message,
    state: FSMContext,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(message, admins, i18n, lang):
        return
    await state.clear()
    await state.set_state(AddAccount.username)
    await message.reply(i18n.t("affiliates.add_username", lang))


async def _forget(message: Message, bot: Bot, i18n: Translator, lang: str) -> None:
    """Delete the admin's message that carried a login or password, at once."""
    try:
        await bot.delete_message(message.chat.id, message.message_id)
    except (TelegramBadRequest, TelegramForbiddenError) as error:
        log.warning("A message with a login could not be deleted: %s", error.message)
        await message.answer(i18n.t("affiliates.add_delete_failed", lang))


def _is_cancel(text: str) -> bool:
    return text.split("@", 1)[0] == "/cancel" or text.startswith("/cancel ")


def _optional(text: str) -> str | None:
    return None if text.strip().lower() in SKIP_WORDS else text.strip()


async def add_step(
    message: Message,
    state: FSMContext,
    bot: Bot,
    affiliates: AffiliateService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    step = await state.get_state()
    secret = step in (AddAccount.login.state, AddAccount.password.state)
    text = (message.text or "").strip()
    if secret and text and not _is_cancel(text):
        await _forget(message, bot, i18n, lang)  # before anything else can go wrong
    if _is_cancel(text):
        await state.clear()
        await message.reply(i18n.t("affiliates.add_cancelled", lang))
        return
    if not await allowed(message, admins, i18n, lang):
        await state.clear()
        return
    if not text:
        await message.reply(i18n.t("affiliates.add_text_only", lang))
        return
    if text.startswith("/"):
        await message.reply(i18n.t("affiliates.add_command_inside", lang))
        return
    answer = message.answer if secret else message.reply
    try:
        if step == AddAccount.username.state:
            username = parse_username(text)
            if not await affiliates.username_free(username):
                await message.reply(
                    i18n.t("affiliates.problem_username_taken", lang, username=username)
                )
                return
            await state.update_data(username=username)
            await state.set_state(AddAccount.account_id)
            await message.reply(i18n.t("affiliates.add_account_id", lang))
        elif step == AddAccount.account_id.state:
            value = _optional(text)
            affiliates.new_account("xx", tiktok_account_id=value)  # checks the length
            await state.update_data(account_id=value)
            await state.set_state(AddAccount.shop_id)
            await message.reply(i18n.t("affiliates.add_shop_id", lang))
        elif step == AddAccount.shop_id.state:
            value = _optional(text)
            affiliates.new_account("xx", shop_id=value)
            await state.update_data(shop_id=value)
            await state.set_state(AddAccount.shop_name)
            await message.reply(i18n.t("affiliates.add_shop_name", lang))
        elif step == AddAccount.shop_name.state:
            value = _optional(text)
            affiliates.new_account("xx", shop_name=value)
            await state.update_data(shop_name=value)
            await state.set_state(AddAccount.login)
            key = (
                "affiliates.add_login"
                if affiliates.can_store_logins
                else "affiliates.add_login_no_keys"
            )
            await message.reply(i18n.t(key, lang))
        elif step == AddAccount.login.state:
            if text in SKIP_WORDS:
                await state.update_data(sealed_login=None, credentials=None)
                await _confirm(message, state, i18n, lang)
                return
            # Only ever kept encrypted, even between two steps.
            await state.update_data(sealed_login=affiliates.seal_text(text))
            await state.set_state(AddAccount.password)
            await answer(i18n.t("affiliates.add_password", lang))
        elif step == AddAccount.password.state:
            data = await state.get_data()
            login = affiliates.open_text(str(data.get("sealed_login") or ""))
            await state.update_data(sealed_login=None, credentials=affiliates.seal(login, text))
            await _confirm(message, state, i18n, lang)
        else:
            await message.reply(i18n.t("affiliates.add_press_button", lang))
    except AffiliateError as error:
        await answer(problem_text(error, i18n, lang))
    except CredentialsError:
        # The keys changed mid-flow: start the login step again.
        await state.set_state(AddAccount.login)
        await answer(i18n.t("affiliates.add_login", lang))


async def _confirm(message: Message, state: FSMContext, i18n: Translator, lang: str) -> None:
    await state.set_state(AddAccount.confirm)
    data = await state.get_data()
    none = i18n.t("affiliates.none", lang)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(
                    i18n.t("affiliates.button_save", lang),
                    AddAccountCallback(action=AddAction.SAVE),
                ),
                _button(
                    i18n.t("affiliates.button_cancel", lang),
                    AddAccountCallback(action=AddAction.CANCEL),
                ),
            ]
        ]
    )
    await message.answer(
        i18n.t(
            "affiliates.add_confirm",
            lang,
            username=data.get("username", "?"),
            account_id=data.get("account_id") or none,
            shop_id=data.get("shop_id") or none,
            shop_name=data.get("shop_name") or none,
            login={"key": "affiliates.add_login_stored"} if data.get("credentials") else none,
        ),
        reply_markup=markup,
    )


async def on_add_button(
    query: CallbackQuery,
    callback_data: AddAccountCallback,
    state: FSMContext,
    bot: Bot,
    affiliates: AffiliateService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    message = query.message
    # The state is this admin's own: another admin's tap, or a second tap, finds none.
    if await state.get_state() != AddAccount.confirm.state or not isinstance(message, Message):
        await query.answer(i18n.t("affiliates.add_not_yours", lang), show_alert=True)
        return
    data = await state.get_data()
    await state.clear()
    if callback_data.action is AddAction.CANCEL:
        await query.answer(i18n.t("affiliates.add_cancelled", lang))
        await _close(bot, message, i18n.t("affiliates.add_cancelled", lang))
        return
    try:
        new = affiliates.new_account(
            str(data.get("username", "")),
            tiktok_account_id=data.get("account_id"),
            shop_id=data.get("shop_id"),
            shop_name=data.get("shop_name"),
            credentials=data.get("credentials"),
        )
        card = await affiliates.add(new, _actor(query.from_user))
    except AffiliateError as error:
        await query.answer(problem_text(error, i18n, lang), show_alert=True)
        await _close(bot, message, problem_text(error, i18n, lang))
        return
    await query.answer(i18n.t("affiliates.done_toast", lang))
    await _close(
        bot, message, i18n.t("affiliates.add_saved", lang, id=card.id, username=card.username)
    )


async def _close(bot: Bot, message: Message, text: str) -> None:
    try:
        await bot.edit_message_text(
            text=text, chat_id=message.chat.id, message_id=message.message_id
        )
    except TelegramBadRequest as error:
        log.info("Add-account form not edited: %s", error.message)


def build_router() -> Router:
    router = Router(name="affiliates_admin")
    router.message.filter(InAdminChat())
    router.callback_query.filter(InAdminChat())
    router.message.register(accounts_command, Command("accounts"))
    router.message.register(account_command, Command("account"))
    router.message.register(add_command, Command("addaccount"))
    router.message.register(import_command, Command("importaccounts"))
    router.message.register(export_command, Command("exportaccounts"))
    router.message.register(assign_command, Command("assignaccount"))
    router.message.register(unassign_command, Command("unassignaccount"))
    router.message.register(status_command, Command("accountstatus"))
    router.message.register(cart_command, Command("cartverified"))
    router.message.register(note_command, Command("accountnote"))
    router.message.register(import_waiting, StateFilter(ImportAccounts.waiting))
    router.message.register(add_step, StateFilter(*AddAccount.__all_states__))
    router.callback_query.register(on_account_button, AccountCallback.filter())
    router.callback_query.register(on_offer, OfferCallback.filter())
    router.callback_query.register(on_add_button, AddAccountCallback.filter())
    return router
