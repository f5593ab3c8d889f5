"""What the relay records while it copies (bot/questions_relay.py): the member's forum
topic, the ids of the copies, and an answer that could not be delivered."""

from __future__ import annotations

from kernel.notices import Notice
from services.questions._base import QuestionBase
from services.questions.views import HEADER


class RelaySteps(QuestionBase):
    async def is_conversation(
        self, chat_id: int, message_id: int | None, thread_id: int | None
    ) -> bool:
        """Whether a message in the admin group belongs to a member's conversation: it
        replies to a relayed question or an answer, or sits in a member's topic."""
        async with self.uow() as uow:
            if message_id is not None and await uow.questions.by_admin_message(chat_id, message_id):
                return True
            return (
                thread_id is not None
                and await uow.questions.by_topic(chat_id, thread_id) is not None
            )

    async def topic_of(self, conversation_id: int) -> int | None:
        async with self.uow() as uow:
            conversation = await uow.questions.conversation(conversation_id)
            if conversation is None or conversation.topic_chat_id != self.admin_chat_id:
                return None  # none yet, or one in a group the bot no longer uses
            return conversation.topic_id

    async def topic_made(self, conversation_id: int, topic_id: int, *, was: int | None) -> None:
        """The member's topic, made (or made again after it was deleted) by the relay."""
        async with self.uow() as uow:
            await uow.questions.set_topic(
                conversation_id, self.admin_chat_id, topic_id, was=was, now=self.clock.now()
            )
            await uow.commit()

    async def copied(
        self,
        pair_id: int,
        *,
        member_message_id: int | None = None,
        admin_message_id: int | None = None,
        shape: str | None = None,
    ) -> None:
        async with self.uow() as uow:
            await uow.questions.copied(
                pair_id,
                member_message_id=member_message_id,
                admin_message_id=admin_message_id,
                shape=shape,
            )
            await uow.commit()

    async def header_posted(
        self, conversation_id: int, member_message_id: int, header_message_id: int
    ) -> None:
        """The card posted above a copy that cannot carry it: a reply to it is a reply to
        that question too."""
        async with self.uow() as uow:
            await uow.questions.add_message(
                conversation_id, "question", HEADER, self.clock.now(),
                admin_chat_id=self.admin_chat_id, member_message_id=member_message_id,
                admin_message_id=header_message_id,
            )  # fmt: skip
            await uow.commit()

    async def undeliverable(self, conversation_id: int, reason_key: str) -> None:
        """Tell the admins an answer did not reach the member (they blocked the bot)."""
        now = self.clock.now()
        async with self.uow() as uow:
            conversation = await uow.questions.conversation(conversation_id)
            member = await uow.members.by_id(conversation.member_id) if conversation else None
            if member is None:
                return
            await uow.outbox.enqueue(
                Notice(
                    chat_id=self.admin_chat_id,
                    text_key=reason_key,
                    language=self.default_language,
                    params={"name": member.full_name, "conversation": conversation_id},
                ),
                now,
            )
            await uow.commit()
