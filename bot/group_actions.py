"""Telegram actions the outbox relay performs for VIP access (kinds from services/access.py).

Each action looks at the database again when its turn comes, so a change in between
(a renewal after an expiry) makes it `skipped` rather than wrong. Missing rights in
the discussion group are not the member's fault: the admins are alerted (once a day)
and the action is retried with the relay's backoff; the nightly reconcile catches
anyone a given-up removal left inside.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.outbox import Action, Outcome
from domain.reports import jakarta_day
from handlers.common.telegram_errors import is_gone, is_untouchable, lacks_rights
from kernel.actions import DELETE_ACTION, INVITE_ACTION, REMOVE_ACTION, REVOKE_ACTION
from kernel.clock import Clock
from kernel.i18n import Translator
from services.access import (
    IN_GROUP,
    GroupConfig,
    alert_admins,
    has_access,
    live_invite,
    presence_of,
    set_presence,
)
from services.people import full_name
from storage.models import GroupInvite, Member
from storage.repos.outbox import QueuedMessage
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)


class GroupActions:
    def __init__(
        self,
        bot: Bot,
        uow: UnitOfWorkFactory,
        i18n: Translator,
        clock: Clock,
        config: GroupConfig,
    ) -> None:
        self.bot = bot
        self.uow = uow
        self.i18n = i18n
        self.clock = clock
        self.config = config

    def table(self) -> dict[str, Action]:
        return {
            INVITE_ACTION: self.invite,
            REMOVE_ACTION: self.remove,
            REVOKE_ACTION: self.revoke,
            DELETE_ACTION: self.delete,
        }

    async def check_rights(self) -> list[str]:
        """Check the bot's rights in the discussion group; alert the admins when some lack."""
        chat_id = self.config.chat_id
        if chat_id is None:
            return []
        missing = await missing_rights(self.bot, chat_id)
        if missing:
            await self.alert_rights(missing)
        return missing

    async def alert_rights(self, missing_keys: list[str]) -> bool:
        """Tell the admin group what the bot lacks in the discussion group (once a day)."""
        now = self.clock.now()
        language = self.config.default_language
        missing = ", ".join(self.i18n.t(key, language) for key in missing_keys)
        day = jakarta_day(now, self.config.zone).isoformat()
        async with self.uow() as uow:
            queued = await alert_admins(
                uow,
                self.config,
                "access.rights_missing",
                {"chat_id": self.config.chat_id, "missing": missing},
                f"group-rights:{day}",
                now,
            )
            await uow.commit()
        log.warning("The bot lacks rights in the discussion group: %s", ", ".join(missing_keys))
        return queued

    async def _refused(self, error: Exception, right_key: str) -> Outcome:
        if lacks_rights(error) or isinstance(error, TelegramForbiddenError):
            await self.alert_rights([right_key])
            return ("retry", f"rights: {getattr(error, 'message', error)}")
        return ("failed", str(getattr(error, "message", error)))

    async def invite(self, row: QueuedMessage) -> Outcome:
        """Make (or reuse) the member's personal join-request link and send it to them."""
        chat_id = self.config.chat_id
        if chat_id is None or row.member_id is None:
            return ("skipped", "no discussion group configured")
        now = self.clock.now()
        async with self.uow() as uow:
            member = await uow.session.get(Member, row.member_id)
            if member is None or not await has_access(uow, member.id, now):
                return ("skipped", "no VIP access any more")
            if await presence_of(uow, chat_id, member.telegram_id) in IN_GROUP:
                return ("skipped", "already in the group")
            invite = await live_invite(uow, member.id, now)
            link = invite.invite_link if invite is not None else None
            expires = invite.expires_at if invite is not None else now + self.config.invite_ttl
        if link is None:
            try:
                created = await self.bot.create_chat_invite_link(
                    chat_id,
                    name=f"VIP member {row.member_id}"[:32],
                    expire_date=expires,
                    creates_join_request=True,
                )
            except (TelegramBadRequest, TelegramForbiddenError) as error:
                return await self._refused(error, "access.right_invite")
            link = created.invite_link
            async with self.uow() as uow:
                uow.session.add(
                    GroupInvite(
                        member_id=row.member_id,
                        invite_link=link,
                        status="issued",
                        created_at=now,
                        expires_at=expires,
                    )
                )
                await uow.commit()
        until = f"{expires.astimezone(self.config.zone):%d-%m-%Y %H:%M}"
        text = self.i18n.t(row.text_key, row.language, until=until)
        button = InlineKeyboardButton(
            text=self.i18n.t("access.invite_button", row.language), url=link
        )
        message = await self.bot.send_message(
            row.chat_id, text, reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]])
        )
        return ("sent", message.message_id)

    async def remove(self, row: QueuedMessage) -> Outcome:
        """Ban then unban (only if banned): out of the group, free to rejoin after renewing."""
        chat_id = self.config.chat_id
        if chat_id is None:
            return ("skipped", "no discussion group configured")
        user_id = row.chat_id
        now = self.clock.now()
        name = str(user_id)
        back = False
        async with self.uow() as uow:
            if row.member_id is not None:
                member = await uow.session.get(Member, row.member_id)
                if member is not None:
                    name = full_name(member)
                    back = await has_access(uow, member.id, now)
        if back:
            # A ban from an earlier attempt whose unban failed must not outlive a renewal.
            try:
                await self.bot.unban_chat_member(chat_id, user_id, only_if_banned=True)
            except (TelegramBadRequest, TelegramForbiddenError) as error:
                if not is_gone(error):
                    return await self._refused(error, "access.right_restrict")
            return ("skipped", "VIP access is back")
        try:
            await self.bot.ban_chat_member(chat_id, user_id)
            await self.bot.unban_chat_member(chat_id, user_id, only_if_banned=True)
        except (TelegramBadRequest, TelegramForbiddenError) as error:
            if is_untouchable(error):
                async with self.uow() as uow:
                    await alert_admins(
                        uow,
                        self.config,
                        "access.remove_refused",
                        {"name": name, "telegram_id": user_id, "reason": error.message},
                        f"remove-refused:{row.id}",
                        now,
                    )
                    await uow.commit()
                return ("failed", error.message)
            if not is_gone(error):
                return await self._refused(error, "access.right_restrict")
        async with self.uow() as uow:
            await set_presence(uow, chat_id, user_id, "left", now)
            await uow.commit()
        return ("sent", None)

    async def revoke(self, row: QueuedMessage) -> Outcome:
        link = str(row.params.get("link") or "")
        if not link:
            return ("skipped", "no link")
        try:
            await self.bot.revoke_chat_invite_link(row.chat_id, link)
        except (TelegramBadRequest, TelegramForbiddenError) as error:
            if is_gone(error):
                return ("sent", None)
            return await self._refused(error, "access.right_invite")
        return ("sent", None)

    async def delete(self, row: QueuedMessage) -> Outcome:
        message_id = row.params.get("message_id")
        if not isinstance(message_id, int):
            return ("skipped", "no message id")
        try:
            await self.bot.delete_message(row.chat_id, message_id)
        except (TelegramBadRequest, TelegramForbiddenError) as error:
            if is_gone(error) or isinstance(error, TelegramForbiddenError):
                return ("skipped", error.message)
            raise
        return ("sent", None)


async def missing_rights(bot: Bot, chat_id: int) -> list[str]:
    """The translation keys of what the bot lacks in the group (empty when all is well)."""
    try:
        me = await bot.get_chat_member(chat_id, bot.id)
    except (TelegramBadRequest, TelegramForbiddenError):
        return ["access.right_unreachable"]
    if me.status == "creator":
        return []
    if me.status != "administrator":
        return ["access.right_admin"]
    missing = []
    if not getattr(me, "can_invite_users", False):
        missing.append("access.right_invite")
    if not getattr(me, "can_restrict_members", False):
        missing.append("access.right_restrict")
    return missing
