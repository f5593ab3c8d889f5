"""The catalog an owner runs: plans, prices and the payment methods members pay with.

Every change is one transaction holding the change, its history row
(plan_price_changes) and an admin_actions row naming who did it and when.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from domain.catalog import Plan
from domain.language import resolve_language
from domain.states import PaymentMethodKind
from kernel.actor import Actor
from kernel.admin_input import (
    MAX_DURATION_DAYS,
    PRICE_MAX,
    PRICE_MIN,
    AdminProblem,
    AdminToolError,
    MemberRef,
    NewMethod,
    method_code,
)
from kernel.clock import Clock
from kernel.names import plan_name
from services.access import GroupConfig
from storage import models
from storage.models import AdminAction, Member, PaymentMethod
from storage.repos.catalog import to_plan
from storage.uow import UnitOfWork, UnitOfWorkFactory

MEMBERSHIPS_SHOWN = 10
PAYMENTS_SHOWN = 10


@dataclass(frozen=True, slots=True)
class PlanRow:
    plan: Plan
    on_sale: bool
    position: int
    retired_at: datetime | None


@dataclass(frozen=True, slots=True)
class PriceChange:
    plan: Plan
    old_price: int
    new_price: int


@dataclass(frozen=True, slots=True)
class MethodRow:
    id: int
    code: str
    kind: PaymentMethodKind
    label: str
    account_name: str | None
    account_number: str | None
    has_qris: bool
    active: bool
    position: int


def _method_row(row: PaymentMethod) -> MethodRow:
    return MethodRow(
        id=row.id,
        code=row.code,
        kind=PaymentMethodKind(row.kind),
        label=row.label,
        account_name=row.account_name,
        account_number=row.account_number,
        has_qris=row.qris_file_id is not None,
        active=row.is_active,
        position=row.position,
    )


class CatalogService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        zone: ZoneInfo,
        default_language: str,
        *,
        group: GroupConfig | None = None,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.zone = zone
        self.default_language = default_language
        # Grants and revocations open or close the discussion group like payments do.
        self.group = group or GroupConfig(None, 0, default_language, zone)

    def _date(self, moment: datetime | None) -> str:
        return "-" if moment is None else f"{moment.astimezone(self.zone):%d-%m-%Y}"

    # ------------------------------------------------------------------ lookups

    async def _member(self, uow: UnitOfWork, ref: MemberRef) -> Member:
        if ref.telegram_id is not None:
            member = await uow.members.by_telegram_id(ref.telegram_id)
        else:
            # Usernames are case-insensitive; a name that changed hands is found on the
            # member who was seen with it last.
            result = await uow.session.execute(
                select(Member)
                .where(func.lower(Member.username) == (ref.username or "").lower())
                .order_by(Member.last_seen_at.desc(), Member.id.desc())
                .limit(1)
            )
            member = result.scalar_one_or_none()
        if member is None:
            raise AdminToolError(AdminProblem.MEMBER_NOT_FOUND, given=str(ref))
        return member

    async def _plan_codes(self, uow: UnitOfWork) -> str:
        codes = await uow.session.execute(
            select(models.Plan.code).order_by(models.Plan.position, models.Plan.id)
        )
        return ", ".join(codes.scalars()) or "-"

    async def _plan(
        self, uow: UnitOfWork, code: str, *, lock: bool = False
    ) -> tuple[models.Plan, Plan]:
        query = (
            select(models.Plan, models.Tier)
            .join(models.Tier, models.Plan.tier_id == models.Tier.id)
            .where(models.Plan.code == code.strip().lower())
        )
        if lock:
            query = query.with_for_update(of=models.Plan)
        row = (await uow.session.execute(query)).first()
        if row is None:
            raise AdminToolError(
                AdminProblem.PLAN_NOT_FOUND,
                code=code.strip()[:48],
                known=await self._plan_codes(uow),
            )
        return row[0], to_plan(row[0], row[1])

    def _language(self, member: Member) -> str:
        return resolve_language(
            member.chosen_language, member.telegram_language, self.default_language
        )

    @staticmethod
    def _audit(
        uow: UnitOfWork, actor: Actor, action: str, target: str, now: datetime, **details: Any
    ) -> None:
        uow.session.add(
            AdminAction(
                actor_telegram_id=actor.telegram_id,
                action=action,
                target=target[:64],
                details={"name": actor.name, **details},
                created_at=now,
            )
        )

    async def plans(self) -> list[PlanRow]:
        async with self.uow() as uow:
            rows = await uow.session.execute(
                select(models.Plan, models.Tier)
                .join(models.Tier, models.Plan.tier_id == models.Tier.id)
                .order_by(models.Plan.position, models.Plan.id)
            )
            return [
                PlanRow(to_plan(p, t), p.is_active, p.position, p.retired_at) for p, t in rows.all()
            ]

    async def set_price(self, plan_code: str, price: int, actor: Actor) -> PriceChange:
        """A new list price from now on; quotes already given keep theirs (they are frozen
        in payment_requests), and so do memberships (their list_price)."""
        if not PRICE_MIN <= price <= PRICE_MAX:
            raise ValueError("price out of range; parse it with parse_price")
        now = self.clock.now()
        async with self.uow() as uow:
            row, plan = await self._plan(uow, plan_code, lock=True)
            old = row.price
            if old == price:
                raise AdminToolError(
                    AdminProblem.SAME_PRICE, plan=plan_name(plan), code=plan.code, price=price
                )
            row.price = price
            uow.session.add(
                models.PlanPriceChange(
                    plan_id=row.id,
                    old_price=old,
                    new_price=price,
                    changed_by=actor.telegram_id,
                    changed_at=now,
                )
            )
            self._audit(
                uow, actor, "catalog.set_price", f"plan:{plan.code}", now,
                plan=plan.code, old_price=old, new_price=price,
            )  # fmt: skip
            change = PriceChange(dataclasses.replace(plan, price=price), old, price)
            await uow.commit()
            return change

    async def add_plan(
        self, tier_code: str, duration_days: int | None, price: int, actor: Actor
    ) -> PlanRow:
        """A new plan on sale, after the existing ones; its code says what it is
        (`vip_30d`, `vip_lifetime`)."""
        if duration_days is not None and not 1 <= duration_days <= MAX_DURATION_DAYS:
            raise AdminToolError(AdminProblem.BAD_DURATION, given=str(duration_days))
        if not PRICE_MIN <= price <= PRICE_MAX:
            raise ValueError("price out of range; parse it with parse_price")
        now = self.clock.now()
        async with self.uow() as uow:
            tier = (
                await uow.session.execute(
                    select(models.Tier).where(models.Tier.code == tier_code.strip().lower())
                )
            ).scalar_one_or_none()
            if tier is None:
                known = await uow.session.execute(
                    select(models.Tier.code).order_by(models.Tier.rank)
                )
                raise AdminToolError(
                    AdminProblem.TIER_NOT_FOUND,
                    tier=tier_code.strip()[:24],
                    known=", ".join(known.scalars()),
                )
            code = (
                f"{tier.code}_lifetime"
                if duration_days is None
                else f"{tier.code}_{duration_days}d"
            )
            same = await uow.session.execute(
                select(models.Plan)
                .where(
                    (models.Plan.code == code)
                    | (
                        (models.Plan.tier_id == tier.id)
                        & (
                            models.Plan.duration_days.is_(None)
                            if duration_days is None
                            else models.Plan.duration_days == duration_days
                        )
                    )
                )
                .limit(1)
            )
            existing = same.scalar_one_or_none()
            if existing is not None:
                self._exists(existing, tier)
            last = await uow.session.execute(select(func.max(models.Plan.position)))
            row = models.Plan(
                code=code,
                tier_id=tier.id,
                duration_days=duration_days,
                price=price,
                allow_accumulate=None,
                is_active=True,
                position=(last.scalar() or 0) + 1,
                created_at=now,
            )
            uow.session.add(row)
            try:
                await uow.session.flush()
            except IntegrityError:
                raise AdminToolError(
                    AdminProblem.PLAN_EXISTS, code=code, plan=plan_name(to_plan(row, tier))
                ) from None
            self._audit(
                uow, actor, "catalog.add_plan", f"plan:{code}", now,
                plan=code, tier=tier.code, duration_days=duration_days, price=price,
            )  # fmt: skip
            view = PlanRow(to_plan(row, tier), True, row.position, None)
            await uow.commit()
            return view

    @staticmethod
    def _exists(existing: models.Plan, tier: models.Tier) -> None:
        params = {"code": existing.code, "plan": plan_name(to_plan(existing, tier))}
        if existing.is_active:
            raise AdminToolError(AdminProblem.PLAN_EXISTS, **params)
        raise AdminToolError(AdminProblem.PLAN_EXISTS_RETIRED, **params)

    async def retire_plan(self, plan_code: str, actor: Actor) -> PlanRow:
        """Off sale from now; memberships already held keep working."""
        return await self._set_on_sale(plan_code, False, actor)

    async def unretire_plan(self, plan_code: str, actor: Actor) -> PlanRow:
        return await self._set_on_sale(plan_code, True, actor)

    async def _set_on_sale(self, plan_code: str, on_sale: bool, actor: Actor) -> PlanRow:
        now = self.clock.now()
        async with self.uow() as uow:
            row, plan = await self._plan(uow, plan_code)
            changed = await uow.session.execute(
                update(models.Plan)
                .where(models.Plan.id == row.id, models.Plan.is_active.is_(not on_sale))
                .values(is_active=on_sale, retired_at=None if on_sale else now)
            )
            if not changed.rowcount:  # type: ignore[attr-defined]
                problem = AdminProblem.ALREADY_ON_SALE if on_sale else AdminProblem.ALREADY_RETIRED
                raise AdminToolError(problem, code=plan.code, plan=plan_name(plan))
            action = "catalog.unretire_plan" if on_sale else "catalog.retire_plan"
            self._audit(uow, actor, action, f"plan:{plan.code}", now, plan=plan.code)
            view = PlanRow(plan, on_sale, row.position, None if on_sale else now)
            await uow.commit()
            return view

    # ------------------------------------------------------------------ payment methods

    async def methods(self) -> list[MethodRow]:
        async with self.uow() as uow:
            rows = await uow.session.execute(
                select(PaymentMethod).order_by(PaymentMethod.position, PaymentMethod.id)
            )
            return [_method_row(row) for row in rows.scalars()]

    async def add_method(
        self, new: NewMethod, actor: Actor, *, qris_file_id: str | None = None
    ) -> MethodRow:
        """A payment method members can choose, active and listed after the others.
        A QRIS method needs the picture (`qris_file_id`, the photo's largest size)."""
        if new.kind is PaymentMethodKind.QRIS and not qris_file_id:
            raise AdminToolError(AdminProblem.QRIS_NEEDS_PHOTO)
        now = self.clock.now()
        async with self.uow() as uow:
            taken = set((await uow.session.execute(select(PaymentMethod.code))).scalars())
            last = await uow.session.execute(select(func.max(PaymentMethod.position)))
            row = PaymentMethod(
                code=method_code(new.label, new.kind, taken),
                kind=new.kind,
                label=new.label,
                account_name=new.account_name,
                account_number=new.account_number,
                qris_file_id=qris_file_id if new.kind is PaymentMethodKind.QRIS else None,
                is_active=True,
                position=(last.scalar() or 0) + 1,
            )
            uow.session.add(row)
            await uow.session.flush()
            self._audit(
                uow, actor, "payment_method.add", f"method:{row.code}", now,
                code=row.code, kind=new.kind.value, label=new.label,
                account_name=new.account_name, account_number=new.account_number,
            )  # fmt: skip
            view = _method_row(row)
            await uow.commit()
            return view

    async def set_method_active(self, code: str, active: bool, actor: Actor) -> MethodRow:
        now = self.clock.now()
        async with self.uow() as uow:
            found = await uow.session.execute(
                select(PaymentMethod).where(PaymentMethod.code == code.strip().lower())
            )
            row = found.scalar_one_or_none()
            if row is None:
                known = await uow.session.execute(
                    select(PaymentMethod.code).order_by(PaymentMethod.position, PaymentMethod.id)
                )
                raise AdminToolError(
                    AdminProblem.METHOD_NOT_FOUND,
                    code=code.strip()[:32],
                    known=", ".join(known.scalars()) or "-",
                )
            changed = await uow.session.execute(
                update(PaymentMethod)
                .where(PaymentMethod.id == row.id, PaymentMethod.is_active.is_(not active))
                .values(is_active=active)
            )
            if not changed.rowcount:  # type: ignore[attr-defined]
                problem = (
                    AdminProblem.METHOD_ALREADY_ON if active else AdminProblem.METHOD_ALREADY_OFF
                )
                raise AdminToolError(problem, code=row.code, label=row.label)
            action = "payment_method.on" if active else "payment_method.off"
            self._audit(uow, actor, action, f"method:{row.code}", now, code=row.code)
            await uow.session.refresh(row)
            view = _method_row(row)
            await uow.commit()
            return view
