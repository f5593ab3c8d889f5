"""What Telegram says about a person, in the shape the member service takes."""

from __future__ import annotations

from aiogram.types import User

from services.members import TelegramProfile


def profile_of(user: User) -> TelegramProfile:
    """What Telegram says about a person, as the member service takes it."""
    return TelegramProfile(
        telegram_id=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        language_code=user.language_code,
    )
