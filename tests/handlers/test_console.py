"""The admin console in the admin group: the home panel, finding a member, the member
card, and granting or revoking a plan with buttons only."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.app import register_commands
from domain.affiliates import NewAccount
from domain.money import format_rupiah
from handlers.admin.console.callbacks import (
    AccountCallback,
    AccountStep,
    Change,
    ChangeCallback,
    ChangeStep,
    ConsoleCallback,
    LeaderCallback,
    LeaderStep,
    MemberAction,
    MemberCallback,
    OwedCallback,
    PayCallback,
    PayStep,
    Reason,
    ResultsCallback,
    Screen,
)
from kernel.actor import Actor
from kernel.admin_input import MemberRef
from storage.models import AdminAction, AffiliateAccount, Membership, MembershipEvent
from storage.models import Payout as PayoutRow
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.shopkit import (
    ADMIN_ID,
    OWNER_ID,
    add_method,
    admin_group,
    buy_until_payment_screen,
    current,
    deliver,
    plan_id_of,
    press,
    send,
    start,
)
from tests.handlers.shopkit import tap as tap_on
from tests.kit.faketelegram import JSON
from tests.kit.images import receipt_jpeg
from tests.services.reportkit import figures, shots

ANI, KANIA, BUDI = 1001, 1002, 1003
ONLY_ADMINS = "Maaf, ini hanya untuk admin grup admin."


async def say(app: BotUnderTest, user: JSON, text: str, **kwargs: object) -> JSON:
    """`user` writes `text` in the admin group; the bot's last message there afterwards."""
    await send(app, app.core.group_text(ADMIN_CHAT, user, text, **kwargs))  # type: ignore[arg-type]
    message = app.core.last_sent(ADMIN_CHAT)
    assert message is not None
    return message


async def people(app: BotUnderTest) -> dict[str, JSON]:
    group = admin_group(app)
    group["ani"] = await start(app, ANI, "Ani Lestari")
    group["kania"] = await start(app, KANIA, "Kania")
    group["budi"] = await start(app, BUDI, "Budi")
    return group


async def count(app: BotUnderTest, model: type, *where: object) -> int:
    async with app.container.uow() as work:
        query = select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
        return int((await work.session.execute(query)).scalar_one())


async def memberships_of(app: BotUnderTest, telegram_id: int) -> list[Membership]:
    async with app.container.uow() as work:
        member = await work.members.by_telegram_id(telegram_id)
        assert member is not None
        found = await work.session.execute(
            select(Membership).where(Membership.member_id == member.id).order_by(Membership.id)
        )
        return list(found.scalars())


async def tap(app: BotUnderTest, user: JSON, message: JSON, label: str) -> JSON:
    """Tap a button of the message as it is now (screens are edited in place)."""
    return await tap_on(app, user, current(app, message), label)


def labels(app: BotUnderTest, message: JSON) -> list[str]:
    return [text for text, _ in app.core.buttons(current(app, message))]


async def find_card(app: BotUnderTest, admin: JSON, typed: str) -> JSON:
    """Panel → 🔎 → `typed` (one member matches): the card the bot answers with."""
    panel = await say(app, admin, "/menu")
    await tap(app, admin, panel, "Cari member")
    return await say(app, admin, typed)


# ---------------------------------------------------------------------------- the panel


async def test_start_help_and_menu_open_the_panel_with_what_waits(app: BotUnderTest) -> None:
    group = await people(app)
    await send(app, app.core.private_text(group["ani"], "kak, kapan zoom berikutnya?"))
    await deliver(app)

    for command in ("/start", "/help", "/menu"):
        panel = await say(app, group["admin"], command)
        assert panel["text"].startswith("🏠 Panel admin")
        assert "Pembayaran menunggu keputusan: 0" in panel["text"]
        assert "Laporan menunggu validasi: 0" in panel["text"]
        assert "Pertanyaan belum dijawab: 1" in panel["text"]
    shown = labels(app, panel)
    assert "💬 Pertanyaan (1)" in shown
    assert "🔎 Cari member" in shown
    # Plans and payment methods are the owner's: an admin does not see them.
    assert not any("Paket & harga" in label or "Metode bayar" in label for label in shown)

    owner_panel = await say(app, group["owner"], "/menu")
    assert {"🛒 Paket & harga", "🏦 Metode bayar"} <= set(labels(app, owner_panel))


async def test_the_panel_counts_a_proof_and_a_report_waiting(app: BotUnderTest) -> None:
    group = await people(app)
    await add_method(app)
    await buy_until_payment_screen(app, group["kania"], "Basic")
    await send(app, app.core.private_photo(group["kania"], receipt_jpeg(1, 1)))
    await earned(app, group["admin"], ANI, 100_000)  # validated: no longer waiting
    reports = app.container.reports
    await say(app, group["admin"], f"/grant {BUDI} vip_lifetime bayar tunai")
    await reports.submit(BUDI, reports.today(), figures(50_000), shots())
    await deliver(app)

    panel = await say(app, group["admin"], "/menu")

    assert "Pembayaran menunggu keputusan: 1" in panel["text"]
    assert "Laporan menunggu validasi: 1" in panel["text"]
    assert {"💳 Pembayaran (1)", "📝 Laporan (1)"} <= set(labels(app, panel))


