"""The payment service's constructor and the lookups every use case needs."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.people import Person
from kernel.clock import Clock
from services.access import GroupConfig
from services.base import ServiceBase
from services.payments.views import PaymentError, PaymentProblem, ReviewButtons
from storage.uow import UnitOfWork, UnitOfWorkFactory


class PaymentServiceBase(ServiceBase):
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        zone: ZoneInfo,
        default_language: str,
        *,
        admin_chat_id: int | None = None,
        review_buttons: ReviewButtons | None = None,
        group: GroupConfig | None = None,
    ) -> None:
        super().__init__(uow, clock, zone, default_language)
        self.admin_chat_id = admin_chat_id
        # Who may be in the discussion group follows every membership change.
        self.group = group or GroupConfig(None, admin_chat_id or 0, default_language, zone)
        # The bot layer packs the Approve / Reject buttons; services stay Telegram-free.
        self.review_buttons: ReviewButtons = review_buttons or (lambda *_ids: ())

    async def _member(self, uow: UnitOfWork, telegram_id: int) -> Person:
        member = await uow.members.by_telegram_id(telegram_id)
        if member is None:
            raise PaymentError(PaymentProblem.NOT_REGISTERED)
        return member

    async def _tell(
        self,
        uow: UnitOfWork,
        member_id: int,
        key: str,
        params: dict[str, Any],
        dedupe_key: str,
        now: datetime,
    ) -> None:
        """Queue a message to the member, in their language, once per dedupe key."""
        member = await uow.members.by_id(member_id)
        assert member is not None
        await uow.outbox.tell_member(member, self.default_language, key, params, dedupe_key, now)
