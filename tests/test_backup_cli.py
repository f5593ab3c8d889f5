"""Backups that restore: `python -m bot backup` copies the database while the bot writes,
`python -m bot restore FILE` refuses a damaged or foreign copy without touching the
database and puts a good one back, the ledger sound; the nightly job tells the admins
when a backup fails. The drill runs on SQLite and on PostgreSQL (pg_dump/pg_restore)."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.backup import make_backup, nightly_backup
from bot.container import build_container
from bot.jobs import build_scheduler
from bot.settings import Settings, load_settings
from services.members import MemberService, TelegramProfile
from storage import backup as copies
from storage.database import create_engine, create_session_factory, is_sqlite, sqlite_file
from storage.models import OutboxMessage
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock
from tests.kit.fake_session import make_bot
from tests.kit.faketelegram import FakeTelegram
from tests.servers import free_port
from tests.services.memberkit import BASIC_LIFETIME, make_setup
from tests.services.reportkit import (
    ADMIN,
    BASIC_CITRA,
    LEADER_LINA,
    VIP_ANI,
    VIP_BUDI,
    make_world,
)
from tests.services.test_payments import proof
from tests.test_check_ledger_cli import check_ledger_cli, earn_and_pay, overdraw

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:TEST-token"
ADMIN_CHAT = -100500
DEWI = 2001
# What the drill compares: money, payments and people.
TABLES = ("members", "memberships", "payment_requests", "reports", "commissions", "payouts",
          "ledger_entries")  # fmt: skip


def cli(*args: str, url: str, backups: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.isupper() or k in ("PATH", "HOME")}
    env = {
        **clean,
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": TOKEN,
        "ADMIN_CHAT_ID": str(ADMIN_CHAT),
        "DATABASE_URL": url,
        "BACKUP_DIR": str(backups),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
    )


async def seed(url: str) -> None:
    """Members with plans, a payment approved by an admin, commissions and a payout."""
    engine = create_engine(url)
    try:
        uow = UnitOfWorkFactory(create_session_factory(engine))
        clock = FrozenClock()
        world = await make_world(uow, clock)
        await world.join(LEADER_LINA, "Lina", "vip_lifetime")
        code = await world.code(LEADER_LINA)
        await world.join(VIP_ANI, "Ani", "vip_lifetime", payload=f"ref_{code}")
        await world.join(VIP_BUDI, "Budi", "vip_lifetime")
        await world.join(BASIC_CITRA, "Citra", "basic_lifetime")
        await earn_and_pay(world)
        setup = make_setup(uow, clock)
        await setup.members.register(TelegramProfile(DEWI, "Dewi"), None)
        await setup.add_method("bca", "BCA", 1)
        view = await setup.payments.start_purchase(DEWI, BASIC_LIFETIME, None)
        method = (await setup.payments.methods())[0]
        view, _ = await setup.payments.choose_method(DEWI, view.id, method.id)
        await setup.payments.attach_proof(DEWI, proof(1))
        assert (await setup.payments.approve(view.id, ADMIN)).applied
    finally:
        await engine.dispose()


async def read_rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            found = {}
            for table in TABLES:
                result = await connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))
                found[table] = [tuple(row) for row in result]
            return found
    finally:
        await engine.dispose()


def rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    return asyncio.run(read_rows(url))


@contextmanager
def writing(url: str) -> Iterator[list[int]]:
    """Members keep registering (the bot at work) until the block ends; yields the ids."""
    stop = threading.Event()
    written: list[int] = []

    async def write() -> None:
        engine = create_engine(url)
        try:
            members = MemberService(UnitOfWorkFactory(create_session_factory(engine)),
                                    FrozenClock(), "id")  # fmt: skip
            while not stop.is_set() or not written:
                telegram_id = 50_000 + len(written)
                await members.register(TelegramProfile(telegram_id, f"W{len(written)}"), None)
                written.append(telegram_id)
        finally:
            await engine.dispose()

    thread = threading.Thread(target=lambda: asyncio.run(write()))
    thread.start()
    while len(written) < 3 and thread.is_alive():  # the writer is under way
        stop.wait(0.01)
    try:
        yield written
    finally:
        stop.set()
        thread.join(60)


def flip_bytes(source: Path, target: Path) -> None:
    """A copy with a block in the middle flipped (a bad disk sector, a torn transfer)."""
    data = bytearray(source.read_bytes())
    size, start = 4096, (len(data) // 2) // 4096 * 4096
    if source.suffix == ".db":  # the members table's first page, not a free one
        with sqlite3.connect(source) as connection:
            size = connection.execute("PRAGMA page_size").fetchone()[0]
            root = connection.execute(
                "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'members'"
            ).fetchone()[0]
        connection.close()
        start = (root - 1) * size
    for i in range(start, min(start + size, len(data))):
        data[i] ^= 0xFF
    target.write_bytes(bytes(data))


def only_copy(backups: Path) -> Path:
    found = [p for p in backups.iterdir() if copies.COPY_NAME.match(p.name)]
    assert len(found) == 1, found
    return found[0]


async def drop_aside_databases(url: str) -> None:
    live = make_url(url).database or ""
    engine = create_engine(make_url(url).set(database="postgres").render_as_string(False))
    try:
        async with engine.connect() as connection:
            names = (
                await connection.execute(
                    text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                    {"p": f"{live}_before_restore_%"},
                )
            ).scalars()
            found = list(names)
    finally:
        await engine.dispose()
    for name in found:
        await copies.pg_drop(url, name)


def test_restore_drill_a_damaged_copy_is_refused_and_a_good_one_restores_the_data(
    db_url: str, tmp_path: Path
) -> None:
    backups = tmp_path / "backups"
    asyncio.run(seed(db_url))
    seeded = rows(db_url)
    assert all(seeded[t] for t in TABLES), "the seed must fill every compared table"

    with writing(db_url) as written:
        before_backup = len(written)
        made = cli("backup", url=db_url, backups=backups, cwd=tmp_path)
        during_backup = len(written) - before_backup
    assert made.returncode == 0, made.stdout + made.stderr
    assert during_backup > 0, "the bot kept writing while the backup ran"
    copy = only_copy(backups)
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    assert copy.name.startswith(f"membership-{stamp}-")
    assert copy.suffix == (".db" if is_sqlite(db_url) else ".dump")
    assert f"OK: backup written to {copy}" in made.stdout
    assert not [p for p in backups.iterdir() if p.name.endswith(".partial")]
    live_after_writer = rows(db_url)

    # A damaged copy: refused, nothing replaced, nothing saved aside.
    damaged = tmp_path / f"damaged{copy.suffix}"
    flip_bytes(copy, damaged)
    live_file = sqlite_file(db_url)
    before_bytes = live_file.read_bytes() if live_file else None
    refused = cli("restore", str(damaged), url=db_url, backups=backups, cwd=tmp_path)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "FAILED:" in refused.stdout
    assert "NOT restored" in refused.stdout
    assert rows(db_url) == live_after_writer
    if live_file is not None:
        assert live_file.read_bytes() == before_bytes
    assert [p.name for p in backups.iterdir()] == [copy.name]

    # The good copy: checked, the current database saved aside, then put in place.
    try:
        restored = cli("restore", str(copy), url=db_url, backups=backups, cwd=tmp_path)
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "OK: no breach found" in restored.stdout
        assert "OK: restored" in restored.stdout
        assert "kept" in restored.stdout
        back = rows(db_url)
        for table in TABLES:
            if table != "members":  # the writer only added members
                assert back[table] == seeded[table], table
        assert set(seeded["members"]) <= set(back["members"]) <= set(live_after_writer["members"])
        if live_file is not None:
            assert back == rows(f"sqlite+aiosqlite:///{copy}")
            assert any(p.name.startswith("before-restore-") for p in backups.iterdir())
        ledger = check_ledger_cli(live_file or Path("-"), cwd=tmp_path, url=db_url)
        assert ledger.returncode == 0, ledger.stdout + ledger.stderr
        assert "OK: no breach found" in ledger.stdout
    finally:
        if live_file is None:
            asyncio.run(drop_aside_databases(db_url))


@pytest.fixture
def sqlite_db(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "bot.db"
    shutil.copyfile(sqlite_template, path)
    asyncio.run(seed(f"sqlite+aiosqlite:///{path}"))
    return f"sqlite+aiosqlite:///{path}"


def a_copy(url: str, tmp_path: Path) -> Path:
    target = tmp_path / "copy.db"
    copies.sqlite_copy(sqlite_file(url) or Path("-"), target)
    return target


def test_a_copy_made_by_a_newer_bot_is_refused_and_nothing_is_replaced(
    sqlite_db: str, tmp_path: Path
) -> None:
    copy = a_copy(sqlite_db, tmp_path)
    with sqlite3.connect(copy) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    before = rows(sqlite_db)
    result = cli("restore", str(copy), url=sqlite_db, backups=tmp_path / "b", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "9999_future is unknown to this code" in result.stdout
    assert "newer version of the bot" in result.stdout
    assert rows(sqlite_db) == before
    assert not (tmp_path / "b").exists()


def test_a_copy_whose_money_does_not_add_up_is_refused(sqlite_db: str, tmp_path: Path) -> None:
    copy = a_copy(sqlite_db, tmp_path)

    async def break_it() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{copy}")
        try:
            world = await make_world(UnitOfWorkFactory(create_session_factory(engine)),
                                     FrozenClock())  # fmt: skip
            await overdraw(world)
        finally:
            await engine.dispose()

    asyncio.run(break_it())
    before = rows(sqlite_db)
    result = cli("restore", str(copy), url=sqlite_db, backups=tmp_path / "b", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BREACH:" in result.stdout and "paid out more than earned" in result.stdout
    assert "NOT restored" in result.stdout
    assert rows(sqlite_db) == before


def test_an_older_copy_is_upgraded_to_this_codes_schema_when_restored(
    sqlite_db: str, tmp_path: Path
) -> None:
    from storage.migrate import downgrade_on

    copy = a_copy(sqlite_db, tmp_path)
    head = copies.judge_revision(None).head
    script_previous = "0011"

    async def downgrade() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{copy}")
        try:
            async with engine.begin() as connection:
                await downgrade_on(connection, script_previous)
        finally:
            await engine.dispose()

    asyncio.run(downgrade())
    result = cli("restore", str(copy), url=sqlite_db, backups=tmp_path / "b", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"schema revision {script_previous}, upgraded to {head}" in result.stdout
    assert asyncio.run(copies.read_revision(sqlite_db)) == head


def test_restore_refuses_while_the_bot_has_the_database_open(
    sqlite_db: str, tmp_path: Path
) -> None:
    copy = a_copy(sqlite_db, tmp_path)
    live = sqlite_file(sqlite_db)
    assert live is not None
    # Read first: closing a file this process opened would drop its SQLite locks.
    before = live.read_bytes()
    bot = sqlite3.connect(live)  # as the running bot's idle connection
    try:
        bot.execute("PRAGMA journal_mode=WAL")
        bot.execute("SELECT count(*) FROM members").fetchone()
        result = cli("restore", str(copy), url=sqlite_db, backups=tmp_path / "b", cwd=tmp_path)
    finally:
        bot.close()
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Stop the bot first" in result.stderr
    assert live.read_bytes() == before


def test_restore_without_a_file_or_of_a_missing_file_is_a_usage_error(
    sqlite_db: str, tmp_path: Path
) -> None:
    bare = cli("restore", url=sqlite_db, backups=tmp_path / "b", cwd=tmp_path)
    assert bare.returncode == 2 and "restore FILE" in bare.stderr
    missing = cli("restore", "nope.db", url=sqlite_db, backups=tmp_path / "b", cwd=tmp_path)
    assert missing.returncode == 2 and "is not a file" in missing.stderr


def test_a_backup_of_a_sqlite_file_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    result = cli("backup", url=f"sqlite+aiosqlite:///{missing}", backups=tmp_path / "b",
                 cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2
    assert "Refusing to backup" in result.stderr and "does not exist" in result.stderr
    assert not missing.exists() and not (tmp_path / "b").exists()


def test_a_failed_postgresql_backup_names_no_password_and_leaves_no_file(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://bot:s3cret-Pass@127.0.0.1:{free_port()}/members"
    result = cli("backup", url=url, backups=tmp_path / "b", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Backup FAILED: pg_dump failed" in result.stderr
    assert "s3cret" not in result.stdout + result.stderr
    assert "postgresql+asyncpg://bot:***@127.0.0.1" in result.stdout
    assert list((tmp_path / "b").iterdir()) == []


def settings_for(url: str, backups: Path, **more: str) -> Settings:
    return load_settings(_env_file=None, BOT_TOKEN=TOKEN, ADMIN_CHAT_ID=str(ADMIN_CHAT),
                         DATABASE_URL=url, BACKUP_DIR=str(backups), **more)  # fmt: skip


def test_a_missing_pg_dump_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(copies, "find_pg_tool", lambda _name: None)
    settings = settings_for("postgresql+asyncpg://bot@localhost/members", tmp_path / "b")
    with pytest.raises(copies.BackupError, match="pg_dump not found: install the PostgreSQL"):
        make_backup(settings, datetime(2026, 3, 1, tzinfo=UTC))


def test_only_the_newest_backup_keep_copies_stay(sqlite_db: str, tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "before-restore-20260101-000000.db").write_bytes(b"kept by hand")
    (backups / "notes.txt").write_text("mine")
    settings = settings_for(sqlite_db, backups, BACKUP_KEEP="2")
    for day in (1, 2, 3):
        make_backup(settings, datetime(2026, 3, day, 20, 15, tzinfo=UTC))
    same_second, _ = make_backup(settings, datetime(2026, 3, 3, 20, 15, tzinfo=UTC))
    assert same_second.name == "membership-20260303-201500-2.db"
    assert sorted(p.name for p in backups.iterdir()) == [
        "before-restore-20260101-000000.db",
        "membership-20260303-201500-2.db",
        "membership-20260303-201500.db",
        "notes.txt",
    ]


async def test_the_nightly_job_runs_at_backup_time_and_tells_the_admins_once_when_it_fails(
    sqlite_db: str, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the backup folder should be")
    core = FakeTelegram()
    settings = load_settings(_env_file=None, BOT_TOKEN=core.token, ADMIN_CHAT_ID=str(ADMIN_CHAT),
                             DATABASE_URL=sqlite_db, BACKUP_DIR=str(blocker / "backups"),
                             BACKUP_TIME="02:45")  # fmt: skip
    container = build_container(settings, bot=make_bot(core), clock=FrozenClock())
    try:
        job = build_scheduler(container).get_job("nightly-backup")
        assert job is not None and job.func.__wrapped__ is nightly_backup
        fields = {f.name: str(f) for f in job.trigger.fields}
        assert (fields["hour"], fields["minute"]) == ("2", "45")
        assert str(job.trigger.timezone) == "Asia/Jakarta"

        assert await nightly_backup(container) is None
        assert await nightly_backup(container) is None  # the same night again: no second alert
        async with container.uow() as work:
            from sqlalchemy import select

            alerts = list(
                (
                    await work.session.execute(
                        select(OutboxMessage).where(OutboxMessage.chat_id == ADMIN_CHAT)
                    )
                ).scalars()
            )
        assert [a.text_key for a in alerts] == ["backup.failed"]
        shown = container.i18n.t("backup.failed", "id", **alerts[0].params)
        assert "GAGAL" in shown and str(blocker) in shown
        assert "sqlite+aiosqlite" not in shown and "Not a directory" in shown
    finally:
        await container.close()


async def test_the_nightly_job_writes_a_copy_and_alerts_nobody_when_it_works(
    sqlite_db: str, tmp_path: Path
) -> None:
    core = FakeTelegram()
    settings = settings_for(sqlite_db, tmp_path / "backups")
    container = build_container(settings, bot=make_bot(core), clock=FrozenClock())
    try:
        made = await nightly_backup(container)
        assert made is not None and made.parent == tmp_path / "backups"
        assert copies.sqlite_integrity(made) is None
        async with container.uow() as work:
            found = await work.session.execute(
                text("SELECT count(*) FROM outbox WHERE chat_id = :c"), {"c": ADMIN_CHAT}
            )
            assert found.scalar_one() == 0
    finally:
        await container.close()


# --- review findings: a damaged live database, the swap race, names, modes, hangs -----


def damage(live: Path, how: str) -> None:
    if how == "garbage":
        live.write_bytes(b"\0" * 8192)
    else:  # a bad sector in the members table
        flip_bytes(live, live)


@pytest.mark.parametrize("how", ["garbage", "flip"])
def test_a_damaged_live_database_is_replaced_and_its_files_are_kept_as_they_were(
    sqlite_db: str, tmp_path: Path, how: str
) -> None:
    copy = a_copy(sqlite_db, tmp_path)
    live = sqlite_file(sqlite_db)
    assert live is not None
    damage(live, how)
    broken = live.read_bytes()
    backups = tmp_path / "b"
    result = cli("restore", str(copy), url=sqlite_db, backups=backups, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: restored" in result.stdout
    assert "WARNING: the database it replaced was damaged" in result.stdout
    kept = [p for p in backups.iterdir() if p.name.startswith("before-restore-")]
    assert [p.name.endswith("-damaged.db") for p in kept] == [True]
    assert kept[0].read_bytes() == broken
    assert rows(sqlite_db) == rows(f"sqlite+aiosqlite:///{copy}")


def run_restore(settings: Settings, copy: Path, now: datetime) -> int:
    from bot.__main__ import check_ledger_command
    from bot.backup import restore_command

    return restore_command(settings, copy, now, lambda url: asyncio.run(check_ledger_command(url)))


WRITER = """
import sqlite3, sys
try:
    connection = sqlite3.connect(sys.argv[1], timeout=0, isolation_level=None)
    connection.execute("CREATE TABLE late_writes (what TEXT)")
    print("written")
