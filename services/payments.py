"""Buying a plan: the frozen quote, the proof, and the admin's decision.

Every decision is a compare-and-set on `payment_requests.status` inside one
transaction, so a double tap, a second admin or a replayed update changes
nothing; the member's message is queued in the same transaction.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from domain.catalog import Plan
from domain.language import resolve_language
from domain.membership import HeldMembership, MembershipStatus, renewal_expiry
from domain.pricing import NotOffered, Quote, QuoteKind, UpgradeMode, activation_window, quote
from domain.states import OPEN_PAYMENT_STATUSES, PaymentStatus, ProofStatus
from services.clock import Clock
from services.proof_images import hamming
from storage.models import Member, Membership, MembershipEvent, PaymentProof, PaymentRequest
from storage.repos.catalog import CatalogRepository
from storage.repos.memberships import MembershipRepository
from storage.repos.outbox import Notice
from storage.uow import UnitOfWork, UnitOfWorkFactory

PROOF_DEADLINE = timedelta(hours=24)


class PaymentProblem(StrEnum):
    NOT_REGISTERED = "not_registered"
    PLAN_UNAVAILABLE = "plan_unavailable"
    NOT_OFFERED = "not_offered"
    OPEN_REQUEST = "open_request"
    NO_OPEN_REQUEST = "no_open_request"
    NOT_FOUND = "not_found"


class PaymentError(Exception):
    def __init__(self, problem: PaymentProblem, detail: Any = None) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True, slots=True)
class PaymentView:
    id: int
    member_id: int
    plan_id: int
    status: PaymentStatus
    kind: QuoteKind
    mode: str | None
    list_price: int
    credit: int
    amount: int
    days_carried: int
    base_remaining_days: int | None


@dataclass(frozen=True, slots=True)
class ProofFile:
    """A checked proof image (see services/proof_images.py) and its Telegram ids."""

    telegram_file_id: str
    file_unique_id: str
    sha256: str
    perceptual_hash: str
    size_bytes: int
    width: int
    height: int
    image_format: str


@dataclass(frozen=True, slots=True)
class ProofReceipt:
    request_id: int
    proof_id: int
    duplicate_of_proof_id: int | None


@dataclass(frozen=True, slots=True)
class Decision:
    """What an admin's tap did: `applied` is False when someone else was first."""

    request_id: int
    applied: bool
    status: PaymentStatus
    decided_by: int | None
    decided_at: datetime | None
    membership_id: int | None = None


def _view(row: PaymentRequest) -> PaymentView:
    return PaymentView(
        id=row.id,
        member_id=row.member_id,
        plan_id=row.plan_id,
        status=PaymentStatus(row.status),
        kind=QuoteKind(row.quote_kind),
        mode=row.quote_mode,
        list_price=row.list_price,
        credit=row.credit,
        amount=row.amount,
        days_carried=row.days_carried,
        base_remaining_days=row.base_remaining_days,
    )


def plan_name(plan: Plan) -> dict[str, Any]:
    """A plan's display name as a nested translation (tier name + duration)."""
    tier = {"key": f"tier.{plan.tier.code}"}
    if plan.is_lifetime:
        return {"key": "plan.lifetime", "params": {"tier": tier}}
    return {"key": "plan.days", "params": {"tier": tier, "days": plan.duration_days}}


# Receipts from one bank app differ only in their digits, which a 64-bit hash cannot
# see: measured, most such pairs fall within the module's looser "similar" distance.
# Re-sent, recompressed, scaled or rotated copies measured at 4 or less, so only
# that close a match is flagged; a heavily cropped re-use may pass unflagged.
SAME_PICTURE_MAX_DISTANCE = 6


def _same_picture(stored: str, new: str) -> bool:
    try:
        return hamming(stored, new) <= SAME_PICTURE_MAX_DISTANCE
    except ValueError:  # a malformed stored hash must not block a member's proof
        return False


def _frozen_quote(row: PaymentRequest) -> Quote:
    return Quote(
        target_plan_id=row.plan_id,
        kind=QuoteKind(row.quote_kind),
        list_price=row.list_price,
        credit=row.credit,
        amount=row.amount,
        days_carried=row.days_carried,
        base_membership_id=row.base_membership_id,
        base_plan_id=row.base_plan_id,
        base_list_price=row.base_list_price,
        base_remaining_days=row.base_remaining_days,
        replaces_base=row.replaces_base,
        mode=UpgradeMode(row.quote_mode) if row.quote_mode else None,
        lifetime_full_price_notice=False,
        computed_at=row.quoted_at,
    )


