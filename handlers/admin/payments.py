"""Payment cards in the admin group: Approve, Reject with a reason, /pending.

Every tap is checked twice: who taps (AdminGate, on every tap) and the state of
the request (a compare-and-set in the payment service). A tap that comes too
late is told who handled the request, and the card is brought up to date.
"""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.states import PaymentStatus, ProofRejectReason
from handlers.admin.accounts.views import offer_markup
from handlers.admin.card_links import decided_markup, payment_card_buttons
from handlers.common.admin_command import AdminCall, actor, admin_command, shown_at
from handlers.common.admins import AdminGate
from handlers.common.callbacks import (
    PendingCardCallback,
    RejectReason,
    ReviewAction,
    ReviewCallback,
)
from handlers.common.config import HandlerConfig
from handlers.common.filters import InAdminChat, allowed
from handlers.common.review_card import (
    PAYMENT_CARD,
    buttons_markup,
    caption,
    close_card,
    is_card_of,
    reason_param,
    reasons_markup,
    swap_buttons,
)
from kernel.i18n import Translator
from kernel.names import plan_name
from services.payments import Decision, PaymentError, PaymentService, ReviewCard

PENDING_CARDS = 30  # buttons under one /pending message
WAITING_SHOWN = 30  # requests still waiting for a proof, listed by name (the rest counted)


class RejectNote(StatesGroup):
    writing = State()


def review_markup(
    card: ReviewCard, i18n: Translator, config: HandlerConfig
) -> InlineKeyboardMarkup:
    """Approve / Reject and 👤 Member under the card of `card.proof_id`."""
    member = card.params.get("telegram_id")
    rows = payment_card_buttons(card.request_id, card.proof_id or 0, member)
    return buttons_markup(rows, i18n, config)


def card_reasons(
    request_id: int, proof_id: int, i18n: Translator, config: HandlerConfig
) -> InlineKeyboardMarkup:
    def data(action: ReviewAction, reason: RejectReason = RejectReason.NONE) -> ReviewCallback:
        return ReviewCallback(
            action=action, request_id=request_id, proof_id=proof_id, reason=reason
        )

    return reasons_markup(
        PAYMENT_CARD,
        lambda code: data(ReviewAction.REASON, RejectReason(code)),
        data(ReviewAction.WRITE),
        data(ReviewAction.BACK),
        i18n,
        config,
    )


def outcome_line(
    decision: Decision, reason: object, i18n: Translator, config: HandlerConfig
) -> str:
    """How a card ends: who decided and when (group language)."""
    lang = config.default_language
    name = decision.decided_by_name or i18n.t("review.someone", lang)
    at = shown_at(decision.decided_at, config.zone)
    if decision.status == PaymentStatus.APPROVED:
        return i18n.t("review.approved_by", lang, name=name, at=at)
    if decision.status == PaymentStatus.CANCELLED:
        return i18n.t("review.cancelled_state", lang)
    if decision.status == PaymentStatus.EXPIRED:
        return i18n.t("review.expired_state", lang)
    return i18n.t("review.rejected_by", lang, name=name, at=at, reason=reason)


def too_late_text(decision: Decision, i18n: Translator, config: HandlerConfig, lang: str) -> str:
    name = decision.decided_by_name or i18n.t("review.someone", lang)
    at = shown_at(decision.decided_at, config.zone)
    key = {
        PaymentStatus.APPROVED: "review.already_approved",
        PaymentStatus.CANCELLED: "review.already_cancelled",
        PaymentStatus.EXPIRED: "review.already_expired",
    }.get(decision.status, "review.already_rejected")
    return i18n.t(key, lang, name=name, at=at)


async def _close(
    bot: Bot,
    chat_id: int,
    message_id: int,
    card: ReviewCard,
    line: str,
    i18n: Translator,
    config: HandlerConfig,
    offer: InlineKeyboardMarkup | None = None,
) -> None:
    shown = caption(card, i18n, config)
    # A closed card keeps its way to the member (👤 Member).
    kept = decided_markup(card.params.get("telegram_id"), offer, i18n, config)
    await close_card(bot, chat_id, message_id, shown, line, PAYMENT_CARD, kept)


