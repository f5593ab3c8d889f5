"""The owner stops and resumes selling a plan, and turns a payment method off and on,
with buttons under /plans and /methods: a confirmation that says what changes for
members, the typed command's own change, the list redrawn in place with a note."""

from __future__ import annotations

from sqlalchemy import func, select

from handlers.admin.setup.callbacks import SwitchCallback, SwitchStep, SwitchWhat
from storage.models import AdminAction, Membership, PaymentMethod, Plan
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.shopkit import (
    add_method,
    add_plan,
    admin_group,
    buy_until_payment_screen,
    cards,
    current,
    deliver,
    find_button,
    open_shop,
    plan_id_of,
    press,
    send,
    start,
)
from tests.handlers.shopkit import tap as tap_on
from tests.kit.faketelegram import JSON
from tests.kit.images import receipt_jpeg

ONLY_OWNER = "Maaf, ini hanya untuk pemilik (owner)."
DONE = "Selesai."
ALREADY_DONE = "Sudah dilakukan; tidak ada yang diulang."


async def say(app: BotUnderTest, user: JSON, text: str) -> JSON:
    """`user` writes `text` in the admin group; the bot's last message there afterwards."""
    await send(app, app.core.group_text(ADMIN_CHAT, user, text))
    message = app.core.last_sent(ADMIN_CHAT)
    assert message is not None
    return message


async def tap(app: BotUnderTest, user: JSON, message: JSON, label: str) -> JSON:
    return await tap_on(app, user, current(app, message), label)


def text_of(app: BotUnderTest, message: JSON) -> str:
    return str(current(app, message)["text"])


def labels(app: BotUnderTest, message: JSON) -> list[str]:
    return [text for text, _ in app.core.buttons(current(app, message))]


async def on_sale(app: BotUnderTest) -> dict[str, bool]:
    async with app.container.uow() as work:
        rows = await work.session.execute(select(Plan.code, Plan.is_active))
        return dict(rows.tuples().all())


async def active(app: BotUnderTest) -> dict[str, bool]:
    async with app.container.uow() as work:
        rows = await work.session.execute(select(PaymentMethod.code, PaymentMethod.is_active))
        return dict(rows.tuples().all())


async def audited(app: BotUnderTest, action: str) -> int:
    async with app.container.uow() as work:
        query = select(func.count()).select_from(AdminAction).where(AdminAction.action == action)
        return int((await work.session.execute(query)).scalar_one())


async def membership_status(app: BotUnderTest, plan_code: str) -> str:
    """The status of the one membership of that plan."""
    plan_id = await plan_id_of(app, plan_code)
    async with app.container.uow() as work:
        query = select(Membership.status).where(Membership.plan_id == plan_id)
        return str((await work.session.execute(query)).scalar_one())


def shop_buttons(app: BotUnderTest, shop: JSON) -> list[str]:
    return [text for text, _ in app.core.buttons(shop)]


# ---------------------------------------------------------------------------- plans


async def test_the_owner_stops_selling_a_plan_and_sells_it_again_with_buttons(
    app: BotUnderTest,
) -> None:
    owner = admin_group(app)["owner"]
    ani = await start(app, 1001, "Ani")
    panel = await say(app, owner, "/menu")
    await tap(app, owner, panel, "Paket & harga")
    listed = app.core.last_sent(ADMIN_CHAT)
    assert listed is not None
    assert "⏸ Stop jual VIP Seumur Hidup" in labels(app, listed)

    await tap(app, owner, listed, "Stop jual VIP Seumur Hidup")
    asked = text_of(app, listed)
    assert asked.startswith("⏸ Stop jual VIP Seumur Hidup?")
    assert "tidak bisa membelinya" in asked
    assert "Yang sudah memilikinya tetap memilikinya, seumur hidup." in asked
    assert labels(app, listed) == ["⏸ Ya, stop jual", "⬅️ Kembali ke daftar"]
    assert (await on_sale(app))["vip_lifetime"] is True  # nothing before the confirmation

    answer = await tap(app, owner, listed, "Ya, stop jual")
    assert answer["text"] == DONE
    shown = text_of(app, listed)
    assert shown.startswith("✅ VIP Seumur Hidup (vip_lifetime) tidak dijual lagi.\n\n")
    assert "vip_lifetime — VIP Seumur Hidup — Rp 299.000 — tidak dijual" in shown
    assert "▶️ Jual lagi VIP Seumur Hidup" in labels(app, listed)
    assert (await on_sale(app))["vip_lifetime"] is False
    shop = await open_shop(app, ani)
    assert not any("VIP Seumur Hidup" in label for label in shop_buttons(app, shop))

    await tap(app, owner, listed, "Jual lagi VIP Seumur Hidup")
    assert text_of(app, listed).startswith("▶️ Jual lagi VIP Seumur Hidup?")
    assert "harga sekarang, Rp 299.000" in text_of(app, listed)
    await tap(app, owner, listed, "Ya, jual lagi")
    assert text_of(app, listed).startswith("✅ VIP Seumur Hidup (vip_lifetime) dijual lagi.")
    assert "⏸ Stop jual VIP Seumur Hidup" in labels(app, listed)
    shop = await open_shop(app, ani)
    assert any("VIP Seumur Hidup" in label for label in shop_buttons(app, shop))
    assert await audited(app, "catalog.retire_plan") == 1
    assert await audited(app, "catalog.unretire_plan") == 1


