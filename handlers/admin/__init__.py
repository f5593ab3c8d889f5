"""One Router per admin area: payments and reports to review, members, catalog, ledger,
leaders and affiliate accounts.

payments.py  payment cards (Approve / Reject) and /pending
reports/     report cards (Validate / Adjust / Reject) and /reports
card_links.py the buttons of both cards, with "👤 Member" opening the console's member card
members.py   /grant, /revoke
console/     the admin home (/start, /help, /menu), member search (/member) and card
catalog.py   plans, prices and payment methods (the owner only)
setup/       the owner's guided flows: add a method or a plan, change a price, add a structure
ledger.py    /ledger, /payout, /structures, /addstructure
leaders.py   /setleader, /leaderhistory
accounts/    affiliate accounts, with the guided /addaccount and the CSV import
questions.py members' questions: answers, status buttons, /questions, /signature
announcements/ /announce (compose, preview, send or schedule) and /announcements
meetings/     /meetings: schedule, edit, cancel, answers and attendance of Zoom meetings
library/     /library: the learning library (sections, lessons, views)
numbers/     /numbers: the owner's numbers for a period, with charts
exports.py   /export: members, payments, payouts or commissions of a period as CSV

Commands share one scaffold (handlers/common/admin_command.py: the admin check, the
arguments, the usage and problem replies); payment and report cards share one card
(handlers/common/review_card.py).
"""

from __future__ import annotations

from aiogram import Router

from handlers.admin import (
    accounts,
    announcements,
    catalog,
    console,
    exports,
    leaders,
    ledger,
    library,
    meetings,
    members,
    numbers,
    payments,
    questions,
    reports,
    setup,
)


def routers() -> list[Router]:
    """The admin routers, built fresh, in the order they are tried. A typed step of a
    card (a reject reason, an adjusted amount) comes before the later areas' commands."""
    return [
        payments.build_router(),
        reports.build_router(),
        members.build_router(),
        setup.build_router(),  # before catalog and ledger: /plans, /addplan alone
        catalog.build_router(),
        ledger.build_router(),
        leaders.build_router(),
        accounts.build_router(home=console.home.home_data().pack()),
        announcements.build_router(),
        library.build_router(),
        meetings.build_router(),
        numbers.build_router(),
        exports.build_router(),
        console.build_router(),
        # Last: an admin's reply to a relayed question is an answer, unless a step above
        # (a reject reason, a wizard's answer) took it.
        questions.build_router(),
    ]
