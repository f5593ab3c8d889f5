"""The console's button payloads (typed, bounded: a forged one never unpacks)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from handlers.common.callbacks import CallbackId

# Telegram ids do not fit the 32-bit row ids; they are positive and below 2**63.
TelegramId = Annotated[int, Field(gt=0, lt=2**63)]
Page = Annotated[int, Field(ge=0, le=10_000)]


class Screen(StrEnum):
    HOME = "home"
    SEARCH = "search"  # ask for a name, @username or id
    PAYMENTS = "payments"  # as /pending
    REPORTS = "reports"  # as /reports
    QUESTIONS = "questions"  # as /questions
    PAYOUTS = "payouts"  # the members a payout is owed to (owed.py)
    ACCOUNTS = "accounts"  # as /accounts
    PLANS = "plans"  # as /plans (the owner)
    METHODS = "methods"  # as /methods (the owner)
    NUMBERS = "numbers"  # as /numbers
    EXPORTS = "exports"  # as /export
    MEETINGS = "meetings"  # as /meetings
    LIBRARY = "library"  # as /library
    ANNOUNCE = "announce"  # as /announce (a new announcement)
    ANNOUNCEMENTS = "announcements"  # as /announcements (the history)
    SIGNATURE = "signature"  # as /signature (how answers to members are signed)


class ConsoleCallback(CallbackData, prefix="con"):
    screen: Screen


class ResultsCallback(CallbackData, prefix="conr"):
    """A page of the search results the message shows (its query is remembered)."""

    page: Page


class MemberAction(StrEnum):
    OPEN = "open"  # the card in a new message (from a results list)
    CARD = "card"  # the card in place (back from one of its steps)
    GRANT = "grant"  # choose the plan to give
    REVOKE = "revoke"  # choose the active plan to end
    PAYOUT = "payout"
    LEADER = "leader"
    ACCOUNT = "account"


class MemberCallback(CallbackData, prefix="conm"):
    action: MemberAction
    member: TelegramId


class Change(StrEnum):
    GRANT = "grant"
    REVOKE = "revoke"


class ChangeStep(StrEnum):
    REASON = "reason"  # the plan is chosen: ask why
    WRITE = "write"  # the admin types the reason
    CONFIRM = "confirm"  # the reason is chosen: ask to confirm
    DO = "do"


class Reason(StrEnum):
    """Reasons offered as buttons; TYPED is the one the admin wrote (remembered)."""

    NONE = "-"
    OUTSIDE = "outside"  # paid outside the bot
    GIFT = "gift"  # promo or gift
    FIX = "fix"  # a correction
    TYPED = "typed"


class ChangeCallback(CallbackData, prefix="conc"):
    """A step of granting or revoking one plan of one member."""

    change: Change
    step: ChangeStep
    member: TelegramId
    plan: CallbackId
    reason: Reason = Reason.NONE


class PayStep(StrEnum):
    ALL = "all"  # pay everything available
    AMOUNT = "amount"  # the admin types the amount
    METHOD = "method"  # one of the methods offered (`choice`)
    WRITE_METHOD = "wmethod"
    NO_REFERENCE = "noref"
    REFERENCE = "ref"  # the admin types the reference
    DO = "do"


class PayCallback(CallbackData, prefix="conp"):
    """A step of paying a member out from their card (what was chosen is remembered
    with the screen; `choice` picks one of the methods it offered)."""

    step: PayStep
    member: TelegramId
    # The method picked, or the confirmation's fingerprint (payouts.fingerprint).
    choice: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0


class OwedCallback(CallbackData, prefix="cono"):
    """A page of the members a payout is owed to."""

    page: Page


class AccountStep(StrEnum):
    CONFIRM = "confirm"
    DO = "do"


class AccountCallback(CallbackData, prefix="cona"):
    """Giving one affiliate account (`account`, a row id) to a member from their card."""

    step: AccountStep
    member: TelegramId
    account: CallbackId


class LeaderStep(StrEnum):
    PICK = "pick"  # one of the members found: confirm them as the leader
    REMOVE = "remove"  # confirm removing the leader
    DO = "do"


class LeaderCallback(CallbackData, prefix="conl"):
    """Setting (or with leader 0, removing) a member's leader from their card."""

    step: LeaderStep
    member: TelegramId
    leader: Annotated[int, Field(ge=0, lt=2**63)] = 0


class History(StrEnum):
    """What the member card's history buttons show."""

    LEDGER = "ledger"  # as /ledger, with the payouts made
    LEADERS = "leaders"  # as /leaderhistory
    REPORTS = "reports"  # the member's reports (as /reports MEMBER)


class HistoryCallback(CallbackData, prefix="conh"):
    """A page of one member's history from their card."""

    view: History
    member: TelegramId
    page: Page = 0
