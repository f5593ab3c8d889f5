"""VIP access to the discussion group (SPEC "Discussion group"; issue 5).

Who may be in the group is decided here, inside the transaction of whatever changed a
membership: `sync_access` queues a personal invite when someone gains VIP access, and
when they lose it revokes their invites, queues their removal, returns their affiliate
account to the pool and tells them why and how to renew. The Telegram calls themselves
(creating the link, ban-then-unban) are outbox actions done after commit by
`bot/group_actions.py`, which looks again at the member's access when their turn comes,
so a renewal that lands in between cancels a removal that is no longer right.

Join requests are approved only for an active VIP presenting their own, unused,
unexpired invite; everyone else is declined. Presence in the group is what the bot saw
in `chat_member` updates; the nightly reconcile removes anyone inside without access.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from domain.language import resolve_language
from domain.reports import jakarta_day
from domain.states import InviteStatus
from kernel.actions import INVITE_ACTION, REMOVE_ACTION, REVOKE_ACTION
from kernel.clock import Clock
from kernel.notices import Button, Notice
from services.affiliates import release_account
from services.entitlement import ACCESS_TIER_CODE, has_access
from services.people import full_name
from storage.models import ChatPresence, GroupInvite, Member, Membership
from storage.uow import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "ACCESS_TIER_CODE",
    "IN_GROUP",
    "AccessChange",
    "AccessService",
    "GroupConfig",
    "GroupStatus",
    "JoinDecision",
    "JoinVerdict",
    "ReconcileResult",
    "RemovalCause",
    "alert_admins",
    "has_access",
    "sync_access",
]

# The tier whose rank (or higher) opens the discussion group.
# chat_member statuses that mean "inside the group".
IN_GROUP = frozenset({"creator", "administrator", "member", "restricted"})
# Kinds of outbox actions (bot/group_actions.py performs them).


class RemovalCause(StrEnum):
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
    # Telegram ids never removed by the reconcile (the bot's admins and owners).
    exempt_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class AccessChange:
    invited: bool = False
    removal_queued: bool = False
    invites_revoked: int = 0
    released_account: str | None = None

    @property
    def withdrew(self) -> bool:
        return self.removal_queued or bool(self.invites_revoked) or bool(self.released_account)


def language_of(member: Member, default_language: str) -> str:
    return resolve_language(member.chosen_language, member.telegram_language, default_language)


async def presence_of(uow: UnitOfWork, chat_id: int, telegram_id: int) -> str | None:
    row = await uow.session.get(ChatPresence, (chat_id, telegram_id))
    return row.status if row is not None else None


async def set_presence(
    uow: UnitOfWork, chat_id: int, telegram_id: int, status: str, now: datetime
) -> None:
    row = await uow.session.get(ChatPresence, (chat_id, telegram_id))
    if row is None:
        uow.session.add(
            ChatPresence(chat_id=chat_id, telegram_id=telegram_id, status=status, updated_at=now)
        )
    elif row.updated_at <= now:
        row.status = status
        row.updated_at = now
    await uow.session.flush()


async def live_invite(uow: UnitOfWork, member_id: int, now: datetime) -> GroupInvite | None:
    """The member's newest issued invite that has not expired."""
    found = await uow.session.execute(
        select(GroupInvite)
        .where(
            GroupInvite.member_id == member_id,
            GroupInvite.status == InviteStatus.ISSUED,
            GroupInvite.expires_at > now,
        )
        .order_by(GroupInvite.id.desc())
        .limit(1)
    )
    return found.scalar_one_or_none()


async def alert_admins(
    uow: UnitOfWork,
    config: GroupConfig,
    key: str,
    params: dict[str, Any],
    dedupe_key: str | None,
    now: datetime,
) -> bool:
    """Queue a notice to the admin group, in the default language."""
    notice = Notice(
        chat_id=config.admin_chat_id,
        text_key=key,
        language=config.default_language,
        params=params,
        dedupe_key=dedupe_key,
    )
    return await uow.outbox.enqueue(notice, now)


def _renew_buttons(config: GroupConfig) -> tuple[tuple[Button, ...], ...]:
    if config.renew_callback is None:
        return ()
    return ((Button("access.renew_button", callback_data=config.renew_callback),),)


