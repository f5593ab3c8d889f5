"""What the admins read about requests under review: /pending, a request's card, where
a request stands, who decided a proof."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from domain.catalog import Plan
from domain.people import full_name
from domain.states import PaymentStatus, ProofStatus
from services.affiliates import offer_of
from services.payments._base import PaymentServiceBase
from services.payments._shared import (
    card_of,
    decision_of,
    proof_decision_of,
    review_card,
)
from services.payments.views import (
    Decision,
    PaymentError,
    PaymentProblem,
    PaymentView,
    PendingQueue,
    ReviewCard,
    Reviewed,
    WaitingRequest,
)
from storage.repos.methods import MethodRecord
from storage.repos.payments import OpenRequest
from storage.uow import UnitOfWork


async def check_proof(uow: UnitOfWork, request_id: int, proof_id: int | None) -> None:
    """A card's button names a request and a proof; unless the proof is one of that
    request's, the tap is about nothing (`NOT_FOUND`)."""
    if proof_id is not None and proof_id not in await uow.proofs.ids(request_id):
        raise PaymentError(PaymentProblem.NOT_FOUND)


async def reviewed(
    uow: UnitOfWork, decision: Decision, proof_id: int | None, now: datetime
) -> Reviewed:
    """The decision with the request's card, reasons and account offer as they are now
    in `uow`."""
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
    offer = None
    if decision.status == PaymentStatus.APPROVED:
        offer = await offer_of(uow, request.member_id, now)
    return Reviewed(
        decision=decision,
        card=await review_card(uow, request, latest),
        reject_reason=latest.reject_reason if latest is not None and rejected else None,
        proof_decision=earlier,
        offer=offer,
    )


class ReviewQueue(PaymentServiceBase):
    async def pending(self, limit: int = 10, waiting_shown: int = 30) -> PendingQueue:
        """Open requests, oldest first: cards of those waiting for a decision (at most
        `limit`), those still waiting for the member's proof (at most `waiting_shown`),
        and how many of each wait in all."""
        async with self.uow() as uow:
            counts = await uow.payments.open_counts()
            submitted = [
                r.id for r in await uow.payments.open_queue(PaymentStatus.SUBMITTED, limit)
            ]
            awaiting = await uow.payments.open_queue(PaymentStatus.AWAITING_PROOF, waiting_shown)
            # A fixed number of queries whatever the queue's length: each kind of row is
            # read for every card at once; plans and methods once per distinct one.
            shown = await uow.payments.with_members(submitted)
            earlier = await uow.payments.of_proofs(
                {
                    proof.duplicate_of_proof_id
                    for _, _, proof in shown.values()
                    if proof is not None and proof.duplicate_of_proof_id is not None
                }
            )
            plans: dict[int, Plan] = {}

            async def plan(plan_id: int) -> Plan:
                if plan_id not in plans:
                    found = await uow.catalog.plan(plan_id)
                    assert found is not None
                    plans[plan_id] = found[0]
                return plans[plan_id]

            methods: dict[int, MethodRecord | None] = {}

            async def method(method_id: int | None) -> MethodRecord | None:
                key = method_id or -1
                if key not in methods:
                    methods[key] = await uow.methods.by_id(key)
                return methods[key]

            cards = []
            for request_id in submitted:
                r, member, proof = shown[request_id]
                twin = None
                if proof is not None and proof.duplicate_of_proof_id is not None:
                    twin = earlier.get(proof.duplicate_of_proof_id)
                    assert twin is not None
                base_id = r.quote.base_plan_id
                cards.append(
                    card_of(
                        r,
                        proof,
                        member,
                        await plan(r.plan_id),
                        await plan(base_id) if base_id else None,
                        await method(r.method_id),
                        twin,
                    )
                )
            waiting = [
                WaitingRequest(
                    _line_view(r, await plan(r.plan_id)),
                    full_name(r.first_name, r.last_name),
                )
                for r in awaiting
            ]
            return PendingQueue(
                cards,
                waiting,
                counts[PaymentStatus.SUBMITTED],
                counts[PaymentStatus.AWAITING_PROOF],
            )

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
            decision = await decision_of(uow, request_id)
            return await reviewed(uow, decision, proof_id, self.clock.now())


def _line_view(line: OpenRequest, plan: Plan) -> PaymentView:
    """`payment_view` of a request as /pending lists it."""
    return PaymentView(
        id=line.id,
        plan=plan,
        member_id=line.member_id,
        plan_id=line.plan_id,
        status=line.status,
        method_id=line.method_id,
        kind=line.kind,
        mode=line.mode or None,
        list_price=line.list_price,
        credit=line.credit,
        amount=line.amount,
        days_carried=line.days_carried,
        base_remaining_days=line.base_remaining_days,
    )
