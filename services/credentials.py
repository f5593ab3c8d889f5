"""The vault for affiliate account logins now lives in services/affiliates/vault.py (and
is exported by services.affiliates); this name stays for the modules that import it here."""

from services.affiliates.vault import (
    MAX_SECRET,
    CredentialsError,
    CredentialsProblem,
    Login,
    Vault,
)

__all__ = ["MAX_SECRET", "CredentialsError", "CredentialsProblem", "Login", "Vault"]
