"""The nightly reconcile: anyone seen inside the group without VIP access is removed."""

from __future__ import annotations

from dataclasses import dataclass

from domain.reports import jakarta_day
from services.access._base import AccessBase
from services.access.config import RemovalCause
from services.access.notices import alert_admins
from services.access.sync import queue_removal, withdraw
from services.entitlement import has_access

# Statuses of someone the reconcile may remove (admins and the creator stay).
_REMOVABLE = ("member", "restricted")
_LISTED = 50


@dataclass(frozen=True, slots=True)
class ReconcileResult:
    checked: int
    outsiders: list[tuple[int, str]]  # (telegram id, name or "?")
    queued: int
    dry_run: bool


class Reconciling(AccessBase):
    async def reconcile(self, dry_run: bool) -> ReconcileResult:
        """Everyone the bot saw inside the group without VIP access is removed (once per
        person per day) and told; with `dry_run` the admins only get the list."""
        now = self.clock.now()
        chat_id = self.config.chat_id
        if chat_id is None:
            return ReconcileResult(0, [], 0, dry_run)
        day = jakarta_day(now, self.config.zone).isoformat()
        outsiders: list[tuple[int, str]] = []
        queued = 0
        async with self.uow() as uow:
            present = await uow.access.seen_inside(chat_id, _REMOVABLE)
            for telegram_id in present:
                if telegram_id in self.config.exempt_ids:
                    continue
                member = await uow.members.by_telegram_id(telegram_id)
                if member is not None and await has_access(uow, member.id, now):
                    continue
                name = member.full_name if member is not None else "?"
                outsiders.append((telegram_id, name))
                if dry_run:
                    continue
                if member is not None:
                    change = await withdraw(
                        uow, member, now, self.config, RemovalCause.NOT_VIP, True
                    )
                    queued += change.removal_queued
                elif await queue_removal(
                    uow,
                    telegram_id,
                    None,
                    now,
                    self.config,
                    dedupe_key=f"reconcile-remove:{telegram_id}:{day}",
                ):
                    queued += 1
            if outsiders:
                lines = "\n".join(f"• {name} ({tid})" for tid, name in outsiders[:_LISTED])
                await alert_admins(
                    uow,
                    self.config,
                    "access.reconcile_dry_run" if dry_run else "access.reconcile_removed",
                    {"count": len(outsiders), "list": lines},
                    f"reconcile:{'dry' if dry_run else 'live'}:{day}",
                    now,
                )
            await uow.commit()
        return ReconcileResult(len(present), outsiders, queued, dry_run)
