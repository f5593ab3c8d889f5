"""Buying in private chat once a plan is chosen: the open payment request, the payment
method and where to pay, changing the method, cancelling (button or /cancel).

Where a member is in the purchase lives in the database (their open payment request),
not in FSM state, so a restart or a lost update never strands them: every screen is
rebuilt from what the payment service says now, each read in one transaction.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.pricing import UpgradeMode
from domain.states import PaymentMethodKind, PaymentStatus
from handlers.common.callbacks import (
    BuyCallback,
    CancelPaymentCallback,
    ChangeMethodCallback,
    MethodCallback,
    ModeChoice,
)
from handlers.common.keyboards import main_menu
from handlers.common.payment_screens import (
    cancel_row,
    method_screen,
    payment_problem_text,
    status_text,
)
from handlers.common.replies import reply
from kernel.i18n import Translator
from kernel.names import plan_name
from services.payments import (
    MethodChoice,
    MethodView,
    PaymentError,
    PaymentProblem,
    PaymentService,
    PaymentView,
)


async def buy(
    query: CallbackQuery,
    callback_data: BuyCallback,
    payments: PaymentService,
    i18n: Translator,
    lang: str,
) -> None:
    mode = None
    if callback_data.mode is not ModeChoice.NONE:
        mode = UpgradeMode(callback_data.mode.value)
    try:
        choice = await payments.begin_purchase(query.from_user.id, callback_data.plan_id, mode)
    except PaymentError as error:
        if error.problem is PaymentProblem.NO_METHODS:
            await query.answer(i18n.t("shop.no_methods", lang), show_alert=True)
            return
        if error.problem is PaymentProblem.OPEN_REQUEST:
            if isinstance(error.detail, MethodChoice):
                await render_open_request(query, error.detail, i18n, lang)
            else:  # lost a race with a second tap: read the request that won
                await show_open_request(query, payments, i18n, lang)
            return
        await query.answer(payment_problem_text(error, i18n, lang), show_alert=True)
        return
    if choice.request.method_id is not None:  # one method only: no choice to make
        (method,) = choice.methods
        await send_instructions(query, choice.request, method, i18n, lang, can_change=False)
        return
    text, markup = method_screen(choice.request, list(choice.methods), i18n, lang)
    await reply(query, text, markup)


async def show_open_request(
    event: Message | CallbackQuery, payments: PaymentService, i18n: Translator, lang: str
) -> None:
    """Where the member's open payment stands, with the buttons that move it on."""
    assert event.from_user is not None
    choice = await payments.open_request_with_methods(event.from_user.id)
    await render_open_request(event, choice, i18n, lang)


async def render_open_request(
    event: Message | CallbackQuery, choice: MethodChoice | None, i18n: Translator, lang: str
) -> None:
    if choice is None:
        await reply(event, i18n.t("shop.request_closed", lang), main_menu(i18n, lang))
        return
    view = choice.request
    text = i18n.t(
        "shop.open_request",
        lang,
        request=view.id,
        plan=plan_name(view.plan),
        amount=view.amount,
        status=status_text(view),
    )
    builder = InlineKeyboardBuilder()
    if view.status == PaymentStatus.AWAITING_PROOF:
        if view.method_id is None:
            await reply(event, text)
            text, markup = method_screen(view, list(choice.methods), i18n, lang)
            chat = event.message if isinstance(event, CallbackQuery) else event
            if chat is not None:  # the tap is answered already: only a new message
                await chat.answer(text, reply_markup=markup)
            return
        builder.button(
            text=i18n.t("shop.change_method_button", lang),
            callback_data=ChangeMethodCallback(request_id=view.id),
        )
    cancel_row(builder, i18n, lang, view.id)
    builder.adjust(1)
    await reply(event, text, builder.as_markup())


async def change_method(
    query: CallbackQuery,
    callback_data: ChangeMethodCallback,
    payments: PaymentService,
    i18n: Translator,
    lang: str,
) -> None:
    try:
        choice = await payments.method_choice(query.from_user.id, callback_data.request_id)
    except PaymentError as error:
        if error.problem is PaymentProblem.ALREADY_SUBMITTED:
            text = i18n.t("shop.already_submitted", lang, request=callback_data.request_id)
        else:
            text = i18n.t("shop.request_closed", lang)
        await query.answer(text, show_alert=True)
        return
    text, markup = method_screen(choice.request, list(choice.methods), i18n, lang)
    await reply(query, text, markup)


