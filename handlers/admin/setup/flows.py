"""The four setup flows of the owner: a payment method, a plan, a price, a commission
structure. Each reads typed answers with the typed commands' own parsers, so a wrong
answer gets the same short, specific reply as the command would give."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from aiogram.types import Message

from domain.catalog import Plan, Tier
from domain.commission import earliest_new_structure
from domain.reports import jakarta_day
from domain.states import PaymentMethodKind
from handlers.admin.catalog import price
from handlers.admin.ledger import parse_day, percent_text, split_percents
from handlers.admin.setup.callbacks import SetupFlow
from handlers.admin.setup.spec import Answers, Ctx, Done, Option, Refused, Spec
from handlers.common.admin_command import AdminCall
from kernel.actor import Actor
from kernel.admin_input import NewMethod, parse_duration, parse_method
from kernel.dates import day_param
from kernel.names import plan_name

TIERS = ("basic", "vip")
DAYS_OFFERED = (30, 90, 365)  # besides lifetime (choice 0)
_SHARES = re.compile(r"[\s/]+")


def _call(message: Message, ctx: Ctx) -> AdminCall:
    return AdminCall(message, None, ctx.i18n, ctx.lang)


def _tier_options(ctx: Ctx) -> list[Option]:
    return [Option(ctx.t(f"tier.{code}"), index, code) for index, code in enumerate(TIERS, start=1)]


def _no_bar(text: str, ctx: Ctx) -> str:
    if "|" in text:
        raise Refused(ctx.t("setup.no_bar"))
    return text


def _plan(tier: str, days: Any) -> Plan:
    """A plan as named to people (its id and price do not matter for the name)."""
    return Plan(0, "-", Tier(tier, 1), None if days == "lifetime" else int(days), 0)


class MethodFlow:
    flow = SetupFlow.METHOD
    command = "addmethod"

    def questions(self, answers: Answers) -> list[str]:
        if answers.get("kind") == PaymentMethodKind.QRIS.value:
            return ["kind", "label", "photo"]
        return ["kind", "label", "account_name", "account_number"]

    async def options(self, question: str, answers: Answers, ctx: Ctx) -> list[Option]:
        if question != "kind":
            return []
        return [
            Option(ctx.t(f"setup.method_kind_{kind.value}"), index, kind.value)
            for index, kind in enumerate(PaymentMethodKind, start=1)
        ]

    def writable(self, question: str) -> bool:
        return False

    async def parse(
        self, question: str, message: Message, text: str, answers: Answers, ctx: Ctx
    ) -> Any:
        if question == "photo":
            if not message.photo:
                raise Refused(ctx.t("setup.method_photo_needed"))
            return max(message.photo, key=lambda size: size.width * size.height).file_id
        text = _no_bar(text, ctx)
        if question == "label":
            return parse_method(f"qris {text}").label
        if question == "account_name":
            return parse_method(f"bank X | {text} | 12345").account_name
        return parse_method(f"bank X | Y | {text}").account_number

    def summary(self, answers: Answers, ctx: Ctx) -> list[str]:
        lines = []
        if "kind" in answers:
            kind = {"key": f"methods.kind_{answers['kind']}"}
            lines.append(ctx.t("setup.method_sum_kind", kind=kind))
        if "label" in answers:
            lines.append(ctx.t("setup.method_sum_label", label=answers["label"]))
        if "account_name" in answers:
            lines.append(ctx.t("setup.method_sum_name", name=answers["account_name"]))
        if "account_number" in answers:
            lines.append(ctx.t("setup.method_sum_number", number=answers["account_number"]))
        if "photo" in answers:
            lines.append(ctx.t("setup.method_sum_photo"))
        return lines

    async def act(self, answers: Answers, ctx: Ctx, actor: Actor) -> Done:
        new = NewMethod(
            PaymentMethodKind(answers["kind"]),
            answers["label"],
            answers.get("account_name"),
            answers.get("account_number"),
        )
        row = await ctx.catalog.add_method(new, actor, qris_file_id=answers.get("photo"))
        return Done(ctx.t("methods.added", code=row.code, label=row.label))


class PlanFlow:
    flow = SetupFlow.PLAN
    command = "addplan"

    def questions(self, answers: Answers) -> list[str]:
        return ["tier", "days", "price"]

    async def options(self, question: str, answers: Answers, ctx: Ctx) -> list[Option]:
        if question == "tier":
            return _tier_options(ctx)
        if question == "days":
            lifetime = Option(ctx.t("setup.plan_lifetime"), 0, "lifetime")
            return [lifetime] + [
                Option(ctx.t("setup.plan_days_option", days=days), days, days)
                for days in DAYS_OFFERED
            ]
        return []

    def writable(self, question: str) -> bool:
        return question == "days"

    async def parse(
        self, question: str, message: Message, text: str, answers: Answers, ctx: Ctx
    ) -> Any:
        if question == "days":
            days = parse_duration(text)
            return "lifetime" if days is None else days
        return price(_call(message, ctx), text)

    def summary(self, answers: Answers, ctx: Ctx) -> list[str]:
        lines = []
        if "tier" in answers:
            lines.append(ctx.t("setup.sum_tier", tier={"key": f"tier.{answers['tier']}"}))
        if "days" in answers:
            plan = _plan(answers["tier"], answers["days"])
            lines.append(ctx.t("setup.plan_sum_plan", plan=plan_name(plan)))
        if "price" in answers:
            lines.append(ctx.t("setup.sum_price", price=answers["price"]))
        return lines

    async def act(self, answers: Answers, ctx: Ctx, actor: Actor) -> Done:
        days = answers["days"]
        row = await ctx.catalog.add_plan(
            answers["tier"], None if days == "lifetime" else int(days), answers["price"], actor
        )
        text = ctx.t(
            "plans.added", code=row.plan.code, plan=plan_name(row.plan), price=row.plan.price
        )
        return Done(text)


class PriceFlow:
    flow = SetupFlow.PRICE
    command = "setprice"

    def questions(self, answers: Answers) -> list[str]:
        return ["plan", "price"]

    async def options(self, question: str, answers: Answers, ctx: Ctx) -> list[Option]:
        if question != "plan":
            return []
        return [
            Option(
                ctx.t("setup.price_option", plan=plan_name(row.plan), price=row.plan.price),
                row.plan.id,
                {
                    "code": row.plan.code,
                    "tier": row.plan.tier.code,
                    "days": row.plan.duration_days or "lifetime",
                    "old": row.plan.price,
                },
            )
            for row in await ctx.catalog.plans()
        ]

    def writable(self, question: str) -> bool:
        return False

    async def parse(
        self, question: str, message: Message, text: str, answers: Answers, ctx: Ctx
    ) -> Any:
        chosen = answers["plan"]
        amount = price(_call(message, ctx), text)
        if amount == chosen["old"]:
            raise Refused(
                ctx.t(
                    "tools.problem_same_price",
                    plan=plan_name(_plan(chosen["tier"], chosen["days"])),
                    code=chosen["code"],
                    price=amount,
                )
            )
        return amount

    def summary(self, answers: Answers, ctx: Ctx) -> list[str]:
        if "plan" not in answers:
            return []
        chosen = answers["plan"]
        name = plan_name(_plan(chosen["tier"], chosen["days"]))
        lines = [ctx.t("setup.price_sum_plan", plan=name, code=chosen["code"], old=chosen["old"])]
        if "price" in answers:
            lines.append(ctx.t("setup.price_sum_new", old=chosen["old"], new=answers["price"]))
        return lines

    async def act(self, answers: Answers, ctx: Ctx, actor: Actor) -> Done:
        change = await ctx.catalog.set_price(answers["plan"]["code"], answers["price"], actor)
        text = ctx.t(
            "plans.price_changed",
            plan=plan_name(change.plan),
            code=change.plan.code,
            old=change.old_price,
            new=change.new_price,
        )
        return Done(text)


class StructureFlow:
    flow = SetupFlow.STRUCTURE
    command = "addstructure"

    def questions(self, answers: Answers) -> list[str]:
        return ["tier", "shares", "start"]

    def _earliest(self, ctx: Ctx) -> date:
        return earliest_new_structure(jakarta_day(ctx.clock.now(), ctx.zone))

    async def options(self, question: str, answers: Answers, ctx: Ctx) -> list[Option]:
        if question == "tier":
            return _tier_options(ctx)
        if question != "start":
            return []
        tomorrow = self._earliest(ctx)
        next_month = (tomorrow.replace(day=28) + timedelta(days=4)).replace(day=1)
        days = [tomorrow] if tomorrow.day == 1 else [tomorrow, next_month]
        keys = ("setup.struct_tomorrow", "setup.struct_next_month")
        return [
            Option(ctx.t(key, day=day_param(day)), index, day.isoformat())
            for index, (key, day) in enumerate(zip(keys, days, strict=False), start=1)
        ]

    def writable(self, question: str) -> bool:
        return question == "start"

    async def parse(
        self, question: str, message: Message, text: str, answers: Answers, ctx: Ctx
    ) -> Any:
        if question == "shares":
            shares = [part for part in _SHARES.split(text) if part]
            if len(shares) != 3:
                raise Refused(ctx.t("setup.struct_shares_format"))
            return split_percents(_call(message, ctx), shares)
        day = parse_day(text)
        if day is None:
            raise Refused(ctx.t("structures.bad_date", given=text[:32]))
        earliest = self._earliest(ctx)
        if day < earliest:
            raise Refused(ctx.t("structures.problem_starts_in_past", earliest=day_param(earliest)))
        return day.isoformat()

    def summary(self, answers: Answers, ctx: Ctx) -> list[str]:
        lines = []
        if "tier" in answers:
            lines.append(ctx.t("setup.sum_tier", tier={"key": f"tier.{answers['tier']}"}))
        if "shares" in answers:
            member, leader, owner = (percent_text(bp) for bp in answers["shares"])
            lines.append(
                ctx.t("setup.struct_sum_shares", member=member, leader=leader, owner=owner)
            )
        if "start" in answers:
            day = date.fromisoformat(answers["start"])
            lines.append(ctx.t("setup.struct_sum_start", day=day_param(day)))
        return lines

    async def act(self, answers: Answers, ctx: Ctx, actor: Actor) -> Done:
        member, leader, owner = answers["shares"]
        start = date.fromisoformat(answers["start"])
        row = await ctx.ledger.add_structure(answers["tier"], member, leader, owner, start, actor)
        text = ctx.t(
            "structures.added",
            tier={"key": f"tier.{row.tier_code}"},
            member=percent_text(row.member_bp),
            leader=percent_text(row.leader_bp),
            owner=percent_text(row.owner_bp),
            start=day_param(row.effective_from),
        )
        return Done(text)


FLOWS: tuple[Spec, ...] = (MethodFlow(), PlanFlow(), PriceFlow(), StructureFlow())
SPECS: dict[SetupFlow, Spec] = {spec.flow: spec for spec in FLOWS}
