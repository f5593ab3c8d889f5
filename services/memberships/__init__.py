"""Memberships: the one activation path, grants and revocations by hand, and the jobs
that end memberships at their time and remind members before.

- activation.py: `activate`, what an approved payment and a grant both call.
- grant.py, revoke.py: `MembershipService` (an admin's /grant and /revoke).
- expiry.py, reminders.py: `LifecycleService` (the scheduled jobs).

Every change is one transaction holding the change itself, its history row
(membership_events), who did it (admin_actions, for changes by hand), the member's
message in the outbox and the group access that follows. Refusals raise
`AdminToolError`; nothing is written then.
"""

from __future__ import annotations

from domain.membership import REMINDER_WINDOWS
from services.memberships.activation import Activation, activate
from services.memberships.expiry import Expiring
from services.memberships.grant import Granting, GrantResult
from services.memberships.reminders import Reminding, reminder_key
from services.memberships.revoke import RevokeResult, Revoking

__all__ = [
    "REMINDER_WINDOWS",
    "Activation",
    "GrantResult",
    "LifecycleService",
    "MembershipService",
    "RevokeResult",
    "activate",
    "reminder_key",
]


class MembershipService(Granting, Revoking):
    """Memberships granted or revoked by hand by an admin."""


class LifecycleService(Expiring, Reminding):
    """The scheduled jobs: expiry at its time, reminders 3 days and 1 day before."""
