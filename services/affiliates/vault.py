"""The vault for affiliate account logins (issue item 5): Fernet through MultiFernet
over CREDENTIALS_KEYS. The first key encrypts; every key decrypts, so a new key is
put first, `python -m bot rotate-keys` re-encrypts every row with it, and only then
is the old key dropped.

A token holds `{"login": ..., "password": ...}` as JSON. Every failure is a
`CredentialsError` with a problem code (no keys configured, a key that does not
open the token or a tampered token, content that is not a login): never a crash,
and never the secret in the exception, its message or a log line.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from kernel.refusal import Refusal

__all__ = [
    "MAX_SECRET",
    "CredentialsError",
    "CredentialsProblem",
    "Login",
    "Vault",
]

# Longest login or password accepted (TikTok's own limits are far lower).
MAX_SECRET = 256


class CredentialsProblem(StrEnum):
    NO_KEYS = "no_keys"  # CREDENTIALS_KEYS is empty
    BAD_KEY = "bad_key"  # a configured key is not a Fernet key
    WRONG_KEY = "wrong_key"  # no configured key opens it, or it was tampered with
    MALFORMED = "malformed"  # it opens, but holds no login/password pair
    EMPTY_LOGIN = "empty_login"
    TOO_LONG = "too_long"


class CredentialsError(Refusal[CredentialsProblem]):
    """Why a login could not be sealed or opened; never carries the secret."""


@dataclass(frozen=True, slots=True)
class Login:
    """A decrypted login. Its repr hides both values, so it never lands in a log."""

    login: str
    password: str

    def __repr__(self) -> str:
        return "Login(login=***, password=***)"

    __str__ = __repr__


class Vault:
    def __init__(self, keys: Sequence[str]) -> None:
        self._fernets: list[Fernet] = []
        for number, key in enumerate(keys, start=1):
            try:
                self._fernets.append(Fernet(key))
            except (ValueError, TypeError):
                # The key itself is a secret: only its position is named.
                raise CredentialsError(CredentialsProblem.BAD_KEY, number=number) from None
        self._multi = MultiFernet(self._fernets) if self._fernets else None

    @property
    def configured(self) -> bool:
        return self._multi is not None

    def _keys(self) -> MultiFernet:
        if self._multi is None:
            raise CredentialsError(CredentialsProblem.NO_KEYS)
        return self._multi

    @staticmethod
    def check(login: str, password: str) -> Login:
        """A login as typed: both non-empty (surrounding spaces removed), not too long."""
        login, password = login.strip(), password.strip()
        if not login or not password:
            raise CredentialsError(CredentialsProblem.EMPTY_LOGIN)
        if len(login) > MAX_SECRET or len(password) > MAX_SECRET:
            raise CredentialsError(CredentialsProblem.TOO_LONG, max=MAX_SECRET)
        return Login(login, password)

    def encrypt(self, login: str, password: str) -> str:
        """A token string for the pair, encrypted with the first key."""
        checked = self.check(login, password)
        payload = json.dumps(
            {"login": checked.login, "password": checked.password}, ensure_ascii=False
        )
        return self._keys().encrypt(payload.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> Login:
        keys = self._keys()
        try:
            raw = keys.decrypt(token.encode("ascii", "replace"))
        except InvalidToken:
            raise CredentialsError(CredentialsProblem.WRONG_KEY) from None
        return self._parse(raw)

    @staticmethod
    def _parse(raw: bytes) -> Login:
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise CredentialsError(CredentialsProblem.MALFORMED) from None
        if not isinstance(data, dict):
            raise CredentialsError(CredentialsProblem.MALFORMED)
        login, password = data.get("login"), data.get("password")
        if not isinstance(login, str) or not isinstance(password, str) or not login:
            raise CredentialsError(CredentialsProblem.MALFORMED)
        return Login(login, password)

    def rotate(self, token: str) -> str:
        """The same content re-encrypted with the first key (MultiFernet.rotate)."""
        keys = self._keys()
        try:
            rotated = keys.rotate(token.encode("ascii", "replace"))
        except InvalidToken:
            raise CredentialsError(CredentialsProblem.WRONG_KEY) from None
        return rotated.decode("ascii")