async def queue_invite(uow: UnitOfWork, member: Member, now: datetime, config: GroupConfig) -> bool:
    """Queue a personal invite unless the member is inside, holds a live link, or one
    is already on its way. True when one was queued."""
    if config.chat_id is None:
        return False
    if await presence_of(uow, config.chat_id, member.telegram_id) in IN_GROUP:
        return False
    if await live_invite(uow, member.id, now) is not None:
        return False
    if await uow.outbox.pending_action(INVITE_ACTION, member.id):
        return False
    notice = Notice(
        chat_id=member.telegram_id,
        member_id=member.id,
        kind=INVITE_ACTION,
        text_key="access.invite",
        language=language_of(member, config.default_language),
    )
    return await uow.outbox.enqueue(notice, now)


async def _revoke_invites(
    uow: UnitOfWork, member: Member, now: datetime, config: GroupConfig
) -> int:
    revoked = await uow.session.execute(
        update(GroupInvite)
        .where(GroupInvite.member_id == member.id, GroupInvite.status == InviteStatus.ISSUED)
        .values(status=InviteStatus.REVOKED)
        .returning(GroupInvite.invite_link, GroupInvite.expires_at)
    )
    count = 0
    for link, expires_at in revoked.all():
        if expires_at <= now:
            continue  # an expired link opens nothing and needs no call
        count += 1
        if config.chat_id is None:
            continue
        await uow.outbox.enqueue(
            Notice(
                chat_id=config.chat_id,
                member_id=member.id,
                kind=REVOKE_ACTION,
                text_key="access.revoke_action",
                language=config.default_language,
                params={"link": link},
            ),
            now,
        )
    return count


async def _ever_joined(uow: UnitOfWork, member_id: int) -> bool:
    found = await uow.session.execute(
        select(GroupInvite.id)
        .where(GroupInvite.member_id == member_id, GroupInvite.status == InviteStatus.USED)
        .limit(1)
    )
    return found.first() is not None


async def queue_removal(
    uow: UnitOfWork,
    telegram_id: int,
    member_id: int | None,
    now: datetime,
    config: GroupConfig,
    dedupe_key: str | None = None,
) -> bool:
    """Queue ban-then-unban of one person from the group (once while one is pending)."""
    if config.chat_id is None:
        return False
    if await uow.outbox.pending_action(REMOVE_ACTION, chat_id=telegram_id):
        return False
    notice = Notice(
        chat_id=telegram_id,
        member_id=member_id,
        kind=REMOVE_ACTION,
        text_key="access.remove_action",
        language=config.default_language,
        dedupe_key=dedupe_key,
    )
    return await uow.outbox.enqueue(notice, now)


async def _vip_end_anchor(uow: UnitOfWork, member_id: int) -> str:
    """When the member's latest membership ended: one "access ended" message per end,
    however many times a removal is attempted (a nightly reconcile without rights)."""
    found = await uow.session.execute(
        select(func.max(Membership.ended_at)).where(Membership.member_id == member_id)
    )
    ended = found.scalar_one_or_none()
    return ended.isoformat() if ended is not None else "never"


async def _withdraw(
    uow: UnitOfWork,
    member: Member,
    now: datetime,
    config: GroupConfig,
    cause: RemovalCause,
    tell: bool,
) -> AccessChange:
    revoked = await _revoke_invites(uow, member, now, config)
    removal = False
    if config.chat_id is not None:
        where = await presence_of(uow, config.chat_id, member.telegram_id)
        inside = where in IN_GROUP or (where is None and await _ever_joined(uow, member.id))
        if inside:
            removal = await queue_removal(uow, member.telegram_id, member.id, now, config)
    account = await release_account(uow, member.id, cause.value, now)
    change = AccessChange(
        removal_queued=removal,
        invites_revoked=revoked,
        released_account=account.tiktok_username if account is not None else None,
    )
    if account is not None:
        await alert_admins(
            uow,
            config,
            "access.account_returned",
            {
                "username": account.tiktok_username,
                "name": full_name(member),
                "cause": {"key": f"access.cause_{cause.value}"},
            },
            f"account-returned:{account.id}:{member.id}:{now.isoformat()}",
            now,
        )
    if tell and change.withdrew:
        params: dict[str, Any] = {"cause": {"key": f"access.cause_{cause.value}"}}
        key = "access.removed" if removal else "access.ended"
        if change.released_account:
            key += "_with_account"
            params["username"] = change.released_account
        await uow.outbox.enqueue(
            Notice(
                chat_id=member.telegram_id,
                member_id=member.id,
                text_key=key,
                language=language_of(member, config.default_language),
                params=params,
                buttons=_renew_buttons(config),
                dedupe_key=f"access-removed:{member.id}:{await _vip_end_anchor(uow, member.id)}",
            ),
            now,
        )
    return change