async def test_stopping_a_temporal_plan_says_it_cannot_be_renewed_and_keeps_it_running(
    app: BotUnderTest,
) -> None:
    owner = admin_group(app)["owner"]
    await add_plan(app, "vip_30d", "vip", 30, 150_000, position=3)
    await start(app, 1001, "Ani")
    granted = await say(app, owner, "/grant 1001 vip_30d bayar tunai")
    assert granted["text"].startswith("✅")
    listed = await say(app, owner, "/plans")

    await tap(app, owner, listed, "Stop jual VIP 30 hari")
    asked = text_of(app, listed)
    assert "tidak bisa membeli atau memperpanjangnya" in asked
    assert "tetap aktif sampai tanggal berakhirnya" in asked
    await tap(app, owner, listed, "Ya, stop jual")

    assert (await on_sale(app))["vip_30d"] is False
    assert await membership_status(app, "vip_30d") == "active"


async def test_back_to_the_list_changes_nothing(app: BotUnderTest) -> None:
    owner = admin_group(app)["owner"]
    listed = await say(app, owner, "/plans")
    before = text_of(app, listed)
    await tap(app, owner, listed, "Stop jual Basic Seumur Hidup")
    await tap(app, owner, listed, "Kembali ke daftar")
    assert text_of(app, listed) == before
    assert (await on_sale(app))["basic_lifetime"] is True


async def test_a_stale_stop_button_says_it_is_already_stopped_and_redraws_the_list(
    app: BotUnderTest,
) -> None:
    owner = admin_group(app)["owner"]
    old = await say(app, owner, "/plans")
    typed = await say(app, owner, "/retireplan vip_lifetime")  # the shortcut still works
    assert typed["text"].startswith("✅ VIP Seumur Hidup (vip_lifetime) tidak dijual lagi.")

    answer = await tap(app, owner, old, "Stop jual VIP Seumur Hidup")
    assert answer == {
        "text": "Paket ini memang sudah tidak dijual. Tidak ada yang diubah.",
        "show_alert": True,
    }
    shown = text_of(app, old)
    assert shown.startswith("VIP Seumur Hidup (vip_lifetime) memang sudah tidak dijual.")
    assert "▶️ Jual lagi VIP Seumur Hidup" in labels(app, old)
    assert await audited(app, "catalog.retire_plan") == 1


async def test_the_same_stop_confirmation_tapped_twice_stops_once(app: BotUnderTest) -> None:
    owner = admin_group(app)["owner"]
    listed = await say(app, owner, "/plans")
    await tap(app, owner, listed, "Stop jual VIP Seumur Hidup")
    confirm = current(app, listed)
    do = find_button(app, confirm, "Ya, stop jual")

    first = await press(app, owner, confirm, do)
    second = await press(app, owner, confirm, do, strict=False)

    assert first["text"] == DONE
    assert second == {"text": ALREADY_DONE, "show_alert": True}
    assert "memang sudah tidak dijual" in text_of(app, listed)
    assert "▶️ Jual lagi VIP Seumur Hidup" in labels(app, listed)
    assert await audited(app, "catalog.retire_plan") == 1


