"""Telegram actions the outbox relay performs for VIP access (kinds from kernel/actions.py).

Each action asks AccessService again when its turn comes (services/access/turns.py), so
a change in between (a renewal after an expiry) makes it `skipped` rather than wrong;
what Telegram did (a link made, someone gone) is recorded through the same service.
Missing rights in the discussion group are not the member's fault: the admins are
alerted (once a day) and the action is retried with the relay's backoff; the nightly
reconcile catches anyone a given-up removal left inside.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.outbox import Action, Outcome
from handlers.common.telegram_errors import is_gone, is_untouchable, lacks_rights
from kernel.actions import DELETE_ACTION, INVITE_ACTION, REMOVE_ACTION, REVOKE_ACTION
from kernel.dates import moment_param
from kernel.i18n import Translator
from services.access import AccessService, InviteSkip
from storage.repos.outbox import QueuedMessage

log = logging.getLogger(__name__)

_SKIPPED = {
    InviteSkip.NO_GROUP: "no discussion group configured",
    InviteSkip.NO_ACCESS: "no VIP access any more",
    InviteSkip.INSIDE: "already in the group",
}


class GroupActions:
    def __init__(self, bot: Bot, access: AccessService, i18n: Translator) -> None:
        self.bot = bot
        self.access = access
        self.i18n = i18n
        self.config = access.config

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
        language = self.config.default_language
        missing = self.i18n.join((self.i18n.t(key, language) for key in missing_keys), ", ")
        queued = await self.access.alert_rights(missing)
        log.warning("The bot lacks rights in the discussion group: %s", ", ".join(missing_keys))
        return queued

    async def _refused(self, error: Exception, right_key: str) -> Outcome:
        if lacks_rights(error) or isinstance(error, TelegramForbiddenError):
            await self.alert_rights([right_key])
            return ("retry", f"rights: {getattr(error, 'message', error)}")
        return ("failed", str(getattr(error, "message", error)))

    async def invite(self, row: QueuedMessage) -> Outcome:
        """Make (or reuse) the member's personal join-request link and send it to them.
        An invite that opens with an approval or a grant (`lead`) still tells that when
        no invite is needed any more."""
        outcome = await self._invite(row)
        lead = row.params.get("lead")
        if outcome[0] != "skipped" or not isinstance(lead, dict):
            return outcome
        text = self.i18n.t(str(lead["key"]), row.language, **lead.get("params", {}))
        rows = (row.buttons or {}).get("rows", [])
        markup = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(
                        text=self.i18n.t(spec["text_key"], row.language),
                        callback_data=spec.get("callback_data"),
                    )
                    for spec in spec_row
                ]
                for spec_row in rows
            ]
        )
        message = await self.bot.send_message(
            row.chat_id, text, reply_markup=markup if rows else None
        )
        return ("sent", message.message_id)

    async def _invite(self, row: QueuedMessage) -> Outcome:
        chat_id = self.config.chat_id
        if chat_id is None or row.member_id is None:
            return ("skipped", _SKIPPED[InviteSkip.NO_GROUP])
        turn = await self.access.invite_turn(row.member_id)
        if turn.skip is not None:
            return ("skipped", _SKIPPED[turn.skip])
        link, expires = turn.link, turn.expires_at
        assert expires is not None  # set whenever the turn is not skipped
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
            await self.access.invite_made(row.member_id, link, turn.at, expires)
        until = moment_param(expires, self.config.zone)
        text = self.i18n.t(row.text_key, row.language, **{**row.params, "until": until})
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
        turn = await self.access.removal_turn(row.member_id)
        if turn.back:
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
                name = turn.name if turn.name is not None else str(user_id)
                await self.access.alert_removal_refused(
                    name, user_id, error.message, row.id, turn.at
                )
                return ("failed", error.message)
            if not is_gone(error):
                return await self._refused(error, "access.right_restrict")
        await self.access.removed(user_id, turn.at)
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
