"""Payment methods (bank, e-wallet, QRIS) the owner offers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.states import PaymentMethodKind
from storage.models import PaymentMethod
from storage.repos._rows import PlainRows, read_plain


@dataclass(frozen=True, slots=True)
class MethodRecord:
    """A payment method as stored; `qris_file_id` is the QRIS picture (QRIS only)."""

    id: int
    code: str
    kind: PaymentMethodKind
    label: str
    account_name: str | None
    account_number: str | None
    qris_file_id: str | None
    is_active: bool
    position: int


def to_record(row: PaymentMethod) -> MethodRecord:
    return MethodRecord(
        id=row.id,
        code=row.code,
        kind=PaymentMethodKind(row.kind),
        label=row.label,
        account_name=row.account_name,
        account_number=row.account_number,
        qris_file_id=row.qris_file_id,
        is_active=row.is_active,
        position=row.position,
    )


_ORDER = (PaymentMethod.position, PaymentMethod.id)

# Read on every purchase screen and card: built once, read without ORM objects.
_METHODS = PlainRows(PaymentMethod)
_ACTIVE = (
    _METHODS.select()
    .where(_METHODS.c.is_active.is_(True))
    .order_by(_METHODS.c.position, _METHODS.c.id)
)
_BY_ID = _METHODS.select().where(_METHODS.c.id == bindparam("key"))


class MethodRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def listed(self) -> list[MethodRecord]:
        """Every method, on or off, in the order members see them."""
        rows = await self.session.execute(select(PaymentMethod).order_by(*_ORDER))
        return [to_record(row) for row in rows.scalars()]

    async def active(self) -> list[MethodRecord]:
        """The methods members may choose now, in order."""
        rows = await read_plain(self.session, _ACTIVE, {})
        return [to_record(_METHODS.take(row)) for row in rows.all()]

    async def by_id(self, method_id: int) -> MethodRecord | None:
        row = (await read_plain(self.session, _BY_ID, {"key": method_id})).first()
        return None if row is None else to_record(_METHODS.take(row))

    async def by_code(self, code: str) -> MethodRecord | None:
        found = await self.session.execute(select(PaymentMethod).where(PaymentMethod.code == code))
        row = found.scalar_one_or_none()
        return None if row is None else to_record(row)

    async def codes(self) -> list[str]:
        """Every method's code, in order."""
        known = await self.session.execute(select(PaymentMethod.code).order_by(*_ORDER))
        return list(known.scalars())

    async def add(
        self,
        *,
        code: str,
        kind: PaymentMethodKind,
        label: str,
        account_name: str | None,
        account_number: str | None,
        qris_file_id: str | None,
    ) -> MethodRecord:
        """A new active method listed after all the others."""
        last = await self.session.execute(select(func.max(PaymentMethod.position)))
        row = PaymentMethod(
            code=code,
            kind=kind,
            label=label,
            account_name=account_name,
            account_number=account_number,
            qris_file_id=qris_file_id,
            is_active=True,
            position=(last.scalar() or 0) + 1,
        )
        self.session.add(row)
        await self.session.flush()
        return to_record(row)

    async def set_active(self, method_id: int, active: bool) -> MethodRecord | None:
        """Compare-and-set on or off; the method as it is now, or None when it already was."""
        changed = await self.session.execute(
            update(PaymentMethod)
            .where(PaymentMethod.id == method_id, PaymentMethod.is_active.is_(not active))
            .values(is_active=active)
        )
        if not changed.rowcount:  # type: ignore[attr-defined]
            return None
        row = await self.session.get(PaymentMethod, method_id)
        if row is None:
            return None
        await self.session.refresh(row)
        return to_record(row)
