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
