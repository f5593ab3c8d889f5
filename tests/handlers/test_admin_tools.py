"""Admin-group commands through the real dispatcher, as admins and the owner type them."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from domain.language import SUPPORTED
from domain.membership import MembershipStatus
from domain.money import MoneyError
from domain.states import PaymentMethodKind, PaymentStatus
from kernel.admin_input import AdminProblem
from kernel.i18n import load_catalogs
from storage.models import (
    AdminAction,
    Membership,
    OutboxMessage,
    PaymentMethod,
    PaymentRequest,
    Plan,
    PlanPriceChange,
)
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.kit.clock import FrozenClock

OWNER, ADMIN, ENGLISH_ADMIN, STRANGER = 500, 501, 503, 502
ANI, BUDI = 1001, 1002
ONLY_ADMINS = "Maaf, ini hanya untuk admin grup admin."
ONLY_OWNER = "Maaf, ini hanya untuk pemilik (owner)."
OWNER_COMMANDS = (
    "/plans",
    "/setprice vip_lifetime 1jt",
    "/addplan vip 30 150rb",
    "/retireplan vip_lifetime",
    "/unretireplan vip_lifetime",
    "/methods",
    "/addmethod bank BCA | Budi | 1234567890",
    "/methodoff bca",
    "/methodon bca",
)


@dataclass
class World:
    app: BotUnderTest
    clock: FrozenClock

    async def say(self, user: int, text: str, chat_id: int = ADMIN_CHAT) -> str:
        """`user` writes `text` in a group; the bot's answers there, joined."""
        before = len(self.app.core.sent_to(chat_id))
        self.clock.advance(seconds=1)  # people type slower than the flood limit
        await self.app.send(self.app.core.group_text(chat_id, user, text))
        return "\n".join(m["text"] for m in self.app.core.sent_to(chat_id)[before:])

    async def photo(self, user: int, caption: str) -> tuple[str, list[dict[str, Any]]]:
        """`user` posts a picture with `caption` in the admin group: the answer and the sizes."""
        before = len(self.app.core.sent_to(ADMIN_CHAT))
        self.clock.advance(seconds=1)
        update = self.app.core.group_photo(ADMIN_CHAT, user, jpeg(), caption)
        await self.app.send(update)
        text = "\n".join(m["text"] for m in self.app.core.sent_to(ADMIN_CHAT)[before:])
        return text, update["message"]["photo"]

    async def told(self, telegram_id: int) -> list[str]:
        """Deliver queued messages; what the member has received so far."""
        await self.app.container.relay.run_once()
        return [m["text"] for m in self.app.core.sent_to(telegram_id)][2:]  # after /start's two

    async def count(self, model: Any, *where: Any) -> int:
        async with self.app.container.uow() as work:
            query = select(func.count()).select_from(model).where(*where)
            return int((await work.session.execute(query)).scalar_one())

    async def memberships(self, telegram_id: int) -> list[Membership]:
        async with self.app.container.uow() as work:
            member = await work.members.by_telegram_id(telegram_id)
            assert member is not None
            result = await work.session.execute(
                select(Membership).where(Membership.member_id == member.id).order_by(Membership.id)
            )
            return list(result.scalars())

    async def plan(self, code: str) -> Plan | None:
        async with self.app.container.uow() as work:
            result = await work.session.execute(select(Plan).where(Plan.code == code))
            return result.scalar_one_or_none()

    async def snapshot(self) -> tuple[int, ...]:
        """Counts of everything an admin command can change."""
        return (
            await self.count(Membership),
            await self.count(AdminAction),
            await self.count(OutboxMessage),
            await self.count(Plan),
            await self.count(Plan, Plan.is_active.is_(True)),
            await self.count(PlanPriceChange),
            await self.count(PaymentMethod),
            await self.count(PaymentMethod, PaymentMethod.is_active.is_(True)),
        )


