"""Whether a member may ask for a personal invite to the discussion group now
(SPEC "Discussion group": only an active VIP outside the group gets one)."""

from __future__ import annotations

from enum import StrEnum


class InviteRefusal(StrEnum):
    NOT_VIP = "not_vip"  # no VIP access now
    NOT_CONFIGURED = "not_configured"  # the bot has no discussion group
    INSIDE = "inside"  # already in the group


def invite_refusal(*, has_access: bool, configured: bool, inside: bool) -> InviteRefusal | None:
    """Why no invite is made for this member now (None: one may be). Someone without
    access hears that first, whatever else is true."""
    if not has_access:
        return InviteRefusal.NOT_VIP
    if not configured:
        return InviteRefusal.NOT_CONFIGURED
    if inside:
        return InviteRefusal.INSIDE
    return None
