"""`check_ledger`: re-verify the money from the rows (`python -m bot check-ledger`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.states import LedgerKind, ReportStatus
from storage.repos.ledger import LedgerEntryRecord
from storage.uow import UnitOfWorkFactory


@dataclass
class LedgerCheck:
    """What `check_ledger` looked at and every breach it found (empty means all good)."""

    commissions: int = 0
    reports: int = 0
    members: int = 0
    payouts: int = 0
    entries: int = 0
    breaches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaches


def _entry_breaches(entries: list[LedgerEntryRecord]) -> list[str]:
    breaches = []
    for entry in entries:
        kind = entry.kind
        if kind in (LedgerKind.MEMBER_SHARE, LedgerKind.LEADER_SHARE) and (
            entry.commission_id is None
        ):
            breaches.append(f"ledger entry {entry.id}: earnings without a commission")
        if kind == LedgerKind.PAYOUT and entry.payout_id is None:
            breaches.append(f"ledger entry {entry.id}: a payout entry without a payout")
        if kind != LedgerKind.PAYOUT and entry.amount < 0 and kind != LedgerKind.CORRECTION:
            breaches.append(f"ledger entry {entry.id}: negative earnings")
    return breaches


def _replay(check: LedgerCheck, entries: list[LedgerEntryRecord]) -> None:
    """Replay every member's ledger in order: the balance must never dip below zero,
    and no member is paid out more than they earned."""
    earned: dict[int, int] = {}
    paid: dict[int, int] = {}
    balance: dict[int, int] = {}
    for entry in sorted(entries, key=lambda e: e.id):
        balance[entry.member_id] = balance.get(entry.member_id, 0) + entry.amount
        if entry.kind == LedgerKind.PAYOUT:
            paid[entry.member_id] = paid.get(entry.member_id, 0) - entry.amount
        else:
            earned[entry.member_id] = earned.get(entry.member_id, 0) + entry.amount
        if balance[entry.member_id] < 0:
            check.breaches.append(
                f"member {entry.member_id}: balance negative after entry {entry.id}"
            )
    check.members = len(balance)
    for member_id, amount in paid.items():
        if amount > earned.get(member_id, 0):
            check.breaches.append(f"member {member_id}: paid out more than earned")


async def check_ledger(uow_factory: UnitOfWorkFactory) -> LedgerCheck:
    """Verify from the rows: each commission's shares sum to its total and match its
    ledger entries; no report has two commissions and each belongs to a validated
    report at its validated amount; each payout has its entry; no balance is negative;
    payouts never exceed earnings."""
    check = LedgerCheck()
    async with uow_factory() as uow:
        commissions = await uow.ledger.all_commissions()
        check.commissions = len(commissions)
        entries = await uow.ledger.all_entries()
        check.entries = len(entries)
        by_commission: dict[tuple[int, LedgerKind], list[LedgerEntryRecord]] = {}
        for entry in entries:
            if entry.commission_id is not None:
                by_commission.setdefault((entry.commission_id, entry.kind), []).append(entry)
        check.breaches.extend(_entry_breaches(entries))
        per_report: dict[int, int] = {}
        for c in commissions:
            per_report[c.report_id] = per_report.get(c.report_id, 0) + 1
            if c.member_share + c.leader_share + c.owner_share != c.total:
                check.breaches.append(f"commission {c.id}: shares do not sum to the total")
            if min(c.member_share, c.leader_share, c.owner_share) < 0:
                check.breaches.append(f"commission {c.id}: a negative share")
            if c.leader_member_id is None and c.leader_share:
                check.breaches.append(f"commission {c.id}: a leader share without a leader")
            for kind, amount, member in (
                (LedgerKind.MEMBER_SHARE, c.member_share, c.member_id),
                (LedgerKind.LEADER_SHARE, c.leader_share, c.leader_member_id),
            ):
                rows = by_commission.get((c.id, kind), [])
                expected = [(member, amount)] if amount else []
                if [(e.member_id, e.amount) for e in rows] != expected:
                    check.breaches.append(f"commission {c.id}: {kind.value} entry does not match")
            report = await uow.reports.get(c.report_id)
            if report is None or report.status != ReportStatus.VALIDATED:
                check.breaches.append(f"commission {c.id}: its report is not validated")
            elif report.commission_validated != c.total or report.member_id != c.member_id:
                check.breaches.append(f"commission {c.id}: differs from report {report.id}")
        for report_id, count in per_report.items():
            if count > 1:
                check.breaches.append(f"report {report_id}: {count} commissions")
        check.reports = await uow.reports.count_validated()
        payouts = await uow.ledger.all_payouts()
        check.payouts = len(payouts)
        payout_entries = {e.payout_id: e for e in entries if e.payout_id is not None}
        for p in payouts:
            paid_entry = payout_entries.get(p.id)
            if (
                paid_entry is None
                or paid_entry.amount != -p.amount
                or paid_entry.member_id != p.member_id
            ):
                check.breaches.append(f"payout {p.id}: its ledger entry does not match")
        _replay(check, entries)
    return check
