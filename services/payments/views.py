"""What the payment service hands out: views of requests, offers, cards and decisions,
and the refusals it raises."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.catalog import Plan, Tier
from domain.pricing import NotOfferedReason, Quote, QuoteKind
from domain.states import PaymentMethodKind, PaymentStatus
from kernel.notices import Button
from services.affiliates import Offer as AccountOffer

ButtonRows = tuple[tuple[Button, ...], ...]
# The bot layer packs the buttons of a card (request id, proof id, member's Telegram id).
ReviewButtons = Callable[[int, int, int], ButtonRows]


class PaymentProblem(StrEnum):
    NOT_REGISTERED = "not_registered"
    PLAN_UNAVAILABLE = "plan_unavailable"
    NOT_OFFERED = "not_offered"
    OPEN_REQUEST = "open_request"
    NO_OPEN_REQUEST = "no_open_request"
    NOT_FOUND = "not_found"
    NO_METHOD = "no_method"  # a proof before a payment method was chosen
    METHOD_UNAVAILABLE = "method_unavailable"
    ALREADY_SUBMITTED = "already_submitted"  # a second proof while one is being reviewed
    NO_METHODS = "no_methods"  # no payment method is active: nothing can be bought now


class PaymentError(Exception):
    def __init__(self, problem: PaymentProblem, detail: Any = None) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True, slots=True)
class PaymentView:
    id: int
    member_id: int
    plan_id: int
    plan: Plan
    status: PaymentStatus
    method_id: int | None
    kind: QuoteKind
    mode: str | None
    list_price: int
    credit: int
    amount: int
    days_carried: int
    base_remaining_days: int | None


@dataclass(frozen=True, slots=True)
class ProofReceipt:
    request_id: int
    proof_id: int
    duplicate_of_proof_id: int | None


@dataclass(frozen=True, slots=True)
class Decision:
    """What an admin's tap did: `applied` is False when someone else was first."""

    request_id: int
    applied: bool
    status: PaymentStatus
    decided_by: int | None
    decided_at: datetime | None
    membership_id: int | None = None
    decided_by_name: str | None = None


@dataclass(frozen=True, slots=True)
class Offer:
    """A plan this member can buy now, with its quote (one per mode when they choose)."""

    plan: Plan
    quotes: tuple[Quote, ...]


@dataclass(frozen=True, slots=True)
class Unavailable:
    plan: Plan
    reason: NotOfferedReason


@dataclass(frozen=True, slots=True)
class Offers:
    offers: tuple[Offer, ...]
    unavailable: tuple[Unavailable, ...]


@dataclass(frozen=True, slots=True)
class MethodView:
    id: int
    code: str
    kind: PaymentMethodKind
    label: str
    account_name: str | None
    account_number: str | None
    qris_file_id: str | None


@dataclass(frozen=True, slots=True)
class MethodChoice:
    """A member's request and the payment methods they may choose from now, read in
    one transaction (the "choose how to pay" screen)."""

    request: PaymentView
    methods: tuple[MethodView, ...]


@dataclass(frozen=True, slots=True)
class Holding:
    plan: Plan
    expires_at: datetime | None
    remaining_days: int | None


@dataclass(frozen=True, slots=True)
class Overview:
    """What /me shows: the effective tier, what is held, the open payment."""

    tier: Tier | None
    holdings: tuple[Holding, ...]
    open_request: PaymentView | None
    open_plan: Plan | None
    open_method: MethodView | None


@dataclass(frozen=True, slots=True)
class ReviewCard:
    """A payment card for the admin group: a translated caption and the proof."""

    request_id: int
    proof_id: int | None
    status: PaymentStatus
    text_key: str
    params: dict[str, Any]
    photo_file_id: str | None
    document_file_id: str | None


@dataclass(frozen=True, slots=True)
class WaitingRequest:
    """An open request still waiting for the member's proof (for /pending)."""

    view: PaymentView
    member_name: str


@dataclass(frozen=True, slots=True)
class PendingQueue:
    """/pending: the first cards waiting for a decision and the first requests waiting
    for the member's proof, with how many of each wait in all."""

    cards: list[ReviewCard]
    waiting: list[WaitingRequest]
    submitted: int
    waiting_total: int


@dataclass(frozen=True, slots=True)
class Reviewed:
    """An admin's tap on a payment card and everything its answer shows, read in the
    transaction of the decision itself.

    `card`: the request's card now (its latest proof). `reject_reason`: the latest
    proof's reason while it is rejected (as `last_reject_reason`). `proof_decision`: who
    accepted or rejected the tapped proof and when (as `proof_decision`; None while it
    is under review, or when no proof was named)."""

    decision: Decision
    card: ReviewCard
    reject_reason: str | None
    proof_decision: Decision | None
    # For an approved request: the TikTok account the card offers its member (an active
    # VIP holding none, when one is available), read in the same transaction.
    offer: AccountOffer | None = None
