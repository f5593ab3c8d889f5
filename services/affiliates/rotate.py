"""Key rotation (`python -m bot rotate-keys`): every stored login re-encrypted with the
first key, all in one transaction or none."""

from __future__ import annotations

from collections.abc import Sequence

from services.affiliates.vault import CredentialsError, CredentialsProblem, Vault
from services.affiliates.views import RotationResult
from storage.uow import UnitOfWorkFactory


async def rotate_credentials(uow_factory: UnitOfWorkFactory, keys: Sequence[str]) -> RotationResult:
    """Re-encrypt every stored login with the first key, in one transaction. When any
    row cannot be opened with the configured keys nothing changes and their ids are
    returned. Raises CredentialsError NO_KEYS / BAD_KEY."""
    vault = Vault(keys)
    if not vault.configured:
        raise CredentialsError(CredentialsProblem.NO_KEYS)
    async with uow_factory() as uow:
        tokens = await uow.affiliates.lock_sealed_logins()
        failed: list[int] = []
        rotated: dict[int, str] = {}
        for account_id, token in tokens.items():
            try:
                rotated[account_id] = vault.rotate(token)
            except CredentialsError:
                failed.append(account_id)
        if failed:
            return RotationResult(0, tuple(failed))
        await uow.affiliates.store_sealed_logins(rotated)
        await uow.commit()
        return RotationResult(len(tokens), ())
