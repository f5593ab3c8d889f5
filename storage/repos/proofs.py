"""Payment proofs: the pictures members send, what earlier proofs look like, and the
review of the one under review (accepted, rejected or withdrawn with its request)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.proofs import ProofFile, ProofFingerprint
from domain.states import ProofStatus
from storage.models import PaymentProof
from storage.repos._rows import PlainRows, read_plain

# How far back a new proof is compared with earlier ones.
FINGERPRINTS_COMPARED = 5000


@dataclass(frozen=True, slots=True)
class ProofRecord:
    """A proof as stored (without its image measurements)."""

    id: int
    request_id: int
    status: ProofStatus
    telegram_file_id: str
    media_kind: str
    duplicate_of_proof_id: int | None
    reviewed_by: int | None
    reviewed_at: datetime | None
    reject_reason: str | None


def to_proof_record(row: PaymentProof) -> ProofRecord:
    return ProofRecord(
        id=row.id,
        request_id=row.payment_request_id,
        status=ProofStatus(row.status),
        telegram_file_id=row.telegram_file_id,
        media_kind=row.media_kind,
        duplicate_of_proof_id=row.duplicate_of_proof_id,
        reviewed_by=row.reviewed_by,
        reviewed_at=row.reviewed_at,
        reject_reason=row.reject_reason,
    )


# Read on every card and every decision: built once, read without ORM objects.
_PROOFS = PlainRows(PaymentProof)
_GET = _PROOFS.select().where(_PROOFS.c.id == bindparam("key"))
_LATEST = (
    _PROOFS.select()
    .where(_PROOFS.c.payment_request_id == bindparam("key"))
    .order_by(_PROOFS.c.id.desc())
    .limit(1)
)
_IDS = (
    select(_PROOFS.c.id)
    .where(_PROOFS.c.payment_request_id == bindparam("key"))
    .order_by(_PROOFS.c.id)
)


class ProofRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _plain(self, statement: Select[Any], key: int) -> ProofRecord | None:
        row = (await read_plain(self.session, statement, {"key": key})).first()
        return None if row is None else to_proof_record(_PROOFS.take(row))

    async def get(self, proof_id: int) -> ProofRecord | None:
        return await self._plain(_GET, proof_id)

    async def latest(self, request_id: int) -> ProofRecord | None:
        """The newest proof sent for a request (the one a card shows)."""
        return await self._plain(_LATEST, request_id)

    async def ids(self, request_id: int) -> list[int]:
        """The ids of every proof sent for a request, oldest first."""
        rows = await read_plain(self.session, _IDS, {"key": request_id})
        return list(rows.scalars())

    async def count(self, request_id: int) -> int:
        """How many proofs were sent for a request."""
        found = await self.session.execute(
            select(func.count(PaymentProof.id)).where(PaymentProof.payment_request_id == request_id)
        )
        return int(found.scalar_one())

    async def fingerprints(self, limit: int = FINGERPRINTS_COMPARED) -> list[ProofFingerprint]:
        """What the newest `limit` proofs (anyone's) are recognised by, newest first."""
        earlier = await self.session.execute(
            select(
                PaymentProof.id,
                PaymentProof.sha256,
                PaymentProof.file_unique_id,
                PaymentProof.perceptual_hash,
            )
            .order_by(PaymentProof.id.desc())
            .limit(limit)
        )
        return [ProofFingerprint(*row) for row in earlier.all()]

    async def add(
        self, request_id: int, proof: ProofFile, duplicate_of: int | None, now: datetime
    ) -> int:
        """A proof under review for the request; its id."""
        row = PaymentProof(
            payment_request_id=request_id,
            status=ProofStatus.SUBMITTED,
            duplicate_of_proof_id=duplicate_of,
            created_at=now,
            **dataclasses.asdict(proof),
        )
        self.session.add(row)
        await self.session.flush()
        self.session.expunge(row)  # written; proofs change by Core UPDATEs, read as plain rows
        return row.id

    async def accept_submitted(self, request_id: int, by: int, now: datetime) -> None:
        """The proof under review was accepted (by admin `by`)."""
        await self.session.execute(
            update(_PROOFS.table)
            .where(
                _PROOFS.c.payment_request_id == request_id,
                _PROOFS.c.status == ProofStatus.SUBMITTED,
            )
            .values(status=ProofStatus.ACCEPTED, reviewed_by=by, reviewed_at=now)
        )

    async def reject_submitted(self, request_id: int, by: int, now: datetime, reason: str) -> None:
        """The proof under review was rejected (by admin `by`) with `reason`."""
        await self.session.execute(
            update(_PROOFS.table)
            .where(
                _PROOFS.c.payment_request_id == request_id,
                _PROOFS.c.status == ProofStatus.SUBMITTED,
            )
            .values(
                status=ProofStatus.REJECTED,
                reviewed_by=by,
                reviewed_at=now,
                reject_reason=reason,
            )
        )

    async def withdraw_submitted(self, request_id: int) -> None:
        """The member cancelled the request: its proof under review is withdrawn."""
        await self.session.execute(
            update(_PROOFS.table)
            .where(
                _PROOFS.c.payment_request_id == request_id,
                _PROOFS.c.status == ProofStatus.SUBMITTED,
            )
            .values(status=ProofStatus.WITHDRAWN)
        )
