"""Pieces of the member's payment screens used by more than one of them: where a
request stands, its Cancel button, the choice of payment method, why a plan cannot
be bought."""

from __future__ import annotations

from typing import Any

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.pricing import NotOfferedReason
from domain.states import PaymentStatus
from handlers.common.callbacks import CancelPaymentCallback, MethodCallback
from kernel.i18n import Translator
from kernel.names import plan_name
from services.payments import MethodView, PaymentError, PaymentProblem, PaymentView


def status_text(view: PaymentView) -> dict[str, Any]:
    if view.status == PaymentStatus.AWAITING_PROOF and view.method_id is None:
        return {"key": "status.awaiting_method"}
    return {"key": f"status.{view.status.value}"}


def cancel_row(builder: InlineKeyboardBuilder, i18n: Translator, lang: str, request: int) -> None:
    builder.button(
        text=i18n.t("shop.cancel_button", lang),
        callback_data=CancelPaymentCallback(request_id=request),
    )


def method_screen(
    view: PaymentView, methods: list[MethodView], i18n: Translator, lang: str
) -> tuple[str, InlineKeyboardMarkup]:
    builder = InlineKeyboardBuilder()
    for method in methods:
        builder.button(
            text=i18n.t("shop.method_button", lang, label=method.label),
            callback_data=MethodCallback(request_id=view.id, method_id=method.id),
        )
    cancel_row(builder, i18n, lang, view.id)
    builder.adjust(1)
    text = i18n.t(
        "shop.choose_method", lang, request=view.id, plan=plan_name(view.plan), amount=view.amount
    )
    return text, builder.as_markup()


def payment_problem_text(error: PaymentError, i18n: Translator, lang: str) -> str:
    if error.problem is PaymentProblem.NOT_OFFERED and isinstance(error.detail, NotOfferedReason):
        reason = {"key": f"not_offered.{error.detail.value}"}
        return i18n.t("shop.not_offered", lang, reason=reason)
    if error.problem is PaymentProblem.NOT_REGISTERED:
        return i18n.t("error.stale_button", lang)
    return i18n.t("shop.plan_gone", lang)
