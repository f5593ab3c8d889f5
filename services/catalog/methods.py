"""Payment methods members pay with: the list, adding one, switching one off and on."""

from __future__ import annotations

from dataclasses import dataclass

from domain.states import PaymentMethodKind
from kernel.actor import Actor
from kernel.admin_input import AdminProblem, AdminToolError, NewMethod, method_code
from services.catalog._base import CatalogBase
from storage.repos.methods import MethodRecord


@dataclass(frozen=True, slots=True)
class MethodRow:
    id: int
    code: str
    kind: PaymentMethodKind
    label: str
    account_name: str | None
    account_number: str | None
    has_qris: bool
    active: bool
    position: int


def _method_row(record: MethodRecord) -> MethodRow:
    return MethodRow(
        id=record.id,
        code=record.code,
        kind=record.kind,
        label=record.label,
        account_name=record.account_name,
        account_number=record.account_number,
        has_qris=record.qris_file_id is not None,
        active=record.is_active,
        position=record.position,
    )


class Methods(CatalogBase):
    async def methods(self) -> list[MethodRow]:
        """Every method, on or off, in the order members see them."""
        async with self.uow() as uow:
            return [_method_row(record) for record in await uow.methods.listed()]

    async def add_method(
        self, new: NewMethod, actor: Actor, *, qris_file_id: str | None = None
    ) -> MethodRow:
        """A payment method members can choose, active and listed after the others.
        A QRIS method needs the picture (`qris_file_id`, the photo's largest size)."""
        if new.kind is PaymentMethodKind.QRIS and not qris_file_id:
            raise AdminToolError(AdminProblem.QRIS_NEEDS_PHOTO)
        now = self.clock.now()
        async with self.uow() as uow:
            taken = set(await uow.methods.codes())
            record = await uow.methods.add(
                code=method_code(new.label, new.kind, taken),
                kind=new.kind,
                label=new.label,
                account_name=new.account_name,
                account_number=new.account_number,
                qris_file_id=qris_file_id if new.kind is PaymentMethodKind.QRIS else None,
            )
            uow.audit.record(
                actor, "payment_method.add", f"method:{record.code}", now,
                code=record.code, kind=new.kind.value, label=new.label,
                account_name=new.account_name, account_number=new.account_number,
            )  # fmt: skip
            view = _method_row(record)
            await uow.commit()
            return view

    async def set_method_active(self, code: str, active: bool, actor: Actor) -> MethodRow:
        """Switch a method on or off for members (by its code, any case)."""
        now = self.clock.now()
        async with self.uow() as uow:
            found = await uow.methods.by_code(code.strip().lower())
            if found is None:
                raise AdminToolError(
                    AdminProblem.METHOD_NOT_FOUND,
                    code=code.strip()[:32],
                    known=", ".join(await uow.methods.codes()) or "-",
                )
            changed = await uow.methods.set_active(found.id, active)
            if changed is None:
                problem = (
                    AdminProblem.METHOD_ALREADY_ON if active else AdminProblem.METHOD_ALREADY_OFF
                )
                raise AdminToolError(problem, code=found.code, label=found.label)
            action = "payment_method.on" if active else "payment_method.off"
            uow.audit.record(actor, action, f"method:{found.code}", now, code=found.code)
            view = _method_row(changed)
            await uow.commit()
            return view
