from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from services.members import MemberService, TelegramProfile, referral_code_from_payload
from services.members.memo import REMEMBER_SECONDS, LanguageMemo
from storage.models import Member, OutboxMessage
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock
from tests.kit.units_of_work import counting

ANI = TelegramProfile(telegram_id=1001, first_name="Ani", username="ani", language_code="id")


def service(uow: UnitOfWorkFactory, clock: FrozenClock) -> MemberService:
    return MemberService(uow, clock, "id")


async def count_members(uow: UnitOfWorkFactory) -> int:
    async with uow() as work:
        return int((await work.session.execute(select(func.count(Member.id)))).scalar_one())


async def test_start_registers_a_new_member_once(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    members = service(uow, clock)
    first = await members.register(ANI, None)
    again = await members.register(ANI, None)
    assert first.is_new and not again.is_new
    assert first.id == again.id
    assert await count_members(uow) == 1
    assert len(first.referral_code) == 8


async def test_start_refreshes_the_name_and_username(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    members = service(uow, clock)
    await members.register(ANI, None)
    renamed = TelegramProfile(telegram_id=1001, first_name="Ani Rahma", username="anirahma")
    view = await members.register(renamed, None)
    assert view.first_name == "Ani Rahma"
    async with uow() as work:
        member = await work.members.by_telegram_id(1001)
        assert member is not None and member.username == "anirahma"


async def test_a_referral_payload_is_kept_only_on_first_registration(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    members = service(uow, clock)
    view = await members.register(ANI, "ref_abcd2345")
    assert view.arrived_with_code == "ABCD2345"
    again = await members.register(ANI, "ref_zzzz9999")
    assert again.arrived_with_code == "ABCD2345"


async def test_a_member_cannot_arrive_with_their_own_code(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    members = service(uow, clock)
    budi = await members.register(TelegramProfile(telegram_id=2, first_name="Budi"), None)
    cici = TelegramProfile(telegram_id=3, first_name="Cici")
    view = await members.register(cici, f"ref_{budi.referral_code}")
    assert view.arrived_with_code == budi.referral_code


def test_only_well_formed_referral_payloads_count() -> None:
    assert referral_code_from_payload("ref_ab12") == "AB12"
    assert referral_code_from_payload(None) is None
    assert referral_code_from_payload("") is None
    assert referral_code_from_payload("ref_") is None
    assert referral_code_from_payload("ref_<script>") is None
    assert referral_code_from_payload("promo_abcd") is None
    assert referral_code_from_payload("ref_" + "a" * 40) is None


async def test_the_chosen_language_wins_over_telegrams(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    members = service(uow, clock)
    english_phone = TelegramProfile(telegram_id=5, first_name="Dewi", language_code="en-US")
    assert (await members.register(english_phone, None)).language == "en"
    assert await members.language_of(5, "en-US") == "en"
    await members.set_language(english_phone, "id")
    assert await members.language_of(5, "en-US") == "id"
    assert (await members.register(english_phone, None)).language == "id"


async def test_people_who_never_started_get_their_telegram_language(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    members = service(uow, clock)
    assert await members.language_of(77, "en") == "en"
    assert await members.language_of(77, "ms") == "id"
    assert await members.language_of(77, None) == "id"


async def test_writing_again_clears_the_blocked_mark(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    members = service(uow, clock)
    await members.register(ANI, None)
    async with uow() as work:
        await work.outbox.mark_member_blocked(1001, clock.now())
        await work.commit()
    members.forget(1001)  # what the outbox relay does after recording the block
    await members.register(ANI, None)
    async with uow() as work:
        member = await work.members.by_telegram_id(1001)
        assert member is not None and member.blocked_bot_at is None


async def test_the_same_start_again_is_answered_from_memory_and_a_change_is_written(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    members = service(uow, clock)
    first = await members.register(ANI, None)
    assert first.is_new
    opened = counting(members)
    again = await members.register(ANI, None)
    assert opened.opened == 0
    assert (again.is_new, again.first_name, again.language, again.referral_code) == (
        False, "Ani", "id", first.referral_code,
    )  # fmt: skip
    # A new name is written at once.
    renamed = TelegramProfile(1001, "Ani Lestari", username="ani", language_code="id")
    assert (await members.register(renamed, None)).first_name == "Ani Lestari"
    assert opened.opened == 1
    async with uow() as work:
        member = await work.members.by_telegram_id(1001)
        assert member is not None and member.first_name == "Ani Lestari"
    # A /language choice shows in the next /start.
    await members.set_language(renamed, "en")
    assert (await members.register(renamed, None)).language == "en"
    # After the memo's ten minutes, "last seen" is written again.
    opened.opened = 0
    clock.advance(seconds=REMEMBER_SECONDS + 1)
    await members.register(renamed, None)
    assert opened.opened == 1
    async with uow() as work:
        member = await work.members.by_telegram_id(1001)
        assert member is not None and member.last_seen_at == clock.now()


async def test_concurrent_registrations_of_the_same_people_make_one_member_each(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    """15 new people each tap /start twice at once: no unique violation, 15 members, and
    exactly one of each person's two registrations is the new one (one welcome)."""
    members = service(uow, clock)
    people = [TelegramProfile(telegram_id=5000 + n, first_name=f"P{n}") for n in range(15)]
    views = await asyncio.gather(
        *(members.register(person, None) for person in people for _ in range(2))
    )
    assert await count_members(uow) == 15
    assert sum(view.is_new for view in views) == 15
    for person in people:
        mine = [view for view in views if view.telegram_id == person.telegram_id]
        assert [view.is_new for view in mine].count(True) == 1
        assert len({view.id for view in mine}) == 1
        assert len({view.referral_code for view in mine}) == 1
    assert len({view.referral_code for view in views}) == 15


async def test_a_referral_is_attached_once_when_a_link_is_opened_twice_at_once(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    members = service(uow, clock)
    lina = await members.register(TelegramProfile(telegram_id=10, first_name="Lina"), None)
    eve = TelegramProfile(telegram_id=11, first_name="Eve")
    views = await asyncio.gather(
        *(members.register(eve, f"ref_{lina.referral_code}") for _ in range(2))
    )
    assert sorted(view.is_new for view in views) == [False, True]
    assert {view.arrived_with_code for view in views} == {lina.referral_code}
    async with uow() as work:
        queued = (await work.session.execute(select(func.count(OutboxMessage.id)))).scalar_one()
    assert queued == 1  # Lina is told once


async def test_a_first_update_without_start_registers_and_answers_in_their_language(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    members = service(uow, clock)
    john = TelegramProfile(telegram_id=12, first_name="John", language_code="en")
    langs = await asyncio.gather(*(members.language_on_contact(john) for _ in range(3)))
    assert langs == ["en", "en", "en"]
    assert await count_members(uow) == 1
    view = await members.register(john, "ref_abcd2345")
    assert not view.is_new and view.arrived_with_code is None


async def test_a_known_members_language_is_answered_without_a_query(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    members = service(uow, clock)
    await members.register(ANI, None)
    opened = counting(members)
    assert await members.language_on_contact(ANI) == "id"
    assert await members.language_of(ANI.telegram_id, "id") == "id"
    assert opened.opened == 0
    # Their /language choice counts at once, still without a query to answer in it.
    await members.set_language(ANI, "en")
    opened.opened = 0
    assert await members.language_on_contact(ANI) == "en"
    assert opened.opened == 0


async def test_a_language_chosen_through_another_process_counts_after_ten_minutes(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    here, elsewhere = service(uow, clock), service(uow, clock)
    await here.register(ANI, None)
    assert await here.language_on_contact(ANI) == "id"
    await elsewhere.set_language(ANI, "en")
    assert await here.language_on_contact(ANI) == "id"  # remembered, not read again yet
    clock.advance(seconds=REMEMBER_SECONDS + 1)
    assert await here.language_on_contact(ANI) == "en"


async def test_someone_unknown_is_registered_and_an_unregistered_stranger_is_not_remembered(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    members = service(uow, clock)
    stranger = TelegramProfile(telegram_id=1002, first_name="Budi", language_code="en")
    assert await members.language_of(stranger.telegram_id, "en") == "en"
    assert await count_members(uow) == 0
    opened = counting(members)
    assert await members.language_on_contact(stranger) == "en"  # registers them
    assert opened.opened == 1 and await count_members(uow) == 1


async def test_a_stranger_writing_in_a_group_costs_one_query_then_their_choice_counts(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    """An admin who never wrote to the bot privately taps cards all day: their language
    is Telegram's, read from memory after the first tap; once they register and choose
    a language, the choice counts."""
    members = service(uow, clock)
    admin = TelegramProfile(telegram_id=1003, first_name="Dewi", language_code="en")
    opened = counting(members)
    assert await members.language_of(admin.telegram_id, "en") == "en"
    assert await members.language_of(admin.telegram_id, "en") == "en"
    assert opened.opened == 1
    await members.set_language(admin, "id")
    assert await members.language_of(admin.telegram_id, "en") == "id"
    # Another process registers a second stranger: this one reads their row again after
    # the memo's ten minutes.
    budi = TelegramProfile(telegram_id=1004, first_name="Budi", language_code="en")
    assert await members.language_of(budi.telegram_id, "en") == "en"
    await service(uow, clock).set_language(budi, "id")
    assert await members.language_of(budi.telegram_id, "en") == "en"
    clock.advance(seconds=REMEMBER_SECONDS + 1)
    assert await members.language_of(budi.telegram_id, "en") == "id"


def test_the_language_memo_forgets_the_least_recently_seen_first() -> None:
    clock = FrozenClock()
    memo = LanguageMemo(clock.monotonic, size=2)
    memo.remember(1, "en")
    memo.remember(2, None)
    assert memo.recall(1) == (True, "en")  # 1 is now the most recently seen
    memo.remember(3, "id")
    assert memo.recall(2) == (False, None)
    assert memo.recall(1) == (True, "en") and memo.recall(3) == (True, "id")
