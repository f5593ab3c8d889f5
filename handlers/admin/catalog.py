"""The catalog in the admin group, the owner only: /plans, /setprice, /addplan,
/retireplan, /unretireplan; /methods, /addmethod, /methodoff, /methodon.

Each command answers in the sender's language and says exactly what format it expects
when the input is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import InlineKeyboardMarkup

from domain.money import MoneyParseError
from domain.states import PaymentMethodKind
from handlers.common.admin_command import (
    AdminCall,
    Handler,
    ReplyInstead,
    admin_command,
    fields,
    whole_line,
    words,
)
from handlers.common.filters import InAdminChat
from handlers.common.spaced import method_with_bars
from kernel.admin_input import parse_duration, parse_method, parse_price
from kernel.i18n import Translator
from kernel.names import plan_name
from services.catalog import CatalogService, MethodRow, PlanRow


def price(call: AdminCall, given: str) -> int:
    """The price typed; else the owner is told what is accepted (ReplyInstead)."""
    try:
        return parse_price(given)
    except MoneyParseError as error:
        raise ReplyInstead(
            call.t(
                f"plans.amount_{error.code.value}",
                given=given.strip()[:64],
                min=error.minimum,
                max=error.maximum,
            )
        ) from None


@admin_command(owner=True)
async def plans_list(
    call: AdminCall, catalog: CatalogService, list_markup: InlineKeyboardMarkup | None = None
) -> None:
    await call.reply_lines(plan_lines(await catalog.plans(), call.i18n, call.lang), list_markup)


def plan_lines(rows: Sequence[PlanRow], i18n: Translator, lang: str) -> list[str]:
    """The /plans list (also redrawn by the list's buttons)."""
    if not rows:
        return [i18n.t("plans.empty", lang)]
    lines = [i18n.t("plans.title", lang, count=len(rows))]
    lines += [
        i18n.t(
            "plans.line",
            lang,
            code=row.plan.code,
            plan=plan_name(row.plan),
            price=row.plan.price,
            state={"key": "plans.on_sale" if row.on_sale else "plans.retired"},
        )
        for row in rows
    ]
    return lines


@admin_command("plans.usage_setprice", args=fields(2, maxsplit=1), owner=True)
async def set_price(call: AdminCall, catalog: CatalogService) -> None:
    code, amount = call.args[0], price(call, call.args[1])
    change = await catalog.set_price(code, amount, call.actor)
    await call.say(
        "plans.price_changed",
        plan=plan_name(change.plan),
        code=change.plan.code,
        old=change.old_price,
        new=change.new_price,
    )


@admin_command("plans.usage_addplan", args=fields(3, maxsplit=2), owner=True)
async def add_plan(call: AdminCall, catalog: CatalogService) -> None:
    code, days = call.args[0], parse_duration(call.args[1])
    amount = price(call, call.args[2])
    row = await catalog.add_plan(code, days, amount, call.actor)
    await call.say(
        "plans.added", code=row.plan.code, plan=plan_name(row.plan), price=row.plan.price
    )


def plan_on_sale(on_sale: bool) -> Handler:
    """/unretireplan (on sale again) or /retireplan (off sale) PLAN."""
    usage = "plans.usage_unretireplan" if on_sale else "plans.usage_retireplan"
    done_key = "plans.unretired_done" if on_sale else "plans.retired_done"

    @admin_command(usage, args=words(1), owner=True)
    async def switch_plan(call: AdminCall, catalog: CatalogService) -> None:
        change = catalog.unretire_plan if on_sale else catalog.retire_plan
        row = await change(call.args[0], call.actor)
        await call.say(done_key, code=row.plan.code, plan=plan_name(row.plan))

    return switch_plan


def method_text(row: MethodRow, i18n: Translator, lang: str) -> str:
    params: dict[str, Any] = {
        "code": row.code,
        "kind": {"key": f"methods.kind_{row.kind.value}"},
        "label": row.label,
        "account_name": row.account_name or "-",
        "account_number": row.account_number or "-",
        "state": {"key": "methods.state_on" if row.active else "methods.state_off"},
    }
    key = "methods.line_qris" if row.kind is PaymentMethodKind.QRIS else "methods.line_account"
    return i18n.t(key, lang, **params)


@admin_command(owner=True)
async def methods_list(
    call: AdminCall, catalog: CatalogService, list_markup: InlineKeyboardMarkup | None = None
) -> None:
    await call.reply_lines(method_lines(await catalog.methods(), call.i18n, call.lang), list_markup)


def method_lines(rows: Sequence[MethodRow], i18n: Translator, lang: str) -> list[str]:
    """The /methods list (also redrawn by the list's buttons)."""
    if not rows:
        return [i18n.t("methods.empty", lang)]
    lines = [i18n.t("methods.title", lang, count=len(rows))]
    return lines + [method_text(row, i18n, lang) for row in rows]


@admin_command("methods.usage_addmethod", args=whole_line, owner=True)
async def add_method(call: AdminCall, catalog: CatalogService) -> None:
    # The largest size of a photo sent with the command as its caption (QRIS).
    photos = call.message.photo
    photo = max(photos, key=lambda size: size.width * size.height) if photos else None
    row = await catalog.add_method(
        parse_method(method_with_bars(call.args)),
        call.actor,
        qris_file_id=photo.file_id if photo else None,
    )
    await call.say("methods.added", code=row.code, label=row.label)


def method_active(active: bool) -> Handler:
    """/methodon or /methodoff METHOD."""
    usage = "methods.usage_methodon" if active else "methods.usage_methodoff"
    done_key = "methods.turned_on" if active else "methods.turned_off"

    @admin_command(usage, args=words(1), owner=True)
    async def switch_method(call: AdminCall, catalog: CatalogService) -> None:
        row = await catalog.set_method_active(call.args[0], active, call.actor)
        await call.say(done_key, code=row.code, label=row.label)

    return switch_method


def build_router() -> Router:
    router = Router(name="admin_catalog")
    router.message.filter(InAdminChat())
    router.message.register(plans_list, Command("plans"))
    router.message.register(set_price, Command("setprice"))
    router.message.register(add_plan, Command("addplan"))
    router.message.register(plan_on_sale(False), Command("retireplan"))
    router.message.register(plan_on_sale(True), Command("unretireplan"))
    router.message.register(methods_list, Command("methods"))
    router.message.register(add_method, Command("addmethod"))
    router.message.register(method_active(False), Command("methodoff"))
    router.message.register(method_active(True), Command("methodon"))
    return router
