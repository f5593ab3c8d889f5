"""Reads the payment use cases share: a request's view, a method's view, the methods
on offer, where a request stands, who decided a proof, and the admins' card of a request."""

from __future__ import annotations

from typing import Any

from domain.catalog import Plan
from domain.people import Person, full_name
from domain.states import PaymentStatus, ProofStatus
from kernel.names import breakdown, plan_name
from services.payments.views import (
    Decision,
    MethodView,
    PaymentError,
    PaymentProblem,
    PaymentView,
    ReviewCard,
)
from storage.repos.methods import MethodRecord
from storage.repos.payments import PaymentRecord
from storage.repos.proofs import ProofRecord
from storage.uow import UnitOfWork


def payment_target(request_id: int) -> str:
    """How the audit trail names a request."""
    return f"payment:{request_id}"


async def view_of(uow: UnitOfWork, request: PaymentRecord) -> PaymentView:
    found = await uow.catalog.plan(request.plan_id)
    assert found is not None
    return payment_view(request, found[0])


def payment_view(request: PaymentRecord, plan: Plan) -> PaymentView:
    """A request's view, its plan already read."""
    quote = request.quote
    return PaymentView(
        id=request.id,
        plan=plan,
        member_id=request.member_id,
        plan_id=request.plan_id,
        status=request.status,
        method_id=request.method_id,
        kind=quote.kind,
        mode=quote.mode.value if quote.mode else None,
        list_price=quote.list_price,
        credit=quote.credit,
        amount=quote.amount,
        days_carried=quote.days_carried,
        base_remaining_days=quote.base_remaining_days,
    )


def method_view(method: MethodRecord) -> MethodView:
    return MethodView(
        id=method.id,
        code=method.code,
        kind=method.kind,
        label=method.label,
        account_name=method.account_name,
        account_number=method.account_number,
        qris_file_id=method.qris_file_id,
    )


async def active_methods(uow: UnitOfWork) -> tuple[MethodView, ...]:
    """The payment methods members may choose now, in order."""
    return tuple(method_view(method) for method in await uow.methods.active())


async def decision_of(uow: UnitOfWork, request_id: int) -> Decision:
    """The state of a request someone else already handled (or that is gone)."""
    request = await uow.payments.get(request_id)
    if request is None:
        raise PaymentError(PaymentProblem.NOT_FOUND)
    by, at, name = request.decided_by, request.decided_at, None
    if request.status == PaymentStatus.AWAITING_PROOF:
        # Rejected: the decision lives on the latest reviewed proof.
        proof = await uow.proofs.latest(request.id)
        if proof is not None and proof.status == ProofStatus.REJECTED:
            by, at = proof.reviewed_by, proof.reviewed_at
    if by is not None:
        details = await uow.audit.last_details(payment_target(request.id), by) or {}
        name = details.get("name")
    return Decision(
        request.id,
        False,
        request.status,
        by,
        at,
        request.result_membership_id,
        name,
    )


async def proof_decision_of(uow: UnitOfWork, proof_id: int) -> Decision | None:
    """Who rejected or accepted one proof and when (None while it is under review)."""
    proof = await uow.proofs.get(proof_id)
    if proof is None or proof.reviewed_by is None:
        return None
    details = await uow.audit.last_details(payment_target(proof.request_id), proof.reviewed_by)
    status = (
        PaymentStatus.APPROVED
        if proof.status == ProofStatus.ACCEPTED
        else PaymentStatus.AWAITING_PROOF
    )
    return Decision(
        proof.request_id,
        False,
        status,
        proof.reviewed_by,
        proof.reviewed_at,
        decided_by_name=(details or {}).get("name"),
    )


async def review_card(
    uow: UnitOfWork, request: PaymentRecord, proof: ProofRecord | None
) -> ReviewCard:
    """The admins' card of a request showing `proof`: who, what, how much, how paid, and
    whether the proof repeats an earlier one (this member's or someone else's)."""
    member = await uow.members.by_id(request.member_id)
    assert member is not None
    found = await uow.catalog.plan(request.plan_id)
    assert found is not None
    quote = request.quote
    base = await uow.catalog.plan(quote.base_plan_id) if quote.base_plan_id else None
    method = await uow.methods.by_id(request.method_id or -1)
    earlier: tuple[PaymentRecord, Person] | None = None
    if proof is not None and proof.duplicate_of_proof_id is not None:
        earlier_proof = await uow.proofs.get(proof.duplicate_of_proof_id)
        assert earlier_proof is not None
        earlier_request = await uow.payments.get(earlier_proof.request_id)
        assert earlier_request is not None
        owner = await uow.members.by_id(earlier_request.member_id)
        assert owner is not None
        earlier = (earlier_request, owner)
    return card_of(request, proof, member, found[0], base[0] if base else None, method, earlier)


def card_of(
    request: PaymentRecord,
    proof: ProofRecord | None,
    member: Person,
    plan: Plan,
    base: Plan | None,
    method: MethodRecord | None,
    earlier: tuple[PaymentRecord, Person] | None,
) -> ReviewCard:
    """`review_card` from what it reads: the member, the plan (and the upgrade's base
    plan), the method, and for a repeated proof the earlier proof's request and owner."""
    quote = request.quote
    flags: dict[str, Any] = {"key": "review.no_flags"}
    if earlier is not None:
        earlier_request, owner = earlier
        same = owner.id == member.id
        flags = {
            "key": "review.flag_duplicate_same" if same else "review.flag_duplicate_other",
            "params": {
                "request": earlier_request.id,
                "name": " ".join(filter(None, [owner.first_name, owner.last_name])),
                "telegram_id": owner.telegram_id,
            },
        }
    params: dict[str, Any] = {
        "request": request.id,
        "name": full_name(member.first_name, member.last_name),
        "username": f"@{member.username}" if member.username else "-",
        "telegram_id": member.telegram_id,
        "plan": plan_name(plan),
        "breakdown": breakdown(
            quote.kind,
            quote.list_price,
            quote.credit,
            quote.amount,
            quote.days_carried,
            quote.base_remaining_days,
            base,
        ),
        "amount": quote.amount,
        "method": method.label if method is not None else "-",
        "flags": flags,
    }
    is_document = proof is not None and proof.media_kind == "document"
    file_id = proof.telegram_file_id if proof is not None else None
    return ReviewCard(
        request_id=request.id,
        proof_id=proof.id if proof is not None else None,
        status=request.status,
        text_key="review.card",
        params=params,
        photo_file_id=None if is_document else file_id,
        document_file_id=file_id if is_document else None,
    )
