"""What a member's tier leaves them to buy next (the /me overview's last line)."""

from __future__ import annotations

from enum import StrEnum

from domain.catalog import Tier

# The highest tier sold (SPEC "Tiers": basic rank 1, vip rank 2); nothing is above it.
TOP_TIER_CODE = "vip"


class NextPurchase(StrEnum):
    BUY = "buy"  # no active plan yet: pick one
    UPGRADE = "upgrade"  # a lower tier: VIP is there to buy
    TOP = "top"  # already on the highest tier: nothing higher to buy


def next_purchase(tier: Tier | None) -> NextPurchase:
    """Which purchase a member's effective tier points to: none held → buy a plan; the
    top tier (`vip`) → nothing higher; any other tier (`basic`) → upgrade."""
    if tier is None:
        return NextPurchase.BUY
    if tier.code == TOP_TIER_CODE:
        return NextPurchase.TOP
    return NextPurchase.UPGRADE