async def test_the_list_buttons_answer_exactly_as_the_typed_commands(app: BotUnderTest) -> None:
    group = await people(app)
    await send(app, app.core.private_text(group["ani"], "kak, kapan zoom berikutnya?"))
    await deliver(app)
    typed = (await say(app, group["admin"], "/questions"))["text"]
    panel = await say(app, group["admin"], "/menu")

    await tap(app, group["admin"], panel, "Pertanyaan")
    listed = app.core.last_sent(ADMIN_CHAT)
    assert listed is not None and listed["text"] == typed
    assert "Ani Lestari" in listed["text"]

    await tap(app, group["admin"], panel, "Pembayaran")
    pending = app.core.last_sent(ADMIN_CHAT)
    assert pending is not None
    assert pending["text"] == (await say(app, group["admin"], "/pending"))["text"]


async def test_refresh_and_back_bring_the_panel_up_to_date(app: BotUnderTest) -> None:
    group = await people(app)
    panel = await say(app, group["admin"], "/menu")
    assert "Pertanyaan belum dijawab: 0" in panel["text"]
    await send(app, app.core.private_text(group["ani"], "halo admin"))
    await deliver(app)

    await tap(app, group["admin"], panel, "Payout terutang")
    assert "Tidak ada payout terutang" in current(app, panel)["text"]
    await tap(app, group["admin"], panel, "Panel")
    assert "Pertanyaan belum dijawab: 1" in current(app, panel)["text"]


async def test_owner_buttons_are_checked_again_when_tapped(app: BotUnderTest) -> None:
    group = await people(app)
    panel = await say(app, group["admin"], "/menu")
    sent_before = len(app.core.sent_to(ADMIN_CHAT))

    forged = ConsoleCallback(screen=Screen.PLANS).pack()
    answer = await press(app, group["admin"], panel, forged, strict=False)

    assert answer["text"] == "Maaf, ini hanya untuk pemilik (owner)."
    assert len(app.core.sent_to(ADMIN_CHAT)) == sent_before

    owner_panel = await say(app, group["owner"], "/menu")
    await tap(app, group["owner"], owner_panel, "Paket & harga")
    plans = app.core.last_sent(ADMIN_CHAT)
    assert plans is not None and "vip_lifetime" in plans["text"]


async def test_a_non_admin_gets_no_panel_and_no_console_button_works(app: BotUnderTest) -> None:
    group = await people(app)
    refused = await say(app, group["stranger"], "/menu")
    assert refused["text"] == ONLY_ADMINS
    before = len(app.core.sent_to(ADMIN_CHAT))
    for command in ("/start", "/help"):  # members' commands too: the group stays quiet
        await send(app, app.core.group_text(ADMIN_CHAT, group["stranger"], command))
    assert len(app.core.sent_to(ADMIN_CHAT)) == before
    panel = await say(app, group["admin"], "/menu")
    shown = current(app, panel)["text"]

    for data in (
        ConsoleCallback(screen=Screen.SEARCH).pack(),
        ConsoleCallback(screen=Screen.PAYMENTS).pack(),
        MemberCallback(action=MemberAction.OPEN, member=ANI).pack(),
        ChangeCallback(
            change=Change.GRANT, step=ChangeStep.DO, member=ANI, plan=1, reason=Reason.OUTSIDE
        ).pack(),
        MemberCallback(action=MemberAction.PAYOUT, member=ANI).pack(),
        PayCallback(step=PayStep.DO, member=ANI).pack(),
        LeaderCallback(step=LeaderStep.DO, member=ANI, leader=BUDI).pack(),
        AccountCallback(step=AccountStep.DO, member=ANI, account=1).pack(),
        ResultsCallback(page=1).pack(),
        OwedCallback(page=0).pack(),
    ):
        answer = await press(app, group["stranger"], panel, data, strict=False)
        assert answer["text"] == ONLY_ADMINS
    assert current(app, panel)["text"] == shown
    assert await memberships_of(app, ANI) == []


# ---------------------------------------------------------------------------- finding a member


async def test_an_admin_finds_a_member_by_name_and_grants_a_plan_with_buttons_only(
    app: BotUnderTest,
) -> None:
    group = await people(app)
    admin = group["admin"]
    panel = await say(app, admin, "/menu")
    await tap(app, admin, panel, "Cari member")
    assert "Ketik nama, @username atau ID Telegram" in current(app, panel)["text"]

    results = await say(app, admin, "ani")  # "Ani Lestari" and "Kania"
    assert results["text"].startswith("🔎 “ani”: 2 member cocok (halaman 1/1)")
    assert labels(app, results)[:2] == [f"Ani Lestari · {ANI}", f"Kania · {KANIA}"]

    await tap(app, admin, results, "Ani Lestari")
    card = app.core.last_sent(ADMIN_CHAT)
    assert card is not None and card["text"].startswith(f"👤 Ani Lestari · tanpa @username · {ANI}")
    assert "Leader: tidak ada · Tim: 0 sub" in card["text"]
    assert "Akun affiliate: tidak ada" in card["text"]
    assert "saldo Rp 0" in card["text"]

    await tap(app, admin, card, "Beri paket")
    assert "Paket apa yang diberikan ke Ani Lestari" in current(app, card)["text"]
    await tap(app, admin, card, "VIP Seumur Hidup")
    await tap(app, admin, card, "Dibayar di luar bot")
    confirm = current(app, card)["text"]
    assert confirm.startswith("🎁 Berikan VIP Seumur Hidup ke Ani Lestari")
    assert "Alasan: Dibayar di luar bot" in confirm
    assert await memberships_of(app, ANI) == []  # nothing before the confirmation

    answer = await tap(app, admin, card, "Ya, berikan")

    assert answer["text"] == "Selesai."
    assert current(app, card)["text"].startswith(
        f"✅ VIP Seumur Hidup diberikan ke Ani Lestari ({ANI}), berlaku seumur hidup."
    )
    [row] = await memberships_of(app, ANI)
    assert (row.status, row.granted_by, row.grant_reason) == (
        "active",
        ADMIN_ID,
        "Dibayar di luar bot",
    )
    await deliver(app)
    told = app.core.last_sent(ANI)
    assert told is not None and "VIP Seumur Hidup" in told["text"]
    await tap(app, admin, card, "Kartu member")
    assert "Tingkat efektif: VIP" in current(app, card)["text"]


