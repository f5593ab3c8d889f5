"""Announcements in the admin group (SPEC "Community"): an admin's post copied to an
audience of members, with preview, count, test, schedule, progress and controls.

compose.py   /announce, a guided flow with one handler per step
control.py   /announcements (history) and the pause / resume / cancel buttons
views.py     the progress message (also edited by the sender), history, keyboards,
             and the post copied as members get it
callbacks.py the button payloads

The delivery itself runs beside the outbox relay: bot/announcements.py.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, StateFilter

from handlers.admin.announcements import compose, control
from handlers.admin.announcements.callbacks import (
    AnnouncementControlCallback,
    ComposeCallback,
    HistoryCallback,
)
from handlers.common.filters import InAdminChat

__all__ = ["build_router"]


def build_router() -> Router:
    """Commands first (a command typed inside the flow is that command), then the parts
    of an album being composed, then the steps."""
    router = Router(name="admin_announcements")
    router.message.filter(InAdminChat())
    router.callback_query.filter(InAdminChat())
    router.message.register(compose.announce_command, Command("announce"))
    router.message.register(control.history_command, Command("announcements"))
    router.message.register(compose.album_part, StateFilter(compose.Compose), compose.AlbumPart())
    for step, handler in compose.STEPS:
        router.message.register(handler, StateFilter(step), compose.ComposeInput())
    router.callback_query.register(compose.on_compose_button, ComposeCallback.filter())
    router.callback_query.register(control.on_control, AnnouncementControlCallback.filter())
    router.callback_query.register(control.on_history_page, HistoryCallback.filter())
    return router
