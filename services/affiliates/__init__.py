"""TikTok affiliate accounts (SPEC "Affiliate accounts"): the pool, assignments, status.

An account is held by at most one member and a member holds at most one account
(unique `holder_member_id`); every assignment is also kept in `affiliate_assignments`.
The rules are in domain/affiliates.py, every query in storage/repos/affiliates.py.

Admins add accounts one by one or from a CSV file (all rows or none), list them by
state, assign one to an active VIP (by hand, or the next available one), take it
back, change its shop status, mark its yellow cart verified and keep notes. Every
change is one transaction with its `admin_actions` audit row and the messages it
causes (the holder, the admin group) queued in the outbox. Logins are stored
encrypted (vault.py); admins only ever see whether one is stored, and only the
holder gets it decrypted (`credentials_for`). Refusals raise `AffiliateError` with a
problem code and translation-ready params; nothing is written then.

One module per use case:
  stock.py      adding accounts, one typed or a CSV file (csv_format.py reads it)
  queries.py    counts, lists, one account's card
  export.py     every account as CSV, never a login (with the count, for /exportaccounts)
  assign.py     giving an account to a VIP
  card_taps.py  a tap on an account card: its change and the card afterwards, at once
  release.py    taking it back (an admin, or `release_account` when VIP access ends)
  status.py     the shop status, with the suspension alert
  details.py    the yellow cart's verification and notes
  offer.py      the account an approval card offers, and the tap that takes it
  reveal.py     the holder's own account and login
  rotate.py     re-encrypting every login with a new key
  vault.py      the encryption of logins
"""

from __future__ import annotations

from domain.affiliates import (
    ACCOUNT_ID_MAX,
    NOTES_MAX,
    SHOP_ID_MAX,
    SHOP_NAME_MAX,
    AccountField,
    AccountFilter,
    NewAccount,
)
from services.affiliates.assign import Assigning
from services.affiliates.card_taps import CardChange, CardTap, CardTaps
from services.affiliates.csv_format import (
    EXPORT_COLUMNS,
    EXPORT_ONLY_COLUMNS,
    IMPORT_COLUMNS,
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    parse_csv,
)
from services.affiliates.details import Details
from services.affiliates.export import AccountsExport, Exporting
from services.affiliates.offer import Offering, OfferTap, offer_of
from services.affiliates.parsing import (
    AccountRef,
    parse_account_ref,
    parse_field,
    parse_filter,
    parse_notes,
    parse_status,
    parse_username,
)
from services.affiliates.problems import AffiliateError, AffiliateProblem, RowProblem
from services.affiliates.queries import LIST_SHOWN, Reading
from services.affiliates.release import UNASSIGN_REASON, Releasing, release_account
from services.affiliates.reveal import Revealing
from services.affiliates.rotate import rotate_credentials
from services.affiliates.status import Statuses
from services.affiliates.stock import Stocking
from services.affiliates.vault import (
    MAX_SECRET,
    CredentialsError,
    CredentialsProblem,
    Login,
    Vault,
)
from services.affiliates.views import (
    AccountCard,
    AccountList,
    AssignResult,
    Counts,
    HeldAccount,
    Holder,
    ImportResult,
    Issue,
    Offer,
    RotationResult,
    RowError,
    StatusResult,
    UnassignResult,
)

__all__ = [
    "ACCOUNT_ID_MAX",
    "EXPORT_COLUMNS",
    "EXPORT_ONLY_COLUMNS",
    "IMPORT_COLUMNS",
    "LIST_SHOWN",
    "MAX_IMPORT_BYTES",
    "MAX_IMPORT_ROWS",
    "MAX_SECRET",
    "NOTES_MAX",
    "SHOP_ID_MAX",
    "SHOP_NAME_MAX",
    "UNASSIGN_REASON",
    "AccountCard",
    "AccountField",
    "AccountFilter",
    "AccountList",
    "AccountRef",
    "AccountsExport",
    "AffiliateError",
    "AffiliateProblem",
    "AffiliateService",
    "AssignResult",
    "CardChange",
    "CardTap",
    "Counts",
    "CredentialsError",
    "CredentialsProblem",
    "HeldAccount",
    "Holder",
    "ImportResult",
    "Issue",
    "Login",
    "NewAccount",
    "Offer",
    "OfferTap",
    "RotationResult",
    "RowError",
    "RowProblem",
    "StatusResult",
    "UnassignResult",
    "Vault",
    "offer_of",
    "parse_account_ref",
    "parse_csv",
    "parse_field",
    "parse_filter",
    "parse_notes",
    "parse_status",
    "parse_username",
    "release_account",
    "rotate_credentials",
]


class AffiliateService(
    Stocking,
    Reading,
    Exporting,
    Assigning,
    CardTaps,
    Releasing,
    Statuses,
    Details,
    Offering,
    Revealing,
):
    """The pool as admins and holders see it: add, import/export CSV, list,
    assign/unassign, status, yellow cart, notes, and the holder's own account and login."""