async def test_member_command_finds_by_name_username_or_id(app: BotUnderTest) -> None:
    group = await people(app)
    admin = group["admin"]
    by_name = await say(app, admin, "/member budi")
    assert by_name["text"].startswith(f"👤 Budi · tanpa @username · {BUDI}")
    assert "Beri paket" in " ".join(labels(app, by_name))
    by_id = await say(app, admin, f"/member {BUDI}")
    assert by_id["text"] == by_name["text"]
    several = await say(app, admin, "/member  ANI ")
    assert several["text"].startswith("🔎 “ANI”: 2 member cocok")
    usage = await say(app, admin, f"/member {ANI} {BUDI}")
    assert usage["text"].startswith("Format: /member ID_TELEGRAM atau /member @username")


async def test_results_are_paged_eight_at_a_time(app: BotUnderTest) -> None:
    group = admin_group(app)
    for n in range(10):
        await start(app, 2000 + n, f"Sari {n}")
    results = await say(app, group["admin"], "/member sari")
    assert results["text"].startswith("🔎 “sari”: 10 member cocok (halaman 1/2)")
    shown = labels(app, results)
    assert sum(label.startswith("Sari") for label in shown) == 8
    assert "Berikutnya ▶️" in shown and "◀️ Sebelumnya" not in shown

    await tap(app, group["other"], results, "Berikutnya")  # any admin may turn the page

    page = current(app, results)
    assert page["text"].startswith("🔎 “sari”: 10 member cocok (halaman 2/2)")
    assert [label for label in labels(app, results) if label.startswith("Sari")] == [
        "Sari 8 · 2008",
        "Sari 9 · 2009",
    ]
    assert "◀️ Sebelumnya" in labels(app, results)


async def test_wrong_search_input_is_asked_again(app: BotUnderTest) -> None:
    group = await people(app)
    admin = group["admin"]
    panel = await say(app, admin, "/menu")
    await tap(app, admin, panel, "Cari member")
    before = len(app.core.sent_to(ADMIN_CHAT))
    await send(app, app.core.group_text(ADMIN_CHAT, group["other"], "budi"))  # not asked
    assert len(app.core.sent_to(ADMIN_CHAT)) == before

    await send(app, app.core.group_media(ADMIN_CHAT, admin, "sticker"))
    again = app.core.last_sent(ADMIN_CHAT)
    assert again is not None and again["text"].startswith("Ketik nama, @username atau ID Telegram")
    short = await say(app, admin, "a")
    assert short["text"] == again["text"]
    none = await say(app, admin, "zzzz")
    assert none["text"].startswith("Tidak ada member yang cocok dengan “zzzz”.")
    assert labels(app, none) == ["🔎 Cari lagi", "⬅️ Panel"]

    await tap(app, admin, none, "Cari lagi")
    bad = await say(app, admin, "@a!")
    assert bad["text"].startswith("“@a!” bukan ID Telegram atau @username.")
    await tap(app, admin, bad, "Cari lagi")
    cancelled = await say(app, admin, "/cancel")
    assert cancelled["text"] == "Pencarian member dibatalkan."
    before = len(app.core.sent_to(ADMIN_CHAT))
    await send(app, app.core.group_text(ADMIN_CHAT, admin, "ani"))  # no search asked now
    assert len(app.core.sent_to(ADMIN_CHAT)) == before


async def test_a_reply_to_a_members_question_is_still_an_answer_while_a_search_waits(
    app: BotUnderTest,
) -> None:
    group = await people(app)
    await send(app, app.core.private_text(group["ani"], "kapan zoom berikutnya?"))
    await deliver(app)
    question = app.core.last_sent(ADMIN_CHAT)
    assert question is not None
    panel = await say(app, group["admin"], "/menu")
    await tap(app, group["admin"], panel, "Cari member")

    await send(app, app.core.group_text(ADMIN_CHAT, group["admin"], "Kamis ya", reply_to=question))
    await deliver(app)

    told = app.core.last_sent(ANI)
    assert told is not None and told["text"].endswith("Kamis ya")
    results = await say(app, group["admin"], "kania")  # the search still waits
    assert results["text"].startswith(f"👤 Kania · tanpa @username · {KANIA}")


# ---------------------------------------------------------------------------- stale and forged


