"""What every affiliate use case holds: the constructor's fields, the vault, the alert."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from kernel.clock import Clock
from kernel.notices import Notice
from services.affiliates.problems import AffiliateError, AffiliateProblem
from services.affiliates.vault import MAX_SECRET, CredentialsError, Vault
from storage.uow import UnitOfWork, UnitOfWorkFactory


class ServiceBase:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        zone: ZoneInfo,
        default_language: str,
        *,
        admin_chat_id: int,
        keys: tuple[str, ...] = (),
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.zone = zone
        self.default_language = default_language
        self.admin_chat_id = admin_chat_id
        self.keys = keys
        try:
            self._vault: Vault | None = Vault(keys)
            self._vault_error: CredentialsError | None = None
        except CredentialsError as error:  # settings validate keys; this is the last guard
            self._vault, self._vault_error = None, error

    @property
    def vault(self) -> Vault:
        if self._vault is None:
            assert self._vault_error is not None
            raise self._vault_error
        return self._vault

    @property
    def can_store_logins(self) -> bool:
        return self._vault is not None and self._vault.configured

    def seal(self, login: str, password: str) -> str:
        """A login as a token to store (raises AffiliateError NO_KEYS / BAD_LOGIN)."""
        if not self.can_store_logins:
            raise AffiliateError(AffiliateProblem.NO_KEYS)
        try:
            return self.vault.encrypt(login, password)
        except CredentialsError:
            raise AffiliateError(AffiliateProblem.BAD_LOGIN, max=MAX_SECRET) from None

    def seal_text(self, text: str) -> str:
        """One half of a login held between two steps of a guided flow, encrypted."""
        if not self.can_store_logins:
            raise AffiliateError(AffiliateProblem.NO_KEYS)
        return self.seal(text, "-")

    def open_text(self, token: str) -> str:
        return self.vault.decrypt(token).login

    def _day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    async def _alert(
        self, uow: UnitOfWork, key: str, params: dict[str, Any], dedupe: str, now: datetime
    ) -> bool:
        """Queue a message to the admin group, once per `dedupe` key."""
        notice = Notice(
            chat_id=self.admin_chat_id,
            text_key=key,
            language=self.default_language,
            params=params,
            dedupe_key=dedupe,
        )
        return await uow.outbox.enqueue(notice, now)
