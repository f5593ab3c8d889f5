"""Stop or resume selling a plan, turn a payment method off or on: buttons under /plans
and /methods (the owner's), as /retireplan, /unretireplan, /methodoff and /methodon.

A tap asks first, on the list's own message, saying what changes for members; the
confirmation makes the typed command's own service call, and the list is redrawn in
place with a short note of what was done. The wanted state travels with the button, so
the service decides a button that no longer applies (the plan already stopped, the
confirmation tapped twice): nothing is repeated, the admin is told it was already so and
the list is redrawn as it is now. Every tap checks that the person is the owner."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.admin.catalog import method_lines, method_text, plan_lines
from handlers.admin.console.home import show
from handlers.admin.setup.callbacks import SwitchCallback, SwitchStep, SwitchWhat
from handlers.admin.setup.screens import method_names, methods_markup, plans_markup
from handlers.common.admin_command import ADMIN_PROBLEMS, MESSAGE_BUDGET, actor, refusal_text
from handlers.common.admins import AdminGate
from handlers.common.filters import allowed
from kernel.admin_input import AdminProblem, AdminToolError
from kernel.i18n import Translator
from kernel.names import plan_name
from services.catalog import CatalogService, MethodRow, PlanRow

# The service's answer when the plan or method is already as the button wants it.
ALREADY = {
    AdminProblem.ALREADY_RETIRED,
    AdminProblem.ALREADY_ON_SALE,
    AdminProblem.METHOD_ALREADY_OFF,
    AdminProblem.METHOD_ALREADY_ON,
}


def fitted(note: str | None, lines: list[str]) -> str:
    """The note above the list, in one message (list lines past Telegram's limit are
    left out, with an ellipsis: the typed command still lists them all)."""
    head = [note, ""] if note else []
    kept: list[str] = []
    size = sum(len(line) + 1 for line in head)
    for line in lines:
        if size + len(line) + 1 > MESSAGE_BUDGET - 2:
            kept.append("…")
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(head + kept)


def confirm_markup(
    callback_data: SwitchCallback, button: str, i18n: Translator, lang: str
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    do = callback_data.model_copy(update={"step": SwitchStep.DO})
    back = callback_data.model_copy(update={"step": SwitchStep.BACK})
    builder.button(text=i18n.t(button, lang), callback_data=do)
    builder.button(text=i18n.t("switch.back_button", lang), callback_data=back)
    builder.adjust(1)
    return builder.as_markup()


async def on_switch(
    query: CallbackQuery,
    callback_data: SwitchCallback,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    catalog: CatalogService,
    **data: Any,
) -> None:
    if not await allowed(query, admins, i18n, lang, owner=True):
        return
    if not isinstance(query.message, Message):
        await query.answer(i18n.t("error.stale_button", lang), show_alert=True)
        return
    if callback_data.what is SwitchWhat.PLAN:
        await _plan(query, callback_data, i18n, lang, catalog)
    else:
        await _method(query, callback_data, i18n, lang, catalog)


# ---------------------------------------------------------------------------- plans


async def _plans_again(
    query: CallbackQuery, catalog: CatalogService, i18n: Translator, lang: str, note: str | None
) -> None:
    rows = await catalog.plans()
    await show(query, fitted(note, plan_lines(rows, i18n, lang)), plans_markup(rows, i18n, lang))


def _plan_confirmation(row: PlanRow, on: bool, i18n: Translator, lang: str) -> str:
    name = plan_name(row.plan)
    if on:
        return i18n.t("switch.ask_plan_on", lang, plan=name, price=row.plan.price)
    key = "switch.ask_plan_off_lifetime" if row.plan.is_lifetime else "switch.ask_plan_off_days"
    return i18n.t(key, lang, plan=name)


async def _plan(
    query: CallbackQuery,
    callback_data: SwitchCallback,
    i18n: Translator,
    lang: str,
    catalog: CatalogService,
) -> None:
    rows = await catalog.plans()
    row = next((r for r in rows if r.plan.id == callback_data.id), None)
    if row is None:
        await query.answer(i18n.t("switch.plan_not_found", lang), show_alert=True)
        return
    on, step = callback_data.on, callback_data.step
    if step is SwitchStep.BACK:
        await query.answer()
        await _plans_again(query, catalog, i18n, lang, None)
        return
    if step is SwitchStep.ASK:
        if row.on_sale == on:
            key = "tools.problem_already_on_sale" if on else "tools.problem_already_retired"
            already = i18n.t(key, lang, plan=plan_name(row.plan), code=row.plan.code)
            alert = "switch.already_plan_on" if on else "switch.already_plan_off"
            await query.answer(i18n.t(alert, lang), show_alert=True)
            await _plans_again(query, catalog, i18n, lang, already)
            return
        await query.answer()
        button = "switch.do_plan_on" if on else "switch.do_plan_off"
        text = _plan_confirmation(row, on, i18n, lang)
        await show(query, text, confirm_markup(callback_data, button, i18n, lang))
        return
    change = catalog.unretire_plan if on else catalog.retire_plan
    try:
        changed = await change(row.plan.code, actor(query.from_user))
    except AdminToolError as error:
        await _refused(query, error, i18n, lang)
        await _plans_again(
            query, catalog, i18n, lang, refusal_text(error, i18n, lang, ADMIN_PROBLEMS)
        )
        return
    await query.answer(i18n.t("console.done", lang))
    key = "switch.done_plan_on" if on else "switch.done_plan_off"
    note = i18n.t(key, lang, plan=plan_name(changed.plan), code=changed.plan.code)
    await _plans_again(query, catalog, i18n, lang, note)


async def _refused(
    query: CallbackQuery, error: AdminToolError, i18n: Translator, lang: str
) -> None:
    """The tap's answer to a service refusal (plain text: the refusal itself, with its
    markup, is the note above the list): "already done" when it was already so (a
    second tap of the confirmation), else that it could not be done."""
    key = "console.already_done" if error.problem in ALREADY else "switch.refused"
    await query.answer(i18n.t(key, lang), show_alert=True)


# ---------------------------------------------------------------------------- methods


async def _methods_again(
    query: CallbackQuery, catalog: CatalogService, i18n: Translator, lang: str, note: str | None
) -> None:
    rows = await catalog.methods()
    text = fitted(note, method_lines(rows, i18n, lang))
    await show(query, text, methods_markup(rows, i18n, lang))


def _method_confirmation(
    row: MethodRow, rows: list[MethodRow], on: bool, i18n: Translator, lang: str
) -> str:
    name = method_names(rows)[row.id]
    if on:
        return i18n.t("switch.ask_method_on", lang, method=name, line=method_text(row, i18n, lang))
    text = i18n.t("switch.ask_method_off", lang, method=name)
    if not any(other.active for other in rows if other.id != row.id):
        text += "\n\n" + i18n.t("switch.ask_method_off_last", lang)
    return text


async def _method(
    query: CallbackQuery,
    callback_data: SwitchCallback,
    i18n: Translator,
    lang: str,
    catalog: CatalogService,
) -> None:
    rows = await catalog.methods()
    row = next((r for r in rows if r.id == callback_data.id), None)
    if row is None:
        await query.answer(i18n.t("switch.method_not_found", lang), show_alert=True)
        return
    on, step = callback_data.on, callback_data.step
    if step is SwitchStep.BACK:
        await query.answer()
        await _methods_again(query, catalog, i18n, lang, None)
        return
    if step is SwitchStep.ASK:
        if row.active == on:
            key = "tools.problem_method_already_on" if on else "tools.problem_method_already_off"
            already = i18n.t(key, lang, code=row.code, label=row.label)
            alert = "switch.already_method_on" if on else "switch.already_method_off"
            await query.answer(i18n.t(alert, lang), show_alert=True)
            await _methods_again(query, catalog, i18n, lang, already)
            return
        await query.answer()
        button = "switch.do_method_on" if on else "switch.do_method_off"
        text = _method_confirmation(row, rows, on, i18n, lang)
        await show(query, text, confirm_markup(callback_data, button, i18n, lang))
        return
    try:
        changed = await catalog.set_method_active(row.code, on, actor(query.from_user))
    except AdminToolError as error:
        await _refused(query, error, i18n, lang)
        note = refusal_text(error, i18n, lang, ADMIN_PROBLEMS)
        await _methods_again(query, catalog, i18n, lang, note)
        return
    await query.answer(i18n.t("console.done", lang))
    key = "switch.done_method_on" if on else "switch.done_method_off"
    await _methods_again(query, catalog, i18n, lang, i18n.t(key, lang, method=changed.label))