async def test_forged_and_stale_buttons_change_nothing(app: BotUnderTest) -> None:
    group = await people(app)
    admin = group["admin"]
    panel = await say(app, admin, "/menu")
    vip = await plan_id_of(app, "vip_lifetime")

    gone = MemberCallback(action=MemberAction.OPEN, member=999_999).pack()
    answer = await press(app, admin, panel, gone, strict=False)
    assert answer["text"].startswith("Member atau paket ini tidak ditemukan lagi.")

    no_plan = ChangeCallback(
        change=Change.GRANT, step=ChangeStep.DO, member=ANI, plan=4242, reason=Reason.OUTSIDE
    ).pack()
    answer = await press(app, admin, panel, no_plan, strict=False)
    assert answer["text"].startswith("Member atau paket ini tidak ditemukan lagi.")

    # A typed reason lives with the confirmation that showed it; elsewhere it is stale.
    typed = ChangeCallback(
        change=Change.GRANT, step=ChangeStep.DO, member=ANI, plan=vip, reason=Reason.TYPED
    ).pack()
    answer = await press(app, admin, panel, typed, strict=False)
    assert answer["text"].startswith("Tombol ini sudah tidak berlaku.")

    page = await press(app, admin, panel, ResultsCallback(page=3).pack(), strict=False)
    assert page["text"].startswith("Daftar hasil ini sudah lama.")

    for junk in ("conm:open:-5", "conm:open:99999999999999999999", "conc:grant:do:1001:x:-"):
        answer = await press(app, admin, panel, junk, strict=False)
        assert answer["text"].startswith("Tombol ini sudah tidak berlaku.")
    assert await memberships_of(app, ANI) == []
    assert await count(app, AdminAction) == 0


async def test_a_grant_then_a_revoke_on_the_same_card_both_happen(app: BotUnderTest) -> None:
    group = await people(app)
    admin = group["admin"]
    card = await say(app, admin, f"/member {ANI}")
    await tap(app, admin, card, "Beri paket")
    await tap(app, admin, current(app, card), "VIP Seumur Hidup")
    await tap(app, admin, current(app, card), "Dibayar di luar bot")
    assert (await tap(app, admin, current(app, card), "Ya, berikan"))["text"] == "Selesai."
    # Back on the same (edited) message, a second change is a new one, not "done already".
    await tap(app, admin, current(app, card), "Kartu member")
    await tap(app, admin, current(app, card), "Cabut paket")
    await tap(app, admin, current(app, card), "VIP Seumur Hidup")
    reason = next(label for label, _ in app.core.buttons(current(app, card)) if label != "Batal")
    await tap(app, admin, current(app, card), reason)
    answer = await tap(app, admin, current(app, card), "Ya, cabut")
    assert answer["text"] == "Selesai."
    [row] = await memberships_of(app, ANI)
    assert row.status == "cancelled"


async def test_the_same_confirmation_tapped_twice_grants_once(app: BotUnderTest) -> None:
    group = await people(app)
    await say(app, group["owner"], "/addplan vip 30 150rb")
    card = await find_card(app, group["admin"], "kania")
    await tap(app, group["admin"], card, "Beri paket")
    await tap(app, group["admin"], card, "VIP 30 hari")
    await tap(app, group["admin"], card, "Promo")
    confirm = current(app, card)
    do = next(data for text, data in app.core.buttons(confirm) if "Ya, berikan" in text)
    assert do is not None

    first = await press(app, group["admin"], confirm, do)
    second = await press(app, group["other"], current(app, confirm), do, strict=False)

    assert first["text"] == "Selesai."
    assert second["text"] == "Sudah dilakukan; tidak ada yang diulang."
    [row] = await memberships_of(app, KANIA)
    assert row.expires_at is not None and row.activated_at is not None
    assert row.expires_at - row.activated_at == timedelta(days=30)  # not extended twice
    assert await count(app, MembershipEvent) == 1
    assert await count(app, AdminAction, AdminAction.action == "membership.grant") == 1


async def test_revoke_from_the_card_with_a_typed_reason(app: BotUnderTest) -> None:
    group = await people(app)
    admin = group["admin"]
    await say(app, admin, f"/grant {BUDI} basic_lifetime bayar tunai")
    card = await say(app, admin, f"/member {BUDI}")

    await tap(app, admin, card, "Cabut paket")
    assert labels(app, card)[0] == "Basic Seumur Hidup"  # only what Budi holds
    await tap(app, admin, card, "Basic Seumur Hidup")
    await tap(app, admin, card, "Tulis alasan")
    await send(app, app.core.group_media(ADMIN_CHAT, admin, "sticker"))
    asked = app.core.last_sent(ADMIN_CHAT)
    assert asked is not None and asked["text"].startswith("Ketik alasannya sebagai teks")
    confirm = await say(app, admin, "dana <b>dikembalikan</b>")
    assert confirm["text"].startswith("⛔ Cabut Basic Seumur Hidup milik Budi")
    assert "Alasan: dana <b>dikembalikan</b>" in confirm["text"]  # shown as typed

    await tap(app, admin, confirm, "Ya, cabut")

    [row] = await memberships_of(app, BUDI)
    assert row.status == "cancelled"
    assert current(app, confirm)["text"].startswith("✅ Basic Seumur Hidup milik Budi")
    again = await tap(app, admin, card, "Kartu member")
    assert again == {} or not again.get("show_alert")
    await tap(app, admin, card, "Cabut paket")
    answer = app.core.callback_answers
    assert any(
        "tidak punya paket aktif" in str(a.get("text")) for a in answer.values()
    )  # nothing left to revoke


