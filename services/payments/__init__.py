"""Buying a plan: the frozen quote, the proof, and the admin's decision.

Every decision is a compare-and-set on `payment_requests.status` inside one
transaction, so a double tap, a second admin or a replayed update changes
nothing; the member's message is queued in the same transaction.

- browse.py: offers, one plan's quote, the payment methods, the open request with
  the methods, and `overview_of` (/me's plans, read in the caller's transaction).
- purchase.py: starting a purchase (with the methods to pay by), choosing how to
  pay, cancelling.
- proofs.py: the member's proof and the admins' card it queues.
- review_queue.py: /pending, a request's card, where a request stands.
- approve.py, reject.py: the admin's decision (approval activates through
  services/memberships/activation.py, the path grants take too).
- expiry.py: closing requests left without a proof.
- views.py: what the service hands out and the refusals it raises.
"""

from __future__ import annotations

from domain.proofs import ProofFile
from services.payments.approve import Approving
from services.payments.browse import Browsing, overview_of
from services.payments.expiry import PROOF_DEADLINE, ClosingStale
from services.payments.proofs import Proofs
from services.payments.purchase import Purchasing
from services.payments.reject import Rejecting
from services.payments.review_queue import ReviewQueue
from services.payments.views import (
    ButtonRows,
    Decision,
    Holding,
    MethodChoice,
    MethodView,
    Offer,
    Offers,
    Overview,
    PaymentError,
    PaymentProblem,
    PaymentView,
    PendingQueue,
    ProofReceipt,
    ReviewButtons,
    ReviewCard,
    Reviewed,
    Unavailable,
    WaitingRequest,
)

__all__ = [
    "PROOF_DEADLINE",
    "ButtonRows",
    "Decision",
    "Holding",
    "MethodChoice",
    "MethodView",
    "Offer",
    "Offers",
    "Overview",
    "PaymentError",
    "PaymentProblem",
    "PaymentService",
    "PaymentView",
    "PendingQueue",
    "ProofFile",
    "ProofReceipt",
    "ReviewButtons",
    "ReviewCard",
    "Reviewed",
    "Unavailable",
    "WaitingRequest",
    "overview_of",
]


class PaymentService(Browsing, Purchasing, Proofs, ReviewQueue, Approving, Rejecting, ClosingStale):
    """Every payment use case, on one object the bot wires once (see the modules)."""
