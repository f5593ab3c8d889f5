"""The shop in private chat: what is on offer (/buy), why a plan is not, and one plan's
quote with its Pay buttons (SPEC "Buying").

Every screen is rebuilt from what the payment service says now, so an old button
shows today's offers and prices.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.catalog import Plan
from domain.pricing import QuoteKind
from handlers.common.callbacks import (
    BuyCallback,
    CatalogCallback,
    CatalogView,
    MenuAction,
    MenuCallback,
    ModeChoice,
    PlanCallback,
)
from handlers.common.payment_screens import payment_problem_text
from handlers.common.replies import reply
from kernel.i18n import Translator
from kernel.names import plan_name, quote_breakdown
from services.payments import Offers, PaymentError, PaymentService


def facilities(i18n: Translator, lang: str, plan: Plan) -> str:
    key = f"facilities.{plan.tier.code}"
    if i18n.has(key):
        return i18n.t(key, lang)
    return i18n.t("facilities.other", lang, tier={"key": f"tier.{plan.tier.code}"})


async def show_catalog(
    event: Message | CallbackQuery, payments: PaymentService, i18n: Translator, lang: str
) -> None:
    assert event.from_user is not None
    found = await payments.offers(event.from_user.id)
    await render_catalog(event, found, i18n, lang)


async def render_catalog(
    event: Message | CallbackQuery, found: Offers, i18n: Translator, lang: str
) -> None:
    builder = InlineKeyboardBuilder()
    if not found.offers:
        text = i18n.t("shop.nothing_to_buy", lang)
    else:
        lines = [i18n.t("shop.title", lang)]
        tiers: dict[str, list[str]] = {}  # each tier's facilities once, its plans under it
        for offer in found.offers:
            cheapest = min(q.amount for q in offer.quotes)
            several = len(offer.quotes) > 1
            renewal = not several and offer.quotes[0].kind is QuoteKind.RENEWAL
            name = plan_name(offer.plan)
            price_key = "shop.price_from" if several else "shop.price"
            if renewal:  # the plan they hold: say it renews it
                price_key = "shop.price_renew"
            code = offer.plan.tier.code
            if code not in tiers:
                tiers[code] = [
                    i18n.t(
                        "shop.tier_block",
                        lang,
                        tier={"key": f"tier.{code}"},
                        facilities=facilities(i18n, lang, offer.plan),
                    )
                ]
            tiers[code].append(
                i18n.t(
                    "shop.offer",
                    lang,
                    plan=name,
                    price={"key": price_key, "params": {"amount": cheapest}},
                )
            )
            label_key = "shop.offer_button_from" if several else "shop.offer_button"
            if renewal:
                label_key = "shop.offer_button_renew"
            builder.button(
                text=i18n.t(label_key, lang, plan=name, amount=cheapest),
                callback_data=PlanCallback(plan_id=offer.plan.id),
            )
        for block in tiers.values():
            lines += block
        text = "\n".join(lines)
    if found.unavailable:
        builder.button(
            text=i18n.t("shop.why_button", lang),
            callback_data=CatalogCallback(view=CatalogView.UNAVAILABLE),
        )
    builder.button(
        text=i18n.t("shop.back_button", lang), callback_data=MenuCallback(action=MenuAction.HOME)
    )
    builder.adjust(1)
    await reply(event, text, builder.as_markup())


async def show_unavailable(
    query: CallbackQuery, payments: PaymentService, i18n: Translator, lang: str
) -> None:
    found = await payments.offers(query.from_user.id)
    if not found.unavailable:  # an old button: everything is on offer now
        await render_catalog(query, found, i18n, lang)
        return
    lines = [i18n.t("shop.unavailable_title", lang)]
    for item in found.unavailable:
        reason = {"key": f"not_offered.{item.reason.value}"}
        lines.append(
            i18n.t("shop.unavailable_line", lang, plan=plan_name(item.plan), reason=reason)
        )
    builder = InlineKeyboardBuilder()
    builder.button(
        text=i18n.t("shop.back_button", lang), callback_data=MenuCallback(action=MenuAction.SHOP)
    )
    await reply(query, "\n".join(lines), builder.as_markup())


async def show_quote(
    query: CallbackQuery,
    callback_data: PlanCallback,
    payments: PaymentService,
    i18n: Translator,
    lang: str,
) -> None:
    try:
        offer, base = await payments.preview(query.from_user.id, callback_data.plan_id)
    except PaymentError as error:
        await query.answer(payment_problem_text(error, i18n, lang), show_alert=True)
        return
    choosing = len(offer.quotes) > 1
    parts = [
        i18n.t(
            "shop.quote_title",
            lang,
            plan=plan_name(offer.plan),
            facilities=facilities(i18n, lang, offer.plan),
        )
    ]
    if any(q.lifetime_full_price_notice for q in offer.quotes):
        parts.append(i18n.t("shop.lifetime_notice", lang) + "\n")
    if choosing:
        parts.append(i18n.t("shop.choose_mode", lang))
    builder = InlineKeyboardBuilder()
    for q in offer.quotes:
        if choosing:
            parts.append(i18n.t(f"shop.mode_{q.mode}", lang))
        said = quote_breakdown(q, base)
        parts.append(i18n.t(said["key"], lang, **said["params"]) + "\n")
        if choosing:
            label = i18n.t(f"shop.mode_{q.mode}_button", lang, amount=q.amount)
        else:
            label = i18n.t("shop.pay_button", lang, amount=q.amount)
        mode = ModeChoice(q.mode.value) if q.mode is not None else ModeChoice.NONE
        builder.button(text=label, callback_data=BuyCallback(plan_id=offer.plan.id, mode=mode))
    builder.button(
        text=i18n.t("shop.back_button", lang), callback_data=MenuCallback(action=MenuAction.SHOP)
    )
    builder.adjust(1)
    await reply(query, "\n".join(parts).strip(), builder.as_markup())


def build_router() -> Router:
    router = Router(name="shop")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    router.message.register(show_catalog, Command("buy"))
    router.callback_query.register(show_catalog, MenuCallback.filter(F.action == MenuAction.SHOP))
    router.callback_query.register(
        show_catalog, CatalogCallback.filter(F.view == CatalogView.OFFERS)
    )
    router.callback_query.register(
        show_unavailable, CatalogCallback.filter(F.view == CatalogView.UNAVAILABLE)
    )
    router.callback_query.register(show_quote, PlanCallback.filter())
    return router
