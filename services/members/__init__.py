"""Members: registration (at /start, or at any first private update), the language they
read, and the member lookup admins use.

profile.py holds what Telegram tells about a person and the `/start` referral payload;
register.py is /start; language.py is the language a member reads; lookup.py is
`MemberLookupService` (who an admin means, and the /member card). `_base.py` holds what
the parts of `MemberService` share (the registration upsert).
"""

from __future__ import annotations

from services.members.language import Languages
from services.members.lookup import (
    MEMBERSHIPS_SHOWN,
    PAYMENTS_SHOWN,
    FoundMember,
    MemberCard,
    MemberLookupService,
    MemberMatches,
    MembershipLine,
    PaymentLine,
)
from services.members.profile import (
    CODE_ALPHABET,
    REFERRAL_PAYLOAD,
    MemberView,
    TelegramProfile,
    referral_code_from_payload,
)
from services.members.register import Registering

__all__ = [
    "CODE_ALPHABET",
    "MEMBERSHIPS_SHOWN",
    "PAYMENTS_SHOWN",
    "REFERRAL_PAYLOAD",
    "FoundMember",
    "MemberCard",
    "MemberLookupService",
    "MemberMatches",
    "MemberService",
    "MemberView",
    "MembershipLine",
    "PaymentLine",
    "TelegramProfile",
    "referral_code_from_payload",
]


class MemberService(Registering, Languages):
    """Registration and the language a member reads."""
