"""The button payloads of the account screens (typed, as handlers/common/callbacks.py)."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from handlers.common.callbacks import CallbackId


class AccountAction(StrEnum):
    UNASSIGN = "unassign"
    STATUS_MENU = "menu"  # show the status choices
    STATUS = "status"  # set `status`
    CART_ON = "cart_on"
    CART_OFF = "cart_off"
    BACK = "back"


class AccountCallback(CallbackData, prefix="acct"):
    """A tap on an account card in the admin group."""

    action: AccountAction
    account_id: CallbackId
    status: str = "-"


class OfferCallback(CallbackData, prefix="affoffer"):
    """ "Assign @name" on a closed payment card: exactly that account to that member."""

    member_id: CallbackId
    account_id: CallbackId


class AddAction(StrEnum):
    SAVE = "save"
    CANCEL = "cancel"


class AddAccountCallback(CallbackData, prefix="acctadd"):
    action: AddAction
