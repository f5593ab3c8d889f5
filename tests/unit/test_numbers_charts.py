"""The owner's charts are PNG images of one fixed size, drawn from the numbers' values,
empty series included (no pixel comparisons: only what a reader's phone would open).
Also the typed custom period and the screen's number formats."""

from __future__ import annotations

import io
import sys
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image

from domain.numbers import (
    Bucket,
    Conversion,
    Ratio,
    Retention,
    Tally,
    month_buckets,
    week_buckets,
)
from handlers.admin.numbers import charts
from handlers.admin.numbers.views import UnreadableDays, parse_days, ratio_text
from kernel.i18n import Translator
from services.numbers import Point

TEXTS = charts.ChartTexts(
    revenue="Pendapatan per bulan",
    members="Anggota baru per minggu",
    funnel="Basic → VIP",
    funnel_basic="Basic",
    funnel_converted="Jadi VIP",
    funnel_new_vips="VIP baru",
    retention="Retensi VIP",
    target="target",
    no_data="belum ada data",
    months=tuple("Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des".split()),
)
ZONE = UTC
MONTHS = month_buckets(date(2026, 12, 2), 12, ZONE)
WEEKS = week_buckets(date(2026, 12, 2), 12, ZONE)


def opened(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    return image


def test_revenue_and_members_are_bar_charts_of_the_fixed_size() -> None:
    revenue = [Point(b, Tally(i, i * 1_250_000)) for i, b in enumerate(MONTHS)]
    members = [Point(b, Tally(i * 3, i * 3)) for i, b in enumerate(WEEKS)]
    assert opened(charts.revenue_chart(revenue, TEXTS)).size == charts.SIZE == (800, 450)
    assert opened(charts.members_chart(members, TEXTS)).size == charts.SIZE


def test_the_funnel_and_retention_are_drawn_with_and_without_data() -> None:
    assert opened(charts.funnel_chart(Conversion(40, 12, 15), TEXTS)).size == charts.SIZE
    assert opened(charts.funnel_chart(Conversion(0, 0, 0), TEXTS)).size == charts.SIZE
    kept = [(b, Retention(i, 1, 2)) for i, b in enumerate(MONTHS)]
    nothing = [(b, Retention(0, 0, 0)) for b in MONTHS]
    assert opened(charts.retention_chart(kept, TEXTS)).size == charts.SIZE
    assert opened(charts.retention_chart(nothing, TEXTS)).size == charts.SIZE


def test_empty_series_draw_an_empty_chart_rather_than_fail() -> None:
    moment = datetime(2026, 12, 1, tzinfo=UTC)
    one = [Point(Bucket(date(2026, 12, 1), moment, moment + timedelta(days=31)), Tally(0, 0))]
    assert opened(charts.revenue_chart(one, TEXTS)).size == charts.SIZE
    assert opened(charts.members_chart([], TEXTS)).size == charts.SIZE


def test_drawing_never_loads_pyplot() -> None:
    charts.funnel_chart(Conversion(3, 1, 1), TEXTS)
    assert "matplotlib.pyplot" not in sys.modules


@pytest.mark.parametrize(
    ("typed", "days"),
    [
        ("1-11-2026 30-11-2026", (date(2026, 11, 1), date(2026, 11, 30))),
        ("1/11/2026 - 30/11/2026", (date(2026, 11, 1), date(2026, 11, 30))),
        ("01.11.26 sampai 30.11.26", (date(2026, 11, 1), date(2026, 11, 30))),
        ("2026-11-01 to 2026-11-30", (date(2026, 11, 1), date(2026, 11, 30))),
    ],
)
def test_a_custom_period_is_read_from_two_days_written_as_people_write_them(
    typed: str, days: tuple[date, date]
) -> None:
    assert parse_days(typed) == days


@pytest.mark.parametrize("typed", ["", "bulan lalu", "1-11-2026", "1-11-2026 x 30-11-2026"])
def test_text_that_is_not_two_days_is_unreadable(typed: str) -> None:
    with pytest.raises(UnreadableDays) as refused:
        parse_days(typed)
    assert refused.value.bad_day is None


def test_a_day_not_on_the_calendar_is_named() -> None:
    with pytest.raises(UnreadableDays) as refused:
        parse_days("30-2-2026 5-3-2026")
    assert refused.value.bad_day == "30-2-2026"


def test_a_share_just_short_of_its_target_never_reads_as_the_target() -> None:
    i18n = Translator.load()
    short = ratio_text(Ratio(2996, 10_000), i18n, "id", target=0.30)
    assert short == "29,9% ⚠️ (target 30%) · 2996 dari 10000"
    met = ratio_text(Ratio(3, 10), i18n, "en", target=0.30)
    assert met == "30% ✅ (target 30%) · 3 of 10"
    assert ratio_text(Ratio(0, 0), i18n, "id", target=0.8) == "belum ada data (target 80%)"
