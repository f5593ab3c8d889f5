"""Reading Telegram's refusals: which mean missing rights, someone gone, or untouchable."""

from __future__ import annotations

# Words in Telegram's errors that mean "the bot may not do this here".
_RIGHTS_HINTS = (
    "not enough rights",
    "chat_admin_required",
    "need administrator rights",
    "have no rights",
    "chat not found",
    "not a member",
    "was kicked",
)
# Errors that mean "there is nothing to do": the person or message is gone already.
_GONE_HINTS = (
    "user not found",
    "participant_id_invalid",
    "user_not_participant",
    "message to delete not found",
    "message can't be deleted",
    "invite_hash_expired",
)
# Errors that mean "the bot may never do this to that person".
_UNTOUCHABLE_HINTS = ("can't remove chat owner", "administrator of the chat")


def lacks_rights(error: Exception) -> bool:
    return _has(error, _RIGHTS_HINTS)


def _has(error: Exception, hints: tuple[str, ...]) -> bool:
    text = str(getattr(error, "message", error)).lower()
    return any(hint in text for hint in hints)


def is_gone(error: Exception) -> bool:
    return _has(error, _GONE_HINTS)


def is_untouchable(error: Exception) -> bool:
    return _has(error, _UNTOUCHABLE_HINTS)
