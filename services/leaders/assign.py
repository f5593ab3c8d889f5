"""An admin assigns, changes or removes a member's leader, from now on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.leaders import LeaderError, check_leader
from kernel.actor import Actor
from kernel.admin_input import MemberRef
from services.leaders._base import LeaderProblem, LeaderServiceBase, LeaderServiceError
from services.member_ref import find_member
from storage.errors import Conflict
from storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class LeaderChange:
    member_name: str
    member_telegram_id: int
    old_leader: str | None
    new_leader: str | None
    at: datetime


class Assigning(LeaderServiceBase):
    async def set_leader(self, member_id: int, leader_id: int | None, admin: Actor) -> LeaderChange:
        """An admin assigns, changes (or with None removes) a member's leader, from now on.

        Both members are told; the old link is closed at the same instant the new one
        opens, so the history has no gap and no overlap."""
        async with self.uow() as uow:
            return await self._set_leader(uow, member_id, leader_id, admin)

    async def set_leader_of(
        self, member: MemberRef, leader: MemberRef | None, admin: Actor
    ) -> LeaderChange:
        """`set_leader` for the members an admin means (/setleader), looked up in the same
        transaction: the member, then the leader (MEMBER_NOT_FOUND), then the change."""
        async with self.uow() as uow:
            member_id = (await find_member(uow, member)).id
            leader_id = None if leader is None else (await find_member(uow, leader)).id
            return await self._set_leader(uow, member_id, leader_id, admin)

    async def _set_leader(
        self, uow: UnitOfWork, member_id: int, leader_id: int | None, admin: Actor
    ) -> LeaderChange:
        now = self.clock.now()
        await uow.leaders.serialize_changes()
        member = await uow.members.by_id(member_id)
        assert member is not None
        current = await uow.leaders.open_link(member_id)
        if leader_id is None and current is None:
            raise LeaderServiceError(LeaderProblem.NO_LEADER, name=member.full_name)
        if current is not None and current.leader_member_id == leader_id:
            raise LeaderServiceError(LeaderProblem.SAME, name=member.full_name)
        new_leader = await uow.members.by_id(leader_id) if leader_id else None
        if leader_id is not None:
            problem = check_leader(member_id, leader_id, await uow.leaders.open_links())
            if problem is LeaderError.SELF:
                raise LeaderServiceError(LeaderProblem.SELF, name=member.full_name)
            if problem is LeaderError.LOOP:
                assert new_leader is not None
                raise LeaderServiceError(
                    LeaderProblem.LOOP, name=member.full_name, leader=new_leader.full_name
                )
        old_leader = None
        if current is not None:
            old_leader = await uow.members.by_id(current.leader_member_id)
            await uow.leaders.close(current.id, now)
        link_id = None
        if new_leader is not None:
            link_id = await uow.leaders.open_admin_link(
                member_id, new_leader.id, now, admin.telegram_id
            )
        uow.audit.record(
            admin,
            "set_leader",
            f"member:{member.telegram_id}",
            now,
            old=old_leader.telegram_id if old_leader else None,
            new=new_leader.telegram_id if new_leader else None,
        )
        # Keyed by the link opened (or closed): every change is announced once.
        stamp = f"link{link_id}" if link_id is not None else f"closed{current.id if current else 0}"
        if new_leader is not None:
            await uow.outbox.tell_member(
                member,
                self.default_language,
                "leaders.you_have_leader",
                {"leader": new_leader.full_name},
                f"leader:{member.id}:{stamp}:member",
                now,
            )
            await uow.outbox.tell_member(
                new_leader,
                self.default_language,
                "leaders.new_sub",
                {"name": member.full_name},
                f"leader:{member.id}:{stamp}:leader",
                now,
            )
        else:
            await uow.outbox.tell_member(
                member,
                self.default_language,
                "leaders.leader_removed",
                {},
                f"leader:{member.id}:{stamp}:removed",
                now,
            )
        change = LeaderChange(
            member_name=member.full_name,
            member_telegram_id=member.telegram_id,
            old_leader=old_leader.full_name if old_leader else None,
            new_leader=new_leader.full_name if new_leader else None,
            at=now,
        )
        try:
            await uow.commit()
        except Conflict:
            # Another admin changed the same member at the same moment: theirs stands.
            raise LeaderServiceError(LeaderProblem.SAME, name=change.member_name) from None
        return change
