"""Settings: a bad one stops the start with one clear line, exit 2, no secret shown."""

from __future__ import annotations

import os
import subprocess
import sys
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
    assert s.DATABASE_URL == "sqlite+aiosqlite:///data/bot.db"
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
        ({"TIMEZONE": "Mars/Olympus"}, "Setting TIMEZONE: expected an IANA time zone"),
        ({"DEFAULT_LANGUAGE": "fr"}, "Setting DEFAULT_LANGUAGE: expected one of: id, en"),
        ({"DATABASE_URL": "mysql://x"}, "Setting DATABASE_URL: expected sqlite+aiosqlite"),
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
    result = run_bot({"BOT_TOKEN": TOKEN, "ADMIN_CHAT_ID": "-1"}, "migrate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "bot.db").exists()
    assert "latest schema" in result.stderr
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
