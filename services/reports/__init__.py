"""Daily reports (SPEC "Daily reports"): submission and replacement, admin validation
(one by one or in bulk), rejection, history and the daily reminder.

One report per member per Jakarta day (a unique constraint). Until it is validated the
member may replace it: the row is rewritten and its `version` raised, so a card still
showing the old figures can no longer validate them. Validation is a compare-and-set
on (status, version) in the same transaction as the commission, its ledger entries and
the messages, so twenty taps create one commission.

- `submit.py`: a member sends or replaces the day's report.
- `cards.py`: the admins' card of a report.
- `review.py`: validate or reject a report as shown (`*_on_card`: with the card as it
  is afterwards, read in the same transaction).
- `batch.py`: the list of waiting reports and "validate all".
- `queries.py`: a member's reports (an admin's /reports MEMBER, a member's /balance).
- `reminder.py`: the daily reminder.
"""

from __future__ import annotations

from domain.reports import Screenshot
from services.reports._base import ReportError, ReportProblem, ReportView
from services.reports.batch import Batches, BatchResult, PendingLine, PendingList
from services.reports.cards import ReportCard
from services.reports.queries import BalanceScreen, MemberReports, MemberReportsPage, Queries
from services.reports.reminder import Reminding
from services.reports.review import Decision, Outcome, reason_param
from services.reports.submit import Submitting

__all__ = [
    "BalanceScreen",
    "BatchResult",
    "Decision",
    "MemberReports",
    "MemberReportsPage",
    "Outcome",
    "PendingLine",
    "PendingList",
    "ReportCard",
    "ReportError",
    "ReportProblem",
    "ReportService",
    "ReportView",
    "Screenshot",
    "reason_param",
]


class ReportService(Submitting, Batches, Queries, Reminding):
    """A member's daily reports, and the admins' review of them."""
