"""Buying, upgrading and renewing in private chat; the payment proof; /me.

Where a member is in the purchase lives in the database (their open payment
request), not in FSM state, so a restart or a lost update never strands them:
every screen is rebuilt from what the payment service says now.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest, TelegramNetworkError
from aiogram.filters import Command, Filter
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.catalog import Plan
from domain.pricing import NotOfferedReason, UpgradeMode
from domain.states import PaymentMethodKind, PaymentStatus
from handlers.common.callbacks import (
    BuyCallback,
    CancelPaymentCallback,
    CatalogCallback,
    CatalogView,
    ChangeMethodCallback,
    MenuAction,
    MenuCallback,
    MethodCallback,
    ModeChoice,
    PlanCallback,
)
from handlers.common.config import HandlerConfig
from handlers.common.keyboards import main_menu
from handlers.vip import vip_section
from kernel.i18n import Translator
from kernel.names import plan_name, quote_breakdown
from services.access import AccessService
from services.affiliates import AffiliateService
from services.ledger import LedgerService
from services.payments import (
    MethodView,
    PaymentError,
    PaymentProblem,
    PaymentService,
    PaymentView,
    ProofFile,
)
from services.proof_images import MAX_PROOF_BYTES, ProofImage, ProofImageError, inspect_proof

log = logging.getLogger(__name__)

IMAGE_MIME_TYPES = ("image/jpeg", "image/png", "image/webp")
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")


def facilities(i18n: Translator, lang: str, plan: Plan) -> str:
    key = f"facilities.{plan.tier.code}"
    if i18n.has(key):
        return i18n.t(key, lang)
    return i18n.t("facilities.other", lang, tier={"key": f"tier.{plan.tier.code}"})


def status_text(view: PaymentView) -> dict[str, Any]:
    if view.status == PaymentStatus.AWAITING_PROOF and view.method_id is None:
        return {"key": "status.awaiting_method"}
    return {"key": f"status.{view.status.value}"}


async def _reply(event: Message | CallbackQuery, text: str, markup: Any = None) -> None:
    """Answer a command with a message, a tap with a new message under it."""
    if isinstance(event, CallbackQuery):
        await event.answer()
        if event.message is None:
            return
        await event.message.answer(text, reply_markup=markup)
    else:
        await event.answer(text, reply_markup=markup)


def cancel_row(builder: InlineKeyboardBuilder, i18n: Translator, lang: str, request: int) -> None:
    builder.button(
        text=i18n.t("shop.cancel_button", lang),
        callback_data=CancelPaymentCallback(request_id=request),
    )


# ---------------------------------------------------------------------- catalog


async def show_catalog(
    event: Message | CallbackQuery, payments: PaymentService, i18n: Translator, lang: str
) -> None:
    assert event.from_user is not None
    found = await payments.offers(event.from_user.id)
    builder = InlineKeyboardBuilder()
    if not found.offers:
        text = i18n.t("shop.nothing_to_buy", lang)
    else:
        lines = [i18n.t("shop.title", lang)]
        for offer in found.offers:
            cheapest = min(q.amount for q in offer.quotes)
            several = len(offer.quotes) > 1
            name = plan_name(offer.plan)
            price_key = "shop.price_from" if several else "shop.price"
            lines.append(
                i18n.t(
                    "shop.offer",
                    lang,
                    plan=name,
                    price={"key": price_key, "params": {"amount": cheapest}},
                    facilities=facilities(i18n, lang, offer.plan),
                )
            )
            label_key = "shop.offer_button_from" if several else "shop.offer_button"
            builder.button(
                text=i18n.t(label_key, lang, plan=name, amount=cheapest),
                callback_data=PlanCallback(plan_id=offer.plan.id),
            )
        text = "\n".join(lines)
    if found.unavailable:
        builder.button(
            text=i18n.t("shop.why_button", lang),
            callback_data=CatalogCallback(view=CatalogView.UNAVAILABLE),
        )
    builder.button(
        text=i18n.t("shop.back_button", lang), callback_data=MenuCallback(action=MenuAction.HOME)
    )
    builder.adjust(1)
    await _reply(event, text, builder.as_markup())


async def show_unavailable(
    query: CallbackQuery, payments: PaymentService, i18n: Translator, lang: str
) -> None:
    found = await payments.offers(query.from_user.id)
    if not found.unavailable:  # an old button: everything is on offer now
        await show_catalog(query, payments, i18n, lang)
        return
    lines = [i18n.t("shop.unavailable_title", lang)]
    for item in found.unavailable:
        reason = {"key": f"not_offered.{item.reason.value}"}
        lines.append(
            i18n.t("shop.unavailable_line", lang, plan=plan_name(item.plan), reason=reason)
        )
    builder = InlineKeyboardBuilder()
    builder.button(
        text=i18n.t("shop.back_button", lang), callback_data=MenuCallback(action=MenuAction.SHOP)
    )
    await _reply(query, "\n".join(lines), builder.as_markup())


# ---------------------------------------------------------------------- one plan: the quote


async def show_quote(
    query: CallbackQuery,
    callback_data: PlanCallback,
    payments: PaymentService,
    i18n: Translator,
    lang: str,
) -> None:
    try:
        offer, base = await payments.preview(query.from_user.id, callback_data.plan_id)
    except PaymentError as error:
        await query.answer(problem_text(error, i18n, lang), show_alert=True)
        return
    choosing = len(offer.quotes) > 1
    parts = [
        i18n.t(
            "shop.quote_title",
            lang,
            plan=plan_name(offer.plan),
            facilities=facilities(i18n, lang, offer.plan),
        )
    ]
    if any(q.lifetime_full_price_notice for q in offer.quotes):
        parts.append(i18n.t("shop.lifetime_notice", lang) + "\n")
    if choosing:
        parts.append(i18n.t("shop.choose_mode", lang))
    builder = InlineKeyboardBuilder()
    for q in offer.quotes:
        if choosing:
            parts.append(i18n.t(f"shop.mode_{q.mode}", lang))
        said = quote_breakdown(q, base)
        parts.append(i18n.t(said["key"], lang, **said["params"]) + "\n")
        if choosing:
            label = i18n.t(f"shop.mode_{q.mode}_button", lang, amount=q.amount)
        else:
            label = i18n.t("shop.pay_button", lang, amount=q.amount)
        mode = ModeChoice(q.mode.value) if q.mode is not None else ModeChoice.NONE
        builder.button(text=label, callback_data=BuyCallback(plan_id=offer.plan.id, mode=mode))
    builder.button(
        text=i18n.t("shop.back_button", lang), callback_data=MenuCallback(action=MenuAction.SHOP)
    )
    builder.adjust(1)
    await _reply(query, "\n".join(parts).strip(), builder.as_markup())


def problem_text(error: PaymentError, i18n: Translator, lang: str) -> str:
    if error.problem is PaymentProblem.NOT_OFFERED and isinstance(error.detail, NotOfferedReason):
        reason = {"key": f"not_offered.{error.detail.value}"}
        return i18n.t("shop.not_offered", lang, reason=reason)
    if error.problem is PaymentProblem.NOT_REGISTERED:
        return i18n.t("error.stale_button", lang)
    return i18n.t("shop.plan_gone", lang)


# ---------------------------------------------------------------------- the open request


async def buy(
    query: CallbackQuery,
    callback_data: BuyCallback,
    payments: PaymentService,
    i18n: Translator,
    lang: str,
) -> None:
    methods = await payments.methods()
    if not methods:
        await query.answer(i18n.t("shop.no_methods", lang), show_alert=True)
        return
    mode = None
    if callback_data.mode is not ModeChoice.NONE:
        mode = UpgradeMode(callback_data.mode.value)
    try:
        view = await payments.start_purchase(query.from_user.id, callback_data.plan_id, mode)
    except PaymentError as error:
        if error.problem is PaymentProblem.OPEN_REQUEST:
            await show_open_request(query, payments, i18n, lang)
            return
        await query.answer(problem_text(error, i18n, lang), show_alert=True)
        return
    text, markup = method_screen(view, methods, i18n, lang)
    await _reply(query, text, markup)


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


async def show_open_request(
    event: Message | CallbackQuery, payments: PaymentService, i18n: Translator, lang: str
) -> None:
    """Where the member's open payment stands, with the buttons that move it on."""
    assert event.from_user is not None
    view = await payments.open_request(event.from_user.id)
    if view is None:
        await _reply(event, i18n.t("shop.request_closed", lang), main_menu(i18n, lang))
        return
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
            await _reply(event, text)
            text, markup = method_screen(view, await payments.methods(), i18n, lang)
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
    await _reply(event, text, builder.as_markup())


