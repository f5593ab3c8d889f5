"""Settings: a bad one stops the start with one clear line, exit 2, no secret shown."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings

TOKEN = "123456:SECRET-token_value"
ROOT = Path(__file__).resolve().parent.parent


def settings(**env: str):  # type: ignore[no-untyped-def]
    base = {"BOT_TOKEN": TOKEN, "ADMIN_CHAT_ID": "-1001"}
    base.update(env)
    return load_settings(_env_file=None, **base)


def run_bot(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.isupper() or k in ("PATH", "HOME")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_defaults_follow_the_spec() -> None:
    s = settings()
    # data/bot.db, from the project folder (the one holding pyproject.toml).
    assert s.DATABASE_URL == f"sqlite+aiosqlite:///{ROOT}/data/bot.db"
    assert s.sqlite_path() == ROOT / "data" / "bot.db"
    assert s.TIMEZONE == "Asia/Jakarta"
    assert s.DEFAULT_LANGUAGE == "id"
    assert s.WEBHOOK_URL is None and s.REDIS_URL is None
    assert s.ADMIN_IDS == ()


def test_lists_are_split_on_commas() -> None:
    s = settings(ADMIN_IDS="111, 222", CREDENTIALS_KEYS="A" * 43 + "=," + "B" * 43 + "=")
    assert s.ADMIN_IDS == (111, 222)
    assert len(s.CREDENTIALS_KEYS) == 2


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"BOT_TOKEN": "not-a-token"}, "Setting BOT_TOKEN: expected the token from @BotFather"),
        ({"ADMIN_CHAT_ID": "admins"}, "Setting ADMIN_CHAT_ID: expected a whole number"),
        ({"ADMIN_CHAT_ID": "123456789"}, "Setting ADMIN_CHAT_ID: expected the admin group's id"),
        ({"ADMIN_CHAT_ID": "0"}, "Setting ADMIN_CHAT_ID: expected the admin group's id"),
        ({"TIMEZONE": "Mars/Olympus"}, "Setting TIMEZONE: expected an IANA time zone"),
        ({"DEFAULT_LANGUAGE": "fr"}, "Setting DEFAULT_LANGUAGE: expected one of: id, en"),
        ({"DATABASE_URL": "mysql://x"}, "Setting DATABASE_URL: expected sqlite+aiosqlite"),
        (
            {"DATABASE_URL": "postgresql+asyncpg://bot:pw@db:port/x"},
            "Setting DATABASE_URL: not a valid database URL",
        ),
        ({"ADMIN_IDS": "12,abc"}, "Setting ADMIN_IDS: expected Telegram user ids"),
        ({"CREDENTIALS_KEYS": "short"}, "Setting CREDENTIALS_KEYS: key number 1 is not a Fernet"),
        ({"WEBHOOK_URL": "https://example.org/hook"}, "Setting WEBHOOK_SECRET: required"),
        ({"WEBHOOK_LISTEN": "8080"}, "Setting WEBHOOK_LISTEN: expected host:port"),
    ],
)
def test_a_malformed_setting_is_named_with_what_is_expected(
    env: dict[str, str], expected: str
) -> None:
    with pytest.raises(SettingsError) as error:
        settings(**env)
    assert str(error.value).startswith(expected)
    assert "\n" not in str(error.value)
    assert TOKEN.split(":")[1] not in str(error.value)


def test_a_group_id_is_accepted_as_the_admin_chat() -> None:
    assert settings(ADMIN_CHAT_ID="-1001234567890").ADMIN_CHAT_ID == -1001234567890
    assert settings(ADMIN_CHAT_ID="-4012345").ADMIN_CHAT_ID == -4012345  # a basic group


def test_a_relative_sqlite_path_starts_at_the_project_folder_not_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    s = settings(DATABASE_URL="sqlite+aiosqlite:///var/members.db?timeout=5")
    assert s.DATABASE_URL == f"sqlite+aiosqlite:///{ROOT}/var/members.db?timeout=5"
    assert s.sqlite_path() == ROOT / "var" / "members.db"


@pytest.mark.parametrize(
    "url",
    [
        "sqlite+aiosqlite:////srv/bot/bot.db",
        "sqlite+aiosqlite:///:memory:",
        "postgresql+asyncpg://bot:pa%40ss@db.example:5432/members",
    ],
)
def test_absolute_memory_and_postgresql_urls_are_kept_as_given(url: str) -> None:
    assert settings(DATABASE_URL=url).DATABASE_URL == url


def test_a_positive_admin_chat_id_stops_the_start_with_one_line_and_exit_2(
    tmp_path: Path,
) -> None:
    result = run_bot({"BOT_TOKEN": TOKEN, "ADMIN_CHAT_ID": "987654321"}, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Setting ADMIN_CHAT_ID: expected the admin")
    assert "Traceback" not in result.stderr + result.stdout


def test_a_missing_setting_stops_the_start_with_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run_bot({"BOT_TOKEN": TOKEN}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "Setting ADMIN_CHAT_ID: required but not set"
    assert "Traceback" not in result.stderr + result.stdout


def test_webhook_mode_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    env = {"BOT_TOKEN": TOKEN, "ADMIN_CHAT_ID": "-1", "WEBHOOK_URL": "https://example.org/h"}
    result = run_bot(env, cwd=tmp_path)
    assert result.returncode == 2
    assert "WEBHOOK_SECRET: required when WEBHOOK_URL is set" in result.stderr
    assert not (tmp_path / "data").exists()


def test_a_malformed_token_is_not_echoed(tmp_path: Path) -> None:
    result = run_bot({"BOT_TOKEN": "SECRETVALUE123", "ADMIN_CHAT_ID": "-1"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "SECRETVALUE123" not in result.stderr + result.stdout


def test_migrate_only_migrates_and_creates_the_data_folder(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/data/bot.db"
    env = {"BOT_TOKEN": TOKEN, "ADMIN_CHAT_ID": "-1", "DATABASE_URL": url}
    result = run_bot(env, "migrate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "bot.db").exists()
    assert "latest schema" in result.stderr
    assert f"Database: {url}" in result.stdout
    assert TOKEN.split(":")[1] not in result.stderr + result.stdout


def test_an_unknown_command_gets_the_usage(tmp_path: Path) -> None:
    result = run_bot({}, "explode", cwd=tmp_path)
    assert result.returncode == 2
    assert "usage: python -m bot" in result.stderr


def test_the_readme_and_env_example_name_every_setting() -> None:
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    example = (root / ".env.example").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`{name}`" in readme, f"README's configuration table lacks {name}"
        assert f"{name}=" in example, f".env.example lacks {name}"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """configure_logging changes process-wide state; put it back for the other tests."""
    root = logging.getLogger()
    handlers, level, hook = root.handlers[:], root.level, sys.excepthook
    quieted = {name: logging.getLogger(name).level for name in ("apscheduler", "aiohttp.access")}
    try:
        yield
    finally:
        root.handlers[:], sys.excepthook = handlers, hook
        root.setLevel(level)
        for name, old in quieted.items():
            logging.getLogger(name).setLevel(old)


async def run_two_jobs() -> None:
    """A real AsyncIOScheduler runs a job that succeeds and one that raises."""
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    async def fine() -> None:
        return None

    async def broken() -> None:
        raise RuntimeError("job went wrong")

    finished: list[object] = []
    both = asyncio.Event()

    def listen(event: object) -> None:
        finished.append(event)
        if len(finished) == 2:
            both.set()

    scheduler = AsyncIOScheduler()
    scheduler.add_listener(listen, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.add_job(fine, "date", run_date=datetime.now(UTC), id="fine-job")
    scheduler.add_job(broken, "date", run_date=datetime.now(UTC), id="broken-job")
    scheduler.start()
    try:
        await asyncio.wait_for(both.wait(), timeout=10)
    finally:
        scheduler.shutdown(wait=False)


async def test_scheduler_runs_are_quiet_at_info_but_job_errors_are_logged(
    restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.logs import configure_logging

    configure_logging(settings(LOG_LEVEL="INFO"))
    await run_two_jobs()
    err = capsys.readouterr().err
    for chatter in ("Added job", "Running job", "executed successfully", "Scheduler started"):
        assert chatter not in err, err
    [failed] = [line for line in err.splitlines() if " ERROR " in line]
    assert "apscheduler.executors.default" in failed and "broken" in failed, err
    assert "raised an exception" in failed
    assert "RuntimeError: job went wrong" in err  # with its traceback


async def test_log_level_debug_keeps_every_scheduler_line(
    restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.logs import configure_logging

    configure_logging(settings(LOG_LEVEL="DEBUG"))
    await run_two_jobs()
    err = capsys.readouterr().err
    assert "Running job" in err and "executed successfully" in err
