"""Starting a purchase (the quote frozen in a request), choosing how to pay, and the
member cancelling their open request."""

from __future__ import annotations

from domain.pricing import NotOffered, UpgradeMode, quote
from domain.states import OPEN_PAYMENT_STATUSES, PaymentStatus
from services.payments._base import PaymentServiceBase
from services.payments._shared import method_view, view_of
from services.payments.views import MethodView, PaymentError, PaymentProblem, PaymentView


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
                # Two taps raced past the check above; the index kept one.
                raise PaymentError(PaymentProblem.OPEN_REQUEST)
            view = await view_of(uow, request)
            await uow.commit()
            return view

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
