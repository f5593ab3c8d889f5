"""The audit trail of what admins did by hand."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.actor import Actor
from storage.models import AdminAction


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def record(self, actor: Actor, action: str, target: str, now: datetime, **details: Any) -> None:
        """Who did what to which thing (`target` like "payment:12"), kept with their name."""
        self.session.add(
            AdminAction(
                actor_telegram_id=actor.telegram_id,
                action=action,
                target=target[:64],
                details={"name": actor.name, **details},
                created_at=now,
            )
        )

    async def last_details(self, target: str, actor_telegram_id: int) -> dict[str, Any] | None:
        """The details of the newest action this admin took on `target` (their name is
        `["name"]`), or None when there is none."""
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