def jpeg(width: int = 900, height: int = 900) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (250, 250, 250)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
async def world(app: BotUnderTest, clock: FrozenClock) -> World:
    core = app.core
    owner = core.user(OWNER, "Olivia")
    core.make_group(ADMIN_CHAT, "Admin", creator=owner)
    core.user(ADMIN, "Adi")
    core.set_member_status(ADMIN_CHAT, ADMIN, "administrator")
    core.user(ENGLISH_ADMIN, "Emma", language_code="en")
    core.set_member_status(ADMIN_CHAT, ENGLISH_ADMIN, "administrator")
    core.user(STRANGER, "Sam")
    core.set_member_status(ADMIN_CHAT, STRANGER, "member")
    ani = core.user(ANI, "Ani", username="ani_kreator", started=True)
    budi = core.user(BUDI, "Budi", language_code="en", started=True)
    await app.send(core.command(ani, "/start"))
    await app.send(core.command(budi, "/start"))
    return World(app, clock)


# ---------------------------------------------------------------------------- /member


async def test_member_shows_profile_memberships_and_payments(world: World) -> None:
    await world.say(ADMIN, "/grant @ani_kreator basic_lifetime bayar tunai")
    request = await world.app.container.payments.start_purchase(ANI, 2)
    text = await world.say(ADMIN, "/member @ANI_kreator")
    assert text.startswith("👤 Ani · @ani_kreator · 1001")
    assert "Bahasa: 🇮🇩 Bahasa Indonesia" in text
    assert "Tingkat efektif: Basic" in text
    lines = text.splitlines()
    assert (
        "• Basic Seumur Hidup — aktif · mulai 10 Jan 2026 · seumur hidup · diberikan manual"
        in lines
    )
    payment = f"• #{request.id} VIP Seumur Hidup · Rp 202.000 · menunggu bukti · 10 Jan 2026 10.00"
    assert payment in lines
    assert await world.say(ADMIN, "/member 1001") == text


async def test_member_in_english_with_temporal_and_ended_memberships(world: World) -> None:
    await world.say(OWNER, "/addplan vip 30 150rb")
    await world.say(ADMIN, "/grant 1002 vip_30d promo")
    await world.say(ADMIN, "/revoke 1002 vip_30d mistake")
    world.clock.advance(days=2)
    await world.say(ADMIN, "/grant 1002 vip_30d promo again")
    text = await world.say(ENGLISH_ADMIN, "/member 1002")
    assert text.startswith("👤 Budi · no @username · 1002")
    assert "Effective tier: VIP" in text
    lines = text.splitlines()
    active = lines.index("Memberships") + 1
    assert lines[active].startswith(
        "• VIP 30 days — active · since 12 Jan 2026 · until 11 Feb 2026"
    )
    # A second after the grant: 29 whole days and some hours are left (rounded down).
    assert "(29 days left) · granted by hand" in lines[active]
    assert lines[active + 1].startswith("• VIP 30 days — cancelled 10 Jan 2026")
    assert "— none yet —" in text  # no payment requests


async def test_member_with_bad_input_says_what_is_accepted(world: World) -> None:
    usage = await world.say(ADMIN, "/member")
    assert usage.startswith("Format: /member ID_TELEGRAM atau /member @username")
    assert await world.say(ADMIN, "/member 1001 1002") == usage
    bad = await world.say(ADMIN, "/member @ani-kreator!")
    assert bad.startswith("“@ani-kreator!” bukan ID Telegram atau @username.")
    unknown = await world.say(ADMIN, "/member 4242")
    assert unknown.startswith("Member 4242 tidak ditemukan.")
    assert "/start" in unknown
    unknown_name = await world.say(ADMIN, "/member @nobody_here")
    assert unknown_name.startswith("Member @nobody_here tidak ditemukan.")


# ---------------------------------------------------------------------------- /grant


async def test_grant_lifetime_records_and_tells_the_member(world: World) -> None:
    reply = await world.say(ADMIN, "/grant 1001 vip_lifetime transfer ke BCA owner 12-01")
    assert reply == (
        "✅ VIP Seumur Hidup diberikan ke Ani (1001), berlaku seumur hidup.\n"
        "Alasan: transfer ke BCA owner 12-01\n"
        "Member akan diberi tahu."
    )
    [row] = await world.memberships(ANI)
    assert (row.status, row.expires_at, row.granted_by) == ("active", None, ADMIN)
    assert row.grant_reason == "transfer ke BCA owner 12-01"
    async with world.app.container.uow() as work:
        action = (await work.session.execute(select(AdminAction))).scalar_one()
    assert (action.actor_telegram_id, action.action, action.target) == (
        ADMIN,
        "membership.grant",
        "member:1001",
    )
    assert action.details["name"] == "Adi" and action.created_at == world.clock.now()
    assert await world.told(ANI) == [
        "🎁 Kamu sekarang anggota VIP Seumur Hidup, berlaku seumur hidup (diaktifkan oleh admin)."
    ]