async def change_method(
    query: CallbackQuery,
    callback_data: ChangeMethodCallback,
    payments: PaymentService,
    i18n: Translator,
    lang: str,
) -> None:
    view = await payments.open_request(query.from_user.id)
    if view is None or view.id != callback_data.request_id:
        await query.answer(i18n.t("shop.request_closed", lang), show_alert=True)
        return
    if view.status != PaymentStatus.AWAITING_PROOF:
        await query.answer(i18n.t("shop.already_submitted", lang, request=view.id), show_alert=True)
        return
    text, markup = method_screen(view, await payments.methods(), i18n, lang)
    await _reply(query, text, markup)


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
        if error.problem is PaymentProblem.ALREADY_SUBMITTED:
            text = i18n.t("shop.already_submitted", lang, request=callback_data.request_id)
        elif error.problem is PaymentProblem.METHOD_UNAVAILABLE:
            text = i18n.t("shop.method_gone", lang)
        else:
            text = i18n.t("shop.request_closed", lang)
        await query.answer(text, show_alert=True)
        return
    await query.answer()
    if query.message is None:
        return
    if method.kind is PaymentMethodKind.QRIS and method.qris_file_id:
        await query.message.answer_photo(
            method.qris_file_id, caption=i18n.t("shop.qris_caption", lang, label=method.label)
        )
    builder = InlineKeyboardBuilder()
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
    await _reply(query, i18n.t("shop.cancelled", lang, request=view.id), main_menu(i18n, lang))


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


