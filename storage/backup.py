"""Copies of the database: online backups, and what a copy must pass before it is restored.

SQLite: the sqlite3 backup API from a connection of its own (under WAL readers never
block the bot's writer; the copy is one consistent snapshot), written under a temporary
name and renamed, so a file with the final name is always whole. PostgreSQL: `pg_dump
--format=custom`, `pg_restore` into a scratch database; the connection goes to them in
PG* environment variables, so no password ever appears on a command line or in a log.
Copies are named `membership-YYYYMMDD-HHMMSS.db` (or `.dump`) in UTC.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import logging
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
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
# SQLite's POSIX lock bytes (os_unix.c): PENDING, RESERVED, then the SHARED range, and
# the byte of the -shm file every connection in WAL mode holds while it is open.
SQLITE_LOCK_START, SQLITE_LOCK_LENGTH = 0x40000000, 2 + 510
SQLITE_SHM_DMS = 128
# A pg_dump that hangs (a table locked, the server gone) must fail, not wait forever.
PG_DUMP_TIMEOUT_S = 3 * 3600
PG_RESTORE_TIMEOUT_S = 6 * 3600
PG_LOCK_WAIT = "120s"
PG_NAME_BYTES = 63  # PostgreSQL cuts longer identifiers to their first 63 bytes

log = logging.getLogger(__name__)


class BackupError(Exception):
    """A backup or restore step failed; the message is one line, with nothing secret."""


def stamp(now: datetime) -> str:
    return now.astimezone(UTC).strftime(STAMP)


def _final_name(
    folder: Path, now: datetime, extension: str, prefix: str = PREFIX, tail: str = ""
) -> Path:
    """`membership-<UTC stamp><tail>.<ext>`; a second copy within the same second gets
    `-2` after the stamp."""
    base = f"{prefix}{stamp(now)}"
    path, counter = folder / f"{base}{tail}.{extension}", 1
    while path.exists():
        counter += 1
        path = folder / f"{base}-{counter}{tail}.{extension}"
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


def make_folder(folder: Path) -> None:
    """The backup folder, readable by its owner only when this creates it."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)


def create_private(path: Path) -> None:
    """An empty file only its owner may read (copies hold members' data)."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


@contextlib.contextmanager
def backup_lock(folder: Path) -> Iterator[None]:
    """One backup at a time into `folder`; the one holding it removes the temporary
    files a killed backup left behind."""
    make_folder(folder)
    fd = os.open(folder, os.O_RDONLY)  # the folder itself is the lock: no file to leave
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(f"another backup is being written into {folder} now") from None
        for leftover in folder.glob(f".{PREFIX}*.partial*"):
            leftover.unlink(missing_ok=True)
        yield
    finally:
        os.close(fd)


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
    create_private(partial)  # an empty file is an empty database to SQLite
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
    with backup_lock(folder):
        target = _final_name(folder, now, "db")
        sqlite_copy(source, target)
    return target


class InUse(BackupError):
    """Another process (the running bot) has the SQLite database open."""


@dataclass(frozen=True)
class Hold:
    """The live SQLite database locked against every other process (see sqlite_hold)."""

    path: Path
    fd: int


def _lock(fd: int, start: int, length: int) -> bool:
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, length, start, os.SEEK_SET)
    except OSError:
        return False
    return True


@contextlib.contextmanager
def sqlite_hold(path: Path) -> Iterator[Hold | None]:
    """Lock the SQLite database at `path` as SQLite itself would for a write (its own lock
    bytes, taken directly, so a damaged file locks too), plus the byte of the -shm file
    that every open connection in WAL mode holds, even an idle one. Raises InUse when
    another process has it open; while held, a bot starting meanwhile cannot read or
    write it. Yields None when there is no file. This process must not open the file
    through SQLite while holding it (closing any descriptor of it drops the lock)."""
    if not path.exists():
        yield None
        return
    fds = [os.open(path, os.O_RDWR)]
    try:
        if not _lock(fds[0], SQLITE_LOCK_START, SQLITE_LOCK_LENGTH):
            raise InUse(f"another process has {path} open")
        shm = Path(f"{path}-shm")
        if shm.exists():
            fds.append(os.open(shm, os.O_RDWR))
            if not _lock(fds[1], SQLITE_SHM_DMS, 1):
                raise InUse(f"another process has {path} open")
        yield Hold(path, fds[0])
    finally:
        for fd in fds:
            os.close(fd)


def sqlite_in_use(path: Path) -> bool:
    """Whether another connection (the running bot) has the SQLite file open: in WAL mode
    even an idle connection holds a lock on the -shm file. Works on a damaged file."""
    try:
        with sqlite_hold(path):
            return False
    except InUse:
        return True


def _copy_raw(hold: Hold, target: Path) -> list[Path]:
    """The held database's files byte for byte (main file, then any -wal / -journal
    beside it, named after `target`), each readable by its owner only. The main file is
    read through the held descriptor, so the lock stays."""
    written = [target]
    create_private(target)
    with target.open("r+b") as out:
        offset = 0
        while chunk := os.pread(hold.fd, 1 << 20, offset):
            out.write(chunk)
            offset += len(chunk)
    for extra in ("-wal", "-journal"):
        source = Path(f"{hold.path}{extra}")
        if source.is_file():
            companion = Path(f"{target}{extra}")
            create_private(companion)
            with source.open("rb") as inp, companion.open("r+b") as out:
                shutil.copyfileobj(inp, out)
            written.append(companion)
    return written


@dataclass(frozen=True)
class Aside:
    path: Path
    damaged: str | None  # what SQLite found wrong with the database saved aside


def sqlite_save_aside(hold: Hold, folder: Path, now: datetime) -> Aside:
    """Keep the held database in `folder` before it is replaced: as one checked SQLite
    file `before-restore-<stamp>.db` (its log folded in) when SQLite can read it; when it
    cannot (the usual reason to restore), its raw files as they are, named
    `before-restore-<stamp>-damaged.db` (+ `-wal` / `-journal`)."""
    make_folder(folder)
    target = _final_name(folder, now, "db", "before-restore-")
    partial = target.with_name(f".{target.name}.partial")
    try:
        _copy_raw(hold, partial)
        try:
            sqlite_settle(partial)  # a hot journal is rolled back, the log folded in
            problem = sqlite_integrity(partial)
        except sqlite3.Error as error:
            problem = f"SQLite cannot read it: {error}"
        if problem is None:
            for extra in ("-wal", "-shm", "-journal"):
                Path(f"{partial}{extra}").unlink(missing_ok=True)
            _publish(partial, target)
            return Aside(target, None)
        remove_sqlite_files(partial)
        damaged = _final_name(folder, now, "db", "before-restore-", "-damaged")
        for written in _copy_raw(hold, partial):
            suffix = written.name[len(partial.name) :]
            _publish(written, Path(f"{damaged}{suffix}"))
        return Aside(damaged, problem)
    except OSError as error:
        remove_sqlite_files(partial)
        raise BackupError(f"saving the current database aside failed: {error}") from None


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


def take_ownership(copy: Path, live: Path) -> None:
    """Give `copy` the mode of `live` (and its owner and group when allowed), so the bot
    can still open the file that replaces it; 0600 when there is no live file."""
    if not live.exists():
        os.chmod(copy, 0o600)
        return
    status = live.stat()
    with contextlib.suppress(PermissionError):
        os.chown(copy, status.st_uid, status.st_gid)
    os.chmod(copy, status.st_mode & 0o7777)


def sqlite_replace(copy: Path, live: Path) -> None:
    """Put the checked `copy` in place of `live` in one rename (same folder), leaving no
    log of the old database beside the new one; the file keeps the live one's mode."""
    sqlite_settle(copy)
    take_ownership(copy, live)
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


