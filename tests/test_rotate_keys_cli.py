"""`python -m bot rotate-keys`: re-encrypts every stored affiliate login with the first
key of CREDENTIALS_KEYS in one transaction; refuses (exit 1, nothing changed, only
account ids printed) when a login cannot be opened with the configured keys."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from kernel.actor import Actor
from services.affiliates import AffiliateService, CredentialsError, Vault
from storage.database import create_engine, create_session_factory
from storage.models import AffiliateAccount
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock
from tests.services.reportkit import ZONE

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:TEST-token"
KEY_A, KEY_B, KEY_C = (Fernet.generate_key().decode() for _ in range(3))
SECRETS = ("pw-satu-rahasia", "pw-dua-rahasia", "satu@mail.id", "dua@mail.id")


def rotate_cli(
    database: Path, cwd: Path, keys: str, *, url: str | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.isupper() or k in ("PATH", "HOME")}
    env = {
        **clean,
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": TOKEN,
        "ADMIN_CHAT_ID": "-100",
        "DATABASE_URL": url or f"sqlite+aiosqlite:///{database}",
        "CREDENTIALS_KEYS": keys,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "rotate-keys"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def tokens(database: Path) -> dict[str, str | None]:
    async def go() -> dict[str, str | None]:
        engine = create_engine(f"sqlite+aiosqlite:///{database}")
        try:
            async with UnitOfWorkFactory(create_session_factory(engine))() as work:
                rows = await work.session.execute(select(AffiliateAccount))
                return {r.tiktok_username: r.credentials_encrypted for r in rows.scalars()}
        finally:
            await engine.dispose()

    return asyncio.run(go())


def seed(database: Path) -> None:
    async def go() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{database}")
        try:
            aff = AffiliateService(
                UnitOfWorkFactory(create_session_factory(engine)),
                FrozenClock(),
                ZONE,
                "id",
                admin_chat_id=-100,
                keys=(KEY_A,),
            )
            admin = Actor(1, "Admin")
            for name, login, password in (
                ("satu.aa", "satu@mail.id", "pw-satu-rahasia"),
                ("dua.bb", "dua@mail.id", "pw-dua-rahasia"),
            ):
                sealed = aff.seal(login, password)
                await aff.add(aff.new_account(name, credentials=sealed), admin)
            await aff.add(aff.new_account("tanpa.login"), admin)
        finally:
            await engine.dispose()

    asyncio.run(go())


@pytest.fixture
def database(sqlite_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "bot.db"
    shutil.copyfile(sqlite_template, path)
    seed(path)
    return path


def no_secret_in(result: subprocess.CompletedProcess[str]) -> None:
    for secret in (*SECRETS, KEY_A, KEY_B, KEY_C):
        assert secret not in result.stdout and secret not in result.stderr


def test_add_a_key_rotate_then_drop_the_old_key(database: Path, tmp_path: Path) -> None:
    before = tokens(database)
    result = rotate_cli(database, tmp_path, f"{KEY_B},{KEY_A}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Database: sqlite+aiosqlite:///{database}" in result.stdout
    assert "re-encrypted 2 account login(s)" in result.stdout
    no_secret_in(result)
    after = tokens(database)
    assert after["tanpa.login"] is None
    new_only = Vault([KEY_B])
    for name, password in (("satu.aa", "pw-satu-rahasia"), ("dua.bb", "pw-dua-rahasia")):
        assert after[name] != before[name]
        token = after[name]
        assert token is not None and new_only.decrypt(token).password == password
        with pytest.raises(CredentialsError):
            Vault([KEY_A]).decrypt(token)
    # Once rotated, the old key can go: running again with only the new key is fine too.
    again = rotate_cli(database, tmp_path, KEY_B)
    assert again.returncode == 0 and "re-encrypted 2" in again.stdout


def test_an_unrelated_key_changes_nothing_and_names_the_accounts(
    database: Path, tmp_path: Path
) -> None:
    before = tokens(database)
    result = rotate_cli(database, tmp_path, KEY_C)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAILED: 2 account(s)" in result.stdout and "account id(s) 1, 2" in result.stdout
    assert "Nothing was changed" in result.stdout
    no_secret_in(result)
    assert "Traceback" not in result.stderr
    assert tokens(database) == before


def test_a_relative_url_means_the_project_folder_whatever_the_cwd(
    database: Path, tmp_path: Path
) -> None:
    """The reported bug: run from another folder, rotate-keys made a new empty database
    and said "re-encrypted 0". A relative path now names the file under the project
    folder, wherever the command runs."""
    relative = os.path.relpath(database, ROOT)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    url = f"sqlite+aiosqlite:///{relative}"
    result = rotate_cli(database, elsewhere, f"{KEY_B},{KEY_A}", url=url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Database: sqlite+aiosqlite:///{ROOT / relative}" in result.stdout
    assert "re-encrypted 2 account login(s)" in result.stdout
    assert list(elsewhere.iterdir()) == []
    token = tokens(database)["satu.aa"]
    assert token is not None and Vault([KEY_B]).decrypt(token).password == "pw-satu-rahasia"


def test_a_database_that_does_not_exist_is_refused_and_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "bot.db"
    result = rotate_cli(missing, tmp_path, KEY_A)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Refusing to rotate-keys: the SQLite database")
    assert str(missing) in lines[0] and "python -m bot migrate" in lines[0]
    assert "re-encrypted" not in result.stdout
    assert not missing.exists() and not missing.parent.exists()
    no_secret_in(result)


def test_without_keys_it_says_how_to_make_one(database: Path, tmp_path: Path) -> None:
    result = rotate_cli(database, tmp_path, "")
    assert result.returncode == 2
    assert "python -m bot new-key" in result.stderr
