"""The VIP group: personal invite links and who the bot saw in the chat."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.states import InviteStatus
from storage.models import ChatPresence, GroupInvite
from storage.repos._rows import PlainRows, read_plain


@dataclass(frozen=True, slots=True)
class InviteRecord:
    """A personal join-request link made for one member."""

    id: int
    member_id: int
    invite_link: str
    status: InviteStatus
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


def to_invite(row: GroupInvite) -> InviteRecord:
    return InviteRecord(
        id=row.id,
        member_id=row.member_id,
        invite_link=row.invite_link,
        status=InviteStatus(row.status),
        created_at=row.created_at,
        expires_at=row.expires_at,
        used_at=row.used_at,
    )


# Read on /me and with every approval: built once, read without ORM objects.
_INVITES = PlainRows(GroupInvite)
_LIVE_INVITE = (
    _INVITES.select()
    .where(
        _INVITES.c.member_id == bindparam("member"),
        _INVITES.c.status == InviteStatus.ISSUED,
        _INVITES.c.expires_at > bindparam("now"),
    )
    .order_by(_INVITES.c.id.desc())
    .limit(1)
)


class AccessRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def presence(self, chat_id: int, telegram_id: int) -> str | None:
        """The chat_member status last seen for this person in this chat, if any."""
        row = await self.session.get(ChatPresence, (chat_id, telegram_id))
        return row.status if row is not None else None

    async def set_presence(
        self, chat_id: int, telegram_id: int, status: str, now: datetime
    ) -> None:
        """Remember what was seen at `now`; an older sighting never overwrites a newer one."""
        row = await self.session.get(ChatPresence, (chat_id, telegram_id))
        if row is None:
            self.session.add(
                ChatPresence(
                    chat_id=chat_id, telegram_id=telegram_id, status=status, updated_at=now
                )
            )
        elif row.updated_at <= now:
            row.status = status
            row.updated_at = now
        await self.session.flush()

    async def seen_inside(self, chat_id: int, statuses: Collection[str]) -> list[int]:
        """Telegram ids of everyone last seen in the chat with one of `statuses`."""
        rows = await self.session.execute(
            select(ChatPresence).where(
                ChatPresence.chat_id == chat_id,
                ChatPresence.status.in_(tuple(statuses)),
            )
        )
        return [presence.telegram_id for presence in rows.scalars()]

    async def live_invite(self, member_id: int, now: datetime) -> InviteRecord | None:
        """The member's newest issued invite that has not expired."""
        found = await read_plain(self.session, _LIVE_INVITE, {"member": member_id, "now": now})
        row = found.first()
        return None if row is None else to_invite(_INVITES.take(row))

    async def invite_by_link(self, invite_link: str) -> InviteRecord | None:
        found = await self.session.execute(
            select(GroupInvite).where(GroupInvite.invite_link == invite_link)
        )
        row = found.scalar_one_or_none()
        return None if row is None else to_invite(row)

    async def add_invite(
        self, member_id: int, invite_link: str, created_at: datetime, expires_at: datetime
    ) -> None:
        """An issued invite the bot has just made at Telegram."""
        self.session.add(
            GroupInvite(
                member_id=member_id,
                invite_link=invite_link,
                status=InviteStatus.ISSUED,
                created_at=created_at,
                expires_at=expires_at,
            )
        )

    async def revoke_issued(self, member_id: int) -> list[tuple[str, datetime]]:
        """Every issued invite of the member becomes revoked; their (link, expires_at)."""
        revoked = await self.session.execute(
            update(GroupInvite)
            .where(GroupInvite.member_id == member_id, GroupInvite.status == InviteStatus.ISSUED)
            .values(status=InviteStatus.REVOKED)
            .returning(GroupInvite.invite_link, GroupInvite.expires_at)
        )
        return [(link, expires_at) for link, expires_at in revoked.all()]

    async def use_invite(self, invite_id: int, now: datetime) -> tuple[str, int] | None:
        """Compare-and-set issued → used; its (link, member id), or None when it was not
        issued any more."""
        used = await self.session.execute(
            update(GroupInvite)
            .where(GroupInvite.id == invite_id, GroupInvite.status == InviteStatus.ISSUED)
            .values(status=InviteStatus.USED, used_at=now)
            .returning(GroupInvite.invite_link, GroupInvite.member_id)
        )
        row = used.first()
        return None if row is None else (row[0], row[1])

    async def ever_joined(self, member_id: int) -> bool:
        """Whether one of the member's invites was ever used to join."""
        found = await self.session.execute(
            select(GroupInvite.id)
            .where(GroupInvite.member_id == member_id, GroupInvite.status == InviteStatus.USED)
            .limit(1)
        )
        return found.first() is not None

    async def seen_inside_after(
        self, chat_id: int, statuses: Collection[str], after: int | None, limit: int
    ) -> list[int]:
        """One page of `seen_inside`: the next `limit` telegram ids after `after`, by id
        (keyset pagination)."""
        query = select(ChatPresence.telegram_id).where(
            ChatPresence.chat_id == chat_id,
            ChatPresence.status.in_(tuple(statuses)),
        )
        if after is not None:
            query = query.where(ChatPresence.telegram_id > after)
        rows = await self.session.execute(query.order_by(ChatPresence.telegram_id).limit(limit))
        return list(rows.scalars())
