"""/start: registering a member, and joining a leader through their referral link."""

from __future__ import annotations

import dataclasses

from services.leaders import attach_by_referral
from services.members._base import MemberBase
from services.members.profile import MemberView, TelegramProfile, referral_code_from_payload


class Registering(MemberBase):
    async def register(self, profile: TelegramProfile, start_payload: str | None) -> MemberView:
        """/start registers a new member or refreshes a known one.

        A `ref_<code>` payload makes the member the sub of that code's owner, when they
        have never had a leader (SPEC: Leaders); the leader is told. The code a member
        first arrived with is kept either way.

        A plain /start (no referral code) from a member who sent the same one lately, with
        the same name and username, changes nothing: it is answered from memory (the
        memo's ten minutes are also how fresh "last seen" is)."""
        code = referral_code_from_payload(start_payload)
        if code is None:
            known, seen = self.welcomed.recall(profile.telegram_id)
            if known and seen is not None and seen[0] == profile:
                return seen[1]
        async with self.uow() as uow:
            member, is_new = await self._upsert(uow, profile)
            if is_new and code and code != member.referral_code:
                await uow.members.set_arrived_with_code(member.id, code)
                member = dataclasses.replace(member, arrived_with_code=code)
            view = self._view(member, is_new)
            if code:
                now = self.clock.now()
                leader = await attach_by_referral(uow, member, code, now)
                if leader is not None:
                    await uow.outbox.tell_member(
                        leader,
                        self.default_language,
                        "leaders.new_sub_by_link",
                        {"name": view.first_name},
                        f"leader:{member.id}:referral",
                        now,
                    )
                    view = dataclasses.replace(view, joined_leader=leader.first_name)
            await uow.commit()
        self.languages.remember(member.telegram_id, member.chosen_language)
        again = dataclasses.replace(view, is_new=False, joined_leader=None)
        self.welcomed.remember(member.telegram_id, (profile, again))
        return view
