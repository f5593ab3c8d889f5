"""Payment requests: the frozen quote, the status compare-and-sets, the review queue."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class PaymentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
