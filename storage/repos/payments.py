"""Payment requests: the frozen quote, the status compare-and-sets, the review queue."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, bindparam, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.people import Person
from domain.pricing import Quote, QuoteKind, UpgradeMode
from domain.states import OPEN_PAYMENT_STATUSES, PaymentStatus, ProofStatus
from storage.models import Member, PaymentProof, PaymentRequest
from storage.repos._rows import PlainRows, read_plain
from storage.repos.members import to_person
from storage.repos.proofs import ProofRecord, to_proof_record


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    """A payment request as stored, its frozen quote rebuilt as a `Quote`."""

    id: int
    member_id: int
    plan_id: int
    status: PaymentStatus
    method_id: int | None
    quote: Quote
    created_at: datetime
    updated_at: datetime
    decided_by: int | None
    decided_at: datetime | None
    close_reason: str | None
    result_membership_id: int | None


@dataclass(frozen=True, slots=True)
class OpenRequest:
    """An open request as /pending lists it, with its member's name."""

    id: int
    member_id: int
    plan_id: int
    status: PaymentStatus
    method_id: int | None
    kind: QuoteKind
    mode: str | None
    list_price: int
    credit: int
    amount: int
    days_carried: int
    base_plan_id: int | None
    base_remaining_days: int | None
    first_name: str
    last_name: str | None


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


def _record(row: PaymentRequest) -> PaymentRecord:
    return PaymentRecord(
        id=row.id,
        member_id=row.member_id,
        plan_id=row.plan_id,
        status=PaymentStatus(row.status),
        method_id=row.method_id,
        quote=_frozen_quote(row),
        created_at=row.created_at,
        updated_at=row.updated_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        close_reason=row.close_reason,
        result_membership_id=row.result_membership_id,
    )


def _reviewing(request_id: int, proof_id: int | None) -> list[ColumnElement[bool]]:
    """With `proof_id` (from a card's button) a decision applies only while that very
    proof is the one under review: a card of an earlier, rejected proof never decides
    on the member's next one."""
    if proof_id is None:
        return []
    proof = PaymentProof.__table__.c
    return [
        exists().where(
            proof.id == proof_id,
            proof.payment_request_id == request_id,
            proof.status == ProofStatus.SUBMITTED,
        )
    ]


