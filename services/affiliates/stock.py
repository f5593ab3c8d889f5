"""Adding accounts to the pool: one as an admin typed it, or a whole CSV file."""

from __future__ import annotations

from dataclasses import replace

from domain.affiliates import AccountField, NewAccount
from kernel.actor import Actor
from services.affiliates._base import ServiceBase
from services.affiliates._common import card_of, target
from services.affiliates.csv_format import parse_csv
from services.affiliates.parsing import parse_field, parse_username
from services.affiliates.problems import AffiliateError, AffiliateProblem, RowProblem
from services.affiliates.views import AccountCard, ImportResult, Issue, RowError

# Line numbers named when a file carries logins but no keys are configured.
LINES_NAMED = 20


class Stocking(ServiceBase):
    async def username_free(self, username: str) -> bool:
        async with self.uow() as uow:
            return not await uow.affiliates.username_taken(username)

    def new_account(
        self,
        username: str,
        *,
        tiktok_account_id: str | None = None,
        shop_id: str | None = None,
        shop_name: str | None = None,
        notes: str | None = None,
        credentials: str | None = None,
    ) -> NewAccount:
        """Check what an admin typed (raises AffiliateError) into a NewAccount."""
        return NewAccount(
            username=parse_username(username),
            tiktok_account_id=parse_field(AccountField.TIKTOK_ACCOUNT_ID, tiktok_account_id),
            shop_id=parse_field(AccountField.SHOP_ID, shop_id),
            shop_name=parse_field(AccountField.SHOP_NAME, shop_name),
            notes=parse_field(AccountField.NOTES, notes),
            credentials=credentials,
        )

    async def add(self, new: NewAccount, admin: Actor) -> AccountCard:
        now = self.clock.now()
        async with self.uow() as uow:
            if await uow.affiliates.username_taken(new.username):
                raise AffiliateError(AffiliateProblem.USERNAME_TAKEN, username=new.username)
            account = await uow.affiliates.add(new, now)
            if account is None:  # added by someone else at the same moment
                raise AffiliateError(AffiliateProblem.USERNAME_TAKEN, username=new.username)
            uow.audit.record(
                admin,
                "affiliate_add",
                target(account.id),
                now,
                username=new.username,
                login_stored=new.credentials is not None,
            )
            card = await card_of(uow, account)
            await uow.commit()
            return card

    async def import_csv(self, data: bytes, admin: Actor) -> ImportResult:
        """Every row checked (format, duplicates in the file and in the pool); with any
        bad row nothing is imported and each bad row is named. Logins are encrypted."""
        now = self.clock.now()
        parsed, errors = parse_csv(data, self.zone, now)
        with_login = [row.line for row in parsed if row.login is not None]
        if with_login and not self.can_store_logins:
            shown = ", ".join(str(n) for n in with_login[:LINES_NAMED])
            more = len(with_login) - LINES_NAMED
            raise AffiliateError(
                AffiliateProblem.LOGIN_WITHOUT_KEYS,
                lines=shown + (f" (+{more})" if more > 0 else ""),
                count=len(with_login),
            )
        total = len(parsed) + len(errors)
        async with self.uow() as uow:
            names = [row.account.username for row in parsed]
            existing = await uow.affiliates.existing_usernames(names)
            for row in parsed:
                if row.account.username in existing:
                    issue = Issue(RowProblem.EXISTS, {"username": row.account.username})
                    errors.append(RowError(row.line, (issue,)))
            if errors:
                merged: dict[int, list[Issue]] = {}
                for error in errors:
                    merged.setdefault(error.line, []).extend(error.issues)
                return ImportResult(
                    0, total, tuple(RowError(n, tuple(i)) for n, i in sorted(merged.items()))
                )
            accounts = []
            for row in parsed:
                sealed = None
                if row.login is not None:
                    sealed = self.vault.encrypt(row.login.login, row.login.password)
                accounts.append(replace(row.account, credentials=sealed))
            if not await uow.affiliates.add_all(accounts, now):
                # Someone added one of these usernames at the same moment.
                raise AffiliateError(AffiliateProblem.CHANGED_MEANWHILE)
            uow.audit.record(
                admin,
                "affiliate_import",
                f"affiliate_accounts:{len(parsed)}",
                now,
                count=len(parsed),
                with_login=len(with_login),
                usernames=names[:100],
            )
            await uow.commit()
            return ImportResult(len(parsed), total, (), tuple(names), with_login=len(with_login))
