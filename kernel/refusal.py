"""One shape for "the service refused, and here is why": a problem code each feature
translates, plus the params its message needs. Nothing is written when one is raised."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Generic, TypeVar

ProblemT = TypeVar("ProblemT", bound=StrEnum)


class Refusal(Exception, Generic[ProblemT]):
    def __init__(self, problem: ProblemT, **params: Any) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.params = params
