"""A member's question: what they write in private chat outside a guided flow reaches the
admin group, and an edit of it follows."""

from __future__ import annotations

from kernel.actions import EDIT_COPY_ACTION, QUESTION_ACTION
from kernel.notices import Notice
from services.questions._base import QuestionBase
from services.questions.views import Asked, AskResult, Said
from storage.repos.questions import OPEN


class Asking(QuestionBase):
    async def ask(
        self, telegram_id: int, said: Said, *, picture: bool = False, album: str | None = None
    ) -> AskResult:
        """Relay the member's message to the admins (through the outbox, in the member's
        own forum topic when the admin group is a forum).

        The first message of a wait opens the conversation (or reopens an answered or
        closed one) and the member is told once that it reached the admins; more messages
        while it waits just follow. A muted member's message is not relayed, and the
        same message twice (a redelivered update) is relayed once. A `picture` (sent while
        no payment waits for its proof) is relayed too, and the member is told how to pay
        in case it was meant as a proof (once for an `album`, Telegram's media group id)."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(telegram_id)
            if member is None:
                return AskResult(Asked.UNKNOWN)
            conversation = await uow.questions.start(member.id, now)
            if conversation.muted_until is not None and conversation.muted_until > now:
                return AskResult(Asked.MUTED, self._date(conversation.muted_until))
            if await uow.questions.by_member_message(conversation.id, said.message_id):
                return AskResult(Asked.DUPLICATE)
            reply_to = None
            if said.reply_to is not None:
                earlier = await uow.questions.by_member_message(conversation.id, said.reply_to)
                reply_to = earlier.admin_message_id if earlier is not None else None
            before = await uow.questions.asked(conversation.id, now)
            pair = await uow.questions.add_message(
                conversation.id, "question", said.shape, now,
                admin_chat_id=self.admin_chat_id, member_message_id=said.message_id,
            )  # fmt: skip
            opened = before != OPEN
            await uow.outbox.enqueue(
                Notice(
                    chat_id=self.admin_chat_id,
                    kind=QUESTION_ACTION,
                    text_key="qa.card_new",
                    language=self.default_language,
                    member_id=member.id,
                    dedupe_key=f"qa-q:{member.id}:{said.message_id}",
                    params={
                        "conversation": conversation.id,
                        "pair": pair,
                        "from_chat": said.chat_id,
                        "message": said.message_id,
                        "shape": said.shape,
                        "html": said.html,
                        "reply_to": reply_to,
                        # A new wait: the full card (and status buttons) rather than a line.
                        "opened": opened,
                        "reopened": opened and conversation.last_question_at is not None,
                        "card": await self._card(uow, member, now),
                    },
                ),
                now,
            )
            if opened or picture:
                await uow.outbox.enqueue(
                    Notice(
                        chat_id=member.telegram_id,
                        text_key="qa.received_picture" if picture else "qa.received",
                        language=member.language(self.default_language),
                        member_id=member.id,
                        buttons=self.shop_button if picture else (),
                        dedupe_key=f"qa-album:{member.id}:{album}" if picture and album else None,
                    ),
                    now,
                )
            await uow.commit()
        return AskResult(Asked.FIRST if opened else Asked.MORE)

    async def edit_question(self, telegram_id: int, said: Said) -> bool:
        """The member edited a message they asked: the copy in the admin group is edited
        the same way (text and captions; Telegram cannot change a copy's media). False
        when there is no copy to edit (not a question, or not sent yet)."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(telegram_id)
            if member is None:
                return False
            conversation = await uow.questions.conversation_of(member.id)
            if conversation is None:
                return False
            pair = await uow.questions.by_member_message(conversation.id, said.message_id)
            if pair is None or pair.direction != "question" or pair.admin_message_id is None:
                return False
            await uow.outbox.enqueue(
                Notice(
                    chat_id=self.admin_chat_id,
                    kind=EDIT_COPY_ACTION,
                    text_key="qa.card_new",
                    language=self.default_language,
                    member_id=member.id,
                    params={
                        "conversation": conversation.id,
                        "target": pair.admin_message_id,
                        "shape": pair.shape,
                        "html": said.html,
                        "card": await self._card(uow, member, now),
                    },
                ),
                now,
            )
            await uow.commit()
        return True
