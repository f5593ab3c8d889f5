"""The progress message of an announcement as admins read it: numbers with Indonesian
thousands dots, the time left at the configured rate, and buttons that match the state."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from handlers.admin.announcements.views import progress_markup, progress_text
from kernel.i18n import Translator
from services.announcements import AnnouncementRecord, AnnouncementStatus, Audience

ZONE = ZoneInfo("Asia/Jakarta")
I18N = Translator.load("id")


def record(status: AnnouncementStatus, sent: int, total: int = 12_345) -> AnnouncementRecord:
    return AnnouncementRecord(
        id=7, created_by=1, source_chat_id=-1, source_message_ids=(5,), is_album=False,
        buttons=(), audience=Audience.EXPIRING, audience_days=7, status=status,
        scheduled_at=None, recipients_ready=True, status_chat_id=-1, status_message_id=9,
        sent=sent, failed=3, blocked=12, total=total,
        created_at=datetime(2026, 1, 1, tzinfo=UTC), started_at=None, finished_at=None,
    )  # fmt: skip


def labels(markup: object) -> list[str]:
    rows = getattr(markup, "inline_keyboard", None) or []
    return [button.text for row in rows for button in row]


def test_sending_shows_counts_remaining_and_time_left_at_the_rate() -> None:
    shown = progress_text(record(AnnouncementStatus.SENDING, 1_230), I18N, "id", ZONE, 20.0)
    assert "Pengumuman #7</b> · sedang dikirim" in shown
    assert "Paket habis dalam 7 hari" in shown
    assert "Terkirim 1.230 · ⚠️ Gagal 3 · 🚫 Memblokir bot 12" in shown
    # 11,100 left at 20 a second: 555 s, shown as 10 minutes.
    assert "Sisa 11.100 dari 12.345 · ± 10 menit lagi" in shown
    assert labels(progress_markup(record(AnnouncementStatus.SENDING, 1), I18N, "id")) == [
        "⏸ Jeda #7", "✖️ Batalkan #7"]  # fmt: skip


def test_a_paused_one_offers_resume_and_a_finished_one_no_buttons() -> None:
    paused = record(AnnouncementStatus.PAUSED, 10)
    assert labels(progress_markup(paused, I18N, "id")) == ["▶️ Lanjutkan #7", "✖️ Batalkan #7"]
    done = record(AnnouncementStatus.DONE, 12_330)
    assert progress_markup(done, I18N, "id") is None
    assert "Dari 12.345 penerima" in progress_text(done, I18N, "id", ZONE, 20.0)


def test_a_cancelled_one_says_how_many_were_never_sent() -> None:
    shown = progress_text(record(AnnouncementStatus.CANCELLED, 100), I18N, "en", ZONE, 20.0)
    assert "Sent 100" in shown and "12,230 not sent" in shown
