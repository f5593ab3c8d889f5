"""The login vault: MultiFernet over CREDENTIALS_KEYS, with clear errors and no secrets
in exceptions."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from services.affiliates import CredentialsError, CredentialsProblem, Login, Vault

KEY_A, KEY_B, KEY_C = (Fernet.generate_key().decode() for _ in range(3))


def test_a_login_round_trips_and_its_repr_hides_it() -> None:
    vault = Vault([KEY_A])
    token = vault.encrypt("  ani@example.com ", "rahasia123")
    assert "rahasia123" not in token and "ani@example.com" not in token
    login = vault.decrypt(token)
    assert login == Login("ani@example.com", "rahasia123")
    assert "rahasia" not in repr(login) and "ani@" not in str(login)


def test_rotation_add_a_key_rotate_drop_the_old_key() -> None:
    token = Vault([KEY_A]).encrypt("login-a", "pw-a")
    both = Vault([KEY_B, KEY_A])
    assert both.decrypt(token).password == "pw-a"  # the old key still opens it
    rotated = both.rotate(token)
    assert Vault([KEY_B]).decrypt(rotated) == Login("login-a", "pw-a")
    with pytest.raises(CredentialsError) as caught:
        Vault([KEY_B]).decrypt(token)  # the old token needs the old key
    assert caught.value.problem is CredentialsProblem.WRONG_KEY


def test_an_unrelated_key_is_a_clear_error_not_a_crash() -> None:
    token = Vault([KEY_A]).encrypt("login", "pw-secret")
    with pytest.raises(CredentialsError) as caught:
        Vault([KEY_C]).decrypt(token)
    assert caught.value.problem is CredentialsProblem.WRONG_KEY
    assert "pw-secret" not in str(caught.value) and caught.value.__cause__ is None
    with pytest.raises(CredentialsError):
        Vault([KEY_C]).rotate(token)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-4] + ("AAAA" if not t.endswith("AAAA") else "BBBB"),
        lambda t: t[:20] + ("x" if t[20] != "x" else "y") + t[21:],
        lambda t: "not a token at all",
        lambda t: "",
        lambda t: "ünïcode",
    ],
)
def test_a_tampered_token_is_a_clear_error(tamper: object) -> None:
    token = Vault([KEY_A]).encrypt("login", "pw")
    with pytest.raises(CredentialsError) as caught:
        Vault([KEY_A]).decrypt(tamper(token))  # type: ignore[operator]
    assert caught.value.problem is CredentialsProblem.WRONG_KEY


def test_valid_fernet_content_that_is_not_a_login_is_malformed() -> None:
    fernet = Fernet(KEY_A)
    for content in (b"plain words", b'["a", "b"]', b'{"login": ""}', b"\xff\xfe"):
        with pytest.raises(CredentialsError) as caught:
            Vault([KEY_A]).decrypt(fernet.encrypt(content).decode())
        assert caught.value.problem is CredentialsProblem.MALFORMED


def test_no_keys_and_bad_keys_are_named_without_the_key() -> None:
    with pytest.raises(CredentialsError) as caught:
        Vault([]).encrypt("a", "b")
    assert caught.value.problem is CredentialsProblem.NO_KEYS
    assert not Vault([]).configured
    with pytest.raises(CredentialsError) as caught:
        Vault([KEY_A, "short-not-a-key"])
    assert caught.value.problem is CredentialsProblem.BAD_KEY
    assert caught.value.params == {"number": 2}
    assert "short-not-a-key" not in str(caught.value)


def test_empty_or_too_long_logins_are_refused() -> None:
    vault = Vault([KEY_A])
    with pytest.raises(CredentialsError) as caught:
        vault.encrypt("login", "  ")
    assert caught.value.problem is CredentialsProblem.EMPTY_LOGIN
    with pytest.raises(CredentialsError) as caught:
        vault.encrypt("x" * 300, "pw")
    assert caught.value.problem is CredentialsProblem.TOO_LONG
