"""Entry point.

python -m bot            apply pending migrations, then run the bot
python -m bot migrate    only apply migrations
python -m bot new-key    print a fresh Fernet key for CREDENTIALS_KEYS
"""

from __future__ import annotations

import asyncio
import logging
import sys

from aiogram.exceptions import TelegramUnauthorizedError
from cryptography.fernet import Fernet

from bot.settings import SettingsError, load_settings

USAGE = "usage: python -m bot [run|migrate|new-key]"


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "run"
    if command in ("-h", "--help", "help"):
        print(__doc__)
        return 0
    if command == "new-key":
        print(Fernet.generate_key().decode())
        return 0
    if command not in ("run", "migrate"):
        print(USAGE, file=sys.stderr)
        return 2
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2

    from bot.logs import configure_logging
    from storage.database import ensure_sqlite_folder
    from storage.migrate import upgrade

    configure_logging(settings)
    log = logging.getLogger("bot")
    ensure_sqlite_folder(settings.DATABASE_URL)
    upgrade(settings.DATABASE_URL)
    log.info("Database is at the latest schema")
    if command == "migrate":
        return 0

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


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
