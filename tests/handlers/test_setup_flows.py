"""The owner's guided flows in the admin group: a payment method, a plan, a price and a
commission structure, each with buttons where the choices are known, typed answers
where not, and a confirmation that acts once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from handlers.admin.setup.callbacks import SetupCallback, SetupFlow, SetupStep
from kernel.actor import Actor
from storage.models import AdminAction, PaymentMethod, Plan
from storage.models import Payout as PayoutRow
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.shopkit import admin_group, current, find_button, press, send, start
from tests.handlers.shopkit import tap as tap_on
from tests.kit.faketelegram import JSON
from tests.kit.images import receipt_jpeg
from tests.services.reportkit import figures, shots

ONLY_OWNER = "Maaf, ini hanya untuk pemilik (owner)."
STALE = "Tombol ini sudah tidak berlaku."


async def say(app: BotUnderTest, user: JSON, text: str, **kwargs: object) -> JSON:
    """`user` writes `text` in the admin group; the bot's last message there afterwards."""
    await send(app, app.core.group_text(ADMIN_CHAT, user, text, **kwargs))  # type: ignore[arg-type]
    message = app.core.last_sent(ADMIN_CHAT)
    assert message is not None
    return message


async def tap(app: BotUnderTest, user: JSON, message: JSON, label: str) -> JSON:
    return await tap_on(app, user, current(app, message), label)


def text_of(app: BotUnderTest, message: JSON) -> str:
    return str(current(app, message)["text"])


def labels(app: BotUnderTest, message: JSON) -> list[str]:
    return [text for text, _ in app.core.buttons(current(app, message))]


async def count(app: BotUnderTest, model: type, *where: object) -> int:
    async with app.container.uow() as work:
        query = select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
        return int((await work.session.execute(query)).scalar_one())


async def methods(app: BotUnderTest) -> list[tuple[str, str, str | None, str | None]]:
    async with app.container.uow() as work:
        rows = await work.session.execute(
            select(
                PaymentMethod.code,
                PaymentMethod.label,
                PaymentMethod.account_name,
                PaymentMethod.account_number,
            ).order_by(PaymentMethod.id)
        )
        return [tuple(row) for row in rows]


async def plan_prices(app: BotUnderTest) -> dict[str, int]:
    async with app.container.uow() as work:
        rows = await work.session.execute(select(Plan.code, Plan.price))
        return dict(rows.tuples().all())


# ---------------------------------------------------------------------------- payment method


async def test_the_owner_adds_a_bank_method_from_the_panel_with_buttons_and_typing(
    app: BotUnderTest,
) -> None:
    group = admin_group(app)
    owner = group["owner"]
    panel = await say(app, owner, "/menu")
    await tap(app, owner, panel, "Metode bayar")
    listed = app.core.last_sent(ADMIN_CHAT)
    assert listed is not None and listed["text"].startswith("Belum ada metode pembayaran")
    assert labels(app, listed) == ["➕ Tambah metode", "⬅️ Panel"]

    await tap(app, owner, listed, "Tambah metode")
    actions = app.core.last_sent(ADMIN_CHAT)
    assert actions is not None and actions["message_id"] != listed["message_id"]
    assert text_of(app, actions).startswith("🏦 Metode bayar baru · 1/4")
    assert labels(app, actions) == ["🏦 Bank", "📱 E-wallet", "🔳 QRIS", "✖️ Batal"]
    await tap(app, owner, actions, "Bank")
    assert "2/4" in text_of(app, actions) and "Nama yang dilihat member?" in text_of(app, actions)
    await say(app, owner, "BCA")
    assert "3/4" in text_of(app, actions) and "Nama: BCA" in text_of(app, actions)
    await say(app, owner, "Budi  Santoso")
    await say(app, owner, "123 456 7890")

    confirm = text_of(app, actions)
    assert "cek dulu" in confirm
    assert "Jenis: Bank\nNama: BCA\nAtas nama: Budi Santoso\nNomor: 123 456 7890" in confirm
    assert await methods(app) == []  # nothing before the confirmation
    answer = await tap(app, owner, actions, "Ya, simpan")

    assert answer["text"] == "Selesai."
    assert text_of(app, actions).startswith("✅ Metode baru bca (BCA) aktif")
    assert labels(app, actions) == ["⬅️ Panel"]
    assert await methods(app) == [("bca", "BCA", "Budi Santoso", "123 456 7890")]


