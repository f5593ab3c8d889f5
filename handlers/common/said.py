"""A message as the questions feature copies it: its shape and its text as HTML."""

from __future__ import annotations

from aiogram.types import Message

from services.questions import BARE, CAPTION, TEXT, Said

# Media that carry a caption: copied with the caption replaced by header + caption.
_CAPTIONED = ("photo", "video", "document", "audio", "animation", "voice")
# Messages copied as they are (no caption on them).
_BARE = ("sticker", "video_note", "location", "venue", "contact", "dice", "poll")


def said_of(message: Message) -> Said | None:
    """What a person sent, ready to copy; None for what cannot be copied (service
    messages: someone joined, a topic was made, a pinned message...)."""
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    html: str | None
    if message.text is not None:
        shape, html = TEXT, message.html_text
    elif any(getattr(message, kind) is not None for kind in _CAPTIONED):
        shape, html = CAPTION, message.html_text if message.caption else None
    elif any(getattr(message, kind) is not None for kind in _BARE):
        shape, html = BARE, None
    else:
        return None
    return Said(message.chat.id, message.message_id, shape, html, reply_to)
