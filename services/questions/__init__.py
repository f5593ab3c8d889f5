"""Members' questions to the admins (SPEC.md, Community: Q&A).

ask.py is the member's side (a message relayed, an edit carried over); answer.py the
admins' answers and their signature; tickets.py the conversation's status, muting, the
list of questions waiting and the overdue alert; relay.py what the relay records while
it copies (bot/questions_relay.py does the copying, through the outbox).
"""

from __future__ import annotations

from services.questions.answer import Answering
from services.questions.ask import Asking
from services.questions.relay import RelaySteps
from services.questions.tickets import Tickets
from services.questions.views import (
    BARE,
    CAPTION,
    HEADER,
    PREFIXES,
    TEXT,
    Answered,
    Asked,
    AskResult,
    ConversationView,
    Said,
    StatusChange,
    Waiting,
)


class QuestionService(Asking, Answering, Tickets, RelaySteps):
    """Questions from members, answers from admins, and the conversations between."""


__all__ = [
    "BARE",
    "CAPTION",
    "HEADER",
    "PREFIXES",
    "TEXT",
    "Answered",
    "AskResult",
    "Asked",
    "ConversationView",
    "QuestionService",
    "Said",
    "StatusChange",
    "Waiting",
]
