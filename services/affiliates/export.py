"""Every account as a CSV file for admins: never a login or password, only whether one
is stored; an export can be imported again."""

from __future__ import annotations

from dataclasses import dataclass

from domain.affiliates import AccountFilter
from services.affiliates._base import ServiceBase
from services.affiliates._common import cards_of
from services.affiliates.csv_format import EXPORT_COLUMNS
from services.affiliates.views import AccountCard
from services.csv_safe import CsvFile, spreadsheet_safe


@dataclass(frozen=True, slots=True)
class AccountsExport:
    """/exportaccounts: how many accounts there are and the file (empty when none)."""

    total: int
    data: bytes


class Exporting(ServiceBase):
    async def export_csv(self) -> bytes:
        """Every account as CSV (UTF-8 with BOM, so Excel reads it): never a login or
        password, only whether one is stored."""
        async with self.uow() as uow:
            cards = await cards_of(uow, await uow.affiliates.listing(AccountFilter.ALL))
        return self._csv(cards)

    async def export(self) -> AccountsExport:
        """How many accounts there are and, when any, `export_csv` of them, read in one
        transaction (the count the caption says is the file's)."""
        async with self.uow() as uow:
            total = await uow.affiliates.count(AccountFilter.ALL)
            if not total:
                return AccountsExport(0, b"")
            cards = await cards_of(uow, await uow.affiliates.listing(AccountFilter.ALL))
        return AccountsExport(total, self._csv(cards))

    def _csv(self, cards: list[AccountCard]) -> bytes:
        file = CsvFile(EXPORT_COLUMNS)
        for card in cards:
            file.add(self._cells(card))
        return file.data()

    def _cells(self, card: AccountCard) -> list[object]:
        verified = card.yellow_cart_verified_at
        return [
            card.id,
            card.username,
            spreadsheet_safe(card.tiktok_account_id or ""),
            spreadsheet_safe(card.shop_id or ""),
            spreadsheet_safe(card.shop_name or ""),
            card.status.value,
            "yes" if card.yellow_cart else "no",
            f"{self._day(verified):%Y-%m-%d}" if verified else "",
            spreadsheet_safe(card.notes or ""),
            "yes" if card.has_login else "no",
            card.holder.telegram_id if card.holder else "",
            spreadsheet_safe(card.holder.name) if card.holder else "",
            f"{card.assigned_at.astimezone(self.zone):%Y-%m-%d %H:%M}" if card.assigned_at else "",
            f"{card.created_at.astimezone(self.zone):%Y-%m-%d %H:%M}",
        ]
