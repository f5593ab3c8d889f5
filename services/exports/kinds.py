"""What an admin can export, and the columns of each file (header cells are translation
keys `exports.col_<kind>.<column>`, read in the admin's language)."""

from __future__ import annotations

from enum import StrEnum


class ExportKind(StrEnum):
    MEMBERS = "members"
    PAYMENTS = "payments"
    PAYOUTS = "payouts"
    COMMISSIONS = "commissions"


COLUMNS: dict[ExportKind, tuple[str, ...]] = {
    ExportKind.MEMBERS: (
        "id",
        "telegram_id",
        "name",
        "username",
        "joined",
        "tier",
        "plans",
        "leader_telegram_id",
        "leader_name",
    ),
    ExportKind.PAYMENTS: (
        "request",
        "telegram_id",
        "name",
        "plan",
        "amount",
        "method",
        "status",
        "created",
        "decided",
        "decided_by",
    ),
    ExportKind.PAYOUTS: (
        "id",
        "telegram_id",
        "name",
        "amount",
        "method",
        "reference",
        "paid_at",
        "paid_by",
    ),
    ExportKind.COMMISSIONS: (
        "report_date",
        "telegram_id",
        "name",
        "total",
        "member_share",
        "leader_telegram_id",
        "leader_name",
        "leader_share",
        "owner_share",
        "validated",
    ),
}