except sqlite3.Error as error:
    print(f"refused: {error}")
"""


def test_a_bot_started_during_the_swap_cannot_write_into_the_database_being_replaced(
    sqlite_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = a_copy(sqlite_db, tmp_path)
    live = sqlite_file(sqlite_db)
    assert live is not None
    attempts: list[str] = []
    replace = copies.sqlite_replace

    def bot_starts_then_replace(scratch: Path, target: Path) -> None:
        started = subprocess.run([sys.executable, "-c", WRITER, str(target)],
                                 capture_output=True, text=True, timeout=60)  # fmt: skip
        attempts.append(started.stdout.strip() + started.stderr)
        replace(scratch, target)

    monkeypatch.setattr(copies, "sqlite_replace", bot_starts_then_replace)
    backups = tmp_path / "b"
    assert run_restore(settings_for(sqlite_db, backups), copy, datetime.now(UTC)) == 0
    assert len(attempts) == 1 and attempts[0].startswith("refused: database is locked")
    assert rows(sqlite_db) == rows(f"sqlite+aiosqlite:///{copy}")


def test_the_restored_file_keeps_the_live_files_mode_and_copies_are_private(
    sqlite_db: str, tmp_path: Path
) -> None:
    live = sqlite_file(sqlite_db)
    assert live is not None
    os.chmod(live, 0o640)
    backups = tmp_path / "b"
    made, _ = make_backup(settings_for(sqlite_db, backups), datetime(2026, 3, 1, tzinfo=UTC))
    assert made.stat().st_mode & 0o777 == 0o600
    result = cli("restore", str(made), url=sqlite_db, backups=backups, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert live.stat().st_mode & 0o777 == 0o640
    aside = [p for p in backups.iterdir() if p.name.startswith("before-restore-")]
    assert [p.stat().st_mode & 0o777 for p in aside] == [0o600]


def test_two_restores_in_the_same_second_keep_both_databases_saved_aside(
    sqlite_db: str, tmp_path: Path
) -> None:
    copy = a_copy(sqlite_db, tmp_path)
    settings = settings_for(sqlite_db, tmp_path / "b")
    now = datetime(2026, 3, 1, 20, 15, tzinfo=UTC)
    assert run_restore(settings, copy, now) == 0
    assert run_restore(settings, copy, now) == 0
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == [
        "before-restore-20260301-201500-2.db",
        "before-restore-20260301-201500.db",
    ]


def test_a_killed_backups_leftover_is_removed_by_the_next_backup(
    sqlite_db: str, tmp_path: Path
) -> None:
    backups = tmp_path / "b"
    backups.mkdir()
    leftover = backups / ".membership-20260228-201500.db.partial"
    leftover.write_bytes(b"half a copy")
    make_backup(settings_for(sqlite_db, backups), datetime(2026, 3, 1, tzinfo=UTC))
    assert not leftover.exists()
    assert [p.name for p in backups.iterdir() if p.name.endswith(".db")] == [
        "membership-20260301-000000.db"
    ]


def test_a_second_backup_into_the_same_folder_at_the_same_time_is_refused(
    sqlite_db: str, tmp_path: Path
) -> None:
    backups = tmp_path / "b"
    with copies.backup_lock(backups), pytest.raises(copies.BackupError, match="another backup"):
        make_backup(settings_for(sqlite_db, backups), datetime(2026, 3, 1, tzinfo=UTC))
    assert list(backups.iterdir()) == []


def test_a_hung_pg_dump_is_stopped_and_reported_as_a_failed_backup(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    tool = tmp_path / "pg_dump"
    tool.write_text(f'#!/bin/sh\necho "$@" > {tmp_path}/args\nexec sleep 60\n')
    tool.chmod(0o755)
    monkeypatch.setattr(copies, "find_pg_tool", lambda _name: str(tool))
    monkeypatch.setattr(copies, "PG_DUMP_TIMEOUT_S", 1)
    backups = tmp_path / "b"
    settings = settings_for("postgresql+asyncpg://bot:pw@localhost/members", backups)
    with pytest.raises(copies.BackupError, match="pg_dump did not finish within 1 s"):
        make_backup(settings, datetime(2026, 3, 1, tzinfo=UTC))
    assert "--lock-wait-timeout=" in (tmp_path / "args").read_text()
    assert list(backups.iterdir()) == []


def test_a_failed_swap_says_what_the_server_said_without_the_password() -> None:
    class Driver(Exception):
        pass

    class Wrapped(Exception):
        orig = Driver('database "members" is being accessed by other users (pw s3cret)')

    url = "postgresql+asyncpg://bot:s3cret@localhost/members"
    shown = copies.describe(Wrapped("ALTER DATABASE ..."), url)
    assert shown == 'Driver: database "members" is being accessed by other users (pw ***)'


def test_postgresql_restore_names_never_collide_even_for_a_63_byte_name() -> None:
    now = datetime(2026, 3, 1, 20, 15, tzinfo=UTC)
    for live in ("m" * 63, "é" * 40, "members"):
        scratch, aside = copies.pg_restore_names(live, now)
        assert scratch.startswith("restore_check_") and len(scratch.encode()) <= 63
        assert aside.endswith("_before_restore_20260301-201500") and len(aside.encode()) <= 63
        assert len({copies.pg_name(live), copies.pg_name(scratch), copies.pg_name(aside)}) == 3


def pg_database(request: pytest.FixtureRequest, name: str) -> Iterator[str]:
    server_url: str = request.getfixturevalue("postgres_server_url")
    template: str = request.getfixturevalue("postgres_template")
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    asyncio.run(copies.pg_admin(url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield url
    finally:
        asyncio.run(copies.pg_drop(url, name))
        asyncio.run(drop_aside_databases(url))


@pytest.fixture
def long_pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A PostgreSQL database whose name is 63 bytes long, the most PostgreSQL keeps."""
    yield from pg_database(request, f"membot_long_{os.getpid()}_".ljust(63, "x"))


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    yield from pg_database(request, f"membot_restore_{os.getpid()}")


