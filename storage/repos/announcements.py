"""Announcements and their recipients: the audience queries, recipients materialised in
chunks, batches claimed with a lease, outcomes recorded with compare-and-set."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import LeaderLink, Member, Membership, Plan, Tier
from storage.models.announcements import (
    Announcement,
    AnnouncementRecipient,
    AnnouncementStatus,
    Audience,
    RecipientStatus,
)

__all__ = [
    "AnnouncementRecord",
    "AnnouncementRepository",
    "AnnouncementStatus",
    "Audience",
    "AudienceSize",
    "ClaimedRecipient",
    "RecipientStatus",
]

_A = Announcement
_R = AnnouncementRecipient


@dataclass(frozen=True, slots=True)
class AnnouncementRecord:
    id: int
    created_by: int
    source_chat_id: int
    source_message_ids: tuple[int, ...]
    is_album: bool
    buttons: tuple[tuple[tuple[str, str], ...], ...]  # rows of (text, url)
    audience: Audience
    audience_days: int | None
    status: AnnouncementStatus
    scheduled_at: datetime | None
    recipients_ready: bool
    status_chat_id: int | None
    status_message_id: int | None
    sent: int
    failed: int
    blocked: int
    total: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def remaining(self) -> int:
        return max(self.total - self.sent - self.failed - self.blocked, 0)


@dataclass(frozen=True, slots=True)
class AudienceSize:
    """Who the audience query finds now: `count` get the post, `blocked` are skipped."""

    count: int
    blocked: int


@dataclass(frozen=True, slots=True)
class ClaimedRecipient:
    id: int
    member_id: int
    chat_id: int


def _record(row: Announcement) -> AnnouncementRecord:
    return AnnouncementRecord(
        id=row.id,
        created_by=row.created_by,
        source_chat_id=row.source_chat_id,
        source_message_ids=tuple(int(i) for i in row.source_message_ids),
        is_album=row.is_album,
        buttons=tuple(
            tuple((str(b["text"]), str(b["url"])) for b in line) for line in row.buttons or ()
        ),
        audience=Audience(row.audience),
        audience_days=row.audience_days,
        status=AnnouncementStatus(row.status),
        scheduled_at=row.scheduled_at,
        recipients_ready=row.recipients_ready,
        status_chat_id=row.status_chat_id,
        status_message_id=row.status_message_id,
        sent=row.sent_count,
        failed=row.failed_count,
        blocked=row.blocked_count,
        total=row.total_count,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


def _active_now(now: datetime) -> ColumnElement[bool]:
    return and_(
        Membership.member_id == Member.id,
        Membership.status == "active",
        or_(Membership.expires_at.is_(None), Membership.expires_at > now),
    )


def _held_once() -> ColumnElement[bool]:
    held = select(Membership.id).where(
        Membership.member_id == Member.id, Membership.activated_at.is_not(None)
    )
    return held.exists()


def audience_filter(audience: Audience, days: int | None, now: datetime) -> ColumnElement[bool]:
    """Which members belong to the audience now (whether they blocked the bot aside)."""
    active = select(Membership.id).where(_active_now(now))
    if audience is Audience.EVERYONE:
        return true()
    if audience is Audience.VIP:
        return (
            active.join(Plan, Plan.id == Membership.plan_id)
            .join(Tier, Tier.id == Plan.tier_id)
            .where(Tier.code == "vip")
            .exists()
        )
    if audience is Audience.BASIC:
        basic = aliased(Tier)
        basic_rank = select(basic.rank).where(basic.code == "basic").scalar_subquery()
        tiered = active.join(Plan, Plan.id == Membership.plan_id).join(
            Tier, Tier.id == Plan.tier_id
        )
        return and_(
            tiered.where(Tier.code == "basic").exists(),
            ~tiered.where(Tier.rank > basic_rank).exists(),
        )
    if audience is Audience.EXPIRING:
        until = now + timedelta(days=days or 7)
        return active.where(
            Membership.expires_at.is_not(None), Membership.expires_at <= until
        ).exists()
    if audience is Audience.EXPIRED:
        # A plan that ran out (expired, or still 'active' in the table past its end until
        # the lifecycle job runs); a revoked or cancelled one is not "ended" for this.
        ran_out = select(Membership.id).where(
            Membership.member_id == Member.id,
            or_(
                Membership.status == "expired",
                and_(Membership.status == "active", Membership.expires_at <= now),
            ),
        )
        return and_(ran_out.exists(), ~active.exists())
    if audience is Audience.NEVER_PAID:
        return ~_held_once()
    leads = select(LeaderLink.id).where(
        LeaderLink.leader_member_id == Member.id, LeaderLink.valid_to.is_(None)
    )
    return leads.exists()


class AnnouncementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # ------------------------------------------------------------------ the audience

    async def audience_size(
        self, audience: Audience, days: int | None, now: datetime
    ) -> AudienceSize:
        """One query: how many members the audience holds who will get the post, and
        how many of it blocked the bot (skipped)."""
        blocked = func.coalesce(func.sum(case((Member.blocked_bot_at.is_not(None), 1), else_=0)), 0)
        row = (
            await self.session.execute(
                select(func.count(), blocked).where(audience_filter(audience, days, now))
            )
        ).one()
        total, skipped = int(row[0]), int(row[1])
        return AudienceSize(count=total - skipped, blocked=skipped)

    async def last_member_id(self) -> int:
        found = await self.session.execute(select(func.max(Member.id)))
        return int(found.scalar_one() or 0)

    async def prepared_through(self, announcement_id: int) -> int:
        """The highest member id made a recipient so far (chunks go in member id order)."""
        found = await self.session.execute(
            select(func.max(_R.member_id)).where(_R.announcement_id == announcement_id)
        )
        return int(found.scalar_one() or 0)

    async def add_recipients(
        self,
        announcement: AnnouncementRecord,
        after_member_id: int,
        through_member_id: int,
        now: datetime,
    ) -> int:
        """Makes the audience's members with ids in (after, through] recipients, in one
        INSERT ... SELECT; members who blocked the bot are left out. How many were added."""
        chosen = select(
            literal(announcement.id),
            Member.id,
            Member.telegram_id,
            literal(RecipientStatus.PENDING.value),
        ).where(
            audience_filter(announcement.audience, announcement.audience_days, now),
            Member.blocked_bot_at.is_(None),
            Member.id > after_member_id,
            Member.id <= through_member_id,
        )
        statement = insert(_R).from_select(
            ["announcement_id", "member_id", "chat_id", "status"], chosen
        )
        result = await self.session.execute(statement)
        return int(getattr(result, "rowcount", 0) or 0)

    async def mark_ready(self, announcement_id: int) -> None:
        total = (
            select(func.count())
            .select_from(_R)
            .where(_R.announcement_id == announcement_id)
            .scalar_subquery()
        )
        await self.session.execute(
            update(_A)
            .where(_A.id == announcement_id)
            .values(recipients_ready=True, total_count=total)
        )

    # ------------------------------------------------------------------ announcements

    async def create(
        self,
        *,
        created_by: int,
        source_chat_id: int,
        source_message_ids: Sequence[int],
        is_album: bool,
        buttons: Sequence[Sequence[tuple[str, str]]],
        audience: Audience,
        audience_days: int | None,
        status: AnnouncementStatus,
        scheduled_at: datetime | None,
        now: datetime,
    ) -> int:
        row = Announcement(
            created_by=created_by,
            source_chat_id=source_chat_id,
            source_message_ids=list(source_message_ids),
            is_album=is_album,
            buttons=[[{"text": t, "url": u} for t, u in line] for line in buttons] or None,
            audience=audience.value,
            audience_days=audience_days,
            status=status.value,
            scheduled_at=scheduled_at,
            recipients_ready=False,
            sent_count=0,
            failed_count=0,
            blocked_count=0,
            total_count=0,
            created_at=now,
            started_at=now if status is AnnouncementStatus.SENDING else None,
        )
        self.session.add(row)
        await self.session.flush()
        return row.id

    async def get(self, announcement_id: int) -> AnnouncementRecord | None:
        row = await self.session.get(Announcement, announcement_id, populate_existing=True)
        return None if row is None else _record(row)

    async def recent(self, limit: int, offset: int) -> tuple[list[AnnouncementRecord], int]:
        """A page of announcements, newest first, and how many there are."""
        rows = await self.session.execute(
            select(Announcement).order_by(Announcement.id.desc()).limit(limit).offset(offset)
        )
        count = await self.session.execute(select(func.count()).select_from(_A))
        return [_record(r) for r in rows.scalars()], int(count.scalar_one())

    async def transition(
        self,
        announcement_id: int,
        from_statuses: Sequence[AnnouncementStatus],
        to: AnnouncementStatus,
        **values: Any,
    ) -> bool:
        """Compare-and-set of the status: True for the one caller that moved it."""
        result = await self.session.execute(
            update(_A)
            .where(_A.id == announcement_id, _A.status.in_([s.value for s in from_statuses]))
            .values(status=to.value, **values)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1

    async def set_status_message(self, announcement_id: int, chat_id: int, message_id: int) -> None:
        await self.session.execute(
            update(_A)
            .where(_A.id == announcement_id)
            .values(status_chat_id=chat_id, status_message_id=message_id)
        )

    async def with_status(self, status: AnnouncementStatus) -> list[int]:
        rows = await self.session.execute(
            select(_A.id).where(_A.status == status.value).order_by(_A.id)
        )
        return [int(i) for i in rows.scalars()]

    async def scheduled_due(self, now: datetime) -> list[int]:
        rows = await self.session.execute(
            select(_A.id)
            .where(_A.status == AnnouncementStatus.SCHEDULED.value, _A.scheduled_at <= now)
            .order_by(_A.scheduled_at, _A.id)
        )
        return [int(i) for i in rows.scalars()]

    async def next_scheduled_at(self) -> datetime | None:
        found = await self.session.execute(
            select(func.min(_A.scheduled_at)).where(_A.status == AnnouncementStatus.SCHEDULED.value)
        )
        value: datetime | None = found.scalar_one_or_none()
        return value

    # ------------------------------------------------------------------ recipients

    async def release_expired(self, announcement_id: int, now: datetime) -> int:
        """Claims whose lease ran out (their sender stopped) go back to pending."""
        return await self._release(
            and_(_R.claimed_until.is_not(None), _R.claimed_until < now), announcement_id
        )

    async def renew(
        self, announcement_id: int, recipient_ids: Sequence[int], lease_until: datetime
    ) -> None:
        if recipient_ids:
            await self.session.execute(
                update(_R)
                .where(
                    _R.announcement_id == announcement_id,
                    _R.id.in_(list(recipient_ids)),
                    _R.status == RecipientStatus.CLAIMED.value,
                )
                .values(claimed_until=lease_until)
            )

    async def release(self, announcement_id: int, recipient_ids: Sequence[int]) -> int:
        if not recipient_ids:
            return 0
        return await self._release(_R.id.in_(list(recipient_ids)), announcement_id)

    async def _release(self, which: ColumnElement[bool], announcement_id: int) -> int:
        result = await self.session.execute(
            update(_R)
            .where(
                _R.announcement_id == announcement_id,
                _R.status == RecipientStatus.CLAIMED.value,
                which,
            )
            .values(status=RecipientStatus.PENDING.value, claimed_until=None)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def claim(
        self, announcement_id: int, limit: int, lease_until: datetime
    ) -> list[ClaimedRecipient]:
        """Up to `limit` pending recipients, oldest first, claimed until `lease_until`
        (compare-and-set: a row another sender took meanwhile is not returned)."""
        oldest = (
            select(_R.id)
            .where(
                _R.announcement_id == announcement_id,
                _R.status == RecipientStatus.PENDING.value,
            )
            .order_by(_R.id)
            .limit(limit)
            .scalar_subquery()
        )
        result = await self.session.execute(
            update(_R)
            .where(_R.id.in_(oldest), _R.status == RecipientStatus.PENDING.value)
            .values(status=RecipientStatus.CLAIMED.value, claimed_until=lease_until)
            .returning(_R.id, _R.member_id, _R.chat_id)
        )
        claimed = [ClaimedRecipient(int(i), int(m), int(c)) for i, m, c in result.all()]
        return sorted(claimed, key=lambda r: r.id)

    async def record_outcomes(
        self,
        announcement_id: int,
        sent: Sequence[int],
        failed: Sequence[tuple[int, str]],
        blocked: Sequence[tuple[int, str]],
        now: datetime,
    ) -> tuple[int, int, int]:
        """Writes what happened to claimed recipients and adds it to the counts. Each row
        leaves claimed (or pending, if its lease was taken back meanwhile) once, so an
        outcome is counted once. Returns the (sent, failed, blocked) counted."""
        open_ = [RecipientStatus.CLAIMED.value, RecipientStatus.PENDING.value]
        counted_sent = 0
        if sent:
            result = await self.session.execute(
                update(_R)
                .where(_R.id.in_(list(sent)), _R.status.in_(open_))
                .values(status=RecipientStatus.SENT.value, sent_at=now, claimed_until=None)
            )
            counted_sent = int(getattr(result, "rowcount", 0) or 0)
        counted = []
        for status, rows in ((RecipientStatus.FAILED, failed), (RecipientStatus.BLOCKED, blocked)):
            n = 0
            for recipient_id, error in rows:
                result = await self.session.execute(
                    update(_R)
                    .where(_R.id == recipient_id, _R.status.in_(open_))
                    .values(status=status.value, error=error[:256], claimed_until=None)
                )
                n += int(getattr(result, "rowcount", 0) or 0)
            counted.append(n)
        if counted_sent or any(counted):
            await self.session.execute(
                update(_A)
                .where(_A.id == announcement_id)
                .values(
                    sent_count=_A.sent_count + counted_sent,
                    failed_count=_A.failed_count + counted[0],
                    blocked_count=_A.blocked_count + counted[1],
                )
            )
        return counted_sent, counted[0], counted[1]

    async def unfinished(self, announcement_id: int) -> int:
        """Recipients not reached yet: pending, or claimed by a sender."""
        found = await self.session.execute(
            select(func.count()).where(
                _R.announcement_id == announcement_id,
                _R.status.in_([RecipientStatus.PENDING.value, RecipientStatus.CLAIMED.value]),
            )
        )
        return int(found.scalar_one())

    async def recipient_statuses(self, announcement_id: int) -> dict[str, int]:
        """How many recipients are in each status (history details and tests)."""
        rows = await self.session.execute(
            select(_R.status, func.count())
            .where(_R.announcement_id == announcement_id)
            .group_by(_R.status)
        )
        return {str(s): int(n) for s, n in rows.all()}
