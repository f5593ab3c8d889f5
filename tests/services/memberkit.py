"""A member's services on one database, for the tests that count the units of work a
member's action opens (test_dashboard.py, test_member_screens.py)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from kernel.actor import Actor
from kernel.admin_input import MemberRef
from services.access import AccessService, GroupConfig, set_presence
from services.dashboard import DashboardService
from services.members import MemberService, TelegramProfile
from services.payments import PaymentService, ProofFile
from storage.models import OutboxMessage, PaymentMethod, PaymentRequest
from storage.uow import UnitOfWorkFactory
from tests.kit.admin_tools import AdminTools
from tests.kit.clock import FrozenClock
from tests.kit.units_of_work import CountingUow, counting

ZONE = ZoneInfo("Asia/Jakarta")
GROUP, ADMIN_CHAT = -100555, -100777
OWNER = Actor(9001, "Owner")
ANI, BUDI, NOBODY = 1001, 1002, 1999
BASIC_LIFETIME, VIP_LIFETIME = 1, 2
RECEIPT = ProofFile(
    telegram_file_id="file-1",
    file_unique_id="uniq-1",
    sha256="ab" * 32,
    perceptual_hash="0123456789abcdef",
    size_bytes=1000,
    width=800,
    height=1200,
    image_format="JPEG",
)


@dataclass
class Setup:
    uow: UnitOfWorkFactory
    clock: FrozenClock
    config: GroupConfig
    members: MemberService
    tools: AdminTools
    payments: PaymentService
    access: AccessService
    dashboards: DashboardService

    def counting(self) -> CountingUow:
        """Count, from zero, what the payment, access and dashboard services open."""
        return counting(self.payments, self.access, self.dashboards)

    async def join(self, telegram_id: int, name: str, *plans: str) -> int:
        await self.members.register(TelegramProfile(telegram_id, name), None)
        for plan in plans:
            await self.grant(telegram_id, plan)
        async with self.uow() as work:
            member = await work.members.by_telegram_id(telegram_id)
            assert member is not None
            return member.id

    async def grant(self, telegram_id: int, plan: str) -> None:
        await self.tools.grant(MemberRef(telegram_id=telegram_id), plan, "test", OWNER)

    async def add_method(self, code: str, label: str, position: int) -> int:
        async with self.uow() as work:
            method = PaymentMethod(
                code=code, kind="bank", label=label, account_number="123", position=position
            )
            work.session.add(method)
            await work.session.flush()
            method_id = method.id
            await work.commit()
            return method_id

    async def inside(self, telegram_id: int) -> None:
        async with self.uow() as work:
            await set_presence(work, GROUP, telegram_id, "member", self.clock.now())
            await work.commit()

    async def invites_sent(self) -> None:
        """The relay did its work: no invite is waiting in the outbox any more."""
        async with self.uow() as work:
            await work.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.kind == "group_invite")
                .values(status="sent")
            )
            await work.commit()

    async def pending_invites(self) -> int:
        async with self.uow() as work:
            found = await work.session.execute(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.kind == "group_invite", OutboxMessage.status == "pending")
            )
            return int(found.scalar_one())

    async def open_requests(self) -> int:
        async with self.uow() as work:
            found = await work.session.execute(
                select(func.count())
                .select_from(PaymentRequest)
                .where(PaymentRequest.status.in_(("awaiting_proof", "submitted")))
            )
            return int(found.scalar_one())


def make_setup(uow: UnitOfWorkFactory, clock: FrozenClock) -> Setup:
    config = GroupConfig(GROUP, ADMIN_CHAT, "id", ZONE, renew_callback="menu:shop")
    return Setup(
        uow,
        clock,
        config,
        MemberService(uow, clock, "id"),
        AdminTools(uow, clock, ZONE, "id", group=config),
        PaymentService(uow, clock, ZONE, "id", admin_chat_id=ADMIN_CHAT, group=config),
        AccessService(uow, clock, config),
        DashboardService(uow, clock, config),
    )
