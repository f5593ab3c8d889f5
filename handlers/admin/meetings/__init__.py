"""Meetings in the admin group (SPEC "Community"): /meetings lists the coming meetings
with their answers; admins schedule (wizard.py), edit, cancel, see names and mark
attendance (manage.py). Screens are built in views.py; payloads in callbacks.py."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, StateFilter

from handlers.admin.meetings import manage, wizard
from handlers.admin.meetings.callbacks import EditCallback, MeetingsCallback, WizardCallback
from handlers.common.filters import InAdminChat

__all__ = ["build_router"]


def build_router() -> Router:
    router = Router(name="admin_meetings")
    router.message.filter(InAdminChat())
    router.callback_query.filter(InAdminChat())
    router.message.register(manage.meetings_command, Command("meetings"))
    router.message.register(wizard.typed_step, StateFilter(*wizard.TYPED))
    router.callback_query.register(manage.on_meetings, MeetingsCallback.filter())
    router.callback_query.register(manage.on_edit, EditCallback.filter())
    router.callback_query.register(wizard.on_step_button, WizardCallback.filter())
    return router
