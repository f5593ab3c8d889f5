"""How a member is named in cards and messages."""

from __future__ import annotations

from storage.models import Member


def full_name(member: Member) -> str:
    return " ".join(filter(None, [member.first_name, member.last_name])) or "-"