async def sync_access(
    uow: UnitOfWork,
    member: Member,
    now: datetime,
    config: GroupConfig,
    *,
    cause: RemovalCause,
    tell: bool = True,
) -> AccessChange:
    """Bring the member's group access in line with their memberships at `now`.

    Call it inside the transaction that changed a membership, after the change. With
    access: an invite is queued unless they are inside or hold a live link. Without:
    invites are revoked, a removal is queued if they are (or were let) inside, the
    affiliate account returns to the pool, and, with `tell`, the member is told why
    (`cause`) with a button to renew. Running it again changes nothing."""
    if await has_access(uow, member.id, now):
        return AccessChange(invited=await queue_invite(uow, member, now, config))
    return await _withdraw(uow, member, now, config, cause, tell)


class JoinVerdict(StrEnum):
    APPROVE = "approve"
    NOT_OURS = "not_ours"  # no link, or a link the bot did not make for a member
    NOT_HOLDER = "not_holder"  # someone else's personal link
    EXPIRED = "expired"
    USED = "used"
    NO_ACCESS = "no_access"  # their own link, but VIP has ended


@dataclass(frozen=True, slots=True)
class JoinDecision:
    verdict: JoinVerdict
    invite_id: int | None = None
    member_id: int | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class GroupStatus:
    configured: bool
    has_access: bool
    inside: bool
    invite_link: str | None = None
    invite_expires_at: datetime | None = None
    invite_queued: bool = False


@dataclass(frozen=True, slots=True)
class ReconcileResult:
    checked: int
    outsiders: list[tuple[int, str]]  # (telegram id, name or "?")
    queued: int
    dry_run: bool


