"""/ledger, /payout, /setleader, /leaderhistory, /structures and /addstructure in the
admin group: what the admin reads, what the member is told, what the ledger holds."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from kernel.actor import Actor
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.reviewkit import (
    ONLY_ADMINS,
    command,
    leader_links,
    member_id,
    payouts,
    submit,
    vip_member,
)
from tests.handlers.shopkit import admin_group, deliver, send, start, tap
from tests.kit.faketelegram import JSON
from tests.kit.units_of_work import counting_handlers

ANI, BUDI, CITRA = 501, 502, 503
DEWI = Actor(7002, "Dewi")
ONLY_OWNER = "Maaf, ini hanya untuk pemilik (owner)."


def last_text(app: BotUnderTest, chat_id: int) -> str:
    sent = app.core.last_sent(chat_id)
    assert sent is not None
    return str(sent.get("text") or sent.get("caption") or "")


async def earned(app: BotUnderTest, people: dict[str, JSON], amount: int = 100_000) -> JSON:
    """Ani (VIP) with one validated report of `amount` (member share 55%)."""
    ani = await vip_member(app, ANI, "Ani", username="ani_kreator")
    card = await submit(app, ani, amount)
    await tap(app, people["admin"], card, "Validasi")
    await deliver(app)
    return ani


async def available(app: BotUnderTest, telegram_id: int = ANI) -> int:
    return (await app.container.ledger.balance(await member_id(app, telegram_id))).available


# ---------------------------------------------------------------------- /ledger


async def test_ledger_shows_the_balance_and_how_to_pay(app: BotUnderTest) -> None:
    people = admin_group(app)
    ani = await earned(app, people)
    app.container.clock.advance(days=1)  # type: ignore[attr-defined]
    await submit(app, ani, 40_000, seed=2)
    text = await command(app, people["admin"], f"/ledger {ANI}")
    assert text == (
        "💰 Saldo Ani (id 501)\n"
        "Laporan divalidasi: 1 · total komisi Rp 100.000\n"
        "Bagian member: Rp 55.000\n"
        "Bagian leader (dari tim): Rp 0\n"
        "Menunggu validasi: 1 laporan (klaim Rp 40.000)\n"
        "Sudah dibayar: Rp 0\n"
        "Tersedia: Rp 55.000\n\n"
        f"Untuk membayar: /payout {ANI} | semua | BCA | REF123\n"
        f"atau sebagian: /payout {ANI} | 250rb | DANA"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("", "Format: /ledger ID_atau_@username"),
        ("@nobody_here", "Member @nobody_here tidak ditemukan."),
    ],
)
async def test_ledger_bad_input(app: BotUnderTest, args: str, expected: str) -> None:
    people = admin_group(app)
    assert (await command(app, people["admin"], f"/ledger {args}")).startswith(expected)


# ---------------------------------------------------------------------- /payout


async def test_payout_of_an_amount_tells_the_member(app: BotUnderTest) -> None:
    people = admin_group(app)
    await earned(app, people)
    text = await command(app, people["admin"], f"/payout {ANI} | Rp 20.000 | BCA | TRX 123")
    assert text == (
        "✅ Pembayaran #1 tercatat: Rp 20.000 ke Ani (id 501) lewat BCA, ref TRX 123.\n"
        "Sisa saldo tersedia: Rp 35.000. Member sudah diberi tahu."
    )
    assert await available(app) == 35_000
    await deliver(app)
    assert last_text(app, ANI) == (
        "💸 Komisi kamu sudah dibayar: Rp 20.000 lewat BCA (ref: TRX 123).\n"
        "Saldo yang masih tersedia: Rp 35.000."
    )


@pytest.mark.parametrize("word", ["semua", "all", "SEMUA"])
async def test_payout_of_everything(app: BotUnderTest, word: str) -> None:
    people = admin_group(app)
    await earned(app, people)
    text = await command(app, people["admin"], f"/payout {ANI} | {word} | DANA")
    assert text.startswith(
        "✅ Pembayaran #1 tercatat: Rp 55.000 ke Ani (id 501) lewat DANA, ref -."
    )
    assert await available(app) == 0
    assert [p.amount for p in await payouts(app)] == [55_000]


async def test_payout_above_available_or_of_nothing_is_refused(app: BotUnderTest) -> None:
    people = admin_group(app)
    await earned(app, people)
    text = await command(app, people["admin"], f"/payout {ANI} | 60rb | BCA")
    assert text == ("Rp 60.000 melebihi saldo tersedia Ani (Rp 55.000). Tidak ada yang dibayar.")
    await command(app, people["admin"], f"/payout {ANI} | semua | BCA")
    text = await command(app, people["admin"], f"/payout {ANI} | semua | BCA")
    assert text == "Ani tidak punya saldo tersedia. Tidak ada yang dibayar."
    assert [p.amount for p in await payouts(app)] == [55_000]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (f"{ANI} 20000", "Format: /payout ID_atau_@username | NOMINAL | METODE | REFERENSI"),
        (f"{ANI} 90rb BCA", "Rp 90.000 melebihi saldo tersedia"),  # spaces read as fields
        (f"{ANI} | 20000", "Format: /payout"),
        (f"{ANI} | | BCA", "Format: /payout"),
        ("", "Format: /payout"),
        (f"{ANI} | 1 | 2 | 3 | 4", "Format: /payout"),
        (f"{ANI} | dua puluh ribu | BCA", "“dua puluh ribu” bukan jumlah rupiah."),
        (f"{ANI} | -5000 | BCA", "Nominal tidak boleh negatif (“-5000”)."),
        (f"{ANI} | 0 | BCA", "“0” terlalu kecil: minimal Rp 1."),
        (f"{ANI} | 20000 | {'B' * 65}", "Metode terlalu panjang; maksimal 64 karakter."),
        (f"{ANI} | 20000 | BCA | {'x' * 129}", "Referensi terlalu panjang; maksimal 128"),
        ("@nobody_here | 20000 | BCA", "Member @nobody_here tidak ditemukan."),
    ],
)
async def test_payout_bad_input_pays_nothing(app: BotUnderTest, args: str, expected: str) -> None:
    people = admin_group(app)
    await earned(app, people)
    assert (await command(app, people["admin"], f"/payout {args}")).startswith(expected)
    assert await payouts(app) == []
    assert await available(app) == 55_000


async def test_the_same_command_delivered_twice_pays_once(app: BotUnderTest) -> None:
    people = admin_group(app)
    await earned(app, people)
    update = app.core.command(people["admin"], f"/payout {ANI} | 20rb | BCA", chat_id=ADMIN_CHAT)
    await send(app, update)
    await send(app, update)  # Telegram redelivers the same message
    assert last_text(app, ADMIN_CHAT).startswith(
        "Pembayaran #1 dari perintah ini sudah tercatat (Rp 20.000 ke Ani"
    )
    assert [p.amount for p in await payouts(app)] == [20_000]
    assert await available(app) == 35_000


async def test_concurrent_payouts_never_overdraw(app: BotUnderTest) -> None:
    people = admin_group(app)
    await earned(app, people)
    updates = [
        app.core.command(people[who], f"/payout {ANI} | 40rb | BCA", chat_id=ADMIN_CHAT)
        for who in ("admin", "other", "owner")
    ]
    app.container.clock.advance(seconds=1)  # type: ignore[attr-defined]
    await asyncio.gather(*(app.send(u) for u in updates))
    assert [p.amount for p in await payouts(app)] == [40_000]
    assert await available(app) == 15_000
    replies = [m["text"] for m in app.core.sent_to(ADMIN_CHAT) if "40.000" in m.get("text", "")]
    assert sum(r.startswith("✅ Pembayaran #1") for r in replies) == 1
    assert sum("melebihi saldo tersedia" in r for r in replies) == 2


# ---------------------------------------------------------------------- leaders


async def test_setleader_assigns_changes_and_removes_with_a_dated_history(
    app: BotUnderTest,
) -> None:
    people = admin_group(app)
    await start(app, ANI, "Ani")
    await start(app, BUDI, "Budi")
    await start(app, CITRA, "Citra")
    text = await command(app, people["admin"], f"/setleader {BUDI} {ANI}")
    assert text == (
        "✅ Leader Budi (id 502) sekarang Ani, mulai 10 Jan 2026 10.00. Keduanya sudah diberi tahu."
    )
    app.container.clock.advance(days=2)  # type: ignore[attr-defined]
    text = await command(app, people["other"], f"/setleader {BUDI} {CITRA}")
    assert text == (
        "✅ Leader Budi (id 502) diganti dari Ani ke Citra, mulai 12 Jan 2026 10.00."
        " Keduanya sudah diberi tahu."
    )
    app.container.clock.advance(days=1)  # type: ignore[attr-defined]
    text = await command(app, people["admin"], f"/setleader {BUDI} none")
    assert text == (
        "✅ Budi (id 502) tidak punya leader lagi (sebelumnya Citra), mulai 13 Jan 2026 10.00."
        " Member sudah diberi tahu."
    )
    links = await leader_links(app)
    assert [(link.valid_to is None) for link in links] == [False, False]
    text = await command(app, people["admin"], f"/leaderhistory {BUDI}")
    assert text == (
        "Riwayat leader Budi (id 502), 2 catatan, terbaru dulu:\n"
        f"• Citra (id {CITRA}) · 12 Jan 2026 10.00 – 13 Jan 2026 10.00"
        " · diatur admin oleh id 7003\n"
        f"• Ani (id {ANI}) · 10 Jan 2026 10.00 – 12 Jan 2026 10.00 · diatur admin oleh id 7002"
    )
    await deliver(app)
    assert "Citra" in "\n".join(m.get("text", "") for m in app.core.sent_to(CITRA))


async def test_leaderhistory_shows_a_referral_link_open_until_now(app: BotUnderTest) -> None:
    people = admin_group(app)
    await start(app, ANI, "Ani")
    async with app.container.uow() as work:
        ani = await work.members.by_telegram_id(ANI)
        assert ani is not None
        code = ani.referral_code
    budi = app.core.user(BUDI, "Budi", language_code="id")
    await send(app, app.core.command(budi, f"/start ref_{code}"))
    text = await command(app, people["admin"], f"/leaderhistory {BUDI}")
    assert text == (
        "Riwayat leader Budi (id 502), 1 catatan, terbaru dulu:\n"
        f"• Ani (id {ANI}) · 10 Jan 2026 10.00 – sekarang · lewat link referral"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (f"{ANI} {ANI}", "Ani tidak bisa menjadi leader dirinya sendiri. Tidak ada yang diubah."),
        (
            f"{ANI} {BUDI}",
            "Budi tidak bisa menjadi leader Ani: Budi sendiri ada di bawah Ani,"
            " jadi rantainya berputar. Tidak ada yang diubah.",
        ),
        (f"{BUDI} {ANI}", "Leader Budi sudah itu. Tidak ada yang diubah."),
        (f"{ANI} -", "Ani memang tidak punya leader. Tidak ada yang diubah."),
        (f"{ANI} @nobody_here", "Member @nobody_here tidak ditemukan."),
        (f"{ANI}", "Format: /setleader MEMBER LEADER"),
    ],
)
async def test_setleader_refusals(app: BotUnderTest, args: str, expected: str) -> None:
    people = admin_group(app)
    await start(app, ANI, "Ani")
    await start(app, BUDI, "Budi")
    await command(app, people["admin"], f"/setleader {BUDI} {ANI}")
    before = len(await leader_links(app))
    assert (await command(app, people["admin"], f"/setleader {args}")).startswith(expected)
    assert len(await leader_links(app)) == before


async def test_leaderhistory_without_a_leader(app: BotUnderTest) -> None:
    people = admin_group(app)
    await start(app, ANI, "Ani")
    assert await command(app, people["admin"], f"/leaderhistory {ANI}") == (
        "Ani (id 501) belum pernah punya leader."
    )


# ---------------------------------------------------------------------- one unit of work


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"/ledger {ANI}", "💰 Saldo Ani (id 501)"),
        (f"/payout {ANI} | 20rb | BCA", "✅ Pembayaran #1 tercatat: Rp 20.000 ke Ani"),
        (f"/setleader {BUDI} {ANI}", "✅ Leader Budi (id 502) sekarang Ani"),
        (f"/setleader {ANI} none", "Ani memang tidak punya leader."),
        (f"/leaderhistory {BUDI}", "Budi (id 502) belum pernah punya leader."),
        ("/payout @nobody_here | 20rb | BCA", "Member @nobody_here tidak ditemukan."),
    ],
)
async def test_a_command_looks_up_changes_and_reads_in_one_unit_of_work(
    app: BotUnderTest, text: str, expected: str
) -> None:
    people = admin_group(app)
    await earned(app, people)
    await start(app, BUDI, "Budi")
    opened = counting_handlers(app.container)
    assert (await command(app, people["admin"], text)).startswith(expected)
    assert opened.opened == 1


@pytest.mark.parametrize(
    "text",
    [
        "/payout @nobody_here | dua puluh ribu | BCA",
        "/payout @nobody_here | 0 | BCA",
        f"/payout @nobody_here | 20000 | {'B' * 65}",
        "/setleader @nobody_here not-a-ref!",
        "/setleader @nobody_here @nobody_either",
    ],
)
async def test_a_member_not_found_is_answered_before_the_rest_of_the_command(
    app: BotUnderTest, text: str
) -> None:
    """As when the member was looked up before the rest was read: still one transaction."""
    people = admin_group(app)
    opened = counting_handlers(app.container)
    assert (await command(app, people["admin"], text)).startswith(
        "Member @nobody_here tidak ditemukan."
    )
    assert opened.opened == 1


# ---------------------------------------------------------------------- structures


async def test_structures_lists_the_seeded_split(app: BotUnderTest) -> None:
    people = admin_group(app)
    assert await command(app, people["admin"], "/structures") == (
        "Struktur komisi (member / leader / owner):\n"
        "• VIP (vip): 55% / 5% / 40% · 20 Des 2025 – seterusnya\n"
        "Tambah yang baru: /addstructure vip 60/5/35 2027-01-01"
    )


@pytest.mark.parametrize("day", ["2027-01-01", "01-01-2027"])
async def test_addstructure_from_a_date_keeps_the_old_split_before(
    app: BotUnderTest, day: str
) -> None:
    people = admin_group(app)
    text = await command(app, people["owner"], f"/addstructure vip 52,5/5/42,5 {day}")
    assert text == (
        "✅ Struktur baru VIP: member 52,5% / leader 5% / owner 42,5%, berlaku mulai 1 Jan 2027."
        " Laporan bertanggal sebelumnya tetap memakai pembagian lama."
    )
    assert await command(app, people["admin"], "/structures") == (
        "Struktur komisi (member / leader / owner):\n"
        "• VIP (vip): 55% / 5% / 40% · 20 Des 2025 – 1 Jan 2027\n"
        "• VIP (vip): 52,5% / 5% / 42,5% · 1 Jan 2027 – seterusnya\n"
        "Tambah yang baru: /addstructure vip 60/5/35 2027-01-01"
    )
    rows = await app.container.ledger.structures()
    assert [(r.member_bp, r.effective_from) for r in rows] == [
        (5500, date(2025, 12, 20)),
        (5250, date(2027, 1, 1)),
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("vip 60/5/30 2027-01-01", "Jumlah persentasenya 95%, harus tepat 100%."),
        ("vip 60/5/35 2026-01-09", "Struktur baru paling cepat berlaku besok (11 Jan 2026)"),
        ("vip 60/5/35 10-01-2026", "Struktur baru paling cepat berlaku besok (11 Jan 2026)"),
        ("gold 60/5/35 2027-01-01", "Tingkat gold tidak ada. Pilihan: basic, vip."),
        ("vip 60/5/35 2027-13-01", "“2027-13-01” bukan tanggal."),
        ("vip 60/5/35 besok", "“besok” bukan tanggal."),
        ("vip 60/lima/35 2027-01-01", "“lima” bukan persentase."),
        ("vip 60/-5/45 2027-01-01", "Persentase tidak boleh negatif (“-5”)."),
        ("vip 150/5/35 2027-01-01", "“150” lebih dari 100%."),
        ("vip 60,125/5/34,875 2027-01-01", "“60,125” terlalu banyak desimal"),
        ("vip 60/40 2027-01-01", "Format: /addstructure TINGKAT"),
        ("vip", "Format: /addstructure TINGKAT"),
    ],
)
async def test_addstructure_refusals(app: BotUnderTest, args: str, expected: str) -> None:
    people = admin_group(app)
    assert (await command(app, people["owner"], f"/addstructure {args}")).startswith(expected)
    assert len(await app.container.ledger.structures()) == 1


async def test_addstructure_overlapping_a_later_one_is_refused(app: BotUnderTest) -> None:
    people = admin_group(app)
    await command(app, people["owner"], "/addstructure vip 60/5/35 2027-01-01")
    text = await command(app, people["owner"], "/addstructure vip 50/10/40 2026-06-01")
    assert text == (
        "Periode ini bertabrakan dengan struktur tingkat yang sama yang mulai 20 Des 2025."
        " Tidak ada yang diubah."
    )
    text = await command(app, people["owner"], "/addstructure vip 50/10/40 2027-01-01")
    assert text.startswith("Periode ini bertabrakan")
    assert len(await app.container.ledger.structures()) == 2


async def test_a_new_structure_applies_to_reports_from_its_date(app: BotUnderTest) -> None:
    people = admin_group(app)
    await command(app, people["owner"], "/addstructure vip 60/5/35 11-01-2026")
    ani = await vip_member(app, ANI, "Ani")
    card = await submit(app, ani, 100_000)  # dated 10-01: the old split
    await tap(app, people["admin"], card, "Validasi")
    app.container.clock.advance(days=1)  # type: ignore[attr-defined]
    card = await submit(app, ani, 100_000, seed=2)  # dated 11-01: the new split
    await tap(app, people["admin"], card, "Validasi")
    assert await available(app) == 55_000 + 60_000


# ---------------------------------------------------------------------- non-admins


@pytest.mark.parametrize(
    "text",
    [
        f"/ledger {ANI}",
        f"/payout {ANI} | semua | BCA",
        f"/setleader {ANI} none",
        f"/leaderhistory {ANI}",
        "/structures",
    ],
)
async def test_non_admins_are_refused_and_nothing_changes(app: BotUnderTest, text: str) -> None:
    people = admin_group(app)
    await earned(app, people)
    assert await command(app, people["stranger"], text) == ONLY_ADMINS
    assert await payouts(app) == []
    assert len(await app.container.ledger.structures()) == 1
    assert await available(app) == 55_000


@pytest.mark.parametrize("who", ["admin", "other", "stranger"])
async def test_only_the_owner_adds_a_structure(app: BotUnderTest, who: str) -> None:
    """SPEC: the owner sets prices and splits; an admin may read them, not change them."""
    people = admin_group(app)
    text = await command(app, people[who], "/addstructure vip 60/5/35 2027-01-01")
    assert text == ONLY_OWNER
    assert len(await app.container.ledger.structures()) == 1
    text = await command(app, people["owner"], "/addstructure vip 60/5/35 2027-01-01")
    assert text.startswith("✅ Struktur baru VIP: member 60% / leader 5% / owner 35%")
    assert len(await app.container.ledger.structures()) == 2
