"""Meetings (SPEC "Community"): Zoom meetings for VIP or for everyone with a plan.

- `schedule.py`: what admins type, scheduling, the coming meetings, edits and
  cancellation (those who said yes or maybe are told).
- `members.py`: a member's coming meetings, their answer, the join link, "I'm here".
- `reminders.py`: the sweep that claims and queues reminders exactly once.
- `attendance.py`: rosters, admins' marks, per-member totals and the attendance rate.

A weekly or monthly series is one row; its occurrences are computed
(domain/meetings.py) and answers, reminders and attendance are kept per occurrence.
"""

from __future__ import annotations

from domain.meetings import MAX_OCCURRENCE, MeetingAudience, MeetingStatus, Occurrence, Repeat, Rsvp
from services.meetings._base import MeetingError, MeetingProblem, when_param
from services.meetings.attendance import (
    PAGE,
    Attendance,
    AttendanceRate,
    Marked,
    MemberTotals,
    PastOccurrence,
    Roster,
)
from services.meetings.members import CheckIn, ForMembers, MemberMeeting, MemberMeetings
from services.meetings.reminders import Reminding
from services.meetings.schedule import Draft, Field, Scheduled, Scheduling
from storage.repos.meetings import AnswerCounts, MeetingRecord, MemberAttendance, RosterRow

__all__ = [
    "MAX_OCCURRENCE",
    "PAGE",
    "AnswerCounts",
    "AttendanceRate",
    "CheckIn",
    "Draft",
    "Field",
    "Marked",
    "MeetingAudience",
    "MeetingError",
    "MeetingProblem",
    "MeetingRecord",
    "MeetingService",
    "MeetingStatus",
    "MemberAttendance",
    "MemberMeeting",
    "MemberMeetings",
    "MemberTotals",
    "Occurrence",
    "PastOccurrence",
    "Repeat",
    "Roster",
    "RosterRow",
    "Rsvp",
    "Scheduled",
    "when_param",
]


class MeetingService(Scheduling, ForMembers, Reminding, Attendance):
    """Scheduling, members' answers, the reminder sweep and attendance."""