async def scratch_databases(url: str) -> list[str]:
    engine = create_engine(make_url(url).set(database="postgres").render_as_string(False))
    try:
        async with engine.connect() as connection:
            found = await connection.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE '%restore_check%'")
            )
            return list(found.scalars())
    finally:
        await engine.dispose()


@pytest.mark.postgres
def test_a_postgresql_database_with_a_63_byte_name_is_restored_not_dropped(
    long_pg_url: str, tmp_path: Path
) -> None:
    asyncio.run(seed(long_pg_url))
    seeded = rows(long_pg_url)
    backups = tmp_path / "b"
    made, _ = make_backup(settings_for(long_pg_url, backups), datetime.now(UTC))
    result = cli("restore", str(made), url=long_pg_url, backups=backups, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert rows(long_pg_url) == seeded
    assert "kept as the database membot_long_" in result.stdout


@pytest.mark.postgres
def test_a_postgresql_check_that_crashes_leaves_no_scratch_database(
    pg_url: str, tmp_path: Path
) -> None:
    from bot.backup import restore_command

    settings = settings_for(pg_url, tmp_path / "b")
    made, _ = make_backup(settings, datetime.now(UTC))
    before = asyncio.run(scratch_databases(pg_url))

    def crash(_url: str) -> int:
        raise RuntimeError("the ledger check crashed")

    with pytest.raises(RuntimeError, match="crashed"):
        restore_command(settings, made, datetime.now(UTC), crash)
    assert asyncio.run(scratch_databases(pg_url)) == before
    assert rows(pg_url)["members"] == []


KILLED_BOT = """
import os, sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("PRAGMA wal_autocheckpoint=0")
connection.execute("CREATE TABLE last_writes (what TEXT)")
connection.execute("INSERT INTO last_writes VALUES ('Last')")
os._exit(0)  # killed: the row is only in the write-ahead log
"""


def test_the_database_saved_aside_keeps_what_a_killed_bot_left_in_its_log(
    sqlite_db: str, tmp_path: Path
) -> None:
    copy = a_copy(sqlite_db, tmp_path)
    live = sqlite_file(sqlite_db)
    assert live is not None
    subprocess.run([sys.executable, "-c", KILLED_BOT, str(live)], check=True, timeout=60)
    assert Path(f"{live}-wal").stat().st_size > 0
    backups = tmp_path / "b"
    assert run_restore(settings_for(sqlite_db, backups), copy, datetime.now(UTC)) == 0
    (aside,) = backups.iterdir()
    with sqlite3.connect(aside) as connection:
        found = connection.execute("SELECT what FROM last_writes")
        assert found.fetchall() == [("Last",)]
    connection.close()
    assert not Path(f"{live}-wal").exists() or Path(f"{live}-wal").stat().st_size == 0


def test_a_restore_that_cannot_save_the_database_aside_replaces_nothing(
    sqlite_db: str, tmp_path: Path
) -> None:
    copy = a_copy(sqlite_db, tmp_path)
    live = sqlite_file(sqlite_db)
    assert live is not None
    before = live.read_bytes()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the backup folder should be")
    result = cli("restore", str(copy), url=sqlite_db, backups=blocker / "b", cwd=tmp_path)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "Restore FAILED" in result.stderr and "was not replaced" in result.stderr
    assert live.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".restore-")]
