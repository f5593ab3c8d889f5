"""Starting a purchase (the quote frozen in a request), choosing how to pay, and the
member cancelling their open request."""

from __future__ import annotations

from datetime import datetime

from domain.people import Person
from domain.pricing import NotOffered, UpgradeMode, quote
from domain.states import OPEN_PAYMENT_STATUSES, PaymentStatus
from services.payments._base import PaymentServiceBase
from services.payments._shared import active_methods, method_view, view_of
from services.payments.views import (
    MethodChoice,
    MethodView,
    PaymentError,
    PaymentProblem,
    PaymentView,
)
from storage.uow import UnitOfWork


async def _open_purchase(
    uow: UnitOfWork, member: Person, plan_id: int, mode: UpgradeMode | None, now: datetime
) -> PaymentView:
    """Quote the plan for a member without an open request and freeze the quote in a
    new request (the caller commits)."""
    found = await uow.catalog.plan(plan_id)
    if found is None or not found[1]:
        raise PaymentError(PaymentProblem.PLAN_UNAVAILABLE)
    plan = found[0]
    held = await uow.memberships.held(member.id)
    result = quote(held, plan, await uow.catalog.policy(plan), now, mode)
    if isinstance(result, NotOffered):
        raise PaymentError(PaymentProblem.NOT_OFFERED, result.reason)
    request = await uow.payments.open(member.id, result, now)
    if request is None:
        # Two taps raced past the caller's check; the index kept one (and spoiled this
        # transaction: nothing more can be read in it).
        raise PaymentError(PaymentProblem.OPEN_REQUEST)
    return await view_of(uow, request)


class Purchasing(PaymentServiceBase):
    async def start_purchase(
        self, telegram_id: int, plan_id: int, mode: UpgradeMode | None = None
    ) -> PaymentView:
        """Quote the plan for this member now and freeze the quote in a new request.

        A member has at most one open request (the database enforces it too); a
        quote once given never changes, even if the owner changes the price."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await self._member(uow, telegram_id)
            open_request = await uow.payments.open_of(member.id)
            if open_request is not None:
                raise PaymentError(PaymentProblem.OPEN_REQUEST, await view_of(uow, open_request))
            view = await _open_purchase(uow, member, plan_id, mode, now)
            await uow.commit()
            return view

    async def begin_purchase(
        self, telegram_id: int, plan_id: int, mode: UpgradeMode | None = None
    ) -> MethodChoice:
        """A Pay button: `start_purchase` and the methods to pay with, in one transaction.

        Refuses NO_METHODS before anything else when no method is active (nothing is
        opened then), and OPEN_REQUEST with the open request and the methods (a
        `MethodChoice`) as its detail; after a lost race (two taps at once) the detail is
        None and the request that won is read afresh.

        With a single active method there is nothing to choose: the new request is
        set to that method at once (its view has `method_id`)."""
        now = self.clock.now()
        async with self.uow() as uow:
            methods = await active_methods(uow)
            if not methods:
                raise PaymentError(PaymentProblem.NO_METHODS)
            member = await self._member(uow, telegram_id)
            open_request = await uow.payments.open_of(member.id)
            if open_request is not None:
                choice = MethodChoice(await view_of(uow, open_request), methods)
                raise PaymentError(PaymentProblem.OPEN_REQUEST, choice)
            view = await _open_purchase(uow, member, plan_id, mode, now)
            if len(methods) == 1:
                await uow.payments.set_method(view.id, methods[0].id, now)
                changed = await uow.payments.get(view.id)
                assert changed is not None
                view = await view_of(uow, changed)
            await uow.commit()
            return MethodChoice(view, methods)

    async def method_choice(self, telegram_id: int, request_id: int) -> MethodChoice:
        """The member's open request `request_id` and the methods they may switch to, in
        one transaction. Refuses NO_OPEN_REQUEST (none open, another one, or someone who
        never pressed /start) and ALREADY_SUBMITTED (the view as detail)."""
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(telegram_id)
            request = None if member is None else await uow.payments.open_of(member.id)
            if request is None or request.id != request_id:
                raise PaymentError(PaymentProblem.NO_OPEN_REQUEST)
            view = await view_of(uow, request)
            if request.status != PaymentStatus.AWAITING_PROOF:
                raise PaymentError(PaymentProblem.ALREADY_SUBMITTED, view)
            return MethodChoice(view, await active_methods(uow))

    async def choose_method(
        self, telegram_id: int, request_id: int, method_id: int
    ) -> tuple[PaymentView, MethodView]:
        """Set (or change) how the member pays their open request, before the proof."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await self._member(uow, telegram_id)
            request = await uow.payments.open_of(member.id)
            if request is None or request.id != request_id:
                raise PaymentError(PaymentProblem.NO_OPEN_REQUEST)
            if request.status != PaymentStatus.AWAITING_PROOF:
                raise PaymentError(PaymentProblem.ALREADY_SUBMITTED, await view_of(uow, request))
            method = await uow.methods.by_id(method_id)
            if method is None or not method.is_active:
                raise PaymentError(PaymentProblem.METHOD_UNAVAILABLE)
            await uow.payments.set_method(request.id, method.id, now)
            changed = await uow.payments.get(request.id)
            assert changed is not None
            result = (await view_of(uow, changed), method_view(method))
            await uow.commit()
            return result

    async def cancel(self, telegram_id: int, request_id: int | None = None) -> PaymentView:
        """The member closes their open request (before an admin decided). With
        `request_id` (a Cancel button) only that request: an old button never closes
        a newer one."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await self._member(uow, telegram_id)
            request = await uow.payments.open_of(member.id)
            if request is None or (request_id is not None and request.id != request_id):
                raise PaymentError(PaymentProblem.NO_OPEN_REQUEST)
            closed = await uow.payments.close(
                request.id,
                OPEN_PAYMENT_STATUSES,
                PaymentStatus.CANCELLED,
                "member_cancelled",
                now,
            )
            if not closed:
                raise PaymentError(PaymentProblem.NO_OPEN_REQUEST)
            await uow.proofs.withdraw_submitted(request.id)
            cancelled = await uow.payments.get(request.id)
            assert cancelled is not None
            view = await view_of(uow, cancelled)
            await uow.commit()
            return view
