"""What the parts of QuestionService share: their fields and the member's card."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.membership import effective_tier
from domain.people import Person
from kernel.clock import Clock
from kernel.dates import DateText, local_day_param, moment_param
from kernel.names import plan_name
from kernel.notices import Button
from services.base import ServiceBase
from storage.uow import UnitOfWork, UnitOfWorkFactory


class QuestionBase(ServiceBase):
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        zone: ZoneInfo,
        default_language: str,
        *,
        admin_chat_id: int,
        answer_within: timedelta,
        shop_callback: str | None = None,
    ) -> None:
        super().__init__(uow, clock, zone, default_language)
        self.admin_chat_id = admin_chat_id
        # A question still open after this long is raised once in the admin group.
        self.answer_within = answer_within
        # The shop button under "your picture went to the admins" (the bot packs it).
        self.shop_button: tuple[tuple[Button, ...], ...] = (
            ((Button("menu.shop", callback_data=shop_callback),),) if shop_callback else ()
        )

    def _date(self, moment: datetime) -> DateText:
        return moment_param(moment, self.zone)

    async def _card(self, uow: UnitOfWork, member: Person, now: datetime) -> dict[str, Any]:
        """Who is asking, for the admins: name, @username, id, tier and the plans held
        (the tier first, so VIP questions are seen as such)."""
        held = await uow.memberships.held(member.id)
        tier = effective_tier(held, now)
        plans = [
            {
                "key": "qa.plan_until" if m.expires_at is not None else "qa.plan_lifetime",
                "params": {
                    "plan": plan_name(m.plan),
                    "until": local_day_param(m.expires_at, self.zone)
                    if m.expires_at is not None
                    else "",
                },
            }
            for m in held
            if m.expires_at is None or m.expires_at > now
        ]
        return {
            "name": member.full_name,
            "username": member.username,
            "telegram_id": member.telegram_id,
            "tier": tier.code if tier is not None else None,
            "plans": plans,
        }
