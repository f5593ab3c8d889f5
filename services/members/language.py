"""The language a member reads: their /language choice, or what Telegram says."""

from __future__ import annotations

import dataclasses

from domain.language import SUPPORTED, resolve_language
from services.members._base import MemberBase
from services.members.profile import MemberView, TelegramProfile


class Languages(MemberBase):
    async def set_language(self, profile: TelegramProfile, language: str) -> MemberView:
        if language not in SUPPORTED:
            raise ValueError(f"unsupported language {language!r}")
        async with self.uow() as uow:
            member, is_new = await self._upsert(uow, profile)
            await uow.members.set_chosen_language(member.id, language)
            member = dataclasses.replace(member, chosen_language=language)
            view = self._view(member, is_new)
            await uow.commit()
        self.languages.remember(profile.telegram_id, language)
        self.welcomed.forget(profile.telegram_id)
        return view

    async def language_on_contact(self, profile: TelegramProfile) -> str:
        """The language to answer a private update in; someone unknown is registered first.

        Any first update in private chat (/buy, /me, a button...) registers the person like
        /start does, without a referral code and without the welcome, so every feature can
        count on the member row. A member this process has seen lately costs no query (their
        choice is remembered); otherwise one, as `language_of` does."""
        known, chosen = self.languages.recall(profile.telegram_id)
        if not known:
            async with self.uow() as uow:
                member = await uow.members.by_telegram_id(profile.telegram_id)
                if member is None:
                    member, _ = await self._upsert(uow, profile)
                    await uow.commit()
            chosen = member.chosen_language
            self.languages.remember(profile.telegram_id, chosen)
        return resolve_language(chosen, profile.language_code, self.default_language)

    async def language_of(self, telegram_id: int, telegram_code: str | None) -> str:
        """The language to answer in, for registered and unregistered people alike."""
        known, chosen = self.languages.recall(telegram_id)
        if not known and not self.strangers.recall(telegram_id)[0]:
            async with self.uow() as uow:
                member = await uow.members.by_telegram_id(telegram_id)
            chosen = member.chosen_language if member else None
            if member is not None:
                self.languages.remember(telegram_id, chosen)
            else:
                self.strangers.remember(telegram_id, True)
        return resolve_language(chosen, telegram_code, self.default_language)
