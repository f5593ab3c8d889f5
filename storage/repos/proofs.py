"""Payment proofs: the images members send, their review status and duplicate lookups."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class ProofRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
