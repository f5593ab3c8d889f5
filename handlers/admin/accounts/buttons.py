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
    back_of,
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
from services.affiliates import AffiliateError, AffiliateService, CardChange

log = logging.getLogger(__name__)

# What each card button asks of the account (the others only show the card again).
CHANGES = {
    AccountAction.UNASSIGN: CardChange.UNASSIGN,
    AccountAction.STATUS: CardChange.STATUS,
    AccountAction.CART_ON: CardChange.CART_ON,
    AccountAction.CART_OFF: CardChange.CART_OFF,
}


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
    action = callback_data.action
    change = CHANGES.get(action, CardChange.SHOW)
    try:
        tap = await affiliates.tap_card(
            account_id, change, actor(query.from_user), status=callback_data.status
        )
    except AffiliateError as error:  # the account is gone
        await query.answer(problem_text(error, i18n, lang), show_alert=True)
        return
    card = tap.card
    toast: str | None = i18n.t("affiliates.done_toast", lang) if tap.changed else None
    alert = False
    if tap.refusal is not None:
        # A double tap or a stale card: say what is true now, then show it.
        toast, alert = problem_text(tap.refusal, i18n, lang), True
    menu = action is AccountAction.STATUS_MENU
    await query.answer(toast, show_alert=alert)
    back = back_of(message)  # the page of the list this card was opened from
    markup = status_markup(card, i18n, lang, back) if menu else card_markup(card, i18n, lang, back)
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
    account_id = callback_data.account_id
    tap = await affiliates.take_offer(account_id, callback_data.member_id, actor(query.from_user))
    done = tap.assigned
    if done is None:
        assert tap.refusal is not None
        offer = tap.changed_to
        if offer is not None:
            old = tap.tapped_username or f"#{account_id}"
            text = i18n.t("affiliates.offer_changed", lang, old=old, new=offer.username)
            markup = offer_markup(offer, i18n, lang)
        else:
            text = problem_text(tap.refusal, i18n, lang)
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
    # Without the button once used (with the new one when the offer changed); the card's
    # other buttons (👤 Member) stay.
    await swap_buttons(
        bot, message.chat.id, message.message_id, _with_others(message, markup), "Offer"
    )


def _with_others(
    message: Message, offer: InlineKeyboardMarkup | None
) -> InlineKeyboardMarkup | None:
    """`offer`'s rows, then the card's rows that carry no offer."""
    prefix = OfferCallback.__prefix__ + OfferCallback.__separator__
    others = [
        row
        for row in (message.reply_markup.inline_keyboard if message.reply_markup else [])
        if not any((b.callback_data or "").startswith(prefix) for b in row)
    ]
    rows = (list(offer.inline_keyboard) if offer else []) + others
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None
