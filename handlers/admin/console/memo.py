"""What the console remembers for the admin group as a whole, so that any admin may tap
any screen: the query behind each results message and the reason typed for a confirm.
Kept in the bot's FSM storage (memory, or Redis when configured) under the group's
chat and user 0 (no Telegram user has id 0), the newest few of each kind."""

from __future__ import annotations

from aiogram.fsm.storage.base import BaseStorage, StorageKey

KEPT = 50  # of each kind: older screens answer that they are out of date


class ConsoleMemo:
    def __init__(self, storage: BaseStorage, bot_id: int, chat_id: int) -> None:
        self.storage = storage
        self.key = StorageKey(bot_id=bot_id, chat_id=chat_id, user_id=0)

    async def remember(self, kind: str, message_id: int, value: str) -> None:
        data = await self.storage.get_data(self.key)
        kept: dict[str, str] = dict(data.get(kind) or {})
        kept[str(message_id)] = value
        data[kind] = dict(list(kept.items())[-KEPT:])
        await self.storage.set_data(self.key, data)

    async def recall(self, kind: str, message_id: int) -> str | None:
        data = await self.storage.get_data(self.key)
        value = (data.get(kind) or {}).get(str(message_id))
        return None if value is None else str(value)

    async def forget(self, kind: str, message_id: int) -> None:
        data = await self.storage.get_data(self.key)
        kept: dict[str, str] = dict(data.get(kind) or {})
        if kept.pop(str(message_id), None) is not None:
            data[kind] = kept
            await self.storage.set_data(self.key, data)