async def test_grant_twice_or_below_a_lifetime_changes_nothing(world: World) -> None:
    await world.say(ADMIN, "/grant 1002 vip_lifetime paid")
    before = await world.snapshot()
    again = await world.say(ADMIN, "/grant 1002 vip_lifetime paid twice")
    assert again == "Budi sudah punya VIP Seumur Hidup yang aktif. Tidak ada yang diubah."
    lower = await world.say(ADMIN, "/grant 1002 basic_lifetime why")
    assert lower.startswith("Budi sudah punya VIP Seumur Hidup (seumur hidup, tingkat sama")
    assert await world.snapshot() == before
    # The member hears once, in English.
    assert await world.told(BUDI) == [
        "🎁 You are now a VIP Lifetime member, for life (activated by an admin)."
    ]


async def test_grant_a_temporal_plan_then_extend_it(world: World) -> None:
    await world.say(OWNER, "/addplan vip 30 150rb")
    first = await world.say(ADMIN, "/grant @ani_kreator vip_30d bayar bulan 1")
    assert first.startswith("✅ VIP 30 hari diberikan ke Ani (1001), berlaku sampai 9 Feb 2026.")
    world.clock.advance(days=10)
    second = await world.say(ADMIN, "/grant @ani_kreator vip_30d bayar bulan 2")
    assert second.startswith(
        "✅ VIP 30 hari milik Ani (1001) diperpanjang: 9 Feb 2026 → 11 Mar 2026."
    )
    [row] = await world.memberships(ANI)
    assert row.expires_at is not None
    assert row.expires_at - row.activated_at == timedelta(days=60)  # type: ignore[operator]
    assert await world.told(ANI) == [
        "🎁 Kamu sekarang anggota VIP 30 hari, berlaku sampai 9 Feb 2026 (diaktifkan oleh admin).",
        "🎁 Keanggotaan VIP 30 hari kamu diperpanjang sampai 11 Mar 2026.",
    ]


async def test_grant_with_bad_input_says_what_is_wrong(world: World) -> None:
    before = await world.snapshot()
    usage = await world.say(ADMIN, "/grant")
    assert usage.startswith("Format: /grant ID_atau_@username KODE_PAKET ALASAN")
    assert await world.say(ADMIN, "/grant 1001") == usage
    no_reason = await world.say(ADMIN, "/grant 1001 vip_lifetime")
    assert no_reason.startswith("Alasan wajib diisi")
    long = await world.say(ADMIN, "/grant 1001 vip_lifetime " + "x" * 600)
    assert long == "Alasan terlalu panjang (600 karakter); maksimal 500 karakter."
    unknown_plan = await world.say(ADMIN, "/grant 1001 gold paid")
    assert unknown_plan == (
        "Paket gold tidak ada. Kode paket yang ada: basic_lifetime, vip_lifetime."
    )
    unknown_member = await world.say(ADMIN, "/grant 4242 vip_lifetime paid")
    assert unknown_member.startswith("Member 4242 tidak ditemukan.")
    garbage = await world.say(ADMIN, "/grant <b>x</b> vip_lifetime paid")
    assert garbage.startswith("“<b>x</b>” bukan ID Telegram atau @username.")
    assert await world.snapshot() == before


async def test_people_who_are_not_admins_are_refused_and_nothing_changes(world: World) -> None:
    await world.say(ADMIN, "/grant 1001 basic_lifetime paid")
    before = await world.snapshot()
    for command in (
        "/member 1001",
        "/grant 1001 vip_lifetime free",
        "/revoke 1001 basic_lifetime bye",
    ):
        assert await world.say(STRANGER, command) == ONLY_ADMINS
    for command in OWNER_COMMANDS:
        assert await world.say(STRANGER, command) == ONLY_OWNER
    assert await world.snapshot() == before
    assert len(await world.told(ANI)) == 1


