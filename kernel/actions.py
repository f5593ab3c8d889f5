"""What an outbox row asks the relay to do: send a message, or a Telegram action."""

from __future__ import annotations

MESSAGE = "message"
INVITE_ACTION = "group_invite"
REMOVE_ACTION = "group_remove"
REVOKE_ACTION = "revoke_link"
DELETE_ACTION = "delete_message"
