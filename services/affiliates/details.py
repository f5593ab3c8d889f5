"""An account's details an admin keeps up: the yellow cart's verification and notes."""

from __future__ import annotations

from domain.affiliates import CartRefusal, cart_refusal
from kernel.actor import Actor
from kernel.dates import day_param
from services.affiliates._base import ServiceBase
from services.affiliates._common import card_of, find_account, target
from services.affiliates.parsing import AccountRef, parse_notes
from services.affiliates.problems import AffiliateError, AffiliateProblem
from services.affiliates.views import AccountCard
from storage.uow import UnitOfWork


class Details(ServiceBase):
    async def set_cart_verified(
        self, account: AccountRef | int, verified: bool, admin: Actor
    ) -> AccountCard:
        """Mark the yellow cart verified (keeping today's date), or take that back."""
        async with self.uow() as uow:
            card = await self._set_cart_verified(uow, account, verified, admin)
            await uow.commit()
            return card

    async def _set_cart_verified(
        self, uow: UnitOfWork, account: AccountRef | int, verified: bool, admin: Actor
    ) -> AccountCard:
        now = self.clock.now()
        found = await find_account(uow, account, lock=True)
        refusal = cart_refusal(found, verified)
        if refusal is CartRefusal.ALREADY_VERIFIED:
            assert found.yellow_cart_verified_at is not None
            raise AffiliateError(
                AffiliateProblem.ALREADY_VERIFIED,
                username=found.tiktok_username,
                at=day_param(self._day(found.yellow_cart_verified_at)),
            )
        if refusal is CartRefusal.NOT_VERIFIED:
            raise AffiliateError(AffiliateProblem.NOT_VERIFIED, username=found.tiktok_username)
        before = found.yellow_cart_verified_at
        await uow.affiliates.set_cart(found.id, now if verified else None)
        uow.audit.record(
            admin,
            "affiliate_cart_verified" if verified else "affiliate_cart_unverified",
            target(found.id),
            now,
            username=found.tiktok_username,
            before=before.isoformat() if before else None,
        )
        changed = await uow.affiliates.by_id(found.id)
        assert changed is not None
        return await card_of(uow, changed)

    async def set_notes(
        self, account: AccountRef | int, notes: str | None, admin: Actor
    ) -> AccountCard:
        """Replace the notes (None or blank clears them); the audit row keeps the old ones,
        so a note replaced by mistake can be recovered."""
        now = self.clock.now()
        text = parse_notes(notes)
        async with self.uow() as uow:
            found = await find_account(uow, account, lock=True)
            await uow.affiliates.set_notes(found.id, text)
            uow.audit.record(
                admin,
                "affiliate_notes",
                target(found.id),
                now,
                username=found.tiktok_username,
                cleared=text is None,
                at=now.isoformat(),
                before=found.notes,
            )
            changed = await uow.affiliates.by_id(found.id)
            assert changed is not None
            card = await card_of(uow, changed)
            await uow.commit()
            return card