async def test_addmethod_alone_starts_the_flow_and_a_qris_takes_the_picture(
    app: BotUnderTest,
) -> None:
    owner = admin_group(app)["owner"]
    screen = await say(app, owner, "/addmethod")
    assert screen["text"].startswith("🏦 Metode bayar baru · 1/4")
    await tap(app, owner, screen, "QRIS")
    assert "2/3" in text_of(app, screen)
    await say(app, owner, "QRIS Toko Budi")
    assert "Kirim foto kode QRIS-nya di sini." in text_of(app, screen)

    refused = await say(app, owner, "ini fotonya")
    assert refused["text"].startswith("Kirim fotonya ya")
    photo = app.core.group_photo(ADMIN_CHAT, owner, receipt_jpeg())
    await send(app, photo)
    assert "Gambar QRIS: ✅ diterima" in text_of(app, screen)
    await tap(app, owner, screen, "Ya, simpan")

    assert text_of(app, screen).startswith("✅ Metode baru qris_toko_budi (QRIS Toko Budi)")
    async with app.container.uow() as work:
        stored = (await work.session.execute(select(PaymentMethod.qris_file_id))).scalar_one()
    largest = max(photo["message"]["photo"], key=lambda size: size["width"] * size["height"])
    assert stored == largest["file_id"]


async def test_wrong_method_answers_are_told_and_asked_again(app: BotUnderTest) -> None:
    owner = admin_group(app)["owner"]
    screen = await say(app, owner, "/addmethod")
    await tap(app, owner, screen, "E-wallet")
    told = await say(app, owner, "DANA | Budi")
    assert told["text"] == "Tulis tanpa tanda |, ya."
    await say(app, owner, "DANA")
    told = await say(app, owner, "x" * 200)
    assert told["text"] == "Nama pemilik harus diisi, maksimal 128 karakter."
    await say(app, owner, "Budi")
    told = await say(app, owner, "nomornya nanti")
    assert told["text"].startswith("Nomor “nomornya nanti” tidak valid.")
    await say(app, owner, "0812-3456-7890")
    assert "Nomor: 0812-3456-7890" in text_of(app, screen)


async def test_cancel_at_a_typed_step_or_with_the_button_adds_nothing(app: BotUnderTest) -> None:
    owner = admin_group(app)["owner"]
    screen = await say(app, owner, "/addmethod")
    await tap(app, owner, screen, "Bank")
    told = await say(app, owner, "/cancel")
    assert told["text"] == "Dibatalkan. Tidak ada yang diubah."
    assert text_of(app, screen) == "Dibatalkan. Tidak ada yang diubah."
    assert labels(app, screen) == ["⬅️ Panel"]

    at_buttons = await say(app, owner, "/addplan")
    sent = len(app.core.sent_to(ADMIN_CHAT))
    await say(app, owner, "halo semua")  # not for the flow: nothing answers it
    assert len(app.core.sent_to(ADMIN_CHAT)) == sent
    told = await say(app, owner, "/cancel")  # a step with buttons cancels too
    assert told["text"] == "Dibatalkan. Tidak ada yang diubah."
    assert text_of(app, at_buttons) == "Dibatalkan. Tidak ada yang diubah."

    again = await say(app, owner, "/addmethod")
    await tap(app, owner, again, "Bank")
    await tap(app, owner, again, "Batal")
    assert text_of(app, again) == "Dibatalkan. Tidak ada yang diubah."
    await say(app, owner, "BCA")  # no longer an answer to anything
    assert text_of(app, again) == "Dibatalkan. Tidak ada yang diubah."
    assert await methods(app) == []


async def test_the_same_method_confirmation_tapped_twice_adds_one(app: BotUnderTest) -> None:
    group = admin_group(app)
    owner = group["owner"]
    screen = await say(app, owner, "/addmethod")
    await tap(app, owner, screen, "Bank")
    for typed in ("BCA", "Budi", "1234567890"):
        await say(app, owner, typed)
    confirm = current(app, screen)
    do = find_button(app, confirm, "Ya, simpan")

    first = await press(app, owner, confirm, do)
    second = await press(app, owner, confirm, do, strict=False)

    assert first["text"] == "Selesai."
    assert second["text"] == "Sudah dilakukan; tidak ada yang diulang."
    assert len(await methods(app)) == 1
    assert await count(app, AdminAction, AdminAction.action == "payment_method.add") == 1


