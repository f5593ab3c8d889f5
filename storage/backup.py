"""Copies of the database: online backups, and what a copy must pass before it is restored.

SQLite: the sqlite3 backup API from a connection of its own (under WAL readers never
block the bot's writer; the copy is one consistent snapshot), written under a temporary
name and renamed, so a file with the final name is always whole. PostgreSQL: `pg_dump
--format=custom`, `pg_restore` into a scratch database; the connection goes to them in
PG* environment variables, so no password ever appears on a command line or in a log.
Copies are named `membership-YYYYMMDD-HHMMSS.db` (or `.dump`) in UTC.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from storage.migrate import alembic_config

PREFIX = "membership-"
STAMP = "%Y%m%d-%H%M%S"
COPY_NAME = re.compile(r"^membership-(\d{8}-\d{6})(?:-(\d+))?\.(db|dump)$")
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_MS = 30_000


class BackupError(Exception):
    """A backup or restore step failed; the message is one line, with nothing secret."""


def stamp(now: datetime) -> str:
    return now.astimezone(UTC).strftime(STAMP)


def _final_name(folder: Path, now: datetime, extension: str) -> Path:
    """`membership-<UTC stamp>.<ext>`; a second copy within the same second gets `-2`."""
    base = f"{PREFIX}{stamp(now)}"
    path, counter = folder / f"{base}.{extension}", 1
    while path.exists():
        counter += 1
        path = folder / f"{base}-{counter}.{extension}"
    return path


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish(partial: Path, final: Path) -> None:
    """Durably rename a finished temporary file to its final name."""
    _fsync(partial)
    os.replace(partial, final)
    _fsync(final.parent)


def remove_sqlite_files(path: Path) -> None:
    for extra in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        extra.unlink(missing_ok=True)


def sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of `source` at `target` through the backup API (it reads through
    the write-ahead log, so what the bot committed is in it)."""
    if not source.is_file():
        raise BackupError(f"the SQLite database {source} does not exist")
    partial = target.with_name(f".{target.name}.partial")
    remove_sqlite_files(partial)
    src = sqlite3.connect(str(source), timeout=BUSY_MS / 1000)
    try:
        src.execute(f"PRAGMA busy_timeout={BUSY_MS}")
        dst = sqlite3.connect(str(partial))
        try:
            src.backup(dst)  # all pages in one step: one snapshot
            # The copy is one self-contained file (no -wal beside it).
            dst.execute("PRAGMA journal_mode=DELETE")
            problem = dst.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            dst.close()
    except sqlite3.Error as error:
        remove_sqlite_files(partial)
        raise BackupError(f"copying the SQLite database failed: {error}") from None
    finally:
        src.close()
    if problem != "ok":
        remove_sqlite_files(partial)
        raise BackupError(f"the fresh copy failed SQLite's quick check: {problem}")
    _publish(partial, target)


def sqlite_backup(source: Path, folder: Path, now: datetime) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = _final_name(folder, now, "db")
    sqlite_copy(source, target)
    return target


def sqlite_in_use(path: Path) -> bool:
    """Whether another connection (the running bot) has the SQLite file open: in WAL mode
    an exclusive lock is refused while any other connection is open, even an idle one."""
    if not path.exists():
        return False
    connection = sqlite3.connect(str(path), timeout=0, isolation_level=None)
    try:
        connection.execute("PRAGMA locking_mode=EXCLUSIVE")
        connection.execute("BEGIN EXCLUSIVE")
        connection.execute("ROLLBACK")
    except sqlite3.OperationalError:
        return True
    finally:
        connection.close()
    return False


def sqlite_integrity(path: Path) -> str | None:
    """What is wrong with the SQLite file at `path` (None when SQLite finds it sound)."""
    with path.open("rb") as file:
        if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            return "not a SQLite database (wrong header)"
    try:
        connection = sqlite3.connect(str(path))
        try:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        return f"SQLite cannot read it: {error}"
    found = [str(row[0]) for row in rows]
    if found == ["ok"]:
        return None
    return f"SQLite integrity check: {'; '.join(found[:3])}"


def sqlite_settle(path: Path) -> None:
    """Fold the write-ahead log into the file, so renaming the file moves everything."""
    connection = sqlite3.connect(str(path), isolation_level=None)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()


