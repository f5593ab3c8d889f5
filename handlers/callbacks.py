"""Typed callback data: the only shapes of button payload the bot accepts.

Callback data is chosen by the client and unsigned; anything that does not
unpack into one of these falls through to the stale-button answer.
"""

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from storage.repos.outbox import Button


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


class MenuCallback(CallbackData, prefix="menu"):
    action: MenuAction


class CatalogView(StrEnum):
    OFFERS = "offers"
    UNAVAILABLE = "unavailable"


class CatalogCallback(CallbackData, prefix="cat"):
    view: CatalogView


class PlanCallback(CallbackData, prefix="plan"):
    """Show the quote for one plan."""

    plan_id: int


class ModeChoice(StrEnum):
    NONE = "-"
    ACCUMULATE = "accumulate"
    FULL = "full"


class BuyCallback(CallbackData, prefix="buy"):
    """Confirm buying a plan (in a mode): opens the payment request."""

    plan_id: int
    mode: ModeChoice


class MethodCallback(CallbackData, prefix="paym"):
    request_id: int
    method_id: int


class CancelPaymentCallback(CallbackData, prefix="pcancel"):
    request_id: int


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
    request_id: int
    proof_id: int  # the proof on the card: a decision applies to that proof only
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


class ChangeMethodCallback(CallbackData, prefix="pchg"):
    request_id: int


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
    report_id: int
    version: int
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

    batch_id: int


class GroupAction(StrEnum):
    INVITE = "invite"  # a VIP outside the group asks for their invite


class GroupCallback(CallbackData, prefix="grp"):
    action: GroupAction


class CredentialsCallback(CallbackData, prefix="cred"):
    """The holder of an affiliate account asks to see its login (private chat only)."""

    action: str = "show"
