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
history.py  the card's ledger (balance and payouts), leader history and reports, paged
callbacks.py, memo.py  the console's button payloads and what it remembers per group

Every tap checks the admin again (the owner's buttons the owner); a screen's buttons are
checked against what is true now (a member gone, a plan retired, a page that no longer
exists), and every screen has a way back to the panel."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.types import TelegramObject

from handlers.admin.console import (
    account,
    changes,
    history,
    home,
    leader,
    owed,
    payouts,
    search,
)
from handlers.common.filters import InAdminChat

# The console's typed steps: a tap on any console button ends the one the admin left.
_WAITS = frozenset(
    group.__name__
    for group in (search.MemberSearch, changes.ReasonTyping, payouts.PayTyping, leader.LeaderTyping)
)


async def _leave_typed_step(
    handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
    event: TelegramObject,
    data: dict[str, Any],
) -> Any:
    """A console button tapped while the console waited for this admin's typing: the
    wait is over (the button leads elsewhere, or asks again), so a later message of
    theirs is not taken for the old question (a search run on chatter, a reason)."""
    state: FSMContext | None = data.get("state")
    if state is not None:
        current = await state.get_state()
        if current is not None and current.split(":", 1)[0] in _WAITS:
            await state.clear()
    return await handler(event, data)


def build_router() -> Router:
    router = Router(name="admin_console")
    router.message.filter(InAdminChat())
    router.callback_query.filter(InAdminChat())
    router.callback_query.middleware(_leave_typed_step)
    # The typed steps first (a search, a reason), then the commands and the taps.
    search.register(router)
    changes.register(router)
    payouts.register(router)
    leader.register(router)
    account.register(router)
    history.register(router)
    owed.register(router)
    home.register(router)
    return router
