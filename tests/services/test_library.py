"""The learning library in the service layer, on SQLite and PostgreSQL: lessons added
from a draft (once), gated by the member's tier now, retired, reordered, and their
views counted per lesson and per period."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kernel.actor import Actor
from services.library import (
    PAGE_SIZE,
    ContentKind,
    LessonDraft,
    LessonPart,
    LibraryError,
    LibraryProblem,
    LibraryService,
    Moved,
    Opened,
)
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock
from tests.services.memberkit import ZONE, Setup, make_setup

ADMIN = Actor(7002, "Dewi")
ANI, BUDI, CITRA, DEDI = 1001, 1002, 1003, 1004
TEXT = (LessonPart(ContentKind.TEXT, None, "<b>Langkah 1</b>: buka aplikasi"),)
VIDEO = (LessonPart(ContentKind.VIDEO, "video-file-1", "Tutorial <i>upload</i>"),)
ALBUM = (
    LessonPart(ContentKind.PHOTO, "photo-1", "Contoh hasil"),
    LessonPart(ContentKind.PHOTO, "photo-2", None),
    LessonPart(ContentKind.VIDEO, "video-2", None),
)


@pytest.fixture
def setup(uow: UnitOfWorkFactory, clock: FrozenClock) -> Setup:
    return make_setup(uow, clock)


@pytest.fixture
def library(uow: UnitOfWorkFactory, clock: FrozenClock) -> LibraryService:
    return LibraryService(uow, clock, ZONE, "id")


async def add(
    library: LibraryService,
    title: str,
    tier: str,
    parts: tuple[LessonPart, ...] = TEXT,
    section: str = "Dasar AI",
    key: str | None = None,
) -> int:
    found = await library.add_section(section, ADMIN)
    lesson, added = await library.add_lesson(
        LessonDraft(key or f"draft-{title}", found.id, title, tier, parts), ADMIN
    )
    assert added
    return lesson.id


async def opened(library: LibraryService, telegram_id: int, lesson_id: int) -> Opened:
    """A member opens the lesson and gets it (the view recorded once it was sent)."""
    opening = await library.open_lesson(telegram_id, lesson_id)
    await library.record_view(opening)
    return opening.outcome


async def test_a_basic_member_opens_a_basic_lesson_and_the_opening_is_recorded(
    setup: Setup, library: LibraryService
) -> None:
    await setup.join(ANI, "Ani", "basic_lifetime")
    lesson_id = await add(library, "Membuat konten dengan AI", "basic", VIDEO)

    opening = await library.open_lesson(ANI, lesson_id)

    assert opening.outcome is Opened.OPEN
    assert opening.parts == VIDEO
    unsent = await library.lesson_card(lesson_id)
    assert (unsent.views.opens, unsent.views.members) == (0, 0)  # not delivered yet
    await library.record_view(opening)
    card = await library.lesson_card(lesson_id)
    assert (card.views.opens, card.views.members) == (1, 1)


async def test_a_vip_lesson_is_locked_for_a_basic_member_with_the_plans_that_open_it(
    setup: Setup, library: LibraryService
) -> None:
    await setup.join(ANI, "Ani", "basic_lifetime")
    lesson_id = await add(library, "Strategi keranjang kuning", "vip")

    opening = await library.open_lesson(ANI, lesson_id)

    assert opening.outcome is Opened.LOCKED
    assert opening.parts == ()
    assert [plan.code for plan in opening.unlock_with] == ["vip_lifetime"]
    assert (await library.lesson_card(lesson_id)).views.opens == 0


async def test_someone_with_no_plan_finds_every_lesson_locked_and_is_told_the_lowest_tier(
    setup: Setup, library: LibraryService
) -> None:
    await setup.join(BUDI, "Budi")
    lesson_id = await add(library, "Tutorial dasar", "basic")

    opening = await library.open_lesson(BUDI, lesson_id)
    shelf = await library.shelf(BUDI)

    assert opening.outcome is Opened.LOCKED
    assert [plan.code for plan in opening.unlock_with] == ["basic_lifetime", "vip_lifetime"]
    assert shelf.tier is None and shelf.lowest is not None and shelf.lowest.code == "basic"
    page = await library.section_page(BUDI, shelf.sections[0].id, 0)
    assert page is not None and [x.locked for x in page.lessons] == [True]


async def test_a_vip_whose_plan_lapsed_finds_vip_lessons_locked_again(
    setup: Setup, library: LibraryService, clock: FrozenClock
) -> None:
    await setup.tools.add_plan("vip", 30, 150_000, ADMIN)
    await setup.join(CITRA, "Citra", "basic_lifetime", "vip_30d")
    lesson_id = await add(library, "Live bersama mentor", "vip")
    assert await opened(library, CITRA, lesson_id) is Opened.OPEN

    clock.advance(days=31)

    assert await opened(library, CITRA, lesson_id) is Opened.LOCKED
    page = await library.section_page(CITRA, (await library.shelf(CITRA)).sections[0].id, 0)
    assert page is not None and page.lessons[0].locked
    assert (await library.lesson_card(lesson_id)).views.opens == 1


async def test_a_retired_lesson_is_not_listed_and_cannot_be_opened_until_it_is_back(
    setup: Setup, library: LibraryService
) -> None:
    await setup.join(ANI, "Ani", "vip_lifetime")
    kept = await add(library, "Dasar 1", "basic")
    retired = await add(library, "Dasar 2", "basic")

    _, changed = await library.retire(retired, True, ADMIN)
    _, again = await library.retire(retired, True, ADMIN)

    assert (changed, again) == (True, False)
    assert (await library.open_lesson(ANI, retired)).outcome is Opened.GONE
    section_id = (await library.shelf(ANI)).sections[0].id
    page = await library.section_page(ANI, section_id, 0)
    assert page is not None and [x.id for x in page.lessons] == [kept]
    admin_page = await library.section_lessons(section_id, 0)
    assert [(x.lesson.id, x.lesson.retired) for x in admin_page.lessons] == [
        (kept, False),
        (retired, True),
    ]
    await library.retire(retired, False, ADMIN)
    assert (await library.open_lesson(ANI, retired)).outcome is Opened.OPEN


async def test_a_lesson_that_does_not_exist_is_gone(setup: Setup, library: LibraryService) -> None:
    await setup.join(ANI, "Ani", "vip_lifetime")
    assert (await library.open_lesson(ANI, 999_999)).outcome is Opened.GONE


async def test_adding_the_same_draft_twice_adds_one_lesson(library: LibraryService) -> None:
    section = await library.add_section("Dasar AI", ADMIN)
    draft = LessonDraft("admin-7002-55", section.id, "Prompt pertama", "basic", ALBUM)

    first, added = await library.add_lesson(draft, ADMIN)
    second, added_again = await library.add_lesson(draft, ADMIN)

    assert (added, added_again) == (True, False)
    assert first.id == second.id
    assert (await library.section_lessons(section.id, 0)).section.total == 1
    assert (await library.lesson_card(first.id)).parts == ALBUM


async def test_a_section_name_used_already_gives_that_section(library: LibraryService) -> None:
    first = await library.add_section("Dasar  AI ", ADMIN)
    second = await library.add_section("Dasar AI", ADMIN)
    assert first.id == second.id and first.name == "Dasar AI"
    assert len(await library.sections()) == 1


@pytest.mark.parametrize(
    ("title", "problem"),
    [("   ", LibraryProblem.BAD_TITLE), ("x" * 81, LibraryProblem.BAD_TITLE)],
)
async def test_an_empty_or_too_long_title_is_refused(
    library: LibraryService, title: str, problem: LibraryProblem
) -> None:
    section = await library.add_section("Dasar AI", ADMIN)
    with pytest.raises(LibraryError) as refused:
        await library.add_lesson(LessonDraft("k", section.id, title, "basic", TEXT), ADMIN)
    assert refused.value.problem is problem
    assert (await library.section_lessons(section.id, 0)).lessons == ()


@pytest.mark.parametrize(
    ("parts", "why"),
    [
        ((), "empty"),
        ((LessonPart(ContentKind.TEXT, None, "  "),), "empty"),
        ((LessonPart(ContentKind.DOCUMENT, "d1", None), LessonPart(ContentKind.PHOTO, "p", None)),
         "mixed"),
        ((LessonPart(ContentKind.VOICE, "v1", None), LessonPart(ContentKind.VOICE, "v2", None)),
         "not_album"),
        (tuple(LessonPart(ContentKind.PHOTO, f"p{i}", None) for i in range(11)), "too_many"),
    ],
)  # fmt: skip
async def test_content_telegram_cannot_deliver_is_refused(
    library: LibraryService, parts: tuple[LessonPart, ...], why: str
) -> None:
    section = await library.add_section("Dasar AI", ADMIN)
    with pytest.raises(LibraryError) as refused:
        await library.add_lesson(LessonDraft("k", section.id, "Judul", "basic", parts), ADMIN)
    assert refused.value.problem is LibraryProblem.BAD_CONTENT
    assert refused.value.params["why"] == why


async def test_title_tier_and_content_can_be_changed(setup: Setup, library: LibraryService) -> None:
    await setup.join(ANI, "Ani", "basic_lifetime")
    lesson_id = await add(library, "Lama", "basic")

    await library.rename(lesson_id, "Baru", ADMIN)
    await library.replace_content(lesson_id, ALBUM, ADMIN)
    await library.set_tier(lesson_id, "vip", ADMIN)

    card = await library.lesson_card(lesson_id)
    assert (card.lesson.title, card.lesson.tier.code, card.parts) == ("Baru", "vip", ALBUM)
    assert (await library.open_lesson(ANI, lesson_id)).outcome is Opened.LOCKED


async def test_lessons_move_up_and_down_within_their_section(library: LibraryService) -> None:
    one, two, three = [await add(library, title, "basic") for title in ("Satu", "Dua", "Tiga")]

    assert await library.move(three, True, 3, ADMIN) is Moved.MOVED
    assert await library.move(one, True, 1, ADMIN) is Moved.END
    assert await library.move(one, False, 1, ADMIN) is Moved.MOVED

    section = (await library.sections())[0]
    order = [x.lesson.id for x in (await library.section_lessons(section.id, 0)).lessons]
    assert order == [three, one, two]
    assert (await library.lesson_card(three)).first
    middle = await library.lesson_card(one)
    assert not middle.first and not middle.last


async def test_a_section_is_paged_and_a_page_past_the_end_shows_the_last(
    setup: Setup, library: LibraryService
) -> None:
    await setup.join(ANI, "Ani", "basic_lifetime")
    for n in range(PAGE_SIZE + 2):
        await add(library, f"Pelajaran {n + 1}", "basic")
    section_id = (await library.shelf(ANI)).sections[0].id

    first = await library.section_page(ANI, section_id, 0)
    beyond = await library.section_page(ANI, section_id, 7)

    assert first is not None and beyond is not None
    assert (first.pages, len(first.lessons)) == (2, PAGE_SIZE)
    assert (beyond.page, [x.title for x in beyond.lessons]) == (1, ["Pelajaran 9", "Pelajaran 10"])


async def test_views_in_a_period_count_opens_distinct_members_and_top_lessons(
    setup: Setup, library: LibraryService, clock: FrozenClock
) -> None:
    for telegram_id in (ANI, BUDI, DEDI):
        await setup.join(telegram_id, f"M{telegram_id}", "vip_lifetime")
    popular = await add(library, "Populer", "basic")
    quiet = await add(library, "Sepi", "vip")
    await opened(library, DEDI, popular)  # before the period
    start = clock.advance(hours=1)
    for telegram_id in (ANI, ANI, BUDI):
        await opened(library, telegram_id, popular)
    await opened(library, BUDI, quiet)
    end = clock.advance(hours=1)
    await opened(library, DEDI, quiet)  # at the end: not in [start, end)

    views = await library.views(start, end)

    assert (views.opens, views.members) == (4, 2)
    assert [(t.title, t.opens, t.members) for t in views.top] == [("Populer", 3, 2), ("Sepi", 1, 1)]
    assert (await library.views(end + timedelta(hours=1), end + timedelta(hours=2))).opens == 0


async def test_a_move_from_a_stale_place_moves_nothing(library: LibraryService) -> None:
    one, two, three = [await add(library, title, "basic") for title in ("Satu", "Dua", "Tiga")]

    assert await library.move(three, True, 3, ADMIN) is Moved.MOVED
    assert await library.move(three, True, 3, ADMIN) is Moved.STALE  # the same tap again

    section = (await library.sections())[0]
    order = [x.lesson.id for x in (await library.section_lessons(section.id, 0)).lessons]
    assert order == [one, three, two]
    assert (await library.lesson_card(three)).place == 2


async def test_section_names_differing_in_case_and_spaces_are_one_section(
    library: LibraryService,
) -> None:
    first = await library.add_section("Dasar AI", ADMIN)
    second = await library.add_section("  dasar   ai ", ADMIN)

    assert second.id == first.id and second.name == "Dasar AI"
    found = await library.section_named("DASAR ai")
    assert found is not None and found.id == first.id
    assert len(await library.sections()) == 1


async def test_a_draft_for_a_new_section_makes_it_only_when_the_lesson_is_added(
    library: LibraryService,
) -> None:
    assert await library.section_named("Strategi") is None
    draft = LessonDraft("k-new", None, "Judul", "basic", TEXT, new_section="Strategi")

    lesson, added = await library.add_lesson(draft, ADMIN)

    assert added and lesson.section_name == "Strategi"
    assert [s.name for s in await library.sections()] == ["Strategi"]
    again = LessonDraft("k-again", None, "Kedua", "basic", TEXT, new_section="strategi")
    second, _ = await library.add_lesson(again, ADMIN)
    assert second.section_id == lesson.section_id


async def test_a_section_is_renamed_unless_another_has_the_name_and_only_an_empty_one_is_deleted(
    library: LibraryService,
) -> None:
    await add(library, "Satu", "basic", section="Dasar AI")
    empty = await library.add_section("Kosong", ADMIN)
    full = (await library.sections())[0]

    renamed = await library.rename_section(full.id, "Dasar AI Lanjutan", ADMIN)
    assert renamed.name == "Dasar AI Lanjutan"
    with pytest.raises(LibraryError) as taken:
        await library.rename_section(empty.id, "dasar ai lanjutan", ADMIN)
    assert taken.value.problem is LibraryProblem.SECTION_TAKEN
    assert (await library.rename_section(full.id, "DASAR AI LANJUTAN", ADMIN)).id == full.id

    with pytest.raises(LibraryError) as holding:
        await library.delete_section(full.id, ADMIN)
    assert holding.value.problem is LibraryProblem.SECTION_NOT_EMPTY
    await library.delete_section(empty.id, ADMIN)
    assert [s.id for s in await library.sections()] == [full.id]
