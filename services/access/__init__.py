"""VIP access to the discussion group (SPEC "Discussion group"; issue 5).

Who may be in the group is decided here, inside the transaction of whatever changed a
membership: `sync_access` (sync.py) queues a personal invite when someone gains VIP
access, and when they lose it revokes their invites, queues their removal, returns
their affiliate account to the pool and tells them why and how to renew. The Telegram
calls themselves (creating the link, ban-then-unban) are outbox actions done after
commit by `bot/group_actions.py`, which asks again (turns.py) when their turn comes, so
a renewal that lands in between cancels a removal that is no longer right.

Join requests are approved only for an active VIP presenting their own, unused,
unexpired invite (join.py). Presence in the group is what the bot saw in
`chat_member` updates; the nightly reconcile (reconcile.py) removes anyone inside
without access. /me's view of the group and asking for an invite are status.py;
settings and vocabulary are config.py; who is told what is notices.py.
"""

from __future__ import annotations

from services.access.config import IN_GROUP, GroupConfig, RemovalCause
from services.access.join import JoinDecision, Joining, JoinVerdict
from services.access.notices import alert_admins, language_of, menu_buttons, renew_buttons
from services.access.reconcile import ReconcileResult, Reconciling
from services.access.status import GroupStatus, InviteAnswer, StatusQueries, group_status
from services.access.sync import (
    AccessChange,
    access_ended_key,
    lost_access,
    queue_invite,
    queue_removal,
    set_presence,
    sync_access,
    tell_with_access,
)
from services.access.turns import InviteSkip, InviteTurn, OutboxTurns, RemovalTurn
from services.entitlement import ACCESS_TIER_CODE, has_access

__all__ = [
    "ACCESS_TIER_CODE",
    "IN_GROUP",
    "AccessChange",
    "AccessService",
    "GroupConfig",
    "GroupStatus",
    "InviteAnswer",
    "InviteSkip",
    "InviteTurn",
    "JoinDecision",
    "JoinVerdict",
    "ReconcileResult",
    "RemovalCause",
    "RemovalTurn",
    "access_ended_key",
    "alert_admins",
    "group_status",
    "has_access",
    "language_of",
    "lost_access",
    "menu_buttons",
    "queue_invite",
    "queue_removal",
    "renew_buttons",
    "set_presence",
    "sync_access",
    "tell_with_access",
]


class AccessService(Joining, StatusQueries, Reconciling, OutboxTurns):
    """Join requests, presence, /me's group status, the reconcile, and what the group's
    outbox actions check when their turn comes."""
