"""Buying a plan: the frozen quote, the proof, and the admin's decision.

Every decision is a compare-and-set on `payment_requests.status` inside one
transaction, so a double tap, a second admin or a replayed update changes
nothing; the member's message is queued in the same transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError

from domain.catalog import Plan, Tier
from domain.membership import (
    HeldMembership,
    MembershipStatus,
    effective_tier,
    remaining_days,
    renewal_expiry,
)
from domain.pricing import (
    NotOffered,
    NotOfferedReason,
    Quote,
    QuoteKind,
    UpgradeMode,
    activation_window,
    quote,
)
from domain.states import (
    OPEN_PAYMENT_STATUSES,
    PaymentMethodKind,
    PaymentStatus,
    ProofRejectReason,
    ProofStatus,
)
from kernel.actor import Actor
from kernel.clock import Clock
from kernel.names import breakdown, plan_name
from kernel.notices import Button, Notice
from services.access import GroupConfig, RemovalCause, sync_access
from services.proof_images import hamming
from storage.models import (
    AdminAction,
    Member,
    Membership,
    MembershipEvent,
    PaymentMethod,
    PaymentProof,
    PaymentRequest,
)
from storage.repos.catalog import CatalogRepository
from storage.repos.memberships import MembershipRepository
from storage.uow import UnitOfWork, UnitOfWorkFactory

PROOF_DEADLINE = timedelta(hours=24)


class PaymentProblem(StrEnum):
    NOT_REGISTERED = "not_registered"
    PLAN_UNAVAILABLE = "plan_unavailable"
    NOT_OFFERED = "not_offered"
    OPEN_REQUEST = "open_request"
    NO_OPEN_REQUEST = "no_open_request"
    NOT_FOUND = "not_found"
    NO_METHOD = "no_method"  # a proof before a payment method was chosen
    METHOD_UNAVAILABLE = "method_unavailable"
    ALREADY_SUBMITTED = "already_submitted"  # a second proof while one is being reviewed


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
    plan: Plan
    status: PaymentStatus
    method_id: int | None
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
    media_kind: str = "photo"  # or "document": an image sent as a file


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
    decided_by_name: str | None = None


async def _view(uow: UnitOfWork, row: PaymentRequest) -> PaymentView:
    found = await CatalogRepository(uow.session).plan(row.plan_id)
    assert found is not None
    return PaymentView(
        id=row.id,
        plan=found[0],
        member_id=row.member_id,
        plan_id=row.plan_id,
        status=PaymentStatus(row.status),
        method_id=row.method_id,
        kind=QuoteKind(row.quote_kind),
        mode=row.quote_mode,
        list_price=row.list_price,
        credit=row.credit,
        amount=row.amount,
        days_carried=row.days_carried,
        base_remaining_days=row.base_remaining_days,
    )


@dataclass(frozen=True, slots=True)
class Offer:
    """A plan this member can buy now, with its quote (one per mode when they choose)."""

    plan: Plan
    quotes: tuple[Quote, ...]


@dataclass(frozen=True, slots=True)
class Unavailable:
    plan: Plan
    reason: NotOfferedReason


@dataclass(frozen=True, slots=True)
class Offers:
    offers: tuple[Offer, ...]
    unavailable: tuple[Unavailable, ...]


@dataclass(frozen=True, slots=True)
class MethodView:
    id: int
    code: str
    kind: PaymentMethodKind
    label: str
    account_name: str | None
    account_number: str | None
    qris_file_id: str | None


@dataclass(frozen=True, slots=True)
class Holding:
    plan: Plan
    expires_at: datetime | None
    remaining_days: int | None


@dataclass(frozen=True, slots=True)
class Overview:
    """What /me shows: the effective tier, what is held, the open payment."""

    tier: Tier | None
    holdings: tuple[Holding, ...]
    open_request: PaymentView | None
    open_plan: Plan | None
    open_method: MethodView | None


@dataclass(frozen=True, slots=True)
class ReviewCard:
    """A payment card for the admin group: a translated caption and the proof."""

    request_id: int
    proof_id: int | None
    status: PaymentStatus
    text_key: str
    params: dict[str, Any]
    photo_file_id: str | None
    document_file_id: str | None


@dataclass(frozen=True, slots=True)
class WaitingRequest:
    """An open request still waiting for the member's proof (for /pending)."""

    view: PaymentView
    member_name: str


