"""The nightly reconcile: anyone seen inside the group without VIP access is removed."""

from __future__ import annotations

import asyncio
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
# People seen inside checked per unit of work.
RECONCILE_CHUNK = 500


@dataclass(frozen=True, slots=True)
class ReconcileResult:
    checked: int
    outsiders: list[tuple[int, str]]  # (telegram id, name or "?")
    queued: int
    dry_run: bool


class Reconciling(AccessBase):
    reconcile_chunk = RECONCILE_CHUNK

    async def reconcile(self, dry_run: bool) -> ReconcileResult:
        """Everyone the bot saw inside the group without VIP access is removed (once per
        person per day) and told; with `dry_run` the admins only get the list."""
        now = self.clock.now()
        chat_id = self.config.chat_id
        if chat_id is None:
            return ReconcileResult(0, [], 0, dry_run)
        day = jakarta_day(now, self.config.zone).isoformat()
        outsiders: list[tuple[int, str]] = []
        queued = checked = 0
        after: int | None = None
        while True:
            # A page of the people seen inside at a time, each page its own short
            # transaction (the removals' dedupe keys make a re-run queue nothing twice).
            async with self.uow() as uow:
                present = await uow.access.seen_inside_after(
                    chat_id, _REMOVABLE, after, self.reconcile_chunk
                )
                checked += len(present)
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
                await uow.commit()
            if len(present) < self.reconcile_chunk:
                break
            after = present[-1]
            await asyncio.sleep(0)  # let a waiting update take the connection
        if outsiders:
            lines = "\n".join(f"• {name} ({tid})" for tid, name in outsiders[:_LISTED])
            async with self.uow() as uow:
                await alert_admins(
                    uow,
                    self.config,
                    "access.reconcile_dry_run" if dry_run else "access.reconcile_removed",
                    {"count": len(outsiders), "list": lines},
                    f"reconcile:{'dry' if dry_run else 'live'}:{day}",
                    now,
                )
                await uow.commit()
        return ReconcileResult(checked, outsiders, queued, dry_run)
