"""What an outbox row asks the relay to do: send a message, or a Telegram action."""

from __future__ import annotations

MESSAGE = "message"
INVITE_ACTION = "group_invite"
REMOVE_ACTION = "group_remove"
REVOKE_ACTION = "revoke_link"
DELETE_ACTION = "delete_message"
# Members' questions (bot/questions_relay.py): a question copied into the admin group, an
# admin's answer copied to the member, an edit carried over to the copy.
QUESTION_ACTION = "qa_question"
ANSWER_ACTION = "qa_answer"
EDIT_COPY_ACTION = "qa_edit"
# A meeting reminder (bot/meeting_reminders.py): looked at again when its turn comes.
MEETING_REMINDER_ACTION = "meeting_reminder"
