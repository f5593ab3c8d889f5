"""Affiliate accounts in the admin group (SPEC "Affiliate accounts").

listing.py   the accounts screen (/accounts and the panel's button): counts, a tab per
             filter, a page of accounts as buttons, ➕ Add, 📥 Import, 📤 Export
commands.py  /account, /assignaccount, /unassignaccount, /accountstatus, /cartverified,
             /accountnote
buttons.py   taps on an account card, and the offer on a closed payment card
card_steps.py the card's typed steps: 📝 Note, and 👤 Assign (member typed, picked, confirmed)
waits.py     which taps end a typed wait of this area
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

from aiogram import F, Router
from aiogram.filters import Command, StateFilter

from handlers.admin.accounts import add, buttons, card_steps, commands, listing, transfer, waits
from handlers.admin.accounts.callbacks import (
    AccountAction,
    AccountCallback,
    AddAccountCallback,
    AddAction,
    AssignCallback,
    AssignStep,
    ListCallback,
    OfferCallback,
    OpenCallback,
    Tool,
    ToolCallback,
)
from handlers.admin.accounts.views import PROBLEMS
from handlers.common.admin_command import admin_command
from handlers.common.filters import InAdminChat

__all__ = [
    "AccountAction",
    "AccountCallback",
    "AddAccountCallback",
    "AddAction",
    "AssignCallback",
    "AssignStep",
    "ListCallback",
    "OfferCallback",
    "OpenCallback",
    "Tool",
    "ToolCallback",
    "build_router",
]


def build_router(home: str | None = None) -> Router:
    """The card's typed answers, every command, then the steps of the guided flows: a
    command typed in the middle of a flow is that command (as one Router, whatever
    module holds it).
    `home`: the admin home's button data (the console's), for the accounts screen."""
    router = Router(name="admin_accounts")
    router.message.filter(InAdminChat())
    router.callback_query.filter(InAdminChat())
    router.callback_query.outer_middleware(waits.leave_waits)
    screens = listing.Screens(home)
    # The card's typed answers first: a command typed instead ends the wait and runs.
    router.message.register(card_steps.typed_note, StateFilter(card_steps.CardTyping.note))
    router.message.register(card_steps.typed_member, StateFilter(card_steps.CardTyping.member))
    accounts = admin_command(
        "affiliates.usage_accounts", args=commands.account_filter, problems=PROBLEMS
    )(screens.accounts_command)
    router.message.register(accounts, Command("accounts"))
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
    asking = AccountCallback.filter(F.action.in_({AccountAction.NOTE, AccountAction.ASSIGN}))
    router.callback_query.register(card_steps.on_step, asking)
    router.callback_query.register(buttons.on_account_button, AccountCallback.filter())
    router.callback_query.register(card_steps.on_assign, AssignCallback.filter())
    router.callback_query.register(screens.on_page, ListCallback.filter())
    router.callback_query.register(screens.on_open, OpenCallback.filter())
    router.callback_query.register(listing.on_tool, ToolCallback.filter())
    router.callback_query.register(buttons.on_offer, OfferCallback.filter())
    router.callback_query.register(add.on_add_button, AddAccountCallback.filter())
    return router
