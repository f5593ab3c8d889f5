"""An admin's answer: a reply to a relayed question, or any admin message in the member's
topic, goes to the member signed as the team (or with the admin's name, if they chose)."""

from __future__ import annotations

from kernel.actions import ANSWER_ACTION, EDIT_COPY_ACTION
from kernel.actor import Actor
from kernel.notices import Notice
from services.questions._base import QuestionBase
from services.questions.views import HEADER, PREFIXES, Answered, Said
from storage.repos.questions import ANSWERED, OPEN, ConversationRecord, MessagePair
from storage.uow import UnitOfWork


class Answering(QuestionBase):
    async def answer(self, admin: Actor, said: Said, *, thread_id: int | None = None) -> Answered:
        """Send an admin's message to the member whose question it answers: the one
        `said.reply_to` is a copy of (plain group), else the member whose topic
        `thread_id` is. The answer is threaded under the member's own message it replies
        to; the conversation becomes answered (a closed one stays closed)."""
        now = self.clock.now()
        async with self.uow() as uow:
            if await uow.questions.by_admin_message(said.chat_id, said.message_id) is not None:
                return Answered.DUPLICATE
            conversation, replied = await self._about(uow, said, thread_id)
            if conversation is None:
                return Answered.NOT_A_QUESTION
            member = await uow.members.by_id(conversation.member_id)
            if member is None:
                return Answered.NOT_A_QUESTION
            pair = await uow.questions.add_message(
                conversation.id,
                "answer",
                said.shape,
                now,
                admin_chat_id=said.chat_id,
                admin_message_id=said.message_id,
                admin_telegram_id=admin.telegram_id,
            )
            await uow.questions.move(conversation.id, {OPEN}, ANSWERED, now)
            signer = admin.name if await uow.questions.signs_with_name(admin.telegram_id) else None
            # The question's buttons then show it answered (plain group: the card replied to).
            refresh = None
            if (
                replied is not None
                and replied.direction == "question"
                and (replied.shape == HEADER or replied.shape.endswith(PREFIXES))
            ):
                refresh = replied.admin_message_id
            queued = await uow.outbox.enqueue(
                Notice(
                    chat_id=member.telegram_id,
                    kind=ANSWER_ACTION,
                    text_key="qa.signed_team",
                    language=member.language(self.default_language),
                    member_id=member.id,
                    dedupe_key=f"qa-a:{said.chat_id}:{said.message_id}",
                    params={
                        "conversation": conversation.id,
                        "pair": pair,
                        "from_chat": said.chat_id,
                        "message": said.message_id,
                        "shape": said.shape,
                        "html": said.html,
                        "reply_to": replied.member_message_id if replied is not None else None,
                        "signer": signer,
                        "refresh": refresh,
                    },
                ),
                now,
            )
            if not queued:
                return Answered.DUPLICATE
            await uow.commit()
        return Answered.QUEUED

    async def _about(
        self, uow: UnitOfWork, said: Said, thread_id: int | None
    ) -> tuple[ConversationRecord | None, MessagePair | None]:
        if said.reply_to is not None:
            replied = await uow.questions.by_admin_message(said.chat_id, said.reply_to)
            if replied is not None:
                return await uow.questions.conversation(replied.conversation_id), replied
        if thread_id is not None:
            return await uow.questions.by_topic(said.chat_id, thread_id), None
        return None, None

    async def edit_answer(self, admin: Actor, said: Said) -> bool:
        """An admin edited an answer: the member's copy is edited the same way."""
        now = self.clock.now()
        async with self.uow() as uow:
            pair = await uow.questions.by_admin_message(said.chat_id, said.message_id)
            if pair is None or pair.direction != "answer" or pair.member_message_id is None:
                return False
            conversation = await uow.questions.conversation(pair.conversation_id)
            member = await uow.members.by_id(conversation.member_id) if conversation else None
            if member is None:
                return False
            signer = admin.name if await uow.questions.signs_with_name(admin.telegram_id) else None
            await uow.outbox.enqueue(
                Notice(
                    chat_id=member.telegram_id,
                    kind=EDIT_COPY_ACTION,
                    text_key="qa.signed_team",
                    language=member.language(self.default_language),
                    member_id=member.id,
                    params={
                        "target": pair.member_message_id,
                        "shape": pair.shape,
                        "html": said.html,
                        "signer": signer,
                    },
                ),
                now,
            )
            await uow.commit()
        return True

    async def signs_with_name(self, telegram_id: int) -> bool:
        async with self.uow() as uow:
            return await uow.questions.signs_with_name(telegram_id)

    async def sign_with_name(self, admin: Actor, with_name: bool) -> None:
        """The admin's choice: answers signed "Tim Admin" (default) or with their name."""
        now = self.clock.now()
        async with self.uow() as uow:
            await uow.questions.set_signature(admin.telegram_id, with_name, now)
            uow.audit.record(admin, "qa_signature", f"admin:{admin.telegram_id}", now,
                             with_name=with_name)  # fmt: skip
            await uow.commit()