class PaymentRepository:
    """Requests are read as plain rows and changed by Core UPDATEs (table columns); a new
    one leaves the session once written. So the session never holds an ORM object of a
    request that a Core UPDATE could leave stale: keep it that way (no ORM reads)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, request_id: int) -> PaymentRecord | None:
        """The request as it is now in this transaction (read afresh)."""
        row = (await read_plain(self.session, _GET, {"key": request_id})).first()
        return None if row is None else _record(_REQUESTS.take(row))

    async def open_of(self, member_id: int) -> PaymentRecord | None:
        """The member's open request (awaiting proof or submitted): at most one."""
        row = (await read_plain(self.session, _OPEN_OF, {"member": member_id})).first()
        return None if row is None else _record(_REQUESTS.take(row))

    async def open_requests(self) -> list[PaymentRecord]:
        """Every open request, the longest unchanged first."""
        rows = await read_plain(self.session, _OPEN_REQUESTS, {})
        return [_record(_REQUESTS.take(row)) for row in rows.all()]

    async def stale_ids(self, unchanged_since: datetime) -> list[int]:
        """Requests still awaiting a proof, unchanged since `unchanged_since` or longer."""
        stale = await self.session.execute(
            select(PaymentRequest.id).where(
                PaymentRequest.status == PaymentStatus.AWAITING_PROOF,
                PaymentRequest.updated_at <= unchanged_since,
            )
        )
        return list(stale.scalars().all())

    async def open(self, member_id: int, quote: Quote, now: datetime) -> PaymentRecord | None:
        """A new request awaiting proof with `quote` frozen in it; None when the member
        has an open one already (the unique index `uq_payment_requests_one_open` kept the
        first of two racing taps; this transaction is then spoiled)."""
        row = PaymentRequest(
            member_id=member_id,
            plan_id=quote.target_plan_id,
            status=PaymentStatus.AWAITING_PROOF,
            quote_kind=quote.kind.value,
            quote_mode=quote.mode.value if quote.mode else None,
            list_price=quote.list_price,
            credit=quote.credit,
            amount=quote.amount,
            days_carried=quote.days_carried,
            base_membership_id=quote.base_membership_id,
            base_plan_id=quote.base_plan_id,
            base_list_price=quote.base_list_price,
            base_remaining_days=quote.base_remaining_days,
            replaces_base=quote.replaces_base,
            quoted_at=now,
            created_at=now,
            updated_at=now,
        )
        self.session.add(row)
        try:
            await self.session.flush()
        except IntegrityError:
            return None
        self.session.expunge(row)  # written: the session keeps no ORM object of a request
        return _record(row)

    async def set_method(self, request_id: int, method_id: int, now: datetime) -> None:
        await self.session.execute(
            update(_REQUESTS.table)
            .where(_req.id == request_id)
            .values(method_id=method_id, updated_at=now)
        )

    async def set_result(self, request_id: int, membership_id: int) -> None:
        """The membership an approval activated, renewed or upgraded to."""
        await self.session.execute(
            update(_REQUESTS.table)
            .where(_req.id == request_id)
            .values(result_membership_id=membership_id)
        )

    async def move(
        self,
        request_id: int,
        frm: PaymentStatus,
        to: PaymentStatus,
        now: datetime,
        proof_id: int | None = None,
    ) -> bool:
        """Compare-and-set `frm` → `to`; with `proof_id` only while that proof is the one
        under review. False when the request was not in `frm` (someone was first)."""
        result = await self.session.execute(
            update(_REQUESTS.table)
            .where(
                _req.id == request_id,
                _req.status == frm,
                *_reviewing(request_id, proof_id),
            )
            .values(status=to, updated_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def close(
        self,
        request_id: int,
        from_states: Collection[PaymentStatus],
        to: PaymentStatus,
        reason: str,
        now: datetime,
        by: int | None = None,
        proof_id: int | None = None,
    ) -> bool:
        """Compare-and-set one of `from_states` → the closed state `to`, with why, and who
        decided (`by`, an admin) and when; with `proof_id` only while that proof is the one
        under review. False when someone was first."""
        result = await self.session.execute(
            update(_REQUESTS.table)
            .where(
                _req.id == request_id,
                _req.status.in_(from_states),
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

    async def open_counts(self) -> dict[PaymentStatus, int]:
        """How many requests are open, by status (one aggregate over the status index)."""
        rows = await self.session.execute(
            select(PaymentRequest.status, func.count())
            .where(PaymentRequest.status.in_(OPEN_PAYMENT_STATUSES))
            .group_by(PaymentRequest.status)
        )
        counts = {status: 0 for status in OPEN_PAYMENT_STATUSES}
        counts.update({PaymentStatus(status): int(n) for status, n in rows.all()})
        return counts

    async def open_queue(self, status: PaymentStatus, limit: int) -> list[OpenRequest]:
        """The first `limit` open requests in `status` as /pending lists them, the longest
        unchanged first (one query of the few columns it needs, along the index on
        status and updated_at: no dates to parse, no ORM objects)."""
        rows = await self.session.execute(
            _OPEN_QUEUE.where(_REQUESTS.c.status == status).limit(limit)
        )
        return [
            OpenRequest(
                id=row.id,
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
                base_plan_id=row.base_plan_id,
                base_remaining_days=row.base_remaining_days,
                first_name=row.first_name,
                last_name=row.last_name,
            )
            for row in rows.all()
        ]

    async def with_members(
        self, request_ids: Collection[int]
    ) -> dict[int, tuple[PaymentRecord, Person, ProofRecord | None]]:
        """These requests (read afresh) with their members and newest proofs, by request
        id (one query, plain rows)."""
        if not request_ids:
            return {}
        rows = await self.session.execute(_WITH_MEMBERS, {"ids": list(request_ids)})
        at_member = len(_REQUESTS.columns)
        at_proof = at_member + len(_MEMBERS.columns)
        found: dict[int, tuple[PaymentRecord, Person, ProofRecord | None]] = {}
        for row in rows.all():
            request = _REQUESTS.take(row)
            proof = None if row[at_proof] is None else to_proof_record(_PROOFS.take(row, at_proof))
            found[request.id] = (_record(request), to_person(_MEMBERS.take(row, at_member)), proof)
        return found

    async def of_proofs(
        self, proof_ids: Collection[int]
    ) -> dict[int, tuple[PaymentRecord, Person]]:
        """The request each of these proofs was sent for, with its member, by proof id
        (one query, plain rows)."""
        if not proof_ids:
            return {}
        rows = await self.session.execute(_OF_PROOFS, {"ids": list(proof_ids)})
        at_member = 1 + len(_REQUESTS.columns)
        return {
            row[0]: (_record(_REQUESTS.take(row, 1)), to_person(_MEMBERS.take(row, at_member)))
            for row in rows.all()
        }


_REQUESTS, _MEMBERS, _PROOFS = PlainRows(PaymentRequest), PlainRows(Member), PlainRows(PaymentProof)

# The list views' statements are built once: building one (and its cache key) costs about
# as much as running it. Their lists of ids are expanding parameters.
_req, _member, _proof = _REQUESTS.c, _MEMBERS.c, _PROOFS.c
_GET = _REQUESTS.select().where(_req.id == bindparam("key"))
_OPEN_REQUESTS = (
    _REQUESTS.select()
    .where(_req.status.in_(OPEN_PAYMENT_STATUSES))
    .order_by(_req.updated_at, _req.id)
)
_OPEN_OF = _REQUESTS.select().where(
    _req.member_id == bindparam("member"), _req.status.in_(OPEN_PAYMENT_STATUSES)
)
_WITH_MEMBERS = (
    select(*_REQUESTS.columns, *_MEMBERS.columns, *_PROOFS.columns)
    .select_from(
        _REQUESTS.table.join(_MEMBERS.table, _member.id == _req.member_id).outerjoin(
            _PROOFS.table,
            (_proof.payment_request_id == _req.id)
            & _proof.id.in_(
                select(func.max(_proof.id))
                .where(_proof.payment_request_id.in_(bindparam("ids", expanding=True)))
                .group_by(_proof.payment_request_id)
            ),
        )
    )
    .where(_req.id.in_(bindparam("ids", expanding=True)))
)
_OF_PROOFS = (
    select(_proof.id, *_REQUESTS.columns, *_MEMBERS.columns)
    .select_from(
        _PROOFS.table.join(_REQUESTS.table, _req.id == _proof.payment_request_id).join(
            _MEMBERS.table, _member.id == _req.member_id
        )
    )
    .where(_proof.id.in_(bindparam("ids", expanding=True)))
)

# Built once (/pending), of table columns (Core: no ORM compile step per call).
_OPEN_QUEUE = (
    select(
        _REQUESTS.c.id,
        _REQUESTS.c.member_id,
        _REQUESTS.c.plan_id,
        _REQUESTS.c.status,
        _REQUESTS.c.method_id,
        _REQUESTS.c.quote_kind,
        _REQUESTS.c.quote_mode,
        _REQUESTS.c.list_price,
        _REQUESTS.c.credit,
        _REQUESTS.c.amount,
        _REQUESTS.c.days_carried,
        _REQUESTS.c.base_plan_id,
        _REQUESTS.c.base_remaining_days,
        _MEMBERS.c.first_name,
        _MEMBERS.c.last_name,
    )
    .select_from(_REQUESTS.table.join(_MEMBERS.table, _MEMBERS.c.id == _REQUESTS.c.member_id))
    .order_by(_REQUESTS.c.updated_at, _REQUESTS.c.id)
)