async def test_admins_are_refused_the_owner_commands(world: World) -> None:
    before = await world.snapshot()
    for command in OWNER_COMMANDS:
        assert await world.say(ADMIN, command) == ONLY_OWNER, command
    assert await world.snapshot() == before
    vip = await world.plan("vip_lifetime")
    assert vip is not None and vip.price == 299_000 and vip.is_active


async def test_commands_outside_the_admin_group_are_ignored(world: World) -> None:
    world.app.core.make_group(-100777, "Other", creator=OWNER)
    before = await world.snapshot()
    assert await world.say(OWNER, "/grant 1001 vip_lifetime free", chat_id=-100777) == ""
    assert await world.say(OWNER, "/setprice vip_lifetime 1rb", chat_id=-100777) == ""
    assert await world.snapshot() == before


# ---------------------------------------------------------------------------- /revoke


async def test_revoke_ends_the_membership_and_twice_says_it_is_no_longer_active(
    world: World,
) -> None:
    await world.say(ADMIN, "/grant 1001 vip_lifetime paid")
    reply = await world.say(ADMIN, "/revoke @ani_kreator vip_lifetime dana dikembalikan")
    assert reply == (
        "✅ VIP Seumur Hidup milik Ani (1001) dihentikan.\n"
        "Alasan: dana dikembalikan\n"
        "Member akan diberi tahu, beserta alasannya."
    )
    [row] = await world.memberships(ANI)
    assert (row.status, row.end_reason, row.ended_at) == ("cancelled", "revoked", world.clock.now())
    before = await world.snapshot()
    again = await world.say(ADMIN, "/revoke 1001 vip_lifetime lagi")
    assert again == (
        "Keanggotaan VIP Seumur Hidup milik Ani sudah tidak aktif (dibatalkan 10 Jan 2026). "
        "Tidak ada yang diubah."
    )
    assert await world.snapshot() == before
    told = await world.told(ANI)
    assert len(told) == 2
    assert told[1] == (
        "Keanggotaan VIP Seumur Hidup kamu dihentikan oleh admin.\n"
        "Alasan: dana dikembalikan\n\n"
        "Ada pertanyaan? Tulis saja di sini."
    )
    card = await world.say(ADMIN, "/member 1001")
    assert "Tingkat efektif: tidak ada" in card
    assert "• VIP Seumur Hidup — dibatalkan 10 Jan 2026" in card


async def test_revoke_with_bad_input_says_what_is_wrong(world: World) -> None:
    await world.say(ADMIN, "/grant 1001 basic_lifetime paid")
    before = await world.snapshot()
    usage = await world.say(ADMIN, "/revoke 1001")
    assert usage.startswith("Format: /revoke ID_atau_@username KODE_PAKET ALASAN")
    assert (await world.say(ADMIN, "/revoke 1001 basic_lifetime")).startswith("Alasan wajib diisi")
    assert await world.say(ADMIN, "/revoke 1001 vip_lifetime no") == (
        "Ani tidak punya keanggotaan VIP Seumur Hidup. Tidak ada yang diubah."
    )
    assert (await world.say(ADMIN, "/revoke 1001 platinum no")).startswith(
        "Paket platinum tidak ada."
    )
    assert (await world.say(ADMIN, "/revoke 4242 basic_lifetime no")).startswith(
        "Member 4242 tidak ditemukan."
    )
    assert await world.snapshot() == before


# ---------------------------------------------------------------------------- plans (owner)


