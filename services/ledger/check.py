"""`check_ledger`: re-verify the money from the rows (`python -m bot check-ledger`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.states import LedgerKind, ReportStatus
from storage.repos.ledger import CommissionAudit, LedgerEntryRecord
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


# Rows per page when walking commissions and payouts: memory stays bounded whatever
# the ledger's size.
CHECK_PAGE = 20_000


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


def _commission_breaches(audit: CommissionAudit) -> list[str]:
    c = audit.commission
    breaches = []
    if c.member_share + c.leader_share + c.owner_share != c.total:
        breaches.append(f"commission {c.id}: shares do not sum to the total")
    if min(c.member_share, c.leader_share, c.owner_share) < 0:
        breaches.append(f"commission {c.id}: a negative share")
    if c.leader_member_id is None and c.leader_share:
        breaches.append(f"commission {c.id}: a leader share without a leader")
    for kind, amount, member, entry in (
        (LedgerKind.MEMBER_SHARE, c.member_share, c.member_id, audit.member_entry),
        (LedgerKind.LEADER_SHARE, c.leader_share, c.leader_member_id, audit.leader_entry),
    ):
        # (commission, kind) is unique: at most one entry each.
        rows = [entry] if entry is not None else []
        expected = [(member, amount)] if amount else []
        if rows != expected:
            breaches.append(f"commission {c.id}: {kind.value} entry does not match")
    report = audit.report
    if report is None or report[1] != ReportStatus.VALIDATED:
        breaches.append(f"commission {c.id}: its report is not validated")
    elif report[2] != c.total or report[3] != c.member_id:
        breaches.append(f"commission {c.id}: differs from report {report[0]}")
    return breaches


async def check_ledger(uow_factory: UnitOfWorkFactory) -> LedgerCheck:
    """Verify from the rows: each commission's shares sum to its total and match its
    ledger entries; no report has two commissions and each belongs to a validated
    report at its validated amount; each payout has its entry; no balance is negative;
    payouts never exceed earnings.

    Everything is SQL aggregates or pages of `CHECK_PAGE` rows, in one transaction
    that only reads (give it a read-only factory, `storage.database.create_read_engine`,
    so it takes no write lock): memory stays bounded at any size."""
    check = LedgerCheck()
    async with uow_factory() as uow:
        counts = await uow.ledger.audit_counts()
        check.commissions, check.entries, check.payouts, check.members = counts
        check.breaches.extend(_entry_breaches(await uow.ledger.audit_suspect_entries()))
        after = 0
        while True:
            page = await uow.ledger.audit_commissions_after(after, CHECK_PAGE)
            for audit in page:
                check.breaches.extend(_commission_breaches(audit))
            if len(page) < CHECK_PAGE:
                break
            after = page[-1].commission.id
        for report_id, count in await uow.ledger.audit_reports_with_several_commissions():
            check.breaches.append(f"report {report_id}: {count} commissions")
        check.reports = await uow.reports.count_validated()
        after = 0
        while True:
            payouts = await uow.ledger.audit_payouts_after(after, CHECK_PAGE)
            for p, paid_entry in payouts:
                if paid_entry is None or paid_entry != (p.member_id, -p.amount):
                    check.breaches.append(f"payout {p.id}: its ledger entry does not match")
            if len(payouts) < CHECK_PAGE:
                break
            after = payouts[-1][0].id
        # Replaying every member's ledger in entry order: the balance never dips below
        # zero, and no member is paid out more than they earned.
        for member_id, entry_id in await uow.ledger.audit_negative_balances():
            check.breaches.append(f"member {member_id}: balance negative after entry {entry_id}")
        for member_id in await uow.ledger.audit_overpaid_members():
            check.breaches.append(f"member {member_id}: paid out more than earned")
    return check
