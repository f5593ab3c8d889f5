"""The unit of work: one transaction that rolls back unless committed.

Each repository is an attribute (`uow.payments`, `uow.members`, ...) sharing the session."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repos.access import AccessRepository
from storage.repos.affiliates import AffiliateRepository
from storage.repos.announcements import AnnouncementRepository
from storage.repos.audit import AuditRepository
from storage.repos.catalog import CatalogRepository
from storage.repos.exports import ExportRepository
from storage.repos.health import HealthRepository
from storage.repos.leaders import LeaderRepository
from storage.repos.ledger import LedgerRepository
from storage.repos.library import LibraryRepository
from storage.repos.meetings import MeetingRepository
from storage.repos.members import MemberRepository
from storage.repos.memberships import MembershipRepository
from storage.repos.methods import MethodRepository
from storage.repos.numbers import NumbersRepository
from storage.repos.outbox import OutboxRepository
from storage.repos.payments import PaymentRepository
from storage.repos.proofs import ProofRepository
from storage.repos.questions import QuestionRepository
from storage.repos.reports import ReportRepository


class UnitOfWork:
    session: AsyncSession
    members: MemberRepository
    memberships: MembershipRepository
    catalog: CatalogRepository
    payments: PaymentRepository
    proofs: ProofRepository
    methods: MethodRepository
    reports: ReportRepository
    ledger: LedgerRepository
    leaders: LeaderRepository
    access: AccessRepository
    affiliates: AffiliateRepository
    announcements: AnnouncementRepository
    audit: AuditRepository
    outbox: OutboxRepository
    questions: QuestionRepository
    numbers: NumbersRepository
    exports: ExportRepository
    library: LibraryRepository
    meetings: MeetingRepository
    health: HealthRepository

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        on_outbox_commit: Callable[[], None] | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._on_outbox_commit = on_outbox_commit

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self.members = MemberRepository(self.session)
        self.memberships = MembershipRepository(self.session)
        self.catalog = CatalogRepository(self.session)
        self.payments = PaymentRepository(self.session)
        self.proofs = ProofRepository(self.session)
        self.methods = MethodRepository(self.session)
        self.reports = ReportRepository(self.session)
        self.ledger = LedgerRepository(self.session)
        self.leaders = LeaderRepository(self.session)
        self.access = AccessRepository(self.session)
        self.affiliates = AffiliateRepository(self.session)
        self.announcements = AnnouncementRepository(self.session)
        self.audit = AuditRepository(self.session)
        self.outbox = OutboxRepository(self.session)
        self.questions = QuestionRepository(self.session)
        self.numbers = NumbersRepository(self.session)
        self.exports = ExportRepository(self.session)
        self.library = LibraryRepository(self.session)
        self.meetings = MeetingRepository(self.session)
        self.health = HealthRepository(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed, like rollback() would, but
        # leaves loaded objects readable (detached) instead of expiring them.
        await self.session.close()

    async def commit(self) -> None:
        # Audit and outbox rows are held by their repositories and written here, each
        # kind in one statement, rather than flushed one ORM object at a time.
        await self.audit.write_recorded()
        await self.outbox.write_queued()
        await self.session.commit()
        if self.outbox.queued and self._on_outbox_commit is not None:
            self.outbox.queued = 0
            self._on_outbox_commit()


class UnitOfWorkFactory:
    """What services receive: `async with uow_factory() as uow: ...`.

    `on_outbox_commit` wakes the outbox relay when a commit queued messages.
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        on_outbox_commit: Callable[[], None] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.on_outbox_commit = on_outbox_commit

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, self.on_outbox_commit)