def _run_pg(
    argv: list[str], url: str | URL, database: str | None = None, timeout: float = 600
) -> None:
    tool = Path(argv[0]).name
    try:
        result = subprocess.run(
            argv,
            env=pg_environment(url, database),
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise BackupError(f"{tool} did not finish within {timeout:g} s and was stopped") from None
    if result.returncode != 0:
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
    with backup_lock(folder):
        target = _final_name(folder, now, "dump")
        partial = target.with_name(f".{target.name}.partial")
        create_private(partial)  # pg_dump writes into it and keeps its mode
        argv = [tool, "--format=custom", "--no-password", f"--lock-wait-timeout={PG_LOCK_WAIT}"]
        try:
            _run_pg([*argv, f"--file={partial}"], url, timeout=PG_DUMP_TIMEOUT_S)
            os.chmod(partial, 0o600)
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
        timeout=PG_RESTORE_TIMEOUT_S,
    )


def pg_name(name: str) -> bytes:
    """The name PostgreSQL stores for `name`: its first 63 bytes, whole characters."""
    raw = name.encode()
    if len(raw) <= PG_NAME_BYTES:
        return raw
    return raw[:PG_NAME_BYTES].decode(errors="ignore").encode()


def pg_restore_names(live: str, now: datetime) -> tuple[str, str]:
    """(scratch, aside) for restoring into `live`: a short random scratch name, and
    `<live>_before_restore_<UTC stamp>` with the live name shortened so the stamp stays.
    Raises BackupError when any two would be the same database."""
    scratch = f"restore_check_{secrets.token_hex(6)}"
    suffix = f"_before_restore_{stamp(now)}"
    room = PG_NAME_BYTES - len(suffix.encode())
    aside = pg_name(live[:room]).decode()
    while len(aside.encode()) > room:
        aside = aside[:-1]
    aside += suffix
    names = {pg_name(scratch), pg_name(live), pg_name(aside)}
    if len(names) != 3:
        raise BackupError(f"cannot name the databases for the restore of {live} apart")
    return scratch, aside


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


async def pg_drop_quietly(url: str, database: str) -> None:
    """Drop a scratch database; a failure is logged (and the name given), never raised."""
    try:
        await pg_drop(url, database)
    except Exception as error:
        log.error("Could not drop the scratch database %s: %s", database, describe(error, url))


def describe(error: BaseException, url: str | URL) -> str:
    """What went wrong, in one line without a password: the driver's own message."""
    cause = getattr(error, "orig", None) or error
    return f"{type(cause).__name__}: {_scrub(str(cause), url) or 'no message'}"


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
