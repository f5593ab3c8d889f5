"""The affiliate accounts by buttons, through the real dispatcher: the accounts screen
(counts, filter tabs, pages, each account opening its card in place and back), ➕ Add,
📥 Import and 📤 Export under it, and the card's 📝 Note and 👤 Assign with typed
answers; with non-admin taps, stale and forged buttons, double taps and wrong answers."""

from __future__ import annotations

from sqlalchemy import select

from domain.affiliates import AccountFilter
from domain.states import ShopStatus
from handlers.admin.accounts import (
    AccountAction,
    AccountCallback,
    AssignCallback,
    AssignStep,
    ListCallback,
    OpenCallback,
)
from kernel.actor import Actor
from services.affiliates import AccountRef
from storage.models import AffiliateAccount
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.reviewkit import command, member_id, say, vip_member
from tests.handlers.shopkit import (
    admin_group,
    current,
    deliver,
    find_button,
    group_sticker,
    press,
    send,
    start,
    tap,
    texts,
)
from tests.kit.faketelegram import JSON, group_document

ONLY_ADMINS = "Maaf, ini hanya untuk admin grup admin."
STALE = "Tombol ini sudah tidak berlaku."
ANI, ANITA, CITRA = 501, 502, 503
OWNER = Actor(7001, "Owner")


async def add_accounts(app: BotUnderTest, *names: str) -> list[int]:
    affiliates = app.container.affiliates
    ids = []
    for name in names:
        new = affiliates.new_account(name, shop_name=f"Toko {name}")
        ids.append((await affiliates.add(new, OWNER)).id)
    return ids


async def account_rows(app: BotUnderTest) -> list[AffiliateAccount]:
    async with app.container.uow() as work:
        found = await work.session.execute(select(AffiliateAccount).order_by(AffiliateAccount.id))
        return list(found.scalars())


def labels(app: BotUnderTest, message: JSON) -> list[str]:
    return [text for text, _ in app.core.buttons(message)]


def last(app: BotUnderTest) -> JSON:
    message = app.core.last_sent(ADMIN_CHAT)
    assert message is not None
    return message


async def card_of(app: BotUnderTest, admin: JSON, ref: str) -> JSON:
    await command(app, admin, f"/account {ref}")
    return last(app)


# ---------------------------------------------------------------------------- the screen


async def test_the_panel_button_opens_the_accounts_screen_with_tabs_and_pages(
    app: BotUnderTest,
) -> None:
    people = admin_group(app)
    admin = people["admin"]
    await vip_member(app, ANI, "Ani")
    ids = await add_accounts(app, *(f"toko.{n:02d}" for n in range(1, 13)))
    await app.container.affiliates.assign(ids[0], await member_id(app, ANI), OWNER)
    await app.container.affiliates.set_status(ids[1], ShopStatus.SUSPENDED, OWNER)

    await command(app, admin, "/menu")
    await tap(app, admin, last(app), "Akun affiliate")
    screen = last(app)
    text = screen["text"]
    assert "Tersedia 10 · dipakai 1 · ditangguhkan 1 · nonaktif 0 · total 12" in text
    assert "Halaman 1/2" in text
    shown = labels(app, screen)
    assert shown[:5] == ["• Semua 12", "Tersedia 10", "Dipakai 1", "Ditangguhkan 1", "Nonaktif 0"]
    assert shown[5:8] == [
        "#1 @toko.01 · 🟢 Ani",
        "#2 @toko.02 · ⛔ tanpa pemegang",
        "#3 @toko.03 · 🟢 tersedia",
    ]
    assert "#10 @toko.10 · 🟢 tersedia" in shown and "#11 @toko.11 · 🟢 tersedia" not in shown
    assert "◀️" not in shown
    assert shown[-5:] == ["▶️", "➕ Tambah akun", "📥 Impor", "📤 Ekspor", "⬅️ Panel"]

    sent_before = len(app.core.sent_to(ADMIN_CHAT))
    await tap(app, admin, screen, "▶️")
    page_two = current(app, screen)
    assert "Halaman 2/2" in page_two["text"]
    accounts = [label for label in labels(app, page_two) if label.startswith("#")]
    assert accounts == ["#11 @toko.11 · 🟢 tersedia", "#12 @toko.12 · 🟢 tersedia"]
    assert "◀️" in labels(app, page_two) and "▶️" not in labels(app, page_two)

    await tap(app, admin, page_two, "Ditangguhkan 1")
    suspended = current(app, screen)
    assert "(ditangguhkan: 1)" in suspended["text"] and "Halaman 1/1" in suspended["text"]
    assert "• Ditangguhkan 1" in labels(app, suspended)
    assert [label for label in labels(app, suspended) if label.startswith("#")] == [
        "#2 @toko.02 · ⛔ tanpa pemegang"
    ]
    await tap(app, admin, suspended, "Nonaktif 0")
    assert "Tidak ada akun di filter ini." in current(app, screen)["text"]
    # Pages and filters change the one message: nothing new was sent.
    assert len(app.core.sent_to(ADMIN_CHAT)) == sent_before

    await tap(app, admin, current(app, screen), "Panel")
    assert "🎫 Akun affiliate" in labels(app, current(app, screen))  # the home panel, in place


