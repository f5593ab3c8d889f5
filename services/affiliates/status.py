"""An account's shop status: changed by an admin; a held account becoming suspended
alerts the admin group (once) and tells its holder."""

from __future__ import annotations

from domain.affiliates import suspension_alerts
from domain.states import ShopStatus
from kernel.actor import Actor
from services.affiliates._base import ServiceBase
from services.affiliates._common import card_of, find_account, target
from services.affiliates.parsing import AccountRef
from services.affiliates.problems import AffiliateError, AffiliateProblem
from services.affiliates.views import StatusResult
from storage.uow import UnitOfWork


class Statuses(ServiceBase):
    async def set_status(
        self, account: AccountRef | int, status: ShopStatus, admin: Actor
    ) -> StatusResult:
        """Change the shop status. An assigned account becoming suspended alerts the
        admin group (once: a second tap finds it suspended already) and tells the holder."""
        async with self.uow() as uow:
            result = await self._set_status(uow, account, status, admin)
            await uow.commit()
            return result

    async def _set_status(
        self, uow: UnitOfWork, account: AccountRef | int, status: ShopStatus, admin: Actor
    ) -> StatusResult:
        now = self.clock.now()
        found = await find_account(uow, account, lock=True)
        old = found.shop_status
        if old is status:
            raise AffiliateError(
                AffiliateProblem.SAME_STATUS,
                username=found.tiktok_username,
                status={"key": f"affiliates.status_{status.value}"},
            )
        if not await uow.affiliates.change_status(found.id, old, status):
            raise AffiliateError(AffiliateProblem.CHANGED_MEANWHILE)
        uow.audit.record(
            admin,
            "affiliate_status",
            target(found.id),
            now,
            username=found.tiktok_username,
            old=old.value,
            new=status.value,
        )
        alerted = False
        changed = await uow.affiliates.by_id(found.id)
        assert changed is not None
        if suspension_alerts(status, changed):
            assert changed.holder_member_id is not None
            member = await uow.members.by_id(changed.holder_member_id)
            assert member is not None
            alerted = await self._alert(
                uow,
                "affiliates.alert_suspended",
                {
                    "username": changed.tiktok_username,
                    "id": changed.id,
                    "name": member.full_name,
                    "telegram_id": member.telegram_id,
                    "by": admin.name,
                },
                f"affiliate-suspended:{changed.id}:{now.isoformat()}",
                now,
            )
            await uow.outbox.tell_member(
                member,
                self.default_language,
                "affiliates.member_suspended",
                {"username": changed.tiktok_username},
                f"affiliate-suspended-holder:{changed.id}:{member.id}:{now.isoformat()}",
                now,
            )
        return StatusResult(await card_of(uow, changed), old, alerted)
