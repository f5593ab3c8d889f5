"""What every leader use case shares: the service's fields and its refusals."""

from __future__ import annotations

from enum import StrEnum
from zoneinfo import ZoneInfo

from kernel.clock import Clock
from kernel.refusal import Refusal
from storage.uow import UnitOfWorkFactory


class LeaderProblem(StrEnum):
    SELF = "self"
    LOOP = "loop"
    SAME = "same"
    NO_LEADER = "no_leader"


class LeaderServiceError(Refusal[LeaderProblem]):
    """Why a leader change was refused."""


class LeaderServiceBase:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, zone: ZoneInfo, default_language: str
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.zone = zone
        self.default_language = default_language