async def test_a_grant_the_service_refuses_says_why_and_changes_nothing(
    app: BotUnderTest,
) -> None:
    group = await people(app)
    admin = group["admin"]
    await say(app, admin, f"/grant {ANI} vip_lifetime bayar tunai")
    card = await say(app, admin, f"/member {ANI}")
    await tap(app, admin, card, "Beri paket")
    await tap(app, admin, card, "Basic Seumur Hidup")
    await tap(app, admin, card, "Koreksi admin")
    await tap(app, admin, card, "Ya, berikan")

    assert "seumur hidup" in current(app, card)["text"].lower()
    assert labels(app, card) == ["⬅️ Kartu member"]
    assert len(await memberships_of(app, ANI)) == 1


async def holder_of(app: BotUnderTest, username: str) -> int | None:
    async with app.container.uow() as work:
        found = await work.session.execute(
            select(AffiliateAccount.holder_member_id).where(
                AffiliateAccount.tiktok_username == username
            )
        )
        return found.scalar_one()


async def test_an_affiliate_account_is_given_from_the_card_once(app: BotUnderTest) -> None:
    group = await people(app)
    admin = group["admin"]
    for name in ("toko.ani", "toko.dua"):
        await app.container.affiliates.add(NewAccount(username=name), Actor(OWNER_ID, "Owner"))
    await say(app, admin, f"/grant {ANI} vip_lifetime bayar tunai")
    card = await say(app, admin, f"/member {ANI}")

    await tap(app, admin, card, "Akun")
    assert "2 tersedia" in current(app, card)["text"]
    await tap(app, admin, card, "@toko.dua")
    assert current(app, card)["text"].startswith("🎫 Berikan akun @toko.dua")
    confirm = current(app, card)
    do = next(data for text, data in app.core.buttons(confirm) if "Ya, berikan akun" in text)
    assert do is not None
    assert await holder_of(app, "toko.dua") is None  # nothing before the confirmation

    first = await press(app, admin, confirm, do)
    second = await press(app, group["other"], current(app, confirm), do, strict=False)

    assert first["text"] == "Selesai."
    # The second tap asked for what is true now: said kindly, and the card is shown.
    assert second["text"] == (
        "Sudah beres: Ani Lestari memang sudah memegang akun @toko.dua. Tidak ada yang diulang."
    )
    assert second.get("show_alert") is not True
    assert current(app, card)["text"].startswith(f"👤 Ani Lestari · tanpa @username · {ANI}")
    assert "Akun affiliate: @toko.dua" in current(app, card)["text"]
    assert await holder_of(app, "toko.dua") is not None
    assert await holder_of(app, "toko.ani") is None
    assert await count(app, AdminAction, AdminAction.action == "affiliate_assign") == 1

    # Another account for a member who holds one already is still refused, with why.
    await tap(app, admin, card, "Akun")
    assert "sudah memegang akun @toko.dua" in current(app, card)["text"]
    other = AccountCallback(step=AccountStep.DO, member=ANI, account=1).pack()
    answer = await press(app, admin, current(app, card), other, strict=False)
    assert "Sudah beres" not in str(answer.get("text"))
    assert await holder_of(app, "toko.ani") is None

    budi = await say(app, admin, f"/member {BUDI}")  # not a VIP: refused, says why
    await tap(app, admin, budi, "Akun")
    await tap(app, admin, budi, "@toko.ani")
    await tap(app, admin, budi, "Ya, berikan akun")
    assert (
        current(app, budi)["text"] == "Budi bukan VIP aktif, jadi belum bisa diberi akun affiliate."
    )
    assert await holder_of(app, "toko.ani") is None


async def test_a_leader_is_set_and_removed_from_the_card(app: BotUnderTest) -> None:
    group = await people(app)
    admin = group["admin"]
    card = await say(app, admin, f"/member {BUDI}")
    await tap(app, admin, card, "Leader")
    assert "Leader Budi sekarang: tidak ada." in current(app, card)["text"]

    await send(app, app.core.group_media(ADMIN_CHAT, admin, "sticker"))
    asked = app.core.last_sent(ADMIN_CHAT)
    assert asked is not None and asked["text"].startswith("Ketik nama, @username")
    await say(app, admin, "ani")
    assert labels(app, card)[:2] == [f"Ani Lestari · {ANI}", f"Kania · {KANIA}"]
    await tap(app, admin, card, "Ani Lestari")
    assert current(app, card)["text"].startswith("🧭 Jadikan Ani Lestari leader Budi")
    confirm = current(app, card)
    do = next(data for text, data in app.core.buttons(confirm) if "Ya, simpan" in text)
    assert do is not None
    await press(app, admin, confirm, do)

    assert current(app, card)["text"].startswith("✅ Leader Budi")
    team = await app.container.leaders.team(BUDI)
    assert team is not None and team.leader == "Ani Lestari"
    again = await press(app, group["other"], current(app, card), do, strict=False)
    assert again["text"] == (
        "Sudah beres: Ani Lestari memang sudah leader Budi. Tidak ada yang diulang."
    )
    assert "Leader: Ani Lestari" in current(app, card)["text"]  # the card, as it is now
    history = await app.container.leaders.history_of(MemberRef(telegram_id=BUDI))
    assert len(history.links) == 1  # nothing was set twice

    assert "Leader: Ani Lestari" in current(app, card)["text"]
    await tap(app, admin, card, "Leader")
    await tap(app, admin, card, "Lepas leader")
    confirm = current(app, card)
    do = next(data for text, data in app.core.buttons(confirm) if "Ya, simpan" in text)
    assert do is not None
    await press(app, admin, confirm, do)
    second = await press(app, admin, current(app, confirm), do, strict=False)

    assert second["text"] == (
        "Sudah beres: Budi memang sudah tidak punya leader. Tidak ada yang diulang."
    )
    assert current(app, card)["text"].startswith(f"👤 Budi · tanpa @username · {BUDI}")
    assert "Leader: tidak ada" in current(app, card)["text"]
    team = await app.container.leaders.team(BUDI)
    assert team is not None and team.leader is None


