"""What every part of MemberService shares: its fields and the registration upsert."""

from __future__ import annotations

import dataclasses
import secrets

from domain.people import Person
from kernel.clock import Clock
from services.members.memo import LanguageMemo, RecentMembers
from services.members.profile import CODE_ALPHABET, MemberView, TelegramProfile
from storage.uow import UnitOfWork, UnitOfWorkFactory


class MemberBase:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, default_language: str) -> None:
        self.uow = uow
        self.clock = clock
        self.default_language = default_language
        self.languages = LanguageMemo(clock.monotonic)
        # The last /start of each member seen lately, as (their profile, the view it
        # gave): the same /start again within the memo's ten minutes needs no query.
        self.welcomed: RecentMembers[tuple[TelegramProfile, MemberView]] = RecentMembers(
            clock.monotonic
        )
        # People seen lately without a member row (admins writing only in the admin group):
        # their language is Telegram's, and remembering that spares a query per update.
        # Registering puts them in `languages`, which is asked first.
        self.strangers: RecentMembers[bool] = RecentMembers(clock.monotonic)

    def forget(self, telegram_id: int) -> None:
        """Drop what this process remembers of a member (their row changed elsewhere: the
        relay found they blocked the bot), so their next update reads it again."""
        self.languages.forget(telegram_id)
        self.welcomed.forget(telegram_id)
        self.strangers.forget(telegram_id)

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
