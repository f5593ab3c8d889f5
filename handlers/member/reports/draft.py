"""The shape of a report draft: its states, its fields in the order they are asked,
their limits, and the buttons under its summary."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters import Filter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message

from domain.reports import MAX_COMMISSION, MAX_ORDERS, MAX_SALES, MAX_VIDEOS, MAX_VIEWS


class ReportFlow(StatesGroup):
    videos = State()
    links = State()
    views = State()
    orders = State()
    sales = State()
    commission = State()
    screenshots = State()
    summary = State()


class Field(StrEnum):
    VIDEOS = "videos"
    LINKS = "links"
    VIEWS = "views"
    ORDERS = "orders"
    SALES = "sales"
    COMMISSION = "commission"
    SCREENSHOTS = "screenshots"


STATE_OF = {
    Field.VIDEOS: ReportFlow.videos,
    Field.LINKS: ReportFlow.links,
    Field.VIEWS: ReportFlow.views,
    Field.ORDERS: ReportFlow.orders,
    Field.SALES: ReportFlow.sales,
    Field.COMMISSION: ReportFlow.commission,
    Field.SCREENSHOTS: ReportFlow.screenshots,
}
# The order of the guided flow (links are skipped when no video was posted).
ORDER = list(Field)

# Numbers: (maximum, is money).
NUMBERS: dict[Field, tuple[int, bool]] = {
    Field.VIDEOS: (MAX_VIDEOS, False),
    Field.VIEWS: (MAX_VIEWS, False),
    Field.ORDERS: (MAX_ORDERS, False),
    Field.SALES: (MAX_SALES, True),
    Field.COMMISSION: (MAX_COMMISSION, True),
}


class FlowAction(StrEnum):
    SEND = "send"
    EDIT = "edit"
    CANCEL = "cancel"
    DONE = "done"  # no more screenshots
    BACK = "back"  # from the edit choices back to the summary


class FlowCallback(CallbackData, prefix="rf"):
    action: FlowAction
    flow: str


class EditCallback(CallbackData, prefix="rfe"):
    field: Field
    flow: str


class NotCommand(Filter):
    """Anything but a command: commands go on to their own handlers."""

    async def __call__(self, message: Message) -> bool:
        return not (message.text or message.caption or "").startswith("/")


def count_text(value: int) -> str:
    """1.234.567: a count as people read it."""
    return f"{value:,}".replace(",", ".")


async def close_draft(state: FSMContext, flow: str | None, how: str) -> None:
    """The draft is no longer written (`how`: sent, cancelled, failed): the flow leaves
    its states and its buttons are answered kindly from now on."""
    await state.set_state(None)
    await state.set_data({"closed": flow, "closed_how": how})
