"""The VIP dashboard in /me (group access, TikTok account, yellow cart, commission) and
the member's own "ask for a group invite" button."""

from __future__ import annotations

from datetime import datetime

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardButton
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.common.callbacks import (
    CredentialsCallback,
    GroupAction,
    GroupCallback,
    MenuAction,
    MenuCallback,
)
from handlers.common.config import HandlerConfig
from kernel.i18n import Translator
from services.access import AccessService, GroupStatus
from services.affiliates import AffiliateService
from services.ledger import LedgerService


def _when(value: datetime, config: HandlerConfig, with_time: bool = False) -> str:
    pattern = "%d-%m-%Y %H:%M" if with_time else "%d-%m-%Y"
    return value.astimezone(config.zone).strftime(pattern)


def group_line(status: GroupStatus, i18n: Translator, lang: str, config: HandlerConfig) -> str:
    if not status.configured:
        return i18n.t("group.not_configured", lang)
    if status.inside:
        return i18n.t("group.inside", lang)
    if status.invite_link is not None and status.invite_expires_at is not None:
        until = _when(status.invite_expires_at, config, with_time=True)
        return i18n.t("group.invite_ready", lang, until=until)
    if status.invite_queued:
        return i18n.t("group.invite_coming", lang)
    return i18n.t("group.outside", lang)


async def vip_section(
    telegram_id: int,
    builder: InlineKeyboardBuilder,
    access: AccessService,
    affiliates: AffiliateService,
    ledger: LedgerService,
    i18n: Translator,
    lang: str,
    config: HandlerConfig,
) -> list[str]:
    """The dashboard lines for an active VIP (nothing for anyone else); adds its buttons."""
    status = await access.status(telegram_id)
    if not status.has_access:
        return []
    lines = ["", i18n.t("vip.title", lang)]
    lines.append(i18n.t("vip.group", lang, state=group_line(status, i18n, lang, config)))
    if status.configured and not status.inside:
        if status.invite_link is not None:
            builder.row(
                InlineKeyboardButton(
                    text=i18n.t("access.invite_button", lang), url=status.invite_link
                )
            )
        elif not status.invite_queued:
            builder.row(
                InlineKeyboardButton(
                    text=i18n.t("group.invite_button", lang),
                    callback_data=GroupCallback(action=GroupAction.INVITE).pack(),
                )
            )
    account = await affiliates.account_of(telegram_id)
    if account is None:
        lines.append(i18n.t("vip.no_account", lang))
    else:
        lines.append(
            i18n.t(
                "vip.account",
                lang,
                username=account.username,
                shop=account.shop_name or "-",
                status={"key": f"vip.shop_{account.shop_status}"},
            )
        )
        if account.yellow_cart and account.yellow_cart_verified_at is not None:
            cart = i18n.t(
                "vip.cart_verified", lang, date=_when(account.yellow_cart_verified_at, config)
            )
        else:
            cart = i18n.t("vip.cart_pending", lang)
        lines.append(cart)
        if account.has_login:
            builder.row(
                InlineKeyboardButton(
                    text=i18n.t("vip.login_button", lang),
                    callback_data=CredentialsCallback().pack(),
                )
            )
    balance = await ledger.balance_for(telegram_id)
    if balance is not None:
        lines.append(
            i18n.t(
                "vip.commission",
                lang,
                earned=balance.member_share + balance.leader_share,
                paid=balance.paid,
                available=balance.available,
                pending=balance.pending_reports,
            )
        )
    builder.row(
        InlineKeyboardButton(
            text=i18n.t("vip.balance_button", lang),
            callback_data=MenuCallback(action=MenuAction.BALANCE).pack(),
        )
    )
    return lines


async def ask_invite(
    query: CallbackQuery,
    access: AccessService,
    i18n: Translator,
    lang: str,
    config: HandlerConfig,
) -> None:
    """A VIP outside the group asks for an invite: a live link is shown, else one is made."""
    status = await access.status(query.from_user.id)
    if not status.has_access:
        await query.answer(i18n.t("group.invite_not_vip", lang), show_alert=True)
        return
    if not status.configured:
        await query.answer(i18n.t("group.not_configured_alert", lang), show_alert=True)
        return
    if status.inside:
        await query.answer(i18n.t("group.invite_inside", lang), show_alert=True)
        return
    status = await access.request_invite(query.from_user.id)
    if status.invite_link is not None and status.invite_expires_at is not None and query.message:
        until = _when(status.invite_expires_at, config, with_time=True)
        await query.answer()
        await query.message.answer(
            i18n.t("group.invite_ready", lang, until=until),
            reply_markup=InlineKeyboardBuilder()
            .row(
                InlineKeyboardButton(
                    text=i18n.t("access.invite_button", lang), url=status.invite_link
                )
            )
            .as_markup(),
        )
        return
    await query.answer(i18n.t("group.invite_sent", lang))


def build_router() -> Router:
    router = Router(name="vip")
    router.callback_query.filter(F.message.chat.type == "private")
    router.callback_query.register(ask_invite, GroupCallback.filter(F.action == GroupAction.INVITE))
    return router
