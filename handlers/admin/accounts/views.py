"""What the account screens show: the card, its buttons, the offer on a payment card,
the refusals; and the chat upkeep they share (deleting a message that carried a login)."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from domain.affiliates import AccountFilter
from domain.states import ShopStatus
from handlers.admin.accounts.callbacks import (
    AccountAction,
    AccountCallback,
    ListCallback,
    OfferCallback,
)
from handlers.common.admin_command import Problems, refusal_text, shown_day
from handlers.common.config import HandlerConfig
from kernel.i18n import Translator
from services.affiliates import AccountCard, AffiliateError, Offer

log = logging.getLogger(__name__)

PROBLEMS: Problems = {AffiliateError: "affiliates.problem_{problem}"}
# Where "⬅️ Accounts" leads from a card that was not opened from the list.
FIRST_PAGE = ListCallback(within=AccountFilter.ALL, page=0)
# What an admin types to leave an optional field empty.
SKIP_WORDS = frozenset({"-", "—", "skip", "lewati", "kosong", "tidak", "none"})


def problem_text(error: AffiliateError, i18n: Translator, lang: str) -> str:
    text = refusal_text(error, i18n, lang, PROBLEMS)
    assert text is not None
    return text


def status_param(status: ShopStatus) -> dict[str, Any]:
    return {"key": f"affiliates.status_{status.value}"}


def card_text(card: AccountCard, i18n: Translator, lang: str, config: HandlerConfig) -> str:
    none = i18n.t("affiliates.none", lang)
    if card.yellow_cart and card.yellow_cart_verified_at is not None:
        cart: Any = {
            "key": "affiliates.cart_verified",
            "params": {"at": shown_day(card.yellow_cart_verified_at, config.zone)},
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
                "since": shown_day(card.assigned_at, config.zone),
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
        status=status_param(card.status),
        cart=cart,
        login={"key": "affiliates.yes" if card.has_login else "affiliates.no"},
        holder=holder,
        notes=card.notes or none,
    )


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def card_markup(
    card: AccountCard, i18n: Translator, lang: str, back: ListCallback = FIRST_PAGE
) -> InlineKeyboardMarkup:
    """The card's buttons; the last one goes back to the page of the list in `back`."""

    def data(action: AccountAction) -> AccountCallback:
        return AccountCallback(action=action, account_id=card.id)

    def one(key: str, action: AccountAction) -> InlineKeyboardButton:
        return button(i18n.t(key, lang), data(action))

    rows: list[list[InlineKeyboardButton]] = []
    if card.holder is not None:
        rows.append([one("affiliates.button_unassign", AccountAction.UNASSIGN)])
    elif card.available:
        rows.append([one("affiliates.button_assign", AccountAction.ASSIGN)])
    rows.append(
        [
            one("affiliates.button_status", AccountAction.STATUS_MENU),
            one("affiliates.button_note", AccountAction.NOTE),
        ]
    )
    if card.yellow_cart and card.yellow_cart_verified_at is not None:
        rows.append([one("affiliates.button_cart_off", AccountAction.CART_OFF)])
    else:
        rows.append([one("affiliates.button_cart_on", AccountAction.CART_ON)])
    rows.append([to_list(back, i18n, lang)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def to_card(account_id: int, i18n: Translator, lang: str) -> InlineKeyboardButton:
    back = AccountCallback(action=AccountAction.BACK, account_id=account_id)
    return button(i18n.t("affiliates.button_back", lang), back)


def to_list(back: ListCallback, i18n: Translator, lang: str) -> InlineKeyboardButton:
    return button(i18n.t("affiliates.button_to_list", lang), back)


def step_markup(
    account_id: int,
    i18n: Translator,
    lang: str,
    back: ListCallback,
    rows: list[list[InlineKeyboardButton]] | None = None,
) -> InlineKeyboardMarkup:
    """A step of the card (a status to choose, a question, members to pick from): its own
    buttons, then back to the card and back to the list."""
    way_back = [to_card(account_id, i18n, lang), to_list(back, i18n, lang)]
    return InlineKeyboardMarkup(inline_keyboard=[*(rows or []), way_back])


def status_markup(
    card: AccountCard, i18n: Translator, lang: str, back: ListCallback = FIRST_PAGE
) -> InlineKeyboardMarkup:
    rows = [
        [
            button(
                i18n.t("affiliates.button_status_to", lang, status=status_param(status)),
                AccountCallback(
                    action=AccountAction.STATUS, account_id=card.id, status=status.value
                ),
            )
        ]
        for status in ShopStatus
        if status is not card.status
    ]
    return step_markup(card.id, i18n, lang, back, rows)


def back_of(message: object) -> ListCallback:
    """The page of the list a screen's "⬅️ Accounts" leads to (the first page of all
    when the screen has none): carried from screen to screen in the buttons."""
    markup = getattr(message, "reply_markup", None)
    for row in getattr(markup, "inline_keyboard", None) or ():
        for each in row:
            data = each.callback_data or ""
            if data.startswith(f"{ListCallback.__prefix__}{ListCallback.__separator__}"):
                try:
                    return ListCallback.unpack(data)
                except (TypeError, ValueError):
                    return FIRST_PAGE
    return FIRST_PAGE


def offer_markup(offer: Offer | None, i18n: Translator, lang: str) -> InlineKeyboardMarkup | None:
    """The one button on a closed payment card: assign this account to this member."""
    if offer is None:
        return None
    data = OfferCallback(member_id=offer.member_id, account_id=offer.account_id)
    text = i18n.t("affiliates.button_offer", lang, username=offer.username)
    return InlineKeyboardMarkup(inline_keyboard=[[button(text, data)]])


async def forget(message: Message, bot: Bot, i18n: Translator, lang: str) -> None:
    """Delete the admin's message that carried a login or password, at once."""
    try:
        await bot.delete_message(message.chat.id, message.message_id)
    except (TelegramBadRequest, TelegramForbiddenError) as error:
        log.warning("A message with a login could not be deleted: %s", error.message)
        await message.answer(i18n.t("affiliates.add_delete_failed", lang))


async def show(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """The tapped screen becomes `text` (shown again unchanged, it stays as it is)."""
    message = query.message
    if not isinstance(message, Message):
        return
    try:
        await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as error:
        if "not modified" not in error.message:
            raise


async def show_again(
    answer_to: Message, screen_id: int, text: str, markup: InlineKeyboardMarkup | None
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
