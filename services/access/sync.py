"""Bringing one member's group access in line with their memberships (`sync_access`),
inside the transaction that changed a membership."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.people import Person
from kernel.actions import INVITE_ACTION, REMOVE_ACTION, REVOKE_ACTION
from kernel.notices import Notice
from services.access.config import IN_GROUP, GroupConfig, RemovalCause
from services.access.notices import alert_admins, language_of, menu_buttons, renew_buttons
from services.affiliates import release_account
from services.entitlement import has_access
from storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class AccessChange:
    invited: bool = False
    removal_queued: bool = False
    invites_revoked: int = 0
    released_account: str | None = None

    @property
    def withdrew(self) -> bool:
        return self.removal_queued or bool(self.invites_revoked) or bool(self.released_account)


async def set_presence(
    uow: UnitOfWork, chat_id: int, telegram_id: int, status: str, now: datetime
) -> None:
    """What the bot saw of someone in a group at `now` (a later sighting wins)."""
    await uow.access.set_presence(chat_id, telegram_id, status, now)


async def queue_invite(
    uow: UnitOfWork,
    member: Person,
    now: datetime,
    config: GroupConfig,
    lead: dict[str, Any] | None = None,
) -> bool:
    """Queue a personal invite unless the member is inside, holds a live link, or one
    is already on its way. True when one was queued. With `lead` (a nested translation:
    the approval or grant that gave VIP) the invite message opens with it, so the
    member gets one message, not two."""
    if config.chat_id is None:
        return False
    if await uow.access.presence(config.chat_id, member.telegram_id) in IN_GROUP:
        return False
    if await uow.access.live_invite(member.id, now) is not None:
        return False
    if await uow.outbox.pending_action(INVITE_ACTION, member.id):
        return False
    notice = Notice(
        chat_id=member.telegram_id,
        member_id=member.id,
        kind=INVITE_ACTION,
        text_key="access.invite" if lead is None else "access.invite_after",
        language=language_of(member, config.default_language),
        params={} if lead is None else {"lead": lead},
        # Under the lead alone, when no invite is needed by the time it is sent.
        buttons=() if lead is None else menu_buttons(config),
    )
    return await uow.outbox.enqueue(notice, now)


async def revoke_link(
    uow: UnitOfWork, config: GroupConfig, member_id: int, link: str, now: datetime
) -> None:
    """Queue the revocation of an invite link at Telegram (the group must be configured)."""
    if config.chat_id is None:
        return
    await uow.outbox.enqueue(
        Notice(
            chat_id=config.chat_id,
            member_id=member_id,
            kind=REVOKE_ACTION,
            text_key="access.revoke_action",
            language=config.default_language,
            params={"link": link},
        ),
        now,
    )


async def _revoke_invites(
    uow: UnitOfWork, member: Person, now: datetime, config: GroupConfig
) -> int:
    count = 0
    for link, expires_at in await uow.access.revoke_issued(member.id):
        if expires_at <= now:
            continue  # an expired link opens nothing and needs no call
        count += 1
        await revoke_link(uow, config, member.id, link, now)
    return count


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
    ended = await uow.memberships.last_ended_at(member_id)
    return ended.isoformat() if ended is not None else "never"


async def access_ended_key(uow: UnitOfWork, member_id: int) -> str:
    """The dedupe key of the one message telling a member their VIP access ended (a
    revocation's message takes it, so a later removal attempt says nothing more)."""
    return f"access-removed:{member_id}:{await _vip_end_anchor(uow, member_id)}"


async def withdraw(
    uow: UnitOfWork,
    member: Person,
    now: datetime,
    config: GroupConfig,
    cause: RemovalCause,
    tell: bool,
) -> AccessChange:
    """Everything VIP access gave is taken back: invites revoked, a removal queued if
    they are (or were let) inside, the affiliate account returned; with `tell` they hear
    why (`cause`), once per end of their VIP."""
    revoked = await _revoke_invites(uow, member, now, config)
    removal = False
    if config.chat_id is not None:
        where = await uow.access.presence(config.chat_id, member.telegram_id)
        inside = where in IN_GROUP or (where is None and await uow.access.ever_joined(member.id))
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
                "name": member.full_name,
                "cause": {
                    "key": f"access.admin_cause_{cause.value}",  # about them, to the admins
                    "params": {"name": member.full_name},
                },
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
                buttons=renew_buttons(config),
                dedupe_key=await access_ended_key(uow, member.id),
            ),
            now,
        )
    return change


async def sync_access(
    uow: UnitOfWork,
    member: Person,
    now: datetime,
    config: GroupConfig,
    *,
    cause: RemovalCause,
    tell: bool = True,
    lead: dict[str, Any] | None = None,
) -> AccessChange:
    """Bring the member's group access in line with their memberships at `now`.

    Call it inside the transaction that changed a membership, after the change. With
    access: an invite is queued unless they are inside or hold a live link. Without:
    invites are revoked, a removal is queued if they are (or were let) inside, the
    affiliate account returns to the pool, and, with `tell`, the member is told why
    (`cause`) with a button to renew. Running it again changes nothing. `lead` opens
    the invite message (see `queue_invite`)."""
    if await has_access(uow, member.id, now):
        return AccessChange(invited=await queue_invite(uow, member, now, config, lead))
    return await withdraw(uow, member, now, config, cause, tell)


async def tell_with_access(
    uow: UnitOfWork,
    member: Person,
    now: datetime,
    config: GroupConfig,
    *,
    cause: RemovalCause,
    key: str,
    params: dict[str, Any],
    dedupe_key: str,
    language: str,
) -> AccessChange:
    """A membership change told to the member in one message: it opens the invite when
    they become VIP (sync_access's `lead`), else it goes alone with the menu button."""
    change = await sync_access(
        uow, member, now, config, cause=cause, lead={"key": key, "params": params}
    )
    if not change.invited:
        await uow.outbox.tell_member(
            member, language, key, params, dedupe_key, now, buttons=menu_buttons(config)
        )
    return change


def lost_access(change: AccessChange) -> dict[str, Any] | None:
    """What a member lost with their VIP, as one line (a nested translation) for the
    message that tells them why; None when nothing was taken back."""
    if not change.withdrew:
        return None
    key = "access.lost_removed" if change.removal_queued else "access.lost_ended"
    if change.released_account:
        return {"key": key + "_with_account", "params": {"username": change.released_account}}
    return {"key": key}
