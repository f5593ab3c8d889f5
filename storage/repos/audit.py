"""The audit trail of what admins did by hand."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.actor import Actor
from storage.models import AdminAction
from storage.repos._rows import PlainRows

_ACTIONS = PlainRows(AdminAction).table


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._rows: list[dict[str, Any]] = []  # recorded, not written yet

    def record(self, actor: Actor, action: str, target: str, now: datetime, **details: Any) -> None:
        """Who did what to which thing (`target` like "payment:12"), kept with their name.
        Written with the unit of work's commit (or before the trail is read)."""
        self._rows.append(
            {
                "actor_telegram_id": actor.telegram_id,
                "action": action,
                "target": target[:64],
                "details": {"name": actor.name, **details},
                "created_at": now,
            }
        )

    async def write_recorded(self) -> None:
        """Writes what `record` holds, in order, in one statement."""
        if self._rows:
            rows, self._rows = self._rows, []
            await self.session.execute(insert(_ACTIONS), rows)

    async def last_details(self, target: str, actor_telegram_id: int) -> dict[str, Any] | None:
        """The details of the newest action this admin took on `target` (their name is
        `["name"]`), or None when there is none."""
        await self.write_recorded()
        found = await self.session.execute(
            select(AdminAction.details)
            .where(
                AdminAction.target == target,
                AdminAction.actor_telegram_id == actor_telegram_id,
            )
            .order_by(AdminAction.id.desc())
            .limit(1)
        )
        details: dict[str, Any] | None = found.scalar_one_or_none()
        return details
