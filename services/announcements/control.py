"""Pause, resume and cancel: compare-and-set transitions of the status, so a second tap
(or a second admin) changes nothing and is told what the announcement is doing now."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kernel.actor import Actor
from services.announcements._base import (
    AnnouncementError,
    AnnouncementProblem,
    AnnouncementServiceBase,
)
from storage.repos.announcements import AnnouncementRecord, AnnouncementStatus

S = AnnouncementStatus


class Control(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    CANCEL = "cancel"


# What each control moves from, and to.
_MOVES: dict[Control, tuple[tuple[AnnouncementStatus, ...], AnnouncementStatus]] = {
    Control.PAUSE: ((S.SENDING,), S.PAUSED),
    Control.RESUME: ((S.PAUSED,), S.SENDING),
    Control.CANCEL: ((S.DRAFT, S.SCHEDULED, S.SENDING, S.PAUSED), S.CANCELLED),
}


@dataclass(frozen=True, slots=True)
class ControlResult:
    changed: bool  # False: it was in another state already (a second tap); nothing done
    announcement: AnnouncementRecord


class Controlling(AnnouncementServiceBase):
    async def control(self, announcement_id: int, action: Control, admin: Actor) -> ControlResult:
        """Pause a sending announcement (recipients not reached yet wait), resume a paused
        one, or cancel one that is scheduled, sending or paused (the rest are never
        sent). Only from those states: otherwise nothing changes."""
        now = self.clock.now()
        sources, target = _MOVES[action]
        async with self.uow() as uow:
            values = {"finished_at": now} if target is S.CANCELLED else {}
            changed = await uow.announcements.transition(announcement_id, sources, target, **values)
            record = await uow.announcements.get(announcement_id)
            if record is None:
                raise AnnouncementError(AnnouncementProblem.NOT_FOUND, id=announcement_id)
            if changed:
                uow.audit.record(
                    admin, f"announcement_{action.value}", f"announcement:{announcement_id}", now
                )
            await uow.commit()
        if changed:
            self._changed(announcement_id)
        return ControlResult(changed, record)
