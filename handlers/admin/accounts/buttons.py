"""Taps on account cards (unassign, status, yellow cart) and on the offer a closed payment
card carries ("Assign @name"). Each tap checks the person again and the state of the
account (the service refuses what no longer fits), and is answered once."""

from __future__ import annotations

import logging
import re
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from handlers.admin.accounts.callbacks import AccountAction, AccountCallback, OfferCallback
from handlers.admin.accounts.views import (
    card_markup,
    card_text,
    offer_markup,
    problem_text,
    status_markup,
)
from handlers.common.admin_command import actor
from handlers.common.admins import AdminGate
from handlers.common.config import HandlerConfig
from handlers.common.filters import allowed
from handlers.common.review_card import swap_buttons
from kernel.i18n import Translator
from services.affiliates import AffiliateError, AffiliateService, parse_status

log = logging.getLogger(__name__)


async def approval_offer(
    affiliates: AffiliateService, request_id: int, i18n: Translator, config: HandlerConfig
) -> InlineKeyboardMarkup | None:
    """For the payment card: the offer button for an approved payment's card, if its
    member is now an active VIP holding no account and one is available."""
    offer = await affiliates.offer_after_approval(request_id)
    return offer_markup(offer, i18n, config.default_language)


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
    who = actor(query.from_user)
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
            callback_data.account_id, callback_data.member_id, actor(query.from_user)
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
    # Without the button once used (with the new one when the offer changed).
    await swap_buttons(bot, message.chat.id, message.message_id, markup, "Offer")


async def _username_of(affiliates: AffiliateService, account_id: int) -> str:
    try:
        return (await affiliates.card(account_id)).username
    except AffiliateError:
        return f"#{account_id}"