async def test_the_typed_filter_still_works_and_a_stale_page_shows_the_last_one(
    app: BotUnderTest,
) -> None:
    admin = admin_group(app)["admin"]
    await add_accounts(app, *(f"toko.{n:02d}" for n in range(1, 13)))
    assert "(tersedia: 12)" in await command(app, admin, "/accounts tersedia")
    screen = last(app)
    assert "• Tersedia 12" in labels(app, screen)
    assert (await command(app, admin, "/accounts kemarin")).startswith("Format: /accounts")
    # A page that no longer exists (accounts left the filter meanwhile): the last one.
    gone_page = ListCallback(within=AccountFilter.ALL, page=9).pack()
    answer = await press(app, admin, screen, gone_page, strict=False)
    assert "text" not in answer
    assert "Halaman 2/2" in current(app, screen)["text"]


async def test_non_admins_and_forged_list_buttons_change_nothing(app: BotUnderTest) -> None:
    people = admin_group(app)
    admin, stranger = people["admin"], people["stranger"]
    await add_accounts(app, "toko.satu")
    await command(app, admin, "/accounts")
    screen = last(app)
    before = current(app, screen)["text"]
    for label in ("Tersedia", "#1 @toko.satu", "Tambah akun", "Impor", "Ekspor"):
        answer = await tap(app, stranger, screen, label)
        assert answer == {"text": ONLY_ADMINS, "show_alert": True}, label
    assert current(app, screen)["text"] == before
    assert await say(app, stranger, "@toko.dua") == ""  # no wizard was started for them
    for forged in ("acctl:bogus:0", "acctl:all:10001", "accto:-1:all:0", "acctt:delete"):
        answer = await press(app, admin, screen, forged, strict=False)
        assert answer["show_alert"] and STALE in answer["text"], forged
    gone = OpenCallback(account_id=99, within=AccountFilter.ALL, page=0).pack()
    answer = await press(app, admin, screen, gone, strict=False)
    assert answer["show_alert"] and "Akun #99 tidak ada" in answer["text"]
    assert "#1 @toko.satu" in current(app, screen)["text"]  # the list, as it is now


# ---------------------------------------------------------------------------- card and back


async def test_an_account_opens_in_place_and_goes_back_to_the_page_it_came_from(
    app: BotUnderTest,
) -> None:
    admin = admin_group(app)["admin"]
    await add_accounts(app, *(f"toko.{n:02d}" for n in range(1, 13)))
    await command(app, admin, "/accounts")
    screen = last(app)
    await tap(app, admin, screen, "▶️")
    await tap(app, admin, current(app, screen), "#11 @toko.11")
    card = current(app, screen)
    assert "Akun #11" in card["text"] and "Toko toko.11" in card["text"]
    assert labels(app, card) == [
        "👤 Berikan ke member", "🔁 Ubah status", "📝 Catatan",
        "✅ Keranjang kuning terverifikasi", "⬅️ Daftar akun",
    ]  # fmt: skip
    # Through the status menu and back, the way to the list still leads to page 2.
    await tap(app, admin, card, "Ubah status")
    await tap(app, admin, current(app, screen), "Jadikan nonaktif")
    await tap(app, admin, current(app, screen), "Keranjang kuning")
    card = current(app, screen)
    assert "Status toko: nonaktif" in card["text"]
    assert "👤 Berikan ke member" not in labels(app, card)  # not active: not to be given
    await tap(app, admin, card, "Daftar akun")
    assert "Halaman 2/2" in current(app, screen)["text"]
    # A card opened by command goes back to the first page of all accounts.
    card = await card_of(app, admin, "#3")
    await tap(app, admin, card, "Daftar akun")
    assert (
        "(semua: 12)" in current(app, card)["text"] and "Halaman 1/2" in current(app, card)["text"]
    )


# ---------------------------------------------------------------------------- 📝 Note


