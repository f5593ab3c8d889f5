"""`python -m bot backup`, `python -m bot restore FILE` and the nightly backup job.

A backup is an online copy taken while the bot runs (storage/backup.py), kept in
BACKUP_DIR as `membership-YYYYMMDD-HHMMSS.db` (SQLite) or `.dump` (PostgreSQL), the
time in UTC; the newest BACKUP_KEEP stay. A restore checks the copy first, on a scratch
copy: SQLite's integrity check (or pg_restore into a scratch database), a schema
revision this code knows (an older one is upgraded), and the money invariants of
check-ledger. Only a copy that passes replaces the database, after the current one is
saved aside (a live SQLite file SQLite cannot read is kept byte for byte, `-damaged`).
Exit codes: 0 done, 1 the copy failed a check (nothing replaced), 2 usage, settings, or
the bot still running, 3 a step of the restore itself failed (disk, permissions; the
database was not replaced).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import sqlite3
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.settings import Settings
from kernel.notices import Notice
from storage import backup as copies
from storage.database import describe_database, is_sqlite
from storage.migrate import upgrade

if TYPE_CHECKING:
    from bot.container import Container

log = logging.getLogger(__name__)
# Runs `python -m bot check-ledger` on a database URL, printing it; 0 when sound.
LedgerCheck = Callable[[str], int]


def make_backup(settings: Settings, now: datetime) -> tuple[Path, list[Path]]:
    """One copy of the bot's database into BACKUP_DIR, then the oldest beyond BACKUP_KEEP
    deleted. Returns (the copy, the deleted ones); raises BackupError."""
    folder = settings.backup_folder
    if is_sqlite(settings.DATABASE_URL):
        source = settings.sqlite_path()
        if source is None:
            raise copies.BackupError("an in-memory database cannot be backed up")
        made = copies.sqlite_backup(source, folder, now)
    else:
        made = copies.pg_backup(settings.DATABASE_URL, folder, now)
    return made, copies.prune(folder, settings.BACKUP_KEEP)


async def nightly_backup(container: Container) -> Path | None:
    """The scheduled backup. A failure is logged and told to the admin group once a day
    (what failed, never the database URL or a password); the job itself never raises."""
    settings = container.settings
    now = container.clock.now()
    try:
        made, deleted = await asyncio.to_thread(make_backup, settings, now)
    except Exception as error:
        reason = str(error) if isinstance(error, copies.BackupError | OSError) else repr(error)
        log.error("Nightly backup failed: %s", reason)
        await alert_backup_failed(container, reason, now)
        return None
    log.info("Backup written: %s (%s older copie(s) deleted)", made.name, len(deleted))
    return made


async def alert_backup_failed(container: Container, reason: str, now: datetime) -> bool:
    day = now.astimezone(container.settings.zone).date().isoformat()
    notice = Notice(
        chat_id=container.settings.ADMIN_CHAT_ID,
        text_key="backup.failed",
        language=container.i18n.default,
        params={"reason": reason[:300], "folder": str(container.settings.backup_folder)},
        dedupe_key=f"backup-failed:{day}",
    )
    async with container.uow() as uow:
        queued: bool = await uow.outbox.enqueue(notice, now)
        await uow.commit()
    if queued:
        container.relay.wake()
    return queued


def backup_command(settings: Settings, now: datetime) -> int:
    print(f"Database: {describe_database(settings.DATABASE_URL)}")
    try:
        made, deleted = make_backup(settings, now)
    except copies.BackupError as error:
        print(f"Backup FAILED: {error}", file=sys.stderr)
        return 1
    print(f"OK: backup written to {made} ({made.stat().st_size} bytes)")
    for path in deleted:
        print(f"  deleted the old copy {path.name} (BACKUP_KEEP={settings.BACKUP_KEEP})")
    return 0


def check_copy(url: str, check_ledger: LedgerCheck) -> list[str]:
    """The schema revision and the money invariants of a restored scratch database
    (upgraded to this code's schema when older). Problems found; empty when it passes."""
    revision = copies.judge_revision(asyncio.run(copies.read_revision(url)))
    if revision.found is None:
        return ["it has no migration record: not a copy of this bot's database"]
    if not revision.known:
        return [
            f"its schema revision {revision.found} is unknown to this code (newest "
            f"{revision.head}): it was made by a newer version of the bot; update the code "
            "first"
        ]
    if revision.current:
        print(f"OK: schema revision {revision.found} (current)")
    else:
        upgrade(url)
        print(f"OK: schema revision {revision.found}, upgraded to {revision.head}")
    print("Money invariants (check-ledger) of the copy:")
    if check_ledger(url) != 0:
        return ["the money invariants do not hold (see BREACH above)"]
    return []


def restore_command(
    settings: Settings, file: Path, now: datetime, check_ledger: LedgerCheck
) -> int:
    print(f"Database: {describe_database(settings.DATABASE_URL)}")
    if not file.is_file():
        print(f"Refusing to restore: {file} is not a file", file=sys.stderr)
        return 2
    if is_sqlite(settings.DATABASE_URL):
        return _restore_sqlite(settings, file, now, check_ledger)
    return _restore_postgres(settings, file, now, check_ledger)


def _failed(problems: list[str]) -> int:
    for problem in problems:
        print(f"FAILED: {problem}")
    print("The copy was NOT restored; the database was not touched.")
    return 1


def _unfinished(error: object) -> int:
    print(f"Restore FAILED: {error}", file=sys.stderr)
    print("The restore could not finish; the database was not replaced.", file=sys.stderr)
    return 3


def _restore_sqlite(
    settings: Settings, file: Path, now: datetime, check_ledger: LedgerCheck
) -> int:
    live = settings.sqlite_path()
    if live is None:
        print("Refusing to restore: DATABASE_URL is an in-memory database", file=sys.stderr)
        return 2
    if copies.sqlite_in_use(live):
        print(
            f"Refusing to restore: another process has {live} open. Stop the bot first.",
            file=sys.stderr,
        )
        return 2
    live.parent.mkdir(parents=True, exist_ok=True)
    scratch = live.with_name(f".restore-{copies.stamp(now)}-{live.name}")
    copies.remove_sqlite_files(scratch)
    aside: copies.Aside | None = None
    try:
        copies.create_private(scratch)
        with file.open("rb") as source, scratch.open("r+b") as target:
            shutil.copyfileobj(source, target)
        problem = copies.sqlite_integrity(scratch)
        if problem is not None:
            return _failed([problem])
        print("OK: SQLite integrity check")
        problems = check_copy(f"sqlite+aiosqlite:///{scratch}", check_ledger)
        if problems:
            return _failed(problems)
        # From here to the rename no other process can open the live database.
        with copies.sqlite_hold(live) as hold:
            if hold is not None:
                aside = copies.sqlite_save_aside(hold, settings.backup_folder, now)
            copies.sqlite_replace(scratch, live)
    except copies.InUse:
        print("Refusing to restore: the bot was started meanwhile. Stop it first.",
              file=sys.stderr)  # fmt: skip
        return 2
    except (copies.BackupError, OSError, sqlite3.Error) as error:
        return _unfinished(error)
    finally:
        copies.remove_sqlite_files(scratch)
    print(f"OK: restored {file} into {live}")
    if aside is not None and aside.damaged is None:
        print(f"The database as it was before is kept at {aside.path}")
    elif aside is not None:
        print(
            f"WARNING: the database it replaced was damaged ({aside.damaged}); its files are "
            f"kept as they were at {aside.path}"
        )
    return 0


def _restore_postgres(
    settings: Settings, file: Path, now: datetime, check_ledger: LedgerCheck
) -> int:
    from sqlalchemy.engine import make_url

    url = settings.DATABASE_URL
    live = make_url(url).database or ""
    try:
        scratch, aside = copies.pg_restore_names(live, now)
        copies.require_pg_tool("pg_restore")
    except copies.BackupError as error:
        print(f"Refusing to restore: {error}", file=sys.stderr)
        return 2
    if asyncio.run(copies.pg_sessions(url, live)):
        print(f"Refusing to restore: {live} has open connections. Stop the bot first.",
              file=sys.stderr)  # fmt: skip
        return 2
    scratch_url = make_url(url).set(database=scratch).render_as_string(hide_password=False)
    swapped = False
    try:
        try:
            copies.pg_check_archive(file, url)
            asyncio.run(copies.pg_recreate(url, scratch))
            copies.pg_restore_into(file, url, scratch)
        except copies.BackupError as error:
            return _failed([str(error)])
        print("OK: pg_restore into a scratch database")
        problems = check_copy(scratch_url, check_ledger)
        if problems:
            return _failed(problems)
        try:
            existed = asyncio.run(copies.pg_swap(url, scratch, aside))
        except Exception as error:  # the live database in use, no right to rename...
            print(f"Refusing to restore: swapping the databases failed: "
                  f"{copies.describe(error, url)}. Stop the bot and check the user may "
                  "rename databases.", file=sys.stderr)  # fmt: skip
            return 2
        swapped = True
    finally:
        if not swapped:
            asyncio.run(copies.pg_drop_quietly(url, scratch))
    print(f"OK: restored {file} into the database {live}")
    if existed:
        print(f"The database as it was before is kept as the database {aside}")
    return 0
