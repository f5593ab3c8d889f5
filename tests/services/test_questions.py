"""Members' questions on SQLite and PostgreSQL: one conversation per member however many
first questions arrive at once, status moves by compare-and-set, one overdue alert per
wait, muting stored in the database, message pairs that thread replies."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from kernel.actor import Actor
from services.members import MemberService, TelegramProfile
from services.questions import TEXT, Answered, Asked, QuestionService, Said, StatusChange
from storage.models import Conversation, OutboxMessage
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock

ADMIN_CHAT = -100777
ADMIN = Actor(9001, "Dewi")
ANI = TelegramProfile(telegram_id=1001, first_name="Ani", username="ani", language_code="id")


def service(uow: UnitOfWorkFactory, clock: FrozenClock) -> QuestionService:
    return QuestionService(
        uow, clock, ZoneInfo("Asia/Jakarta"), "id",
        admin_chat_id=ADMIN_CHAT, answer_within=timedelta(minutes=30),
    )  # fmt: skip


async def registered(uow: UnitOfWorkFactory, clock: FrozenClock) -> None:
    await MemberService(uow, clock, "id").register(ANI, None)


def said(message_id: int, text: str = "halo", reply_to: int | None = None) -> Said:
    return Said(ANI.telegram_id, message_id, TEXT, text, reply_to)


async def queued(uow: UnitOfWorkFactory, kind: str) -> list[OutboxMessage]:
    async with uow() as work:
        rows = await work.session.execute(select(OutboxMessage).where(OutboxMessage.kind == kind))
        return list(rows.scalars())


async def test_first_questions_at_once_make_one_conversation(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await registered(uow, clock)
    questions = service(uow, clock)
    results = await asyncio.gather(*(questions.ask(ANI.telegram_id, said(i)) for i in (1, 2, 3)))
    assert sorted(r.outcome for r in results) == sorted([Asked.FIRST, Asked.MORE, Asked.MORE])
    async with uow() as work:
        count = await work.session.scalar(select(func.count()).select_from(Conversation))
    assert count == 1
    assert len(await queued(uow, "qa_question")) == 3
    # Told once that the question reached the admins.
    async with uow() as work:
        told = await work.session.scalar(
            select(func.count()).where(OutboxMessage.text_key == "qa.received")
        )
    assert told == 1


async def test_an_unknown_person_or_a_repeated_message_relays_nothing(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    questions = service(uow, clock)
    assert (await questions.ask(ANI.telegram_id, said(1))).outcome is Asked.UNKNOWN
    await registered(uow, clock)
    assert (await questions.ask(ANI.telegram_id, said(1))).outcome is Asked.FIRST
    assert (await questions.ask(ANI.telegram_id, said(1))).outcome is Asked.DUPLICATE
    assert len(await queued(uow, "qa_question")) == 1


async def test_an_answer_needs_a_relayed_question_and_marks_it_answered(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await registered(uow, clock)
    questions = service(uow, clock)
    await questions.ask(ANI.telegram_id, said(10))
    (row,) = await queued(uow, "qa_question")
    # The relay copied it into the group as message 500.
    await questions.copied(row.params["pair"], admin_message_id=500, shape="text+new")

    stray = Said(ADMIN_CHAT, 600, TEXT, "ok", reply_to=499)
    assert await questions.answer(ADMIN, stray) is Answered.NOT_A_QUESTION
    reply = Said(ADMIN_CHAT, 601, TEXT, "jawaban", reply_to=500)
    assert await questions.answer(ADMIN, reply) is Answered.QUEUED
    assert await questions.answer(ADMIN, reply) is Answered.DUPLICATE
    (answer,) = await queued(uow, "qa_answer")
    assert answer.chat_id == ANI.telegram_id
    assert answer.params["reply_to"] == 10  # threaded under her question
    assert answer.params["signer"] is None  # signed as the team
    view = await questions.view(row.params["conversation"])
    assert view is not None and view.status == "answered"


async def test_status_moves_once_and_a_new_question_reopens(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await registered(uow, clock)
    questions = service(uow, clock)
    await questions.ask(ANI.telegram_id, said(1))
    conversation = (await queued(uow, "qa_question"))[0].params["conversation"]

    taps = await asyncio.gather(
        questions.set_status(ADMIN, conversation, "closed"),
        questions.set_status(ADMIN, conversation, "closed"),
    )
    assert sorted(change for change, _ in taps) == [StatusChange.ALREADY, StatusChange.CHANGED]
    change, _ = await questions.set_status(ADMIN, conversation, "answered")
    assert change is StatusChange.NOT_ALLOWED  # nobody answers a closed conversation
    assert (await questions.set_status(ADMIN, 999, "closed"))[0] is StatusChange.GONE

    result = await questions.ask(ANI.telegram_id, said(2))
    assert result.outcome is Asked.FIRST
    reopened = (await queued(uow, "qa_question"))[-1]
    assert reopened.params["opened"] and reopened.params["reopened"]


async def test_an_overdue_question_is_raised_once_per_wait(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await registered(uow, clock)
    questions = service(uow, clock)
    await questions.ask(ANI.telegram_id, said(1))
    clock.advance(minutes=29)
    await questions.ask(ANI.telegram_id, said(2))  # the wait began with the first one
    clock.advance(minutes=2)
    assert await questions.raise_overdue() == 1
    assert await questions.raise_overdue() == 0
    async with uow() as work:
        alerts = list(
            (await work.session.execute(
                select(OutboxMessage).where(OutboxMessage.text_key == "qa.overdue")
            )).scalars()
        )  # fmt: skip
    assert len(alerts) == 1 and alerts[0].params["lines"][0]["params"]["minutes"] == 31


async def test_a_mute_is_stored_and_ends_by_itself(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await registered(uow, clock)
    questions = service(uow, clock)
    await questions.ask(ANI.telegram_id, said(1))
    conversation = (await queued(uow, "qa_question"))[0].params["conversation"]
    view = await questions.mute(ADMIN, conversation, 2)
    assert view is not None and view.muted_until is not None

    muted = await questions.ask(ANI.telegram_id, said(2))
    assert muted.outcome is Asked.MUTED and muted.muted_until == view.muted_until
    clock.advance(hours=2, seconds=1)
    assert (await questions.ask(ANI.telegram_id, said(3))).outcome is Asked.MORE
    assert len(await queued(uow, "qa_question")) == 2


async def test_an_admin_may_sign_with_their_name(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await registered(uow, clock)
    questions = service(uow, clock)
    assert await questions.signs_with_name(ADMIN.telegram_id) is False
    await questions.sign_with_name(ADMIN, True)
    await questions.ask(ANI.telegram_id, said(1))
    (row,) = await queued(uow, "qa_question")
    await questions.copied(row.params["pair"], admin_message_id=500)
    await questions.answer(ADMIN, Said(ADMIN_CHAT, 501, TEXT, "hai", reply_to=500))
    (answer,) = await queued(uow, "qa_answer")
    assert answer.params["signer"] == "Dewi"
