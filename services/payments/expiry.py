"""Closing requests that never got a proof: 24 hours after their last change."""

from __future__ import annotations

from datetime import timedelta

from domain.states import PaymentStatus
from services.payments._base import PaymentServiceBase

PROOF_DEADLINE = timedelta(hours=24)


class ClosingStale(PaymentServiceBase):
    async def expire_stale(self) -> int:
        """Close requests still without a proof 24 hours after their last change.

        Safe to run twice or after downtime: each close is a compare-and-set and
        the member's message has a dedupe key."""
        now = self.clock.now()
        async with self.uow() as uow:
            closed = 0
            for request_id in await uow.payments.stale_ids(now - PROOF_DEADLINE):
                if not await uow.payments.close(
                    request_id,
                    (PaymentStatus.AWAITING_PROOF,),
                    PaymentStatus.EXPIRED,
                    "no_proof_24h",
                    now,
                ):
                    continue
                closed += 1
                request = await uow.payments.get(request_id)
                assert request is not None
                await self._tell(
                    uow,
                    request.member_id,
                    "payment.expired",
                    {"request": request_id},
                    f"payment:{request_id}:expired",
                    now,
                )
            await uow.commit()
            return closed