# ---------------------------------------------------------------------------- methods


async def test_the_owner_turns_a_method_off_and_on_with_buttons(app: BotUnderTest) -> None:
    owner = admin_group(app)["owner"]
    await add_method(app, "BCA")
    await add_method(app, "DANA", number="081234567890", name="Budi")
    listed = await say(app, owner, "/methods")
    assert labels(app, listed) == [
        "🔴 Matikan BCA",
        "🔴 Matikan DANA",
        "➕ Tambah metode",
        "⬅️ Panel",
    ]

    await tap(app, owner, listed, "Matikan BCA")
    asked = text_of(app, listed)
    assert asked.startswith("🔴 Matikan BCA?")
    assert "Member tidak melihat BCA lagi saat memilih cara bayar." in asked
    assert "terakhir" not in asked  # DANA stays on
    assert (await active(app))["bca"] is True
    answer = await tap(app, owner, listed, "Ya, matikan")

    assert answer["text"] == DONE
    shown = text_of(app, listed)
    assert shown.startswith("✅ BCA dimatikan; member tidak melihatnya lagi.\n\n")
    assert "bca — Bank BCA: PT Kreator Nusantara · 1234567890 — nonaktif" in shown
    assert labels(app, listed)[:2] == ["🟢 Nyalakan BCA", "🔴 Matikan DANA"]
    assert await active(app) == {"bca": False, "dana": True}

    await tap(app, owner, listed, "Nyalakan BCA")
    asked = text_of(app, listed)
    assert asked.startswith("🟢 Nyalakan BCA?") and "1234567890" in asked
    await tap(app, owner, listed, "Ya, nyalakan")
    assert text_of(app, listed).startswith("✅ BCA aktif lagi.")
    assert await active(app) == {"bca": True, "dana": True}


async def test_turning_off_the_last_method_warns_that_members_cannot_pay(
    app: BotUnderTest,
) -> None:
    owner = admin_group(app)["owner"]
    await add_method(app, "BCA")
    ani = await start(app, 1001, "Ani")
    listed = await say(app, owner, "/methods")
    await tap(app, owner, listed, "Matikan BCA")
    assert "⚠️ Ini metode aktif terakhir" in text_of(app, listed)
    await tap(app, owner, listed, "Ya, matikan")
    assert await active(app) == {"bca": False}

    shop = await open_shop(app, ani)
    await tap_on(app, ani, shop, "VIP Seumur Hidup")
    quote = app.core.last_sent(1001)
    assert quote is not None
    told = await tap_on(app, ani, current(app, quote), "Lanjut bayar")
    assert told["text"].startswith("Maaf, metode pembayaran belum disiapkan admin.")


async def test_a_stale_method_button_and_a_double_confirmation_change_it_once(
    app: BotUnderTest,
) -> None:
    owner = admin_group(app)["owner"]
    await add_method(app, "BCA")
    old = await say(app, owner, "/methods")
    listed = await say(app, owner, "/methods")
    await tap(app, owner, listed, "Matikan BCA")
    confirm = current(app, listed)
    do = find_button(app, confirm, "Ya, matikan")
    assert (await press(app, owner, confirm, do))["text"] == DONE
    assert await press(app, owner, confirm, do, strict=False) == {
        "text": ALREADY_DONE,
        "show_alert": True,
    }

    answer = await tap(app, owner, old, "Matikan BCA")
    assert answer == {
        "text": "Metode ini memang sudah nonaktif. Tidak ada yang diubah.",
        "show_alert": True,
    }
    assert text_of(app, old).startswith("Metode bca (BCA) memang sudah nonaktif.")
    assert labels(app, old)[0] == "🟢 Nyalakan BCA"
    assert await audited(app, "payment_method.off") == 1


