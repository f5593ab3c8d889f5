"""/export in the admin group, through the dispatcher: what, then the period, then the
CSV as a document; typed dates with wrong input; who may tap.

The test clock stands at 10 January 2026, 10:00 in Jakarta: "this month" is January.
"""

from __future__ import annotations

import csv
import io

from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.reviewkit import ONLY_ADMINS, command, say
from tests.handlers.shopkit import admin_group, current, press, send, start, tap
from tests.kit.faketelegram import JSON

ANI, BUDI = 501, 502
STALE = {
    "text": "Tombol ini sudah tidak berlaku. Ketik /start untuk menu terbaru.",
    "show_alert": True,
}


def panel(app: BotUnderTest) -> JSON:
    message = app.core.last_sent(ADMIN_CHAT)
    assert message is not None
    return message


def labels(message: JSON) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [button["text"] for row in markup.get("inline_keyboard", []) for button in row]


def documents(app: BotUnderTest) -> list[JSON]:
    return [m for m in app.core.sent_to(ADMIN_CHAT) if "document" in m]


def rows_of(app: BotUnderTest, document: JSON) -> list[list[str]]:
    data = app.core.file_bytes(document["document"]["file_id"])
    assert data.startswith(b"\xef\xbb\xbf")
    # The admins read Indonesian: cells separated by ";", as Excel set up for Indonesia
    # expects.
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


async def test_an_admin_exports_this_months_members_with_buttons_only(
    app: BotUnderTest,
) -> None:
    admin = admin_group(app)["admin"]
    await start(app, ANI, "Ani")
    await start(app, BUDI, "=1+1")
    await command(app, admin, "/export")
    kinds = panel(app)
    assert "Ekspor CSV" in kinds["text"]
    assert labels(kinds) == ["👥 Member", "💳 Pembayaran", "💸 Payout", "💰 Komisi"]
    await tap(app, admin, kinds, "Member")
    periods = current(app, kinds)
    assert "Ekspor member" in periods["text"]
    assert labels(periods) == [
        "Bulan ini", "Bulan lalu", "90 hari terakhir", "📅 Tanggal sendiri", "⬅️ Kembali"
    ]  # fmt: skip
    assert (await tap(app, admin, periods, "Bulan ini")).get("text") == "Menyiapkan file…"
    [sent] = documents(app)
    assert sent["document"]["file_name"] == "members_2026-01.csv"
    assert "Ekspor member · 1 Jan 2026 s/d 31 Jan 2026 · 2 baris" in sent["caption"]
    header, *rows = rows_of(app, sent)
    assert header[:3] == ["ID member", "ID Telegram", "Nama"]
    assert [(row[1], row[2]) for row in rows] == [(str(ANI), "Ani"), (str(BUDI), "'=1+1")]
    # Back from the periods to the kinds, on the same panel.
    await tap(app, admin, current(app, kinds), "Kembali")
    assert labels(current(app, kinds))[0] == "👥 Member"


async def test_typed_dates_are_checked_and_an_empty_period_sends_no_file(
    app: BotUnderTest,
) -> None:
    admin = admin_group(app)["admin"]
    await command(app, admin, "/export")
    kinds = panel(app)
    await tap(app, admin, kinds, "Pembayaran")
    await tap(app, admin, current(app, kinds), "Tanggal sendiri")
    assert "tulis tanggal awal dan akhir" in panel(app)["text"]
    before = len(app.core.sent_to(ADMIN_CHAT))
    await send(app, app.core.group_media(ADMIN_CHAT, admin, "sticker"))
    assert "Yang ditunggu tanggal dalam teks" in app.core.sent_to(ADMIN_CHAT)[before]["text"]
    assert "tidak terbaca" in await say(app, admin, "kemarin")
    assert "bukan tanggal yang ada" in await say(app, admin, "31-02-2026")
    assert "akhir sebelum tanggal awal" in await say(app, admin, "30-01-2026 01-01-2026")
    assert "belum dimulai" in await say(app, admin, "01-02-2026 05-02-2026")
    empty = await say(app, admin, "01-01-2026 s/d 09-01-2026")
    assert "Tidak ada data di periode ini" in empty and "1 Jan 2026 s/d 9 Jan 2026" in empty
    assert documents(app) == []
    # The question has been answered: later talk in the group is not read as dates.
    assert await say(app, admin, "01-01-2026") == ""


async def test_typed_dates_export_that_period(app: BotUnderTest) -> None:
    admin = admin_group(app)["admin"]
    await start(app, ANI, "Ani")
    await command(app, admin, "/export")
    kinds = panel(app)
    await tap(app, admin, kinds, "Member")
    await tap(app, admin, current(app, kinds), "Tanggal sendiri")
    await say(app, admin, "dari 05-01-2026 sampai 10-01-2026")
    [sent] = documents(app)
    assert sent["document"]["file_name"] == "members_2026-01-05_2026-01-10.csv"
    assert [row[2] for row in rows_of(app, sent)[1:]] == ["Ani"]


async def test_cancel_ends_the_dates_question(app: BotUnderTest) -> None:
    admin = admin_group(app)["admin"]
    await command(app, admin, "/export")
    kinds = panel(app)
    await tap(app, admin, kinds, "Komisi")
    await tap(app, admin, current(app, kinds), "Tanggal sendiri")
    assert "dibatalkan" in await say(app, admin, "/cancel")
    assert await say(app, admin, "01-01-2026") == ""


async def test_waiting_for_dates_never_takes_an_answer_to_a_member(app: BotUnderTest) -> None:
    admin = admin_group(app)["admin"]
    ani = await start(app, ANI, "Ani")
    await send(app, app.core.private_text(ani, "kak, kapan zoom?"))
    while await app.container.relay.run_once():
        pass
    question = next(m for m in app.core.sent_to(ADMIN_CHAT) if "kapan zoom" in m.get("text", ""))
    await command(app, admin, "/export")
    kinds = panel(app)
    await tap(app, admin, kinds, "Member")
    await tap(app, admin, current(app, kinds), "Tanggal sendiri")

    await send(app, app.core.group_text(ADMIN_CHAT, admin, "Kamis jam 7 ya", reply_to=question))
    while await app.container.relay.run_once():
        pass

    told = app.core.last_sent(ANI)
    assert told is not None and told["text"] == "💬 Tim Admin:\nKamis jam 7 ya"
    # The dates are still awaited.
    await say(app, admin, "dari 05-01-2026 sampai 10-01-2026")
    assert len(documents(app)) == 1


async def test_others_cannot_export_and_forged_buttons_are_stale(app: BotUnderTest) -> None:
    people = admin_group(app)
    admin, stranger = people["admin"], people["stranger"]
    await start(app, ANI, "Ani")
    assert await command(app, stranger, "/export") == ONLY_ADMINS
    await command(app, admin, "/export")
    kinds = panel(app)
    answer = await tap(app, stranger, kinds, "Member")
    assert answer == {"text": ONLY_ADMINS, "show_alert": True}
    assert labels(current(app, kinds))[0] == "👥 Member"  # the panel did not move
    for data in ("export:vip:this_month", "export:members:yesterday", "export:members:x:y"):
        assert await press(app, admin, kinds, data, strict=False) == STALE, data
    forged_period = await press(app, stranger, kinds, "export:members:this_month", strict=False)
    assert forged_period == {"text": ONLY_ADMINS, "show_alert": True}
    assert documents(app) == []
