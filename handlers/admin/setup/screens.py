"""The catalog lists with their buttons: /plans (and the panel's "Plans & prices"),
/methods ("Payment methods") and /structures answer with the typed command's own list,
and under it, for the owner, the buttons that start a flow: change a price and stop or
resume selling (one each per plan), add a plan, the commission structures; turn a
method off or on (one per method), add a method; add a structure. The switches are in
switches.py."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from aiogram.types import InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.admin import catalog as catalog_commands
from handlers.admin import ledger as ledger_commands
from handlers.admin.console.home import home_data
from handlers.admin.setup.callbacks import (
    SetupCallback,
    SetupFlow,
    SetupStep,
    SwitchCallback,
    SwitchStep,
    SwitchWhat,
)
from handlers.common.admins import AdminGate
from kernel.i18n import Translator
from kernel.names import plan_name
from services.catalog import CatalogService, MethodRow, PlanRow


def _start(flow: SetupFlow, choice: int = 0) -> SetupCallback:
    return SetupCallback(flow=flow, step=SetupStep.START, choice=choice)


def _switch(what: SwitchWhat, id_: int, on: bool) -> SwitchCallback:
    return SwitchCallback(what=what, step=SwitchStep.ASK, id=id_, on=on)


def plans_markup(rows: Sequence[PlanRow], i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    """Per plan: change its price, and stop or resume selling it (whichever applies)."""
    builder = InlineKeyboardBuilder()
    for row in rows:
        text = i18n.t("setup.button_price", lang, plan=plan_name(row.plan))
        builder.button(text=text, callback_data=_start(SetupFlow.PRICE, row.plan.id))
        key = "switch.button_plan_off" if row.on_sale else "switch.button_plan_on"
        switch = _switch(SwitchWhat.PLAN, row.plan.id, not row.on_sale)
        builder.button(text=i18n.t(key, lang, plan=plan_name(row.plan)), callback_data=switch)
    builder.button(text=i18n.t("setup.button_add_plan", lang), callback_data=_start(SetupFlow.PLAN))
    structures = SetupCallback(flow=SetupFlow.STRUCTURE, step=SetupStep.STRUCTURES)
    builder.button(text=i18n.t("setup.button_structures", lang), callback_data=structures)
    builder.button(text=i18n.t("console.back_home", lang), callback_data=home_data())
    builder.adjust(1)
    return builder.as_markup()


def method_names(rows: Sequence[MethodRow]) -> dict[int, str]:
    """What a method is called on its buttons: its label, with its code when two
    methods share a label."""
    labels = Counter(row.label for row in rows)
    return {
        row.id: row.label if labels[row.label] == 1 else f"{row.label} ({row.code})" for row in rows
    }


def methods_markup(rows: Sequence[MethodRow], i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    """Per method: turn it off or on (whichever applies); then add one."""
    builder = InlineKeyboardBuilder()
    names = method_names(rows)
    for row in rows:
        key = "switch.button_method_off" if row.active else "switch.button_method_on"
        switch = _switch(SwitchWhat.METHOD, row.id, not row.active)
        builder.button(text=i18n.t(key, lang, method=names[row.id]), callback_data=switch)
    builder.button(
        text=i18n.t("setup.button_add_method", lang), callback_data=_start(SetupFlow.METHOD)
    )
    builder.button(text=i18n.t("console.back_home", lang), callback_data=home_data())
    builder.adjust(1)
    return builder.as_markup()


def structures_markup(i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    add = _start(SetupFlow.STRUCTURE)
    builder.button(text=i18n.t("setup.button_add_structure", lang), callback_data=add)
    builder.button(text=i18n.t("console.back_home", lang), callback_data=home_data())
    builder.adjust(1)
    return builder.as_markup()


async def _owner(message: Message, admins: AdminGate) -> bool:
    user = message.from_user
    return user is not None and await admins.is_owner(user.id)


async def plans_screen(
    message: Message,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    catalog: CatalogService,
    **data: Any,
) -> None:
    """/plans: the list, with the owner's buttons under it."""
    owner = await _owner(message, admins)
    markup = plans_markup(await catalog.plans(), i18n, lang) if owner else None
    await catalog_commands.plans_list(
        message, admins, i18n, lang, catalog=catalog, list_markup=markup, **data
    )


async def methods_screen(
    message: Message,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    catalog: CatalogService,
    **data: Any,
) -> None:
    """/methods: the list, with the owner's buttons (on/off, add one) under it."""
    owner = await _owner(message, admins)
    markup = methods_markup(await catalog.methods(), i18n, lang) if owner else None
    await catalog_commands.methods_list(
        message, admins, i18n, lang, catalog=catalog, list_markup=markup, **data
    )


async def structures_screen(
    message: Message, admins: AdminGate, i18n: Translator, lang: str, **data: Any
) -> None:
    """/structures: the list (any admin), with the owner's button to add one under it."""
    markup = structures_markup(i18n, lang) if await _owner(message, admins) else None
    await ledger_commands.structures_command(
        message, admins, i18n, lang, list_markup=markup, **data
    )
