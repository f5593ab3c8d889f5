"""What a member sees before and while buying: the offers with their quotes, one plan's
quote, the payment methods, their open request with the methods, and /me's part
(`overview_of`: what they hold and their open request)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain.catalog import Plan, PlanPolicy
from domain.membership import HeldMembership, effective_tier, remaining_days
from domain.people import Person
from domain.pricing import NotOffered, NotOfferedReason, Quote, UpgradeMode, quote
from services.payments._base import PaymentServiceBase
from services.payments._shared import active_methods, method_view, view_of
from services.payments.views import (
    Holding,
    MethodChoice,
    MethodView,
    Offer,
    Offers,
    Overview,
    PaymentError,
    PaymentProblem,
    PaymentView,
    Unavailable,
)
from storage.uow import UnitOfWork


def quotes_for(
    held: Sequence[HeldMembership], plan: Plan, policy: PlanPolicy, now: datetime
) -> tuple[Quote, ...] | NotOffered:
    """The quote for `plan`, or one per mode when the member must choose."""
    single = quote(held, plan, policy, now)
    if isinstance(single, Quote):
        return (single,)
    if single.reason is not NotOfferedReason.MODE_REQUIRED:
        return single
    return tuple(
        q
        for mode in (UpgradeMode.ACCUMULATE, UpgradeMode.FULL)
        if isinstance(q := quote(held, plan, policy, now, mode), Quote)
    )


async def overview_of(uow: UnitOfWork, member: Person, now: datetime) -> Overview:
    """What /me shows of a member's plans: their effective tier, what they hold, their
    open payment (in the caller's transaction)."""
    held = await uow.memberships.held(member.id)
    holdings = tuple(
        Holding(h.plan, h.expires_at, remaining_days(h.expires_at, now))
        for h in held
        if h.expires_at is None or h.expires_at > now
    )
    request = await uow.payments.open_of(member.id)
    plan = method = None
    if request is not None:
        found = await uow.catalog.plan(request.plan_id)
        plan = found[0] if found else None
        if request.method_id is not None:
            record = await uow.methods.by_id(request.method_id)
            method = method_view(record) if record is not None else None
    return Overview(
        tier=effective_tier(held, now),
        holdings=holdings,
        open_request=await view_of(uow, request) if request is not None else None,
        open_plan=plan,
        open_method=method,
    )


class Browsing(PaymentServiceBase):
    async def offers(self, telegram_id: int) -> Offers:
        """Every plan on sale, split into what this member can buy now (with its quote,
        one per mode when they must choose) and what not, with the reason."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await self._member(uow, telegram_id)
            held = await uow.memberships.held(member.id)
            offers: list[Offer] = []
            unavailable: list[Unavailable] = []
            for plan in await uow.catalog.plans_on_sale():
                quotes = quotes_for(held, plan, await uow.catalog.policy(plan), now)
                if isinstance(quotes, NotOffered):
                    unavailable.append(Unavailable(plan, quotes.reason))
                else:
                    offers.append(Offer(plan, quotes))
            return Offers(tuple(offers), tuple(unavailable))

    async def preview(self, telegram_id: int, plan_id: int) -> tuple[Offer, Plan | None]:
        """The quote(s) for one plan, and the plan the member upgrades from (if any)."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await self._member(uow, telegram_id)
            found = await uow.catalog.plan(plan_id)
            if found is None or not found[1]:
                raise PaymentError(PaymentProblem.PLAN_UNAVAILABLE)
            plan = found[0]
            held = await uow.memberships.held(member.id)
            quotes = quotes_for(held, plan, await uow.catalog.policy(plan), now)
            if isinstance(quotes, NotOffered):
                raise PaymentError(PaymentProblem.NOT_OFFERED, quotes.reason)
            base_id = quotes[0].base_plan_id
            base = await uow.catalog.plan(base_id) if base_id is not None else None
            return Offer(plan, quotes), (base[0] if base else None)

    async def methods(self) -> list[MethodView]:
        async with self.uow() as uow:
            return list(await active_methods(uow))

    async def overview(self, telegram_id: int) -> Overview:
        now = self.clock.now()
        async with self.uow() as uow:
            return await overview_of(uow, await self._member(uow, telegram_id), now)

    async def open_request(self, telegram_id: int) -> PaymentView | None:
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(telegram_id)
            if member is None:
                return None
            request = await uow.payments.open_of(member.id)
            return await view_of(uow, request) if request is not None else None

    async def open_request_with_methods(self, telegram_id: int) -> MethodChoice | None:
        """The member's open request and the payment methods on offer now, in one
        transaction (None: no open request, or someone who never pressed /start)."""
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(telegram_id)
            if member is None:
                return None
            request = await uow.payments.open_of(member.id)
            if request is None:
                return None
            return MethodChoice(await view_of(uow, request), await active_methods(uow))
