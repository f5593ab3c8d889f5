"""The catalog lists with their buttons: /plans (and the panel's "Plans & prices"),
/methods ("Payment methods") and /structures answer with the typed command's own list,
and under it, for the owner, the buttons that start a flow: change a price (one per
plan), add a plan, the commission structures; add a method; add a structure."""

from __future__ import annotations

from typing import Any

from aiogram.types import InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.admin import catalog as catalog_commands
from handlers.admin import ledger as ledger_commands
from handlers.admin.console.home import home_data
from handlers.admin.setup.callbacks import SetupCallback, SetupFlow, SetupStep
from handlers.common.admins import AdminGate
from kernel.i18n import Translator
from kernel.names import plan_name
from services.catalog import CatalogService


def _start(flow: SetupFlow, choice: int = 0) -> SetupCallback:
    return SetupCallback(flow=flow, step=SetupStep.START, choice=choice)


async def plans_markup(
    catalog: CatalogService, i18n: Translator, lang: str
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    rows = await catalog.plans()
    for row in rows:
        text = i18n.t("setup.button_price", lang, plan=plan_name(row.plan))
        builder.button(text=text, callback_data=_start(SetupFlow.PRICE, row.plan.id))
    builder.button(text=i18n.t("setup.button_add_plan", lang), callback_data=_start(SetupFlow.PLAN))
    structures = SetupCallback(flow=SetupFlow.STRUCTURE, step=SetupStep.STRUCTURES)
    builder.button(text=i18n.t("setup.button_structures", lang), callback_data=structures)
    builder.button(text=i18n.t("console.back_home", lang), callback_data=home_data())
    builder.adjust(*([1] * len(rows)), 1, 1, 1)
    return builder.as_markup()


def methods_markup(i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
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
    markup = await plans_markup(catalog, i18n, lang) if await _owner(message, admins) else None
    await catalog_commands.plans_list(
        message, admins, i18n, lang, catalog=catalog, list_markup=markup, **data
    )


async def methods_screen(
    message: Message, admins: AdminGate, i18n: Translator, lang: str, **data: Any
) -> None:
    """/methods: the list, with the owner's button to add one under it."""
    markup = methods_markup(i18n, lang) if await _owner(message, admins) else None
    await catalog_commands.methods_list(message, admins, i18n, lang, list_markup=markup, **data)


async def structures_screen(
    message: Message, admins: AdminGate, i18n: Translator, lang: str, **data: Any
) -> None:
    """/structures: the list (any admin), with the owner's button to add one under it."""
    markup = structures_markup(i18n, lang) if await _owner(message, admins) else None
    await ledger_commands.structures_command(
        message, admins, i18n, lang, list_markup=markup, **data
    )