# ---------------------------------------------------------------------------- who may tap


async def test_only_the_owner_may_start_or_tap_a_flow(app: BotUnderTest) -> None:
    group = admin_group(app)
    owner, admin = group["owner"], group["admin"]
    refused = await say(app, admin, "/addmethod")
    assert refused["text"] == ONLY_OWNER
    screen = await say(app, owner, "/addmethod")
    shown = text_of(app, screen)

    for data in (
        find_button(app, current(app, screen), "Bank"),
        SetupCallback(flow=SetupFlow.PLAN, step=SetupStep.START).pack(),
        SetupCallback(flow=SetupFlow.METHOD, step=SetupStep.DO).pack(),
        SetupCallback(flow=SetupFlow.STRUCTURE, step=SetupStep.STRUCTURES).pack(),
    ):
        answer = await press(app, admin, screen, data, strict=False)
        assert answer["text"] == ONLY_OWNER
        answer = await press(app, group["stranger"], screen, data, strict=False)
        assert answer["text"] == ONLY_OWNER
    assert text_of(app, screen) == shown

    # An admin's typed text is never taken as the owner's answer.
    await tap(app, owner, screen, "Bank")
    await say(app, admin, "BCA dari admin")
    assert "Nama: BCA dari admin" not in text_of(app, screen)


async def test_stale_and_forged_setup_buttons_change_nothing(app: BotUnderTest) -> None:
    owner = admin_group(app)["owner"]
    panel = await say(app, owner, "/menu")
    for data in (
        SetupCallback(flow=SetupFlow.METHOD, step=SetupStep.DO).pack(),  # no flow here
        SetupCallback(flow=SetupFlow.METHOD, step=SetupStep.PICK, at=0, choice=1).pack(),
        "stp:method:pick:0:-1",
        "stp:nope:do:0:0",
    ):
        answer = await press(app, owner, panel, data, strict=False)
        assert answer["text"].startswith(STALE)
    screen = await say(app, owner, "/addmethod")
    await tap(app, owner, screen, "Bank")
    # The kind is answered: a kind button of the first screen is out of date.
    old = SetupCallback(flow=SetupFlow.METHOD, step=SetupStep.PICK, at=0, choice=3).pack()
    answer = await press(app, owner, screen, old, strict=False)
    assert answer["text"].startswith(STALE)
    other_flow = SetupCallback(flow=SetupFlow.PLAN, step=SetupStep.PICK, at=0, choice=1)
    answer = await press(app, owner, screen, other_flow.pack(), strict=False)
    assert answer["text"].startswith(STALE)
    assert "2/4" in text_of(app, screen)
    assert await methods(app) == []


async def test_a_reply_to_a_members_question_is_not_taken_as_an_answer(
    app: BotUnderTest,
) -> None:
    group = admin_group(app)
    owner = group["owner"]
    ani = await start(app, 1001, "Ani")
    await send(app, app.core.private_text(ani, "kak, rekeningnya apa?"))
    while await app.container.relay.run_once():
        pass
    question = app.core.last_sent(ADMIN_CHAT)
    assert question is not None
    screen = await say(app, owner, "/addmethod")
    await tap(app, owner, screen, "Bank")

    await send(app, app.core.group_text(ADMIN_CHAT, owner, "BCA ya kak", reply_to=question))
    while await app.container.relay.run_once():
        pass

    told = app.core.last_sent(1001)
    assert told is not None and told["text"].endswith("BCA ya kak")
    assert "2/4" in text_of(app, screen)  # still waiting for the name
    await say(app, owner, "BCA")
    assert "Nama: BCA" in text_of(app, screen)


# ---------------------------------------------------------------------------- plans and prices