async def test_a_note_is_typed_after_the_button_and_a_skip_word_clears_it(
    app: BotUnderTest,
) -> None:
    people = admin_group(app)
    admin, stranger = people["admin"], people["stranger"]
    await add_accounts(app, "toko.satu")
    card = await card_of(app, admin, "#1")
    assert (await tap(app, stranger, card, "Catatan"))["text"] == ONLY_ADMINS
    await tap(app, admin, card, "Catatan")
    asked = current(app, card)
    assert "Catatan akun #1" in asked["text"] and "Sekarang: -" in asked["text"]
    assert labels(app, asked) == ["⬅️ Kembali", "⬅️ Daftar akun"]
    # Someone else's chatter is not the answer; a sticker and a too long note are asked again.
    assert await say(app, stranger, "halo semua") == ""
    await send(app, group_sticker(app, ADMIN_CHAT, admin))
    assert "Ketik catatannya sebagai teks" in texts(app, ADMIN_CHAT)[-1]
    assert "terlalu panjang" in await say(app, admin, "x" * 2000)
    reply = app.core.group_text(ADMIN_CHAT, admin, "Ganti <password> besok", reply_to=asked)
    await send(app, reply)
    assert "Catatan @toko.satu (#1) disimpan." in texts(app, ADMIN_CHAT)[-1]
    shown = current(app, card)
    assert "Catatan: Ganti <password> besok" in shown["text"]  # the card again, in place
    assert (await account_rows(app))[0].notes == "Ganti <password> besok"
    assert await say(app, admin, "obrolan biasa") == ""  # the wait is over

    await tap(app, admin, shown, "Catatan")
    assert "Sekarang: Ganti <password> besok" in current(app, card)["text"]
    assert "dihapus" in await say(app, admin, "-")
    assert (await account_rows(app))[0].notes is None


async def test_a_note_wait_ends_with_cancel_a_command_or_another_button(
    app: BotUnderTest,
) -> None:
    admin = admin_group(app)["admin"]
    await add_accounts(app, "toko.satu")
    card = await card_of(app, admin, "#1")
    await tap(app, admin, card, "Catatan")
    assert "Dibatalkan" in await command(app, admin, "/cancel")
    assert await say(app, admin, "bukan catatan") == ""
    await tap(app, admin, current(app, card), "Kembali")
    await tap(app, admin, current(app, card), "Catatan")
    await tap(app, admin, current(app, card), "Kembali")  # changed their mind
    assert "Akun #1" in current(app, card)["text"]
    assert await say(app, admin, "bukan catatan juga") == ""
    await tap(app, admin, current(app, card), "Catatan")
    assert "(semua: 1)" in await command(app, admin, "/accounts")  # a command runs as usual
    assert await say(app, admin, "masih bukan catatan") == ""
    assert (await account_rows(app))[0].notes is None


# ---------------------------------------------------------------------------- 👤 Assign


async def test_assign_by_button_finds_the_member_asks_to_pick_and_confirms(
    app: BotUnderTest,
) -> None:
    admin = admin_group(app)["admin"]
    ani = await vip_member(app, ANI, "Ani")
    anita = await vip_member(app, ANITA, "Anita")
    await add_accounts(app, "toko.satu")
    card = await card_of(app, admin, "#1")
    await tap(app, admin, card, "Berikan ke member")
    assert "Berikan akun #1" in current(app, card)["text"]
    assert "Tidak ada member yang cocok dengan “zzz”" in await say(app, admin, "zzz")
    assert "tidak ditemukan" in await say(app, admin, "@nobody_here")
    assert "2 sampai 64 karakter" in await say(app, admin, "a")
    assert await say(app, admin, "ani") == ""  # several match: the question becomes the pick
    pick = current(app, card)
    assert "Member yang cocok dengan “ani”" in pick["text"]
    assert labels(app, pick) == ["Ani · 501", "Anita · 502", "⬅️ Kembali", "⬅️ Daftar akun"]
    await tap(app, admin, pick, "Anita")
    confirm = current(app, card)
    assert "Berikan akun #1 @toko.satu ke Anita (id 502)?" in confirm["text"]
    assert (await account_rows(app))[0].holder_member_id is None  # nothing before the confirm
    do = find_button(app, confirm, "Ya, berikan")
    answer = await press(app, admin, confirm, do)
    assert answer["text"] == "Akun @toko.satu diberikan ke Anita."
    done = current(app, card)
    assert "Pemegang: Anita" in done["text"] and "↩️ Tarik dari pemegang" in labels(app, done)
    assert (await account_rows(app))[0].holder_member_id == await member_id(app, ANITA)
    # The same tap twice: "already done", no alarm, the card as it is; nothing repeats.
    again = await press(app, admin, confirm, do, strict=False)
    assert not again.get("show_alert")
    assert again["text"] == (
        "Sudah beres: Anita memang sudah memegang akun @toko.satu. Tidak ada yang diulang."
    )
    assert "Pemegang: Anita" in current(app, card)["text"]
    # The same confirmation for someone else is still a refusal.
    other = AssignCallback(step=AssignStep.DO, account_id=1, member=ANI).pack()
    refused = await press(app, admin, confirm, other, strict=False)
    assert refused["show_alert"] and "Sudah beres" not in refused["text"]
    await deliver(app)
    assert len([t for t in texts(app, anita["id"]) if "@toko.satu" in t]) == 1
    assert not [t for t in texts(app, ani["id"]) if "@toko.satu" in t]
    # A stale 👤 on a card of the account given out meanwhile.
    stale = AccountCallback(action=AccountAction.ASSIGN, account_id=1).pack()
    answer = await press(app, admin, done, stale, strict=False)
    assert answer["show_alert"] and "dipegang Anita" in answer["text"]