class PaymentService:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, zone: ZoneInfo, default_language: str
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.zone = zone
        self.default_language = default_language

    def _language(self, member: Member) -> str:
        return resolve_language(
            member.chosen_language, member.telegram_language, self.default_language
        )

    async def _member(self, uow: UnitOfWork, telegram_id: int) -> Member:
        member = await uow.members.by_telegram_id(telegram_id)
        if member is None:
            raise PaymentError(PaymentProblem.NOT_REGISTERED)
        return member

    async def _open_request(self, uow: UnitOfWork, member_id: int) -> PaymentRequest | None:
        result = await uow.session.execute(
            select(PaymentRequest).where(
                PaymentRequest.member_id == member_id,
                PaymentRequest.status.in_(OPEN_PAYMENT_STATUSES),
            )
        )
        return result.scalar_one_or_none()

    async def start_purchase(
        self, telegram_id: int, plan_id: int, mode: UpgradeMode | None = None
    ) -> PaymentView:
        """Quote the plan for this member now and freeze the quote in a new request.

        A member has at most one open request (the database enforces it too); a
        quote once given never changes, even if the owner changes the price."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await self._member(uow, telegram_id)
            open_request = await self._open_request(uow, member.id)
            if open_request is not None:
                raise PaymentError(PaymentProblem.OPEN_REQUEST, _view(open_request))
            catalog = CatalogRepository(uow.session)
            found = await catalog.plan(plan_id)
            if found is None or not found[1]:
                raise PaymentError(PaymentProblem.PLAN_UNAVAILABLE)
            plan = found[0]
            held = await MembershipRepository(uow.session).held(member.id)
            result = quote(held, plan, await catalog.policy(plan), now, mode)
            if isinstance(result, NotOffered):
                raise PaymentError(PaymentProblem.NOT_OFFERED, result.reason)
            row = PaymentRequest(
                member_id=member.id,
                plan_id=plan.id,
                status=PaymentStatus.AWAITING_PROOF,
                quote_kind=result.kind.value,
                quote_mode=result.mode.value if result.mode else None,
                list_price=result.list_price,
                credit=result.credit,
                amount=result.amount,
                days_carried=result.days_carried,
                base_membership_id=result.base_membership_id,
                base_plan_id=result.base_plan_id,
                base_list_price=result.base_list_price,
                base_remaining_days=result.base_remaining_days,
                replaces_base=result.replaces_base,
                quoted_at=now,
                created_at=now,
                updated_at=now,
            )
            uow.session.add(row)
            try:
                await uow.session.flush()
            except IntegrityError:
                # Two taps raced past the check above; the index kept one.
                raise PaymentError(PaymentProblem.OPEN_REQUEST) from None
            view = _view(row)
            await uow.commit()
            return view

    async def attach_proof(self, telegram_id: int, proof: ProofFile) -> ProofReceipt:
        """The member's proof moves their open request from awaiting_proof to submitted.

        A proof whose bytes, Telegram file or picture matches an earlier one (this
        member's or anyone's) is flagged for the admins, never rejected by itself."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await self._member(uow, telegram_id)
            request = await self._open_request(uow, member.id)
            if request is None or request.status != PaymentStatus.AWAITING_PROOF:
                raise PaymentError(PaymentProblem.NO_OPEN_REQUEST)
            if not await self._move(
                uow, request.id, PaymentStatus.AWAITING_PROOF, PaymentStatus.SUBMITTED, now
            ):
                raise PaymentError(PaymentProblem.NO_OPEN_REQUEST)
            earlier = await uow.session.execute(
                select(
                    PaymentProof.id,
                    PaymentProof.sha256,
                    PaymentProof.file_unique_id,
                    PaymentProof.perceptual_hash,
                )
                .order_by(PaymentProof.id.desc())
                .limit(5000)
            )
            duplicate = next(
                (
                    pid
                    for pid, sha, unique, phash in earlier.all()
                    if sha == proof.sha256
                    or unique == proof.file_unique_id
                    or _same_picture(phash, proof.perceptual_hash)
                ),
                None,
            )
            row = PaymentProof(
                payment_request_id=request.id,
                status=ProofStatus.SUBMITTED,
                duplicate_of_proof_id=duplicate,
                created_at=now,
                **dataclasses.asdict(proof),
            )
            uow.session.add(row)
            await uow.session.flush()
            receipt = ProofReceipt(request.id, row.id, duplicate)
            await uow.commit()
            return receipt

    async def cancel(self, telegram_id: int) -> PaymentView:
        """The member closes their open request (before an admin decided)."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await self._member(uow, telegram_id)
            request = await self._open_request(uow, member.id)
            if request is None:
                raise PaymentError(PaymentProblem.NO_OPEN_REQUEST)
            closed = await self._close(
                uow,
                request.id,
                OPEN_PAYMENT_STATUSES,
                PaymentStatus.CANCELLED,
                "member_cancelled",
                now,
            )
            if not closed:
                raise PaymentError(PaymentProblem.NO_OPEN_REQUEST)
            await uow.session.execute(
                update(PaymentProof)
                .where(
                    PaymentProof.payment_request_id == request.id,
                    PaymentProof.status == ProofStatus.SUBMITTED,
                )
                .values(status=ProofStatus.WITHDRAWN)
            )
            await uow.session.refresh(request)
            view = _view(request)
            await uow.commit()
            return view

    @staticmethod
    async def _move(
        uow: UnitOfWork, request_id: int, frm: PaymentStatus, to: PaymentStatus, now: datetime
    ) -> bool:
        result = await uow.session.execute(
            update(PaymentRequest)
            .where(PaymentRequest.id == request_id, PaymentRequest.status == frm)
            .values(status=to, updated_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def _tell(
        self,
        uow: UnitOfWork,
        member_id: int,
        key: str,
        params: dict[str, Any],
        dedupe_key: str,
        now: datetime,
    ) -> None:
        """Queue a message to the member, in their language, once per dedupe key."""
        member = await uow.session.get(Member, member_id)
        assert member is not None
        await uow.outbox.enqueue(
            Notice(
                chat_id=member.telegram_id,
                member_id=member.id,
                text_key=key,
                language=self._language(member),
                params=params,
                dedupe_key=dedupe_key,
            ),
            now,
        )

    async def _close(
        self,
        uow: UnitOfWork,
        request_id: int,
        from_states: tuple[PaymentStatus, ...],
        to: PaymentStatus,
        reason: str,
        now: datetime,
        by: int | None = None,
    ) -> bool:
        result = await uow.session.execute(
            update(PaymentRequest)
            .where(PaymentRequest.id == request_id, PaymentRequest.status.in_(from_states))
            .values(
                status=to,
                close_reason=reason,
                updated_at=now,
                decided_by=by,
                decided_at=now if by is not None else None,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def _decision(self, uow: UnitOfWork, request_id: int) -> Decision:
        row = await uow.session.get(PaymentRequest, request_id)
        if row is None:
            raise PaymentError(PaymentProblem.NOT_FOUND)
        return Decision(
            row.id,
            False,
            PaymentStatus(row.status),
            row.decided_by,
            row.decided_at,
            row.result_membership_id,
        )

    async def approve(self, request_id: int, admin_telegram_id: int) -> Decision:
        """Approve a submitted request and activate, upgrade or renew as its frozen quote says.

        One transaction: the compare-and-set submitted → approved, the membership
        change, the accepted proof and the member's message. Anyone after the first
        gets `applied=False` with who decided and when."""
        now = self.clock.now()
        async with self.uow() as uow:
            if not await self._close(
                uow,
                request_id,
                (PaymentStatus.SUBMITTED,),
                PaymentStatus.APPROVED,
                "approved",
                now,
                admin_telegram_id,
            ):
                return await self._decision(uow, request_id)
            request = await uow.session.get(PaymentRequest, request_id)
            assert request is not None
            await uow.session.refresh(request)
            membership = await self._activate(uow, request, admin_telegram_id, now)
            request.result_membership_id = membership.id
            await uow.session.execute(
                update(PaymentProof)
                .where(
                    PaymentProof.payment_request_id == request.id,
                    PaymentProof.status == ProofStatus.SUBMITTED,
                )
                .values(status=ProofStatus.ACCEPTED, reviewed_by=admin_telegram_id, reviewed_at=now)
            )
            member = await uow.session.get(Member, request.member_id)
            assert member is not None
            await self._tell_approved(uow, member, request, membership, now)
            decision = Decision(
                request.id, True, PaymentStatus.APPROVED, admin_telegram_id, now, membership.id
            )
            await uow.commit()
            return decision

    async def _activate(
        self, uow: UnitOfWork, request: PaymentRequest, admin: int, now: datetime
    ) -> Membership:
        catalog = CatalogRepository(uow.session)
        found = await catalog.plan(request.plan_id)
        assert found is not None
        plan = found[0]
        memberships = MembershipRepository(uow.session)
        held = {h.id: h for h in await memberships.held(request.member_id)}
        base: HeldMembership | None = held.get(request.base_membership_id or -1)
        frozen = _frozen_quote(request)
        if frozen.kind is QuoteKind.RENEWAL and base is not None and base.expires_at:
            row = await uow.session.get(Membership, base.id)
            assert row is not None
            new_expiry = renewal_expiry(base.expires_at, now, plan.duration_days or 0)
            self._event(uow, row.id, "renewed", admin, base.expires_at, new_expiry, now)
            row.expires_at = new_expiry
            return row
        if frozen.kind is QuoteKind.RENEWAL:
            # The renewed membership ended before approval: the new period starts now.
            frozen = dataclasses.replace(frozen, kind=QuoteKind.NEW)
        starts, expires = activation_window(
            frozen, now, plan.duration_days, base.expires_at if base else None
        )
        if request.replaces_base and base is not None:
            await memberships.end(base.id, MembershipStatus.UPGRADED, "upgraded")
            self._event(uow, base.id, "upgraded", admin, base.expires_at, None, now)
        row = Membership(
            member_id=request.member_id,
            plan_id=plan.id,
            status=MembershipStatus.ACTIVE,
            list_price=request.list_price,
            activated_at=starts,
            expires_at=expires,
            created_at=now,
        )
        uow.session.add(row)
        await uow.session.flush()
        if request.replaces_base and base is not None:
            await uow.session.execute(
                update(Membership).where(Membership.id == base.id).values(replaced_by_id=row.id)
            )
        self._event(uow, row.id, "activated", admin, None, expires, now)
        return row

    @staticmethod
    def _event(
        uow: UnitOfWork,
        membership_id: int,
        kind: str,
        actor: int | None,
        old: datetime | None,
        new: datetime | None,
        now: datetime,
    ) -> None:
        uow.session.add(
            MembershipEvent(
                membership_id=membership_id,
                kind=kind,
                actor_telegram_id=actor,
                old_expires_at=old,
                new_expires_at=new,
                created_at=now,
            )
        )

    async def _tell_approved(
        self,
        uow: UnitOfWork,
        member: Member,
        request: PaymentRequest,
        membership: Membership,
        now: datetime,
    ) -> None:
        found = await CatalogRepository(uow.session).plan(request.plan_id)
        assert found is not None
        params: dict[str, Any] = {"plan": plan_name(found[0]), "request": request.id}
        key = "payment.approved_lifetime"
        if membership.expires_at is not None:
            key = "payment.approved_until"
            params["until"] = f"{membership.expires_at.astimezone(self.zone):%d-%m-%Y}"
        await self._tell(uow, member.id, key, params, f"payment:{request.id}:approved", now)

    async def reject(self, request_id: int, admin_telegram_id: int, reason: str) -> Decision:
        """Reject the submitted proof: the request waits for a new proof, the member
        is told why. The request stays theirs, so they can resend or cancel."""
        now = self.clock.now()
        reason = reason.strip()[:500]
        async with self.uow() as uow:
            if not await self._move(
                uow, request_id, PaymentStatus.SUBMITTED, PaymentStatus.AWAITING_PROOF, now
            ):
                return await self._decision(uow, request_id)
            await uow.session.execute(
                update(PaymentProof)
                .where(
                    PaymentProof.payment_request_id == request_id,
                    PaymentProof.status == ProofStatus.SUBMITTED,
                )
                .values(
                    status=ProofStatus.REJECTED,
                    reviewed_by=admin_telegram_id,
                    reviewed_at=now,
                    reject_reason=reason,
                )
            )
            request = await uow.session.get(PaymentRequest, request_id)
            assert request is not None
            count = await uow.session.execute(
                select(PaymentProof.id).where(PaymentProof.payment_request_id == request_id)
            )
            attempt = len(count.all())
            await self._tell(
                uow,
                request.member_id,
                "payment.rejected",
                {"request": request_id, "reason": reason},
                f"payment:{request_id}:rejected:{attempt}",
                now,
            )
            decision = Decision(
                request_id, True, PaymentStatus.AWAITING_PROOF, admin_telegram_id, now
            )
            await uow.commit()
            return decision

    async def expire_stale(self) -> int:
        """Close requests still without a proof 24 hours after their last change.

        Safe to run twice or after downtime: each close is a compare-and-set and
        the member's message has a dedupe key."""
        now = self.clock.now()
        async with self.uow() as uow:
            stale = await uow.session.execute(
                select(PaymentRequest.id).where(
                    PaymentRequest.status == PaymentStatus.AWAITING_PROOF,
                    PaymentRequest.updated_at <= now - PROOF_DEADLINE,
                )
            )
            closed = 0
            for request_id in stale.scalars().all():
                if not await self._close(
                    uow,
                    request_id,
                    (PaymentStatus.AWAITING_PROOF,),
                    PaymentStatus.EXPIRED,
                    "no_proof_24h",
                    now,
                ):
                    continue
                closed += 1
                request = await uow.session.get(PaymentRequest, request_id)
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