async def test_the_owner_adds_a_plan_with_a_typed_number_of_days(app: BotUnderTest) -> None:
    owner = admin_group(app)["owner"]
    panel = await say(app, owner, "/menu")
    await tap(app, owner, panel, "Paket & harga")
    listed = app.core.last_sent(ADMIN_CHAT)
    assert listed is not None and "vip_lifetime" in listed["text"]
    assert "➕ Tambah paket" in labels(app, listed)

    await tap(app, owner, listed, "Tambah paket")
    actions = app.core.last_sent(ADMIN_CHAT)
    assert actions is not None
    assert text_of(app, actions).startswith("🛒 Paket baru · 1/3")
    await tap(app, owner, actions, "VIP")
    assert labels(app, actions)[:4] == ["♾️ Seumur hidup", "30 hari", "90 hari", "365 hari"]
    await tap(app, owner, actions, "Jumlah hari lain")
    told = await say(app, owner, "sebulan")
    assert told["text"].startswith("Durasi “sebulan” tidak bisa dipakai.")
    await say(app, owner, "60")
    assert "Paket: VIP 60 hari" in text_of(app, actions)
    told = await say(app, owner, "murah")
    assert told["text"].startswith("“murah” bukan jumlah rupiah.")
    await say(app, owner, "250rb")
    assert "Harga: Rp 250.000" in text_of(app, actions)
    await tap(app, owner, actions, "Ya, simpan")

    assert text_of(app, actions).startswith("✅ Paket baru vip_60d")
    assert (await plan_prices(app))["vip_60d"] == 250_000


async def test_a_plan_that_exists_is_refused_at_the_confirmation(app: BotUnderTest) -> None:
    owner = admin_group(app)["owner"]
    screen = await say(app, owner, "/addplan")
    await tap(app, owner, screen, "VIP")
    await tap(app, owner, screen, "Seumur hidup")
    await say(app, owner, "1jt")
    before = await plan_prices(app)
    await tap(app, owner, screen, "Ya, simpan")
    assert text_of(app, screen).startswith("Paket vip_lifetime")
    assert "sudah ada" in text_of(app, screen)
    assert await plan_prices(app) == before


async def test_the_owner_changes_a_price_from_the_plans_list(app: BotUnderTest) -> None:
    group = admin_group(app)
    owner = group["owner"]
    listed = await say(app, owner, "/plans")
    old = (await plan_prices(app))["vip_lifetime"]
    change = next(label for label in labels(app, listed) if "VIP Seumur Hidup" in label)
    assert change.startswith("✏️ Ubah harga")

    await tap(app, owner, listed, change)
    actions = app.core.last_sent(ADMIN_CHAT)
    assert actions is not None
    shown = text_of(app, actions)
    assert shown.startswith("✏️ Ubah harga · 2/2") and "vip_lifetime" in shown
    told = await say(app, owner, str(old))
    assert "sudah" in told["text"] and "Tidak ada yang diubah" in told["text"]
    await say(app, owner, "1,5jt")
    assert "→ Rp 1.500.000" in text_of(app, actions)
    do = find_button(app, current(app, actions), "Ya, simpan")
    first = await press(app, owner, current(app, actions), do)
    second = await press(app, owner, current(app, actions), do, strict=False)

    assert first["text"] == "Selesai."
    assert second["text"] == "Sudah dilakukan; tidak ada yang diulang."
    assert (await plan_prices(app))["vip_lifetime"] == 1_500_000
    assert await count(app, AdminAction, AdminAction.action == "catalog.set_price") == 1


async def test_setprice_alone_offers_the_plans_as_buttons(app: BotUnderTest) -> None:
    owner = admin_group(app)["owner"]
    screen = await say(app, owner, "/setprice")
    assert screen["text"].startswith("✏️ Ubah harga · 1/2")
    assert any("VIP Seumur Hidup" in label for label in labels(app, screen))
    typed = await say(app, owner, "/setprice vip_lifetime 2jt")  # the shortcut still works
    assert typed["text"].startswith("✅ Harga")
    assert (await plan_prices(app))["vip_lifetime"] == 2_000_000


# ---------------------------------------------------------------------------- structures


async def test_the_owner_adds_a_commission_structure_with_buttons(app: BotUnderTest) -> None:
    group = admin_group(app)
    owner = group["owner"]
    listed = await say(app, owner, "/plans")
    await tap(app, owner, listed, "Struktur komisi")
    structures = app.core.last_sent(ADMIN_CHAT)
    assert structures is not None and "vip" in structures["text"]
    assert labels(app, structures)[0] == "➕ Tambah struktur"

    await tap(app, owner, structures, "Tambah struktur")
    add = app.core.last_sent(ADMIN_CHAT)
    assert add is not None
    assert text_of(app, add).startswith("📊 Struktur komisi baru · 1/3")
    await tap(app, owner, add, "VIP")
    told = await say(app, owner, "55/25")
    assert told["text"].startswith("Tulis tiga angka")
    told = await say(app, owner, "55 25 25")
    assert told["text"] == "Jumlah persentasenya 105%, harus tepat 100%. Tidak ada yang diubah."
    await say(app, owner, "55 25 20")
    assert "Pembagian: member 55% / leader 25% / owner 20%" in text_of(app, add)
    start_labels = labels(app, add)
    assert start_labels[0].startswith("Besok (")
    await tap(app, owner, add, "Tanggal lain")
    told = await say(app, owner, "01-01-2020")
    assert told["text"].startswith("Struktur baru paling cepat berlaku besok")
    await say(app, owner, "01-02-2027")
    assert "Mulai: 1 Feb 2027" in text_of(app, add)
    await tap(app, owner, add, "Ya, simpan")

    assert text_of(app, add).startswith("✅ Struktur baru VIP: member 55% / leader 25%")
    rows = await app.container.ledger.structures()
    [row] = [r for r in rows if r.effective_from == date(2027, 2, 1)]
    assert (row.tier_code, row.member_bp, row.leader_bp, row.owner_bp) == ("vip", 5500, 2500, 2000)