async def test_a_member_cannot_be_their_own_leader_from_the_card(app: BotUnderTest) -> None:
    group = await people(app)
    admin = group["admin"]
    card = await say(app, admin, f"/member {BUDI}")
    await tap(app, admin, card, "Leader")
    none = await say(app, admin, "budi")  # only Budi matches: not offered
    assert none["text"].startswith("Tidak ada member yang cocok dengan “budi”.")
    forged = LeaderCallback(step=LeaderStep.DO, member=BUDI, leader=BUDI).pack()
    await press(app, admin, current(app, card), forged, strict=False)
    assert current(app, card)["text"].startswith("Budi tidak bisa menjadi leader dirinya sendiri.")


async def test_the_panel_answers_in_english_for_an_english_admin(app: BotUnderTest) -> None:
    group = await people(app)
    emma = app.core.user(OWNER_ID + 100, "Emma", language_code="en")
    app.core.set_member_status(ADMIN_CHAT, emma["id"], "administrator")
    panel = await say(app, emma, "/menu")
    assert panel["text"].startswith("🏠 Admin panel")
    assert "🔎 Find member" in labels(app, panel)
    assert group  # the others are there too


# ---------------------------------------------------------------------------- payouts


async def earned(app: BotUnderTest, admin: JSON, telegram_id: int, commission: int) -> None:
    """`telegram_id` becomes VIP and has a report worth `commission` validated."""
    await say(app, admin, f"/grant {telegram_id} vip_lifetime bayar tunai")
    reports = app.container.reports
    view = await reports.submit(telegram_id, reports.today(), figures(commission), shots())
    await reports.validate(view.id, view.version, Actor(OWNER_ID, "Owner"))


async def payouts(app: BotUnderTest) -> list[PayoutRow]:
    async with app.container.uow() as work:
        return list(
            (await work.session.execute(select(PayoutRow).order_by(PayoutRow.id))).scalars()
        )


async def test_an_admin_finds_a_member_by_name_and_pays_them_out_with_buttons_only(
    app: BotUnderTest,
) -> None:
    group = await people(app)
    admin = group["admin"]
    await earned(app, admin, ANI, 200_000)
    await earned(app, admin, BUDI, 100_000)
    await app.container.ledger.payout_to(
        MemberRef(telegram_id=BUDI), 10_000, "BCA", None, Actor(OWNER_ID, "Owner")
    )
    available = (await app.container.ledger.balance_for(ANI)).available  # type: ignore[union-attr]
    assert available > 0
    panel = await say(app, admin, "/menu")
    await tap(app, admin, panel, "Cari member")
    results = await say(app, admin, "ani")
    await tap(app, admin, results, "Ani Lestari")
    card = app.core.last_sent(ADMIN_CHAT)
    assert card is not None and f"saldo {format_rupiah(available)}" in card["text"]

    await tap(app, admin, card, "Payout")
    assert f"Saldo tersedia: {format_rupiah(available)}" in current(app, card)["text"]
    await tap(app, admin, card, "Semua")
    assert labels(app, card)[0] == "BCA"  # remembered from the earlier payout
    await tap(app, admin, card, "BCA")
    await tap(app, admin, card, "Tanpa referensi")
    confirm = current(app, card)["text"]
    assert confirm.startswith(f"💸 Bayar semua saldo tersedia ({format_rupiah(available)})")
    assert "lewat BCA, ref -" in confirm
    assert len(await payouts(app)) == 1  # nothing paid before the confirmation

    answer = await tap(app, admin, card, "Ya, bayar")

    assert answer["text"] == "Selesai."
    paid = (await payouts(app))[-1]
    assert (paid.amount, paid.method, paid.reference, paid.created_by) == (
        available,
        "BCA",
        None,
        ADMIN_ID,
    )
    assert current(app, card)["text"].startswith(f"✅ Pembayaran #{paid.id} tercatat")
    assert (await app.container.ledger.balance_for(ANI)).available == 0  # type: ignore[union-attr]
    await deliver(app)
    told = app.core.last_sent(ANI)
    assert told is not None and format_rupiah(available) in told["text"]


async def test_a_payout_with_typed_amount_method_and_reference(app: BotUnderTest) -> None:
    group = await people(app)
    admin = group["admin"]
    await earned(app, admin, ANI, 200_000)
    card = await say(app, admin, f"/member {ANI}")
    await tap(app, admin, card, "Payout")
    await tap(app, admin, card, "Ketik nominal")

    wrong = await say(app, admin, "banyak")
    assert wrong["text"].startswith("“banyak” bukan jumlah rupiah.")
    await say(app, admin, "5rb")
    assert current(app, card)["text"].startswith("💸 Rp 5.000 untuk Ani Lestari")
    await tap(app, admin, card, "Ketik metode")
    await send(app, app.core.group_media(ADMIN_CHAT, admin, "sticker"))
    asked = app.core.last_sent(ADMIN_CHAT)
    assert asked is not None and asked["text"].startswith("Ketik sebagai teks")
    await say(app, admin, "DANA")
    await tap(app, admin, card, "Ketik referensi")
    await say(app, admin, "TRX <9>")
    confirm = current(app, card)["text"]
    assert confirm.startswith("💸 Bayar Rp 5.000 ke Ani Lestari")
    assert "lewat DANA, ref TRX <9>" in confirm

    await tap(app, admin, card, "Ya, bayar")

    [paid] = await payouts(app)
    assert (paid.amount, paid.method, paid.reference) == (5_000, "DANA", "TRX <9>")


