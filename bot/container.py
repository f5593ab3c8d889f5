"""Everything the running bot needs, built once at start (never at import)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.announcements import AnnouncementSender
from bot.group_actions import GroupActions
from bot.meeting_reminders import MeetingReminders
from bot.memory_trim import MemoryTrim
from bot.outbox import OutboxRelay
from bot.questions_relay import QuestionRelay
from bot.sending import SendingLayer, SendLimits
from bot.settings import Settings
from handlers.common.admins import AdminGate
from kernel.clock import Clock, SystemClock
from kernel.i18n import Translator
from services.access import AccessService, GroupConfig
from services.affiliates import AffiliateService
from services.announcements import AnnouncementService
from services.catalog import CatalogService
from services.dashboard import DashboardService
from services.exports import ExportService
from services.leaders import LeaderService
from services.ledger import LedgerService
from services.library import LibraryService
from services.meetings import MeetingService
from services.members import MemberLookupService, MemberService
from services.memberships import LifecycleService, MembershipService
from services.numbers import NumbersService
from services.payments import PaymentService
from services.questions import QuestionService
from services.reports import ReportService
from storage.database import (
    create_engine,
    create_read_engine,
    create_session_factory,
    is_sqlite,
    sqlite_file,
)
from storage.uow import UnitOfWorkFactory


@dataclass
class Container:
    settings: Settings
    engine: AsyncEngine
    uow: UnitOfWorkFactory
    clock: Clock
    i18n: Translator
    bot: Bot
    relay: OutboxRelay
    members: MemberService
    payments: PaymentService
    admins: AdminGate
    member_lookup: MemberLookupService
    memberships: MembershipService
    catalog: CatalogService
    reports: ReportService
    ledger: LedgerService
    leaders: LeaderService
    access: AccessService
    affiliates: AffiliateService
    dashboard: DashboardService
    lifecycle: LifecycleService
    group_actions: GroupActions
    sending: SendingLayer
    questions: QuestionService
    announcements: AnnouncementService
    announcer: AnnouncementSender
    numbers: NumbersService
    exports: ExportService
    library: LibraryService
    meetings: MeetingService

    read_engine: AsyncEngine | None = None
    report_engine: AsyncEngine | None = None
    memory_trim: MemoryTrim | None = None

    async def close(self) -> None:
        await self.bot.session.close()
        await self.engine.dispose()
        for engine in (self.read_engine, self.report_engine):
            if engine is not None:
                await engine.dispose()


def make_bot(settings: Settings) -> Bot:
    # A hung call gives up after TELEGRAM_TIMEOUT_SECONDS (aiogram's default is 60 s); the
    # sending layer then retries it.
    session = AiohttpSession(timeout=settings.TELEGRAM_TIMEOUT_SECONDS)
    if settings.TELEGRAM_API_BASE:
        session = AiohttpSession(
            api=TelegramAPIServer.from_base(settings.TELEGRAM_API_BASE),
            timeout=settings.TELEGRAM_TIMEOUT_SECONDS,
        )
    return Bot(
        token=settings.BOT_TOKEN.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def group_config(settings: Settings, renew_callback: str | None = None) -> GroupConfig:
    return GroupConfig(
        chat_id=settings.DISCUSSION_CHAT_ID,
        admin_chat_id=settings.ADMIN_CHAT_ID,
        default_language=settings.DEFAULT_LANGUAGE,
        zone=settings.zone,
        invite_ttl=timedelta(hours=settings.INVITE_TTL_HOURS),
        renew_callback=renew_callback,
        exempt_ids=frozenset(settings.ADMIN_IDS) | frozenset(settings.OWNER_IDS),
    )


def build_container(
    settings: Settings, *, bot: Bot | None = None, clock: Clock | None = None
) -> Container:
    engine = create_engine(settings.DATABASE_URL)
    uow = UnitOfWorkFactory(create_session_factory(engine))
    # The relay reads what is due on a connection of its own: under WAL it never queues
    # behind the writes of updates being handled (a member's message goes out as soon as
    # the approval that queued it commits). Not for an in-memory SQLite database, which
    # another connection could not see.
    read_engine = report_engine = None
    if not is_sqlite(settings.DATABASE_URL) or sqlite_file(settings.DATABASE_URL):
        read_engine = create_read_engine(settings.DATABASE_URL)
        # Long reads (the owner's numbers, exports, counting an audience: seconds at 100k
        # members) on a connection of their own, so the relay's reads never wait for them.
        report_engine = create_read_engine(settings.DATABASE_URL)
    clock = clock or SystemClock()
    i18n = Translator.load(settings.DEFAULT_LANGUAGE)
    bot = bot or make_bot(settings)
    sending = SendingLayer(
        SendLimits(
            total_per_second=settings.SEND_RATE_TOTAL,
            private_per_second=settings.SEND_RATE_PRIVATE,
            group_per_minute=settings.SEND_RATE_GROUP,
        ),
        monotonic=clock.monotonic,
        sleep=clock.sleep,
    )
    bot.session.middleware(sending)
    relay = OutboxRelay(
        bot,
        uow,
        i18n,
        clock,
        poll_seconds=settings.OUTBOX_POLL_SECONDS,
        concurrency=settings.OUTBOX_CONCURRENCY,
        admin_chat_id=settings.ADMIN_CHAT_ID,
        reads=UnitOfWorkFactory(create_session_factory(read_engine)) if read_engine else None,
    )
    uow.on_outbox_commit = relay.wake
    long_reads = UnitOfWorkFactory(create_session_factory(report_engine)) if report_engine else uow
    members = MemberService(uow, clock, settings.DEFAULT_LANGUAGE)
    relay.on_blocked = members.forget
    # The bot layer knows how buttons are packed; services only ask for them.
    from handlers.admin.card_links import payment_card_buttons, report_card_buttons
    from handlers.common.callbacks import MenuAction, MenuCallback, PlanCallback
    from handlers.member.meetings import meeting_screen

    group = replace(
        group_config(settings, MenuCallback(action=MenuAction.SHOP).pack()),
        quote_callback=lambda plan_id: PlanCallback(plan_id=plan_id).pack(),
        menu_callback=MenuCallback(action=MenuAction.HOME).pack(),
    )
    access = AccessService(uow, clock, group)
    group_actions = GroupActions(bot, access, i18n)
    relay.actions.update(group_actions.table())
    questions = QuestionService(
        uow,
        clock,
        settings.zone,
        settings.DEFAULT_LANGUAGE,
        admin_chat_id=settings.ADMIN_CHAT_ID,
        answer_within=timedelta(minutes=settings.QA_SLA_MINUTES),
        shop_callback=group.renew_callback,
    )
    relay.actions.update(QuestionRelay(bot, questions, i18n, clock, settings.ADMIN_CHAT_ID).table())
    meetings = MeetingService(
        uow,
        clock,
        settings.zone,
        settings.DEFAULT_LANGUAGE,
        reminders=settings.MEETING_REMINDERS,
        shop_callback=group.renew_callback,
        open_callback=meeting_screen,
    )
    relay.actions.update(MeetingReminders(bot, meetings, i18n).table())
    announcements = AnnouncementService(
        uow, clock, settings.zone, settings.DEFAULT_LANGUAGE, rate=settings.ANNOUNCE_RATE,
        reads=long_reads,
    )  # fmt: skip
    announcer = AnnouncementSender(
        bot,
        announcements,
        i18n,
        clock,
        admin_chat_id=settings.ADMIN_CHAT_ID,
        zone=settings.zone,
        rate=settings.ANNOUNCE_RATE,
        progress_seconds=settings.ANNOUNCE_PROGRESS_SECONDS,
    )
    announcements.on_change = announcer.poke

    return Container(
        settings=settings,
        engine=engine,
        uow=uow,
        clock=clock,
        i18n=i18n,
        bot=bot,
        relay=relay,
        announcements=announcements,
        announcer=announcer,
        read_engine=read_engine,
        report_engine=report_engine,
        members=members,
        payments=PaymentService(
            uow,
            clock,
            settings.zone,
            settings.DEFAULT_LANGUAGE,
            admin_chat_id=settings.ADMIN_CHAT_ID,
            review_buttons=payment_card_buttons,
            group=group,
        ),
        admins=AdminGate(
            bot, settings.ADMIN_CHAT_ID, settings.ADMIN_IDS, settings.OWNER_IDS, clock
        ),
        member_lookup=MemberLookupService(
            uow, clock, settings.zone, settings.DEFAULT_LANGUAGE, group=group
        ),
        memberships=MembershipService(
            uow, clock, settings.zone, settings.DEFAULT_LANGUAGE, group=group
        ),
        catalog=CatalogService(uow, clock, settings.zone, settings.DEFAULT_LANGUAGE, group=group),
        reports=ReportService(
            uow,
            clock,
            settings.zone,
            settings.DEFAULT_LANGUAGE,
            admin_chat_id=settings.ADMIN_CHAT_ID,
            card_buttons=report_card_buttons,
        ),
        ledger=LedgerService(uow, clock, settings.zone, settings.DEFAULT_LANGUAGE),
        leaders=LeaderService(uow, clock, settings.zone, settings.DEFAULT_LANGUAGE),
        access=access,
        affiliates=AffiliateService(
            uow,
            clock,
            settings.zone,
            settings.DEFAULT_LANGUAGE,
            admin_chat_id=settings.ADMIN_CHAT_ID,
            keys=tuple(key.get_secret_value() for key in settings.CREDENTIALS_KEYS),
        ),
        dashboard=DashboardService(uow, clock, group),
        lifecycle=LifecycleService(uow, clock, group),
        group_actions=group_actions,
        sending=sending,
        questions=questions,
        # Both only read, for seconds at 100k members: never holding the writers (SQLite
        # has one) nor the relay.
        numbers=NumbersService(long_reads, clock, settings.zone, settings.DEFAULT_LANGUAGE),
        exports=ExportService(long_reads, clock, settings.zone, settings.DEFAULT_LANGUAGE),
        library=LibraryService(uow, clock, settings.zone, settings.DEFAULT_LANGUAGE),
        meetings=meetings,
        memory_trim=MemoryTrim(clock.monotonic),
    )
