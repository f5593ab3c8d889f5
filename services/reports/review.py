"""The admins decide a report: validate it (at the claimed amount or adjusted) or
reject it, as shown on their card (`version`); a tap after the first changes nothing
and says who decided."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.money import format_rupiah
from domain.reports import (
    MAX_COMMISSION,
    ReportRejectReason,
    jakarta_day,
    reject_reason,
    still_open,
)
from domain.states import ReportStatus
from kernel.actor import Actor
from kernel.dates import day_param
from services.ledger import CommissionResult, create_commission
from services.reports._base import ReportError, ReportProblem, ReportServiceBase
from services.reports.cards import ReportCard, card_of, card_of_report
from storage.errors import Conflict
from storage.repos.reports import ReportRecord
from storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of a tap: `applied` only for the tap that changed the report."""

    report_id: int
    applied: bool
    status: ReportStatus
    version: int
    decided_by: int | None
    decided_by_name: str | None
    decided_at: datetime | None
    validated_amount: int | None = None
    reject_reason: str | None = None
    commission: CommissionResult | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """A tap on a report card: where the report stands after it, and its card as it is
    now (the caption the admins' card is brought up to date with)."""

    outcome: Outcome
    card: ReportCard


def reason_param(reason: str) -> Any:
    """A stored reject reason: a listed code (translated) or the admin's own words."""
    if reason in {r.value for r in ReportRejectReason}:
        return {"key": f"report_reason.{reason}"}
    return reason


