"""The audience's size before confirming, and the confirmed announcement: sent now or
at a chosen time."""

from __future__ import annotations

from datetime import datetime

from kernel.actor import Actor
from services.announcements._base import (
    AnnouncementError,
    AnnouncementProblem,
    AnnouncementServiceBase,
)
from services.announcements.compose import Draft
from storage.repos.announcements import (
    AnnouncementRecord,
    AnnouncementStatus,
    Audience,
    AudienceSize,
)


class Creating(AnnouncementServiceBase):
    async def audience_size(self, audience: Audience, days: int | None = None) -> AudienceSize:
        """How many members get the post if it were sent now, and how many of the audience
        blocked the bot (skipped). The same query chooses the recipients when sending
        starts, so the number only differs by who joined, paid or blocked meanwhile."""
        async with self.reads() as uow:
            return await uow.announcements.audience_size(audience, days, self.clock.now())

    async def confirm(
        self, draft: Draft, admin: Actor, send_at: datetime | None = None
    ) -> AnnouncementRecord:
        """The admin confirms the preview: the announcement starts sending now (`send_at`
        None) or waits for `send_at`. An audience nobody is in is refused."""
        now = self.clock.now()
        async with self.reads() as reading:
            size = await reading.announcements.audience_size(draft.audience, draft.days, now)
        if size.count == 0:
            raise AnnouncementError(AnnouncementProblem.NO_RECIPIENTS)
        async with self.uow() as uow:
            status = AnnouncementStatus.SENDING if send_at is None else AnnouncementStatus.SCHEDULED
            announcement_id = await uow.announcements.create(
                created_by=admin.telegram_id,
                source_chat_id=draft.source_chat_id,
                source_message_ids=draft.message_ids,
                is_album=draft.is_album,
                buttons=draft.buttons,
                audience=draft.audience,
                audience_days=draft.days,
                status=status,
                scheduled_at=send_at,
                now=now,
            )
            uow.audit.record(
                admin,
                "announcement",
                f"announcement:{announcement_id}",
                now,
                audience=draft.audience.value,
                status=status.value,
            )
            record = await uow.announcements.get(announcement_id)
            await uow.commit()
        assert record is not None
        self._changed(announcement_id)
        return record
