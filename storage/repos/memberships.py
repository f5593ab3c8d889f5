"""Memberships as the domain sees them (only active rows are ever held), their locks,
their compare-and-sets and their history (membership_events)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.catalog import Tier
from domain.commission import HeldSpan, Renewal
from domain.membership import HeldMembership, MembershipStatus
from storage import models
from storage.repos._rows import PlainRows, read_plain
from storage.repos.catalog import to_plan


@dataclass(frozen=True, slots=True)
class MembershipRecord:
    """One membership row as stored."""

    id: int
    member_id: int
    plan_id: int
    status: MembershipStatus
    list_price: int
    activated_at: datetime | None
    expires_at: datetime | None
    ended_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ExpiringMembership:
    """An active temporal membership close to its end (for the reminders)."""

    id: int
    expires_at: datetime
    started_at: datetime  # activated, or created when it never was


class PlanAlreadyActive(Exception):
    """The member already holds an active membership of the plan: the unique index
    `uq_memberships_active_plan` kept the one that got there first."""


def _record(row: models.Membership) -> MembershipRecord:
    return MembershipRecord(
        id=row.id,
        member_id=row.member_id,
        plan_id=row.plan_id,
        status=MembershipStatus(row.status),
        list_price=row.list_price,
        activated_at=row.activated_at,
        expires_at=row.expires_at,
        ended_at=row.ended_at,
        created_at=row.created_at,
    )


_ACTIVE = models.Membership.status == MembershipStatus.ACTIVE

# A member's memberships are read on most screens: built once, read without ORM objects.
_MEMBERSHIPS = PlainRows(models.Membership)
_PLANS, _TIERS = PlainRows(models.Plan), PlainRows(models.Tier)
# Written with every activation: Core INSERT ... RETURNING of table columns, built once
# (no ORM unit-of-work flush; the new rows are read back by plain reads when needed).
_START = (
    insert(_MEMBERSHIPS.table)
    .values(
        {
            column: bindparam(column)
            for column in (
                "member_id", "plan_id", "status", "list_price", "activated_at", "expires_at",
                "granted_by", "grant_reason", "created_at",
            )
        }
    )
    .returning(_MEMBERSHIPS.c.id)
)  # fmt: skip
_EVENTS = PlainRows(models.MembershipEvent).table
_RECORD_EVENT = (
    insert(_EVENTS)
    .values(
        {
            column: bindparam(column)
            for column in (
                "membership_id", "kind", "actor_telegram_id", "reason", "old_expires_at",
                "new_expires_at", "created_at",
            )
        }
    )
    .returning(_EVENTS.c.id)
)  # fmt: skip
_HELD = (
    select(*_MEMBERSHIPS.columns, *_PLANS.columns, *_TIERS.columns)
    .select_from(
        _MEMBERSHIPS.table.join(_PLANS.table, _MEMBERSHIPS.c.plan_id == _PLANS.c.id).join(
            _TIERS.table, _PLANS.c.tier_id == _TIERS.c.id
        )
    )
    .where(
        _MEMBERSHIPS.c.member_id == bindparam("member"),
        _MEMBERSHIPS.c.status == MembershipStatus.ACTIVE,
    )
    .order_by(_MEMBERSHIPS.c.id)
)


class MembershipRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def held(self, member_id: int) -> list[HeldMembership]:
        result = await read_plain(self.session, _HELD, {"member": member_id})
        at_plan = len(_MEMBERSHIPS.columns)
        at_tier = at_plan + len(_PLANS.columns)
        held = []
        for row in result.all():
            m = _MEMBERSHIPS.take(row)
            plan = to_plan(_PLANS.take(row, at_plan), _TIERS.take(row, at_tier))
            held.append(
                HeldMembership(
                    m.id, plan, m.list_price, m.activated_at or m.created_at, m.expires_at
                )
            )
        return held

    async def end(
        self, membership_id: int, status: MembershipStatus, reason: str, now: datetime
    ) -> bool:
        """Compare-and-set active → `status` as of `now`; False when it was no longer active.

        `ended_at` says until when the membership counted (a report's tier is the tier
        held on the report's day)."""
        result = await self.session.execute(
            update(models.Membership)
            .where(
                models.Membership.id == membership_id,
                models.Membership.status == MembershipStatus.ACTIVE,
            )
            .values(status=status, end_reason=reason, ended_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def _locked(self, *where: ColumnElement[bool]) -> MembershipRecord | None:
        """The one row matching `where`, locked (FOR UPDATE) until commit and read afresh
        under the lock: whatever committed while this waited is what is returned."""
        found = await self.session.execute(
            select(models.Membership)
            .where(*where)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        row = found.scalar_one_or_none()
        return None if row is None else _record(row)

    async def lock_active(self, membership_id: int) -> MembershipRecord | None:
        """The membership, locked, while it is still active (None once it ended)."""
        return await self._locked(models.Membership.id == membership_id, _ACTIVE)

    async def lock_active_of_plan(self, member_id: int, plan_id: int) -> MembershipRecord | None:
        """The member's active membership of the plan, locked (None when there is none)."""
        return await self._locked(
            models.Membership.member_id == member_id,
            models.Membership.plan_id == plan_id,
            _ACTIVE,
        )

    async def lock_due(self, membership_id: int, now: datetime) -> MembershipRecord | None:
        """The membership, locked, while it is active and its expiry has come at `now`:
        a renewal committed meanwhile moved its expiry, and then it is None."""
        return await self._locked(
            models.Membership.id == membership_id,
            _ACTIVE,
            models.Membership.expires_at.is_not(None),
            models.Membership.expires_at <= now,
        )

    async def lock_expiring_at(
        self, membership_id: int, expires_at: datetime
    ) -> MembershipRecord | None:
        """The membership, locked, while it is active and still expires at `expires_at`
        (None once it ended or was renewed)."""
        return await self._locked(
            models.Membership.id == membership_id,
            _ACTIVE,
            models.Membership.expires_at == expires_at,
        )

    async def latest_of_plan(self, member_id: int, plan_id: int) -> MembershipRecord | None:
        """The member's newest membership of the plan, in any status."""
        found = await self.session.execute(
            select(models.Membership)
            .where(
                models.Membership.member_id == member_id,
                models.Membership.plan_id == plan_id,
            )
            .order_by(models.Membership.id.desc())
            .limit(1)
        )
        row = found.scalar_one_or_none()
        return None if row is None else _record(row)

    async def start(
        self,
        *,
        member_id: int,
        plan_id: int,
        list_price: int,
        activated_at: datetime,
        expires_at: datetime | None,
        now: datetime,
        granted_by: int | None = None,
        grant_reason: str | None = None,
    ) -> int:
        """A new active membership; its id. Raises `PlanAlreadyActive` when the member
        holds an active one of the plan already (this transaction is then spoiled)."""
        try:
            found = await self.session.execute(
                _START,
                {
                    "member_id": member_id,
                    "plan_id": plan_id,
                    "status": MembershipStatus.ACTIVE,
                    "list_price": list_price,
                    "activated_at": activated_at,
                    "expires_at": expires_at,
                    "granted_by": granted_by,
                    "grant_reason": grant_reason,
                    "created_at": now,
                },
            )
        except IntegrityError as error:
            raise PlanAlreadyActive(member_id, plan_id) from error
        membership_id: int = found.scalar_one()
        return membership_id

    async def extend(self, membership_id: int, expires_at: datetime) -> None:
        """Move the expiry of a membership this transaction holds locked."""
        await self.session.execute(
            update(models.Membership)
            .where(models.Membership.id == membership_id)
            .values(expires_at=expires_at)
        )

    async def set_replaced_by(self, membership_id: int, replaced_by_id: int) -> None:
        """An upgraded membership points at the one that replaced it."""
        await self.session.execute(
            update(models.Membership)
            .where(models.Membership.id == membership_id)
            .values(replaced_by_id=replaced_by_id)
        )

    async def record_event(
        self,
        membership_id: int,
        kind: str,
        now: datetime,
        *,
        actor_telegram_id: int | None = None,
        reason: str | None = None,
        old_expires_at: datetime | None = None,
        new_expires_at: datetime | None = None,
    ) -> int:
        """A line of the membership's history (activated, renewed, upgraded, granted,
        revoked, expired); its id."""
        found = await self.session.execute(
            _RECORD_EVENT,
            {
                "membership_id": membership_id,
                "kind": kind,
                "actor_telegram_id": actor_telegram_id,
                "reason": reason,
                "old_expires_at": old_expires_at,
                "new_expires_at": new_expires_at,
                "created_at": now,
            },
        )
        event_id: int = found.scalar_one()
        return event_id

    async def last_ended_at(self, member_id: int) -> datetime | None:
        """When the member's latest membership ended (None: none has ended yet);
        the same as max(ended_at) over their memberships."""
        found = await self.session.execute(
            select(models.Membership.ended_at)
            .where(
                models.Membership.member_id == member_id,
                models.Membership.ended_at.is_not(None),
            )
            .order_by(models.Membership.ended_at.desc())
            .limit(1)
        )
        ended: datetime | None = found.scalar_one_or_none()
        return ended

    async def activated_spans(self, member_id: int) -> list[HeldSpan]:
        """Every membership of the member that was ever activated, whatever its status
        now, with its tier (a report's tier is the tier held on the report's day)."""
        rows = await self.session.execute(
            select(models.Membership, models.Tier)
            .join(models.Plan, models.Plan.id == models.Membership.plan_id)
            .join(models.Tier, models.Tier.id == models.Plan.tier_id)
            .where(
                models.Membership.member_id == member_id,
                models.Membership.activated_at.is_not(None),
            )
        )
        spans = []
        for membership, tier in rows.all():
            assert membership.activated_at is not None
            spans.append(
                HeldSpan(
                    membership.id,
                    Tier(tier.code, tier.rank),
                    membership.activated_at,
                    membership.ended_at,
                    membership.expires_at,
                )
            )
        return spans

    async def renewals(self, membership_ids: list[int]) -> list[Renewal]:
        """The renewals of these memberships that moved an expiry (old → new)."""
        rows = await self.session.execute(
            select(
                models.MembershipEvent.membership_id,
                models.MembershipEvent.old_expires_at,
                models.MembershipEvent.created_at,
            ).where(
                models.MembershipEvent.membership_id.in_(membership_ids),
                models.MembershipEvent.kind == "renewed",
                models.MembershipEvent.old_expires_at.is_not(None),
            )
        )
        return [
            Renewal(membership_id, old_expiry, renewed_at)
            for membership_id, old_expiry, renewed_at in rows.all()
        ]

    async def held_by_members(self, member_ids: list[int]) -> dict[int, list[HeldMembership]]:
        """`held` of many members in one query (members holding nothing are absent)."""
        if not member_ids:
            return {}
        result = await self.session.execute(
            select(models.Membership, models.Plan, models.Tier)
            .join(models.Plan, models.Membership.plan_id == models.Plan.id)
            .join(models.Tier, models.Plan.tier_id == models.Tier.id)
            .where(
                models.Membership.member_id.in_(member_ids),
                models.Membership.status == MembershipStatus.ACTIVE,
            )
            .order_by(models.Membership.id)
        )
        held: dict[int, list[HeldMembership]] = {}
        for m, plan, tier in result.all():
            held.setdefault(m.member_id, []).append(
                HeldMembership(
                    m.id,
                    to_plan(plan, tier),
                    m.list_price,
                    m.activated_at or m.created_at,
                    m.expires_at,
                )
            )
        return held

    async def due_ids_after(
        self, now: datetime, after: tuple[datetime, int] | None, limit: int
    ) -> list[tuple[datetime, int]]:
        """One page of `due_ids` (with each expiry): the next `limit` after the
        (expires_at, id) `after`, in the same order (keyset pagination)."""
        query = select(models.Membership.expires_at, models.Membership.id).where(
            _ACTIVE,
            models.Membership.expires_at.is_not(None),
            models.Membership.expires_at <= now,
        )
        if after is not None:
            expires, last_id = after
            query = query.where(
                (models.Membership.expires_at > expires)
                | ((models.Membership.expires_at == expires) & (models.Membership.id > last_id))
            )
        found = await self.session.execute(
            query.order_by(models.Membership.expires_at, models.Membership.id).limit(limit)
        )
        return [(expires_at, membership_id) for expires_at, membership_id in found.all()]

    async def expiring_after(
        self, now: datetime, until: datetime, after: tuple[datetime, int] | None, limit: int
    ) -> list[ExpiringMembership]:
        """One page of `expiring`: the next `limit` after the (expires_at, id) `after`,
        in the same order (keyset pagination)."""
        query = (
            select(
                models.Membership.id,
                models.Membership.expires_at,
                models.Membership.activated_at,
                models.Membership.created_at,
            )
            .join(models.Member, models.Member.id == models.Membership.member_id)
            .where(
                _ACTIVE,
                models.Membership.expires_at.is_not(None),
                models.Membership.expires_at > now,
                models.Membership.expires_at <= until,
                models.Member.blocked_bot_at.is_(None),
            )
        )
        if after is not None:
            expires, last_id = after
            query = query.where(
                (models.Membership.expires_at > expires)
                | ((models.Membership.expires_at == expires) & (models.Membership.id > last_id))
            )
        found = await self.session.execute(
            query.order_by(models.Membership.expires_at, models.Membership.id).limit(limit)
        )
        return [
            ExpiringMembership(membership_id, expires_at, activated_at or created_at)
            for membership_id, expires_at, activated_at, created_at in found.all()
        ]
