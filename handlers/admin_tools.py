"""Admin-group commands: member lookup, grant/revoke, plans, prices, payment methods.

Admins: /member, /grant, /revoke. The owner only: /plans, /setprice, /addplan,
/retireplan, /unretireplan, /methods, /addmethod, /methodoff, /methodon.
Every handler checks the person again (`allowed`), answers in the sender's
language, and says exactly what format it expects when the input is wrong.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from domain.membership import MembershipStatus
from domain.money import MoneyParseError
from domain.states import PaymentMethodKind
from handlers.common.admins import AdminGate
from handlers.common.config import HandlerConfig
from handlers.common.filters import InAdminChat, allowed
from kernel.actor import Actor
from kernel.admin_input import (
    AdminToolError,
    parse_duration,
    parse_member_ref,
    parse_method,
    parse_price,
)
from kernel.i18n import Translator
from kernel.names import plan_name
from services.catalog import CatalogService, MethodRow
from services.member_lookup import MemberCard, MemberLookupService, MembershipLine
from services.memberships_admin import MembershipService

# Telegram's limit is 4096; long lists are split on line boundaries below it.
MESSAGE_BUDGET = 4000


def _actor(message: Message) -> Actor:
    assert message.from_user is not None
    return Actor(message.from_user.id, message.from_user.full_name)


def _args(command: CommandObject) -> str:
    return (command.args or "").strip()


def _day(moment: datetime | None, zone: ZoneInfo) -> str:
    return "-" if moment is None else f"{moment.astimezone(zone):%d-%m-%Y}"


async def _reply_lines(message: Message, lines: list[str]) -> None:
    """Reply with the lines, in as few messages as Telegram's length limit allows."""
    chunk: list[str] = []
    size = 0
    for line in lines:
        line = line[:MESSAGE_BUDGET]
        if chunk and size + len(line) + 1 > MESSAGE_BUDGET:
            await message.reply("\n".join(chunk))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        await message.reply("\n".join(chunk))


async def _problem(message: Message, i18n: Translator, lang: str, error: AdminToolError) -> None:
    await message.reply(i18n.t(f"tools.problem_{error.problem.value}", lang, **error.params))


async def _price(message: Message, i18n: Translator, lang: str, text: str) -> int | None:
    """The price typed, or None after telling the owner what is accepted."""
    try:
        return parse_price(text)
    except MoneyParseError as error:
        await message.reply(
            i18n.t(
                f"plans.amount_{error.code.value}",
                lang,
                given=text.strip()[:64],
                min=error.minimum,
                max=error.maximum,
            )
        )
        return None


# ---------------------------------------------------------------------------- members


def membership_text(line: MembershipLine, i18n: Translator, lang: str, zone: ZoneInfo) -> str:
    common: dict[str, Any] = {
        "plan": plan_name(line.plan),
        "activated": _day(line.activated_at, zone),
        "expires": _day(line.expires_at, zone),
        "note": {"key": "tools.ms_manual"} if line.granted_by is not None else "",
    }
    if line.status is MembershipStatus.PENDING:
        return i18n.t("tools.ms_pending", lang, **common)
    if line.status is not MembershipStatus.ACTIVE:
        return i18n.t(
            "tools.ms_ended",
            lang,
            status={"key": f"tools.status_{line.status.value}"},
            ended=_day(line.ended_at or line.expires_at, zone),
            **common,
        )
    if line.lapsed:
        return i18n.t("tools.ms_lapsed", lang, **common)
    if line.expires_at is None:
        return i18n.t("tools.ms_active_lifetime", lang, **common)
    return i18n.t("tools.ms_active_until", lang, remaining=line.remaining_days, **common)


def card_lines(card: MemberCard, i18n: Translator, lang: str, zone: ZoneInfo) -> list[str]:
    tier = {"key": f"tier.{card.tier.code}"} if card.tier else {"key": "tools.no_tier"}
    lines = [
        i18n.t(
            "tools.card",
            lang,
            name=card.name,
            username=f"@{card.username}" if card.username else {"key": "tools.no_username"},
            telegram_id=card.telegram_id,
            language={"key": f"language.name_{card.language}"},
            tier=tier,
        ),
        "",
        i18n.t("tools.card_memberships", lang),
    ]
    lines += [membership_text(m, i18n, lang, zone) for m in card.memberships]
    if not card.memberships:
        lines.append(i18n.t("tools.card_none", lang))
    if card.hidden_memberships:
        lines.append(i18n.t("tools.card_more", lang, count=card.hidden_memberships))
    lines += ["", i18n.t("tools.card_payments", lang)]
    for p in card.payments:
        lines.append(
            i18n.t(
                "tools.pay_line",
                lang,
                id=p.id,
                plan=plan_name(p.plan),
                amount=p.amount,
                status={"key": f"tools.pay_status_{p.status.value}"},
                date=f"{p.created_at.astimezone(zone):%d-%m-%Y %H:%M}",
            )
        )
    if not card.payments:
        lines.append(i18n.t("tools.card_none", lang))
    return lines


