"""Texts read by people (issues 15/16): English counts agree with
their number, Indonesian texts carry no English words, and nothing promises a message the
bot never sends."""

from __future__ import annotations

from kernel.i18n import Translator

I18N = Translator.load()


def test_english_counts_in_the_library_agree_with_their_number() -> None:
    home = I18N.t("library.admin_home", "en", sections=1, lessons=1)
    assert "1 section, 1 live lesson." in home
    assert "2 sections, 3 live lessons." in I18N.t(
        "library.admin_home", "en", sections=2, lessons=3
    )
    card = I18N.t(
        "library.lesson_card",
        "en",
        title="Hooks",
        section="Basics",
        tier="Basic",
        content="text",
        opens=1,
        members=1,
        status="",
    )
    assert "Opened: <b>1 time</b> by <b>1 member</b>" in card


def test_attendance_in_the_numbers_counts_attendances_not_members() -> None:
    assert I18N.t("numbers.attendance_detail", "en", meetings=1, present=1) == (
        "1 meeting held, 1 attendance recorded"
    )
    assert I18N.t("numbers.attendance_detail", "id", meetings=2, present=5) == (
        "2 meeting selesai, 5 kehadiran tercatat"
    )
    assert "who said Coming came" in I18N.t(
        "numbers.attendance_value", "en", rate="50%", part=1, whole=2
    )


def test_indonesian_library_texts_say_pesan_suara_and_jumlah_dibuka() -> None:
    keys = [k for k in I18N.catalogs["id"] if k.startswith("library.") or k == "command.library"]
    for key in keys:
        text = I18N.catalogs["id"][key]
        assert "voice" not in text and "views" not in text, key
    assert I18N.t("library.kind_voice", "id") == "pesan suara"


def test_empty_screens_do_not_promise_a_message_that_never_comes() -> None:
    assert I18N.t("meetings.member.none", "id").endswith("Cek lagi di sini nanti ya 🙂")
    assert I18N.t("meetings.member.none", "en").endswith("Check back here later 🙂")
    assert I18N.t("library.shelf_empty", "id").endswith("Cek lagi nanti ya.")
    assert I18N.t("library.shelf_empty", "en").endswith("Check back later.")


def test_a_search_that_found_more_says_so_instead_of_an_ellipsis() -> None:
    more = {"key": "affiliates.assign_pick_more"}
    pick = I18N.t("affiliates.assign_pick", "en", query="ani", more=more, id=3, username="shop")
    assert pick.startswith("👤 Members matching “ani” (showing the first ones; type more")
    assert "…" not in pick
    assert "“ani” untuk akun #3" in I18N.t(
        "affiliates.assign_pick", "id", query="ani", more="", id=3, username="shop"
    )


def test_english_console_and_account_words() -> None:
    assert "Ani is already Budi's leader" in I18N.t(
        "console.leader_already_set", "en", leader="Ani", name="Budi"
    )
    assert I18N.t("affiliates.list_free", "en") == "available"