def where_to_pay(method: MethodView, i18n: Translator, lang: str) -> str:
    if method.kind is PaymentMethodKind.QRIS:
        return i18n.t("shop.where_qris", lang, label=method.label)
    key = "shop.where_bank" if method.kind is PaymentMethodKind.BANK else "shop.where_ewallet"
    return i18n.t(
        key,
        lang,
        label=method.label,
        number=method.account_number or "-",
        name=method.account_name or "-",
    )


def method_problem_text(error: PaymentError, request: int, i18n: Translator, lang: str) -> str:
    if error.problem is PaymentProblem.ALREADY_SUBMITTED:
        return i18n.t("shop.already_submitted", lang, request=request)
    if error.problem is PaymentProblem.METHOD_UNAVAILABLE:
        return i18n.t("shop.method_gone", lang)
    return i18n.t("shop.request_closed", lang)


async def choose_method(
    query: CallbackQuery,
    callback_data: MethodCallback,
    payments: PaymentService,
    i18n: Translator,
    lang: str,
) -> None:
    try:
        view, method = await payments.choose_method(
            query.from_user.id, callback_data.request_id, callback_data.method_id
        )
    except PaymentError as error:
        text = method_problem_text(error, callback_data.request_id, i18n, lang)
        await query.answer(text, show_alert=True)
        return
    await send_instructions(query, view, method, i18n, lang, can_change=True)


async def send_instructions(
    query: CallbackQuery,
    view: PaymentView,
    method: MethodView,
    i18n: Translator,
    lang: str,
    *,
    can_change: bool,
) -> None:
    """Where and how much to transfer (the QRIS picture first), with Cancel and, when
    there is another method to pick, Change method."""
    await query.answer()
    if query.message is None:
        return
    if method.kind is PaymentMethodKind.QRIS and method.qris_file_id:
        await query.message.answer_photo(
            method.qris_file_id, caption=i18n.t("shop.qris_caption", lang, label=method.label)
        )
    builder = InlineKeyboardBuilder()
    if can_change:
        builder.button(
            text=i18n.t("shop.change_method_button", lang),
            callback_data=ChangeMethodCallback(request_id=view.id),
        )
    cancel_row(builder, i18n, lang, view.id)
    builder.adjust(1)
    text = i18n.t(
        "shop.pay_instructions",
        lang,
        request=view.id,
        plan=plan_name(view.plan),
        amount=view.amount,
        where=where_to_pay(method, i18n, lang),
    )
    await query.message.answer(text, reply_markup=builder.as_markup())


async def cancel_button(
    query: CallbackQuery,
    callback_data: CancelPaymentCallback,
    payments: PaymentService,
    i18n: Translator,
    lang: str,
) -> None:
    try:
        view = await payments.cancel(query.from_user.id, callback_data.request_id)
    except PaymentError:
        await query.answer(i18n.t("shop.request_closed", lang), show_alert=True)
        return
    await reply(query, i18n.t("shop.cancelled", lang, request=view.id), main_menu(i18n, lang))


async def cancel_command(
    message: Message, payments: PaymentService, i18n: Translator, lang: str
) -> None:
    assert message.from_user is not None
    try:
        view = await payments.cancel(message.from_user.id)
    except PaymentError:
        await message.answer(
            i18n.t("shop.nothing_to_cancel", lang), reply_markup=main_menu(i18n, lang)
        )
        return
    await message.answer(
        i18n.t("shop.cancelled", lang, request=view.id), reply_markup=main_menu(i18n, lang)
    )


def build_router() -> Router:
    router = Router(name="buying")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    router.message.register(cancel_command, Command("cancel"))
    router.callback_query.register(buy, BuyCallback.filter())
    router.callback_query.register(choose_method, MethodCallback.filter())
    router.callback_query.register(change_method, ChangeMethodCallback.filter())
    router.callback_query.register(cancel_button, CancelPaymentCallback.filter())
    return router