async def test_owner_lists_plans_and_changes_a_price_while_quotes_keep_theirs(
    world: World,
) -> None:
    listing = await world.say(OWNER, "/plans")
    assert listing == (
        "Semua paket (2)\n"
        "• basic_lifetime — Basic Seumur Hidup — Rp 97.000 — dijual\n"
        "• vip_lifetime — VIP Seumur Hidup — Rp 299.000 — dijual"
    )
    quoted = await world.app.container.payments.start_purchase(ANI, 2)
    reply = await world.say(OWNER, "/setprice vip_lifetime Rp 349.000")
    assert reply.startswith(
        "✅ Harga VIP Seumur Hidup (vip_lifetime) diubah: Rp 299.000 → Rp 349.000."
    )
    async with world.app.container.uow() as work:
        request = await work.session.get(PaymentRequest, quoted.id)
        assert request is not None and request.amount == 299_000
        change = (await work.session.execute(select(PlanPriceChange))).scalar_one()
        assert (change.old_price, change.new_price, change.changed_by) == (299_000, 349_000, OWNER)
    assert "Rp 349.000" in await world.say(OWNER, "/plans")
    same = await world.say(OWNER, "/setprice vip_lifetime 349rb")
    assert same == "Harga VIP Seumur Hidup memang sudah Rp 349.000. Tidak ada yang diubah."
    assert await world.count(PlanPriceChange) == 1


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("", "✏️ Ubah harga · 1/2"),  # alone: the guided flow (handlers/admin/setup)
        ("vip_lifetime", "Format: /setprice KODE_PAKET HARGA"),
        ("vip_lifetime abc", "“abc” bukan jumlah rupiah."),
        ("vip_lifetime -5000", "Harga tidak boleh negatif (“-5000”)."),
        ("vip_lifetime 12,5", "Rupiah tanpa sen: “12,5” punya pecahan."),
        ("vip_lifetime 1.500rb", "“1.500rb” bisa dibaca dua cara"),
        ("vip_lifetime 500", "“500” terlalu kecil: minimal Rp 1.000."),
        ("vip_lifetime 2000jt", "“2000jt” terlalu besar: maksimal Rp 1.000.000.000."),
        ("gold 100rb", "Paket gold tidak ada. Kode paket yang ada: basic_lifetime, vip_lifetime."),
    ],
)
async def test_setprice_with_bad_input_says_what_is_accepted(
    world: World, typed: str, answer: str
) -> None:
    before = await world.snapshot()
    reply = await world.say(OWNER, f"/setprice {typed}".strip())
    assert reply.startswith(answer)
    assert await world.snapshot() == before
    vip = await world.plan("vip_lifetime")
    assert vip is not None and vip.price == 299_000


async def test_owner_adds_plans_and_bad_ones_are_refused(world: World) -> None:
    reply = await world.say(OWNER, "/addplan VIP 30 150rb")
    assert reply == "✅ Paket baru vip_30d: VIP 30 hari, Rp 150.000, langsung dijual."
    assert (await world.say(OWNER, "/addplan vip 365 1,5jt")).startswith(
        "✅ Paket baru vip_365d: VIP 365 hari, Rp 1.500.000"
    )
    plan = await world.plan("vip_30d")
    assert plan is not None
    assert (plan.duration_days, plan.price, plan.is_active) == (30, 150_000, True)
    listing = await world.say(OWNER, "/plans")
    assert listing.splitlines()[-2:] == [
        "• vip_30d — VIP 30 hari — Rp 150.000 — dijual",
        "• vip_365d — VIP 365 hari — Rp 1.500.000 — dijual",
    ]
    before = await world.snapshot()
    for typed, answer in (
        ("/addplan", "🛒 Paket baru · 1/3"),  # alone: the guided flow
        ("/addplan vip 30", "Format: /addplan TINGKAT HARI_atau_lifetime HARGA"),
        ("/addplan gold 30 100rb", "Tingkat gold tidak ada. Pilihan: basic, vip."),
        ("/addplan vip 0 100rb", "Durasi “0” tidak bisa dipakai."),
        ("/addplan vip 3651 100rb", "Durasi “3651” tidak bisa dipakai."),
        ("/addplan vip sebulan 100rb", "Durasi “sebulan” tidak bisa dipakai."),
        ("/addplan vip 30 seratus", "“seratus” bukan jumlah rupiah."),
        ("/addplan vip 30 99rb", "Paket vip_30d (VIP 30 hari) sudah ada dan sedang dijual."),
        ("/addplan basic lifetime 50rb", "Paket basic_lifetime (Basic Seumur Hidup) sudah ada"),
    ):
        assert (await world.say(OWNER, typed)).startswith(answer), typed
    assert await world.snapshot() == before


