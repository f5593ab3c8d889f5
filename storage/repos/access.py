"""The VIP group: invite links and who is in the chat."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class AccessRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
