"""Entry point.

python -m bot            apply pending migrations, then run the bot
python -m bot migrate    only apply migrations
python -m bot new-key    print a fresh Fernet key for CREDENTIALS_KEYS
python -m bot check-ledger
                         verify the money invariants; exit 1 on any breach
python -m bot rotate-keys
                         re-encrypt every stored affiliate login with the first key
                         of CREDENTIALS_KEYS; exit 1 (changing nothing) if any
                         login cannot be opened with the configured keys
python -m bot backup     an online copy of the database into BACKUP_DIR (the bot may run);
                         keeps the newest BACKUP_KEEP; exit 1 when it fails
python -m bot restore FILE
                         check the copy FILE (integrity, schema revision, check-ledger)
                         and only then put it in place of the database, the current one
                         saved aside first; the bot must be stopped. Exit 0 done, 1 the
                         copy failed a check (nothing replaced), 2 usage or bot running
python -m bot status     the bot's health: database reachable, outbox backlog and failures,
                         each job's last run; exit 0 healthy, 1 unhealthy, 2 settings

Every command names the database it uses (password hidden). A relative SQLite path in
DATABASE_URL starts at the project folder (the one holding pyproject.toml), wherever the
command is run from; check-ledger and rotate-keys refuse (exit 2) a SQLite file that
does not exist yet instead of creating an empty one.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from aiogram.exceptions import TelegramUnauthorizedError
from cryptography.fernet import Fernet

from bot.settings import Settings, SettingsError, load_settings

USAGE = (
    "usage: python -m bot [run|migrate|new-key|check-ledger|rotate-keys|backup|restore FILE|status]"
)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "run"
    if command in ("-h", "--help", "help"):
        print(__doc__)
        return 0
    if command == "new-key":
        print(Fernet.generate_key().decode())
        return 0
    commands = ("run", "migrate", "check-ledger", "rotate-keys", "backup", "restore", "status")
    if command not in commands or (command == "restore" and len(argv) != 2):
        print(USAGE, file=sys.stderr)
        return 2
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2

    from bot.logs import configure_logging
    from storage.database import describe_database, ensure_sqlite_folder
    from storage.migrate import upgrade

    configure_logging(settings)
    log = logging.getLogger("bot")
    if command in ("backup", "restore"):
        return backup_or_restore(command, argv[1:], settings)
    if command == "status":
        return status_command(settings)
    if command in ("check-ledger", "rotate-keys"):
        missing = missing_database(settings.DATABASE_URL)
        if missing:
            print(f"Refusing to {command}: {missing}", file=sys.stderr)
            return 2
    if command == "run":
        log.info("Database: %s", describe_database(settings.DATABASE_URL))
    else:
        print(f"Database: {describe_database(settings.DATABASE_URL)}")
    ensure_sqlite_folder(settings.DATABASE_URL)
    upgrade(settings.DATABASE_URL)
    log.info("Database is at the latest schema")
    if command == "migrate":
        return 0
    if command == "check-ledger":
        return asyncio.run(check_ledger_command(settings.DATABASE_URL))
    if command == "rotate-keys":
        keys = tuple(key.get_secret_value() for key in settings.CREDENTIALS_KEYS)
        return asyncio.run(rotate_keys_command(settings.DATABASE_URL, keys))

    from bot.app import serve
    from bot.container import build_container
    from bot.dispatcher import build_dispatcher

    async def run() -> None:
        container = build_container(settings)
        await serve(container, build_dispatcher(container))

    try:
        asyncio.run(run())
    except TelegramUnauthorizedError:
        log.critical("Telegram refused BOT_TOKEN: check the token from @BotFather")
        return 2
    return 0


def missing_database(url: str) -> str | None:
    """Why a maintenance command must not touch `url`: a SQLite file that does not exist
    yet (opening it would create an empty database and report on that). None when the
    file exists, or for PostgreSQL (connecting creates nothing)."""
    from bot.settings import PROJECT_ROOT
    from storage.database import sqlite_file

    path = sqlite_file(url)
    if path is None or path.exists():
        return None
    return (
        f"the SQLite database {path} does not exist. Set DATABASE_URL to the bot's database "
        f"(relative paths start at {PROJECT_ROOT}), or create it with `python -m bot migrate`."
    )


def backup_or_restore(command: str, args: list[str], settings: Settings) -> int:
    from datetime import UTC, datetime
    from pathlib import Path

    from bot.backup import backup_command, restore_command

    now = datetime.now(UTC)
    if command == "backup":
        missing = missing_database(settings.DATABASE_URL)
        if missing:
            print(f"Refusing to backup: {missing}", file=sys.stderr)
            return 2
        return backup_command(settings, now)
    return restore_command(
        settings,
        Path(args[0]).resolve(),
        now,
        check_ledger=lambda url: asyncio.run(check_ledger_command(url)),
    )


def status_command(settings: Settings) -> int:
    """Print the health report (bot/health.py); 0 healthy, 1 not, 2 no such database. It
    only reads: no migration runs, nothing is created."""
    from datetime import UTC, datetime

    from bot.health import HealthReport, Thresholds, build_report
    from storage.database import create_read_engine, create_session_factory, describe_database
    from storage.uow import UnitOfWorkFactory

    print(f"Database: {describe_database(settings.DATABASE_URL)}")
    missing = missing_database(settings.DATABASE_URL)
    if missing:
        print(f"Refusing to check: {missing}", file=sys.stderr)
        return 2

    async def report() -> HealthReport:
        engine = create_read_engine(settings.DATABASE_URL)
        try:
            uow = UnitOfWorkFactory(create_session_factory(engine))
            return await build_report(uow, datetime.now(UTC), Thresholds.of(settings))
        finally:
            await engine.dispose()

    found = asyncio.run(report())
    print("\n".join(found.lines()))
    return 0 if found.healthy else 1


async def check_ledger_command(url: str) -> int:
    """Print what was checked and every breach; 0 when the ledger is sound, 1 otherwise."""
    from services.ledger import check_ledger
    from storage.database import create_read_engine, create_session_factory
    from storage.uow import UnitOfWorkFactory

    engine = create_read_engine(url)  # reads only: takes no write lock
    try:
        result = await check_ledger(UnitOfWorkFactory(create_session_factory(engine)))
    finally:
        await engine.dispose()
    print(
        f"Checked {result.commissions} commission(s), {result.reports} validated report(s), "
        f"{result.payouts} payout(s), {result.entries} ledger entr(ies) "
        f"across {result.members} member balance(s):"
    )
    for name in (
        "each commission's shares sum to its total and match its ledger entries",
        "no report has two commissions",
        "no balance is ever negative",
        "payouts never exceed earnings",
    ):
        print(f"  - {name}")
    if result.ok:
        print("OK: no breach found")
        return 0
    for breach in result.breaches:
        print(f"BREACH: {breach}")
    print(f"{len(result.breaches)} breach(es) found")
    return 1


async def rotate_keys_command(url: str, keys: tuple[str, ...]) -> int:
    """Re-encrypt every stored login with the first key, all in one transaction: 0 on
    success; 1 when a login cannot be opened (nothing changed; only account ids are
    printed, never a value); 2 when no key is configured."""
    from services.affiliates import CredentialsError, rotate_credentials
    from storage.database import create_engine, create_session_factory
    from storage.uow import UnitOfWorkFactory

    if not keys:
        print(
            "CREDENTIALS_KEYS is empty: nothing to rotate with. Generate a key with "
            "`python -m bot new-key` and put it first in CREDENTIALS_KEYS.",
            file=sys.stderr,
        )
        return 2
    engine = create_engine(url)
    try:
        result = await rotate_credentials(UnitOfWorkFactory(create_session_factory(engine)), keys)
    except CredentialsError as error:
        print(f"Cannot rotate: {error.problem.value}", file=sys.stderr)
        return 2
    finally:
        await engine.dispose()
    if not result.ok:
        ids = ", ".join(str(i) for i in result.failed)
        print(
            f"FAILED: {len(result.failed)} account(s) cannot be decrypted with the configured "
            f"keys (wrong key or tampered value): account id(s) {ids}. Nothing was changed. "
            "Add the key they were encrypted with to CREDENTIALS_KEYS (after the new one) "
            "and run rotate-keys again."
        )
        return 1
    print(f"OK: re-encrypted {result.rotated} account login(s) with the first key.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
