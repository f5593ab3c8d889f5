"""The day a report is for, and the reason a rejection is stored with (SPEC "Daily reports")."""

from datetime import date

import pytest

from domain.reports import MAX_NOTE, ReportRejectReason, may_submit_for, reject_reason, still_open

TODAY = date(2026, 3, 10)


def test_a_report_is_sent_for_today_or_for_yesterday() -> None:
    assert may_submit_for(TODAY, TODAY)
    assert may_submit_for(date(2026, 3, 9), TODAY)
    assert not may_submit_for(date(2026, 3, 8), TODAY)
    assert not may_submit_for(date(2026, 3, 11), TODAY)


def test_a_rejected_report_of_today_or_yesterday_may_be_sent_again() -> None:
    assert still_open(TODAY, TODAY)
    assert still_open(date(2026, 3, 9), TODAY)
    assert not still_open(date(2026, 3, 8), TODAY)


def test_a_listed_reason_is_stored_as_its_code() -> None:
    assert reject_reason(ReportRejectReason.MISMATCH, None) == "mismatch"
    assert reject_reason(ReportRejectReason.DUPLICATE, "ignored words") == "duplicate"


def test_the_admins_words_are_trimmed_and_cut_to_the_limit() -> None:
    assert reject_reason(None, "  blurry  ") == "blurry"
    assert reject_reason(None, "x" * (MAX_NOTE + 50)) == "x" * MAX_NOTE


@pytest.mark.parametrize("note", [None, "", "   "])
def test_a_rejection_without_a_reason_is_a_bug(note: str | None) -> None:
    with pytest.raises(ValueError):
        reject_reason(None, note)
