"""The audit trail of what admins did by hand."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
