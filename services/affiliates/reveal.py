"""The holder's own account: what /me shows of it, its login revealed to them alone, and
the message that showed the login deleted after a while."""

from __future__ import annotations

from datetime import timedelta

from domain.affiliates import may_reveal
from kernel.actions import DELETE_ACTION
from kernel.notices import Notice
from services.affiliates._base import ServiceBase
from services.affiliates._common import held_view
from services.affiliates.problems import AffiliateError, AffiliateProblem
from services.affiliates.vault import CredentialsError, Login
from services.affiliates.views import HeldAccount
from services.entitlement import has_access


class Revealing(ServiceBase):
    async def account_of(self, telegram_id: int) -> HeldAccount | None:
        """The account this person holds (for the /me VIP dashboard), or None."""
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(telegram_id)
            if member is None:
                return None
            held = await uow.affiliates.held_by(member.id)
            return None if held is None else held_view(held)

    async def credentials_for(self, telegram_id: int) -> tuple[HeldAccount, Login]:
        """The decrypted login of the account this person holds, for them alone.

        Raises AffiliateError NO_ACCOUNT (holds none, or VIP has ended) or NO_LOGIN, and
        CredentialsError when the keys cannot open it (the admin group is alerted, once a
        day)."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(telegram_id)
            held = None if member is None else await uow.affiliates.held_by(member.id)
            if member is None or held is None:
                raise AffiliateError(AffiliateProblem.NO_ACCOUNT)
            if not may_reveal(held, await has_access(uow, member.id, now)):
                raise AffiliateError(AffiliateProblem.NO_ACCOUNT)
            token = held.credentials_encrypted
            if token is None:
                raise AffiliateError(AffiliateProblem.NO_LOGIN, username=held.tiktok_username)
            try:
                return held_view(held), self.vault.decrypt(token)
            except CredentialsError as error:
                await self._alert(
                    uow,
                    "affiliates.alert_key_problem",
                    {
                        "problem": {"key": f"affiliates.key_problem_{error.problem.value}"},
                        "id": held.id,
                        "username": held.tiktok_username,
                    },
                    f"affiliate-key-problem:{self._day(now).isoformat()}",
                    now,
                )
                await uow.commit()
                raise

    async def forget_later(self, telegram_id: int, message_id: int, after: timedelta) -> None:
        """Queue the deletion of the message that showed a login, `after` from now."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(telegram_id)
            language = self.default_language
            if member is not None:
                language = member.language(self.default_language)
            await uow.outbox.enqueue(
                Notice(
                    kind=DELETE_ACTION,
                    chat_id=telegram_id,
                    member_id=member.id if member is not None else None,
                    text_key="access.delete_action",
                    language=language,
                    params={"message_id": message_id},
                    dedupe_key=f"forget-login:{telegram_id}:{message_id}",
                    not_before=now + after,
                ),
                now,
            )
            await uow.commit()