async def on_review(
    query: CallbackQuery,
    callback_data: ReviewCallback,
    bot: Bot,
    payments: PaymentService,
    admins: AdminGate,
    config: HandlerConfig,
    i18n: Translator,
    lang: str,
    state: FSMContext,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    request_id = callback_data.request_id
    message = query.message
    if message is None:
        await query.answer(i18n.t("error.stale_button", lang), show_alert=True)
        return
    action = callback_data.action
    proof_id = callback_data.proof_id
    who = actor(query.from_user)
    # Callback data is unsigned: the ids must be this card's (request number in its
    # caption) and the proof one of this request's (else the service refuses,
    # NOT_FOUND), or nothing happens at all.
    if not is_card_of(message, PAYMENT_CARD, request_id):
        await query.answer(i18n.t("review.not_found", lang), show_alert=True)
        return
    try:
        if action is ReviewAction.APPROVE:
            seen = await payments.review_approve(request_id, who, proof_id)
        elif action is ReviewAction.REASON and callback_data.reason is not RejectReason.NONE:
            code = ProofRejectReason(callback_data.reason.value)
            seen = await payments.review_reject(request_id, who, code=code, proof_id=proof_id)
        else:
            seen = await payments.review_state(request_id, proof_id)
    except PaymentError:
        await query.answer(i18n.t("review.not_found", lang), show_alert=True)
        return
    decision, card = seen.decision, seen.card
    chat_id, message_id = message.chat.id, message.message_id
    if card.proof_id != proof_id:
        # A card of an earlier proof (rejected); the newest proof has its own card.
        await query.answer(i18n.t("review.old_card", lang, request=request_id), show_alert=True)
        old = i18n.t("review.old_card_state", config.default_language)
        await _close(bot, chat_id, message_id, card, old, i18n, config)
        return
    still_open = card.status == PaymentStatus.SUBMITTED
    if action in (ReviewAction.REJECT, ReviewAction.BACK, ReviewAction.WRITE) and still_open:
        await query.answer()
        if action is ReviewAction.WRITE:
            await state.set_state(RejectNote.writing)
            await state.update_data(
                request_id=request_id, proof_id=proof_id, card_message_id=message_id
            )
            prompt = i18n.t("review.write_prompt", lang, name=who.name, request=request_id)
            await message.reply(prompt)
            return
        markup = (
            card_reasons(request_id, proof_id, i18n, config)
            if action is ReviewAction.REJECT
            else review_markup(card, i18n, config)
        )
        await swap_buttons(bot, chat_id, message_id, markup, PAYMENT_CARD.name)
        return
    line = outcome_line(decision, reason_param(PAYMENT_CARD, seen.reject_reason), i18n, config)
    if decision.applied:
        done = "review.done_approved" if action is ReviewAction.APPROVE else "review.done_rejected"
        await query.answer(i18n.t(done, lang))
    else:
        await query.answer(too_late_text(decision, i18n, config, lang), show_alert=True)
    offer = offer_markup(seen.offer, i18n, config.default_language)
    await _close(bot, chat_id, message_id, card, line, i18n, config, offer)


async def write_reason(
    message: Message,
    state: FSMContext,
    bot: Bot,
    payments: PaymentService,
    admins: AdminGate,
    config: HandlerConfig,
    i18n: Translator,
    lang: str,
) -> None:
    data = await state.get_data()
    request_id = int(data.get("request_id", 0))
    if (message.text or "").strip().startswith("/cancel"):
        await state.clear()
        await message.reply(i18n.t("review.write_cancelled", lang, request=request_id))
        return
    note = (message.text or "").strip()
    if not note or note.startswith("/") or len(note) > 500:
        await message.reply(i18n.t("review.write_text_only", lang))
        return
    if not await allowed(message, admins, i18n, lang):
        await state.clear()
        return
    await state.clear()
    assert message.from_user is not None
    proof_id = data.get("proof_id")
    try:
        seen = await payments.review_reject(
            request_id, actor(message.from_user), note=note, proof_id=proof_id
        )
    except PaymentError:
        await message.reply(i18n.t("review.not_found", lang))
        return
    decision, card = seen.decision, seen.card
    if not decision.applied and card.proof_id != proof_id:
        # Someone decided on that proof meanwhile and the member sent a new one: the
        # old card already shows that decision and the new proof has its own card.
        earlier = seen.proof_decision
        if earlier is None:
            await message.reply(i18n.t("review.old_card", lang, request=request_id))
        else:
            await message.reply(too_late_text(earlier, i18n, config, lang))
        return
    line = outcome_line(decision, reason_param(PAYMENT_CARD, seen.reject_reason), i18n, config)
    if decision.applied:
        await message.reply(i18n.t("review.write_done", lang, request=request_id))
    else:
        await message.reply(too_late_text(decision, i18n, config, lang))
    card_message_id = data.get("card_message_id")
    if card_message_id:
        await _close(bot, message.chat.id, int(card_message_id), card, line, i18n, config)


@admin_command()
async def pending(call: AdminCall, payments: PaymentService) -> None:
    """One message, never a burst of photos (the admin group takes 20 a minute): the
    requests waiting for a decision as buttons that open each card, then those still
    waiting for the member's proof."""
    queue = await payments.pending(PENDING_CARDS, WAITING_SHOWN)
    cards, waiting, submitted = queue.cards, queue.waiting, queue.submitted
    if not cards and not waiting:
        await call.message.answer(call.t("pending.none"))
        return
    shown = call.t("pending.shown", count=len(cards)) if submitted > len(cards) else ""
    lines = [
        call.t("pending.header", submitted=submitted, shown=shown, waiting=queue.waiting_total)
    ]
    for item in waiting:
        view = item.view
        status = {
            "key": "status.awaiting_method" if view.method_id is None else "status.awaiting_proof"
        }
        lines.append(
            call.t(
                "pending.waiting_line",
                request=view.id,
                name=item.member_name,
                plan=plan_name(view.plan),
                amount=view.amount,
                status=status,
            )
        )
    if cards:
        lines.append("\n" + call.t("pending.tap_hint"))
    builder = InlineKeyboardBuilder()
    for card in cards:
        builder.button(
            text=call.t(
                "pending.open_button",
                request=card.request_id,
                name=card.params.get("name", "-"),
                amount=card.params.get("amount", 0),
            ),
            callback_data=PendingCardCallback(request_id=card.request_id),
        )
    builder.adjust(1)
    await call.message.answer("\n".join(lines), reply_markup=builder.as_markup() if cards else None)


async def open_card(
    query: CallbackQuery,
    callback_data: PendingCardCallback,
    bot: Bot,
    payments: PaymentService,
    admins: AdminGate,
    config: HandlerConfig,
    i18n: Translator,
    lang: str,
) -> None:
    """A button of the /pending list: post that request's card (with its buttons) again."""
    if not await allowed(query, admins, i18n, lang):
        return
    try:
        card = await payments.card(callback_data.request_id)
    except PaymentError:
        await query.answer(i18n.t("review.not_found", lang), show_alert=True)
        return
    if card.status != PaymentStatus.SUBMITTED or card.proof_id is None:
        await query.answer(i18n.t("pending.card_closed", lang), show_alert=True)
        return
    await query.answer()
    chat_id = config.admin_chat_id
    text = caption(card, i18n, config)
    markup = review_markup(card, i18n, config)
    if card.photo_file_id:
        await bot.send_photo(chat_id, card.photo_file_id, caption=text, reply_markup=markup)
    elif card.document_file_id:
        await bot.send_document(chat_id, card.document_file_id, caption=text, reply_markup=markup)
    else:
        await bot.send_message(chat_id, text, reply_markup=markup)


def build_router() -> Router:
    router = Router(name="admin_payments")
    router.message.filter(InAdminChat())
    router.callback_query.filter(InAdminChat())
    router.callback_query.register(on_review, ReviewCallback.filter())
    router.message.register(pending, Command("pending"))
    router.callback_query.register(open_card, PendingCardCallback.filter())
    router.message.register(write_reason, StateFilter(RejectNote.writing))
    return router