def sqlite_replace(copy: Path, live: Path) -> None:
    """Put the checked `copy` in place of `live` in one rename (same folder), leaving no
    log of the old database beside the new one."""
    sqlite_settle(copy)
    for extra in ("-wal", "-shm", "-journal"):
        Path(f"{live}{extra}").unlink(missing_ok=True)
    _publish(copy, live)


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` copies in `folder` (only files this module named;
    copies saved aside before a restore are never deleted). Returns what was deleted."""
    if not folder.is_dir():
        return []
    copies = []
    for path in folder.iterdir():
        match = COPY_NAME.match(path.name)
        if match and path.is_file():
            copies.append(((match[1], int(match[2] or 1)), path))
    copies.sort()
    doomed = [path for _key, path in copies[: max(0, len(copies) - keep)]]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


# --- schema revision -----------------------------------------------------------------


@dataclass(frozen=True)
class Revision:
    found: str | None
    head: str
    known: bool

    @property
    def current(self) -> bool:
        return self.found == self.head


def judge_revision(found: str | None) -> Revision:
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head() or ""
    known = False
    if found is not None:
        try:
            known = script.get_revision(found) is not None
        except CommandError:
            known = False
    return Revision(found, head, known)


async def read_revision(url: str) -> str | None:
    """The migration a database is at (None when it has no alembic_version table)."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            try:
                row = await connection.execute(text("SELECT version_num FROM alembic_version"))
                found = row.first()
            except Exception:
                return None
    finally:
        await engine.dispose()
    return str(found[0]) if found else None


# --- PostgreSQL ----------------------------------------------------------------------


def find_pg_tool(name: str) -> str | None:
    """`pg_dump` or `pg_restore`: on PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found

    def version(path: str) -> int:
        part = Path(path).parent.parent.name
        return int(part) if part.isdigit() else 0

    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version)
    return candidates[-1] if candidates else None


def pg_environment(url: str | URL, database: str | None = None) -> dict[str, str]:
    """libpq's variables for the database of `url` (the password only ever here)."""
    parsed = make_url(url) if isinstance(url, str) else url
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    values = {
        "PGHOST": parsed.host,
        "PGPORT": str(parsed.port) if parsed.port else None,
        "PGUSER": parsed.username,
        "PGPASSWORD": parsed.password,
        "PGDATABASE": database or parsed.database,
    }
    ssl = parsed.query.get("ssl") or parsed.query.get("sslmode")
    if isinstance(ssl, str):
        values["PGSSLMODE"] = {"true": "require"}.get(ssl, ssl)
    env.update({k: str(v) for k, v in values.items() if v})
    return env


def _scrub(message: str, url: str | URL) -> str:
    password = (make_url(url) if isinstance(url, str) else url).password
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    shown = " / ".join(lines[-3:])[:500]
    return shown.replace(str(password), "***") if password else shown


def _run_pg(argv: list[str], url: str | URL, database: str | None = None) -> None:
    result = subprocess.run(
        argv, env=pg_environment(url, database), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        tool = Path(argv[0]).name
        raise BackupError(f"{tool} failed: {_scrub(result.stderr, url) or 'no message'}")


def require_pg_tool(name: str) -> str:
    tool = find_pg_tool(name)
    if tool is None:
        raise BackupError(
            f"{name} not found: install the PostgreSQL client (Debian: postgresql-client) "
            "of the server's version or newer"
        )
    return tool


def pg_backup(url: str, folder: Path, now: datetime) -> Path:
    tool = require_pg_tool("pg_dump")
    folder.mkdir(parents=True, exist_ok=True)
    target = _final_name(folder, now, "dump")
    partial = target.with_name(f".{target.name}.partial")
    try:
        _run_pg([tool, "--format=custom", "--no-password", f"--file={partial}"], url)
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    _publish(partial, target)
    return target


def pg_check_archive(file: Path, url: str) -> None:
    """pg_restore can read the archive's table of contents."""
    _run_pg([require_pg_tool("pg_restore"), "--list", str(file)], url)


def pg_restore_into(file: Path, url: str, database: str) -> None:
    _run_pg(
        [
            require_pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--no-password",
            f"--dbname={database}",
            str(file),
        ],
        url,
        database,
    )


def _admin_url(url: str) -> str:
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def pg_admin(url: str, *statements: str) -> None:
    """Run statements on the server's `postgres` database (CREATE/DROP/ALTER DATABASE)."""
    engine = create_async_engine(_admin_url(url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def pg_recreate(url: str, database: str) -> None:
    await pg_admin(
        url,
        f"DROP DATABASE IF EXISTS {_quote(database)} WITH (FORCE)",
        f"CREATE DATABASE {_quote(database)}",
    )


async def pg_drop(url: str, database: str) -> None:
    await pg_admin(url, f"DROP DATABASE IF EXISTS {_quote(database)} WITH (FORCE)")


async def pg_exists(url: str, database: str) -> bool:
    engine = create_async_engine(_admin_url(url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            found = await connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": database}
            )
            return found.first() is not None
    finally:
        await engine.dispose()


async def pg_sessions(url: str, database: str) -> int:
    """How many connections other than ours are open to `database` (the running bot)."""
    engine = create_async_engine(_admin_url(url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            found = await connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": database},
            )
            return int(found.scalar_one())
    finally:
        await engine.dispose()


async def pg_swap(url: str, scratch: str, aside: str) -> bool:
    """Rename the live database to `aside` (kept) and `scratch` to the live name; False
    when the live database did not exist (the scratch one simply takes its name)."""
    live = make_url(url).database or ""
    existed = await pg_exists(url, live)
    engine = create_async_engine(_admin_url(url))
    try:
        async with engine.begin() as connection:  # both renames or neither
            if existed:
                await connection.execute(
                    text(f"ALTER DATABASE {_quote(live)} RENAME TO {_quote(aside)}")
                )
            await connection.execute(
                text(f"ALTER DATABASE {_quote(scratch)} RENAME TO {_quote(live)}")
            )
    finally:
        await engine.dispose()
    return existed
