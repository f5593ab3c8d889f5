"""What the admins read about requests under review: /pending, a request's card, where
a request stands, who decided a proof."""

from __future__ import annotations

import dataclasses

from domain.people import full_name
from domain.states import PaymentStatus, ProofStatus
from services.payments._base import PaymentServiceBase
from services.payments._shared import decision_of, proof_decision_of, review_card, view_of
from services.payments.views import (
    Decision,
    PaymentError,
    PaymentProblem,
    ReviewCard,
    Reviewed,
    WaitingRequest,
)
from storage.uow import UnitOfWork


async def check_proof(uow: UnitOfWork, request_id: int, proof_id: int | None) -> None:
    """A card's button names a request and a proof; unless the proof is one of that
    request's, the tap is about nothing (`NOT_FOUND`)."""
    if proof_id is not None and proof_id not in await uow.proofs.ids(request_id):
        raise PaymentError(PaymentProblem.NOT_FOUND)


async def reviewed(uow: UnitOfWork, decision: Decision, proof_id: int | None) -> Reviewed:
    """The decision with the request's card and reasons as they are now in `uow`."""
    request = await uow.payments.get(decision.request_id)
    if request is None:
        raise PaymentError(PaymentProblem.NOT_FOUND)
    latest = await uow.proofs.latest(request.id)
    rejected = latest is not None and latest.status == ProofStatus.REJECTED
    earlier: Decision | None = None
    if proof_id is not None and decision.applied:
        # This very transaction decided that proof (its audit row is written at commit).
        earlier = dataclasses.replace(decision, applied=False, membership_id=None)
    elif proof_id is not None:
        earlier = await proof_decision_of(uow, proof_id)
    return Reviewed(
        decision=decision,
        card=await review_card(uow, request, latest),
        reject_reason=latest.reject_reason if latest is not None and rejected else None,
        proof_decision=earlier,
    )


class ReviewQueue(PaymentServiceBase):
    async def pending(self, limit: int = 10) -> tuple[list[ReviewCard], list[WaitingRequest], int]:
        """Open requests, oldest first: cards of those waiting for a decision (at most
        `limit`), those still waiting for the member's proof, and how many wait in all."""
        async with self.uow() as uow:
            requests = await uow.payments.open_requests()
            submitted = [r for r in requests if r.status == PaymentStatus.SUBMITTED]
            cards = [
                await review_card(uow, r, await uow.proofs.latest(r.id)) for r in submitted[:limit]
            ]
            waiting = []
            for r in requests:
                if r.status != PaymentStatus.AWAITING_PROOF:
                    continue
                member = await uow.members.by_id(r.member_id)
                assert member is not None
                name = full_name(member.first_name, member.last_name)
                waiting.append(WaitingRequest(await view_of(uow, r), name))
            return cards, waiting, len(submitted)

    async def card(self, request_id: int) -> ReviewCard:
        async with self.uow() as uow:
            request = await uow.payments.get(request_id)
            if request is None:
                raise PaymentError(PaymentProblem.NOT_FOUND)
            return await review_card(uow, request, await uow.proofs.latest(request_id))

    async def decision(self, request_id: int) -> Decision:
        """Where a request stands now (`applied` is False): for a tap that decides nothing."""
        async with self.uow() as uow:
            return await decision_of(uow, request_id)

    async def proof_decision(self, proof_id: int) -> Decision | None:
        """Who rejected or accepted one proof and when (None while it is under review)."""
        async with self.uow() as uow:
            return await proof_decision_of(uow, proof_id)

    async def proof_ids(self, request_id: int) -> list[int]:
        """The ids of every proof sent for a request, oldest first."""
        async with self.uow() as uow:
            return await uow.proofs.ids(request_id)

    async def last_reject_reason(self, request_id: int) -> str | None:
        async with self.uow() as uow:
            proof = await uow.proofs.latest(request_id)
            if proof is None or proof.status != ProofStatus.REJECTED:
                return None
            return proof.reject_reason

    async def review_state(self, request_id: int, proof_id: int | None = None) -> Reviewed:
        """A tap on a card that decides nothing (open the reasons, go back, write one,
        a stale button), in one transaction: where the request stands, its card now and
        the reasons. `PaymentError(NOT_FOUND)` when `proof_id` is not one of the
        request's proofs or the request is gone."""
        async with self.uow() as uow:
            await check_proof(uow, request_id, proof_id)
            return await reviewed(uow, await decision_of(uow, request_id), proof_id)
