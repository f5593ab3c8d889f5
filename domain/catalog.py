"""The catalog: tiers (levels of access) and plans (what is sold), plus the owner's policy.

Nothing here assumes which tiers or plans exist; the default catalog is data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Plan", "PlanPolicy", "Tier", "default_policy"]


@dataclass(frozen=True, slots=True)
class Tier:
    """A level of access; a higher ``rank`` includes everything of the lower ones."""

    code: str
    rank: int

    def __post_init__(self) -> None:
        if not self.code:
            raise ValueError("tier code must not be empty")
        if _not_int(self.rank) or self.rank < 1:
            raise ValueError("tier rank must be an int >= 1")


@dataclass(frozen=True, slots=True)
class Plan:
    """What is sold: a tier for ``duration_days`` days (``None`` = lifetime) at ``price`` rupiah.

    ``price`` is today's list price; a membership remembers the price it was bought at.
    """

    id: int
    code: str
    tier: Tier
    duration_days: int | None
    price: int

    def __post_init__(self) -> None:
        if _not_int(self.price) or self.price < 0:
            raise ValueError("plan price must be an int number of rupiah >= 0")
        if self.duration_days is not None and (
            _not_int(self.duration_days) or self.duration_days < 1
        ):
            raise ValueError("plan duration must be None (lifetime) or an int >= 1")

    @property
    def is_lifetime(self) -> bool:
        """A plan without a duration never expires."""
        return self.duration_days is None


@dataclass(frozen=True, slots=True)
class PlanPolicy:
    """The owner's upgrade policy for one target plan.

    ``allow_accumulate``: whether remaining value of a held temporal plan may be credited.
    ``always_full_from``: ids of held plans from which this target is always full price.
    """

    allow_accumulate: bool
    always_full_from: frozenset[int] = field(default_factory=frozenset)


def default_policy(plan: Plan) -> PlanPolicy:
    """SPEC rule 6 default: accumulate is allowed for temporal targets, never for lifetime ones."""
    return PlanPolicy(allow_accumulate=not plan.is_lifetime)


def _not_int(value: object) -> bool:
    # bool is an int subclass, and a float price would leak floats into money arithmetic.
    return isinstance(value, bool) or not isinstance(value, int)
