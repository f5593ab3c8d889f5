"""Money paid to a member: never more than is available, recorded once per request."""

from __future__ import annotations

from dataclasses import dataclass

from domain.money import format_rupiah
from domain.payouts import (
    MAX_PAYOUT_METHOD,
    MAX_PAYOUT_REFERENCE,
    PayoutError,
    PayoutRefused,
    amount_to_pay,
    check_requested_amount,
    payout_details,
)
from kernel.actor import Actor
from kernel.admin_input import MemberRef
from services.ledger._base import LedgerProblem, LedgerServiceBase, LedgerServiceError
from services.member_ref import find_member
from storage.errors import Conflict
from storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class PayoutResult:
    payout_id: int
    member_name: str
    member_telegram_id: int
    amount: int
    method: str
    reference: str | None
    available_after: int
    applied: bool = True


LIMITS = {
    PayoutError.METHOD_TOO_LONG: MAX_PAYOUT_METHOD,
    PayoutError.REFERENCE_TOO_LONG: MAX_PAYOUT_REFERENCE,
}


def _refused(error: PayoutRefused, **params: object) -> LedgerServiceError:
    if error.code in LIMITS:
        params["max"] = LIMITS[error.code]
    return LedgerServiceError(LedgerProblem(error.code.value), **params)


def _checked(method: str, reference: str | None, amount: int | None) -> tuple[str, str | None]:
    """The method and reference as recorded; refuses a bad one or a bad amount."""
    try:
        details = payout_details(method, reference)
        check_requested_amount(amount)
    except PayoutRefused as error:
        raise _refused(error) from None
    return details.method, details.reference


@dataclass(frozen=True, slots=True)
class Owed:
    telegram_id: int
    name: str
    amount: int


@dataclass(frozen=True, slots=True)
class OwedPage:
    """One page of the members a payout is owed to, and how many and how much in all."""

    members: tuple[Owed, ...]
    count: int
    total: int


class Payouts(LedgerServiceBase):
    async def owed(self, offset: int, limit: int) -> OwedPage:
        """Members with a balance available (earned and not paid yet), the most owed
        first: whom the admins still have to pay."""
        async with self.uow() as uow:
            page, count, total = await uow.ledger.owed_page(limit, offset)
        members = tuple(Owed(m.telegram_id, m.full_name, amount) for m, amount in page)
        return OwedPage(members, count, total)

    async def recent_methods(self, limit: int = 6) -> list[str]:
        """How admins paid members lately (BCA, DANA ...), the most recent first: the
        choices a guided payout offers as buttons."""
        async with self.uow() as uow:
            return await uow.ledger.recent_payout_methods(limit)

    async def payout(
        self,
        member_id: int,
        amount: int | None,
        method: str,
        reference: str | None,
        admin: Actor,
        request_key: str | None = None,
    ) -> PayoutResult:
        """Record money paid to a member: `amount`, or everything available when None.

        Never more than is available, even when admins tap at once: the member row is
        locked first (SQLite: the whole database, by BEGIN IMMEDIATE). The same
        `request_key` (the admin's command message) records one payout however often it
        arrives. The member is told."""
        method, reference = _checked(method, reference, amount)
        async with self.uow() as uow:
            return await self._pay(uow, member_id, amount, method, reference, admin, request_key)

    async def payout_to(
        self,
        ref: MemberRef,
        amount: int | None,
        method: str,
        reference: str | None,
        admin: Actor,
        request_key: str | None = None,
    ) -> PayoutResult:
        """`payout` to the member an admin means, looked up in the same transaction; a
        member not found (MEMBER_NOT_FOUND) is answered before any other refusal."""
        async with self.uow() as uow:
            member = await find_member(uow, ref)
            method, reference = _checked(method, reference, amount)
            return await self._pay(uow, member.id, amount, method, reference, admin, request_key)

    async def _pay(
        self,
        uow: UnitOfWork,
        member_id: int,
        amount: int | None,
        method: str,
        reference: str | None,
        admin: Actor,
        request_key: str | None,
    ) -> PayoutResult:
        now = self.clock.now()
        member = await uow.ledger.lock_payee(member_id)
        assert member is not None
        if request_key is not None:
            done = await uow.ledger.payout_by_request_key(request_key)
            if done is not None:
                return PayoutResult(
                    done.id,
                    member.full_name,
                    member.telegram_id,
                    done.amount,
                    done.method,
                    done.reference,
                    await uow.ledger.available(member_id),
                    applied=False,
                )
        available = await uow.ledger.available(member_id)
        try:
            paying = amount_to_pay(available, amount)
        except PayoutRefused as error:
            if error.code is PayoutError.NOTHING_AVAILABLE:
                raise _refused(error, name=member.full_name) from None
            raise _refused(
                error,
                name=member.full_name,
                amount=format_rupiah(available if amount is None else amount),
                available=format_rupiah(available),
            ) from None
        payout_id = await uow.ledger.record_payout(
            member_id, paying, method, reference, admin.telegram_id, now, request_key
        )
        uow.audit.record(
            admin,
            "record_payout",
            f"member:{member.telegram_id}",
            now,
            amount=paying,
            payout=payout_id,
        )
        await uow.outbox.tell_member(
            member,
            self.default_language,
            "ledger.paid_out",
            {
                "amount": format_rupiah(paying),
                "method": method,
                "reference": reference or "-",
                "available": format_rupiah(available - paying),
            },
            f"payout:{payout_id}",
            now,
        )
        result = PayoutResult(
            payout_id,
            member.full_name,
            member.telegram_id,
            paying,
            method,
            reference,
            available - paying,
        )
        try:
            await uow.commit()
        except Conflict:
            # The same command arrived twice at once: the other one recorded it.
            return await self._replayed(member_id, request_key)
        return result

    async def _replayed(self, member_id: int, request_key: str | None) -> PayoutResult:
        async with self.uow() as uow:
            member = await uow.members.by_id(member_id)
            done = await uow.ledger.payout_by_request_key(request_key)
            assert member is not None and done is not None
            return PayoutResult(
                done.id,
                member.full_name,
                member.telegram_id,
                done.amount,
                done.method,
                done.reference,
                await uow.ledger.available(member_id),
                applied=False,
            )
