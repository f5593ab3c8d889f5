"""What the account screens show: the card, its buttons, the offer on a payment card,
the refusals; and the chat upkeep they share (deleting a message that carried a login)."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from domain.states import ShopStatus
from handlers.admin.accounts.callbacks import AccountAction, AccountCallback, OfferCallback
from handlers.common.admin_command import Problems, refusal_text, shown_day
from handlers.common.config import HandlerConfig
from kernel.i18n import Translator
from services.affiliates import AccountCard, AffiliateError, Offer

log = logging.getLogger(__name__)

PROBLEMS: Problems = {AffiliateError: "affiliates.problem_{problem}"}
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


def card_markup(card: AccountCard, i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    def data(action: AccountAction) -> AccountCallback:
        return AccountCallback(action=action, account_id=card.id)

    rows: list[list[InlineKeyboardButton]] = []
    if card.holder is not None:
        rows.append(
            [button(i18n.t("affiliates.button_unassign", lang), data(AccountAction.UNASSIGN))]
        )
    rows.append([button(i18n.t("affiliates.button_status", lang), data(AccountAction.STATUS_MENU))])
    if card.yellow_cart and card.yellow_cart_verified_at is not None:
        rows.append(
            [button(i18n.t("affiliates.button_cart_off", lang), data(AccountAction.CART_OFF))]
        )
    else:
        rows.append(
            [button(i18n.t("affiliates.button_cart_on", lang), data(AccountAction.CART_ON))]
        )
    return InlineKeyboardMarkup(inline_keyboard=rows)


def status_markup(card: AccountCard, i18n: Translator, lang: str) -> InlineKeyboardMarkup:
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
    rows.append(
        [
            button(
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
    return InlineKeyboardMarkup(inline_keyboard=[[button(text, data)]])


async def forget(message: Message, bot: Bot, i18n: Translator, lang: str) -> None:
    """Delete the admin's message that carried a login or password, at once."""
    try:
        await bot.delete_message(message.chat.id, message.message_id)
    except (TelegramBadRequest, TelegramForbiddenError) as error:
        log.warning("A message with a login could not be deleted: %s", error.message)
        await message.answer(i18n.t("affiliates.add_delete_failed", lang))
