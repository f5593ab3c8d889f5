"""Reading the pool: counts by state, a filtered list, one account's card."""

from __future__ import annotations

from domain.affiliates import AccountFilter
from services.affiliates._base import ServiceBase
from services.affiliates._common import card_of, cards_of, find_account
from services.affiliates.parsing import AccountRef
from services.affiliates.views import AccountCard, AccountList, Counts
from storage.uow import UnitOfWork

LIST_SHOWN = 50
_COUNTED = (
    AccountFilter.AVAILABLE,
    AccountFilter.ASSIGNED,
    AccountFilter.SUSPENDED,
    AccountFilter.INACTIVE,
)


async def pool_counts(uow: UnitOfWork) -> Counts:
    values = {which.value: await uow.affiliates.count(which) for which in _COUNTED}
    return Counts(**values, total=await uow.affiliates.count(AccountFilter.ALL))


class Reading(ServiceBase):
    async def counts(self) -> Counts:
        async with self.uow() as uow:
            return await pool_counts(uow)

    async def list_accounts(
        self, which: AccountFilter = AccountFilter.ALL, limit: int = LIST_SHOWN
    ) -> AccountList:
        async with self.uow() as uow:
            accounts = await uow.affiliates.listing(which, limit)
            matching = await uow.affiliates.count(which)
            cards = tuple(await cards_of(uow, accounts))
            return AccountList(which, cards, matching, await pool_counts(uow))

    async def card(self, ref: AccountRef | int) -> AccountCard:
        async with self.uow() as uow:
            return await card_of(uow, await find_account(uow, ref))

    async def next_available(self) -> AccountCard | None:
        async with self.uow() as uow:
            account = await uow.affiliates.next_available()
            return None if account is None else await card_of(uow, account)
