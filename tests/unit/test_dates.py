"""Dates read "2 Des 2026" in Indonesian and "2 Dec 2026" in English, in the group's zone,
whoever formats them (a service queueing a notice or a handler answering now)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from kernel.dates import day_param, local_day_param, moment_param
from kernel.i18n import Translator

JAKARTA = ZoneInfo("Asia/Jakarta")
i18n = Translator.load()


def shown(value: object, lang: str) -> str:
    return i18n.t("group.invite_ready", lang, until=value)


def test_a_day_in_indonesian_and_in_english() -> None:
    assert "sampai 2 Des 2026." in shown(day_param(date(2026, 12, 2)), "id")
    assert "until 2 Dec 2026." in shown(day_param(date(2026, 12, 2)), "en")
    assert "sampai 17 Agu 2026." in shown(day_param(date(2026, 8, 17)), "id")
    assert "sampai 5 Mei 2026." in shown(day_param(date(2026, 5, 5)), "id")


def test_a_moment_is_shown_in_the_zone_with_each_languages_time_mark() -> None:
    moment = datetime(2026, 12, 2, 12, 5, tzinfo=UTC)  # 19.05 in Jakarta
    assert "sampai 2 Des 2026 19.05." in shown(moment_param(moment, JAKARTA), "id")
    assert "until 2 Dec 2026 19:05." in shown(moment_param(moment, JAKARTA), "en")
    with_zone = moment_param(moment, JAKARTA, zone_name=True)
    assert "sampai 2 Des 2026 19.05 WIB." in shown(with_zone, "id")


def test_the_day_is_the_zones_day_not_utcs() -> None:
    late = datetime(2026, 12, 31, 18, 0, tzinfo=UTC)  # already 1 January in Jakarta
    assert "sampai 1 Jan 2027." in shown(local_day_param(late, JAKARTA), "id")


def test_no_moment_reads_as_a_dash() -> None:
    assert "sampai -." in shown(moment_param(None, JAKARTA), "id")
    assert "sampai -." in shown(local_day_param(None, JAKARTA), "id")


def test_a_date_waiting_in_the_outbox_survives_json_and_is_read_in_the_readers_language() -> None:
    stored = json.loads(json.dumps({"until": day_param(date(2026, 3, 1))}))
    assert "until 1 Mar 2026." in i18n.t("group.invite_ready", "en", **stored)
