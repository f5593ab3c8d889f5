"""/me in private chat: the member's tier and plans, the VIP dashboard (group access,
TikTok account, yellow cart, commission), their open payment and the next step."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.states import PaymentStatus
from domain.tiers import TOP_TIER_CODE, NextPurchase, next_purchase
from handlers.common.callbacks import (
    ChangeMethodCallback,
    CredentialsCallback,
    GroupAction,
    GroupCallback,
    MenuAction,
    MenuCallback,
    PlanCallback,
)
from handlers.common.config import HandlerConfig
from handlers.common.dates import local_date, local_time
from handlers.common.payment_screens import cancel_row, status_text
from handlers.common.replies import reply
from kernel.i18n import Translator
from kernel.names import plan_name
from services.access import GroupStatus
from services.dashboard import DashboardService, VipDashboard
from services.payments import Holding

NEXT_PURCHASE_KEYS = {
    NextPurchase.BUY: "me.next_buy",
    NextPurchase.UPGRADE: "me.next_upgrade",
    NextPurchase.TOP: "me.next_top",
}


def to_renew(holdings: tuple[Holding, ...]) -> Holding | None:
    """The temporal top-tier plan to renew (the one ending last), unless the member
    holds the top tier for life."""
    top = [h for h in holdings if h.plan.tier.code == TOP_TIER_CODE]
    if any(h.expires_at is None for h in top):
        return None
    dated = [(h.expires_at, h) for h in top if h.expires_at is not None]
    return max(dated, key=lambda pair: pair[0])[1] if dated else None


def group_line(status: GroupStatus, i18n: Translator, lang: str, config: HandlerConfig) -> str:
    if not status.configured:
        return i18n.t("group.not_configured", lang)
    if status.inside:
        return i18n.t("group.inside", lang)
    if status.invite_link is not None and status.invite_expires_at is not None:
        until = local_time(status.invite_expires_at, config.zone)
        return i18n.t("group.invite_ready", lang, until=until)
    if status.invite_queued:
        return i18n.t("group.invite_coming", lang)
    return i18n.t("group.outside", lang)


def vip_section(
    vip: VipDashboard,
    builder: InlineKeyboardBuilder,
    i18n: Translator,
    lang: str,
    config: HandlerConfig,
) -> list[str]:
    """The dashboard lines of an active VIP; adds its buttons."""
    status = vip.group
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
    account = vip.account
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
            verified = local_date(account.yellow_cart_verified_at, config.zone)
            cart = i18n.t("vip.cart_verified", lang, date=verified)
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
    balance = vip.balance
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


async def show_me(
    event: Message | CallbackQuery,
    dashboard: DashboardService,
    config: HandlerConfig,
    i18n: Translator,
    lang: str,
) -> None:
    """/me: everything comes from one read (one transaction) of the member's dashboard."""
    assert event.from_user is not None
    mine = await dashboard.dashboard(event.from_user.id)
    seen = mine.overview
    lines = [i18n.t("me.title", lang)]
    if seen.tier is None:
        lines.append(i18n.t("me.no_tier", lang))
    else:
        lines.append(i18n.t("me.tier", lang, tier={"key": f"tier.{seen.tier.code}"}))
    for holding in seen.holdings:
        if holding.expires_at is None:
            lines.append(i18n.t("me.lifetime_line", lang, plan=plan_name(holding.plan)))
        else:
            lines.append(
                i18n.t(
                    "me.until_line",
                    lang,
                    plan=plan_name(holding.plan),
                    until=local_date(holding.expires_at, config.zone),
                    days=holding.remaining_days or 0,
                )
            )
    builder = InlineKeyboardBuilder()
    if mine.vip is not None:
        lines += vip_section(mine.vip, builder, i18n, lang, config)
    request = seen.open_request
    if request is not None:
        lines.append(
            i18n.t(
                "me.open_line",
                lang,
                request=request.id,
                plan=plan_name(request.plan),
                amount=request.amount,
                status=status_text(request),
            )
        )
    lines.append("")
    renew = to_renew(seen.holdings) if request is None else None
    if renew is not None:  # on the top tier for a while: renewing is the next step
        builder.button(
            text=i18n.t("me.renew_button", lang, plan=plan_name(renew.plan)),
            callback_data=PlanCallback(plan_id=renew.plan.id),
        )
        builder.button(
            text=i18n.t("menu.shop", lang), callback_data=MenuCallback(action=MenuAction.SHOP)
        )
        lines.append(i18n.t("me.next_renew", lang))
    elif request is None:
        builder.button(
            text=i18n.t("menu.shop", lang), callback_data=MenuCallback(action=MenuAction.SHOP)
        )
        lines.append(i18n.t(NEXT_PURCHASE_KEYS[next_purchase(seen.tier)], lang))
    else:
        if request.status == PaymentStatus.SUBMITTED:
            lines.append(i18n.t("me.next_wait", lang))
        elif request.method_id is None:
            lines.append(i18n.t("me.next_method", lang))
            builder.button(
                text=i18n.t("me.continue_button", lang),
                callback_data=ChangeMethodCallback(request_id=request.id),
            )
        else:
            lines.append(i18n.t("me.next_proof", lang, amount=request.amount))
        cancel_row(builder, i18n, lang, request.id)
    builder.button(
        text=i18n.t("shop.back_button", lang), callback_data=MenuCallback(action=MenuAction.HOME)
    )
    builder.adjust(1)
    await reply(event, "\n".join(lines), builder.as_markup())


def build_router() -> Router:
    router = Router(name="me")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    router.message.register(show_me, Command("me"))
    router.callback_query.register(show_me, MenuCallback.filter(F.action == MenuAction.ME))
    return router
