"""Leader assignment rules (SPEC "Leaders"): no one leads themselves, no chain loops."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

__all__ = ["LeaderError", "check_leader"]


class LeaderError(StrEnum):
    """Why a member cannot get a given leader."""

    SELF = "self"
    LOOP = "loop"


def check_leader(
    member_id: int, new_leader_id: int, leader_of: Mapping[int, int | None]
) -> LeaderError | None:
    """Whether ``new_leader_id`` may become the leader of ``member_id``; ``None`` means yes.

    ``SELF`` when they are the same person; ``LOOP`` when ``member_id`` already appears in the
    chain of leaders above ``new_leader_id`` (e.g. A leads B, B leads C: C cannot lead A).
    ``leader_of`` maps a member to their current leader.
    """
    if member_id == new_leader_id:
        return LeaderError.SELF
    visited: set[int] = set()
    current: int | None = new_leader_id
    # The visited set stops the walk on a cycle already present in the data (which does not
    # involve member_id, otherwise the walk would have met it).
    while current is not None and current not in visited:
        if current == member_id:
            return LeaderError.LOOP
        visited.add(current)
        current = leader_of.get(current)
    return None