# ---------------------------------------------------------------------- the proof


class Proof(Filter):
    """A photo, or any file (checked below): what a member sends as payment proof."""

    async def __call__(self, message: Message) -> bool:
        return bool(message.photo) or message.document is not None


def _looks_like_image_file(message: Message) -> bool:
    document = message.document
    assert document is not None
    mime = (document.mime_type or "").lower()
    name = (document.file_name or "").lower()
    return mime.startswith("image/") or name.endswith(IMAGE_EXTENSIONS)


class MemberLocks:
    """One asyncio lock per member, held while their proof is handled.

    Eight photos sent at once (an album, an impatient tap) arrive as eight updates
    handled concurrently; in turn, the second..eighth find the request already
    submitted before anything is downloaded or decoded. An entry lives only while
    someone holds or waits for it, so the dict never grows past the members being
    served at this moment. Per process: with several processes the database still
    decides (attach_proof moves awaiting_proof → submitted once).
    """

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    def __len__(self) -> int:
        return len(self._locks)

    @asynccontextmanager
    async def hold(self, member: int) -> AsyncIterator[None]:
        lock, users = self._locks.get(member, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[member] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[member]
            if users <= 1:
                del self._locks[member]
            else:
                self._locks[member] = (lock, users - 1)


PROOF_LOCKS = MemberLocks()
ProofInspector = Callable[[bytes], ProofImage]


async def receive_proof(
    message: Message,
    bot: Bot,
    payments: PaymentService,
    i18n: Translator,
    lang: str,
    proof_inspector: ProofInspector = inspect_proof,
) -> None:
    """The member's receipt photo or image file. `proof_inspector` (dispatcher data, for
    tests) checks the downloaded bytes; it runs in a worker thread. The confirmation
    ("proof received") comes through the outbox, queued with the admin card."""
    assert message.from_user is not None
    async with PROOF_LOCKS.hold(message.from_user.id):
        await _receive_proof(message, bot, payments, i18n, lang, proof_inspector)


async def _receive_proof(
    message: Message,
    bot: Bot,
    payments: PaymentService,
    i18n: Translator,
    lang: str,
    proof_inspector: ProofInspector,
) -> None:
    assert message.from_user is not None
    user_id = message.from_user.id
    view = await payments.open_request(user_id)
    if view is None:
        await message.answer(i18n.t("proof.no_open", lang), reply_markup=main_menu(i18n, lang))
        return
    if view.status != PaymentStatus.AWAITING_PROOF:
        await message.answer(i18n.t("proof.already_submitted", lang, request=view.id))
        return
    if view.method_id is None:
        await message.answer(i18n.t("proof.choose_method_first", lang, request=view.id))
        text, markup = method_screen(view, await payments.methods(), i18n, lang)
        await message.answer(text, reply_markup=markup)
        return
    if message.photo:
        media_kind = "photo"
        size = message.photo[-1]  # the largest
        file_id, unique_id, declared = size.file_id, size.file_unique_id, size.file_size
    else:
        assert message.document is not None
        if not _looks_like_image_file(message):
            await message.answer(i18n.t("proof.not_image_file", lang))
            return
        media_kind = "document"
        document = message.document
        file_id, unique_id, declared = document.file_id, document.file_unique_id, document.file_size
    if declared is not None and declared > MAX_PROOF_BYTES:
        await message.answer(i18n.t("proof.too_large", lang))
        return
    try:
        downloaded = await bot.download(file_id)
    except (TelegramBadRequest, TelegramNetworkError) as error:
        log.warning("Could not download a proof: %s", error.message)
        await message.answer(i18n.t("proof.download_failed", lang))
        return
    data = downloaded.read() if downloaded is not None else b""
    try:
        image = await asyncio.to_thread(proof_inspector, data)
    except ProofImageError as error:
        await message.answer(i18n.t(f"proof.{error.problem.value}", lang))
        return
    proof = ProofFile(
        telegram_file_id=file_id,
        file_unique_id=unique_id,
        sha256=image.sha256,
        perceptual_hash=image.perceptual_hash,
        size_bytes=image.size_bytes,
        width=image.width,
        height=image.height,
        image_format=image.image_format,
        media_kind=media_kind,
    )
    try:
        # Committed together with the admin card and the member's "proof received"
        # (outbox): nothing is sent from here, so a Telegram error after the commit can
        # never tell the member something went wrong when their proof was accepted.
        await payments.attach_proof(user_id, proof)
    except PaymentError as error:  # the request changed while the image was checked
        if error.problem is PaymentProblem.ALREADY_SUBMITTED:
            await message.answer(i18n.t("proof.already_submitted", lang, request=view.id))
        else:
            await message.answer(i18n.t("proof.no_open", lang), reply_markup=main_menu(i18n, lang))


class WaitingForProof(Filter):
    """The member has a request waiting for their proof (method chosen)."""

    async def __call__(self, message: Message, payments: PaymentService) -> bool | dict[str, Any]:
        if message.from_user is None or (message.text or "").startswith("/"):
            return False
        view = await payments.open_request(message.from_user.id)
        if view is None or view.status != PaymentStatus.AWAITING_PROOF or view.method_id is None:
            return False
        return {"waiting": view}


async def not_a_proof(message: Message, waiting: PaymentView, i18n: Translator, lang: str) -> None:
    """Text, a sticker, a voice note… while the bot waits for the receipt photo."""
    builder = InlineKeyboardBuilder()
    cancel_row(builder, i18n, lang, waiting.id)
    await message.answer(
        i18n.t("proof.waiting", lang, request=waiting.id, amount=waiting.amount),
        reply_markup=builder.as_markup(),
    )


# ---------------------------------------------------------------------- /me


def _date(value: datetime, config: HandlerConfig) -> str:
    return f"{value.astimezone(config.zone):%d-%m-%Y}"


async def show_me(
    event: Message | CallbackQuery,
    payments: PaymentService,
    access: AccessService,
    affiliates: AffiliateService,
    ledger: LedgerService,
    config: HandlerConfig,
    i18n: Translator,
    lang: str,
) -> None:
    assert event.from_user is not None
    seen = await payments.overview(event.from_user.id)
    lines = [i18n.t("me.title", lang)]
    if seen.tier is None:
        lines.append(i18n.t("me.no_tier", lang))
    else:
        lines.append(i18n.t("me.tier", lang, tier={"key": f"tier.{seen.tier.code}"}))
    for holding in seen.holdings:
        if holding.expires_at is None:
            lines.append(i18n.t("me.lifetime_line", lang, plan=plan_name(holding.plan)))
        else:
            lines.append(
                i18n.t(
                    "me.until_line",
                    lang,
                    plan=plan_name(holding.plan),
                    until=_date(holding.expires_at, config),
                    days=holding.remaining_days or 0,
                )
            )
    builder = InlineKeyboardBuilder()
    lines += await vip_section(
        event.from_user.id, builder, access, affiliates, ledger, i18n, lang, config
    )
    request = seen.open_request
    if request is not None:
        lines.append(
            i18n.t(
                "me.open_line",
                lang,
                request=request.id,
                plan=plan_name(request.plan),
                amount=request.amount,
                status=status_text(request),
            )
        )
    lines.append("")
    if request is None:
        builder.button(
            text=i18n.t("menu.shop", lang), callback_data=MenuCallback(action=MenuAction.SHOP)
        )
        if seen.tier is None:
            lines.append(i18n.t("me.next_buy", lang))
        elif seen.tier.code == "vip":
            lines.append(i18n.t("me.next_top", lang))
        else:
            lines.append(i18n.t("me.next_upgrade", lang))
    else:
        if request.status == PaymentStatus.SUBMITTED:
            lines.append(i18n.t("me.next_wait", lang))
        elif request.method_id is None:
            lines.append(i18n.t("me.next_method", lang))
            builder.button(
                text=i18n.t("me.continue_button", lang),
                callback_data=ChangeMethodCallback(request_id=request.id),
            )
        else:
            lines.append(i18n.t("me.next_proof", lang, amount=request.amount))
        cancel_row(builder, i18n, lang, request.id)
    builder.button(
        text=i18n.t("shop.back_button", lang), callback_data=MenuCallback(action=MenuAction.HOME)
    )
    builder.adjust(1)
    await _reply(event, "\n".join(lines), builder.as_markup())


def build_router() -> Router:
    router = Router(name="shop")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    router.message.register(show_catalog, Command("buy"))
    router.message.register(show_me, Command("me"))
    router.message.register(cancel_command, Command("cancel"))
    router.callback_query.register(show_catalog, MenuCallback.filter(F.action == MenuAction.SHOP))
    router.callback_query.register(show_me, MenuCallback.filter(F.action == MenuAction.ME))
    router.callback_query.register(
        show_catalog, CatalogCallback.filter(F.view == CatalogView.OFFERS)
    )
    router.callback_query.register(
        show_unavailable, CatalogCallback.filter(F.view == CatalogView.UNAVAILABLE)
    )
    router.callback_query.register(show_quote, PlanCallback.filter())
    router.callback_query.register(buy, BuyCallback.filter())
    router.callback_query.register(choose_method, MethodCallback.filter())
    router.callback_query.register(change_method, ChangeMethodCallback.filter())
    router.callback_query.register(cancel_button, CancelPaymentCallback.filter())
    router.message.register(receive_proof, Proof())
    router.message.register(not_a_proof, WaitingForProof())
    return router
