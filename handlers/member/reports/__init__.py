"""The daily report in private chat: a guided flow, a summary, Send / Edit / Cancel
(SPEC "Daily reports").

The draft lives in FSM data; the day it is for is fixed when the flow starts
(begin.py). Every step accepts only what it asks for and says what it expects
otherwise (answers.py, screenshots.py). Commands are never swallowed by the flow:
/report restarts it, /cancel drops the draft, any other command goes on to its own
router while the draft waits. The summary's buttons are in buttons.py; what the flow
shows in screens.py; the draft's states, fields and callback data in draft.py.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter

from handlers.common.callbacks import MenuAction, MenuCallback
from handlers.common.locks import MemberLocks
from handlers.common.uploads import PictureSent
from handlers.member.reports.answers import number_handler, receive_links, wrong_kind
from handlers.member.reports.begin import begin, cancel_command
from handlers.member.reports.buttons import back, cancel, done, edit, make_edit_button, on_draft
from handlers.member.reports.buttons import send as send_report
from handlers.member.reports.draft import (
    NUMBERS,
    STATE_OF,
    EditCallback,
    FlowAction,
    FlowCallback,
    NotCommand,
    ReportFlow,
)
from handlers.member.reports.screenshots import make_receive_screenshot


def build_router() -> Router:
    router = Router(name="reports")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    locks = MemberLocks()
    in_flow = StateFilter(ReportFlow)
    router.message.register(begin, Command("report"))
    router.callback_query.register(begin, MenuCallback.filter(F.action == MenuAction.REPORT))
    router.message.register(cancel_command, Command("cancel"), in_flow)
    for action, step, at_summary in (
        (FlowAction.DONE, done, False),
        (FlowAction.SEND, send_report, True),
        (FlowAction.EDIT, edit, True),
        (FlowAction.BACK, back, True),
        (FlowAction.CANCEL, cancel, True),
    ):
        router.callback_query.register(
            on_draft(locks, step, at_summary=at_summary),
            FlowCallback.filter(F.action == action),
        )
    router.callback_query.register(make_edit_button(locks), EditCallback.filter())
    for field in NUMBERS:
        router.message.register(
            number_handler(field), StateFilter(STATE_OF[field]), F.text, NotCommand()
        )
    router.message.register(receive_links, StateFilter(ReportFlow.links), F.text, NotCommand())
    router.message.register(
        make_receive_screenshot(locks), StateFilter(ReportFlow.screenshots), PictureSent()
    )
    router.message.register(wrong_kind, in_flow, NotCommand())
    return router
