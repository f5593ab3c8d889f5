"""English counts agree with their noun ("1 report", "2 reports"); Indonesian has no
plural forms, so its texts stay as they are."""

from __future__ import annotations

import re

from kernel.i18n import Translator, load_catalogs

i18n = Translator.load()


def test_one_report_is_singular_and_two_are_plural() -> None:
    one = i18n.t("reports_admin.batch_done", "en", name="Rina", validated=1, skipped=0)
    two = i18n.t("reports_admin.batch_done", "en", name="Rina", validated=2, skipped=0)
    assert "1 report validated" in one
    assert "2 reports validated" in two


def test_a_verb_agrees_with_the_count_too() -> None:
    one = i18n.t("affiliates.import_rejected", "en", bad=1, rows=1)
    many = i18n.t("affiliates.import_rejected", "en", bad=1, rows=4)
    assert "1 of 1 row has problems" in one
    assert "1 of 4 rows have problems" in many


def test_one_person_one_minute_one_day() -> None:
    people = i18n.t("access.reconcile_dry_run", "en", count=1, list="• Ani (1)")
    assert "1 person in the group" in people
    overdue = i18n.t("qa.overdue", "en", count=1, minutes=1, lines="")
    assert "1 question unanswered for more than 1 minute" in overdue
    assert i18n.t("numbers.days", "en", days=1) == "1 day"


def test_a_count_shown_with_thousands_dots_keeps_the_plural() -> None:
    assert i18n.t("numbers.days", "en", days="1.200") == "1.200 days"


def test_indonesian_counts_read_as_before() -> None:
    text = i18n.t("reports_admin.batch_done", "id", name="Rina", validated=1, skipped=0)
    assert "1 laporan" in text


def test_no_english_text_hedges_with_a_parenthesised_plural() -> None:
    hedged = [key for key, text in load_catalogs()["en"].items() if re.search(r"\w\(s\)", text)]
    assert hedged == []
