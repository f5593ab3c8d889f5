"""Leaders and their subs (SPEC "Leaders"): referral links, admin changes, history, teams.

A member's leader is the open leader link; a change closes it and opens a new one at the
same instant, so the history answers "who led this member on that day" for commissions.
No one leads themselves and no chain loops (`domain.leaders.check_leader`); every change
first takes one lock (`uow.leaders.serialize_changes`) so two loop checks never interleave.

- `referral.py`: a new member joins the leader whose link they followed.
- `assign.py`: an admin assigns, changes or removes a member's leader.
- `history.py`: every leader a member has had, and who led them on a day.
- `team.py`: what a leader sees of their subs.

The `*_of` methods take the members an admin means (`kernel.admin_input.MemberRef`)
and look them up in the same transaction as the change or the read.
"""

from __future__ import annotations

from services.leaders._base import LeaderProblem, LeaderServiceError
from services.leaders.assign import Assigning, LeaderChange
from services.leaders.history import History, LeaderLinkView, MemberLeaders, leader_on
from services.leaders.referral import attach_by_referral
from services.leaders.team import SubLine, Team, Teams

__all__ = [
    "LeaderChange",
    "LeaderLinkView",
    "LeaderProblem",
    "LeaderService",
    "LeaderServiceError",
    "MemberLeaders",
    "SubLine",
    "Team",
    "attach_by_referral",
    "leader_on",
]


class LeaderService(Assigning, History, Teams):
    """Leader changes by admins, a member's leader history and a leader's team."""