async def test_owner_retires_and_unretires_a_plan(world: World) -> None:
    await world.say(ADMIN, "/grant 1001 basic_lifetime paid")
    reply = await world.say(OWNER, "/retireplan basic_lifetime")
    assert reply == (
        "✅ Basic Seumur Hidup (basic_lifetime) tidak dijual lagi. "
        "Member yang sudah memilikinya tetap aktif seperti biasa."
    )
    plan = await world.plan("basic_lifetime")
    assert plan is not None and not plan.is_active and plan.retired_at == world.clock.now()
    offers = await world.app.container.payments.offers(BUDI)
    assert [o.plan.code for o in offers.offers] == ["vip_lifetime"]
    assert "Tingkat efektif: Basic" in await world.say(ADMIN, "/member 1001")
    assert "basic_lifetime — Basic Seumur Hidup — Rp 97.000 — tidak dijual" in await world.say(
        OWNER, "/plans"
    )
    before = await world.snapshot()
    assert await world.say(OWNER, "/retireplan basic_lifetime") == (
        "Basic Seumur Hidup (basic_lifetime) memang sudah tidak dijual. Tidak ada yang diubah."
    )
    assert (await world.say(OWNER, "/addplan basic lifetime 50rb")).startswith(
        "Paket basic_lifetime (Basic Seumur Hidup) sudah ada tapi tidak dijual. "
        "Jual lagi dengan /unretireplan basic_lifetime."
    )
    assert (await world.say(OWNER, "/retireplan")).startswith("Format: /retireplan KODE_PAKET")
    assert (await world.say(OWNER, "/retireplan gold")).startswith("Paket gold tidak ada.")
    assert await world.snapshot() == before
    back = await world.say(OWNER, "/unretireplan basic_lifetime")
    assert back == "✅ Basic Seumur Hidup (basic_lifetime) dijual lagi."
    assert len((await world.app.container.payments.offers(BUDI)).offers) == 2
    assert (await world.say(OWNER, "/unretireplan basic_lifetime")).endswith(
        "memang sedang dijual. Tidak ada yang diubah."
    )
    assert (await world.say(OWNER, "/unretireplan a b")).startswith("Format: /unretireplan")


# ---------------------------------------------------------------------------- methods (owner)


async def test_owner_manages_payment_methods(world: World) -> None:
    assert (await world.say(OWNER, "/methods")).startswith("Belum ada metode pembayaran")
    bank = await world.say(OWNER, "/addmethod bank BCA | Budi Santoso | 123 456 7890")
    assert bank == "✅ Metode baru bca (BCA) aktif dan langsung ditawarkan ke member."
    wallet = await world.say(OWNER, "/addmethod ewallet DANA | Budi | 0812-3456-7890")
    assert wallet.startswith("✅ Metode baru dana (DANA)")
    qris, sizes = await world.photo(OWNER, "/addmethod qris QRIS Toko Budi")
    assert qris.startswith("✅ Metode baru qris_toko_budi (QRIS Toko Budi)")
    largest = max(sizes, key=lambda s: s["width"] * s["height"])
    assert len({s["file_id"] for s in sizes}) > 1
    async with world.app.container.uow() as work:
        stored = await work.session.execute(
            select(PaymentMethod.code, PaymentMethod.qris_file_id).order_by(PaymentMethod.id)
        )
        assert [tuple(row) for row in stored.all()] == [
            ("bca", None),
            ("dana", None),
            ("qris_toko_budi", largest["file_id"]),
        ]
    assert await world.say(OWNER, "/methods") == (
        "Metode pembayaran (3)\n"
        "• bca — Bank BCA: Budi Santoso · 123 456 7890 — aktif\n"
        "• dana — E-wallet DANA: Budi · 0812-3456-7890 — aktif\n"
        "• qris_toko_budi — QRIS QRIS Toko Budi: gambar QRIS tersimpan — aktif"
    )
    off = await world.say(OWNER, "/methodoff bca")
    assert off == "✅ Metode bca (BCA) dinonaktifkan; member tidak melihatnya lagi."
    assert [m.code for m in await world.app.container.payments.methods()] == [
        "dana",
        "qris_toko_budi",
    ]
    assert "• bca — Bank BCA: Budi Santoso · 123 456 7890 — nonaktif" in await world.say(
        OWNER, "/methods"
    )
    assert await world.say(OWNER, "/methodoff bca") == (
        "Metode bca (BCA) memang sudah nonaktif. Tidak ada yang diubah."
    )
    assert await world.say(OWNER, "/methodon bca") == "✅ Metode bca (BCA) aktif lagi."
    assert await world.say(OWNER, "/methodon bca") == (
        "Metode bca (BCA) memang sudah aktif. Tidak ada yang diubah."
    )
    async with world.app.container.uow() as work:
        actions = await work.session.execute(
            select(AdminAction.action, AdminAction.actor_telegram_id).order_by(AdminAction.id)
        )
        assert [tuple(row) for row in actions.all()] == [
            ("payment_method.add", OWNER),
            ("payment_method.add", OWNER),
            ("payment_method.add", OWNER),
            ("payment_method.off", OWNER),
            ("payment_method.on", OWNER),
        ]