async def member_lookup(
    message: Message,
    command: CommandObject,
    member_lookup: MemberLookupService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    config: HandlerConfig,
) -> None:
    if not await allowed(message, admins, i18n, lang):
        return
    args = _args(command).split()
    if len(args) != 1:
        await message.reply(i18n.t("tools.usage_member", lang))
        return
    try:
        card = await member_lookup.member_card(parse_member_ref(args[0]))
    except AdminToolError as error:
        await _problem(message, i18n, lang, error)
        return
    await _reply_lines(message, card_lines(card, i18n, lang, config.zone))


async def grant(
    message: Message,
    command: CommandObject,
    memberships: MembershipService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    config: HandlerConfig,
) -> None:
    if not await allowed(message, admins, i18n, lang):
        return
    parts = _args(command).split(maxsplit=2)
    if len(parts) < 2:
        await message.reply(i18n.t("tools.usage_grant", lang))
        return
    reason = parts[2] if len(parts) == 3 else ""
    try:
        done = await memberships.grant(
            parse_member_ref(parts[0]), parts[1], reason, _actor(message)
        )
    except AdminToolError as error:
        await _problem(message, i18n, lang, error)
        return
    params: dict[str, Any] = {
        "plan": plan_name(done.plan),
        "name": done.name,
        "telegram_id": done.telegram_id,
        "reason": reason.strip(),
        "until": _day(done.expires_at, config.zone),
        "old": _day(done.old_expires_at, config.zone),
    }
    key = "tools.granted_until"
    if done.renewed:
        key = "tools.extended"
    elif done.expires_at is None:
        key = "tools.granted_lifetime"
    await message.reply(i18n.t(key, lang, **params))


