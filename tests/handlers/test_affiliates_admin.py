"""Affiliate accounts in the admin group, through the real dispatcher: every command with
good and wrong input, the guided /addaccount (login messages deleted at once), CSV
import and export, card buttons (double taps, stale and forged data) and the offer on
the approval card."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.container import build_container
from bot.dispatcher import build_dispatcher
from bot.settings import load_settings
from domain.states import ShopStatus
from handlers.admin.accounts import (
    AccountAction,
    AccountCallback,
    AddAccountCallback,
    AddAction,
    OfferCallback,
)
from kernel.actor import Actor
from services.affiliates import AccountRef, Vault
from storage.models import AffiliateAccount
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.reviewkit import command, say, vip_member
from tests.handlers.shopkit import (
    add_method,
    admin_group,
    current,
    deliver,
    find_button,
    press,
    send,
    start,
    submit_proof,
    tap,
    texts,
)
from tests.kit.clock import FrozenClock
from tests.kit.fake_session import make_bot
from tests.kit.faketelegram import JSON, FakeTelegram, group_document
from tests.kit.images import receipt_jpeg
from tests.kit.units_of_work import counting_handlers

KEY = Fernet.generate_key().decode()
ONLY_ADMINS = "Maaf, ini hanya untuk admin grup admin."
ANI, BUDI, CITRA = 501, 502, 503
CSV_HEADER = "tiktok_username,shop_name,yellow_cart,login,password\n"


@pytest.fixture
async def app(db_url: str, clock: FrozenClock) -> AsyncIterator[BotUnderTest]:
    """As tests/handlers/conftest.py, with CREDENTIALS_KEYS set."""
    core = FakeTelegram()
    settings = load_settings(
        _env_file=None,
        BOT_TOKEN=core.token,
        ADMIN_CHAT_ID=str(ADMIN_CHAT),
        DATABASE_URL=db_url,
        CREDENTIALS_KEYS=KEY,
    )
    bot = make_bot(core)
    container = build_container(settings, bot=bot, clock=clock)
    dp = build_dispatcher(container)
    try:
        yield BotUnderTest(core, bot, dp, container)
    finally:
        await container.close()


@pytest.fixture
def people(app: BotUnderTest) -> dict[str, JSON]:
    return admin_group(app)


async def add_account(app: BotUnderTest, name: str, login: tuple[str, str] | None = None) -> int:
    aff = app.container.affiliates
    sealed = aff.seal(*login) if login else None
    new = aff.new_account(name, shop_name=f"Toko {name}", credentials=sealed)
    return (await aff.add(new, _owner())).id


def _owner() -> Actor:
    return Actor(7001, "Owner")


async def rows(app: BotUnderTest) -> list[AffiliateAccount]:
    async with app.container.uow() as work:
        found = await work.session.execute(select(AffiliateAccount).order_by(AffiliateAccount.id))
        return list(found.scalars())


async def upload(
    app: BotUnderTest,
    user: JSON,
    data: bytes,
    name: str = "akun.csv",
    mime: str | None = "text/csv",
    caption: str | None = None,
    size: int | None = None,
) -> str:
    before = len(app.core.sent_to(ADMIN_CHAT))
    update = group_document(app.core, ADMIN_CHAT, user, data, name, mime, caption, file_size=size)
    await send(app, update)
    return "\n".join(str(m.get("text") or "") for m in app.core.sent_to(ADMIN_CHAT)[before:])


# ---------------------------------------------------------------------------- who may act


async def test_non_admins_are_refused_every_command(
    app: BotUnderTest, people: dict[str, JSON]
) -> None:
    await add_account(app, "toko.ani")
    for text in (
        "/accounts", "/account #1", "/addaccount", "/importaccounts", "/exportaccounts",
        "/assignaccount #1 501", "/unassignaccount #1", "/accountstatus #1 suspended",
        "/cartverified #1", "/accountnote #1 hi",
    ):  # fmt: skip
        assert await command(app, people["stranger"], text) == ONLY_ADMINS, text
    assert (await rows(app))[0].shop_status == "active"


# ---------------------------------------------------------------------------- list and card


async def test_accounts_lists_with_filters_and_counts(
    app: BotUnderTest, people: dict[str, JSON]
) -> None:
    admin = people["admin"]
    assert "Tidak ada akun" in await command(app, admin, "/accounts")
    await add_account(app, "toko.ani")
    suspended = await add_account(app, "toko.budi")
    await app.container.affiliates.set_status(suspended, ShopStatus.SUSPENDED, _owner())
    listing = await command(app, admin, "/accounts tersedia")
    assert "tersedia: 1" in listing and "#1 @toko.ani" in listing and "toko.budi" not in listing
    assert "Tersedia 1 · dipakai 0 · ditangguhkan 1 · nonaktif 0 · total 2" in listing
    assert "@toko.budi" in await command(app, admin, "/accounts suspended")
    assert "Format: <code>/accounts</code>" not in await command(app, admin, "/accounts semua")
    usage = await command(app, admin, "/accounts kemarin")
    assert usage.startswith("Format: /accounts")


async def test_account_card_never_shows_the_login(
    app: BotUnderTest, people: dict[str, JSON]
) -> None:
    admin = people["admin"]
    await add_account(app, "toko.ani", ("ani@mail.id", "pw-rahasia"))
    assert (await command(app, admin, "/account")).startswith("Format: /account")
    assert "tidak ada" in await command(app, admin, "/account #99")
    assert "bukan akun" in await command(app, admin, "/account toko!ani")
    card = await command(app, admin, "/account @TOKO.ANI")
    assert "Akun #1" in card and "Login tersimpan: ya" in card
    assert "ani@mail.id" not in card and "pw-rahasia" not in card
    message = app.core.last_sent(ADMIN_CHAT)
    assert message is not None
    labels = [text for text, _ in app.core.buttons(message)]
    assert labels == [
        "👤 Berikan ke member", "🔁 Ubah status", "📝 Catatan",
        "✅ Keranjang kuning terverifikasi", "⬅️ Daftar akun",
    ]  # fmt: skip


# ---------------------------------------------------------------------------- /addaccount


async def test_the_guided_add_deletes_login_messages_and_stores_them_encrypted(
    app: BotUnderTest, people: dict[str, JSON]
) -> None:
    admin, other = people["admin"], people["other"]
    await add_account(app, "sudah.ada")
    assert "Username TikTok" in await command(app, admin, "/addaccount")
    assert "bukan username TikTok" in await say(app, admin, "toko ani!")
    assert "sudah ada di pool" in await say(app, admin, "@Sudah.Ada")
    step = await say(app, admin, "@Toko.Ani")
    assert "2/6 · ID akun TikTok?" in step and "account" not in step
    too_long = await say(app, admin, "9" * 70)
    assert "Isian ID akun TikTok terlalu panjang" in too_long
    assert "tiktok_account_id" not in too_long
    step = await say(app, admin, "-")
    assert "3/6 · ID toko?" in step and "shop" not in step
    assert "Nama toko" in await say(app, admin, "SHOP-1")
    assert "Login akun" in await say(app, admin, "Toko Ani Jaya")
    login_update = app.core.group_text(ADMIN_CHAT, admin, "ani@mail.id")
    await send(app, login_update)
    password_update = app.core.group_text(ADMIN_CHAT, admin, "pw-rahasia")
    await send(app, password_update)
    deleted = {message_id for chat, message_id in app.core.deleted if chat == ADMIN_CHAT}
    assert {
        login_update["message"]["message_id"],
        password_update["message"]["message_id"],
    } <= deleted
    confirm = app.core.last_sent(ADMIN_CHAT)
    assert confirm is not None and "tersimpan terenkripsi" in confirm["text"]
    assert all("pw-rahasia" not in t and "ani@mail.id" not in t for t in texts(app, ADMIN_CHAT))
    # Another admin cannot save someone else's form.
    answer = await tap(app, other, confirm, "Simpan")
    assert "milik admin lain" in answer["text"]
    answer = await tap(app, admin, confirm, "Simpan")
    assert "Akun #2 @toko.ani ditambahkan" in current(app, confirm)["text"]
    save = AddAccountCallback(action=AddAction.SAVE).pack()
    stale = await press(app, admin, confirm, save, strict=False)
    assert "milik admin lain" in stale["text"]  # a double tap finds the form finished
    saved = (await rows(app))[-1]
    assert (saved.tiktok_username, saved.tiktok_account_id, saved.shop_id, saved.shop_name) == (
        "toko.ani", None, "SHOP-1", "Toko Ani Jaya",
    )  # fmt: skip
    assert saved.credentials_encrypted is not None
    assert Vault([KEY]).decrypt(saved.credentials_encrypted).password == "pw-rahasia"


async def test_add_can_be_cancelled_and_skip_the_login(
    app: BotUnderTest, people: dict[str, JSON]
) -> None:
    admin = people["admin"]
    await command(app, admin, "/addaccount")
    await say(app, admin, "toko.batal")
    assert "dibatalkan" in await command(app, admin, "/cancel")
    assert await rows(app) == []
    await command(app, admin, "/addaccount")
    for answer in ("toko.tanpa", "-", "-", "-"):
        await say(app, admin, answer)
    assert "Pesanmu akan langsung" in (app.core.last_sent(ADMIN_CHAT) or {}).get("text", "")
    await say(app, admin, "-")  # no login
    confirm = app.core.last_sent(ADMIN_CHAT)
    assert confirm is not None and "Login: -" in confirm["text"]
    assert "Jawab pertanyaannya dulu" not in await say(app, admin, "halo")
    await tap(app, admin, confirm, "Simpan")
    assert [(r.tiktok_username, r.credentials_encrypted) for r in await rows(app)] == [
        ("toko.tanpa", None)
    ]


# ---------------------------------------------------------------------------- import / export


async def test_import_waits_for_a_csv_and_refuses_other_files(
    app: BotUnderTest, people: dict[str, JSON]
) -> None:
    admin = people["admin"]
    prompt = await command(app, admin, "/importaccounts")
    assert "tiktok_username,tiktok_account_id,shop_id" in prompt
    assert "menunggu file CSV" in await say(app, admin, "ini filenya")
    assert "bukan file CSV" in await upload(app, admin, b"\x89PNG....", "foto.png", "image/png")
    excel = await upload(app, admin, b"PK\x03\x04", "akun.xlsx", "application/vnd.ms-excel")
    assert "file Excel" in excel
    huge = await upload(app, admin, b"tiktok_username\na.b\n", size=5_000_000)
    assert "terlalu besar" in huge
    bad = (CSV_HEADER + "toko.satu,,,,\nbad name,,,,\ntoko.satu,,maybe,,\n").encode()
    reply = await upload(app, admin, bad)
    assert "Tidak ada yang diimpor: 2 dari 3 baris" in reply
    assert "Baris 3: “bad name” bukan username TikTok" in reply
    assert "Baris 4: @toko.satu sudah ada di baris 2; yellow_cart “maybe” bukan ya/tidak" in reply
    assert await rows(app) == []
    good = (CSV_HEADER + "toko.satu;Toko Satu;ya;l1;p1\n").replace(",", ";").encode("utf-8-sig")
    assert "1 akun diimpor (1 dengan login" in await upload(app, admin, good)
    # The flow has ended: a later document is not an import.
    assert await upload(app, admin, good) == ""
    assert [r.tiktok_username for r in await rows(app)] == ["toko.satu"]


async def test_import_with_the_command_as_caption_and_many_bad_rows(
    app: BotUnderTest, people: dict[str, JSON]
) -> None:
    admin = people["admin"]
    data = (CSV_HEADER + "".join(f"bad name {i},,,,\n" for i in range(25))).encode()
    reply = await upload(app, admin, data, caption="/importaccounts")
    assert "Baris 2:" in reply and "Baris 21:" in reply and "Baris 22:" not in reply
    assert "dan 5 baris bermasalah lainnya" in reply
    assert "Kolom tidak dikenal: nama, catatan" in await upload(
        app, admin, b"nama,catatan\nx,y\n", caption="/importaccounts"
    )
    assert "Baris judul tidak punya kolom" in await upload(
        app, admin, b"shop_name\nx\n", caption="/importaccounts"
    )
    assert "kosong" in await upload(app, admin, b" \n", caption="/importaccounts")


async def test_export_sends_a_csv_without_credentials(
    app: BotUnderTest, people: dict[str, JSON]
) -> None:
    admin = people["admin"]
    assert "Belum ada akun" in await command(app, admin, "/exportaccounts")
    await add_account(app, "toko.ani", ("ani@mail.id", "pw-rahasia"))
    await command(app, admin, "/exportaccounts")
    sent = app.core.last_sent(ADMIN_CHAT)
    assert sent is not None and "tanpa login" in sent["caption"]
    data = app.core.file_bytes(sent["document"]["file_id"]).decode("utf-8-sig")
    token = (await rows(app))[0].credentials_encrypted
    assert token is not None and token not in data
    assert "pw-rahasia" not in data and "ani@mail.id" not in data and "toko.ani" in data


# ---------------------------------------------------------------------------- assignment


async def test_assign_and_unassign_with_wrong_input(
    app: BotUnderTest, people: dict[str, JSON]
) -> None:
    admin = people["admin"]
    ani = await vip_member(app, ANI, "Ani")
    await start(app, CITRA, "Citra")
    await add_account(app, "toko.ani")
    assert "Format: /assignaccount" in await command(app, admin, "/assignaccount")
    assert "tidak ada" in await command(app, admin, "/assignaccount #9 501")
    assert "bukan VIP aktif" in await command(app, admin, f"/assignaccount #1 {CITRA}")
    assert "tidak ditemukan" in await command(app, admin, "/assignaccount #1 999999")
    assert "tidak sedang dipegang" in await command(app, admin, "/unassignaccount #1")
    assert "Format: /unassignaccount" in await command(app, admin, "/unassignaccount")
    done = await command(app, admin, f"/assignaccount {ANI}")  # the next available one
    assert "Akun @toko.ani (#1) diberikan ke Ani" in done
    assert "sudah memegang akun @toko.ani" in await command(app, admin, f"/assignaccount #1 {ANI}")
    await deliver(app)
    assert "@toko.ani" in texts(app, ani["id"])[-1] and "/me" in texts(app, ani["id"])[-1]
    assert "ditarik dari Ani" in await command(app, admin, "/unassignaccount @toko.ani")
    await deliver(app)
    assert "ditarik oleh admin" in texts(app, ani["id"])[-1]


async def test_status_cart_and_notes_commands(app: BotUnderTest, people: dict[str, JSON]) -> None:
    admin = people["admin"]
    await vip_member(app, ANI, "Ani")
    await add_account(app, "toko.ani")
    await app.container.affiliates.assign(AccountRef(id=1), await _member_id(app, ANI), _owner())
    assert "Format: /accountstatus" in await command(app, admin, "/accountstatus #1")
    assert "bukan status" in await command(app, admin, "/accountstatus #1 rusak")
    changed = await command(app, admin, "/accountstatus #1 ditangguhkan")
    assert "aktif → ditangguhkan" in changed
    assert "grup admin diberi peringatan" in changed
    assert "memang sudah ditangguhkan" in await command(app, admin, "/accountstatus #1 suspended")
    await deliver(app)
    alerts = [t for t in texts(app, ADMIN_CHAT) if "ditangguhkan oleh Dewi" in t]
    assert len(alerts) == 1
    verified = await command(app, admin, "/cartverified #1")
    assert "ditandai terverifikasi pada 10 Jan 2026" in verified
    assert "sudah terverifikasi sejak" in await command(app, admin, "/cartverified #1")
    assert "Format: /cartverified" in await command(app, admin, "/cartverified #1 mungkin")
    assert "dibatalkan" in await command(app, admin, "/cartverified #1 batal")
    assert "Format: /accountnote" in await command(app, admin, "/accountnote #1")
    assert "disimpan" in await command(app, admin, "/accountnote #1 Ganti <password> besok")
    assert "Catatan: Ganti <password> besok" in await command(app, admin, "/account #1")
    assert "dihapus" in await command(app, admin, "/accountnote #1 -")


async def _member_id(app: BotUnderTest, telegram_id: int) -> int:
    async with app.container.uow() as work:
        member = await work.members.by_telegram_id(telegram_id)
        assert member is not None
        return member.id


# ---------------------------------------------------------------------------- card buttons


async def test_card_buttons_double_taps_and_forged_data(
    app: BotUnderTest, people: dict[str, JSON]
) -> None:
    admin, stranger = people["admin"], people["stranger"]
    await vip_member(app, ANI, "Ani")
    await add_account(app, "toko.ani")
    await add_account(app, "toko.lain")
    await app.container.affiliates.assign(1, await _member_id(app, ANI), _owner())
    await command(app, admin, "/account #1")
    card = app.core.last_sent(ADMIN_CHAT)
    assert card is not None
    answer = await tap(app, stranger, card, "Ubah status")
    assert answer["text"] == ONLY_ADMINS
    await tap(app, admin, card, "Ubah status")
    menu = current(app, card)
    assert [t for t, _ in app.core.buttons(menu)] == [
        "Jadikan ditangguhkan", "Jadikan nonaktif", "⬅️ Kembali", "⬅️ Daftar akun",
    ]  # fmt: skip
    suspend = find_button(app, menu, "ditangguhkan")
    await press(app, admin, menu, suspend)
    assert "Status toko: ditangguhkan" in current(app, card)["text"]
    again = await press(app, admin, card, suspend, strict=False)  # a double tap
    assert again["show_alert"] and "memang sudah ditangguhkan" in again["text"]
    await tap(app, admin, card, "Keranjang kuning terverifikasi")
    assert "terverifikasi 10 Jan 2026" in current(app, card)["text"]
    await tap(app, admin, card, "Tarik dari pemegang")
    assert "Pemegang: belum ada" in current(app, card)["text"]
    unassign = AccountCallback(action=AccountAction.UNASSIGN, account_id=1).pack()
    stale = await press(app, admin, card, unassign, strict=False)
    assert "tidak sedang dipegang" in stale["text"]
    forged = AccountCallback(action=AccountAction.CART_ON, account_id=2).pack()
    answer = await press(app, admin, card, forged, strict=False)
    assert "bukan milik kartu" in answer["text"]
    assert not (await rows(app))[1].yellow_cart
    # Every tap was answered exactly once (the fake refuses a second answer).
    answers = app.core.calls_of("answerCallbackQuery")
    assert len(answers) == 8 and all(call.error is None for call in answers)


# ---------------------------------------------------------------------------- the approval card


async def approved_vip_card(app: BotUnderTest, people: dict[str, JSON], user_id: int) -> JSON:
    user = await start(app, user_id, f"Vip{user_id}")
    card = await submit_proof(app, user, receipt_jpeg(user_id % 6, user_id), plan_label="VIP")
    await tap(app, people["admin"], card, "Setujui")
    return current(app, card)


async def test_the_approval_card_offers_the_next_account(
    app: BotUnderTest, people: dict[str, JSON]
) -> None:
    admin = people["admin"]
    await add_method(app)
    no_offer = await approved_vip_card(app, people, ANI)
    assert [t for t, _ in app.core.buttons(no_offer)] == ["👤 Member"]  # no account in the pool
    await add_account(app, "toko.satu")
    await add_account(app, "toko.dua")
    card = await approved_vip_card(app, people, BUDI)
    assert [t for t, _ in app.core.buttons(card)] == ["🎁 Berikan @toko.satu", "👤 Member"]
    # Meanwhile toko.satu goes to Ani by command: the button now offers toko.dua.
    await command(app, admin, f"/assignaccount #1 {ANI}")
    changed = await tap(app, admin, card, "Berikan")
    assert changed["show_alert"] and "@toko.satu sudah tidak tersedia" in changed["text"]
    assert [t for t, _ in app.core.buttons(current(app, card))] == [
        "🎁 Berikan @toko.dua",
        "👤 Member",
    ]
    done = await tap(app, admin, current(app, card), "Berikan @toko.dua")
    assert "toko.dua diberikan" in done["text"]
    assert [t for t, _ in app.core.buttons(current(app, card))] == ["👤 Member"]
    assert (await rows(app))[1].holder_member_id == await _member_id(app, BUDI)
    # A forged offer for someone who already holds one: a kind refusal, nothing changes.
    forged = OfferCallback(member_id=await _member_id(app, BUDI), account_id=1).pack()
    answer = await press(app, admin, card, forged, strict=False)
    assert answer["show_alert"] and "sudah memegang akun @toko.dua" in answer["text"]


# ---------------------------------------------------------------------------- one unit of work


async def test_each_command_and_tap_on_accounts_is_one_unit_of_work(
    app: BotUnderTest, people: dict[str, JSON]
) -> None:
    """The lookup, the change and what the screen shows share ONE transaction."""
    admin = people["admin"]
    await add_method(app)
    await vip_member(app, ANI, "Ani")
    await add_account(app, "toko.satu")
    await add_account(app, "toko.dua")
    card = await approved_vip_card(app, people, BUDI)
    opened = counting_handlers(app.container)
    seen = []
    assert "diberikan ke Ani" in await command(app, admin, f"/assignaccount #1 {ANI}")
    seen.append(opened.opened)
    changed = await tap(app, admin, card, "Berikan")  # the offered account went meanwhile
    assert "@toko.satu sudah tidak tersedia" in changed["text"]
    seen.append(opened.opened)
    assert "toko.dua diberikan" in (await tap(app, admin, current(app, card), "Berikan"))["text"]
    seen.append(opened.opened)
    await command(app, admin, "/account #1")
    account = app.core.last_sent(ADMIN_CHAT)
    assert account is not None
    opened.opened = 0
    await tap(app, admin, account, "Tarik dari pemegang")
    seen.append(opened.opened)
    unassign = AccountCallback(action=AccountAction.UNASSIGN, account_id=1).pack()
    stale = await press(app, admin, account, unassign, strict=False)
    assert "tidak sedang dipegang" in stale["text"]
    seen.append(opened.opened)
    await tap(app, admin, account, "Ubah status")
    seen.append(opened.opened)
    await command(app, admin, "/exportaccounts")
    seen.append(opened.opened)
    assert seen == [1, 2, 3, 1, 2, 3, 4]


async def test_an_imported_file_with_passwords_leaves_the_admin_group(
    app: BotUnderTest, people: dict[str, JSON]
) -> None:
    data = (CSV_HEADER + "toko.satu,Toko Satu,ya,ani@mail.id,S3cret!\n").encode()
    reply = await upload(app, people["admin"], data, caption="/importaccounts")
    assert "1 akun diimpor" in reply
    deleted = [c for c in app.core.calls_of("deleteMessage") if c.error is None]
    assert len(deleted) == 1
    assert deleted[0].params["chat_id"] == ADMIN_CHAT


async def test_a_password_that_looks_like_a_command_is_deleted_too(
    app: BotUnderTest, people: dict[str, JSON]
) -> None:
    admin = people["admin"]
    for text in ("/addaccount", "toko.dua", "-", "-", "-", "ani@mail.id"):
        await send(app, app.core.group_text(ADMIN_CHAT, admin, text))
    before = len([c for c in app.core.calls_of("deleteMessage") if c.error is None])
    await send(app, app.core.group_text(ADMIN_CHAT, admin, "/Abc123secret"))
    after = len([c for c in app.core.calls_of("deleteMessage") if c.error is None])
    assert after == before + 1


async def test_at_the_password_step_an_answer_to_a_member_reaches_them_and_is_not_kept(
    app: BotUnderTest, people: dict[str, JSON]
) -> None:
    admin = people["admin"]
    ani = await start(app, ANI, "Ani")
    for text in ("/addaccount", "toko.dua", "-", "-", "-", "ani@mail.id"):
        await send(app, app.core.group_text(ADMIN_CHAT, admin, text))
    assert "6/6 · Password" in texts(app, ADMIN_CHAT)[-1]
    await send(app, app.core.private_text(ani, "kapan zoom?"))
    await deliver(app)
    question = app.core.last_sent(ADMIN_CHAT)
    assert question is not None and question["text"].endswith("kapan zoom?")
    answer = app.core.group_text(ADMIN_CHAT, admin, "Kamis ya kak", reply_to=question)
    await send(app, answer)
    await deliver(app)
    assert texts(app, ANI)[-1] == "💬 Tim Admin:\nKamis ya kak"
    assert (ADMIN_CHAT, answer["message"]["message_id"]) not in app.core.deleted
    # The password step still waits: the real password is kept, not the answer.
    await send(app, app.core.group_text(ADMIN_CHAT, admin, "pw-rahasia"))
    confirm = app.core.last_sent(ADMIN_CHAT)
    assert confirm is not None and "tersimpan terenkripsi" in confirm["text"]
    await tap(app, admin, confirm, "Simpan")
    saved = (await rows(app))[-1]
    assert saved.credentials_encrypted is not None
    assert Vault([KEY]).decrypt(saved.credentials_encrypted).password == "pw-rahasia"


async def test_during_the_import_wait_an_answer_to_a_member_is_not_answered_as_an_import(
    app: BotUnderTest, people: dict[str, JSON]
) -> None:
    admin = people["admin"]
    await command(app, admin, "/importaccounts")
    ani = await start(app, ANI, "Ani")
    await send(app, app.core.private_text(ani, "kapan zoom?"))
    await deliver(app)
    question = app.core.last_sent(ADMIN_CHAT)
    assert question is not None
    before = len(app.core.sent_to(ADMIN_CHAT))
    await send(app, app.core.group_text(ADMIN_CHAT, admin, "Kamis ya kak", reply_to=question))
    await deliver(app)
    assert texts(app, ANI)[-1] == "💬 Tim Admin:\nKamis ya kak"
    assert not [t for t in texts(app, ADMIN_CHAT)[before:] if "menunggu file CSV" in t]
    # The wait stands: the file is still imported.
    data = (CSV_HEADER + "toko.satu,Toko Satu,ya,,\n").encode()
    assert "1 akun diimpor" in await upload(app, admin, data)
