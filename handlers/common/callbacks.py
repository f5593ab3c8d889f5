"""Typed callback data: the only shapes of button payload the bot accepts.

Callback data is chosen by the client and unsigned; anything that does not
unpack into one of these falls through to the stale-button answer. Numbers are
bounded here (`CallbackId`): a forged `plan:99999999999999999999999` or `plan:-1`
fails validation in `unpack`, the `.filter()` does not match, and the database
never sees a number it cannot store.
"""

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from kernel.notices import Button

# Row ids and versions: never negative, and within a 32-bit signed INTEGER column.
CallbackId = Annotated[int, Field(ge=0, le=2**31 - 1)]


class LanguageCode(StrEnum):
    ID = "id"
    EN = "en"


class LanguageCallback(CallbackData, prefix="lang"):
    code: LanguageCode


class MenuAction(StrEnum):
    HOME = "home"
    HELP = "help"
    LANGUAGE = "language"
    SHOP = "shop"
    ME = "me"
    REPORT = "report"  # start today's report
    BALANCE = "balance"  # commission, paid, available
    TEAM = "team"  # referral link and subs
    ASK = "ask"  # how to ask the admins a question
    MEETINGS = "meetings"  # upcoming meetings for the member's tier
    LIBRARY = "library"  # the learning library


class MenuCallback(CallbackData, prefix="menu"):
    action: MenuAction


class CatalogView(StrEnum):
    OFFERS = "offers"
    UNAVAILABLE = "unavailable"


class CatalogCallback(CallbackData, prefix="cat"):
    view: CatalogView


class PlanCallback(CallbackData, prefix="plan"):
    """Show the quote for one plan."""

    plan_id: CallbackId


class ModeChoice(StrEnum):
    NONE = "-"
    ACCUMULATE = "accumulate"
    FULL = "full"


class BuyCallback(CallbackData, prefix="buy"):
    """Confirm buying a plan (in a mode): opens the payment request."""

    plan_id: CallbackId
    mode: ModeChoice


class MethodCallback(CallbackData, prefix="paym"):
    request_id: CallbackId
    method_id: CallbackId


class CancelPaymentCallback(CallbackData, prefix="pcancel"):
    request_id: CallbackId


class ReviewAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"  # show the reasons
    REASON = "reason"  # reject with a listed reason
    WRITE = "write"  # reject with a reason the admin types
    BACK = "back"  # back to Approve / Reject


class RejectReason(StrEnum):
    """domain.states.ProofRejectReason plus "none" (callback data cannot hold None)."""

    NONE = "-"
    AMOUNT = "amount"
    UNREADABLE = "unreadable"
    NOT_RECEIVED = "not_received"
    DUPLICATE = "duplicate"


class ReviewCallback(CallbackData, prefix="review"):
    """An admin's tap on a payment card in the admin group."""

    action: ReviewAction
    request_id: CallbackId
    proof_id: CallbackId  # the proof on the card: a decision applies to that proof only
    reason: RejectReason = RejectReason.NONE


def review_buttons(request_id: int, proof_id: int) -> tuple[tuple[Button, ...], ...]:
    """Approve / Reject under a payment card (queued by the payment service)."""

    def data(action: ReviewAction) -> str:
        return ReviewCallback(action=action, request_id=request_id, proof_id=proof_id).pack()

    return (
        (
            Button("review.approve", data(ReviewAction.APPROVE)),
            Button("review.reject", data(ReviewAction.REJECT)),
        ),
    )


class PendingCardCallback(CallbackData, prefix="pend"):
    """A request in the /pending list: post its card again."""

    request_id: CallbackId


class ChangeMethodCallback(CallbackData, prefix="pchg"):
    request_id: CallbackId


class ReportAction(StrEnum):
    VALIDATE = "validate"
    ADJUST = "adjust"  # the admin types the corrected amount, then it is validated
    REJECT = "reject"  # show the reasons
    REASON = "reason"  # reject with a listed reason
    WRITE = "write"  # reject with a reason the admin types
    BACK = "back"  # back to the three buttons


class ReportReason(StrEnum):
    """domain.reports.ReportRejectReason plus "none" (callback data cannot hold None)."""

    NONE = "-"
    MISMATCH = "mismatch"
    UNREADABLE = "unreadable"
    WRONG_DATE = "wrong_date"
    DUPLICATE = "duplicate"


class ReportCallback(CallbackData, prefix="rep"):
    """An admin's tap on a report card: it acts on the version the card shows."""

    action: ReportAction
    report_id: CallbackId
    version: CallbackId
    reason: ReportReason = ReportReason.NONE


def report_buttons(report_id: int, version: int) -> tuple[tuple[Button, ...], ...]:
    """Validate / Adjust amount / Reject under a report card (queued by the report service)."""

    def data(action: ReportAction) -> str:
        return ReportCallback(action=action, report_id=report_id, version=version).pack()

    return (
        (Button("report_review.validate", data(ReportAction.VALIDATE)),),
        (
            Button("report_review.adjust", data(ReportAction.ADJUST)),
            Button("report_review.reject", data(ReportAction.REJECT)),
        ),
    )


class BatchCallback(CallbackData, prefix="repall"):
    """ "Validate all listed" under a /reports listing."""

    batch_id: CallbackId


class GroupAction(StrEnum):
    INVITE = "invite"  # a VIP outside the group asks for their invite


class GroupCallback(CallbackData, prefix="grp"):
    action: GroupAction


class CredentialsCallback(CallbackData, prefix="cred"):
    """The holder of an affiliate account asks to see its login (private chat only)."""

    action: str = "show"


class QuestionAction(StrEnum):
    ANSWERED = "answered"  # mark the conversation answered
    CLOSE = "closed"
    REOPEN = "open"
    MUTE = "mute"  # show the mute durations
    MUTE_FOR = "mute_for"  # mute for `hours`
    UNMUTE = "unmute"
    BACK = "back"  # back from the durations to the status buttons


class QuestionStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


class QuestionCallback(CallbackData, prefix="qa"):
    action: QuestionAction
    conversation: CallbackId
    hours: Annotated[int, Field(ge=0, le=24 * 365)] = 0
    # The status the buttons were drawn for: a tap after the member asked again is stale.
    shown: QuestionStatus | None = None


class SignatureCallback(CallbackData, prefix="qasign"):
    with_name: bool
