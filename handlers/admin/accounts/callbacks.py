"""The button payloads of the account screens (typed, as handlers/common/callbacks.py)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from domain.affiliates import AccountFilter
from handlers.common.callbacks import CallbackId

Page = Annotated[int, Field(ge=0, le=10_000)]
# Telegram ids do not fit the 32-bit row ids; they are positive and below 2**63.
TelegramId = Annotated[int, Field(gt=0, lt=2**63)]


class AccountAction(StrEnum):
    UNASSIGN = "unassign"
    STATUS_MENU = "menu"  # show the status choices
    STATUS = "status"  # set `status`
    CART_ON = "cart_on"
    CART_OFF = "cart_off"
    BACK = "back"
    NOTE = "note"  # ask for the notes (typed)
    ASSIGN = "assign"  # ask who gets this available account (typed)


class AccountCallback(CallbackData, prefix="acct"):
    """A tap on an account card in the admin group."""

    action: AccountAction
    account_id: CallbackId
    status: str = "-"


class ListCallback(CallbackData, prefix="acctl"):
    """A page of the accounts screen under one filter (also "⬅️ Accounts" on a card,
    back to the page it was opened from)."""

    within: AccountFilter
    page: Page


class OpenCallback(CallbackData, prefix="accto"):
    """One account of the accounts screen: its card, in place of the list."""

    account_id: CallbackId
    within: AccountFilter
    page: Page


class Tool(StrEnum):
    ADD = "add"  # the /addaccount wizard
    IMPORT = "import"  # wait for the CSV, as /importaccounts
    EXPORT = "export"  # the CSV, as /exportaccounts


class ToolCallback(CallbackData, prefix="acctt"):
    tool: Tool


class AssignStep(StrEnum):
    PICK = "pick"  # one of the members found: ask to confirm
    DO = "do"


class AssignCallback(CallbackData, prefix="acctg"):
    """Giving the account on the card to the member typed (and picked)."""

    step: AssignStep
    account_id: CallbackId
    member: TelegramId


class OfferCallback(CallbackData, prefix="affoffer"):
    """ "Assign @name" on a closed payment card: exactly that account to that member."""

    member_id: CallbackId
    account_id: CallbackId


class AddAction(StrEnum):
    SAVE = "save"
    CANCEL = "cancel"


class AddAccountCallback(CallbackData, prefix="acctadd"):
    action: AddAction
