"""Payment methods (bank, e-wallet, QRIS) the owner offers."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class MethodRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
