"""An admin approves a submitted payment: the membership it buys is activated, renewed
or upgraded (services/memberships/activation.py), in one transaction with the accepted
proof, the member's message and the group access that follows."""

from __future__ import annotations

from typing import Any

from domain.states import PaymentStatus
from kernel.actor import Actor
from kernel.dates import local_day_param
from kernel.names import plan_name
from services.access import RemovalCause, tell_with_access
from services.memberships.activation import Activation, activate
from services.payments._base import PaymentServiceBase
from services.payments._shared import decision_of, payment_target
from services.payments.review_queue import check_proof, reviewed
from services.payments.views import Decision, Reviewed
from storage.repos.payments import PaymentRecord
from storage.uow import UnitOfWork


class Approving(PaymentServiceBase):
    async def approve(self, request_id: int, admin: Actor, proof_id: int | None = None) -> Decision:
        """Approve a submitted request and activate, upgrade or renew as its frozen quote says.

        One transaction: the compare-and-set submitted → approved, the membership
        change, the accepted proof and the member's message. Anyone after the first
        gets `applied=False` with who decided and when."""
        async with self.uow() as uow:
            decision = await self._approve(uow, request_id, admin, proof_id)
            await uow.commit()
            return decision

    async def review_approve(self, request_id: int, admin: Actor, proof_id: int) -> Reviewed:
        """An admin's Approve tap on a card, in one transaction: the proof must be one of
        the request's (else `PaymentError(NOT_FOUND)`, nothing written), then `approve`,
        then the card and reasons as they are after it."""
        async with self.uow() as uow:
            await check_proof(uow, request_id, proof_id)
            decision = await self._approve(uow, request_id, admin, proof_id)
            result = await reviewed(uow, decision, proof_id, self.clock.now())
            await uow.commit()
            return result

    async def _approve(
        self, uow: UnitOfWork, request_id: int, admin: Actor, proof_id: int | None
    ) -> Decision:
        now = self.clock.now()
        admin_telegram_id = admin.telegram_id
        if not await uow.payments.close(
            request_id,
            (PaymentStatus.SUBMITTED,),
            PaymentStatus.APPROVED,
            "approved",
            now,
            admin_telegram_id,
            proof_id,
        ):
            return await decision_of(uow, request_id)
        uow.audit.record(admin, "approve_payment", payment_target(request_id), now)
        request = await uow.payments.get(request_id)
        assert request is not None
        found = await uow.catalog.plan(request.plan_id)
        assert found is not None
        membership = await activate(
            uow, request.member_id, found[0], request.quote, now, admin_telegram_id
        )
        await uow.payments.set_result(request.id, membership.membership_id)
        await uow.proofs.accept_submitted(request.id, admin_telegram_id, now)
        member = await uow.members.by_id(request.member_id)
        assert member is not None
        key, params = await self._approved(uow, request, membership)
        # An upgrade ends its base in this same transaction: the new plan decides. A new
        # VIP's invite opens with the approval: one message, not two.
        await tell_with_access(
            uow, member, now, self.group, cause=RemovalCause.DOWNGRADED, key=key, params=params,
            dedupe_key=f"payment:{request.id}:approved", language=self.default_language,
        )  # fmt: skip
        return Decision(
            request.id,
            True,
            PaymentStatus.APPROVED,
            admin_telegram_id,
            now,
            membership.membership_id,
            admin.name,
        )

    async def _approved(
        self, uow: UnitOfWork, request: PaymentRecord, membership: Activation
    ) -> tuple[str, dict[str, Any]]:
        """The approval message to the member: its key and params."""
        found = await uow.catalog.plan(request.plan_id)
        assert found is not None
        params: dict[str, Any] = {"plan": plan_name(found[0]), "request": request.id}
        key = "payment.approved_lifetime"
        if membership.expires_at is not None:
            key = "payment.approved_until"
            params["until"] = local_day_param(membership.expires_at, self.zone)
        return key, params
