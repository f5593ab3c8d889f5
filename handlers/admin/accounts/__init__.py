"""Affiliate accounts in the admin group (SPEC "Affiliate accounts").

commands.py  /accounts, /account, /assignaccount, /unassignaccount, /accountstatus,
             /cartverified, /accountnote
buttons.py   taps on an account card, and the offer on a closed payment card
transfer.py  /importaccounts (CSV) and /exportaccounts
add.py       /addaccount, a guided flow with one handler per step
views.py     the card, its buttons and the refusals as admins read them
callbacks.py the button payloads

Every command and every tap checks the person again; taps also check the state of the
account (the service refuses what no longer fits) and are answered once. Logins typed
in /addaccount are deleted from the chat as soon as they are read and kept only
encrypted; admins never see a stored login.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, StateFilter

from handlers.admin.accounts import add, buttons, commands, transfer
from handlers.admin.accounts.callbacks import (
    AccountAction,
    AccountCallback,
    AddAccountCallback,
    AddAction,
    OfferCallback,
)
from handlers.common.filters import InAdminChat

__all__ = [
    "AccountAction",
    "AccountCallback",
    "AddAccountCallback",
    "AddAction",
    "OfferCallback",
    "build_router",
]


def build_router() -> Router:
    """Every command first, then the steps of the guided flows: a command typed in the
    middle of a flow is that command (as one Router, whatever module holds it)."""
    router = Router(name="admin_accounts")
    router.message.filter(InAdminChat())
    router.callback_query.filter(InAdminChat())
    router.message.register(commands.accounts_command, Command("accounts"))
    router.message.register(commands.account_command, Command("account"))
    router.message.register(add.add_command, Command("addaccount"))
    router.message.register(transfer.import_command, Command("importaccounts"))
    router.message.register(transfer.export_command, Command("exportaccounts"))
    router.message.register(commands.assign_command, Command("assignaccount"))
    router.message.register(commands.unassign_command, Command("unassignaccount"))
    router.message.register(commands.status_command, Command("accountstatus"))
    router.message.register(commands.cart_command, Command("cartverified"))
    router.message.register(commands.note_command, Command("accountnote"))
    router.message.register(transfer.import_waiting, StateFilter(transfer.ImportAccounts.waiting))
    for step, handler in add.STEPS:
        router.message.register(handler, StateFilter(step))
    router.callback_query.register(buttons.on_account_button, AccountCallback.filter())
    router.callback_query.register(buttons.on_offer, OfferCallback.filter())
    router.callback_query.register(add.on_add_button, AddAccountCallback.filter())
    return router
