"""Helpers every affiliate use case shares: finding an account, and the views of one."""

from __future__ import annotations

from collections.abc import Sequence

from domain.affiliates import Account
from domain.people import Person
from services.affiliates.parsing import AccountRef
from services.affiliates.problems import AffiliateError, AffiliateProblem
from services.affiliates.views import AccountCard, HeldAccount, Holder
from storage.uow import UnitOfWork


def target(account_id: int) -> str:
    """The audit row's target for one account."""
    return f"affiliate_account:{account_id}"


async def find_account(uow: UnitOfWork, ref: AccountRef | int, *, lock: bool = False) -> Account:
    """The account an admin means (by number or username); ACCOUNT_NOT_FOUND otherwise.
    `lock` holds it until the transaction ends."""
    if isinstance(ref, int):
        ref = AccountRef(id=ref)
    if ref.id is not None:
        found = await uow.affiliates.by_id(ref.id, lock=lock)
    else:
        found = await uow.affiliates.by_username(ref.username or "", lock=lock)
    if found is None:
        raise AffiliateError(AffiliateProblem.ACCOUNT_NOT_FOUND, given=str(ref))
    return found


def holder_of(member: Person) -> Holder:
    return Holder(member.id, member.telegram_id, member.full_name, member.username)


def card(account: Account, holder: Person | None) -> AccountCard:
    return AccountCard(
        id=account.id,
        username=account.tiktok_username,
        tiktok_account_id=account.tiktok_account_id,
        shop_id=account.shop_id,
        shop_name=account.shop_name,
        status=account.shop_status,
        yellow_cart=account.yellow_cart,
        yellow_cart_verified_at=account.yellow_cart_verified_at,
        notes=account.notes,
        has_login=account.has_login,
        holder=None if holder is None else holder_of(holder),
        assigned_at=account.assigned_at,
        created_at=account.created_at,
    )


async def card_of(uow: UnitOfWork, account: Account) -> AccountCard:
    """The admin's view of the account, with its holder."""
    holder = None
    if account.holder_member_id is not None:
        holder = await uow.members.by_id(account.holder_member_id)
    return card(account, holder)


async def cards_of(uow: UnitOfWork, accounts: Sequence[Account]) -> list[AccountCard]:
    """`card_of` for many accounts, their holders read at once."""
    held = {a.holder_member_id for a in accounts if a.holder_member_id is not None}
    holders = await uow.members.by_ids(held)
    return [
        card(a, None if a.holder_member_id is None else holders.get(a.holder_member_id))
        for a in accounts
    ]


def held_view(account: Account) -> HeldAccount:
    """The holder's view of their account (never the login itself)."""
    return HeldAccount(
        id=account.id,
        username=account.tiktok_username,
        shop_name=account.shop_name,
        shop_status=account.shop_status,
        yellow_cart=account.yellow_cart,
        yellow_cart_verified_at=account.yellow_cart_verified_at,
        has_login=account.has_login,
        assigned_at=account.assigned_at,
    )
