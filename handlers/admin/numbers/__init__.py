"""The owner's numbers in the admin group (SPEC "Numbers the owner tracks").

screens.py   /numbers: the period picker, the numbers screen, a typed custom period,
             the charts sent as one album
views.py     the screen's text and buttons, typed days, "2 Des 2026"
charts.py    the charts as PNG bytes (matplotlib, loaded on the first chart)
callbacks.py the button payloads (`NumbersCallback(action=NumbersAction.PICK)` opens
             the picker from anywhere)
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter

from handlers.admin.numbers import screens
from handlers.admin.numbers.callbacks import NumbersCallback
from handlers.common.filters import InAdminChat

__all__ = ["build_router"]


def build_router() -> Router:
    router = Router(name="admin_numbers")
    router.message.filter(InAdminChat())
    router.callback_query.filter(InAdminChat())
    router.message.register(screens.numbers_command, Command("numbers"))
    router.message.register(
        screens.typed_days, StateFilter(screens.NumbersInput.days), Command("cancel")
    )
    router.message.register(
        screens.typed_days,
        StateFilter(screens.NumbersInput.days),
        F.text,
        ~F.text.startswith("/"),
    )
    router.callback_query.register(screens.on_numbers, NumbersCallback.filter())
    return router
