"""The owner's charts as PNG images: revenue by month and new members by week (bars),
the Basic → VIP funnel, and VIP retention by the month terms ended against its target.

Pure functions from the numbers' values to PNG bytes, drawn with matplotlib's object API
(`Figure` + the Agg canvas, never pyplot, whose global state is not thread safe), so
they can run in a worker thread (`asyncio.to_thread`) off the event loop. matplotlib is
imported inside the drawing, on the first chart asked for: the idle bot never loads it
(tens of MB; `./scripts/bench memory`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from domain.numbers import RETENTION_TARGET, Bucket, Conversion, Retention
from services.numbers import Point

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH, HEIGHT, DPI = 8.0, 4.5, 100  # 800 × 450 pixels
SIZE = (int(WIDTH * DPI), int(HEIGHT * DPI))
BAR = "#2f6fb0"
GOOD = "#2e9e5b"
SHORT = "#d08a1e"


@dataclass(frozen=True, slots=True)
class ChartTexts:
    """The charts' words in the reader's language (plain text: no HTML here)."""

    revenue: str
    members: str
    funnel: str
    funnel_basic: str
    funnel_converted: str
    funnel_new_vips: str
    retention: str
    target: str
    no_data: str
    months: tuple[str, ...]  # "Jan" … "Des"


def _figure(title: str) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    axes = figure.add_subplot()
    axes.set_title(title)
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _png(figure: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)  # attaches itself as the figure's canvas
    figure.tight_layout()
    buffer = io.BytesIO()
    # A fixed size, no "tight" bounding box: every chart is WIDTH × HEIGHT.
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _month(bucket: Bucket, texts: ChartTexts) -> str:
    day = bucket.first_day
    return f"{texts.months[day.month - 1]} {day.year % 100:02d}"


def _week(bucket: Bucket, texts: ChartTexts) -> str:
    day = bucket.first_day
    return f"{day.day} {texts.months[day.month - 1]}"


def _label_bars(axes: Axes, values: Sequence[float], shown: Sequence[str]) -> None:
    top = max(values, default=0) or 1
    for x, (value, text) in enumerate(zip(values, shown, strict=True)):
        if value:
            axes.text(x, value + top * 0.01, text, ha="center", va="bottom", fontsize=8)


def revenue_chart(points: Sequence[Point], texts: ChartTexts) -> bytes:
    """Bars of approved revenue per calendar month, in millions of rupiah."""
    figure, axes = _figure(texts.revenue)
    millions = [p.tally.total / 1_000_000 for p in points]
    axes.bar(range(len(points)), millions, color=BAR)
    axes.set_xticks(range(len(points)), [_month(p.bucket, texts) for p in points], fontsize=8)
    _label_bars(axes, millions, [f"{m:.1f}".replace(".", ",") for m in millions])
    axes.set_ylim(bottom=0)
    return _png(figure)


def members_chart(points: Sequence[Point], texts: ChartTexts) -> bytes:
    """Bars of members who first wrote to the bot, per week (Monday first)."""
    from matplotlib.ticker import MaxNLocator

    figure, axes = _figure(texts.members)
    counts = [p.tally.count for p in points]
    axes.bar(range(len(points)), counts, color=BAR)
    axes.set_xticks(range(len(points)), [_week(p.bucket, texts) for p in points], fontsize=8)
    _label_bars(axes, counts, [str(c) for c in counts])
    axes.set_ylim(bottom=0)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    return _png(figure)


def funnel_chart(conversion: Conversion, texts: ChartTexts) -> bytes:
    """Basic members who could convert, those who became VIP, and every new VIP."""
    from matplotlib.ticker import MaxNLocator

    figure, axes = _figure(texts.funnel)
    labels = [texts.funnel_basic, texts.funnel_converted, texts.funnel_new_vips]
    values = [conversion.basic, conversion.converted, conversion.new_vips]
    rows = list(range(len(values)))[::-1]  # the widest on top
    axes.barh(rows, values, color=[BAR, GOOD, SHORT])
    axes.set_yticks(rows, labels)
    widest = max(values, default=0) or 1
    share = conversion.ratio.share
    for row, value in zip(rows, values, strict=True):
        text = str(value)
        if row == rows[1] and share is not None:
            text += f" ({share * 100:.1f}%)".replace(".", ",")
        axes.text(value + widest * 0.01, row, text, va="center", fontsize=9)
    axes.set_xlim(0, widest * 1.2)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _png(figure)


def retention_chart(series: Sequence[tuple[Bucket, Retention]], texts: ChartTexts) -> bytes:
    """Per month, the share of temporal VIP terms ending then that were kept (renewed or
    came back), against the target line; a month without ends shows no bar."""
    figure, axes = _figure(texts.retention)
    shares = [retention.ratio.share for _, retention in series]
    heights = [0.0 if s is None else s * 100 for s in shares]
    colors = [GOOD if (s or 0) >= RETENTION_TARGET else SHORT for s in shares]
    axes.bar(range(len(series)), heights, color=colors)
    axes.set_xticks(range(len(series)), [_month(b, texts) for b, _ in series], fontsize=8)
    axes.axhline(RETENTION_TARGET * 100, color="#888888", linestyle="--", linewidth=1)
    axes.text(
        -0.5,
        RETENTION_TARGET * 100 + 1,
        f"{texts.target} {RETENTION_TARGET * 100:.0f}%",
        ha="left",
        va="bottom",
        fontsize=8,
        color="#666666",
    )
    for x, (share, (_, retention)) in enumerate(zip(shares, series, strict=True)):
        kept = retention.ratio
        text = "–" if share is None else f"{kept.part}/{kept.whole}"
        axes.text(x, (share or 0) * 100 + 1, text, ha="center", va="bottom", fontsize=8)
    axes.set_ylim(0, 110)
    if all(s is None for s in shares):
        axes.text(0.5, 0.5, texts.no_data, transform=axes.transAxes, ha="center", fontsize=12)
    return _png(figure)
