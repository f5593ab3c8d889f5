"""The copying behind members' questions, as outbox actions (kinds in kernel/actions.py).

A **question** goes to the admin group. When the group is a forum and the bot may manage
topics, each member has a topic of their own (made at their first question, made again
when it was deleted: "message thread not found"); a new wait posts the member's card
with the status buttons in the topic, and the message is copied under it. Otherwise the
message is posted in the group with the member's card (a new wait) or a one-line header
on it: a text is sent again as text under the header, a captioned media is copied with
header + caption as its caption, and what cannot carry a caption (a sticker, a video
note) is copied under a header message.

An **answer** goes to the member: a text is sent again under the team's signature (or
the admin's name, if they chose), a captioned media is copied with the signature in the
caption, a sticker is copied as it is. When the member blocked the bot the admins are
told. A 👌 on the admin's message says it was delivered.

An **edit** of either is carried to the copy (text and caption; Telegram cannot swap a
copy's media).

The ids of the copies are written to the message pairs, so replies thread both ways.
Every call passes the sending layer (pacing, retries); what still fails is the relay's
to retry (bot/outbox.py), and a retried question may post its card twice, never lose it.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import InlineKeyboardMarkup, ReactionTypeEmoji, ReplyParameters

from bot.outbox import Action, Outcome
from handlers.admin.question_buttons import conversation_keyboard
from handlers.common.telegram_errors import lacks_rights
from kernel.actions import ANSWER_ACTION, EDIT_COPY_ACTION, QUESTION_ACTION
from kernel.clock import Clock
from kernel.i18n import Translator
from services.questions import BARE, CAPTION, PREFIXES, TEXT, QuestionService
from storage.repos.outbox import QueuedMessage

log = logging.getLogger(__name__)

FORUM_CHECK_SECONDS = 600.0
# Telegram's limits are 4096 characters for a text and 1024 for a caption; the header is
# counted with its markup, so these leave room.
TEXT_ROOM = 3900
CAPTION_ROOM = 950
TOPIC_NAME_ROOM = 80  # of the member's name in a topic's name (Telegram allows 128 in all)
_DEAD_TOPIC = ("message thread not found", "topic_deleted", "topic_closed", "thread not found")
_UNCHANGED = "message is not modified"
_NOT_EDITABLE = ("message to edit not found", "message can't be edited", "message_id_invalid")


def _dead_topic(error: Exception) -> bool:
    text = str(getattr(error, "message", error)).lower()
    return any(hint in text for hint in _DEAD_TOPIC)


def _too_long(error: TelegramBadRequest) -> bool:
    text = error.message.lower()
    return "too long" in text or "message_too_long" in text or "caption_too_long" in text


def _reply(message_id: Any) -> ReplyParameters | None:
    if not message_id:
        return None
    return ReplyParameters(message_id=int(message_id), allow_sending_without_reply=True)


class QuestionRelay:
    def __init__(
        self,
        bot: Bot,
        questions: QuestionService,
        i18n: Translator,
        clock: Clock,
        admin_chat_id: int,
    ) -> None:
        self.bot = bot
        self.questions = questions
        self.i18n = i18n
        self.clock = clock
        self.admin_chat_id = admin_chat_id
        self._forum: tuple[float, bool] | None = None  # (checked at, is a forum we may use)

    def table(self) -> dict[str, Action]:
        return {
            QUESTION_ACTION: self.question,
            ANSWER_ACTION: self.answer,
            EDIT_COPY_ACTION: self.edit,
        }

    # ------------------------------------------------------------------ forum or not

    async def _uses_topics(self) -> bool:
        now = self.clock.monotonic()
        if self._forum is not None and now - self._forum[0] < FORUM_CHECK_SECONDS:
            return self._forum[1]
        try:
            chat = await self.bot.get_chat(self.admin_chat_id)
            forum = bool(chat.is_forum)
        except TelegramBadRequest as error:
            log.warning("getChat of the admin group failed: %s", error.message)
            forum = False
        self._forum = (now, forum)
        return forum

    def _no_topics(self, why: str) -> None:
        log.warning("Questions go to the admin group without topics: %s", why)
        self._forum = (self.clock.monotonic(), False)

    # ------------------------------------------------------------------ texts

    def _who(self, card: dict[str, Any], lang: str) -> dict[str, Any]:
        username = card.get("username")
        tier = card.get("tier")
        return {
            "name": card["name"],
            "telegram_id": card["telegram_id"],
            "username": f"@{username}" if username else self.i18n.t("qa.no_username", lang),
            "tier": self.i18n.t(f"tier.{tier}", lang) if tier else self.i18n.t("qa.no_plan", lang),
        }

    def _card(self, p: dict[str, Any], lang: str, *, topic: bool = False) -> str:
        card = p["card"]
        plans = [self.i18n.t(item["key"], lang, **self._plan(item["params"], lang))
                 for item in card.get("plans", [])]  # fmt: skip
        return self.i18n.t(
            "qa.card_reopened" if p.get("reopened") else "qa.card_new",
            lang,
            conversation=p["conversation"],
            plans=self.i18n.join(plans) if plans else self.i18n.t("qa.no_plans", lang),
            hint=self.i18n.t("qa.hint_topic" if topic else "qa.hint_reply", lang),
            **self._who(card, lang),
        )

    def _plan(self, params: dict[str, Any], lang: str) -> dict[str, Any]:
        return {"plan": params["plan"], "until": params.get("until", "")}

    def _prefix(self, p: dict[str, Any], lang: str) -> tuple[str, str]:
        """The card of a new wait (or a reopened one), else the one-line header; with the
        shape suffix that says which (an edit puts the same one back)."""
        if p.get("opened"):
            return self._card(p, lang), "+again" if p.get("reopened") else "+new"
        return self._header(p, lang), "+line"

    def _header(self, p: dict[str, Any], lang: str) -> str:
        return self.i18n.t(
            "qa.header", lang, conversation=p["conversation"], **self._who(p["card"], lang)
        )

    def _keyboard(self, conversation: int) -> InlineKeyboardMarkup:
        return conversation_keyboard(self.i18n, self.i18n.default, conversation, "open", False)

    def _signature(self, signer: str | None, lang: str) -> str:
        if signer:
            return self.i18n.t("qa.signed_admin", lang, name=signer)
        return self.i18n.t("qa.signed_team", lang)

    # ------------------------------------------------------------------ a question

    async def question(self, row: QueuedMessage) -> Outcome:
        if await self._uses_topics():
            sent = await self._into_topic(row)
            if sent is not None:
                return sent
        return await self._into_group(row)

    async def _into_topic(self, row: QueuedMessage) -> Outcome | None:
        """Copy into the member's topic; None when topics cannot be used after all."""
        p = row.params
        conversation = int(p["conversation"])
        topic = await self.questions.topic_of(conversation)
        fresh = False
        for _attempt in range(2):
            if topic is None:
                topic = await self._make_topic(conversation, p, was=None)
                if topic is None:
                    return None
                fresh = True
            try:
                if fresh or p.get("opened"):
                    await self.bot.send_message(
                        self.admin_chat_id,
                        self._card(p, row.language, topic=True),
                        message_thread_id=topic,
                        reply_markup=self._keyboard(conversation),
                    )
                    if not fresh:
                        await self._rename_topic(topic, conversation, p)
                copy = await self.bot.copy_message(
                    self.admin_chat_id,
                    int(p["from_chat"]),
                    int(p["message"]),
                    message_thread_id=topic,
                    reply_parameters=_reply(p.get("reply_to")),
                )
            except TelegramBadRequest as error:
                if not _dead_topic(error):
                    raise
                log.info("The topic of conversation %s is gone; making a new one", conversation)
                topic = await self._make_topic(conversation, p, was=topic)
                if topic is None:
                    return None
                fresh = True
                continue
            await self._copied(int(p["pair"]), admin_message_id=copy.message_id, shape=p["shape"])
            return ("sent", copy.message_id)
        return None  # a topic made twice and gone twice: the group itself will do

    def _topic_name(self, conversation: int, p: dict[str, Any]) -> str:
        """`Ani · VIP · #12`: the member's name cut so the whole fits Telegram's 128."""
        who = self._who(p["card"], self.i18n.default)
        return self.i18n.t("qa.topic_name", self.i18n.default, conversation=conversation,
                           name=p["card"]["name"][:TOPIC_NAME_ROOM], tier=who["tier"])  # fmt: skip

    async def _rename_topic(self, topic: int, conversation: int, p: dict[str, Any]) -> None:
        """A new wait: the topic's name shows the member's tier as it is now (best
        effort; the name is a courtesy)."""
        try:
            await self.bot.edit_forum_topic(
                self.admin_chat_id, topic, name=self._topic_name(conversation, p)
            )
        except TelegramBadRequest as error:
            if "not modified" not in error.message.lower():
                log.info("Could not rename topic %s: %s", topic, error.message)

    async def _make_topic(
        self, conversation: int, p: dict[str, Any], *, was: int | None
    ) -> int | None:
        name = self._topic_name(conversation, p)
        try:
            topic = await self.bot.create_forum_topic(self.admin_chat_id, name)
        except (TelegramBadRequest, TelegramForbiddenError) as error:
            if lacks_rights(error) or "not a forum" in str(error.message).lower():
                self._no_topics(error.message)
                return None
            raise
        await self.questions.topic_made(conversation, topic.message_thread_id, was=was)
        return topic.message_thread_id

    async def _into_group(self, row: QueuedMessage) -> Outcome:
        p = row.params
        conversation = int(p["conversation"])
        prefix, suffix = self._prefix(p, row.language)
        keyboard = self._keyboard(conversation)
        html = p.get("html") or ""
        reply = _reply(p.get("reply_to"))
        shape = p["shape"]
        try:
            if shape == TEXT and len(prefix) + len(html) < TEXT_ROOM:
                sent = await self.bot.send_message(
                    self.admin_chat_id, f"{prefix}\n\n{html}", reply_markup=keyboard,
                    reply_parameters=reply,
                )  # fmt: skip
                message_id, shape = sent.message_id, TEXT + suffix
            elif shape == CAPTION and len(prefix) + len(html) < CAPTION_ROOM:
                copy = await self.bot.copy_message(
                    self.admin_chat_id, int(p["from_chat"]), int(p["message"]),
                    caption=f"{prefix}\n\n{html}" if html else prefix, reply_markup=keyboard,
                    reply_parameters=reply,
                )  # fmt: skip
                message_id, shape = copy.message_id, CAPTION + suffix
            else:
                message_id = await self._under_header(p, prefix, keyboard, reply)
        except TelegramBadRequest as error:
            if not _too_long(error):
                raise
            # Counted in UTF-16 units of the visible text, which many emoji can outgrow.
            message_id = await self._under_header(p, prefix, keyboard, reply)
        await self._copied(int(p["pair"]), admin_message_id=message_id, shape=shape)
        return ("sent", message_id)

    async def _under_header(
        self,
        p: dict[str, Any],
        prefix: str,
        keyboard: InlineKeyboardMarkup,
        reply: ReplyParameters | None,
    ) -> int:
        """Too long for one message, or nothing to put the header on: the header with the
        buttons, and the message copied as it is under it. Returns the copy's id."""
        conversation = int(p["conversation"])
        header = await self.bot.send_message(
            self.admin_chat_id, prefix, reply_markup=keyboard, reply_parameters=reply
        )
        await self.questions.header_posted(conversation, int(p["message"]), header.message_id)
        copy = await self.bot.copy_message(
            self.admin_chat_id, int(p["from_chat"]), int(p["message"]),
            reply_parameters=_reply(header.message_id),
        )  # fmt: skip
        return copy.message_id

    async def _copied(self, pair: int, **ids: Any) -> None:
        # Sent already: a failure to note it must not send it again (only threading and
        # edits of this one message are lost).
        try:
            await self.questions.copied(pair, **ids)
        except Exception:
            log.exception("Could not note the copy of question/answer pair %s", pair)

    # ------------------------------------------------------------------ an answer

    async def answer(self, row: QueuedMessage) -> Outcome:
        p = row.params
        signature = self._signature(p.get("signer"), row.language)
        html = p.get("html") or ""
        reply = _reply(p.get("reply_to"))
        try:
            try:
                message_id = await self._signed(row, signature, html, reply)
            except TelegramBadRequest as error:
                if not _too_long(error):
                    raise
                message_id = await self._copy_as_is(row, reply)  # no room for the signature
        except TelegramForbiddenError:
            await self.questions.undeliverable(int(p["conversation"]), "qa.undeliverable_blocked")
            raise
        await self._copied(int(p["pair"]), member_message_id=message_id)
        await self._acknowledge(int(p["message"]))
        if p.get("refresh"):
            await self._refresh_buttons(int(p["conversation"]), int(p["refresh"]))
        return ("sent", message_id)

    async def _signed(
        self, row: QueuedMessage, signature: str, html: str, reply: ReplyParameters | None
    ) -> int:
        p = row.params
        if p["shape"] == TEXT and len(signature) + len(html) < TEXT_ROOM:
            sent = await self.bot.send_message(
                row.chat_id, f"{signature}\n{html}", reply_parameters=reply
            )
            return sent.message_id
        if p["shape"] == CAPTION and len(signature) + len(html) < CAPTION_ROOM:
            copy = await self.bot.copy_message(
                row.chat_id, int(p["from_chat"]), int(p["message"]),
                caption=f"{signature}\n{html}" if html else signature, reply_parameters=reply,
            )  # fmt: skip
            return copy.message_id
        return await self._copy_as_is(row, reply)

    async def _copy_as_is(self, row: QueuedMessage, reply: ReplyParameters | None) -> int:
        p = row.params
        copy = await self.bot.copy_message(
            row.chat_id, int(p["from_chat"]), int(p["message"]), reply_parameters=reply
        )
        return copy.message_id

    async def _refresh_buttons(self, conversation: int, message_id: int) -> None:
        """The question's buttons show the status after the answer (best effort)."""
        view = await self.questions.view(conversation)
        if view is None:
            return
        keyboard = conversation_keyboard(self.i18n, self.i18n.default, view.id, view.status,
                                         view.muted_until is not None)  # fmt: skip
        try:
            await self.bot.edit_message_reply_markup(
                chat_id=self.admin_chat_id, message_id=message_id, reply_markup=keyboard
            )
        except TelegramBadRequest as error:
            log.info("Could not refresh the buttons of question %s: %s", message_id, error.message)

    async def _acknowledge(self, admin_message_id: int) -> None:
        """👌 on the admin's message: it reached the member. A courtesy: never retried."""
        try:
            await self.bot.set_message_reaction(
                self.admin_chat_id, admin_message_id, [ReactionTypeEmoji(emoji="👌")]
            )
        except Exception as error:  # reactions off in the group, the message deleted...
            log.info("Could not mark answer %s delivered: %s", admin_message_id, error)

    # ------------------------------------------------------------------ an edit

    async def edit(self, row: QueuedMessage) -> Outcome:
        p = row.params
        shape = str(p["shape"])
        html = p.get("html") or ""
        keyboard = None
        if row.chat_id == self.admin_chat_id:  # a question edited by the member
            suffix = next((s for s in PREFIXES if shape.endswith(s)), None)
            prefix = ""
            if suffix is not None:
                again = {"opened": suffix != "+line", "reopened": suffix == "+again"}
                prefix = self._prefix(p | again, row.language)[0]
                view = await self.questions.view(int(p["conversation"]))
                if view is not None:
                    keyboard = conversation_keyboard(
                        self.i18n, row.language, view.id, view.status, view.muted_until is not None
                    )
        else:  # an answer edited by an admin
            prefix = self._signature(p.get("signer"), row.language)
        separator = "\n\n" if row.chat_id == self.admin_chat_id else "\n"
        body = f"{prefix}{separator}{html}" if prefix else html
        target = int(p["target"])
        try:
            if shape.startswith(TEXT):
                await self.bot.edit_message_text(
                    body, chat_id=row.chat_id, message_id=target, reply_markup=keyboard
                )
            elif shape.startswith(CAPTION):
                await self.bot.edit_message_caption(
                    chat_id=row.chat_id, message_id=target, caption=body, reply_markup=keyboard
                )
            else:
                return ("skipped", f"a {BARE} copy has nothing to edit")
        except TelegramBadRequest as error:
            text = error.message.lower()
            if _UNCHANGED in text:
                return ("sent", target)
            if any(hint in text for hint in _NOT_EDITABLE) or _too_long(error):
                return ("skipped", error.message)
            raise
        return ("sent", target)
