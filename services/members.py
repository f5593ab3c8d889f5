"""Members: registration (at /start, or at any first private update) and the language they read."""

from __future__ import annotations

import dataclasses
import re
import secrets
from dataclasses import dataclass

from domain.language import SUPPORTED, resolve_language
from domain.people import Person
from kernel.clock import Clock
from services.leaders import attach_by_referral
from storage.uow import UnitOfWork, UnitOfWorkFactory

REFERRAL_PAYLOAD = re.compile(r"^ref_([A-Za-z0-9]{4,32})$")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read aloud


@dataclass(frozen=True, slots=True)
class TelegramProfile:
    """What Telegram tells us about a person; refreshed on every /start."""

    telegram_id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


@dataclass(frozen=True, slots=True)
class MemberView:
    id: int
    telegram_id: int
    first_name: str
    language: str
    referral_code: str
    arrived_with_code: str | None
    is_new: bool
    # Set when this /start made them the sub of the leader whose link they used.
    joined_leader: str | None = None


def referral_code_from_payload(payload: str | None) -> str | None:
    """`/start ref_<code>` deep links carry a leader's code; anything else is ignored."""
    if not payload:
        return None
    match = REFERRAL_PAYLOAD.match(payload.strip())
    return match.group(1).upper() if match else None


class MemberService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, default_language: str) -> None:
        self.uow = uow
        self.clock = clock
        self.default_language = default_language

    def _view(self, member: Person, is_new: bool) -> MemberView:
        return MemberView(
            id=member.id,
            telegram_id=member.telegram_id,
            first_name=member.first_name,
            language=member.language(self.default_language),
            referral_code=member.referral_code,
            arrived_with_code=member.arrived_with_code,
            is_new=is_new,
        )

    async def _new_code(self, uow: UnitOfWork) -> str:
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
            if not await uow.members.code_taken(code):
                return code

    async def _upsert(self, uow: UnitOfWork, profile: TelegramProfile) -> tuple[Person, bool]:
        """The member row for this person, inserted when missing; `is_new` is True only for
        the call whose INSERT happened, however many registrations of the same person run
        at once (INSERT … ON CONFLICT (telegram_id) DO NOTHING, then read the row)."""
        now = self.clock.now()
        first_name = profile.first_name[:128] or "?"
        last_name = profile.last_name[:128] if profile.last_name else None
        member = await uow.members.by_telegram_id(profile.telegram_id)
        is_new = False
        if member is None:
            is_new = await uow.members.insert_if_absent(
                telegram_id=profile.telegram_id,
                referral_code=await self._new_code(uow),
                first_name=first_name,
                last_name=last_name,
                username=profile.username,
                telegram_language=profile.language_code,
                now=now,
            )
            member = await uow.members.by_telegram_id(profile.telegram_id)
            if member is None:  # inserted or already there: it cannot be missing now
                raise RuntimeError(f"member {profile.telegram_id} vanished during registration")
        await uow.members.refresh_profile(
            member.id,
            first_name=first_name,
            last_name=last_name,
            username=profile.username,
            telegram_language=profile.language_code,
            now=now,
        )
        member = dataclasses.replace(
            member,
            first_name=first_name,
            last_name=last_name,
            username=profile.username,
            telegram_language=profile.language_code,
            last_seen_at=now,
            blocked_bot_at=None,
        )
        return member, is_new

    async def register(self, profile: TelegramProfile, start_payload: str | None) -> MemberView:
        """/start registers a new member or refreshes a known one.

        A `ref_<code>` payload makes the member the sub of that code's owner, when they
        have never had a leader (SPEC: Leaders); the leader is told. The code a member
        first arrived with is kept either way."""
        async with self.uow() as uow:
            member, is_new = await self._upsert(uow, profile)
            code = referral_code_from_payload(start_payload)
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
            return view

    async def set_language(self, profile: TelegramProfile, language: str) -> MemberView:
        if language not in SUPPORTED:
            raise ValueError(f"unsupported language {language!r}")
        async with self.uow() as uow:
            member, is_new = await self._upsert(uow, profile)
            await uow.members.set_chosen_language(member.id, language)
            member = dataclasses.replace(member, chosen_language=language)
            view = self._view(member, is_new)
            await uow.commit()
            return view

    async def language_on_contact(self, profile: TelegramProfile) -> str:
        """The language to answer a private update in; someone unknown is registered first.

        Any first update in private chat (/buy, /me, a button...) registers the person like
        /start does, without a referral code and without the welcome, so every feature can
        count on the member row. A known member costs one query, as `language_of` does."""
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(profile.telegram_id)
            if member is None:
                member, _ = await self._upsert(uow, profile)
                await uow.commit()
            chosen = member.chosen_language
        return resolve_language(chosen, profile.language_code, self.default_language)

    async def language_of(self, telegram_id: int, telegram_code: str | None) -> str:
        """The language to answer in, for registered and unregistered people alike."""
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(telegram_id)
            chosen = member.chosen_language if member else None
        return resolve_language(chosen, telegram_code, self.default_language)
