"""Pictures people send (payment proofs, report screenshots): a photo or an image file,
checked for size, downloaded and inspected before anything is stored."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramNetworkError
from aiogram.filters import Filter
from aiogram.types import Message

from services.proof_images import MAX_PROOF_BYTES, ProofImage, ProofImageError, inspect_proof

log = logging.getLogger(__name__)

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")

Inspector = Callable[[bytes], ProofImage]


class PictureSent(Filter):
    """A photo, or any file (checked later): what a member sends as a picture."""

    async def __call__(self, message: Message) -> bool:
        return bool(message.photo) or message.document is not None


@dataclass(frozen=True, slots=True)
class Upload:
    """The picture as Telegram holds it: the largest size of a photo, or the file."""

    file_id: str
    unique_id: str
    declared_size: int | None
    media_kind: str  # "photo" or "document"


class PictureRefused(Exception):
    """Why a picture was not taken: `problem` completes the caller's translation key
    (not_image_file, too_large, download_failed, or a services.proof_images problem)."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def upload_of(message: Message) -> Upload | None:
    """The photo's largest size, or the file when it looks like an image (None if not)."""
    if message.photo:
        size = message.photo[-1]  # the largest
        return Upload(size.file_id, size.file_unique_id, size.file_size, "photo")
    document = message.document
    assert document is not None
    mime = (document.mime_type or "").lower()
    name = (document.file_name or "").lower()
    if not (mime.startswith("image/") or name.endswith(IMAGE_EXTENSIONS)):
        return None
    return Upload(document.file_id, document.file_unique_id, document.file_size, "document")


async def take_picture(
    message: Message, bot: Bot, what: str, inspector: Inspector = inspect_proof
) -> tuple[Upload, ProofImage]:
    """The picture in `message`, downloaded and checked by `inspector` (in a worker
    thread); raises PictureRefused saying why not. `what` names it in the log."""
    upload = upload_of(message)
    if upload is None:
        raise PictureRefused("not_image_file")
    if upload.declared_size is not None and upload.declared_size > MAX_PROOF_BYTES:
        raise PictureRefused("too_large")
    try:
        downloaded = await bot.download(upload.file_id)
    except (TelegramBadRequest, TelegramNetworkError) as error:
        log.warning("Could not download %s: %s", what, error.message)
        raise PictureRefused("download_failed") from None
    data = downloaded.read() if downloaded is not None else b""
    try:
        image = await asyncio.to_thread(inspector, data)
    except ProofImageError as error:
        raise PictureRefused(error.problem.value) from None
    return upload, image


def is_image_document(message: Message) -> bool:
    """A file that looks like an image (what a member may send as a payment proof)."""
    return message.document is not None and upload_of(message) is not None