async def test_addmethod_with_bad_input_says_what_is_expected(world: World) -> None:
    await world.say(OWNER, "/addmethod bank BCA | Budi | 1234567890")
    before = await world.snapshot()
    for typed, answer in (
        ("/addmethod", "🏦 Metode bayar baru · 1/4"),  # alone: the guided flow
        ("/addmethod crypto BTC | a | 1", "Jenis “crypto” tidak dikenal."),
        ("/addmethod bank BCA 1234567890", "Format untuk bank tidak sesuai."),
        ("/addmethod bank BCA | Budi", "Format untuk bank tidak sesuai."),
        ("/addmethod bank  | Budi | 1234567890", "Label harus diisi, maksimal 64 karakter."),
        ("/addmethod bank " + "B" * 70 + " | Budi | 123456", "Label harus diisi, maksimal 64"),
        ("/addmethod bank BCA |  | 1234567890", "Nama pemilik harus diisi, maksimal 128"),
        ("/addmethod bank BCA | Budi | 12-AB-34", "Nomor “12-AB-34” tidak valid."),
        ("/addmethod ewallet OVO | Budi | 0812", "Nomor “0812” tidak valid."),
        ("/addmethod qris QRIS Toko", "QRIS perlu gambarnya"),
        ("/methodoff", "Format: /methodoff KODE"),
        ("/methodon", "Format: /methodon KODE"),
        ("/methodoff ovo", "Metode ovo tidak ada. Kode yang ada: bca."),
    ):
        assert (await world.say(OWNER, typed)).startswith(answer), typed
    text, _ = await world.photo(OWNER, "/addmethod qris")
    assert text == "Label harus diisi, maksimal 64 karakter."
    assert await world.snapshot() == before


async def test_an_english_admin_reads_english(world: World) -> None:
    world.app.core.set_member_status(ADMIN_CHAT, ENGLISH_ADMIN, "administrator")
    usage = await world.say(ENGLISH_ADMIN, "/grant")
    assert usage.startswith("Format: /grant ID_or_@username PLAN_CODE REASON")
    reply = await world.say(ENGLISH_ADMIN, "/grant 1001 vip_lifetime paid in cash")
    assert reply.startswith("✅ VIP Lifetime granted to Ani (1001), for life.")
    assert await world.say(ENGLISH_ADMIN, "/plans") == "Sorry, this is for the owner only."
    # The member still reads their own language.
    assert (await world.told(ANI))[0].startswith("🎁 Kamu sekarang anggota VIP Seumur Hidup")


# ---------------------------------------------------------------------------- translations


def test_every_state_and_refusal_the_admin_tools_name_has_a_text_in_both_languages() -> None:
    # These keys are built from enum values (f"tools.status_{...}"), which the i18n test's
    # scan of literal keys cannot see.
    catalogs = load_catalogs()
    wanted = (
        [f"tools.problem_{p.value}" for p in AdminProblem]
        + [f"tools.status_{s.value}" for s in MembershipStatus]
        + [f"tools.pay_status_{s.value}" for s in PaymentStatus]
        + [f"methods.kind_{k.value}" for k in PaymentMethodKind]
        + [f"plans.amount_{e.value}" for e in MoneyError]
        + [f"language.name_{code}" for code in SUPPORTED]
    )
    for language in ("id", "en"):
        assert [key for key in wanted if key not in catalogs[language]] == [], language
