"""A VIP's "ask for a group invite" button (under the dashboard in /me)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardButton
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.invites import InviteRefusal
from handlers.common.callbacks import GroupAction, GroupCallback
from handlers.common.config import HandlerConfig
from handlers.common.dates import local_time
from kernel.i18n import Translator
from services.access import AccessService

REFUSAL_KEYS = {
    InviteRefusal.NOT_VIP: "group.invite_not_vip",
    InviteRefusal.NOT_CONFIGURED: "group.not_configured_alert",
    InviteRefusal.INSIDE: "group.invite_inside",
}


async def ask_invite(
    query: CallbackQuery,
    access: AccessService,
    i18n: Translator,
    lang: str,
    config: HandlerConfig,
) -> None:
    """A VIP outside the group asks for an invite: a live link is shown, else one is made
    (the check and the request are one transaction)."""
    answer = await access.ask_invite(query.from_user.id)
    if answer.refused is not None:
        await query.answer(i18n.t(REFUSAL_KEYS[answer.refused], lang), show_alert=True)
        return
    status = answer.status
    if status.invite_link is not None and status.invite_expires_at is not None and query.message:
        until = local_time(status.invite_expires_at, config.zone)
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
