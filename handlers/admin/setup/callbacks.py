"""The setup flows' button payloads (typed, bounded: a forged one never unpacks)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from handlers.common.callbacks import CallbackId


class SetupFlow(StrEnum):
    METHOD = "method"  # add a payment method
    PLAN = "plan"  # add a plan
    PRICE = "price"  # change a plan's price
    STRUCTURE = "struct"  # add a commission structure


class SetupStep(StrEnum):
    START = "start"  # a new flow on this message (`choice`: the first answer, if any)
    PICK = "pick"  # the answer `choice` to question `at`
    WRITE = "write"  # question `at` is answered by typing
    DO = "do"  # confirmed
    CANCEL = "cancel"
    STRUCTURES = "list"  # the commission structures (as /structures)


class SetupCallback(CallbackData, prefix="stp"):
    """A step of one setup flow; what was answered so far is remembered with the
    message (`at` is the question the button answers, so an old one is stale)."""

    flow: SetupFlow
    step: SetupStep
    at: Annotated[int, Field(ge=0, le=9)] = 0
    choice: CallbackId = 0


class SwitchWhat(StrEnum):
    PLAN = "plan"  # a plan on sale or not
    METHOD = "method"  # a payment method on or off


class SwitchStep(StrEnum):
    ASK = "ask"  # the confirmation of switching `id` to `on`
    DO = "do"  # confirmed
    BACK = "back"  # not now: the list again


class SwitchCallback(CallbackData, prefix="sw"):
    """Stop or resume selling a plan, or turn a method off or on, from the lists. The
    wanted state travels with the button (`on`), so a button that no longer applies
    (the plan already stopped) is recognised as such."""

    what: SwitchWhat
    step: SwitchStep
    id: CallbackId
    on: bool