async def test_an_admin_sees_the_structures_but_no_add_button(app: BotUnderTest) -> None:
    group = admin_group(app)
    listed = await say(app, group["admin"], "/structures")
    assert app.core.buttons(listed) == []
    refused = await say(app, group["admin"], "/addstructure")
    assert refused["text"] == ONLY_OWNER


# ---------------------------------------------------------------------------- spaces instead of |


async def test_payout_takes_spaces_as_well_as_bars(app: BotUnderTest) -> None:
    group = admin_group(app)
    admin = group["admin"]
    await start(app, 1001, "Ani")
    await say(app, admin, "/grant 1001 vip_lifetime bayar tunai")
    reports = app.container.reports
    view = await reports.submit(1001, reports.today(), figures(100_000), shots())
    await reports.validate(view.id, view.version, Actor(7001, "Owner"))

    spaced = await say(app, admin, "/payout 1001 Rp 10.000 BCA TRX 123")
    assert spaced["text"].startswith("✅ Pembayaran #1 tercatat: Rp 10.000")
    assert "lewat BCA, ref TRX 123" in spaced["text"]
    barred = await say(app, admin, "/payout 1001 | 5rb | DANA | REF 9")
    assert "Rp 5.000" in barred["text"]
    rest = await say(app, admin, "/payout 1001 semua OVO")
    assert "OVO" in rest["text"]
    usage = await say(app, admin, "/payout 1001 semua")
    assert usage["text"].startswith("Format: /payout")

    async with app.container.uow() as work:
        rows = (await work.session.execute(select(PayoutRow).order_by(PayoutRow.id))).scalars()
        paid = [(row.amount, row.method, row.reference) for row in rows]
    assert paid[:2] == [(10_000, "BCA", "TRX 123"), (5_000, "DANA", "REF 9")]
    assert paid[2][1:] == ("OVO", None) and len(paid) == 3


async def test_addmethod_takes_spaces_as_well_as_bars(app: BotUnderTest) -> None:
    owner = admin_group(app)["owner"]
    spaced = await say(app, owner, "/addmethod bank BCA Budi Santoso 123 456 7890")
    assert spaced["text"].startswith("✅ Metode baru bca (BCA)")
    barred = await say(app, owner, "/addmethod ewallet Go Pay | Budi | 0812-3456-7890")
    assert barred["text"].startswith("✅ Metode baru go_pay (Go Pay)")
    unclear = await say(app, owner, "/addmethod bank BCA 1234567890")
    assert unclear["text"].startswith("Format untuk bank tidak sesuai.")
    assert await methods(app) == [
        ("bca", "BCA", "Budi Santoso", "123 456 7890"),
        ("go_pay", "Go Pay", "Budi", "0812-3456-7890"),
    ]


async def test_an_english_owner_gets_the_flow_in_english(app: BotUnderTest) -> None:
    emma = app.core.user(7101, "Emma", language_code="en")
    app.core.make_group(ADMIN_CHAT, "Admin", creator=emma)
    screen = await say(app, emma, "/addplan")
    assert screen["text"].startswith("🛒 New plan · 1/3\nFor which tier?")
    await tap(app, emma, screen, "VIP")
    assert labels(app, screen)[:2] == ["♾️ Lifetime", "30 days"]
    await tap(app, emma, screen, "30 days")
    assert "Plan: VIP 30 days" in text_of(app, screen)
    assert "Type the answer here, or /cancel." in text_of(app, screen)
