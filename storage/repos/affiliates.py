"""TikTok affiliate accounts and who holds them: `domain.affiliates.Account` values, the
holder compare-and-sets, the assignment history and the stored (sealed) logins."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.affiliates import Account, AccountFilter, NewAccount
from domain.states import ShopStatus
from storage.models import AffiliateAccount, AffiliateAssignment
from storage.repos._rows import PlainRows, read_plain

# Usernames looked up at once when checking an imported file against the pool.
_LOOKUP_CHUNK = 500


class Taking(StrEnum):
    """How giving an account to a member ended."""

    TAKEN = "taken"
    GONE = "gone"  # no longer available (someone else got it, or its status changed)
    MEMBER_HOLDS_ONE = "member_holds_one"  # the unique holder column: they got another


def to_account(row: AffiliateAccount) -> Account:
    return Account(
        id=row.id,
        tiktok_username=row.tiktok_username,
        tiktok_account_id=row.tiktok_account_id,
        shop_id=row.shop_id,
        shop_name=row.shop_name,
        shop_status=ShopStatus(row.shop_status),
        yellow_cart=row.yellow_cart,
        yellow_cart_verified_at=row.yellow_cart_verified_at,
        notes=row.notes,
        credentials_encrypted=row.credentials_encrypted,
        holder_member_id=row.holder_member_id,
        assigned_at=row.assigned_at,
        assigned_by=row.assigned_by,
        created_at=row.created_at,
    )


def _available() -> ColumnElement[bool]:
    return (AffiliateAccount.holder_member_id.is_(None)) & (
        AffiliateAccount.shop_status == ShopStatus.ACTIVE
    )


# Read with every approval and /me: built once, read without ORM objects.
_ACCOUNTS = PlainRows(AffiliateAccount)
_HELD_BY = _ACCOUNTS.select().where(_ACCOUNTS.c.holder_member_id == bindparam("member"))
_NEXT_AVAILABLE = (
    _ACCOUNTS.select()
    .where(_ACCOUNTS.c.holder_member_id.is_(None), _ACCOUNTS.c.shop_status == ShopStatus.ACTIVE)
    .order_by(_ACCOUNTS.c.id)
    .limit(1)
)
_NEXT_AVAILABLE_LOCKED = _NEXT_AVAILABLE.with_for_update(skip_locked=True)


def _matching(which: AccountFilter) -> ColumnElement[bool] | None:
    if which is AccountFilter.AVAILABLE:
        return _available()
    if which is AccountFilter.ASSIGNED:
        return AffiliateAccount.holder_member_id.is_not(None)
    if which is AccountFilter.SUSPENDED:
        return AffiliateAccount.shop_status == ShopStatus.SUSPENDED
    if which is AccountFilter.INACTIVE:
        return AffiliateAccount.shop_status == ShopStatus.INACTIVE
    return None


def _row(new: NewAccount, now: datetime) -> AffiliateAccount:
    return AffiliateAccount(
        tiktok_username=new.username,
        tiktok_account_id=new.tiktok_account_id,
        shop_id=new.shop_id,
        shop_name=new.shop_name,
        shop_status=new.shop_status,
        yellow_cart=new.yellow_cart,
        yellow_cart_verified_at=new.yellow_cart_verified_at,
        notes=new.notes,
        credentials_encrypted=new.credentials,
        created_at=now,
    )


class AffiliateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _first(self, query: Select[tuple[AffiliateAccount]]) -> Account | None:
        # populate_existing: a row read earlier in this transaction is read afresh.
        found = await self.session.execute(query.execution_options(populate_existing=True))
        row = found.scalar_one_or_none()
        return None if row is None else to_account(row)

    async def by_id(self, account_id: int, *, lock: bool = False) -> Account | None:
        """`lock` holds the row (FOR UPDATE) until the transaction ends."""
        query = select(AffiliateAccount).where(AffiliateAccount.id == account_id)
        return await self._first(query.with_for_update() if lock else query)

    async def by_username(self, username: str, *, lock: bool = False) -> Account | None:
        query = select(AffiliateAccount).where(AffiliateAccount.tiktok_username == username.lower())
        return await self._first(query.with_for_update() if lock else query)

    async def _plain(self, statement: Select[Any], params: dict[str, Any]) -> Account | None:
        row = (await read_plain(self.session, statement, params)).first()
        return None if row is None else to_account(_ACCOUNTS.take(row))

    async def held_by(self, member_id: int) -> Account | None:
        return await self._plain(_HELD_BY, {"member": member_id})

    async def next_available(self, *, lock: bool = False) -> Account | None:
        """The available account with the lowest number. `lock` skips rows another
        transaction holds, so two assignments at once pick different accounts."""
        return await self._plain(_NEXT_AVAILABLE_LOCKED if lock else _NEXT_AVAILABLE, {})

    async def username_taken(self, username: str) -> bool:
        found = await self.session.execute(
            select(AffiliateAccount.id).where(AffiliateAccount.tiktok_username == username)
        )
        return found.first() is not None

    async def existing_usernames(self, usernames: Sequence[str]) -> set[str]:
        """Which of these usernames the pool has already."""
        existing: set[str] = set()
        for start in range(0, len(usernames), _LOOKUP_CHUNK):
            found = await self.session.execute(
                select(AffiliateAccount.tiktok_username).where(
                    AffiliateAccount.tiktok_username.in_(usernames[start : start + _LOOKUP_CHUNK])
                )
            )
            existing.update(found.scalars())
        return existing

    async def count(self, which: AccountFilter) -> int:
        query = select(func.count()).select_from(AffiliateAccount)
        clause = _matching(which)
        if clause is not None:
            query = query.where(clause)
        return int((await self.session.execute(query)).scalar_one())

    async def listing(self, which: AccountFilter, limit: int | None = None) -> list[Account]:
        """The accounts matching `which`, by number; at most `limit` of them."""
        query = select(AffiliateAccount).order_by(AffiliateAccount.id)
        clause = _matching(which)
        if clause is not None:
            query = query.where(clause)
        if limit is not None:
            query = query.limit(limit)
        found = await self.session.execute(query.execution_options(populate_existing=True))
        return [to_account(row) for row in found.scalars()]

    async def add(self, new: NewAccount, now: datetime) -> Account | None:
        """The new account; None when its username is taken (the unique column: someone
        added it at the same moment). After None the transaction can only be dropped."""
        row = _row(new, now)
        self.session.add(row)
        try:
            await self.session.flush()
        except IntegrityError:
            return None
        return to_account(row)

    async def add_all(self, accounts: Iterable[NewAccount], now: datetime) -> bool:
        """All of them, or False when one's username was taken meanwhile (the transaction
        can then only be dropped)."""
        self.session.add_all([_row(new, now) for new in accounts])
        try:
            await self.session.flush()
        except IntegrityError:
            return False
        return True

    async def take(self, account_id: int, member_id: int, by: int, now: datetime) -> Taking:
        """Compare-and-set: give the account to the member only while it is available.

        Inside a savepoint, so that after MEMBER_HOLDS_ONE the transaction can still read
        (what the member could be offered instead)."""
        try:
            async with self.session.begin_nested():
                taken = await self.session.execute(
                    update(AffiliateAccount)
                    .where(AffiliateAccount.id == account_id, _available())
                    .values(holder_member_id=member_id, assigned_at=now, assigned_by=by)
                )
        except IntegrityError:
            return Taking.MEMBER_HOLDS_ONE
        return Taking.TAKEN if taken.rowcount else Taking.GONE  # type: ignore[attr-defined]

    async def record_assignment(
        self, account_id: int, member_id: int, by: int, now: datetime
    ) -> int:
        """A history row for an assignment; its id."""
        assignment = AffiliateAssignment(
            account_id=account_id, member_id=member_id, assigned_at=now, assigned_by=by
        )
        self.session.add(assignment)
        await self.session.flush()
        return assignment.id

    async def release(self, account_id: int, member_id: int) -> bool:
        """Compare-and-set: the account leaves this member (False when they no longer
        held it)."""
        released = await self.session.execute(
            update(AffiliateAccount)
            .where(
                AffiliateAccount.id == account_id,
                AffiliateAccount.holder_member_id == member_id,
            )
            .values(holder_member_id=None, assigned_at=None, assigned_by=None)
        )
        return bool(released.rowcount)  # type: ignore[attr-defined]

    async def close_assignment(
        self, account_id: int, member_id: int, reason: str, now: datetime
    ) -> None:
        """The open history row of this holding ends now, with `reason` (32 characters)."""
        await self.session.execute(
            update(AffiliateAssignment)
            .where(
                AffiliateAssignment.account_id == account_id,
                AffiliateAssignment.member_id == member_id,
                AffiliateAssignment.unassigned_at.is_(None),
            )
            .values(unassigned_at=now, unassign_reason=reason[:32])
        )

    async def change_status(self, account_id: int, old: ShopStatus, new: ShopStatus) -> bool:
        """Compare-and-set `old` → `new`; False when the status was no longer `old`."""
        changed = await self.session.execute(
            update(AffiliateAccount)
            .where(AffiliateAccount.id == account_id, AffiliateAccount.shop_status == old)
            .values(shop_status=new)
        )
        return bool(changed.rowcount)  # type: ignore[attr-defined]

    async def set_cart(self, account_id: int, verified_at: datetime | None) -> None:
        """Yellow cart verified at `verified_at`, or (None) no yellow cart."""
        await self._set(
            account_id, yellow_cart=verified_at is not None, yellow_cart_verified_at=verified_at
        )

    async def set_notes(self, account_id: int, notes: str | None) -> None:
        await self._set(account_id, notes=notes)

    async def _set(self, account_id: int, **values: Any) -> None:
        await self.session.execute(
            update(AffiliateAccount).where(AffiliateAccount.id == account_id).values(**values)
        )

    async def lock_sealed_logins(self) -> dict[int, str]:
        """Every stored login token by account number, the rows held (FOR UPDATE)."""
        found = await self.session.execute(
            select(AffiliateAccount.id, AffiliateAccount.credentials_encrypted)
            .where(AffiliateAccount.credentials_encrypted.is_not(None))
            .order_by(AffiliateAccount.id)
            .with_for_update()
        )
        return {account_id: token for account_id, token in found.tuples() if token is not None}

    async def store_sealed_logins(self, tokens: Mapping[int, str]) -> None:
        """Replace the stored login tokens of these accounts."""
        if tokens:
            await self.session.execute(
                update(AffiliateAccount),
                [{"id": key, "credentials_encrypted": token} for key, token in tokens.items()],
            )
