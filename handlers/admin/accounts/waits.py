"""The area's typed waits end when the admin taps a button that reaches this area (its
own, or a later area's such as the console's): they moved on, so a later message of
theirs is not taken for the old question (chatter kept as a note, or deleted and stored
as a login). Taps handled by the areas tried before this one (payment and report cards)
leave a half-typed /addaccount as it is. The add flow's Save and Cancel, and the tools
under the list (➕ asked twice says the question stands), answer for themselves."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, TelegramObject

from handlers.admin.accounts.add import AddAccount
from handlers.admin.accounts.callbacks import AddAccountCallback, ToolCallback
from handlers.admin.accounts.card_steps import CardTyping
from handlers.admin.accounts.transfer import ImportAccounts

CARD_WAITS = frozenset({CardTyping.note.state, CardTyping.member.state})
FLOW_WAITS = frozenset({ImportAccounts.waiting.state, *AddAccount.__state_names__})
FLOW_BUTTONS = tuple(
    f"{data.__prefix__}{data.__separator__}" for data in (AddAccountCallback, ToolCallback)
)


def _ends(current: str | None, tapped: str) -> bool:
    if current in CARD_WAITS:
        return True
    return current in FLOW_WAITS and not tapped.startswith(FLOW_BUTTONS)


async def leave_waits(
    handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
    event: TelegramObject,
    data: dict[str, Any],
) -> Any:
    state: FSMContext | None = data.get("state")
    if isinstance(event, CallbackQuery) and state is not None:
        message = event.message
        in_group = message is not None and message.chat.type != "private"
        if in_group and _ends(await state.get_state(), event.data or ""):
            await state.clear()
    return await handler(event, data)
