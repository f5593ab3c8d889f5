"""The engine every setup flow runs on: one message is the flow's screen, edited in
place step by step. A question with known answers is buttons; one without is typed in
the group (the console's typed-answer rules, handlers/common/asked.py: a reply to
a member's question is never taken as an answer); the last screen sums everything up
with Confirm / Cancel. ✖️ Batal on every screen, or /cancel at any step, ends it.

What was answered so far is remembered with the screen (the console's memo), so any
tap of an old or forged button is stale. Every tap and every typed answer checks that
the person is the owner. The confirmation acts once: taps of it are handled one at a
time, and after the first the screen is marked done; the service's own database checks
(a plan code is unique, the same price, an overlapping structure) refuse a repeat that
comes from elsewhere."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.admin.console.home import home_data, show, show_again
from handlers.admin.console.memo import ConsoleMemo
from handlers.admin.setup.callbacks import SetupCallback, SetupFlow, SetupStep
from handlers.admin.setup.spec import Answers, Ctx, Refused, Spec
from handlers.common.admin_command import ADMIN_PROBLEMS, ReplyInstead, actor, refusal_text
from handlers.common.admins import AdminGate
from handlers.common.asked import answer_of, topic_of
from handlers.common.filters import allowed
from handlers.common.locks import MemberLocks
from kernel.refusal import Refusal
from services.ledger import LedgerServiceError

MEMO = "setup"  # the flow of each screen, by message id
PROBLEMS: Any = {**ADMIN_PROBLEMS, LedgerServiceError: "structures.problem_{problem}"}
# One confirmation handled at a time per screen (a double tap, two admins at once).
CONFIRMING = MemberLocks()


class SetupTyping(StatesGroup):
    answer = State()


@dataclass(frozen=True, slots=True)
class Screen:
    text: str
    markup: InlineKeyboardMarkup
    typed: str | None = None  # the question now waiting for a typed answer


Record = dict[str, Any]  # flow, answers, done


def _data(spec: Spec, step: SetupStep, at: int = 0, choice: int = 0) -> SetupCallback:
    return SetupCallback(flow=spec.flow, step=step, at=at, choice=choice)


def _heading(spec: Spec, ctx: Ctx, step: str) -> str:
    return ctx.t("setup.heading", title={"key": f"setup.{spec.flow.value}_title"}, step=step)


def current(spec: Spec, answers: Answers) -> tuple[int, str | None]:
    """The index and name of the first question not answered yet (None: all are)."""
    for index, question in enumerate(spec.questions(answers)):
        if question not in answers:
            return index, question
    return len(spec.questions(answers)), None


async def render(spec: Spec, answers: Answers, ctx: Ctx, *, writing: bool = False) -> Screen:
    """The screen for what is answered so far: the next question, or the confirmation."""
    builder = InlineKeyboardBuilder()
    at, question = current(spec, answers)
    total = len(spec.questions(answers))
    known = spec.summary(answers, ctx)
    if question is None:
        do, cancel = _data(spec, SetupStep.DO), _data(spec, SetupStep.CANCEL)
        builder.button(text=ctx.t("setup.confirm_button"), callback_data=do)
        builder.button(text=ctx.t("setup.cancel_button"), callback_data=cancel)
        builder.adjust(1)
        heading = _heading(spec, ctx, ctx.t("setup.check_step"))
        lines = [heading, *known, "", ctx.t("setup.confirm")]
        return Screen("\n".join(lines), builder.as_markup())
    options = [] if writing else await spec.options(question, answers, ctx)
    for option in options:
        pick = _data(spec, SetupStep.PICK, at, option.choice)
        builder.button(text=option.label, callback_data=pick)
    if options and spec.writable(question):
        key = f"setup.{spec.flow.value}_{question}_button"
        builder.button(text=ctx.t(key), callback_data=_data(spec, SetupStep.WRITE, at))
    builder.button(text=ctx.t("setup.cancel_button"), callback_data=_data(spec, SetupStep.CANCEL))
    builder.adjust(*([2] * (len(options) // 2)), 1)
    suffix = "_write" if writing else ""
    ask = ctx.t(f"setup.{spec.flow.value}_{question}{suffix}")
    lines = [_heading(spec, ctx, f"{at + 1}/{total}"), *known]
    lines += ["", ask] if known else [ask]
    if not options:
        lines.append(ctx.t("setup.type_hint"))
    return Screen("\n".join(lines), builder.as_markup(), None if options else question)


def new_record(spec: Spec) -> Record:
    return {"flow": spec.flow.value, "answers": {}, "done": False}


async def keep(memo: ConsoleMemo, screen: int, record: Record) -> None:
    await memo.remember(MEMO, screen, json.dumps(record))


async def recall(memo: ConsoleMemo, screen: int, spec: Spec) -> Record | None:
    kept = await memo.recall(MEMO, screen)
    record: Record | None = json.loads(kept) if kept else None
    return record if record is not None and record.get("flow") == spec.flow.value else None


async def wait_for(
    state: FSMContext, spec: Spec, screen: int, thread: int | None, question: str | None
) -> None:
    """The owner's next message in this topic answers `question` of the screen (None: a
    question with buttons, where only /cancel is taken and anything else passes on)."""
    await state.set_state(SetupTyping.answer)
    data = {"screen": screen, "thread": thread, "flow": spec.flow.value, "question": question}
    await state.set_data(data)


def finished(text: str, ctx: Ctx) -> tuple[str, InlineKeyboardMarkup]:
    builder = InlineKeyboardBuilder()
    builder.button(text=ctx.t("console.back_home"), callback_data=home_data())
    return text, builder.as_markup()


async def start(
    spec: Spec,
    message: Message,
    ctx: Ctx,
    memo: ConsoleMemo,
    state: FSMContext,
    answers: Answers | None = None,
) -> None:
    """A new flow as a new message below `message` (a typed shortcut without arguments,
    or a list's button, which stays as it is); `answers` already given, if any."""
    record = new_record(spec)
    record["answers"] = answers or {}
    screen = await render(spec, record["answers"], ctx)
    if message.from_user is not None and message.from_user.is_bot:
        sent = await message.answer(screen.text, reply_markup=screen.markup)
    else:
        sent = await message.reply(screen.text, reply_markup=screen.markup)
    await keep(memo, sent.message_id, record)
    await wait_for(state, spec, sent.message_id, topic_of(sent), screen.typed)


async def on_tap(
    query: CallbackQuery,
    callback_data: SetupCallback,
    spec: Spec,
    ctx: Ctx,
    admins: AdminGate,
    state: FSMContext,
    fsm_storage: BaseStorage,
    bot: Bot,
) -> None:
    if not await allowed(query, admins, ctx.i18n, ctx.lang, owner=True):
        return
    message, step = query.message, callback_data.step
    if not isinstance(message, Message):
        await query.answer(ctx.t("error.stale_button"), show_alert=True)
        return
    memo = ConsoleMemo(fsm_storage, bot.id, message.chat.id)
    if step is SetupStep.START:
        answers: Answers = {}
        if callback_data.choice:  # the first answer comes with the button
            first = spec.questions(answers)[0]
            options = await spec.options(first, answers, ctx)
            chosen = [o for o in options if o.choice == callback_data.choice]
            if not chosen:
                await query.answer(ctx.t("error.stale_button"), show_alert=True)
                return
            answers[first] = chosen[0].value
        await query.answer()
        await start(spec, message, ctx, memo, state, answers)
        return
    record = await recall(memo, message.message_id, spec)
    if record is None or (record.get("done") and step is not SetupStep.DO):
        await query.answer(ctx.t("error.stale_button"), show_alert=True)
        return
    if step is SetupStep.DO:
        await confirm(query, message, spec, ctx, memo)
        if (await state.get_data()).get("screen") == message.message_id:
            await state.clear()
        return
    if step is SetupStep.CANCEL:
        record["done"] = True
        await keep(memo, message.message_id, record)
        if (await state.get_data()).get("screen") == message.message_id:
            await state.clear()
        await query.answer()
        await show(query, *finished(ctx.t("setup.cancelled"), ctx))
        return
    answers = record["answers"]
    at, question = current(spec, answers)
    writing = False
    if callback_data.step is SetupStep.PICK:
        options = [] if question is None else await spec.options(question, answers, ctx)
        chosen = [o for o in options if o.choice == callback_data.choice]
        if callback_data.at != at or not chosen or question is None:
            await query.answer(ctx.t("error.stale_button"), show_alert=True)
            return
        answers[question] = chosen[0].value
    elif callback_data.step is SetupStep.WRITE:
        if callback_data.at != at or question is None or not spec.writable(question):
            await query.answer(ctx.t("error.stale_button"), show_alert=True)
            return
        writing = True
    await query.answer()
    await keep(memo, message.message_id, record)
    screen = await render(spec, answers, ctx, writing=writing)
    await show(query, screen.text, screen.markup)
    waiting = question if writing else screen.typed
    await wait_for(state, spec, message.message_id, topic_of(message), waiting)


async def confirm(
    query: CallbackQuery, message: Message, spec: Spec, ctx: Ctx, memo: ConsoleMemo
) -> None:
    """The confirmed act, once per screen however often it is tapped."""
    user = query.from_user
    async with CONFIRMING.hold(message.message_id):
        record = await recall(memo, message.message_id, spec)
        if record is None or current(spec, record["answers"])[1] is not None:
            await query.answer(ctx.t("error.stale_button"), show_alert=True)
            return
        if record.get("done"):
            await query.answer(ctx.t("console.already_done"), show_alert=True)
            return
        try:
            done = await spec.act(record["answers"], ctx, actor(user))
        except Refusal as error:
            problem = refusal_text(error, ctx.i18n, ctx.lang, PROBLEMS)
            if problem is None:
                raise
            await query.answer()
            await show(query, *finished(problem, ctx))
            return
        record["done"] = True
        await keep(memo, message.message_id, record)
    await query.answer(ctx.t("console.done" if done.applied else "console.already_done"))
    await show(query, *finished(done.text, ctx))


async def typed(
    message: Message,
    state: FSMContext,
    specs: Mapping[SetupFlow, Spec],
    ctx: Ctx,
    admins: AdminGate,
    fsm_storage: BaseStorage,
    bot: Bot,
) -> None:
    """A typed answer (or the QRIS picture): the screen moves on, or says what is wrong."""
    asked = await state.get_data()
    said = (message.text or "").split()
    cancel = bool(said) and said[0].split("@")[0] == "/cancel"
    if asked.get("question") is None and not cancel:
        raise SkipHandler  # a question with buttons: the message is not for the flow
    answer = await answer_of(message, state, admins, ctx.i18n, ctx.lang, "setup.cancelled")
    memo = ConsoleMemo(fsm_storage, bot.id, message.chat.id)
    spec = specs.get(SetupFlow(asked.get("flow", SetupFlow.METHOD.value)))
    screen_id = int(asked.get("screen", 0))
    if answer is None:
        if spec is not None and cancel:
            record = await recall(memo, screen_id, spec)
            if record is not None and not record.get("done"):
                record["done"] = True
                await keep(memo, screen_id, record)
                await show_again(message, screen_id, *finished(ctx.t("setup.cancelled"), ctx))
        return
    if not await allowed(message, admins, ctx.i18n, ctx.lang, owner=True):
        await state.clear()
        return
    record = None if spec is None else await recall(memo, screen_id, spec)
    question = asked.get("question")
    if spec is None or record is None or record.get("done"):
        await state.clear()
        await message.reply(ctx.t("setup.gone"))
        return
    answers: Answers = record["answers"]
    if current(spec, answers)[1] != question or question is None:
        await state.clear()
        await message.reply(ctx.t("setup.gone"))
        return
    text = (answer[0] if answer[0] is not None else message.caption or "").strip()
    try:
        answers[question] = await spec.parse(question, message, text, answers, ctx)
    except (Refused, ReplyInstead) as refused:
        await message.reply(refused.text)
        return
    except Refusal as error:
        problem = refusal_text(error, ctx.i18n, ctx.lang, PROBLEMS)
        if problem is None:
            raise
        await message.reply(problem)
        return
    await state.clear()
    await keep(memo, screen_id, record)
    screen = await render(spec, answers, ctx)
    await show_again(message, screen_id, screen.text, screen.markup)
    await wait_for(state, spec, screen_id, asked.get("thread"), screen.typed)