class Reviewing(ReportServiceBase):
    async def outcome(self, report_id: int) -> Outcome:
        """Where a report stands now (`applied` False): for a tap that changes nothing."""
        async with self.uow() as uow:
            return await self._outcome(uow, report_id)

    async def outcome_on_card(self, report_id: int) -> Decision:
        """`outcome` with the report's card, read in one transaction."""
        async with self.uow() as uow:
            outcome = await self._outcome(uow, report_id)
            return Decision(outcome, await card_of_report(uow, report_id, self.clock.now()))

    async def _outcome(self, uow: UnitOfWork, report_id: int) -> Outcome:
        row = await uow.reports.get(report_id)
        if row is None:
            raise ReportError(ReportProblem.NOT_FOUND)
        name = None
        if row.reviewed_by is not None:
            details = await uow.audit.last_details(f"report:{row.id}", row.reviewed_by)
            name = (details or {}).get("name")
        commission = None
        if row.status == ReportStatus.VALIDATED:
            found = await uow.ledger.commission_of_report(row.id)
            if found is not None:
                commission = CommissionResult(None, found.split, found.leader_member_id, None)
        return Outcome(
            report_id=row.id,
            applied=False,
            status=row.status,
            version=row.version,
            decided_by=row.reviewed_by,
            decided_by_name=name,
            decided_at=row.reviewed_at,
            validated_amount=row.commission_validated,
            reject_reason=row.reject_reason,
            commission=commission,
        )

    async def validate(
        self, report_id: int, version: int, admin: Actor, amount: int | None = None
    ) -> Outcome:
        """Validate the report as shown (`version`), at the claimed amount or at
        `amount` (Adjust). Creates the commission and tells the member and the leader.
        Anyone after the first gets `applied=False` and who decided."""
        return (await self._validated(report_id, version, admin, amount, with_card=False))[0]

    async def validate_on_card(
        self, report_id: int, version: int, admin: Actor, amount: int | None = None
    ) -> Decision:
        """`validate`, and the card as it is afterwards, in one transaction."""
        outcome, card = await self._validated(report_id, version, admin, amount, with_card=True)
        assert card is not None
        return Decision(outcome, card)

    async def _validated(
        self, report_id: int, version: int, admin: Actor, amount: int | None, *, with_card: bool
    ) -> tuple[Outcome, ReportCard | None]:
        if amount is not None and not 0 <= amount <= MAX_COMMISSION:
            raise ReportError(ReportProblem.BAD_AMOUNT, max=format_rupiah(MAX_COMMISSION))
        now = self.clock.now()
        async with self.uow() as uow:
            try:
                outcome = await self._validate(uow, report_id, version, admin, amount, now)
                card = await card_of_report(uow, report_id, now) if with_card else None
                if outcome.applied:
                    await uow.commit()
                return outcome, card
            except Conflict:
                # The unique commission per report: another validation won a race the
                # compare-and-set did not see. Nothing of this one was kept.
                pass
        if with_card:
            decision = await self.outcome_on_card(report_id)
            return decision.outcome, decision.card
        return await self.outcome(report_id), None

    async def _validate(
        self,
        uow: UnitOfWork,
        report_id: int,
        version: int,
        admin: Actor,
        amount: int | None,
        now: datetime,
    ) -> Outcome:
        before = await uow.reports.get(report_id)
        if before is None:
            raise ReportError(ReportProblem.NOT_FOUND)
        total = before.commission_claimed if amount is None else amount
        if not await uow.reports.mark_validated(report_id, version, total, admin.telegram_id, now):
            return await self._outcome(uow, report_id)
        row = await uow.reports.get(report_id)
        assert row is not None
        uow.audit.record(
            admin,
            "validate_report",
            f"report:{report_id}",
            now,
            claimed=row.commission_claimed,
            validated=total,
        )
        result = await create_commission(uow, row, total, self.zone, admin.telegram_id, now)
        await self._tell_validated(uow, row, total, result, now)
        return Outcome(
            report_id=row.id,
            applied=True,
            status=ReportStatus.VALIDATED,
            version=row.version,
            decided_by=admin.telegram_id,
            decided_by_name=admin.name,
            decided_at=now,
            validated_amount=total,
            commission=result,
        )

    async def _tell_validated(
        self,
        uow: UnitOfWork,
        row: ReportRecord,
        total: int,
        result: CommissionResult,
        now: datetime,
    ) -> None:
        member = await uow.members.by_id(row.member_id)
        assert member is not None
        adjusted: Any = ""
        if total != row.commission_claimed:
            adjusted = {
                "key": "reports.adjusted_note",
                "params": {"claimed": format_rupiah(row.commission_claimed)},
            }
        common = {"date": day_param(row.report_date), "total": format_rupiah(total)}
        if result.split is not None:
            key, params = (
                "reports.validated_paid",
                {**common, "share": format_rupiah(result.split.member), "adjusted": adjusted},
            )
        elif result.would_earn is not None:
            key, params = (
                "reports.validated_no_commission",
                {**common, "would": format_rupiah(result.would_earn), "adjusted": adjusted},
            )
        else:
            key, params = "reports.validated_plain", {**common, "adjusted": adjusted}
        await uow.outbox.tell_member(
            member, self.default_language, key, params, f"report:{row.id}:validated", now
        )
        if result.split is not None and result.split.leader and result.leader_member_id:
            leader = await uow.members.by_id(result.leader_member_id)
            assert leader is not None
            await uow.outbox.tell_member(
                leader,
                self.default_language,
                "reports.leader_share",
                {
                    "name": member.full_name,
                    "date": day_param(row.report_date),
                    "total": format_rupiah(total),
                    "share": format_rupiah(result.split.leader),
                },
                f"report:{row.id}:leader",
                now,
            )

    async def reject(
        self,
        report_id: int,
        version: int,
        admin: Actor,
        *,
        code: ReportRejectReason | None = None,
        note: str | None = None,
    ) -> Outcome:
        """Reject the report as shown, with a listed reason or the admin's words. The
        member is told why and may send the day's report again."""
        return (await self._rejected(report_id, version, admin, code, note, with_card=False))[0]

    async def reject_on_card(
        self,
        report_id: int,
        version: int,
        admin: Actor,
        *,
        code: ReportRejectReason | None = None,
        note: str | None = None,
    ) -> Decision:
        """`reject`, and the card as it is afterwards, in one transaction."""
        outcome, card = await self._rejected(report_id, version, admin, code, note, with_card=True)
        assert card is not None
        return Decision(outcome, card)

    async def _rejected(
        self,
        report_id: int,
        version: int,
        admin: Actor,
        code: ReportRejectReason | None,
        note: str | None,
        *,
        with_card: bool,
    ) -> tuple[Outcome, ReportCard | None]:
        reason = reject_reason(code, note)
        now = self.clock.now()
        async with self.uow() as uow:
            if not await uow.reports.mark_rejected(
                report_id, version, reason, admin.telegram_id, now
            ):
                outcome = await self._outcome(uow, report_id)
                return outcome, await card_of_report(uow, report_id, now) if with_card else None
            row = await uow.reports.get(report_id)
            assert row is not None
            uow.audit.record(admin, "reject_report", f"report:{report_id}", now, reason=reason)
            member = await uow.members.by_id(row.member_id)
            assert member is not None
            await uow.outbox.tell_member(
                member,
                self.default_language,
                "reports.rejected"
                if still_open(row.report_date, jakarta_day(now, self.zone))
                else "reports.rejected_closed",
                {"date": day_param(row.report_date), "reason": reason_param(reason)},
                f"report:{row.id}:v{row.version}:rejected",
                now,
            )
            outcome = Outcome(
                report_id=row.id,
                applied=True,
                status=ReportStatus.REJECTED,
                version=row.version,
                decided_by=admin.telegram_id,
                decided_by_name=admin.name,
                decided_at=now,
                reject_reason=reason,
            )
            card = await card_of(uow, row, member, now) if with_card else None
            await uow.commit()
            return outcome, card
