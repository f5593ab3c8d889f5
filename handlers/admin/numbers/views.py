"""The numbers screen as admins read it: each ratio against its target (✅ / ⚠️) with the
counts behind it, "no data yet" when there is nothing to divide by, the leaders a page
at a time, dates as "2 Des 2026"; the period picker and the screen's buttons."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.numbers import (
    CONVERSION_TARGET,
    NAMED_PERIODS,
    PAYOUT_TARGET,
    RETENTION_TARGET,
    LeaderPerformance,
    Period,
    PeriodKind,
    Ratio,
)
from handlers.admin.console.callbacks import ConsoleCallback, Screen
from handlers.admin.numbers.callbacks import NumbersAction, NumbersCallback
from kernel.i18n import Translator, join
from services.library import LibraryViews
from services.meetings import AttendanceRate
from services.numbers import MAX_CUSTOM_DAYS, OwnerNumbers

LEADERS_PER_PAGE = 10

# A day as typed: 30-11-2026, 30/11/2026, 30.11.2026 (or 2026-11-30).
_TYPED_DAY = re.compile(r"(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})")
# What may stand around and between the two days: "1-11-2026 - 30-11-2026", "s/d", "to".
_BETWEEN = re.compile(r"[\s,\-–—]*(?:(?:s/?d|sampai|hingga|to|until)[\s,\-–—]*)?", re.IGNORECASE)


class UnreadableDays(ValueError):
    """The text holds no two days; `bad_day` is a day-like piece that is no day."""

    def __init__(self, bad_day: str | None = None) -> None:
        super().__init__(bad_day or "unreadable")
        self.bad_day = bad_day


def parse_days(text: str) -> tuple[date, date]:
    """The first and last day of a typed period: two dates, day first (a year of two
    digits is 20xx; a year written first is year-month-day)."""
    found = _TYPED_DAY.findall(text)
    if len(found) != 2 or not _BETWEEN.fullmatch(_TYPED_DAY.sub(" ", text)):
        raise UnreadableDays()
    days = []
    for first, middle, last in found:
        year, month, day = (first, middle, last) if len(first) == 4 else (last, middle, first)
        number = int(year) + (2000 if len(year) <= 2 else 0)
        try:
            days.append(date(number, int(month), int(day)))
        except ValueError:
            raise UnreadableDays(f"{first}-{middle}-{last}") from None
    return days[0], days[1]


def example_days(period: Period) -> str:
    """A typed period as an example: last month's first and last day."""
    return f"{_typed(period.first_day)} {_typed(period.last_day)}"


def _typed(day: date) -> str:
    return f"{day.day}-{day.month}-{day.year}"


def day_text(day: date, i18n: Translator, lang: str) -> str:
    """`2 Des 2026` (kernel/dates.py)."""
    month = {"key": f"dates.month_{day.month}"}
    return i18n.t("dates.day", lang, day=day.day, month=month, year=day.year)


def moment_text(moment: datetime, zone: ZoneInfo, i18n: Translator, lang: str) -> str:
    """`2 Des 2026 16.05` (Indonesian), `2 Dec 2026 16:05` (English) in the zone."""
    local = moment.astimezone(zone)
    month = {"key": f"dates.month_{local.month}"}
    return i18n.t(
        "dates.moment",
        lang,
        day=local.day,
        month=month,
        year=local.year,
        hour=local.hour,
        minute=local.minute,
    )


def number_text(value: float, i18n: Translator, lang: str) -> str:
    """One decimal at most, with the language's decimal mark: `29,5`, `30`."""
    shown = f"{value:.1f}".removesuffix(".0")
    return shown.replace(".", i18n.t("numbers.decimal_mark", lang))


def percent_text(share: float, i18n: Translator, lang: str) -> str:
    return i18n.t("numbers.percent", lang, value=number_text(share * 100, i18n, lang))


def ratio_percent(ratio: Ratio, i18n: Translator, lang: str) -> str:
    """Rounded down to a tenth, in whole numbers (no float error): 29.96% is not shown
    as 30% next to a ⚠️."""
    tenths = ratio.part * 1000 // max(ratio.whole, 1)
    return i18n.t("numbers.percent", lang, value=number_text(tenths / 10, i18n, lang))


