"""A tap on an account card: the change it asks for (take the account back, a status,
the yellow cart) and the card as it is afterwards, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kernel.actor import Actor
from services.affiliates._common import card_of, find_account
from services.affiliates.details import Details
from services.affiliates.parsing import parse_status
from services.affiliates.problems import AffiliateError
from services.affiliates.release import Releasing
from services.affiliates.status import Statuses
from services.affiliates.views import AccountCard
from storage.uow import UnitOfWork


class CardChange(StrEnum):
    """What a tap on an account card asks for."""

    SHOW = "show"  # nothing: the card (and its buttons) as it is now
    UNASSIGN = "unassign"
    STATUS = "status"
    CART_ON = "cart_on"
    CART_OFF = "cart_off"


@dataclass(frozen=True, slots=True)
class CardTap:
    """The card after a tap; `changed` when the tap changed the account, `refusal` when
    the change no longer fits (a double tap, a stale card)."""

    card: AccountCard
    changed: bool = False
    refusal: AffiliateError | None = None


class CardTaps(Releasing, Statuses, Details):
    async def tap_card(
        self, account_id: int, change: CardChange, admin: Actor, *, status: str = ""
    ) -> CardTap:
        """Apply `change` (STATUS: to `status` as the button names it) and read the card.

        A refused change comes back with the card as it stands, to say what is true now;
        an account that is gone raises ACCOUNT_NOT_FOUND."""
        async with self.uow() as uow:
            try:
                card = await self._change(uow, account_id, change, status, admin)
            except AffiliateError as error:
                return CardTap(await _card(uow, account_id), refusal=error)
            if card is None:
                return CardTap(await _card(uow, account_id))
            await uow.commit()
            return CardTap(card, changed=True)

    async def _change(
        self, uow: UnitOfWork, account_id: int, change: CardChange, status: str, admin: Actor
    ) -> AccountCard | None:
        if change is CardChange.UNASSIGN:
            return (await self._unassign(uow, account_id, admin)).account
        if change is CardChange.STATUS:
            return (await self._set_status(uow, account_id, parse_status(status), admin)).account
        if change in (CardChange.CART_ON, CardChange.CART_OFF):
            return await self._set_cart_verified(
                uow, account_id, change is CardChange.CART_ON, admin
            )
        return None


async def _card(uow: UnitOfWork, account_id: int) -> AccountCard:
    return await card_of(uow, await find_account(uow, account_id))
