"""`python -m bot check-ledger`: prints what it checked, "OK" and exit 0 on a sound
ledger; a "BREACH: ..." line per problem and exit 1 otherwise (SPEC "Balances and
payouts": a payout never exceeds what is available; a report produces at most one
commission)."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot.__main__ import missing_database
from storage.database import create_engine, create_session_factory, describe_database
from storage.models import Commission
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock
from tests.services.reportkit import (
    ADMIN,
    BASIC_CITRA,
    LEADER_LINA,
    VIP_ANI,
    VIP_BUDI,
    World,
    make_world,
)

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:TEST-token"
COUNTS = re.compile(
    r"Checked (\d+) commission\(s\), (\d+) validated report\(s\), (\d+) payout\(s\), "
    r"(\d+) ledger entr\(ies\) across (\d+) member balance\(s\):"
)


def check_ledger_cli(
    database: Path, cwd: Path, *, url: str | None = None
) -> subprocess.CompletedProcess[str]:
    # Upper-case variables of the calling shell (a developer's DATABASE_URL...) stay out;
    # cwd is a fresh folder, so no .env is read either.
    clean = {k: v for k, v in os.environ.items() if not k.isupper() or k in ("PATH", "HOME")}
    env = {
        **clean,
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": TOKEN,
        "ADMIN_CHAT_ID": "-100",
        "DATABASE_URL": url or f"sqlite+aiosqlite:///{database}",
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "check-ledger"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def counts(output: str) -> tuple[int, ...]:
    found = COUNTS.search(output)
    assert found, output
    return tuple(int(g) for g in found.groups())


def with_world(database: Path, steps: Callable[[World], Awaitable[None]]) -> None:
    async def go() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{database}")
        try:
            world = await make_world(
                UnitOfWorkFactory(create_session_factory(engine)), FrozenClock()
            )
            await world.join(LEADER_LINA, "Lina", "vip_lifetime")
            code = await world.code(LEADER_LINA)
            await world.join(VIP_ANI, "Ani", "vip_lifetime", payload=f"ref_{code}")
            await world.join(VIP_BUDI, "Budi", "vip_lifetime")
            await world.join(BASIC_CITRA, "Citra", "basic_lifetime")
            await steps(world)
        finally:
            await engine.dispose()

    asyncio.run(go())


async def earn_and_pay(world: World) -> None:
    """Ani (led by Lina) earns 55.000 + Lina 5.000; Budi (no leader) 55.000; Citra (Basic)
    is validated without a commission; Ani is paid 20.000."""
    for who in (VIP_ANI, VIP_BUDI, BASIC_CITRA):
        outcome = await world.reports.validate(await world.report(who, 100_000), 1, ADMIN)
        assert outcome.applied
    paid = await world.ledger.payout(await world.member_id(VIP_ANI), 20_000, "BCA", None, ADMIN)
    assert paid.available_after == 35_000


@pytest.fixture
def database(sqlite_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "bot.db"
    shutil.copyfile(sqlite_template, path)
    return path


def test_an_empty_database_is_checked_and_ok(database: Path, tmp_path: Path) -> None:
    result = check_ledger_cli(database, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"Database: sqlite+aiosqlite:///{database}" in result.stdout
    assert counts(result.stdout) == (0, 0, 0, 0, 0)
    for checked in (
        "each commission's shares sum to its total and match its ledger entries",
        "no report has two commissions",
        "no balance is ever negative",
        "payouts never exceed earnings",
    ):
        assert f"  - {checked}" in result.stdout
    assert "OK: no breach found" in result.stdout
    assert "BREACH" not in result.stdout


def test_real_commissions_and_a_payout_are_ok_and_counted(database: Path, tmp_path: Path) -> None:
    with_world(database, earn_and_pay)
    result = check_ledger_cli(database, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    # 2 commissions (Citra is Basic), 3 validated reports, 1 payout,
    # 4 entries (Ani's share, Lina's share, Budi's share, Ani's payout), 3 balances.
    assert counts(result.stdout) == (2, 3, 1, 4, 3)
    assert "OK: no breach found" in result.stdout


def test_a_database_that_does_not_exist_is_refused_and_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "data" / "typo.db"
    result = check_ledger_cli(missing, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Refusing to check-ledger: the SQLite database")
    assert str(missing) in lines[0] and "does not exist" in lines[0]
    assert "OK" not in result.stdout and "Checked" not in result.stdout
    assert not missing.exists() and not missing.parent.exists()


def test_a_relative_url_means_the_project_folder_whatever_the_cwd(
    database: Path, tmp_path: Path
) -> None:
    """Run from another folder (as the operator did), a relative path still names the
    file under the project folder, not a new empty one beside the cwd."""
    with_world(database, earn_and_pay)
    relative = os.path.relpath(database, ROOT)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = check_ledger_cli(database, cwd=elsewhere, url=f"sqlite+aiosqlite:///{relative}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Database: sqlite+aiosqlite:///{ROOT / relative}" in result.stdout
    assert counts(result.stdout) == (2, 3, 1, 4, 3)  # the real ledger, not an empty one
    assert list(elsewhere.iterdir()) == []


def test_the_database_is_named_without_its_password() -> None:
    url = "postgresql+asyncpg://bot:s3cret-Pass@db.example:5432/members?ssl=require"
    shown = describe_database(url)
    assert shown == "postgresql+asyncpg://bot:***@db.example:5432/members?ssl=require"
    assert "s3cret" not in shown
    # PostgreSQL is simply connected to: only a SQLite file that is missing is refused.
    assert missing_database(url) is None


async def overdraw(world: World) -> None:
    """An extra payout with its matching entry, larger than what Ani ever earned."""
    async with world.uow() as work:
        ani = await world.member_id(VIP_ANI)
        await work.session.execute(
            text(
                "INSERT INTO payouts (member_id, amount, method, created_by, created_at) "
                "VALUES (:m, 1000000, 'cash', 1, '2026-01-10 03:00:00.000000')"
            ),
            {"m": ani},
        )
        payout_id = (await work.session.execute(text("SELECT max(id) FROM payouts"))).scalar()
        await work.session.execute(
            text(
                "INSERT INTO ledger_entries (member_id, kind, amount, payout_id, created_at) "
                "VALUES (:m, 'payout', -1000000, :p, '2026-01-10 03:00:00.000000')"
            ),
            {"m": ani, "p": payout_id},
        )
        await work.commit()


async def leader_share_out_of_thin_air(world: World) -> None:
    """A leader share entry on Budi's commission, which had no leader."""
    async with world.uow() as work:
        budi = await world.member_id(VIP_BUDI)
        lina = await world.member_id(LEADER_LINA)
        commission_id = (
            await work.session.execute(select(Commission.id).where(Commission.member_id == budi))
        ).scalar_one()
        await work.session.execute(
            text(
                "INSERT INTO ledger_entries (member_id, kind, amount, commission_id, created_at) "
                "VALUES (:m, 'leader_share', 5000, :c, '2026-01-10 03:00:00.000000')"
            ),
            {"m": lina, "c": commission_id},
        )
        await work.commit()


@pytest.mark.parametrize(
    ("corrupt", "expected"),
    [
        (overdraw, ["balance negative", "paid out more than earned"]),
        (leader_share_out_of_thin_air, ["leader_share entry does not match"]),
    ],
    ids=["payout-larger-than-earnings", "leader-share-without-a-leader"],
)
def test_a_corruption_is_reported_as_a_breach_with_exit_1(
    database: Path,
    tmp_path: Path,
    corrupt: Callable[[World], Awaitable[None]],
    expected: list[str],
) -> None:
    async def steps(world: World) -> None:
        await earn_and_pay(world)
        await corrupt(world)

    with_world(database, steps)
    result = check_ledger_cli(database, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    breaches = [line for line in result.stdout.splitlines() if line.startswith("BREACH")]
    assert breaches, result.stdout
    for words in expected:
        assert any(words in line for line in breaches), breaches
    assert f"{len(breaches)} breach(es) found" in result.stdout
    assert "OK" not in result.stdout