def ratio_text(
    ratio: Ratio,
    i18n: Translator,
    lang: str,
    *,
    target: float | None = None,
    money: bool = False,
) -> str:
    """`30% ✅ (target 30%) · 12 dari 40`, or `belum ada data (target 30%)`."""
    wanted = (
        ""
        if target is None
        else " (" + i18n.t("numbers.target", lang, target=percent_text(target, i18n, lang)) + ")"
    )
    share = ratio.share
    if share is None:
        return join([i18n.t("numbers.no_data", lang), wanted], "")
    mark = ""
    if target is not None:
        mark = " " + i18n.t("numbers.meets" if ratio.meets(target) else "numbers.misses", lang)
    if money:
        part = i18n.t(
            "numbers.of",
            lang,
            part=_rupiah(ratio.part, i18n, lang),
            whole=_rupiah(ratio.whole, i18n, lang),
        )
    else:
        part = i18n.t("numbers.of", lang, part=ratio.part, whole=ratio.whole)
    return join([ratio_percent(ratio, i18n, lang), mark, wanted, " · ", part], "")


def _rupiah(amount: int, i18n: Translator, lang: str) -> str:
    return i18n.t("numbers.amount", lang, amount=amount)


def wait_text(wait: timedelta, i18n: Translator, lang: str) -> str:
    minutes = int(wait.total_seconds() // 60)
    if minutes < 1:
        return i18n.t("numbers.under_minute", lang)
    if minutes < 60:
        return i18n.t("numbers.minutes", lang, n=minutes)
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        if rest == 0:
            return i18n.t("numbers.hours", lang, n=hours)
        return i18n.t("numbers.hours_minutes", lang, h=hours, m=rest)
    days, hours = divmod(hours, 24)
    return i18n.t("numbers.days_hours", lang, d=days, h=hours)


def period_name(period: Period, i18n: Translator, lang: str) -> str:
    return i18n.t(f"numbers.period_{period.kind.value}", lang)


def leader_name(leader: LeaderPerformance) -> str:
    return f"{leader.name} (@{leader.username})" if leader.username else leader.name


def pages(leaders: Sequence[LeaderPerformance]) -> int:
    return max(1, -(-len(leaders) // LEADERS_PER_PAGE))


@dataclass(frozen=True, slots=True)
class Community:
    """The community half of the period: meeting attendance and lesson views."""

    attendance: AttendanceRate
    views: LibraryViews


def community_lines(community: Community, i18n: Translator, lang: str) -> list[str]:
    def t(key: str, **params: object) -> str:
        return i18n.t(f"numbers.{key}", lang, **params)

    came = community.attendance
    rate = (
        t("no_data")
        if came.rate is None
        else t(
            "attendance_value",
            rate=percent_text(came.rate, i18n, lang),
            part=came.attended_of_yes,
            whole=came.said_yes,
        )
    )
    lines = [
        t("attendance", value=rate),
        "   " + t("attendance_detail", meetings=came.occurrences, present=came.attended),
    ]
    views = community.views
    lines.append(t("lesson_views", opens=views.opens, members=views.members))
    for top in views.top[:3]:
        lines.append("   " + t("lesson_top", title=top.title, opens=top.opens))
    return lines


def screen_text(
    numbers: OwnerNumbers,
    page: int,
    i18n: Translator,
    lang: str,
    zone: ZoneInfo,
    community: Community | None = None,
) -> str:
    """Every number of the period, one screen (the leaders at `page`)."""

    def t(key: str, **params: object) -> str:
        return i18n.t(f"numbers.{key}", lang, **params)

    period = numbers.period
    span = t(
        "span",
        first=day_text(period.first_day, i18n, lang),
        last=day_text(period.last_day, i18n, lang),
    )
    if numbers.as_of < period.end:
        span = join(
            [span, " ", t("as_of", moment=moment_text(numbers.as_of, zone, i18n, lang))], ""
        )
    conversion = numbers.conversion
    average = numbers.time_to_vip.average_days
    retention = numbers.retention
    accounts = numbers.accounts
    proofs = numbers.proofs
    lines = [
        t("title", period=period_name(period, i18n, lang)),
        span,
        "",
        t("conversion", value=ratio_text(conversion.ratio, i18n, lang, target=CONVERSION_TARGET)),
        "   " + t("conversion_new", count=conversion.new_vips),
        t(
            "time_to_vip",
            value=t("no_data")
            if average is None
            else t(
                "time_to_vip_count",
                days=number_text(average, i18n, lang),
                count=numbers.time_to_vip.members,
            ),
        ),
        t("retention", value=ratio_text(retention.ratio, i18n, lang, target=RETENTION_TARGET)),
        "   "
        + t(
            "retention_detail",
            renewed=retention.renewed,
            back=retention.came_back,
            expired=retention.expired,
        ),
        t(
            "payouts",
            value=ratio_text(numbers.payouts.ratio, i18n, lang, target=PAYOUT_TARGET, money=True),
        ),
        t(
            "utilization",
            value=join(
                [
                    ratio_text(accounts.utilization, i18n, lang),
                    ", ",
                    t("suspended", count=accounts.suspended),
                ],
                "",
            ),
        ),
        t("revenue", amount=numbers.revenue.total, count=numbers.revenue.count),
        t("new_members", count=numbers.new_members),
        t(
            "proof_wait",
            wait=t("no_data")
            if proofs.median_wait is None
            else wait_text(proofs.median_wait, i18n, lang),
        ),
        "   " + t("proof_rejection", value=ratio_text(proofs.rejection, i18n, lang)),
        *(community_lines(community, i18n, lang) if community is not None else []),
        "",
        *leader_lines(numbers.leaders, page, i18n, lang),
    ]
    return join(lines)


def leader_lines(
    leaders: Sequence[LeaderPerformance], page: int, i18n: Translator, lang: str
) -> list[str]:
    if not leaders:
        return [i18n.t("numbers.no_leaders", lang)]
    page = min(page, pages(leaders) - 1)
    first = page * LEADERS_PER_PAGE
    shown = leaders[first : first + LEADERS_PER_PAGE]
    lines = [
        i18n.t(
            "numbers.leaders", lang, first=first + 1, last=first + len(shown), total=len(leaders)
        )
    ]
    for rank, leader in enumerate(shown, start=first + 1):
        rate = ratio_text(leader.vip_rate, i18n, lang)
        lines.append(
            i18n.t(
                "numbers.leader",
                lang,
                rank=rank,
                name=leader_name(leader),
                subs=leader.subs,
                rate=rate,
                amount=leader.earnings,
            )
        )
    return lines


def _period_data(period: Period, action: NumbersAction, page: int = 0) -> NumbersCallback:
    if period.kind is PeriodKind.CUSTOM:
        return NumbersCallback(
            action=action,
            kind=period.kind,
            page=page,
            first=period.first_day.toordinal(),
            last=period.last_day.toordinal(),
        )
    return NumbersCallback(action=action, kind=period.kind, page=page)


def _period_buttons(
    builder: InlineKeyboardBuilder, shown: PeriodKind | None, i18n: Translator, lang: str
) -> None:
    for kind in NAMED_PERIODS:
        label = i18n.t(f"numbers.period_{kind.value}", lang)
        builder.button(
            text=f"• {label}" if kind is shown else label,
            callback_data=NumbersCallback(action=NumbersAction.SHOW, kind=kind),
        )


def picker_markup(i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    _period_buttons(builder, None, i18n, lang)
    builder.button(
        text=i18n.t("numbers.button_custom", lang),
        callback_data=NumbersCallback(action=NumbersAction.CUSTOM),
    )
    _home_button(builder, i18n, lang)
    builder.adjust(3, 1, 1)
    return builder.as_markup()


def _home_button(builder: InlineKeyboardBuilder, i18n: Translator, lang: str) -> None:
    """Back to the admin panel (handlers/admin/console)."""
    builder.button(
        text=i18n.t("numbers.button_home", lang), callback_data=ConsoleCallback(screen=Screen.HOME)
    )


def screen_markup(
    numbers: OwnerNumbers, page: int, i18n: Translator, lang: str
) -> InlineKeyboardMarkup:
    """Switch period, type another, the charts; older / newer leaders when they are more
    than a page."""
    period = numbers.period
    builder = InlineKeyboardBuilder()
    _period_buttons(builder, period.kind, i18n, lang)
    builder.button(
        text=i18n.t("numbers.button_custom", lang),
        callback_data=NumbersCallback(action=NumbersAction.CUSTOM),
    )
    builder.button(
        text=i18n.t("numbers.button_charts", lang),
        callback_data=_period_data(period, NumbersAction.CHARTS),
    )
    builder.button(
        text=i18n.t("numbers.button_refresh", lang),
        callback_data=_period_data(period, NumbersAction.REFRESH, page),
    )
    rows = [3, 3]
    last = pages(numbers.leaders) - 1
    page = min(page, last)
    paging = 0
    if page > 0:
        builder.button(
            text=i18n.t("numbers.button_older", lang),
            callback_data=_period_data(period, NumbersAction.SHOW, page - 1),
        )
        paging += 1
    if page < last:
        builder.button(
            text=i18n.t("numbers.button_newer", lang),
            callback_data=_period_data(period, NumbersAction.SHOW, page + 1),
        )
        paging += 1
    if paging:
        rows.append(paging)
    _home_button(builder, i18n, lang)
    builder.adjust(*rows, 1)
    return builder.as_markup()


__all__ = [
    "LEADERS_PER_PAGE",
    "MAX_CUSTOM_DAYS",
    "UnreadableDays",
    "day_text",
    "example_days",
    "parse_days",
    "picker_markup",
    "screen_markup",
    "screen_text",
]
