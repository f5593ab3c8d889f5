"""What the sender (bot/announcements.py) asks while it delivers: start what is due,
materialise the recipients in chunks, claim batches with a lease, record outcomes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from kernel.notices import Notice
from services.announcements._base import AnnouncementServiceBase
from storage.repos.announcements import (
    AnnouncementRecord,
    AnnouncementStatus,
    ClaimedRecipient,
)

# Members whose ids fall in one range are made recipients in one short transaction, so
# a large audience never holds SQLite's write lock for long.
PREPARE_CHUNK = 5_000


class Delivery(AnnouncementServiceBase):
    async def start_due(self) -> list[int]:
        """Scheduled announcements whose time has come start sending (compare-and-set:
        each starts once)."""
        now = self.clock.now()
        started = []
        async with self.uow() as uow:
            for announcement_id in await uow.announcements.scheduled_due(now):
                if await uow.announcements.transition(
                    announcement_id,
                    (AnnouncementStatus.SCHEDULED,),
                    AnnouncementStatus.SENDING,
                    started_at=now,
                ):
                    started.append(announcement_id)
            await uow.commit()
        return started

    async def sending(self) -> list[int]:
        async with self.uow() as uow:
            return await uow.announcements.with_status(AnnouncementStatus.SENDING)

    async def next_scheduled_at(self) -> datetime | None:
        async with self.uow() as uow:
            return await uow.announcements.next_scheduled_at()

    async def prepare(
        self, announcement_id: int, chunk: int = PREPARE_CHUNK
    ) -> AnnouncementRecord | None:
        """Makes the audience's members recipients (once; resumed after a crash from the
        last member id written), then returns the announcement; None if it is gone."""
        async with self.uow() as uow:
            record = await uow.announcements.get(announcement_id)
            if record is None or record.recipients_ready:
                return record
            last = await uow.announcements.last_member_id()
            cursor = await uow.announcements.prepared_through(announcement_id)
        while cursor < last:
            async with self.uow() as uow:
                await uow.announcements.add_recipients(
                    record, cursor, cursor + chunk, self.clock.now()
                )
                await uow.commit()
            cursor += chunk
        async with self.uow() as uow:
            await uow.announcements.mark_ready(announcement_id)
            record = await uow.announcements.get(announcement_id)
            await uow.commit()
        return record

    async def release_expired(self, announcement_id: int) -> int:
        """Claims of a sender that stopped without finishing (their lease ran out) go back
        to pending; the sender asks before it starts on an announcement."""
        async with self.uow() as uow:
            released = await uow.announcements.release_expired(announcement_id, self.clock.now())
            await uow.commit()
        return released

    async def claim(
        self,
        announcement_id: int,
        limit: int,
        lease: timedelta,
        holding: Sequence[int] = (),
    ) -> list[ClaimedRecipient]:
        """The next `limit` recipients, held for `lease`; the lease of those the sender
        still holds (`holding`, claimed earlier and not tried yet) is renewed with it."""
        now = self.clock.now()
        async with self.uow() as uow:
            await uow.announcements.renew(announcement_id, holding, now + lease)
            claimed = await uow.announcements.claim(announcement_id, limit, now + lease)
            await uow.commit()
        return claimed

    async def release(self, announcement_id: int, recipient_ids: Sequence[int]) -> None:
        """Claimed recipients not tried (a pause, a stop) wait again."""
        if not recipient_ids:
            return
        async with self.uow() as uow:
            await uow.announcements.release(announcement_id, recipient_ids)
            await uow.commit()

    async def record(
        self,
        announcement_id: int,
        sent: Sequence[int],
        failed: Sequence[tuple[int, str]],
        blocked: Sequence[tuple[int, int, str]],
    ) -> None:
        """What happened to recipients just tried, in one transaction. A member who
        blocked the bot is marked (later announcements and messages skip them)."""
        now = self.clock.now()
        async with self.uow() as uow:
            await uow.announcements.record_outcomes(
                announcement_id,
                sent,
                failed,
                [(recipient_id, error) for recipient_id, _chat, error in blocked],
                now,
            )
            for _recipient, chat_id, _error in blocked:
                await uow.outbox.mark_member_blocked(chat_id, now)
            await uow.commit()

    async def finish(self, announcement_id: int) -> bool:
        """Done once no recipient is left to reach (compare-and-set from sending). False
        while some are still claimed by a sender (their lease has not run out)."""
        async with self.uow() as uow:
            if await uow.announcements.unfinished(announcement_id):
                return False
            done = await uow.announcements.transition(
                announcement_id,
                (AnnouncementStatus.SENDING,),
                AnnouncementStatus.DONE,
                finished_at=self.clock.now(),
            )
            await uow.commit()
        return done

    async def set_status_message(self, announcement_id: int, chat_id: int, message_id: int) -> None:
        async with self.uow() as uow:
            await uow.announcements.set_status_message(announcement_id, chat_id, message_id)
            await uow.commit()

    async def pause_missing_post(self, announcement_id: int) -> bool:
        """The post was deleted from the admin group: nothing more can be copied, so the
        announcement pauses (admins may cancel it) rather than fail every recipient, and
        the admins are told why."""
        async with self.uow() as uow:
            paused = await uow.announcements.transition(
                announcement_id, (AnnouncementStatus.SENDING,), AnnouncementStatus.PAUSED
            )
            record = await uow.announcements.get(announcement_id)
            if paused and record is not None:
                await uow.outbox.enqueue(
                    Notice(
                        chat_id=record.source_chat_id,
                        text_key="announce.post_gone",
                        language=self.default_language,
                        params={"id": announcement_id},
                    ),
                    self.clock.now(),
                )
            await uow.commit()
        return paused