class AccessService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, config: GroupConfig) -> None:
        self.uow = uow
        self.clock = clock
        self.config = config

    async def decide_join(
        self, chat_id: int, telegram_id: int, invite_link: str | None
    ) -> JoinDecision:
        """Whether a join request to the discussion group is approved (read only)."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(telegram_id)
            language = (
                language_of(member, self.config.default_language) if member is not None else None
            )
            if chat_id != self.config.chat_id or not invite_link:
                return JoinDecision(JoinVerdict.NOT_OURS, language=language)
            found = await uow.session.execute(
                select(GroupInvite).where(GroupInvite.invite_link == invite_link)
            )
            invite = found.scalar_one_or_none()
            if invite is None:
                return JoinDecision(JoinVerdict.NOT_OURS, language=language)
            if member is None or invite.member_id != member.id:
                return JoinDecision(JoinVerdict.NOT_HOLDER, invite.id, language=language)
            if invite.status == InviteStatus.USED:
                verdict = JoinVerdict.USED
            elif invite.status != InviteStatus.ISSUED or invite.expires_at <= now:
                verdict = JoinVerdict.EXPIRED
            elif not await has_access(uow, member.id, now):
                verdict = JoinVerdict.NO_ACCESS
            else:
                verdict = JoinVerdict.APPROVE
            return JoinDecision(verdict, invite.id, member.id, language)

    async def joined(self, invite_id: int, telegram_id: int) -> bool:
        """After approving: the invite is used (compare-and-set), its link is revoked and
        the member counts as inside. False when it was not issued any more."""
        now = self.clock.now()
        async with self.uow() as uow:
            used = await uow.session.execute(
                update(GroupInvite)
                .where(GroupInvite.id == invite_id, GroupInvite.status == InviteStatus.ISSUED)
                .values(status=InviteStatus.USED, used_at=now)
                .returning(GroupInvite.invite_link, GroupInvite.member_id)
            )
            row = used.first()
            if row is None:
                # Approved at Telegram, but the invite was withdrawn meanwhile (VIP ended
                # between the decision and now): they are inside without access.
                await self._enforce(uow, telegram_id, now)
                await uow.commit()
                return False
            link, member_id = row
            if self.config.chat_id is not None:
                await set_presence(uow, self.config.chat_id, telegram_id, "member", now)
                await uow.outbox.enqueue(
                    Notice(
                        chat_id=self.config.chat_id,
                        member_id=member_id,
                        kind=REVOKE_ACTION,
                        text_key="access.revoke_action",
                        language=self.config.default_language,
                        params={"link": link},
                    ),
                    now,
                )
            await uow.commit()
            return True

    async def _enforce(self, uow: UnitOfWork, telegram_id: int, now: datetime) -> None:
        if self.config.chat_id is None:
            return
        await set_presence(uow, self.config.chat_id, telegram_id, "member", now)
        member = await uow.members.by_telegram_id(telegram_id)
        if member is None or not await has_access(uow, member.id, now):
            await queue_removal(
                uow, telegram_id, member.id if member is not None else None, now, self.config
            )

    async def record_presence(self, chat_id: int, telegram_id: int, status: str) -> None:
        """What a chat_member update said about someone in the discussion group."""
        if chat_id != self.config.chat_id:
            return
        now = self.clock.now()
        async with self.uow() as uow:
            await set_presence(uow, chat_id, telegram_id, status, now)
            await uow.commit()

    async def status(self, telegram_id: int) -> GroupStatus:
        """What /me shows about the group."""
        now = self.clock.now()
        configured = self.config.chat_id is not None
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(telegram_id)
            if member is None:
                return GroupStatus(configured, False, False)
            access = await has_access(uow, member.id, now)
            inside = configured and (
                await presence_of(uow, self.config.chat_id or 0, telegram_id) in IN_GROUP
            )
            invite = await live_invite(uow, member.id, now)
            return GroupStatus(
                configured,
                access,
                inside,
                invite.invite_link if invite is not None else None,
                invite.expires_at if invite is not None else None,
                await uow.outbox.pending_action(INVITE_ACTION, member.id),
            )

    async def request_invite(self, telegram_id: int) -> GroupStatus:
        """A VIP outside the group asks for a (new) invite: queued unless a live one exists."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(telegram_id)
            if member is not None and await has_access(uow, member.id, now):
                await queue_invite(uow, member, now, self.config)
                await uow.commit()
        return await self.status(telegram_id)

    async def reconcile(self, dry_run: bool) -> ReconcileResult:
        """Everyone the bot saw inside the group without VIP access is removed (once per
        person per day) and told; with `dry_run` the admins only get the list."""
        now = self.clock.now()
        chat_id = self.config.chat_id
        if chat_id is None:
            return ReconcileResult(0, [], 0, dry_run)
        day = jakarta_day(now, self.config.zone).isoformat()
        outsiders: list[tuple[int, str]] = []
        queued = 0
        async with self.uow() as uow:
            rows = await uow.session.execute(
                select(ChatPresence).where(
                    ChatPresence.chat_id == chat_id,
                    ChatPresence.status.in_(("member", "restricted")),
                )
            )
            presences = list(rows.scalars())
            for presence in presences:
                if presence.telegram_id in self.config.exempt_ids:
                    continue
                member = await uow.members.by_telegram_id(presence.telegram_id)
                if member is not None and await has_access(uow, member.id, now):
                    continue
                name = full_name(member) if member is not None else "?"
                outsiders.append((presence.telegram_id, name))
                if dry_run:
                    continue
                if member is not None:
                    change = await _withdraw(
                        uow, member, now, self.config, RemovalCause.NOT_VIP, True
                    )
                    queued += change.removal_queued
                elif await queue_removal(
                    uow,
                    presence.telegram_id,
                    None,
                    now,
                    self.config,
                    dedupe_key=f"reconcile-remove:{presence.telegram_id}:{day}",
                ):
                    queued += 1
            if outsiders:
                lines = "\n".join(f"• {name} ({tid})" for tid, name in outsiders[:50])
                await alert_admins(
                    uow,
                    self.config,
                    "access.reconcile_dry_run" if dry_run else "access.reconcile_removed",
                    {"count": len(outsiders), "list": lines},
                    f"reconcile:{'dry' if dry_run else 'live'}:{day}",
                    now,
                )
            await uow.commit()
        return ReconcileResult(len(presences), outsiders, queued, dry_run)