async def test_the_same_payout_confirmation_tapped_twice_pays_once(app: BotUnderTest) -> None:
    group = await people(app)
    admin = group["admin"]
    await earned(app, admin, ANI, 200_000)
    await app.container.ledger.payout_to(
        MemberRef(telegram_id=ANI), 1_000, "BCA", None, Actor(OWNER_ID, "Owner")
    )
    card = await say(app, admin, f"/member {ANI}")
    await tap(app, admin, card, "Payout")
    await tap(app, admin, card, "Ketik nominal")
    await say(app, admin, "2rb")
    await tap(app, admin, card, "BCA")
    await tap(app, admin, card, "Tanpa referensi")
    confirm = current(app, card)
    do = next(data for text, data in app.core.buttons(confirm) if "Ya, bayar" in text)
    assert do is not None

    first = await press(app, admin, confirm, do)
    second = await press(app, group["other"], current(app, confirm), do, strict=False)

    assert first["text"] == "Selesai."
    assert second["text"] == "Sudah dilakukan; tidak ada yang diulang."
    assert [p.amount for p in await payouts(app)] == [1_000, 2_000]


async def test_a_second_payout_from_the_same_card_is_a_new_payout(app: BotUnderTest) -> None:
    group = await people(app)
    admin = group["admin"]
    await earned(app, admin, ANI, 200_000)
    card = await say(app, admin, f"/member {ANI}")
    for amount in ("2rb", "3rb"):  # the card's screen is edited in place both times
        await tap(app, admin, current(app, card), "Payout")
        await tap(app, admin, current(app, card), "Ketik nominal")
        await say(app, admin, amount)
        await tap(app, admin, current(app, card), "Ketik metode")
        await say(app, admin, "BCA")
        await tap(app, admin, current(app, card), "Tanpa referensi")
        answer = await tap(app, admin, current(app, card), "Ya, bayar")
        assert answer["text"] == "Selesai."
        await tap(app, admin, current(app, card), "Kartu member")
    assert [p.amount for p in await payouts(app)] == [2_000, 3_000]


async def test_paying_all_pays_the_balance_the_admin_saw(app: BotUnderTest) -> None:
    group = await people(app)
    admin = group["admin"]
    await earned(app, admin, ANI, 200_000)
    seen = (await app.container.ledger.balance_for(ANI)).available  # type: ignore[union-attr]
    card = await say(app, admin, f"/member {ANI}")
    await tap(app, admin, card, "Payout")
    await tap(app, admin, current(app, card), "Semua")
    await tap(app, admin, current(app, card), "Ketik metode")
    await say(app, admin, "BCA")
    await tap(app, admin, current(app, card), "Tanpa referensi")
    assert format_rupiah(seen) in current(app, card)["text"]
    # Another report is validated before the admin confirms: it is not paid unseen.
    app.container.clock.advance(days=1)  # type: ignore[attr-defined]
    reports = app.container.reports
    view = await reports.submit(ANI, reports.today(), figures(100_000), shots())
    await reports.validate(view.id, view.version, Actor(OWNER_ID, "Owner"))
    grown = (await app.container.ledger.balance_for(ANI)).available  # type: ignore[union-attr]
    assert grown > seen

    await tap(app, admin, current(app, card), "Ya, bayar")

    assert [p.amount for p in await payouts(app)] == [seen]
    assert (await app.container.ledger.balance_for(ANI)).available > 0  # type: ignore[union-attr]


async def test_a_typed_step_left_with_a_button_is_not_taken_later(app: BotUnderTest) -> None:
    group = await people(app)
    admin = group["admin"]
    await earned(app, admin, ANI, 200_000)
    card = await say(app, admin, f"/member {ANI}")
    await tap(app, admin, card, "Payout")
    await tap(app, admin, current(app, card), "Semua")
    await tap(app, admin, current(app, card), "Ketik metode")
    await tap(app, admin, current(app, card), "Kartu member")  # leaves the typed step
    await tap(app, admin, current(app, card), "Payout")  # a new payout on the same screen

    before = len(app.core.sent_to(ADMIN_CHAT))
    await send(app, app.core.group_text(ADMIN_CHAT, admin, "BCA"))
    await send(app, app.core.group_text(ADMIN_CHAT, admin, "rapat jam 3"))

    assert len(app.core.sent_to(ADMIN_CHAT)) == before  # not taken: no answer, no error
    assert await payouts(app) == []
    assert "Berapa yang dibayar?" in current(app, card)["text"]  # the new payout waits


async def test_a_search_left_with_a_button_does_not_search_later_chatter(
    app: BotUnderTest,
) -> None:
    group = await people(app)
    admin = group["admin"]
    panel = await say(app, admin, "/menu")
    await tap(app, admin, panel, "Cari member")
    await tap(app, admin, current(app, panel), "Panel")  # changed their mind
    before = len(app.core.sent_to(ADMIN_CHAT))
    await send(app, app.core.group_text(ADMIN_CHAT, admin, "ani sudah transfer belum ya"))
    assert len(app.core.sent_to(ADMIN_CHAT)) == before


