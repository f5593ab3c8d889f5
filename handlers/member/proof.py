"""The payment proof in private chat: the receipt photo or image file for the member's
open request, and a reminder when something else arrives while the bot waits for it.

The confirmation ("proof received") comes through the outbox, queued with the admin
card in the same commit: nothing is sent from here after the commit, so a Telegram
error can never tell the member something went wrong when their proof was accepted.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Filter
from aiogram.types import Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.states import PaymentStatus
from handlers.common.keyboards import main_menu
from handlers.common.locks import MemberLocks
from handlers.common.payment_screens import cancel_row, method_screen
from handlers.common.uploads import Inspector, PictureRefused, PictureSent, take_picture
from kernel.i18n import Translator
from services.payments import PaymentError, PaymentProblem, PaymentService, PaymentView, ProofFile
from services.proof_images import inspect_proof

# Eight photos sent at once arrive as eight updates handled concurrently; in turn, the
# second..eighth find the request already submitted before anything is downloaded or
# decoded (with several processes the database still decides: attach_proof moves
# awaiting_proof -> submitted once).
PROOF_LOCKS = MemberLocks()


async def receive_proof(
    message: Message,
    bot: Bot,
    payments: PaymentService,
    i18n: Translator,
    lang: str,
    proof_inspector: Inspector = inspect_proof,
) -> None:
    """The member's receipt photo or image file. `proof_inspector` (dispatcher data, for
    tests) checks the downloaded bytes; it runs in a worker thread."""
    assert message.from_user is not None
    async with PROOF_LOCKS.hold(message.from_user.id):
        await _receive_proof(message, bot, payments, i18n, lang, proof_inspector)


async def _receive_proof(
    message: Message,
    bot: Bot,
    payments: PaymentService,
    i18n: Translator,
    lang: str,
    proof_inspector: Inspector,
) -> None:
    assert message.from_user is not None
    user_id = message.from_user.id
    # One read before anything is downloaded; attach_proof decides again after it.
    choice = await payments.open_request_with_methods(user_id)
    if choice is None:  # no payment waits for a proof: the picture is a question (questions.py)
        raise SkipHandler
    view = choice.request
    if view.status != PaymentStatus.AWAITING_PROOF:
        await message.answer(i18n.t("proof.already_submitted", lang, request=view.id))
        return
    if view.method_id is None:
        await message.answer(i18n.t("proof.choose_method_first", lang, request=view.id))
        text, markup = method_screen(view, list(choice.methods), i18n, lang)
        await message.answer(text, reply_markup=markup)
        return
    try:
        upload, image = await take_picture(message, bot, "a proof", proof_inspector)
    except PictureRefused as refused:
        await message.answer(i18n.t(f"proof.{refused.problem}", lang))
        return
    proof = ProofFile(
        telegram_file_id=upload.file_id,
        file_unique_id=upload.unique_id,
        sha256=image.sha256,
        perceptual_hash=image.perceptual_hash,
        size_bytes=image.size_bytes,
        width=image.width,
        height=image.height,
        image_format=image.image_format,
        media_kind=upload.media_kind,
    )
    try:
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


def build_router() -> Router:
    router = Router(name="proof")
    router.message.filter(F.chat.type == "private")
    router.message.register(receive_proof, PictureSent())
    router.message.register(not_a_proof, WaitingForProof())
    return router
