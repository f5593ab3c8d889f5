"""What every leader use case shares: the service's fields and its refusals."""

from __future__ import annotations

from enum import StrEnum

from kernel.refusal import Refusal
from services.base import ServiceBase


class LeaderProblem(StrEnum):
    SELF = "self"
    LOOP = "loop"
    SAME = "same"
    NO_LEADER = "no_leader"


class LeaderServiceError(Refusal[LeaderProblem]):
    """Why a leader change was refused."""


class LeaderServiceBase(ServiceBase):
    """The leader service's fields (see services/base.py)."""