ButtonRows = tuple[tuple[Button, ...], ...]


def _method_view(row: PaymentMethod) -> MethodView:
    return MethodView(
        id=row.id,
        code=row.code,
        kind=PaymentMethodKind(row.kind),
        label=row.label,
        account_name=row.account_name,
        account_number=row.account_number,
        qris_file_id=row.qris_file_id,
    )


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


def _reviewing(request_id: int, proof_id: int | None) -> list[Any]:
    """With `proof_id` (from a card's button) a decision applies only while that very
    proof is the one under review: a card of an earlier, rejected proof never decides
    on the member's next one."""
    if proof_id is None:
        return []
    return [
        exists().where(
            PaymentProof.id == proof_id,
            PaymentProof.payment_request_id == request_id,
            PaymentProof.status == ProofStatus.SUBMITTED,
        )
    ]


class PaymentService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        zone: ZoneInfo,
        default_language: str,
        *,
        admin_chat_id: int | None = None,
        review_buttons: Callable[[int, int], ButtonRows] | None = None,
        group: GroupConfig | None = None,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.zone = zone
        self.default_language = default_language
        self.admin_chat_id = admin_chat_id
        # Who may be in the discussion group follows every membership change.
        self.group = group or GroupConfig(None, admin_chat_id or 0, default_language, zone)
        # The bot layer packs the Approve / Reject buttons; services stay Telegram-free.
        self.review_buttons = review_buttons or (lambda _request, _proof: ())

    # ------------------------------------------------------------------ the member's side

    async def offers(self, telegram_id: int) -> Offers:
        """Every plan on sale, split into what this member can buy now (with its quote,
        one per mode when they must choose) and what not, with the reason."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await self._member(uow, telegram_id)
            catalog = CatalogRepository(uow.session)
            held = await MembershipRepository(uow.session).held(member.id)
            offers: list[Offer] = []
            unavailable: list[Unavailable] = []
            for plan in await catalog.plans_on_sale():
                quotes = self._quotes(held, plan, await catalog.policy(plan), now)
                if isinstance(quotes, NotOffered):
                    unavailable.append(Unavailable(plan, quotes.reason))
                else:
                    offers.append(Offer(plan, quotes))
            return Offers(tuple(offers), tuple(unavailable))

    @staticmethod
    def _quotes(
        held: list[HeldMembership], plan: Plan, policy: Any, now: datetime
    ) -> tuple[Quote, ...] | NotOffered:
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

    async def preview(self, telegram_id: int, plan_id: int) -> tuple[Offer, Plan | None]:
        """The quote(s) for one plan, and the plan the member upgrades from (if any)."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await self._member(uow, telegram_id)
            catalog = CatalogRepository(uow.session)
            found = await catalog.plan(plan_id)
            if found is None or not found[1]:
                raise PaymentError(PaymentProblem.PLAN_UNAVAILABLE)
            plan = found[0]
            held = await MembershipRepository(uow.session).held(member.id)
            quotes = self._quotes(held, plan, await catalog.policy(plan), now)
            if isinstance(quotes, NotOffered):
                raise PaymentError(PaymentProblem.NOT_OFFERED, quotes.reason)
            base_id = quotes[0].base_plan_id
            base = await catalog.plan(base_id) if base_id is not None else None
            return Offer(plan, quotes), (base[0] if base else None)

    async def methods(self) -> list[MethodView]:
        async with self.uow() as uow:
            rows = await uow.session.execute(
                select(PaymentMethod)
                .where(PaymentMethod.is_active.is_(True))
                .order_by(PaymentMethod.position, PaymentMethod.id)
            )
            return [_method_view(row) for row in rows.scalars()]

    async def choose_method(
        self, telegram_id: int, request_id: int, method_id: int
    ) -> tuple[PaymentView, MethodView]:
        """Set (or change) how the member pays their open request, before the proof."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await self._member(uow, telegram_id)
            request = await self._open_request(uow, member.id)
            if request is None or request.id != request_id:
                raise PaymentError(PaymentProblem.NO_OPEN_REQUEST)
            if request.status != PaymentStatus.AWAITING_PROOF:
                raise PaymentError(PaymentProblem.ALREADY_SUBMITTED, await _view(uow, request))
            method = await uow.session.get(PaymentMethod, method_id)
            if method is None or not method.is_active:
                raise PaymentError(PaymentProblem.METHOD_UNAVAILABLE)
            request.method_id = method.id
            request.updated_at = now
            await uow.session.flush()
            result = (await _view(uow, request), _method_view(method))
            await uow.commit()
            return result

    async def overview(self, telegram_id: int) -> Overview:
        now = self.clock.now()
        async with self.uow() as uow:
            member = await self._member(uow, telegram_id)
            held = await MembershipRepository(uow.session).held(member.id)
            holdings = tuple(
                Holding(h.plan, h.expires_at, remaining_days(h.expires_at, now))
                for h in held
                if h.expires_at is None or h.expires_at > now
            )
            request = await self._open_request(uow, member.id)
            plan = method = None
            if request is not None:
                found = await CatalogRepository(uow.session).plan(request.plan_id)
                plan = found[0] if found else None
                if request.method_id is not None:
                    row = await uow.session.get(PaymentMethod, request.method_id)
                    method = _method_view(row) if row is not None else None
            return Overview(
                tier=effective_tier(held, now),
                holdings=holdings,
                open_request=await _view(uow, request) if request is not None else None,
                open_plan=plan,
                open_method=method,
            )

    async def open_request(self, telegram_id: int) -> PaymentView | None:
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(telegram_id)
            if member is None:
                return None
            request = await self._open_request(uow, member.id)
            return await _view(uow, request) if request is not None else None

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
                raise PaymentError(PaymentProblem.OPEN_REQUEST, await _view(uow, open_request))
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
            view = await _view(uow, row)
            await uow.commit()
            return view

    async def attach_proof(self, telegram_id: int, proof: ProofFile) -> ProofReceipt:
        """The member's proof moves their open request from awaiting_proof to submitted.

        A proof whose bytes, Telegram file or picture matches an earlier one (this
        member's or anyone's) is flagged for the admins, never rejected by itself.
        The admin card and the member's confirmation (`proof.received`) are queued in
        the outbox in the same transaction."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await self._member(uow, telegram_id)
            request = await self._open_request(uow, member.id)
            if request is None:
                raise PaymentError(PaymentProblem.NO_OPEN_REQUEST)
            if request.status != PaymentStatus.AWAITING_PROOF:
                raise PaymentError(PaymentProblem.ALREADY_SUBMITTED, await _view(uow, request))
            if request.method_id is None:
                raise PaymentError(PaymentProblem.NO_METHOD, await _view(uow, request))
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
            if self.admin_chat_id is not None:
                card = await self._card(uow, request, row)
                await uow.outbox.enqueue(
                    Notice(
                        chat_id=self.admin_chat_id,
                        text_key=card.text_key,
                        language=self.default_language,
                        params=card.params,
                        buttons=self.review_buttons(request.id, row.id),
                        photo_file_id=card.photo_file_id,
                        document_file_id=card.document_file_id,
                        dedupe_key=f"payment:{request.id}:card:{row.id}",
                    ),
                    now,
                )
            # The member's "proof received" rides in the same transaction as the card: once
            # this commits they are told, even if Telegram fails the handler's reply.
            await uow.outbox.tell_member(
                member,
                self.default_language,
                "proof.received",
                {"request": request.id},
                f"payment:{request.id}:received:{row.id}",
                now,
            )
            await uow.commit()
            return receipt

    # ------------------------------------------------------------------ the admins' side

    async def _card(
        self, uow: UnitOfWork, request: PaymentRequest, proof: PaymentProof | None
    ) -> ReviewCard:
        member = await uow.session.get(Member, request.member_id)
        assert member is not None
        catalog = CatalogRepository(uow.session)
        found = await catalog.plan(request.plan_id)
        assert found is not None
        base = await catalog.plan(request.base_plan_id) if request.base_plan_id else None
        method = await uow.session.get(PaymentMethod, request.method_id or -1)
        flags: dict[str, Any] = {"key": "review.no_flags"}
        if proof is not None and proof.duplicate_of_proof_id is not None:
            earlier = await uow.session.get(PaymentProof, proof.duplicate_of_proof_id)
            assert earlier is not None
            earlier_request = await uow.session.get(PaymentRequest, earlier.payment_request_id)
            assert earlier_request is not None
            owner = await uow.session.get(Member, earlier_request.member_id)
            assert owner is not None
            same = owner.id == member.id
            flags = {
                "key": "review.flag_duplicate_same" if same else "review.flag_duplicate_other",
                "params": {
                    "request": earlier_request.id,
                    "name": " ".join(filter(None, [owner.first_name, owner.last_name])),
                    "telegram_id": owner.telegram_id,
                },
            }
        name = " ".join(filter(None, [member.first_name, member.last_name])) or "-"
        params: dict[str, Any] = {
            "request": request.id,
            "name": name,
            "username": f"@{member.username}" if member.username else "-",
            "telegram_id": member.telegram_id,
            "plan": plan_name(found[0]),
            "breakdown": breakdown(
                QuoteKind(request.quote_kind),
                request.list_price,
                request.credit,
                request.amount,
                request.days_carried,
                request.base_remaining_days,
                base[0] if base else None,
            ),
            "amount": request.amount,
            "method": method.label if method is not None else "-",
            "flags": flags,
        }
        is_document = proof is not None and proof.media_kind == "document"
        file_id = proof.telegram_file_id if proof is not None else None
        return ReviewCard(
            request_id=request.id,
            proof_id=proof.id if proof is not None else None,
            status=PaymentStatus(request.status),
            text_key="review.card",
            params=params,
            photo_file_id=None if is_document else file_id,
            document_file_id=file_id if is_document else None,
        )

    async def _latest_proof(self, uow: UnitOfWork, request_id: int) -> PaymentProof | None:
        result = await uow.session.execute(
            select(PaymentProof)
            .where(PaymentProof.payment_request_id == request_id)
            .order_by(PaymentProof.id.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def pending(self, limit: int = 10) -> tuple[list[ReviewCard], list[WaitingRequest], int]:
        """Open requests, oldest first: cards of those waiting for a decision (at most
        `limit`), those still waiting for the member's proof, and how many wait in all."""
        async with self.uow() as uow:
            rows = await uow.session.execute(
                select(PaymentRequest)
                .where(PaymentRequest.status.in_(OPEN_PAYMENT_STATUSES))
                .order_by(PaymentRequest.updated_at, PaymentRequest.id)
            )
            requests = list(rows.scalars())
            submitted = [r for r in requests if r.status == PaymentStatus.SUBMITTED]
            cards = [
                await self._card(uow, r, await self._latest_proof(uow, r.id))
                for r in submitted[:limit]
            ]
            waiting = []
            for r in requests:
                if r.status != PaymentStatus.AWAITING_PROOF:
                    continue
                member = await uow.session.get(Member, r.member_id)
                assert member is not None
                name = " ".join(filter(None, [member.first_name, member.last_name])) or "-"
                waiting.append(WaitingRequest(await _view(uow, r), name))
            return cards, waiting, len(submitted)

    async def decision(self, request_id: int) -> Decision:
        """Where a request stands now (`applied` is False): for a tap that decides nothing."""
        async with self.uow() as uow:
            return await self._decision(uow, request_id)

    async def proof_decision(self, proof_id: int) -> Decision | None:
        """Who rejected or accepted one proof and when (None while it is under review)."""
        async with self.uow() as uow:
            proof = await uow.session.get(PaymentProof, proof_id)
            if proof is None or proof.reviewed_by is None:
                return None
            request_id = proof.payment_request_id
            audit = await uow.session.execute(
                select(AdminAction.details)
                .where(
                    AdminAction.target == f"payment:{request_id}",
                    AdminAction.actor_telegram_id == proof.reviewed_by,
                )
                .order_by(AdminAction.id.desc())
                .limit(1)
            )
            details = audit.scalar_one_or_none() or {}
            status = (
                PaymentStatus.APPROVED
                if proof.status == ProofStatus.ACCEPTED
                else PaymentStatus.AWAITING_PROOF
            )
            return Decision(
                request_id,
                False,
                status,
                proof.reviewed_by,
                proof.reviewed_at,
                decided_by_name=details.get("name"),
            )

    async def proof_ids(self, request_id: int) -> list[int]:
        """The ids of every proof sent for a request, oldest first."""
        async with self.uow() as uow:
            rows = await uow.session.execute(
                select(PaymentProof.id)
                .where(PaymentProof.payment_request_id == request_id)
                .order_by(PaymentProof.id)
            )
            return list(rows.scalars())

    async def last_reject_reason(self, request_id: int) -> str | None:
        async with self.uow() as uow:
            proof = await self._latest_proof(uow, request_id)
            if proof is None or proof.status != ProofStatus.REJECTED:
                return None
            return proof.reject_reason

    async def card(self, request_id: int) -> ReviewCard:
        async with self.uow() as uow:
            request = await uow.session.get(PaymentRequest, request_id)
            if request is None:
                raise PaymentError(PaymentProblem.NOT_FOUND)
            return await self._card(uow, request, await self._latest_proof(uow, request_id))

    async def cancel(self, telegram_id: int, request_id: int | None = None) -> PaymentView:
        """The member closes their open request (before an admin decided). With
        `request_id` (a Cancel button) only that request: an old button never closes
        a newer one."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await self._member(uow, telegram_id)
            request = await self._open_request(uow, member.id)
            if request is None or (request_id is not None and request.id != request_id):
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
            view = await _view(uow, request)
            await uow.commit()
            return view

    @staticmethod
    async def _move(
        uow: UnitOfWork,
        request_id: int,
        frm: PaymentStatus,
        to: PaymentStatus,
        now: datetime,
        proof_id: int | None = None,
    ) -> bool:
        result = await uow.session.execute(
            update(PaymentRequest)
            .where(
                PaymentRequest.id == request_id,
                PaymentRequest.status == frm,
                *_reviewing(request_id, proof_id),
            )
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
        await uow.outbox.tell_member(member, self.default_language, key, params, dedupe_key, now)

    async def _close(
        self,
        uow: UnitOfWork,
        request_id: int,
        from_states: tuple[PaymentStatus, ...],
        to: PaymentStatus,
        reason: str,
        now: datetime,
        by: int | None = None,
        proof_id: int | None = None,
    ) -> bool:
        result = await uow.session.execute(
            update(PaymentRequest)
            .where(
                PaymentRequest.id == request_id,
                PaymentRequest.status.in_(from_states),
                *_reviewing(request_id, proof_id),
            )
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
        """The state of a request someone else already handled (or that is gone)."""
        row = await uow.session.get(PaymentRequest, request_id)
        if row is None:
            raise PaymentError(PaymentProblem.NOT_FOUND)
        by, at, name = row.decided_by, row.decided_at, None
        if row.status == PaymentStatus.AWAITING_PROOF:
            # Rejected: the decision lives on the latest reviewed proof.
            proof = await self._latest_proof(uow, row.id)
            if proof is not None and proof.status == ProofStatus.REJECTED:
                by, at = proof.reviewed_by, proof.reviewed_at
        if by is not None:
            audit = await uow.session.execute(
                select(AdminAction.details)
                .where(
                    AdminAction.target == f"payment:{row.id}",
                    AdminAction.actor_telegram_id == by,
                )
                .order_by(AdminAction.id.desc())
                .limit(1)
            )
            details = audit.scalar_one_or_none() or {}
            name = details.get("name")
        return Decision(
            row.id,
            False,
            PaymentStatus(row.status),
            by,
            at,
            row.result_membership_id,
            name,
        )

    @staticmethod
    def _audit(
        uow: UnitOfWork, admin: Actor, action: str, request_id: int, now: datetime, **details: Any
    ) -> None:
        uow.session.add(
            AdminAction(
                actor_telegram_id=admin.telegram_id,
                action=action,
                target=f"payment:{request_id}",
                details={"name": admin.name, **details},
                created_at=now,
            )
        )

    async def approve(self, request_id: int, admin: Actor, proof_id: int | None = None) -> Decision:
        """Approve a submitted request and activate, upgrade or renew as its frozen quote says.

        One transaction: the compare-and-set submitted → approved, the membership
        change, the accepted proof and the member's message. Anyone after the first
        gets `applied=False` with who decided and when."""
        now = self.clock.now()
        admin_telegram_id = admin.telegram_id
        async with self.uow() as uow:
            if not await self._close(
                uow,
                request_id,
                (PaymentStatus.SUBMITTED,),
                PaymentStatus.APPROVED,
                "approved",
                now,
                admin_telegram_id,
                proof_id,
            ):
                return await self._decision(uow, request_id)
            self._audit(uow, admin, "approve_payment", request_id, now)
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
            # An upgrade ends its base in this same transaction: the new plan decides.
            await sync_access(uow, member, now, self.group, cause=RemovalCause.DOWNGRADED)
            decision = Decision(
                request.id,
                True,
                PaymentStatus.APPROVED,
                admin_telegram_id,
                now,
                membership.id,
                admin.name,
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
            # Locked and still active: the expiry job may have ended it since `held()`.
            locked = await uow.session.execute(
                select(Membership)
                .where(Membership.id == base.id, Membership.status == MembershipStatus.ACTIVE)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
            row = locked.scalar_one_or_none()
            if row is not None and row.expires_at is not None:
                new_expiry = renewal_expiry(row.expires_at, now, plan.duration_days or 0)
                self._event(uow, row.id, "renewed", admin, row.expires_at, new_expiry, now)
                row.expires_at = new_expiry
                return row
            base = None
        if frozen.kind is QuoteKind.RENEWAL:
            # The renewed membership ended before approval: the new period starts now.
            frozen = dataclasses.replace(frozen, kind=QuoteKind.NEW)
        starts, expires = activation_window(
            frozen, now, plan.duration_days, base.expires_at if base else None
        )
        if request.replaces_base and base is not None:
            await memberships.end(base.id, MembershipStatus.UPGRADED, "upgraded", now)
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
        now = self.clock.now()
        if code is None and not (note or "").strip():
            raise ValueError("a rejection needs a reason")
        reason = code.value if code is not None else (note or "").strip()[:500]
        said: Any = {"key": f"reject_reason.{code.value}"} if code is not None else reason
        admin_telegram_id = admin.telegram_id
        async with self.uow() as uow:
            if not await self._move(
                uow,
                request_id,
                PaymentStatus.SUBMITTED,
                PaymentStatus.AWAITING_PROOF,
                now,
                proof_id,
            ):
                return await self._decision(uow, request_id)
            self._audit(uow, admin, "reject_payment", request_id, now, reason=reason)
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
                {"request": request_id, "reason": said},
                f"payment:{request_id}:rejected:{attempt}",
                now,
            )
            decision = Decision(
                request_id,
                True,
                PaymentStatus.AWAITING_PROOF,
                admin_telegram_id,
                now,
                decided_by_name=admin.name,
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
