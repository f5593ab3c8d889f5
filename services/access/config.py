"""What access decisions need from the settings, and the words they are made of."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

# chat_member statuses that mean "inside the group".
IN_GROUP = frozenset({"creator", "administrator", "member", "restricted"})


class RemovalCause(StrEnum):
    """Why someone lost the group (told to them, and written on the account returned)."""

    EXPIRED = "expired"
    REVOKED = "revoked"
    CANCELLED = "cancelled"
    DOWNGRADED = "downgraded"
    NOT_VIP = "not_vip"


@dataclass(frozen=True, slots=True)
class GroupConfig:
    """What access decisions need from the settings."""

    chat_id: int | None
    admin_chat_id: int
    default_language: str
    zone: ZoneInfo
    invite_ttl: timedelta = timedelta(hours=24)
    # Packed callback data of the button that opens the shop (renewals start there).
    renew_callback: str | None = None
    # Packs the callback data of the button that opens one plan's quote (a reminder's
    # renew button opens the renewal quote of the plan that is ending).
    quote_callback: Callable[[int], str] | None = None
    # Packed callback data of the button that opens the main menu (under approvals and
    # grants: the member's next step).
    menu_callback: str | None = None
    # Telegram ids never removed by the reconcile (the bot's admins and owners).
    exempt_ids: frozenset[int] = field(default_factory=frozenset)
