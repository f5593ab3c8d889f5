"""Meetings in the service layer, on SQLite and PostgreSQL: scheduling refuses what cannot
be a meeting, answers change, reminders go out exactly once (the clock moved, the sweep
run twice, two sweeps at once, a sweep after downtime), the link only to the audience of
the moment, attendance in its window and by admins, edits and cancellations told."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, insert, select

from domain.meetings import MeetingAudience, Repeat, Rsvp
from kernel.actor import Actor
from kernel.notices import Notice
from services.meetings import (
    Draft,
    Field,
    MeetingError,
    MeetingProblem,
    MeetingService,
)
from services.meetings.attendance import PAGE
from services.meetings.reminders import BATCH
from storage.models import MeetingRsvp, Member, Membership, OutboxMessage, Plan, Tier
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock

ZONE = ZoneInfo("Asia/Jakarta")
ADMIN = Actor(7002, "Dewi")
NOW = datetime(2026, 1, 10, 3, 0, tzinfo=UTC)  # Saturday 10.00 WIB
LINK = "https://us02web.zoom.us/j/123?pwd=abc"
VIP, VIP2, BASIC, NOBODY = 1001, 1002, 1003, 1004


def service(uow: UnitOfWorkFactory, clock: FrozenClock) -> MeetingService:
    return MeetingService(
        uow,
        clock,
        ZONE,
        "id",
        shop_callback="menu:shop",
        open_callback=lambda m, o: f"mtg:open:{m}:{o}",
    )


async def member(
    uow: UnitOfWorkFactory,
    telegram_id: int,
    tier: str | None = None,
    ends_in: timedelta | None = None,
) -> int:
    async with uow() as work:
        row = Member(
            telegram_id=telegram_id,
            first_name=f"M{telegram_id}",
            referral_code=f"r{telegram_id}",
            created_at=NOW,
            last_seen_at=NOW,
        )
        work.session.add(row)
        await work.session.flush()
        if tier is not None:
            tier_id = (
                await work.session.execute(select(Tier.id).where(Tier.code == tier))
            ).scalar()
            plan = Plan(
                code=f"{tier}_t{telegram_id}",
                tier_id=tier_id,
                duration_days=None if ends_in is None else 30,
                price=1,
                created_at=NOW,
            )
            work.session.add(plan)
            await work.session.flush()
            work.session.add(
                Membership(
                    member_id=row.id,
                    plan_id=plan.id,
                    status="active",
                    list_price=1,
                    activated_at=NOW,
                    created_at=NOW,
                    expires_at=None if ends_in is None else NOW + ends_in,
                )
            )
        member_id = row.id
        await work.commit()
    return member_id


def draft(starts_in: timedelta = timedelta(days=2), **changes: object) -> Draft:
    fields: dict[str, object] = {
        "title": "Kelas konten AI",
        "starts_at": NOW + starts_in,
        "duration_minutes": 60,
        "audience": MeetingAudience.VIP,
        "repeat": Repeat.ONCE,
        "join_link": LINK,
        "notes": None,
    } | changes
    return Draft(**fields)  # type: ignore[arg-type]


async def queued(uow: UnitOfWorkFactory, prefix: str = "meetings.") -> list[OutboxMessage]:
    async with uow() as work:
        rows = await work.session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.text_key.startswith(prefix))
            .order_by(OutboxMessage.id)
        )
        return list(rows.scalars())


def to(rows: list[OutboxMessage], chat_id: int) -> list[OutboxMessage]:
    return [row for row in rows if row.chat_id == chat_id]


def urls(row: OutboxMessage) -> list[str]:
    return [b["url"] for line in (row.buttons or {}).get("rows", []) for b in line if b["url"]]


# ---------------------------------------------------------------- scheduling


async def test_what_admins_type_is_refused_kindly_when_it_cannot_be_a_meeting(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    meetings = service(uow, clock)
    for typed, problem in (
        ("kapan-kapan", MeetingProblem.BAD_TIME),
        ("31/02 19.00", MeetingProblem.BAD_TIME),
        ("09-01-2026 19.00", MeetingProblem.PAST_TIME),
        ("hari ini 08.00", MeetingProblem.PAST_TIME),
    ):
        with pytest.raises(MeetingError) as refused:
            meetings.read_start(typed)
        assert refused.value.problem is problem, typed
    for link in ("zoom.us/j/1", "javascript:alert(1)", "https://zoom us/j/1"):
        with pytest.raises(MeetingError) as refused:
            meetings.read_link(link)
        assert refused.value.problem is MeetingProblem.BAD_LINK
    assert meetings.read_start("besok 19.00") == datetime(2026, 1, 11, 12, 0, tzinfo=UTC)
    with pytest.raises(MeetingError) as refused:
        await meetings.schedule(draft(starts_in=-timedelta(minutes=1)), ADMIN)
    assert refused.value.problem is MeetingProblem.PAST_TIME
    assert await meetings.upcoming() == []


async def test_a_weekly_series_is_one_schedule_whose_next_occurrence_moves_on(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    meetings = service(uow, clock)
    scheduled = await meetings.schedule(draft(repeat=Repeat.WEEKLY), ADMIN)
    [listed] = await meetings.upcoming()
    assert listed.meeting.id == scheduled.id and listed.next is not None
    assert listed.next.index == 0
    clock.advance(days=3)
    [listed] = await meetings.upcoming()
    assert listed.next is not None and listed.next.index == 1
    assert listed.next.starts_at == NOW + timedelta(days=9)


# ---------------------------------------------------------------- answers


async def test_a_member_changes_their_answer_and_the_last_one_counts(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await member(uow, VIP, "vip")
    meetings = service(uow, clock)
    meeting = await meetings.schedule(draft(), ADMIN)
    shown = await meetings.answer(VIP, meeting.id, 0, Rsvp.YES)
    assert shown.answer is Rsvp.YES
    clock.advance(minutes=5)
    shown = await meetings.answer(VIP, meeting.id, 0, Rsvp.MAYBE)
    assert shown.answer is Rsvp.MAYBE
    roster = await meetings.roster(meeting.id, 0)
    assert (roster.counts.yes, roster.counts.maybe, roster.counts.no) == (0, 1, 0)
    assert [row.member.telegram_id for row in roster.rows] == [VIP]


async def test_members_see_only_the_meetings_of_their_tier(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await member(uow, VIP, "vip")
    await member(uow, BASIC, "basic")
    await member(uow, NOBODY)
    meetings = service(uow, clock)
    for_vip = await meetings.schedule(draft(title="Khusus VIP"), ADMIN)
    for_all = await meetings.schedule(
        draft(title="Semua", audience=MeetingAudience.MEMBERS, starts_in=timedelta(days=3)), ADMIN
    )
    assert [i.meeting.id for i in (await meetings.for_member(VIP)).items] == [
        for_vip.id,
        for_all.id,
    ]
    assert [i.meeting.id for i in (await meetings.for_member(BASIC)).items] == [for_all.id]
    nobody = await meetings.for_member(NOBODY)
    assert nobody.items == () and not nobody.has_plan
    with pytest.raises(MeetingError) as refused:
        await meetings.answer(BASIC, for_vip.id, 0, Rsvp.YES)
    assert refused.value.problem is MeetingProblem.NOT_IN_AUDIENCE
    with pytest.raises(MeetingError) as refused:
        await meetings.answer(VIP, for_vip.id, 1, Rsvp.YES)  # a one-off has no occurrence 1
    assert refused.value.problem is MeetingProblem.NOT_FOUND


# ---------------------------------------------------------------- reminders


async def test_reminders_go_out_once_per_offset_to_yes_and_maybe_with_the_clock_moved(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    for telegram_id in (VIP, VIP2, BASIC):
        await member(uow, telegram_id, "vip")
    meetings = service(uow, clock)
    meeting = await meetings.schedule(draft(starts_in=timedelta(days=2)), ADMIN)
    await meetings.answer(VIP, meeting.id, 0, Rsvp.YES)
    await meetings.answer(VIP2, meeting.id, 0, Rsvp.MAYBE)
    await meetings.answer(BASIC, meeting.id, 0, Rsvp.NO)
    assert await meetings.send_reminders() == 0  # 48 hours before: nothing due

    clock.advance(hours=24)  # exactly 24 hours before
    assert await meetings.send_reminders() == 2
    assert await meetings.send_reminders() == 0  # the same sweep again: nothing
    clock.advance(hours=22, minutes=59)  # 1 h 1 min before
    assert await meetings.send_reminders() == 0
    clock.advance(minutes=1)
    assert await meetings.send_reminders() == 2
    clock.advance(minutes=59)
    assert await meetings.send_reminders() == 0

    rows = await queued(uow, "meetings.reminder")
    assert len(to(rows, VIP)) == 2 and len(to(rows, VIP2)) == 2 and to(rows, BASIC) == []
    assert all(urls(row) == [LINK] for row in rows)


async def test_two_sweeps_at_once_queue_each_reminder_once(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await member(uow, VIP, "vip")
    meetings = service(uow, clock)
    meeting = await meetings.schedule(draft(starts_in=timedelta(hours=5)), ADMIN)
    await meetings.answer(VIP, meeting.id, 0, Rsvp.YES)
    clock.advance(hours=4, minutes=30)
    other = service(uow, clock)
    results = await asyncio.gather(
        meetings.send_reminders(), other.send_reminders(), return_exceptions=True
    )
    sent = [r for r in results if isinstance(r, int)]
    assert sum(sent) == 1, results
    assert len(await queued(uow, "meetings.reminder")) == 1


async def test_after_downtime_only_the_nearest_due_reminder_goes_and_never_after_the_start(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await member(uow, VIP, "vip")
    await member(uow, VIP2, "vip")
    meetings = service(uow, clock)
    first = await meetings.schedule(draft(starts_in=timedelta(days=2)), ADMIN)
    second = await meetings.schedule(draft(starts_in=timedelta(days=2, hours=1)), ADMIN)
    await meetings.answer(VIP, first.id, 0, Rsvp.YES)
    await meetings.answer(VIP2, second.id, 0, Rsvp.YES)
    clock.advance(days=2, minutes=30)  # the bot was down: first started, second in 30 min
    assert await meetings.send_reminders() == 1
    rows = await queued(uow, "meetings.reminder")
    assert [row.chat_id for row in rows] == [VIP2]
    clock.advance(minutes=10)
    assert await meetings.send_reminders() == 0


async def test_a_vip_whose_plan_lapsed_is_reminded_without_the_link(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await member(uow, VIP, "vip", ends_in=timedelta(days=1))
    meetings = service(uow, clock)
    meeting = await meetings.schedule(draft(starts_in=timedelta(days=2)), ADMIN)
    await meetings.answer(VIP, meeting.id, 0, Rsvp.YES)
    clock.advance(days=1, hours=1)  # the plan ended an hour ago; the meeting is in 23 h
    assert await meetings.send_reminders() == 1
    [row] = await queued(uow, "meetings.reminder")
    assert row.text_key == "meetings.reminder_no_link"
    assert urls(row) == [] and LINK not in str(row.params)
    with pytest.raises(MeetingError) as refused:
        await meetings.join_link(VIP, meeting.id, 0)
    assert refused.value.problem is MeetingProblem.NOT_IN_AUDIENCE


async def test_a_member_who_said_yes_after_a_reminder_moment_gets_only_the_later_one(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await member(uow, VIP, "vip")
    meetings = service(uow, clock)
    meeting = await meetings.schedule(draft(starts_in=timedelta(hours=5)), ADMIN)
    await meetings.answer(VIP, meeting.id, 0, Rsvp.YES)
    assert await meetings.send_reminders() == 0  # the 24 h moment passed before the answer
    clock.advance(hours=4)
    assert await meetings.send_reminders() == 1
    [row] = await queued(uow, "meetings.reminder")
    assert row.params["left"]["key"] == "meetings.left_minutes"


# ---------------------------------------------------------------- link and attendance


async def test_the_link_is_given_from_a_day_before_and_i_am_here_counts_only_in_the_window(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await member(uow, VIP, "vip")
    meetings = service(uow, clock)
    meeting = await meetings.schedule(draft(starts_in=timedelta(days=2)), ADMIN)
    with pytest.raises(MeetingError) as refused:
        await meetings.join_link(VIP, meeting.id, 0)
    assert refused.value.problem is MeetingProblem.LINK_NOT_YET
    with pytest.raises(MeetingError) as refused:
        await meetings.check_in(VIP, meeting.id, 0)
    assert refused.value.problem is MeetingProblem.NOT_NOW
    clock.advance(days=2, minutes=-11)
    assert (await meetings.join_link(VIP, meeting.id, 0)).meeting.join_link == LINK
    with pytest.raises(MeetingError):
        await meetings.check_in(VIP, meeting.id, 0)
    clock.advance(minutes=2)
    first = await meetings.check_in(VIP, meeting.id, 0)
    again = await meetings.check_in(VIP, meeting.id, 0)
    assert first.recorded and not again.recorded and again.meeting.present is True
    clock.advance(hours=1, minutes=10)
    with pytest.raises(MeetingError) as refused:
        await meetings.check_in(VIP, meeting.id, 0)
    assert refused.value.problem is MeetingProblem.OVER


async def test_admins_mark_attendance_once_it_began_and_the_rate_counts_yes_answers(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    vip = await member(uow, VIP, "vip")
    vip2 = await member(uow, VIP2, "vip")
    meetings = service(uow, clock)
    meeting = await meetings.schedule(draft(starts_in=timedelta(hours=2)), ADMIN)
    await meetings.answer(VIP, meeting.id, 0, Rsvp.YES)
    await meetings.answer(VIP2, meeting.id, 0, Rsvp.YES)
    with pytest.raises(MeetingError) as refused:
        await meetings.mark(meeting.id, 0, vip, True, ADMIN)
    assert refused.value.problem is MeetingProblem.NOT_STARTED
    clock.advance(hours=2, minutes=5)
    await meetings.check_in(VIP, meeting.id, 0)
    clock.advance(hours=2)
    assert (await meetings.mark(meeting.id, 0, vip2, True, ADMIN)).changed is True
    assert (
        await meetings.mark(meeting.id, 0, vip, False, ADMIN)
    ).changed is True  # corrected: absent
    # A double tap sets the same value again: nothing changes (no blind toggle back).
    assert (await meetings.mark(meeting.id, 0, vip, False, ADMIN)).changed is False
    assert (await meetings.mark(meeting.id, 0, vip2, True, ADMIN)).changed is False
    roster = await meetings.roster(meeting.id, 0)
    assert {row.member.telegram_id: row.present for row in roster.rows} == {VIP: False, VIP2: True}
    rate = await meetings.attendance(NOW, clock.now())
    assert (rate.occurrences, rate.said_yes, rate.attended_of_yes, rate.rate) == (1, 2, 1, 0.5)
    assert (await meetings.attendance(NOW - timedelta(days=9), NOW)).rate is None
    totals = await meetings.by_member()
    assert {(r.member.telegram_id, r.attended, r.said_yes) for r in totals.rows} == {
        (VIP, 0, 1),
        (VIP2, 1, 1),
    }
    [past] = await meetings.past()
    assert past.meeting.id == meeting.id and past.occurrence.index == 0


# ---------------------------------------------------------------- edits and cancelling


async def test_an_edit_and_a_cancellation_are_told_to_yes_and_maybe_once_each(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    for telegram_id in (VIP, VIP2, BASIC):
        await member(uow, telegram_id, "vip")
    meetings = service(uow, clock)
    meeting = await meetings.schedule(draft(repeat=Repeat.WEEKLY), ADMIN)
    await meetings.answer(VIP, meeting.id, 0, Rsvp.YES)
    await meetings.answer(VIP2, meeting.id, 1, Rsvp.MAYBE)
    await meetings.answer(BASIC, meeting.id, 0, Rsvp.NO)
    new_start = meetings.read_start("14/01 20.00")
    edited = await meetings.edit(meeting.id, Field.START, new_start, ADMIN)
    assert edited.starts_at == new_start and edited.version == 2
    changed = await queued(uow, "meetings.changed")
    assert sorted(row.chat_id for row in changed) == [VIP, VIP2]
    await meetings.cancel(meeting.id, ADMIN)
    with pytest.raises(MeetingError) as refused:
        await meetings.cancel(meeting.id, ADMIN)
    assert refused.value.problem is MeetingProblem.CANCELLED
    cancelled = await queued(uow, "meetings.cancelled")
    assert sorted(row.chat_id for row in cancelled) == [VIP, VIP2]
    assert await meetings.upcoming() == []
    with pytest.raises(MeetingError) as refused:
        await meetings.answer(VIP, meeting.id, 0, Rsvp.YES)
    assert refused.value.problem is MeetingProblem.CANCELLED


async def test_a_meeting_moved_later_is_reminded_again_at_its_new_time(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await member(uow, VIP, "vip")
    meetings = service(uow, clock)
    meeting = await meetings.schedule(draft(starts_in=timedelta(hours=5)), ADMIN)
    clock.advance(minutes=1)
    await meetings.answer(VIP, meeting.id, 0, Rsvp.YES)
    clock.advance(hours=4)
    assert await meetings.send_reminders() == 1
    await meetings.edit(meeting.id, Field.START, clock.now() + timedelta(days=2), ADMIN)
    assert await meetings.send_reminders() == 0
    clock.advance(days=1)
    assert await meetings.send_reminders() == 1
    assert await meetings.send_reminders() == 0
    assert len(await queued(uow, "meetings.reminder")) == 2


# ---------------------------------------------------------------- review fixes


async def many_coming(uow: UnitOfWorkFactory, meeting_id: int, count: int) -> None:
    """`count` members with a plan who said yes to occurrence 0 (a bulk insert)."""
    async with uow() as work:
        tier_id = (await work.session.execute(select(Tier.id).where(Tier.code == "vip"))).scalar()
        plan = Plan(code="vip_many", tier_id=tier_id, duration_days=None, price=1, created_at=NOW)
        work.session.add(plan)
        await work.session.flush()
        people = [
            {
                "telegram_id": 50_000_000 + n,
                "first_name": f"P{n}",
                "referral_code": f"many{n}",
                "created_at": NOW,
                "last_seen_at": NOW,
            }
            for n in range(count)
        ]
        await work.session.execute(insert(Member), people)
        ids = list(
            (
                await work.session.execute(
                    select(Member.id).where(Member.telegram_id >= 50_000_000)
                )
            ).scalars()
        )
        await work.session.execute(
            insert(Membership),
            [
                {
                    "member_id": i,
                    "plan_id": plan.id,
                    "status": "active",
                    "list_price": 1,
                    "activated_at": NOW,
                    "created_at": NOW,
                    "expires_at": None,
                }
                for i in ids
            ],
        )
        await work.session.execute(
            insert(MeetingRsvp),
            [
                {
                    "meeting_id": meeting_id,
                    "occurrence": 0,
                    "member_id": i,
                    "answer": "yes",
                    "answered_at": NOW,
                }
                for i in ids
            ],
        )
        await work.commit()


async def test_thousands_who_said_yes_are_reminded_once_and_the_next_sweep_reads_nobody(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    count = 2 * BATCH + 500  # three batches
    meetings = service(uow, clock)
    meeting = await meetings.schedule(
        draft(starts_in=timedelta(hours=30), audience=MeetingAudience.MEMBERS), ADMIN
    )
    await many_coming(uow, meeting.id, count)
    clock.advance(hours=6, minutes=1)
    assert await meetings.send_reminders() == count
    rows = await queued(uow, "meetings.reminder")
    assert len({row.chat_id for row in rows}) == len(rows) == count
    loaded: list[Member] = []

    def seen(target: Member, _context: object) -> None:
        loaded.append(target)

    event.listen(Member, "load", seen)
    try:
        clock.advance(minutes=1)
        assert await meetings.send_reminders() == 0
        assert await other_process(uow, clock).send_reminders() == 0
    finally:
        event.remove(Member, "load", seen)
    # Only what is still to do is read: nobody, once everybody was reminded.
    assert loaded == []
    assert len(await queued(uow, "meetings.reminder")) == count


def other_process(uow: UnitOfWorkFactory, clock: FrozenClock) -> MeetingService:
    return service(uow, clock)


async def at_send(meetings: MeetingService, row: OutboxMessage) -> Notice | None:
    """What the outbox action sends for a queued reminder when its turn comes now."""
    where = row.params["reminder"]
    assert row.member_id is not None
    return await meetings.reminder_to_send(
        row.member_id, where["meeting"], where["occurrence"], where["starts"], where["offset"]
    )


async def test_a_reminder_whose_turn_comes_late_goes_only_before_the_start_and_as_things_are_then(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await member(uow, VIP, "vip", ends_in=timedelta(hours=3))
    await member(uow, VIP2, "vip")
    await member(uow, BASIC, "vip")
    meetings = service(uow, clock)
    meeting = await meetings.schedule(draft(starts_in=timedelta(hours=26)), ADMIN)
    for telegram_id in (VIP, VIP2, BASIC):
        await meetings.answer(telegram_id, meeting.id, 0, Rsvp.YES)
    clock.advance(hours=2)
    assert await meetings.send_reminders() == 3  # the 24 h reminder, queued with the link
    rows = {row.chat_id: row for row in await queued(uow, "meetings.reminder")}
    assert all(urls(row) == [LINK] for row in rows.values())
    await meetings.answer(BASIC, meeting.id, 0, Rsvp.NO)  # changed their mind since
    clock.advance(hours=2)  # the outbox was stuck; VIP's plan ended meanwhile
    lapsed = await at_send(meetings, rows[VIP])
    assert lapsed is not None and lapsed.text_key == "meetings.reminder_no_link"
    assert LINK not in str(lapsed.params) and all(b.url is None for r in lapsed.buttons for b in r)
    still = await at_send(meetings, rows[VIP2])
    assert still is not None and still.params["link"] == LINK
    assert await at_send(meetings, rows[BASIC]) is None
    clock.advance(hours=22, minutes=1)  # the meeting has started: nothing goes any more
    assert await at_send(meetings, rows[VIP2]) is None


async def test_a_reminder_waiting_in_the_outbox_is_not_sent_for_a_cancelled_or_moved_meeting(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await member(uow, VIP, "vip")
    meetings = service(uow, clock)
    moved = await meetings.schedule(draft(starts_in=timedelta(hours=25)), ADMIN)
    cancelled = await meetings.schedule(draft(starts_in=timedelta(hours=25)), ADMIN)
    for meeting in (moved, cancelled):
        await meetings.answer(VIP, meeting.id, 0, Rsvp.YES)
    clock.advance(hours=2)
    assert await meetings.send_reminders() == 2
    first, second = await queued(uow, "meetings.reminder")
    await meetings.edit(moved.id, Field.START, clock.now() + timedelta(days=1), ADMIN)
    await meetings.cancel(cancelled.id, ADMIN)
    assert await at_send(meetings, first) is None
    assert await at_send(meetings, second) is None


async def test_a_draft_confirmed_twice_is_scheduled_once(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    meetings = service(uow, clock)
    token = "screen-42"
    first, second = await asyncio.gather(
        meetings.schedule(draft(token=token), ADMIN),
        other_process(uow, clock).schedule(draft(token=token), ADMIN),
    )
    assert first.id == second.id
    assert [s.meeting.id for s in await meetings.upcoming()] == [first.id]


async def test_an_edit_to_the_same_value_or_tapped_twice_tells_people_once(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await member(uow, VIP, "vip")
    meetings = service(uow, clock)
    meeting = await meetings.schedule(draft(), ADMIN)
    await meetings.answer(VIP, meeting.id, 0, Rsvp.YES)
    same = await meetings.edit(meeting.id, Field.TITLE, meeting.title, ADMIN)
    assert same.version == meeting.version
    assert await queued(uow, "meetings.changed") == []
    once, twice = await asyncio.gather(
        meetings.edit(meeting.id, Field.AUDIENCE, MeetingAudience.MEMBERS, ADMIN),
        other_process(uow, clock).edit(meeting.id, Field.AUDIENCE, MeetingAudience.MEMBERS, ADMIN),
    )
    assert once.audience is twice.audience is MeetingAudience.MEMBERS
    assert max(once.version, twice.version) == meeting.version + 1
    assert [row.chat_id for row in await queued(uow, "meetings.changed")] == [VIP]


async def test_moving_a_series_that_began_keeps_its_past_and_reminds_who_said_yes_to_what_comes(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await member(uow, VIP, "vip")
    await member(uow, VIP2, "vip")
    meetings = service(uow, clock)
    series = await meetings.schedule(
        draft(starts_in=timedelta(days=1), repeat=Repeat.WEEKLY), ADMIN
    )
    await meetings.answer(VIP, series.id, 0, Rsvp.YES)  # A: the first meeting
    clock.advance(days=1, minutes=5)
    await meetings.check_in(VIP, series.id, 0)
    clock.advance(days=13)
    coming = meetings.next_of((await meetings.meeting(series.id)).meeting)
    assert coming is not None and coming.index == 2
    await meetings.answer(VIP2, series.id, coming.index, Rsvp.YES)  # B: the coming one
    new_start = coming.starts_at + timedelta(hours=1)

    moved = await meetings.edit(series.id, Field.START, new_start, ADMIN)
    assert moved.starts_at == new_start
    again = await meetings.edit(series.id, Field.START, new_start, ADMIN)  # a second tap
    assert again.id == moved.id and again.version == moved.version
    assert [row.chat_id for row in await queued(uow, "meetings.changed")] == [VIP2]
    upcoming = await meetings.upcoming()
    assert [(s.meeting.id, s.next.starts_at if s.next else None) for s in upcoming] == [
        (moved.id, new_start)
    ]
    nxt = meetings.next_of(moved)
    assert nxt is not None
    roster = await meetings.roster(moved.id, nxt.index)
    assert [(r.member.telegram_id, r.answer, r.present) for r in roster.rows] == [
        (VIP2, Rsvp.YES, None)
    ]
    # A button of the coming occurrence on an older screen opens it where it went.
    shown = await meetings.member_meeting(VIP2, series.id, coming.index)
    assert (shown.meeting.id, shown.occurrence.starts_at, shown.answer) == (
        moved.id,
        new_start,
        Rsvp.YES,
    )
    # The past keeps its history: A said yes to the first meeting and was there.
    first = await meetings.roster(series.id, 0)
    assert [(r.member.telegram_id, r.present) for r in first.rows] == [(VIP, True)]
    assert [(p.meeting.id, p.occurrence.index) for p in await meetings.past()] == [
        (series.id, 1),
        (series.id, 0),
    ]
    clock.advance(seconds=(new_start - clock.now()).total_seconds() - 50 * 60)
    assert await meetings.send_reminders() == 1
    assert [row.chat_id for row in await queued(uow, "meetings.reminder")] == [VIP2]
    clock.advance(hours=3)  # the moved meeting took place: it is listed once, where it went
    assert [(p.meeting.id, p.occurrence.index) for p in await meetings.past()] == [
        (moved.id, 0),
        (series.id, 1),
        (series.id, 0),
    ]


async def test_a_member_marked_absent_who_taps_i_am_here_during_the_meeting_counts_as_present(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    vip = await member(uow, VIP, "vip")
    meetings = service(uow, clock)
    meeting = await meetings.schedule(draft(starts_in=timedelta(hours=1)), ADMIN)
    clock.advance(hours=1, minutes=1)
    assert (await meetings.mark(meeting.id, 0, vip, False, ADMIN)).changed is True
    checked = await meetings.check_in(VIP, meeting.id, 0)
    assert checked.recorded and checked.corrected and checked.meeting.present is True
    again = await meetings.check_in(VIP, meeting.id, 0)
    assert not again.recorded and not again.corrected
    clock.advance(hours=1)  # over: the admin's correction is the last word
    assert (await meetings.mark(meeting.id, 0, vip, False, ADMIN)).changed is True
    with pytest.raises(MeetingError) as refused:
        await meetings.check_in(VIP, meeting.id, 0)
    assert refused.value.problem is MeetingProblem.OVER
    roster = await meetings.roster(meeting.id, 0)
    assert [(r.member.telegram_id, r.present) for r in roster.rows] == [(VIP, False)]


async def test_admins_mark_someone_who_never_answered(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    silent = await member(uow, VIP, "vip")
    meetings = service(uow, clock)
    meeting = await meetings.schedule(draft(starts_in=timedelta(hours=1)), ADMIN)
    clock.advance(hours=3)
    assert (await meetings.mark(meeting.id, 0, silent, True, ADMIN)).changed is True
    roster = await meetings.roster(meeting.id, 0)
    assert [(r.member.telegram_id, r.answer, r.present) for r in roster.rows] == [(VIP, None, True)]


async def test_a_forged_far_occurrence_is_a_stale_button_not_a_crash(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await member(uow, VIP, "vip")
    meetings = service(uow, clock)
    monthly = await meetings.schedule(draft(repeat=Repeat.MONTHLY), ADMIN)
    for call in (
        meetings.member_meeting(VIP, monthly.id, 99_999),
        meetings.roster(monthly.id, 99_999),
    ):
        with pytest.raises(MeetingError) as refused:
            await call
        assert refused.value.problem is MeetingProblem.NOT_FOUND


async def test_a_new_repeat_set_during_a_meeting_leaves_that_meeting_in_the_past(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await member(uow, VIP, "vip")
    await member(uow, VIP2, "vip")
    meetings = service(uow, clock)
    series = await meetings.schedule(
        draft(starts_in=timedelta(days=1), repeat=Repeat.WEEKLY), ADMIN
    )
    third = NOW + timedelta(days=15)
    await meetings.answer(VIP2, series.id, 2, Rsvp.YES)
    clock.advance(days=8, minutes=10)  # the second meeting is going on
    await meetings.check_in(VIP, series.id, 1)
    monthly = await meetings.edit(series.id, Field.REPEAT, Repeat.MONTHLY, ADMIN)
    assert (monthly.id != series.id, monthly.repeat, monthly.starts_at) == (
        True,
        Repeat.MONTHLY,
        third,
    )
    going_on = await meetings.roster(series.id, 1)
    assert [(r.member.telegram_id, r.present) for r in going_on.rows] == [(VIP, True)]
    first = await meetings.roster(monthly.id, 0)
    assert [(r.member.telegram_id, r.answer) for r in first.rows] == [(VIP2, Rsvp.YES)]
    clock.advance(days=8)  # the third meeting took place: then monthly, same day number
    nxt = meetings.next_of(monthly)
    assert nxt is not None and nxt.index == 1
    assert nxt.starts_at == datetime(2026, 2, 25, 10, 0, tzinfo=ZONE).astimezone(UTC)


async def test_a_meeting_going_on_when_its_series_moves_stays_open_to_members_until_it_ends(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await member(uow, VIP, "vip")
    meetings = service(uow, clock)
    series = await meetings.schedule(
        draft(starts_in=timedelta(days=1), repeat=Repeat.WEEKLY), ADMIN
    )
    await meetings.answer(VIP, series.id, 1, Rsvp.YES)
    clock.advance(days=8, minutes=10)  # the second meeting is going on
    monthly = await meetings.edit(series.id, Field.REPEAT, Repeat.MONTHLY, ADMIN)
    listed = await meetings.for_member(VIP)
    assert [(i.meeting.id, i.occurrence.index, i.answer) for i in listed.items] == [
        (series.id, 1, Rsvp.YES),
        (monthly.id, 0, None),
    ]
    assert [s.meeting.id for s in await meetings.upcoming()] == [series.id, monthly.id]
    link = await meetings.join_link(VIP, series.id, 1)
    assert link.meeting.join_link == LINK
    checked = await meetings.check_in(VIP, series.id, 1)
    assert checked.recorded and checked.meeting.present is True
    clock.advance(hours=1)  # it ended: over, not cancelled, and no longer listed
    with pytest.raises(MeetingError) as refused:
        await meetings.member_meeting(VIP, series.id, 1)
    assert refused.value.problem is MeetingProblem.OVER
    listed = await meetings.for_member(VIP)
    assert [(i.meeting.id, i.occurrence.index) for i in listed.items] == [(monthly.id, 0)]
    assert [s.meeting.id for s in await meetings.upcoming()] == [monthly.id]


async def moved_twice(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> tuple[MeetingService, int, int, int]:
    """A weekly series moved two hours later at its third meeting, then an hour later
    again a week after: three rows. VIP said yes to the fifth meeting (old number 4)."""
    await member(uow, VIP, "vip")
    meetings = service(uow, clock)
    series = await meetings.schedule(
        draft(starts_in=timedelta(days=1), repeat=Repeat.WEEKLY), ADMIN
    )
    await meetings.answer(VIP, series.id, 4, Rsvp.YES)
    clock.advance(days=8, hours=3)
    coming = meetings.next_of(series)
    assert coming is not None and coming.index == 2
    second = await meetings.edit(
        series.id, Field.START, coming.starts_at + timedelta(hours=2), ADMIN
    )
    clock.advance(days=7, hours=3)
    coming = meetings.next_of(second)
    assert coming is not None and coming.index == 1
    third = await meetings.edit(
        second.id, Field.START, coming.starts_at + timedelta(hours=1), ADMIN
    )
    return meetings, series.id, second.id, third.id


async def test_a_button_of_a_series_moved_twice_opens_the_meeting_where_it_went(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    meetings, first, _, last = await moved_twice(uow, clock)
    shown = await meetings.member_meeting(VIP, first, 4)
    assert (shown.meeting.id, shown.occurrence.index, shown.answer) == (last, 1, Rsvp.YES)
    assert shown.occurrence.starts_at == NOW + timedelta(days=29, hours=3)
    # A meeting from before the first move took place: over, not cancelled.
    with pytest.raises(MeetingError) as refused:
        await meetings.member_meeting(VIP, first, 0)
    assert refused.value.problem is MeetingProblem.OVER


async def test_an_edit_made_on_an_older_screen_of_a_moved_series_is_saved_where_it_goes_on(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    meetings, first, second, last = await moved_twice(uow, clock)
    edited = await meetings.edit(first, Field.TITLE, "Kelas Reels", ADMIN)
    assert (edited.id, edited.title) == (last, "Kelas Reels")
    later = clock.now() + timedelta(days=3)
    edited = await meetings.edit(second, Field.START, later, ADMIN)
    assert edited.starts_at == later
    upcoming = await meetings.upcoming()
    assert [(s.meeting.title, s.next.starts_at if s.next else None) for s in upcoming] == [
        ("Kelas Reels", later)
    ]


async def test_a_sweep_that_read_a_meeting_before_it_moved_claims_nothing_for_the_old_time(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await member(uow, VIP, "vip")
    meetings = service(uow, clock)
    meeting = await meetings.schedule(draft(starts_in=timedelta(hours=25)), ADMIN)
    await meetings.answer(VIP, meeting.id, 0, Rsvp.YES)
    clock.advance(hours=2)  # the day-before reminder is due
    async with uow() as work:  # the sweep read the meeting ...
        read = await work.meetings.get(meeting.id)
    assert read is not None
    new_start = meeting.starts_at + timedelta(days=2)
    await meetings.edit(meeting.id, Field.START, new_start, ADMIN)  # ... it moved meanwhile
    due = meetings.next_of(read)
    assert due is not None
    assert await meetings._remind(read, due, clock.now()) == 0
    assert await queued(uow, "meetings.reminder") == []
    clock.advance(seconds=(new_start - clock.now()).total_seconds() - 24 * 3600 + 60)
    assert await meetings.send_reminders() == 1
    [row] = await queued(uow, "meetings.reminder")
    assert row.params["reminder"]["starts"] == int(new_start.timestamp())
    assert await at_send(meetings, row) is not None


async def test_a_waiting_reminder_whose_meeting_moved_to_a_new_schedule_at_the_same_time_goes(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await member(uow, VIP, "vip")
    meetings = service(uow, clock)
    series = await meetings.schedule(
        draft(starts_in=timedelta(days=1), repeat=Repeat.WEEKLY), ADMIN
    )
    await meetings.answer(VIP, series.id, 2, Rsvp.YES)
    clock.advance(days=14, minutes=1)  # a day before the third meeting
    assert await meetings.send_reminders() == 1
    [row] = await queued(uow, "meetings.reminder")
    monthly = await meetings.edit(series.id, Field.REPEAT, Repeat.MONTHLY, ADMIN)
    sent = await at_send(meetings, row)  # the third meeting is the new schedule's first
    assert sent is not None
    assert sent.params["reminder"]["meeting"] == monthly.id
    assert sent.params["reminder"]["occurrence"] == 0
    clock.advance(minutes=5)
    assert await meetings.send_reminders() == 0  # its claim went with it: not twice


async def test_marking_someone_found_by_a_search_says_who_and_on_which_roster_page(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    meetings = service(uow, clock)
    meeting = await meetings.schedule(draft(starts_in=timedelta(hours=1)), ADMIN)
    said_yes = [await member(uow, 5000 + n) for n in range(PAGE + 1)]  # over a page
    async with uow() as work:
        await work.session.execute(
            insert(MeetingRsvp),
            [
                {
                    "meeting_id": meeting.id,
                    "occurrence": 0,
                    "member_id": m,
                    "answer": "yes",
                    "answered_at": NOW,
                }
                for m in said_yes
            ],
        )
        await work.commit()
    silent = await member(uow, VIP, "vip")
    clock.advance(hours=2)
    marked = await meetings.mark(meeting.id, 0, silent, True, ADMIN)
    assert (marked.changed, marked.name, marked.page) == (True, f"M{VIP}", 1)
    roster = await meetings.roster(meeting.id, 0, marked.page)
    assert [r.member.telegram_id for r in roster.rows if r.present] == [VIP]
    marked = await meetings.mark(meeting.id, 0, said_yes[0], True, ADMIN)
    assert (marked.name, marked.page) == ("M5000", 0)