async def test_a_payout_beyond_the_balance_or_of_nothing_pays_nothing(app: BotUnderTest) -> None:
    group = await people(app)
    admin = group["admin"]
    card = await say(app, admin, f"/member {BUDI}")
    answer = await tap(app, admin, card, "Payout")
    assert answer["text"] == "Budi tidak punya saldo tersedia. Tidak ada yang dibayar."

    await earned(app, admin, ANI, 100_000)
    card = await say(app, admin, f"/member {ANI}")
    await tap(app, admin, card, "Payout")
    await tap(app, admin, card, "Ketik nominal")
    await say(app, admin, "99jt")
    await tap(app, admin, card, "Ketik metode")
    await say(app, admin, "BCA")
    await tap(app, admin, card, "Tanpa referensi")
    await tap(app, admin, card, "Ya, bayar")

    assert "melebihi saldo tersedia Ani Lestari" in current(app, card)["text"]
    assert labels(app, card) == ["⬅️ Kartu member"]
    assert await payouts(app) == []


async def test_a_stale_payout_screen_pays_nothing(app: BotUnderTest) -> None:
    group = await people(app)
    admin = group["admin"]
    await earned(app, admin, ANI, 100_000)
    panel = await say(app, admin, "/menu")
    for step in (PayStep.ALL, PayStep.DO, PayStep.NO_REFERENCE):
        forged = PayCallback(step=step, member=ANI).pack()
        answer = await press(app, admin, panel, forged, strict=False)
        assert answer["text"].startswith("Tombol ini sudah tidak berlaku.")
    card = await say(app, admin, f"/member {ANI}")
    await tap(app, admin, card, "Payout")
    other = PayCallback(step=PayStep.ALL, member=BUDI).pack()  # another member's button
    answer = await press(app, admin, current(app, card), other, strict=False)
    assert answer["text"].startswith("Tombol ini sudah tidak berlaku.")
    assert await payouts(app) == []


async def test_payouts_owed_lists_who_has_a_balance_most_owed_first(app: BotUnderTest) -> None:
    group = await people(app)
    admin = group["admin"]
    panel = await say(app, admin, "/menu")
    await tap(app, admin, panel, "Payout terutang")
    assert current(app, panel)["text"].startswith("💸 Tidak ada payout terutang")
    await tap(app, admin, panel, "Panel")

    await earned(app, admin, ANI, 100_000)
    await earned(app, admin, BUDI, 300_000)
    ani = (await app.container.ledger.balance_for(ANI)).available  # type: ignore[union-attr]
    budi = (await app.container.ledger.balance_for(BUDI)).available  # type: ignore[union-attr]
    await tap(app, admin, panel, "Payout terutang")

    listed = current(app, panel)
    assert listed["text"].startswith(
        f"💸 Payout terutang: 2 member, total {format_rupiah(ani + budi)}"
    )
    assert labels(app, panel)[:2] == [
        f"Budi · {format_rupiah(budi)}",
        f"Ani Lestari · {format_rupiah(ani)}",
    ]
    await tap(app, admin, panel, "Budi")
    card = app.core.last_sent(ADMIN_CHAT)
    assert card is not None and card["text"].startswith(f"👤 Budi · tanpa @username · {BUDI}")


async def test_numbers_and_exports_buttons_answer_as_the_typed_commands(
    app: BotUnderTest,
) -> None:
    group = await people(app)
    owner = group["owner"]
    panel = await say(app, owner, "/menu")
    for label, command in (
        ("Angka", "/numbers"),
        ("Ekspor CSV", "/export"),
        ("Riwayat pengumuman", "/announcements"),
        ("Meeting", "/meetings"),
        ("Materi", "/library"),
    ):
        await tap(app, owner, panel, label)
        shown = app.core.last_sent(ADMIN_CHAT)
        typed = await say(app, owner, command)
        assert shown is not None and shown["text"] == typed["text"]
        assert labels(app, shown) == labels(app, typed)


async def test_a_new_announcement_and_the_answer_signature_are_reached_by_buttons(
    app: BotUnderTest,
) -> None:
    group = await people(app)
    admin = group["admin"]
    panel = await say(app, admin, "/menu")
    await tap(app, admin, panel, "Pengumuman baru")
    asked = app.core.last_sent(ADMIN_CHAT)
    typed = await say(app, admin, "/announce")
    assert asked is not None and asked["text"] == typed["text"]
    await say(app, admin, "/cancel")
    listing = await say(app, admin, "/questions")
    assert "Tidak ada pertanyaan yang menunggu jawaban" in listing["text"]
    await tap(app, admin, listing, "Tanda tangan jawaban")
    chooser = app.core.last_sent(ADMIN_CHAT)
    assert chooser is not None and "Tim Admin" in chooser["text"]
    assert labels(app, chooser) == labels(app, await say(app, admin, "/signature"))


async def test_menu_is_in_the_admin_groups_command_list_in_both_languages(
    app: BotUnderTest,
) -> None:
    admin_group(app)
    await register_commands(app.bot, app.container.i18n, ADMIN_CHAT)
    lists = [
        {c["command"]: c["description"] for c in commands}
        for commands in app.core.commands.values()
        if any(c["command"] == "pending" for c in commands)
    ]
    assert sorted(menu["menu"] for menu in lists) == [
        "Admin panel: what waits, and every menu",
        "Panel admin: yang menunggu dan semua menu",
    ]
