"""Bookkeeping exports on fixed data, on SQLite and PostgreSQL: each file is parsed back
with the csv module and its rows compared with what was written.

The clock stands at 10 March 2026, 12:00 in Jakarta; "last month" is February 2026, which
in UTC runs from 31 January 17:00 to 28 February 17:00 (the rows seeded just inside and
just outside those edges show the period is cut in Jakarta days).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from itertools import count

import pytest

from domain.states import PaymentStatus
from kernel.i18n import Translator
from services.csv_safe import CsvFile
from services.exports import ExportError, ExportKind, ExportProblem, ExportService, parse_days
from services.numbers import NumbersError, NumbersProblem, PeriodKind
from storage import models
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock
from tests.services.test_numbers import BASIC_LIFETIME, NOW, VIP_LIFETIME, ZONE, Seed, wib

I18N = Translator.load()
BOM = b"\xef\xbb\xbf"


def indonesian(key: str) -> str:
    return I18N.t(key, "id")


@pytest.fixture
def exports(uow: UnitOfWorkFactory) -> ExportService:
    return ExportService(uow, FrozenClock(NOW), ZONE, "id")


async def seeded(uow: UnitOfWorkFactory, fill: Callable[[Seed], Awaitable[None]]) -> None:
    """Rows written in one unit of work; Telegram ids count from 5000 in every test."""
    async with uow() as work:
        seed = Seed(work)
        seed.telegram_ids = count(5000)
        await fill(seed)
        await work.commit()


def table(data: bytes) -> list[list[str]]:
    """The file as Excel would split it: header first."""
    assert data.startswith(BOM) and not data.startswith(BOM * 2)
    return list(csv.reader(io.StringIO(data[len(BOM) :].decode("utf-8"), newline="")))


async def last_month(exports: ExportService, kind: ExportKind) -> list[list[str]]:
    file = await exports.export(kind, exports.period(PeriodKind.LAST_MONTH), indonesian)
    return table(file.data)


async def payment(
    seed: Seed,
    member_id: int,
    created: datetime,
    *,
    amount: int = 299_000,
    status: PaymentStatus = PaymentStatus.APPROVED,
    method_id: int | None = None,
) -> int:
    decided = status is PaymentStatus.APPROVED
    return await seed._add(
        models.PaymentRequest(
            member_id=member_id,
            plan_id=VIP_LIFETIME,
            status=status,
            method_id=method_id,
            quote_kind="new",
            list_price=max(amount, 299_000),
            amount=amount,
            quoted_at=created,
            created_at=created,
            updated_at=created,
            decided_at=created + timedelta(minutes=42) if decided else None,
            decided_by=7001 if decided else None,
        )
    )


async def test_payments_of_last_month_are_cut_at_jakarta_midnight_with_plain_numbers(
    exports: ExportService, uow: UnitOfWorkFactory
) -> None:
    async def fill(seed: Seed) -> None:
        ani = await seed.member("Ani Lestari")
        bca = await seed._add(models.PaymentMethod(code="bca", kind="bank", label="BCA"))
        await payment(seed, ani, wib(1, 31, 23, 59))  # still January in Jakarta
        await payment(seed, ani, wib(2, 1, 0, 0), amount=1_250_000, method_id=bca)
        await payment(seed, ani, wib(2, 28, 23, 59), status=PaymentStatus.AWAITING_PROOF)
        await payment(seed, ani, wib(3, 1, 0, 0))  # March already

    await seeded(uow, fill)
    file = await exports.export(
        ExportKind.PAYMENTS, exports.period(PeriodKind.LAST_MONTH), indonesian
    )
    assert file.name == "payments_2026-02.csv" and file.rows == 2
    header, *rows = table(file.data)
    assert header == [
        "ID permintaan", "ID Telegram member", "Nama member", "Paket", "Jumlah (Rp)",
        "Metode", "Status", "Dibuat", "Diputuskan", "Diputuskan oleh (ID Telegram)",
    ]  # fmt: skip
    assert rows == [
        ["2", "5000", "Ani Lestari", "vip_lifetime", "1250000", "BCA", "disetujui",
         "2026-02-01 00:00", "2026-02-01 00:42", "7001"],
        ["3", "5000", "Ani Lestari", "vip_lifetime", "299000", "", "menunggu bukti",
         "2026-02-28 23:59", "", ""],
    ]  # fmt: skip


async def test_members_show_their_plans_tier_and_leader_and_typed_formulas_stay_text(
    exports: ExportService, uow: UnitOfWorkFactory
) -> None:
    async def fill(seed: Seed) -> None:
        leader = await seed.member("Rina Leader", joined=wib(1, 5))
        sneaky = await seed.member('=HYPERLINK("http://x")', joined=wib(2, 3, 9, 15))
        dash = await seed.member("-Budi", joined=wib(2, 4))
        month = await seed.plan("vip_30d", "vip", 30)
        await seed.holds(sneaky, BASIC_LIFETIME, wib(2, 3))
        # Ran out on 7 March (still "active" until the lifecycle job runs): not held now.
        await seed.holds(sneaky, month, wib(2, 5), expires=wib(3, 7, 10, 30))
        await seed.leads(leader, sneaky, wib(2, 3))
        await seed.holds(dash, VIP_LIFETIME, wib(2, 4), ended=wib(2, 20))  # not held now
        row = await seed.work.session.get(models.Member, sneaky)
        assert row is not None
        row.username = "ani_kreator"
        row.last_name = "\tTab"

    await seeded(uow, fill)
    header, *rows = await last_month(exports, ExportKind.MEMBERS)
    assert header[:4] == ["ID member", "ID Telegram", "Nama", "Username Telegram"]
    assert rows == [
        ["2", "5001", "'=HYPERLINK(\"http://x\") \tTab", "ani_kreator", "2026-02-03 09:15",
         "basic", "basic_lifetime", "5000", "Rina Leader"],
        ["3", "5002", "'-Budi", "", "2026-02-04 12:00", "", "", "", ""],
    ]  # fmt: skip


async def test_payouts_and_commissions_of_the_period_with_every_share(
    exports: ExportService, uow: UnitOfWorkFactory
) -> None:
    async def fill(seed: Seed) -> None:
        ani, rina = await seed.members("Ani", "Rina")
        await seed.commission(ani, wib(1, 31, 23, 0), 100_000)  # January: not exported
        await seed.commission(ani, wib(2, 10, 8, 5), 200_000, leader_id=rina)
        await seed.commission(rina, wib(2, 11), 50_000)
        await seed.payout(ani, wib(2, 12, 14, 0), 110_000)
        await seed.payout(ani, wib(3, 1, 0, 1), 1_000)  # March: not exported

    await seeded(uow, fill)
    _, *commissions = await last_month(exports, ExportKind.COMMISSIONS)
    assert commissions == [
        ["2026-02-10", "5000", "Ani", "200000", "110000", "5001", "Rina", "10000", "80000",
         "2026-02-10 08:05"],
        ["2026-02-11", "5001", "Rina", "50000", "27500", "", "", "0", "22500",
         "2026-02-11 12:00"],
    ]  # fmt: skip
    _, *payouts = await last_month(exports, ExportKind.PAYOUTS)
    assert payouts == [["1", "5000", "Ani", "110000", "BCA", "", "2026-02-12 14:00", "1"]]


async def test_an_empty_period_gives_no_file(exports: ExportService) -> None:
    for kind in ExportKind:
        file = await exports.export(kind, exports.period(PeriodKind.THIS_MONTH), indonesian)
        assert file.rows == 0 and file.data == b""


async def test_a_large_export_is_read_in_chunks_without_losing_or_repeating_a_row(
    exports: ExportService, uow: UnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("services.exports.service.CHUNK", 2)

    async def fill(seed: Seed) -> None:
        for n in range(5):
            await seed.member(f"Member {n}", joined=wib(2, 1 + n))
        await seed.member("Too late", joined=wib(3, 1))

    await seeded(uow, fill)
    _, *rows = await last_month(exports, ExportKind.MEMBERS)
    assert [row[2] for row in rows] == [f"Member {n}" for n in range(5)]


async def test_an_english_speaking_admin_gets_english_headers(
    exports: ExportService, uow: UnitOfWorkFactory
) -> None:
    async def fill(seed: Seed) -> None:
        await seed.member("Ani")

    await seeded(uow, fill)
    file = await exports.export(
        ExportKind.MEMBERS,
        exports.custom_period(date(2026, 1, 1), date(2026, 1, 1)),
        lambda key: I18N.t(key, "en"),
    )
    header, row = table(file.data)
    assert header[:3] == ["Member ID", "Telegram ID", "Name"] and row[2] == "Ani"
    assert file.name == "members_2026-01-01_2026-01-01.csv"


@pytest.mark.parametrize(
    ("typed", "days"),
    [
        ("01-11-2026 30-11-2026", (date(2026, 11, 1), date(2026, 11, 30))),
        ("1/11/2026 - 30/11/2026", (date(2026, 11, 1), date(2026, 11, 30))),
        ("dari 2026-11-01 sampai 2026-11-30", (date(2026, 11, 1), date(2026, 11, 30))),
        ("5.11.2026", (date(2026, 11, 5), date(2026, 11, 5))),
    ],
)
def test_typed_days_are_read_in_the_forms_admins_write(typed: str, days: tuple[date, date]) -> None:
    assert parse_days(typed) == days


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("bulan lalu", ExportProblem.NOT_DATES),
        ("01-11-2026 15-11-2026 30-11-2026", ExportProblem.NOT_DATES),
        ("minggu 01-11-2026", ExportProblem.NOT_DATES),
        ("31-02-2026", ExportProblem.BAD_DATE),
    ],
)
def test_what_is_not_a_pair_of_days_is_refused(typed: str, problem: ExportProblem) -> None:
    with pytest.raises(ExportError) as caught:
        parse_days(typed)
    assert caught.value.problem is problem


async def test_reversed_future_and_overlong_periods_are_refused(exports: ExportService) -> None:
    for first, last, problem in (
        (date(2026, 2, 10), date(2026, 2, 1), NumbersProblem.LAST_BEFORE_FIRST),
        (date(2026, 3, 11), date(2026, 3, 12), NumbersProblem.STARTS_IN_FUTURE),
        (date(2025, 1, 1), date(2026, 3, 1), NumbersProblem.TOO_LONG),
    ):
        with pytest.raises(NumbersError) as caught:
            exports.custom_period(first, last)
        assert caught.value.problem is problem
    today = exports.custom_period(date(2026, 3, 10), date(2026, 3, 10))
    assert today.start == wib(3, 10, 0, 0) and today.end == wib(3, 11, 0, 0)


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+62812", "'+62812"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Ani - Toko", "Ani - Toko"),
        ("-", "-"),
        ("", ""),
    ],
)
def test_a_cell_that_starts_like_a_formula_is_shown_as_text(typed: str, written: str) -> None:
    file = CsvFile(["name"])
    file.add([typed, 250_000, None])
    assert table(file.data()) == [["name"], [written, "250000", ""]]
