"""SQLAlchemy models: the schema of every entity SPEC.md names, one module per aggregate.

Constraints carry the rules that must hold even when two admins tap at once:
one commission per report, one open payment per member, one holder per
affiliate account, one report per member per day, one open leader link per
member. Money is BigInteger rupiah everywhere.
"""

from __future__ import annotations

from storage.models.access import ChatPresence, GroupInvite
from storage.models.affiliates import AffiliateAccount, AffiliateAssignment
from storage.models.announcements import Announcement, AnnouncementRecipient
from storage.models.base import NAMING_CONVENTION, OPEN_PAYMENT_SQL, Base
from storage.models.catalog import Plan, PlanFullPriceSource, PlanPriceChange, Tier
from storage.models.health import HealthEpisode, JobRun
from storage.models.leaders import LeaderLink
from storage.models.ledger import Commission, CommissionStructure, LedgerEntry, Payout
from storage.models.library import LibraryLesson, LibraryLessonPart, LibrarySection, LibraryView
from storage.models.meetings import Meeting, MeetingAttendance, MeetingReminder, MeetingRsvp
from storage.models.members import Member
from storage.models.memberships import Membership, MembershipEvent
from storage.models.outbox import AdminAction, OutboxMessage
from storage.models.payments import PaymentMethod, PaymentProof, PaymentRequest
from storage.models.questions import AdminPreference, Conversation, ConversationMessage
from storage.models.reports import Report, ReportBatch, ReportScreenshot

__all__ = [
    "NAMING_CONVENTION",
    "OPEN_PAYMENT_SQL",
    "AdminAction",
    "AdminPreference",
    "AffiliateAccount",
    "AffiliateAssignment",
    "Announcement",
    "AnnouncementRecipient",
    "Base",
    "ChatPresence",
    "Commission",
    "CommissionStructure",
    "Conversation",
    "ConversationMessage",
    "GroupInvite",
    "HealthEpisode",
    "JobRun",
    "LeaderLink",
    "LedgerEntry",
    "LibraryLesson",
    "LibraryLessonPart",
    "LibrarySection",
    "LibraryView",
    "Meeting",
    "MeetingAttendance",
    "MeetingReminder",
    "MeetingRsvp",
    "Member",
    "Membership",
    "MembershipEvent",
    "OutboxMessage",
    "PaymentMethod",
    "PaymentProof",
    "PaymentRequest",
    "Payout",
    "Plan",
    "PlanFullPriceSource",
    "PlanPriceChange",
    "Report",
    "ReportBatch",
    "ReportScreenshot",
    "Tier",
]
