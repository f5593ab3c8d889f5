"""The owner's guided flows, in the admin group: add a payment method, add a plan,
change a price, add a commission structure. Buttons where the choices are known, typed
text where not, a summary with Confirm / Cancel, then the typed command's own service
call (and its refusals).

callbacks.py  the flows' button payloads
spec.py       what a flow is made of (questions, options, parsing, summary, act)
engine.py     the screens, the typed answers and the confirmation (acts once)
flows.py      the four flows
screens.py    /plans, /methods, /structures with the buttons that start them
switches.py   stop or resume selling a plan, a payment method off or on (asks first)

Reached from the panel's "Plans & prices" and "Payment methods" (which run /plans and
/methods), and from the typed shortcuts without arguments (`/addmethod` alone starts
the flow; with arguments each command works as before)."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, Dispatcher, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import CallbackQuery, Message

from handlers.admin.console.home import run_as_typed
from handlers.admin.console.memo import ConsoleMemo
from handlers.admin.setup import engine, screens, switches
from handlers.admin.setup.callbacks import SetupCallback, SetupStep, SwitchCallback
from handlers.admin.setup.flows import SPECS
from handlers.admin.setup.spec import Ctx
from handlers.common.admins import AdminGate
from handlers.common.config import HandlerConfig
from handlers.common.filters import InAdminChat, allowed
from kernel.clock import Clock
from kernel.i18n import Translator
from services.catalog import CatalogService
from services.ledger import LedgerService

COMMANDS = {spec.command: spec for spec in SPECS.values()}


def _ctx(i18n: Translator, lang: str, data: dict[str, Any]) -> Ctx:
    config: HandlerConfig = data["config"]
    catalog: CatalogService = data["catalog"]
    ledger: LedgerService = data["ledger"]
    clock: Clock = data["clock"]
    return Ctx(i18n, lang, catalog, ledger, clock, config.zone)


async def start_command(
    message: Message,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    state: FSMContext,
    fsm_storage: BaseStorage,
    bot: Bot,
    **data: Any,
) -> None:
    """/addmethod, /addplan, /setprice or /addstructure alone: the flow starts."""
    if not await allowed(message, admins, i18n, lang, owner=True):
        return
    command = data["command"].command.lower()
    memo = ConsoleMemo(fsm_storage, bot.id, message.chat.id)
    await engine.start(COMMANDS[command], message, _ctx(i18n, lang, data), memo, state)


async def on_setup(
    query: CallbackQuery,
    callback_data: SetupCallback,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    state: FSMContext,
    fsm_storage: BaseStorage,
    bot: Bot,
    **data: Any,
) -> None:
    if callback_data.step is SetupStep.STRUCTURES:
        if not await allowed(query, admins, i18n, lang, owner=True):
            return
        dispatcher: Dispatcher | None = data.get("dispatcher")
        if dispatcher is None or not isinstance(query.message, Message):
            await query.answer(i18n.t("error.stale_button", lang), show_alert=True)
            return
        await query.answer()
        await run_as_typed(query, "structures", dispatcher, bot)
        return
    spec = SPECS[callback_data.flow]
    ctx = _ctx(i18n, lang, data)
    await engine.on_tap(query, callback_data, spec, ctx, admins, state, fsm_storage, bot)


async def typed_answer(
    message: Message,
    state: FSMContext,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    fsm_storage: BaseStorage,
    bot: Bot,
    **data: Any,
) -> None:
    ctx = _ctx(i18n, lang, data)
    await engine.typed(message, state, SPECS, ctx, admins, fsm_storage, bot)


def build_router() -> Router:
    router = Router(name="admin_setup")
    router.message.filter(InAdminChat())
    router.callback_query.filter(InAdminChat())
    router.message.register(typed_answer, StateFilter(engine.SetupTyping.answer))
    bare = Command(*COMMANDS, magic=F.args.is_(None))
    router.message.register(start_command, bare, ~F.photo)
    router.message.register(screens.plans_screen, Command("plans"))
    router.message.register(screens.methods_screen, Command("methods"))
    router.message.register(screens.structures_screen, Command("structures"))
    router.callback_query.register(on_setup, SetupCallback.filter())
    router.callback_query.register(switches.on_switch, SwitchCallback.filter())
    return router