async def test_a_payment_opened_before_the_plan_and_its_method_were_stopped_still_goes_through(
    app: BotUnderTest,
) -> None:
    """What both confirmations promise: a payment already opened keeps its proof step
    and the admins' decision."""
    group = admin_group(app)
    owner = group["owner"]
    await add_method(app, "BCA")
    await add_method(app, "DANA", number="081234567890", name="Budi")
    ani = await start(app, 1001, "Ani")
    await buy_until_payment_screen(app, ani, "VIP Seumur Hidup")
    plans = await say(app, owner, "/plans")
    await tap(app, owner, plans, "Stop jual VIP Seumur Hidup")
    await tap(app, owner, plans, "Ya, stop jual")
    methods = await say(app, owner, "/methods")
    await tap(app, owner, methods, "Matikan BCA")
    await tap(app, owner, methods, "Ya, matikan")
    assert (await on_sale(app))["vip_lifetime"] is False
    assert await active(app) == {"bca": False, "dana": True}

    await send(app, app.core.private_photo(ani, receipt_jpeg()))
    await deliver(app)
    card = cards(app)[-1]
    assert "BCA" in card["caption"]
    await tap_on(app, group["admin"], card, "Setujui")

    assert await membership_status(app, "vip_lifetime") == "active"


# ---------------------------------------------------------------------------- who may tap


async def test_admins_and_strangers_tapping_the_switches_change_nothing(
    app: BotUnderTest,
) -> None:
    group = admin_group(app)
    owner = group["owner"]
    method_id = await add_method(app, "BCA")
    plans = await say(app, owner, "/plans")
    methods = await say(app, owner, "/methods")
    plan_id = await plan_id_of(app, "vip_lifetime")
    shown = text_of(app, plans), text_of(app, methods)

    do_plan = SwitchCallback(what=SwitchWhat.PLAN, step=SwitchStep.DO, id=plan_id, on=False)
    do_method = do_plan.model_copy(update={"what": SwitchWhat.METHOD, "id": method_id})
    for message, packed in (
        (plans, find_button(app, current(app, plans), "Stop jual VIP Seumur Hidup")),
        (plans, do_plan.pack()),
        (methods, find_button(app, current(app, methods), "Matikan BCA")),
        (methods, do_method.pack()),
    ):
        for who in (group["admin"], group["stranger"]):
            answer = await press(app, who, current(app, message), packed, strict=False)
            assert answer["text"] == ONLY_OWNER

    assert (text_of(app, plans), text_of(app, methods)) == shown
    assert (await on_sale(app))["vip_lifetime"] is True
    assert await active(app) == {"bca": True}
    # An admin's /plans and /methods have no owner's buttons at all.
    assert app.core.buttons(await say(app, group["admin"], "/plans")) == []


async def test_a_forged_plan_or_method_id_is_not_found(app: BotUnderTest) -> None:
    owner = admin_group(app)["owner"]
    listed = await say(app, owner, "/plans")
    before = text_of(app, listed)
    for what, told in (
        (SwitchWhat.PLAN, "Paket ini tidak ditemukan."),
        (SwitchWhat.METHOD, "Metode ini tidak ditemukan."),
    ):
        for step in SwitchStep:
            data = SwitchCallback(what=what, step=step, id=2**31 - 1, on=False).pack()
            answer = await press(app, owner, listed, data, strict=False)
            assert answer["text"].startswith(told) and answer["show_alert"]
    out_of_range = await press(app, owner, listed, "sw:plan:do:99999999999:0", strict=False)
    assert out_of_range["text"].startswith("Tombol ini sudah tidak berlaku.")
    assert text_of(app, listed) == before
    assert all((await on_sale(app)).values())


async def test_an_english_owner_gets_the_switches_in_english(app: BotUnderTest) -> None:
    emma = app.core.user(7101, "Emma", language_code="en")
    app.core.make_group(ADMIN_CHAT, "Admin", creator=emma)
    await add_method(app, "BCA")
    listed = await say(app, emma, "/plans")
    assert "⏸ Stop selling VIP Lifetime" in labels(app, listed)
    await tap(app, emma, listed, "Stop selling VIP Lifetime")
    assert text_of(app, listed).startswith("⏸ Stop selling VIP Lifetime?")
    await tap(app, emma, listed, "Yes, stop selling")
    assert text_of(app, listed).startswith("✅ VIP Lifetime (vip_lifetime) is off sale.")
    methods = await say(app, emma, "/methods")
    assert labels(app, methods)[0] == "🔴 Turn off BCA"
