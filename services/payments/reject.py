"""An admin rejects a submitted proof with a listed reason or their own words: the
request waits for a new proof and the member is told why, in one transaction."""

from __future__ import annotations

from typing import Any

from domain.states import PaymentStatus, ProofRejectReason
from kernel.actor import Actor
from services.payments._base import PaymentServiceBase
from services.payments._shared import decision_of, payment_target
from services.payments.review_queue import check_proof, reviewed
from services.payments.views import Decision, Reviewed
from storage.uow import UnitOfWork


def _reason(code: ProofRejectReason | None, note: str | None) -> tuple[str, Any]:
    """What is stored (a code or the admin's words) and what the member is told."""
    if code is None and not (note or "").strip():
        raise ValueError("a rejection needs a reason")
    reason = code.value if code is not None else (note or "").strip()[:500]
    said: Any = {"key": f"reject_reason.{code.value}"} if code is not None else reason
    return reason, said


class Rejecting(PaymentServiceBase):
    async def reject(
        self,
        request_id: int,
        admin: Actor,
        *,
        code: ProofRejectReason | None = None,
        note: str | None = None,
        proof_id: int | None = None,
    ) -> Decision:
        """Reject the submitted proof with a listed reason (`code`) or the admin's own
        words (`note`): the request waits for a new proof and the member is told why.
        The request stays theirs, so they can resend or cancel."""
        reason = _reason(code, note)
        async with self.uow() as uow:
            decision = await self._reject(uow, request_id, admin, reason, proof_id)
            await uow.commit()
            return decision

    async def review_reject(
        self,
        request_id: int,
        admin: Actor,
        *,
        code: ProofRejectReason | None = None,
        note: str | None = None,
        proof_id: int | None = None,
    ) -> Reviewed:
        """An admin's rejection from a card (a listed reason tapped, or their words
        written), in one transaction: with `proof_id` the proof must be one of the
        request's (else `PaymentError(NOT_FOUND)`, nothing written), then `reject`, then
        the card, the reasons and who decided that proof, as they are after it."""
        reason = _reason(code, note)
        async with self.uow() as uow:
            await check_proof(uow, request_id, proof_id)
            decision = await self._reject(uow, request_id, admin, reason, proof_id)
            result = await reviewed(uow, decision, proof_id, self.clock.now())
            await uow.commit()
            return result

    async def _reject(
        self,
        uow: UnitOfWork,
        request_id: int,
        admin: Actor,
        reason: tuple[str, Any],
        proof_id: int | None,
    ) -> Decision:
        now = self.clock.now()
        stored, said = reason
        admin_telegram_id = admin.telegram_id
        if not await uow.payments.move(
            request_id,
            PaymentStatus.SUBMITTED,
            PaymentStatus.AWAITING_PROOF,
            now,
            proof_id,
        ):
            return await decision_of(uow, request_id)
        uow.audit.record(admin, "reject_payment", payment_target(request_id), now, reason=stored)
        await uow.proofs.reject_submitted(request_id, admin_telegram_id, now, stored)
        request = await uow.payments.get(request_id)
        assert request is not None
        attempt = await uow.proofs.count(request_id)
        await self._tell(
            uow,
            request.member_id,
            "payment.rejected",
            {"request": request_id, "reason": said},
            f"payment:{request_id}:rejected:{attempt}",
            now,
        )
        return Decision(
            request_id,
            True,
            PaymentStatus.AWAITING_PROOF,
            admin_telegram_id,
            now,
            decided_by_name=admin.name,
        )