async def revoke(
    message: Message,
    command: CommandObject,
    memberships: MembershipService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(message, admins, i18n, lang):
        return
    parts = _args(command).split(maxsplit=2)
    if len(parts) < 2:
        await message.reply(i18n.t("tools.usage_revoke", lang))
        return
    reason = parts[2] if len(parts) == 3 else ""
    try:
        done = await memberships.revoke(
            parse_member_ref(parts[0]), parts[1], reason, _actor(message)
        )
    except AdminToolError as error:
        await _problem(message, i18n, lang, error)
        return
    await message.reply(
        i18n.t(
            "tools.revoked",
            lang,
            plan=plan_name(done.plan),
            name=done.name,
            telegram_id=done.telegram_id,
            reason=reason.strip(),
        )
    )


# ---------------------------------------------------------------------------- plans (owner)


async def plans_list(
    message: Message, catalog: CatalogService, admins: AdminGate, i18n: Translator, lang: str
) -> None:
    if not await allowed(message, admins, i18n, lang, owner=True):
        return
    rows = await catalog.plans()
    if not rows:
        await message.reply(i18n.t("plans.empty", lang))
        return
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
    await _reply_lines(message, lines)


async def set_price(
    message: Message,
    command: CommandObject,
    catalog: CatalogService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(message, admins, i18n, lang, owner=True):
        return
    parts = _args(command).split(maxsplit=1)
    if len(parts) < 2:
        await message.reply(i18n.t("plans.usage_setprice", lang))
        return
    price = await _price(message, i18n, lang, parts[1])
    if price is None:
        return
    try:
        change = await catalog.set_price(parts[0], price, _actor(message))
    except AdminToolError as error:
        await _problem(message, i18n, lang, error)
        return
    await message.reply(
        i18n.t(
            "plans.price_changed",
            lang,
            plan=plan_name(change.plan),
            code=change.plan.code,
            old=change.old_price,
            new=change.new_price,
        )
    )


async def add_plan(
    message: Message,
    command: CommandObject,
    catalog: CatalogService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(message, admins, i18n, lang, owner=True):
        return
    parts = _args(command).split(maxsplit=2)
    if len(parts) < 3:
        await message.reply(i18n.t("plans.usage_addplan", lang))
        return
    try:
        days = parse_duration(parts[1])
    except AdminToolError as error:
        await _problem(message, i18n, lang, error)
        return
    price = await _price(message, i18n, lang, parts[2])
    if price is None:
        return
    try:
        row = await catalog.add_plan(parts[0], days, price, _actor(message))
    except AdminToolError as error:
        await _problem(message, i18n, lang, error)
        return
    await message.reply(
        i18n.t(
            "plans.added", lang, code=row.plan.code, plan=plan_name(row.plan), price=row.plan.price
        )
    )


def _on_sale_command(on_sale: bool) -> Callable[..., Awaitable[None]]:
    usage = "plans.usage_unretireplan" if on_sale else "plans.usage_retireplan"
    done_key = "plans.unretired_done" if on_sale else "plans.retired_done"

    async def handler(
        message: Message,
        command: CommandObject,
        catalog: CatalogService,
        admins: AdminGate,
        i18n: Translator,
        lang: str,
    ) -> None:
        if not await allowed(message, admins, i18n, lang, owner=True):
            return
        parts = _args(command).split()
        if len(parts) != 1:
            await message.reply(i18n.t(usage, lang))
            return
        change = catalog.unretire_plan if on_sale else catalog.retire_plan
        try:
            row = await change(parts[0], _actor(message))
        except AdminToolError as error:
            await _problem(message, i18n, lang, error)
            return
        await message.reply(i18n.t(done_key, lang, code=row.plan.code, plan=plan_name(row.plan)))

    return handler


# ---------------------------------------------------------------------------- methods (owner)


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


async def methods_list(
    message: Message, catalog: CatalogService, admins: AdminGate, i18n: Translator, lang: str
) -> None:
    if not await allowed(message, admins, i18n, lang, owner=True):
        return
    rows = await catalog.methods()
    if not rows:
        await message.reply(i18n.t("methods.empty", lang))
        return
    lines = [i18n.t("methods.title", lang, count=len(rows))]
    lines += [method_text(row, i18n, lang) for row in rows]
    await _reply_lines(message, lines)


async def add_method(
    message: Message,
    command: CommandObject,
    catalog: CatalogService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(message, admins, i18n, lang, owner=True):
        return
    args = _args(command)
    if not args:
        await message.reply(i18n.t("methods.usage_addmethod", lang))
        return
    # The largest size of a photo sent with the command as its caption (QRIS).
    photo = max(message.photo, key=lambda size: size.width * size.height) if message.photo else None
    try:
        row = await catalog.add_method(
            parse_method(args), _actor(message), qris_file_id=photo.file_id if photo else None
        )
    except AdminToolError as error:
        await _problem(message, i18n, lang, error)
        return
    await message.reply(i18n.t("methods.added", lang, code=row.code, label=row.label))


def _method_switch(active: bool) -> Callable[..., Awaitable[None]]:
    usage = "methods.usage_methodon" if active else "methods.usage_methodoff"
    done_key = "methods.turned_on" if active else "methods.turned_off"

    async def handler(
        message: Message,
        command: CommandObject,
        catalog: CatalogService,
        admins: AdminGate,
        i18n: Translator,
        lang: str,
    ) -> None:
        if not await allowed(message, admins, i18n, lang, owner=True):
            return
        parts = _args(command).split()
        if len(parts) != 1:
            await message.reply(i18n.t(usage, lang))
            return
        try:
            row = await catalog.set_method_active(parts[0], active, _actor(message))
        except AdminToolError as error:
            await _problem(message, i18n, lang, error)
            return
        await message.reply(i18n.t(done_key, lang, code=row.code, label=row.label))

    return handler


def build_router() -> Router:
    router = Router(name="admin_tools")
    router.message.filter(InAdminChat())
    router.message.register(member_lookup, Command("member"))
    router.message.register(grant, Command("grant"))
    router.message.register(revoke, Command("revoke"))
    router.message.register(plans_list, Command("plans"))
    router.message.register(set_price, Command("setprice"))
    router.message.register(add_plan, Command("addplan"))
    router.message.register(_on_sale_command(False), Command("retireplan"))
    router.message.register(_on_sale_command(True), Command("unretireplan"))
    router.message.register(methods_list, Command("methods"))
    router.message.register(add_method, Command("addmethod"))
    router.message.register(_method_switch(False), Command("methodoff"))
    router.message.register(_method_switch(True), Command("methodon"))
    return router
