"""The reminder sweep: every minute, for each occurrence whose reminder moment has come
and which has not started, each member who said yes or maybe gets one reminder per
offset, claimed in the database in the transaction that queues it.

Exactly once: the claim's unique key (meeting, occurrence, member, offset) is inserted
with ON CONFLICT DO NOTHING, so a second sweep, a restart or a second process inserts
nothing and queues nothing; the outbox's dedupe key says the same a second time. Each
batch's transaction first reads the meeting again, holding it, and stops when an edit
changed it since the sweep began: a claim is never made for a start that is no more
(it would block the reminder for the new one).

A reminder whose moment passed while the bot was down is still sent before the start,
never after it. When several moments passed (down for a day), only the nearest is sent;
the others are claimed as skipped. A member who answered after a moment is not reminded
for it (they just saw the meeting).

At scale: the database hands over only the (member, offset) pairs not claimed yet (an
anti-join), a thousand at a time; each batch is claimed with one multi-row INSERT ... ON
CONFLICT DO NOTHING RETURNING and exactly the returned claims are queued, in one
transaction per batch, so a minute's sweep of a meeting already reminded reads nothing
and a large one never holds one long transaction (nor more bind parameters than
PostgreSQL takes).

What is queued is a `meeting_reminder` outbox action, not a finished message: when its
turn comes (maybe late, after an outage or behind a long queue) `reminder_to_send` looks
again. Nothing goes once the occurrence started, was moved or cancelled, or the member
answered "no" since; the join link goes in only when the member is in the audience at
that moment: a VIP whose plan lapsed is reminded without it, with a button to renew, so
they know why the link is missing rather than miss the meeting silently.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from domain.meetings import (
    MeetingStatus,
    Occurrence,
    Rsvp,
    due_offsets,
    next_occurrence,
    occurrence,
)
from kernel.actions import MEETING_REMINDER_ACTION
from kernel.notices import Button, Notice
from services.meetings._base import (
    MeetingServiceBase,
    audience_of,
    follow,
    in_audience,
    when_param,
)
from storage.repos.meetings import MeetingRecord

# Claims written (and reminders queued) per transaction.
BATCH = 1000
_COMING = (Rsvp.YES, Rsvp.MAYBE)


def _minutes(offset: timedelta) -> int:
    return int(offset.total_seconds() // 60)


class Reminding(MeetingServiceBase):
    async def send_reminders(self) -> int:
        """One sweep; how many reminders were queued."""
        now = self.clock.now()
        furthest = max(self.offsets)
        async with self.uow() as uow:
            meetings = await uow.meetings.scheduled(now - timedelta(minutes=600))
        queued = 0
        for meeting in meetings:
            for due in self._due(meeting, now, furthest):
                queued += await self._remind(meeting, due, now)
        return queued

    def _due(self, meeting: MeetingRecord, now: datetime, furthest: timedelta) -> list[Occurrence]:
        """The occurrences not started whose earliest reminder moment has come."""
        found = []
        first = next_occurrence(
            meeting.starts_at, meeting.repeat, meeting.duration_minutes, now, self.zone
        )
        index = first.index if first is not None else None
        while index is not None:
            each = occurrence(
                meeting.starts_at, meeting.repeat, meeting.duration_minutes, index, self.zone
            )
            if each is None or each.starts_at - furthest > now:
                break
            if each.starts_at > now:
                found.append(each)
            index += 1
        return found

    async def _remind(self, meeting: MeetingRecord, due: Occurrence, now: datetime) -> int:
        offsets = due_offsets(due.starts_at, self.offsets, now)
        if not offsets:
            return 0
        nearest = min(offsets)
        queued = 0
        for offset in offsets:
            minutes, after = _minutes(offset), 0
            while True:
                async with self.uow() as uow:
                    # The meeting as this sweep read it, or nothing: an edit since (a new
                    # start, a move, a cancellation) leaves the rest to the next sweep,
                    # which reads it anew. Held until the claims are committed, so an edit
                    # cannot slip in between (it then drops these claims, as it should).
                    if await uow.meetings.hold(meeting.id) != meeting:
                        return queued
                    batch = await uow.meetings.unclaimed(
                        meeting.id, due.index, minutes, _COMING, after, BATCH
                    )
                    if not batch:
                        break
                    after = batch[-1][0].id
                    inside = await audience_of(
                        uow, [person.id for person, _ in batch], meeting.audience, now
                    )
                    claims = []
                    for person, answered_at in batch:
                        # Only the nearest moment that has come is sent, and only to those
                        # who answered before it.
                        sending = offset == nearest and answered_at <= due.starts_at - offset
                        claims.append((person.id, sending, sending and inside[person.id]))
                    won = await uow.meetings.claim_many(meeting.id, due.index, minutes, claims, now)
                    sent = {member for member, sending, _ in claims if sending}
                    notices = [
                        self._reminder(
                            meeting,
                            due,
                            person.id,
                            person.telegram_id,
                            person.language(self.default_language),
                            inside[person.id],
                            minutes,
                            now,
                        )
                        for person, _ in batch
                        if person.id in won and person.id in sent
                    ]
                    queued += await uow.outbox.enqueue_many(notices, now)
                    await uow.commit()
                if len(batch) < BATCH:
                    break
        return queued

    async def reminder_to_send(
        self, member_id: int, meeting_id: int, index: int, starts: int, offset_minutes: int
    ) -> Notice | None:
        """The reminder as it is to be sent now (the outbox action's turn came), or None
        when none should go any more: the occurrence started, was moved or cancelled, or
        the member no longer says yes or maybe. The link only to someone in the audience
        at this moment."""
        now = self.clock.now()
        async with self.uow() as uow:
            meeting = await uow.meetings.get(meeting_id)
            person = await uow.members.by_id(member_id)
            if meeting is None or person is None:
                return None
            # A series moved since the claim: the occurrence (and the claim, when its time
            # stayed) went on with the row the series continues as.
            meeting, due = await follow(uow, meeting, index, self.zone)
            if meeting.status is not MeetingStatus.SCHEDULED or due is None:
                return None
            if int(due.starts_at.timestamp()) != starts or due.starts_at <= now:
                return None
            if await uow.meetings.answer_of(meeting.id, due.index, member_id) not in _COMING:
                return None
            inside = await in_audience(uow, member_id, meeting.audience, now)
        return self._reminder(
            meeting,
            due,
            member_id,
            person.telegram_id,
            person.language(self.default_language),
            inside,
            offset_minutes,
            now,
        )

    def _reminder(
        self,
        meeting: MeetingRecord,
        due: Occurrence,
        member_id: int,
        chat_id: int,
        language: str,
        with_link: bool,
        offset_minutes: int,
        now: datetime,
    ) -> Notice:
        left = round((due.starts_at - now).total_seconds() / 60)
        params: dict[str, Any] = {
            "title": meeting.title,
            "when": when_param(due.starts_at, self.zone),
            "left": (
                {"key": "meetings.left_hours", "params": {"hours": round(left / 60)}}
                if left >= 90
                else {"key": "meetings.left_minutes", "params": {"minutes": max(left, 1)}}
            ),
            "minutes": meeting.duration_minutes,
        }
        if with_link:  # never in the row of someone outside the audience
            params["link"] = meeting.join_link
        rows: list[tuple[Button, ...]] = []
        if with_link:
            rows.append((Button("meetings.button_join", url=meeting.join_link),))
        elif self.shop_callback is not None:
            rows.append((Button("meetings.button_renew", callback_data=self.shop_callback),))
        if self.open_callback is not None:
            rows.append(
                (
                    Button(
                        "meetings.button_open",
                        callback_data=self.open_callback(meeting.id, due.index),
                    ),
                )
            )
        return Notice(
            chat_id=chat_id,
            member_id=member_id,
            text_key="meetings.reminder" if with_link else "meetings.reminder_no_link",
            language=language,
            params=params
            | {
                # What the outbox action looks at again when the reminder's turn comes.
                "reminder": {
                    "meeting": meeting.id,
                    "occurrence": due.index,
                    "starts": int(due.starts_at.timestamp()),
                    "offset": offset_minutes,
                }
            },
            buttons=tuple(rows),
            kind=MEETING_REMINDER_ACTION,
            # The start is in the key: after the time was changed the reminder goes again.
            dedupe_key=(
                f"meeting-reminder:{meeting.id}:{due.index}:{member_id}:{offset_minutes}"
                f":{int(due.starts_at.timestamp())}"
            ),
        )
