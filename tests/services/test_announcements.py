"""Announcements in the service layer: who is in each audience, recipients made rows in
chunks, batches claimed with a lease, outcomes counted once, status changes that a
second tap cannot repeat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from kernel.actor import Actor
from services.announcements import (
    AnnouncementError,
    AnnouncementProblem,
    AnnouncementService,
    AnnouncementStatus,
    Audience,
    Control,
    Draft,
    parse_days,
    parse_link_buttons,
    parse_send_time,
)
from storage.models import LeaderLink, Member, Membership, Plan, Tier
from storage.models.announcements import AnnouncementRecipient
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock

ZONE = ZoneInfo("Asia/Jakarta")
ADMIN = Actor(7002, "Dewi")
ADMIN_CHAT = -100500
NOW = datetime(2026, 1, 10, 3, 0, tzinfo=UTC)


def service(uow: UnitOfWorkFactory, clock: FrozenClock) -> AnnouncementService:
    return AnnouncementService(uow, clock, ZONE, "id")


def draft(audience: Audience = Audience.EVERYONE, days: int | None = None) -> Draft:
    return Draft(ADMIN_CHAT, (501,), False, ((("Zoom", "https://zoom.us/j/1"),),), audience, days)


async def add_member(uow: UnitOfWorkFactory, telegram_id: int, *, blocked: bool = False) -> int:
    async with uow() as work:
        row = Member(
            telegram_id=telegram_id,
            first_name=f"M{telegram_id}",
            referral_code=f"r{telegram_id}",
            blocked_bot_at=NOW if blocked else None,
            created_at=NOW,
            last_seen_at=NOW,
        )
        work.session.add(row)
        await work.session.flush()
        member_id = row.id
        await work.commit()
    return member_id


async def plan_id(uow: UnitOfWorkFactory, tier: str, days: int | None) -> int:
    """The seeded lifetime plan of `tier`, or a temporal one made for the test."""
    async with uow() as work:
        tier_id = (await work.session.execute(select(Tier.id).where(Tier.code == tier))).scalar()
        found = await work.session.execute(
            select(Plan.id).where(Plan.tier_id == tier_id, Plan.duration_days.is_(days)
                                  if days is None else Plan.duration_days == days)
        )  # fmt: skip
        existing = found.scalars().first()
        if existing is not None:
            return int(existing)
        row = Plan(code=f"{tier}_{days}", tier_id=tier_id, duration_days=days, price=100_000,
                   created_at=NOW)  # fmt: skip
        work.session.add(row)
        await work.session.flush()
        new_id = row.id
        await work.commit()
    return new_id


async def hold(
    uow: UnitOfWorkFactory,
    member_id: int,
    tier: str,
    *,
    days: int | None = None,
    ends_in: timedelta | None = None,
    status: str = "active",
) -> None:
    plan = await plan_id(uow, tier, days)
    async with uow() as work:
        work.session.add(
            Membership(
                member_id=member_id,
                plan_id=plan,
                status=status,
                list_price=100_000,
                activated_at=None if status == "pending" else NOW - timedelta(days=40),
                expires_at=None if ends_in is None else NOW + ends_in,
                created_at=NOW - timedelta(days=40),
            )
        )
        await work.commit()


async def lead(uow: UnitOfWorkFactory, leader_id: int, member_id: int) -> None:
    async with uow() as work:
        work.session.add(
            LeaderLink(member_id=member_id, leader_member_id=leader_id, source="referral",
                       valid_from=NOW)
        )  # fmt: skip
        await work.commit()


async def recipients(uow: UnitOfWorkFactory, announcement_id: int) -> list[tuple[int, str]]:
    async with uow() as work:
        rows = await work.session.execute(
            select(AnnouncementRecipient.chat_id, AnnouncementRecipient.status)
            .where(AnnouncementRecipient.announcement_id == announcement_id)
            .order_by(AnnouncementRecipient.chat_id)
        )
        return [(int(c), str(s)) for c, s in rows.all()]


async def community(uow: UnitOfWorkFactory) -> None:
    """One member of each kind (telegram ids say who they are)."""
    basic = await add_member(uow, 101)
    await hold(uow, basic, "basic")
    vip = await add_member(uow, 102)
    await hold(uow, vip, "vip")
    both = await add_member(uow, 103)  # Basic and VIP: counts as VIP only
    await hold(uow, both, "basic")
    await hold(uow, both, "vip")
    ending = await add_member(uow, 104)  # VIP for 30 days, 5 days left
    await hold(uow, ending, "vip", days=30, ends_in=timedelta(days=5))
    lapsed = await add_member(uow, 105)  # had VIP, expired
    await hold(uow, lapsed, "vip", days=30, ends_in=timedelta(days=-3), status="expired")
    stale = await add_member(uow, 106)  # still "active" but past its end: not active
    await hold(uow, stale, "basic", days=30, ends_in=timedelta(hours=-1))
    newcomer = await add_member(uow, 107)  # never paid
    waiting = await add_member(uow, 108)  # a payment waiting: never held a plan
    await hold(uow, waiting, "vip", status="pending")
    gone = await add_member(uow, 109, blocked=True)  # never paid, blocked the bot
    revoked = await add_member(uow, 110)  # VIP revoked by an admin: not "ended", nor new
    await hold(uow, revoked, "vip", status="cancelled")
    await lead(uow, basic, newcomer)
    await lead(uow, basic, gone)


# ---------------------------------------------------------------- the audience


@pytest.mark.parametrize(
    ("audience", "days", "count", "blocked"),
    [
        (Audience.EVERYONE, None, 9, 1),
        (Audience.BASIC, None, 1, 0),
        (Audience.VIP, None, 3, 0),
        (Audience.EXPIRING, 7, 1, 0),
        (Audience.EXPIRING, 3, 0, 0),
        (Audience.EXPIRED, None, 2, 0),
        (Audience.NEVER_PAID, None, 2, 1),
        (Audience.LEADERS, None, 1, 0),
    ],
)
async def test_each_audience_counts_the_members_it_names_and_the_blocked_it_skips(
    uow: UnitOfWorkFactory,
    clock: FrozenClock,
    audience: Audience,
    days: int | None,
    count: int,
    blocked: int,
) -> None:
    await community(uow)
    size = await service(uow, clock).audience_size(audience, days)
    assert (size.count, size.blocked) == (count, blocked)


async def test_recipients_are_exactly_the_audience_counted_before_confirming(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await community(uow)
    announcements = service(uow, clock)
    size = await announcements.audience_size(Audience.VIP)
    record = await announcements.confirm(draft(Audience.VIP), ADMIN)
    prepared = await announcements.prepare(record.id, chunk=2)
    assert prepared is not None and prepared.recipients_ready
    assert prepared.total == size.count == 3
    assert await recipients(uow, record.id) == [(102, "pending"), (103, "pending"),
                                                (104, "pending")]  # fmt: skip


async def test_recipients_made_in_chunks_resume_after_a_crash_without_duplicates(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    for telegram_id in range(201, 211):
        await add_member(uow, telegram_id)
    announcements = service(uow, clock)
    record = await announcements.confirm(draft(), ADMIN)
    async with uow() as work:  # the first chunk was written, then the process died
        await work.announcements.add_recipients(record, 0, 4, NOW)
        await work.commit()
    prepared = await announcements.prepare(record.id, chunk=3)
    assert prepared is not None and prepared.total == 10
    assert [chat for chat, _ in await recipients(uow, record.id)] == list(range(201, 211))


async def test_an_audience_nobody_is_in_is_refused_at_confirming(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await add_member(uow, 301)
    with pytest.raises(AnnouncementError) as refused:
        await service(uow, clock).confirm(draft(Audience.VIP), ADMIN)
    assert refused.value.problem is AnnouncementProblem.NO_RECIPIENTS


# ---------------------------------------------------------------- claiming and outcomes


async def test_a_batch_is_claimed_once_and_its_outcomes_are_counted_once(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    for telegram_id in range(401, 406):
        await add_member(uow, telegram_id)
    announcements = service(uow, clock)
    record = await announcements.confirm(draft(), ADMIN)
    await announcements.prepare(record.id)
    first = await announcements.claim(record.id, 3, timedelta(seconds=30))
    second = await announcements.claim(record.id, 3, timedelta(seconds=30))
    assert [r.chat_id for r in first] == [401, 402, 403]
    assert [r.chat_id for r in second] == [404, 405]
    assert await announcements.claim(record.id, 3, timedelta(seconds=30)) == []
    a, b, c = first
    await announcements.record(record.id, [a.id], [(b.id, "chat not found")],
                               [(c.id, c.chat_id, "blocked")])  # fmt: skip
    # The same outcomes written again (a retried write) count nothing more.
    await announcements.record(record.id, [a.id], [], [(c.id, c.chat_id, "blocked")])
    await announcements.record(record.id, [r.id for r in second], [], [])
    assert await announcements.finish(record.id)
    done = await announcements.announcement(record.id)
    assert (done.status, done.sent, done.failed, done.blocked, done.remaining) == (
        AnnouncementStatus.DONE, 3, 1, 1, 0)  # fmt: skip
    async with uow() as work:
        blocked = await work.members.by_telegram_id(403)
        assert blocked is not None
    size = await announcements.audience_size(Audience.EVERYONE)
    assert (size.count, size.blocked) == (4, 1)  # the next announcement skips them


async def test_claims_of_a_sender_that_died_return_once_their_lease_runs_out(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    for telegram_id in range(501, 504):
        await add_member(uow, telegram_id)
    announcements = service(uow, clock)
    record = await announcements.confirm(draft(), ADMIN)
    await announcements.prepare(record.id)
    taken = await announcements.claim(record.id, 2, timedelta(seconds=15))
    assert len(taken) == 2
    # Within the lease nobody else gets them; not finished while they are out.
    assert [r.chat_id for r in await announcements.claim(record.id, 5, timedelta(seconds=15))] \
        == [503]  # fmt: skip
    assert not await announcements.finish(record.id)
    assert await announcements.release_expired(record.id) == 0  # not run out yet
    clock.advance(seconds=16)
    assert await announcements.release_expired(record.id) == 3
    again = await announcements.claim(record.id, 5, timedelta(seconds=15))
    assert [r.chat_id for r in again] == [501, 502, 503]


async def test_released_claims_are_sent_after_a_resume(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    for telegram_id in range(601, 604):
        await add_member(uow, telegram_id)
    announcements = service(uow, clock)
    record = await announcements.confirm(draft(), ADMIN)
    await announcements.prepare(record.id)
    taken = await announcements.claim(record.id, 3, timedelta(seconds=15))
    await announcements.release(record.id, [r.id for r in taken[1:]])
    assert [r.chat_id for r in await announcements.claim(record.id, 5, timedelta(seconds=15))] \
        == [602, 603]  # fmt: skip


# ---------------------------------------------------------------- status changes


async def test_pause_resume_and_cancel_change_the_status_once(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await add_member(uow, 701)
    announcements = service(uow, clock)
    told: list[int] = []
    announcements.on_change = told.append
    record = await announcements.confirm(draft(), ADMIN)
    paused = await announcements.control(record.id, Control.PAUSE, ADMIN)
    twice = await announcements.control(record.id, Control.PAUSE, ADMIN)
    assert paused.changed and paused.announcement.status is AnnouncementStatus.PAUSED
    assert not twice.changed and twice.announcement.status is AnnouncementStatus.PAUSED
    resumed = await announcements.control(record.id, Control.RESUME, ADMIN)
    assert resumed.announcement.status is AnnouncementStatus.SENDING
    cancelled = await announcements.control(record.id, Control.CANCEL, ADMIN)
    assert cancelled.announcement.status is AnnouncementStatus.CANCELLED
    assert not (await announcements.control(record.id, Control.RESUME, ADMIN)).changed
    assert told == [record.id] * 4  # created (sending), paused, resumed, cancelled


async def test_a_finished_announcement_cannot_be_cancelled(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await add_member(uow, 801)
    announcements = service(uow, clock)
    record = await announcements.confirm(draft(), ADMIN)
    await announcements.prepare(record.id)
    [one] = await announcements.claim(record.id, 5, timedelta(seconds=15))
    await announcements.record(record.id, [one.id], [], [])
    assert await announcements.finish(record.id)
    result = await announcements.control(record.id, Control.CANCEL, ADMIN)
    assert not result.changed and result.announcement.status is AnnouncementStatus.DONE


async def test_a_scheduled_announcement_starts_once_when_its_time_comes(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await add_member(uow, 901)
    announcements = service(uow, clock)
    record = await announcements.confirm(draft(), ADMIN, send_at=clock.now() + timedelta(hours=2))
    assert record.status is AnnouncementStatus.SCHEDULED
    assert await announcements.start_due() == []
    assert await announcements.next_scheduled_at() == clock.now() + timedelta(hours=2)
    clock.advance(hours=2)
    assert await announcements.start_due() == [record.id]
    assert await announcements.start_due() == []
    assert await announcements.sending() == [record.id]


async def test_history_lists_the_newest_first_page_by_page(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await add_member(uow, 1001)
    announcements = service(uow, clock)
    made = [(await announcements.confirm(draft(), ADMIN)).id for _ in range(7)]
    first = await announcements.history(0)
    second = await announcements.history(1)
    beyond = await announcements.history(9)
    assert [a.id for a in first.announcements] == made[::-1][:5]
    assert [a.id for a in second.announcements] == made[::-1][5:]
    assert (first.pages, beyond.page) == (2, 1)


# ---------------------------------------------------------------- what admins type


def test_link_buttons_are_lines_of_a_label_and_a_link() -> None:
    assert parse_link_buttons("Daftar - https://zoom.us/j/1\nGrup | tg://resolve?domain=x") == (
        (("Daftar", "https://zoom.us/j/1"),),
        (("Grup", "tg://resolve?domain=x"),),
    )


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("Daftar https://zoom.us", AnnouncementProblem.BAD_LINE),
        ("Daftar - javascript:alert(1)", AnnouncementProblem.BAD_LINK),
        ("Daftar - ftp://files.example.com", AnnouncementProblem.BAD_LINK),
        ("Daftar - https://localhost", AnnouncementProblem.BAD_LINK),
        ("x" * 41 + " - https://a.id", AnnouncementProblem.LABEL_TOO_LONG),
        ("\n".join(f"B{i} - https://a.id" for i in range(7)), AnnouncementProblem.TOO_MANY_BUTTONS),
    ],
)
def test_a_button_line_that_does_not_fit_says_what_to_fix(
    typed: str, problem: AnnouncementProblem
) -> None:
    with pytest.raises(AnnouncementError) as refused:
        parse_link_buttons(typed)
    assert refused.value.problem is problem


@pytest.mark.parametrize("typed", ["0", "91", "-3", "tujuh", "7.5", ""])
def test_days_outside_one_to_ninety_are_refused(typed: str) -> None:
    with pytest.raises(AnnouncementError):
        parse_days(typed)


def test_a_send_time_is_read_in_the_bots_time_zone_and_must_be_ahead() -> None:
    now = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)  # 17:00 in Jakarta
    assert parse_send_time("10-12-2026 19:00", ZONE, now) == datetime(
        2026, 12, 10, 12, 0, tzinfo=UTC
    )
    for typed, problem in [
        ("03-12-2026 16:59", AnnouncementProblem.PAST_DATE),
        ("31-02-2027 10:00", AnnouncementProblem.BAD_DATE),
        ("besok jam 7", AnnouncementProblem.BAD_DATE),
        ("10-12-2028 19:00", AnnouncementProblem.TOO_FAR),
    ]:
        with pytest.raises(AnnouncementError) as refused:
            parse_send_time(typed, ZONE, now)
        assert refused.value.problem is problem, typed
