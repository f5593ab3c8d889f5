"""The named states of the things people care about.

Each is one status column with a compare-and-set transition in services/.
MembershipStatus lives in domain/membership.py beside its rules.
"""

from enum import StrEnum


class PaymentStatus(StrEnum):
    """A payment request: waiting for a proof, waiting for an admin, then closed.

    A rejected proof sends the request back to AWAITING_PROOF (the member may
    send a new proof for the same request), so "open" is the first two states.
    """

    AWAITING_PROOF = "awaiting_proof"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


OPEN_PAYMENT_STATUSES = (PaymentStatus.AWAITING_PROOF, PaymentStatus.SUBMITTED)


class ProofStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ReportStatus(StrEnum):
    SUBMITTED = "submitted"
    VALIDATED = "validated"
    REJECTED = "rejected"


class ShopStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    INACTIVE = "inactive"


class LedgerKind(StrEnum):
    MEMBER_SHARE = "member_share"
    LEADER_SHARE = "leader_share"
    PAYOUT = "payout"
    CORRECTION = "correction"


class LeaderSource(StrEnum):
    REFERRAL = "referral"
    ADMIN = "admin"


class InviteStatus(StrEnum):
    ISSUED = "issued"
    USED = "used"
    REVOKED = "revoked"
    EXPIRED = "expired"


class PaymentMethodKind(StrEnum):
    BANK = "bank"
    EWALLET = "ewallet"
    QRIS = "qris"


class ProofRejectReason(StrEnum):
    """The listed reasons an admin can reject a payment proof with (or they type one)."""

    AMOUNT = "amount"
    UNREADABLE = "unreadable"
    NOT_RECEIVED = "not_received"
    DUPLICATE = "duplicate"
