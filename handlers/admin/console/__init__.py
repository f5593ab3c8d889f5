"""The admin console: buttons over the typed commands, in the admin group.

home.py     /start, /help, /menu: the panel (what waits, one button per area); the list
            buttons run the typed command (/pending, /reports, /questions, ...)
search.py   finding a member (typed after "🔎 Find member", or /member TEXT) and the
            results, paged
card.py     the member card (memberships, payments, reports and balance, leader and
            team, affiliate account) and its buttons
changes.py  grant and revoke from the card: plan, reason, confirm
payouts.py  a payout from the card: amount, method, reference, confirm
owed.py     the members a payout is owed to, paged (each opens their card)
leader.py   set or remove the member's leader from the card (typed search, confirm)
account.py  give the member an available affiliate account from the card (confirm)
asked.py    what counts as the answer when the console waits for typed text
callbacks.py, memo.py  the console's button payloads and what it remembers per group

Every tap checks the admin again (the owner's buttons the owner); a screen's buttons are
checked against what is true now (a member gone, a plan retired, a page that no longer
exists), and every screen has a way back to the panel."""

from __future__ import annotations

from aiogram import Router

from handlers.admin.console import account, changes, home, leader, owed, payouts, search
from handlers.common.filters import InAdminChat


def build_router() -> Router:
    router = Router(name="admin_console")
    router.message.filter(InAdminChat())
    router.callback_query.filter(InAdminChat())
    # The typed steps first (a search, a reason), then the commands and the taps.
    search.register(router)
    changes.register(router)
    payouts.register(router)
    leader.register(router)
    account.register(router)
    owed.register(router)
    home.register(router)
    return router