async def test_assign_by_button_refuses_a_member_who_is_not_vip_and_forged_data(
    app: BotUnderTest,
) -> None:
    people = admin_group(app)
    admin, stranger = people["admin"], people["stranger"]
    await vip_member(app, ANI, "Ani")
    await start(app, CITRA, "Citra")
    await add_accounts(app, "toko.satu", "toko.dua")
    card = await card_of(app, admin, "#1")
    assert (await tap(app, stranger, card, "Berikan"))["text"] == ONLY_ADMINS
    await tap(app, admin, card, "Berikan ke member")
    assert await say(app, admin, str(CITRA)) == ""  # one match: straight to the confirm
    confirm = current(app, card)
    assert "ke Citra" in confirm["text"]
    answer = await tap(app, admin, confirm, "Ya, berikan")
    assert answer["show_alert"] and "Citra bukan VIP aktif" in answer["text"]
    assert "Pemegang: belum ada" in current(app, card)["text"]
    # Forged: a member nobody is, and another account's id on this card.
    nobody = AssignCallback(step=AssignStep.DO, account_id=1, member=999_999).pack()
    answer = await press(app, admin, card, nobody, strict=False)
    assert answer["show_alert"] and "tidak ditemukan" in answer["text"]
    other = AssignCallback(step=AssignStep.DO, account_id=2, member=ANI).pack()
    answer = await press(app, admin, card, other, strict=False)
    assert "bukan milik kartu" in answer["text"]
    assert [r.holder_member_id for r in await account_rows(app)] == [None, None]
    # Given by command meanwhile: the 👤 on the old card says so.
    await app.container.affiliates.assign(AccountRef(id=1), await member_id(app, ANI), OWNER)
    answer = await tap(app, admin, current(app, card), "Berikan ke member")
    assert answer["show_alert"] and "dipegang Ani" in answer["text"]
    assert "Pemegang: Ani" in current(app, card)["text"]


# ---------------------------------------------------------------------------- ➕ 📥 📤


async def test_add_import_and_export_start_from_the_accounts_screen(app: BotUnderTest) -> None:
    admin = admin_group(app)["admin"]
    await command(app, admin, "/accounts")
    screen = last(app)
    await tap(app, admin, screen, "Ekspor")
    assert "Belum ada akun" in texts(app, ADMIN_CHAT)[-1]

    await tap(app, admin, screen, "Tambah akun")
    assert "1/6 · Username TikTok?" in texts(app, ADMIN_CHAT)[-1]
    sent = len(app.core.sent_to(ADMIN_CHAT))
    twice = await tap(app, admin, screen, "Tambah akun")
    assert twice["show_alert"] and "sudah ditanyakan" in twice["text"]
    assert len(app.core.sent_to(ADMIN_CHAT)) == sent
    assert "2/6" in await say(app, admin, "@toko.baru")
    assert "dibatalkan" in await command(app, admin, "/cancel")

    await tap(app, admin, screen, "Impor")
    prompt = texts(app, ADMIN_CHAT)[-1]
    assert "tiktok_username,tiktok_account_id,shop_id,shop_name,shop_status" in prompt
    assert "menunggu file CSV" in await say(app, admin, "ini filenya")
    excel = group_document(
        app.core, ADMIN_CHAT, admin, b"PK\x03\x04", "akun.xlsx", "application/vnd.ms-excel"
    )
    await send(app, excel)
    assert "file Excel" in texts(app, ADMIN_CHAT)[-1]
    good = group_document(
        app.core, ADMIN_CHAT, admin, b"tiktok_username\ntoko.satu\n", "akun.csv", "text/csv"
    )
    await send(app, good)
    assert "1 akun diimpor" in texts(app, ADMIN_CHAT)[-1]
    assert [r.tiktok_username for r in await account_rows(app)] == ["toko.satu"]

    await tap(app, admin, screen, "Ekspor")
    document = last(app)
    assert "1 akun affiliate" in document["caption"]
    data = app.core.file_bytes(document["document"]["file_id"]).decode("utf-8-sig")
    assert "toko.satu" in data
