""" "👤 Member" under payment and report cards: it opens the member's card of the console
in a new message, leaves the card and its decision buttons as they were, is for admins
only, and says so when the member is no longer there."""

from __future__ import annotations

from sqlalchemy import update

from storage.models import Member
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.reviewkit import CARD_BUTTONS, submit, vip_member
from tests.handlers.shopkit import (
    add_method,
    admin_group,
    buy_until_payment_screen,
    cards,
    current,
    deliver,
    send,
    start,
    tap,
)
from tests.kit.faketelegram import JSON
from tests.kit.images import receipt_jpeg

ANI, BUDI = 1501, 1502
PAYMENT_BUTTONS = ["✅ Setujui", "❌ Tolak", "👤 Member"]
ONLY_ADMINS = "Maaf, ini hanya untuk admin grup admin."
GONE = "Member atau paket ini tidak ditemukan lagi."


def labels(app: BotUnderTest, message: JSON) -> list[str]:
    return [text for text, _ in app.core.buttons(current(app, message))]


async def payment_card(app: BotUnderTest, telegram_id: int, name: str) -> JSON:
    """`name` bought Basic and sent the proof: its card in the admin group."""
    member = await start(app, telegram_id, name)
    await buy_until_payment_screen(app, member, "Basic")
    await send(app, app.core.private_photo(member, receipt_jpeg(1, telegram_id)))
    await deliver(app)
    return cards(app)[-1]


async def open_member(app: BotUnderTest, admin: JSON, card: JSON) -> tuple[JSON, JSON | None]:
    """Tap 👤 Member: the answer to the tap and the new message in the group, if any."""
    before = len(app.core.sent_to(ADMIN_CHAT))
    answer = await tap(app, admin, current(app, card), "👤 Member")
    after = app.core.sent_to(ADMIN_CHAT)
    return answer, (after[-1] if len(after) > before else None)


async def test_member_on_a_payment_card_opens_the_members_card_and_leaves_the_decision(
    app: BotUnderTest,
) -> None:
    people = admin_group(app)
    await add_method(app)
    await payment_card(app, BUDI, "Budi Santoso")  # someone else's card, not the one tapped
    card = await payment_card(app, ANI, "Ani Lestari")
    assert labels(app, card) == PAYMENT_BUTTONS

    answer, opened = await open_member(app, people["admin"], card)

    assert answer.get("show_alert") is not True
    assert opened is not None and opened["text"].startswith("👤 Ani Lestari")
    assert f"{ANI}" in opened["text"] and "Budi" not in opened["text"]
    assert "saldo Rp 0" in opened["text"]
    assert "💸 Payout" in labels(app, opened) and "🎁 Beri paket" in labels(app, opened)
    assert labels(app, card) == PAYMENT_BUTTONS  # the card still waits for its decision

    # Reject's reasons and Back bring the row back; the decision still works after it.
    await tap(app, people["admin"], current(app, card), "Tolak")
    await tap(app, people["admin"], current(app, card), "Kembali")
    assert labels(app, card) == PAYMENT_BUTTONS
    await tap(app, people["admin"], current(app, card), "Setujui")
    assert "Disetujui oleh Dewi" in current(app, card)["caption"]


async def test_pending_posts_the_card_again_with_its_member_button(app: BotUnderTest) -> None:
    people = admin_group(app)
    await add_method(app)
    await payment_card(app, ANI, "Ani Lestari")
    await send(app, app.core.command(people["admin"], "/pending", chat_id=ADMIN_CHAT))
    listing = app.core.last_sent(ADMIN_CHAT)
    assert listing is not None
    await tap(app, people["admin"], listing, "#1")
    again = cards(app)[-1]
    assert labels(app, again) == PAYMENT_BUTTONS
    _, opened = await open_member(app, people["admin"], again)
    assert opened is not None and opened["text"].startswith("👤 Ani Lestari")


async def test_member_on_a_report_card_opens_the_card_with_the_members_reports(
    app: BotUnderTest,
) -> None:
    people = admin_group(app)
    ani = await vip_member(app, ANI, "Ani Lestari")
    await vip_member(app, BUDI, "Budi Santoso")
    card = await submit(app, ani, 100_000)
    assert labels(app, card) == CARD_BUTTONS

    _, opened = await open_member(app, people["admin"], card)

    assert opened is not None and opened["text"].startswith("👤 Ani Lestari")
    assert f"{ANI}" in opened["text"] and "VIP" in opened["text"]
    assert "0 tervalidasi, 1 menunggu" in opened["text"]
    assert labels(app, card) == CARD_BUTTONS
    await tap(app, people["admin"], current(app, card), "Tolak")
    await tap(app, people["admin"], current(app, card), "Kembali")
    assert labels(app, card) == CARD_BUTTONS


async def test_a_non_admin_tapping_member_sees_no_card(app: BotUnderTest) -> None:
    people = admin_group(app)
    await add_method(app)
    card = await payment_card(app, ANI, "Ani Lestari")

    answer, opened = await open_member(app, people["stranger"], card)

    assert answer["text"] == ONLY_ADMINS and answer.get("show_alert") is True
    assert opened is None
    assert labels(app, card) == PAYMENT_BUTTONS


async def test_member_of_a_member_no_longer_there_says_so_and_opens_nothing(
    app: BotUnderTest,
) -> None:
    people = admin_group(app)
    ani = await vip_member(app, ANI, "Ani Lestari")
    card = await submit(app, ani, 100_000)
    async with app.container.uow() as work:  # the member row no longer carries that id
        await work.session.execute(
            update(Member).where(Member.telegram_id == ANI).values(telegram_id=ANI + 10_000)
        )
        await work.commit()

    answer, opened = await open_member(app, people["admin"], card)

    assert answer["text"].startswith(GONE) and answer.get("show_alert") is True
    assert opened is None
    assert labels(app, card) == CARD_BUTTONS


async def test_an_approved_payment_card_still_opens_the_members_card(app: BotUnderTest) -> None:
    people = admin_group(app)
    await add_method(app)
    card = await payment_card(app, ANI, "Ani Lestari")
    await tap(app, people["admin"], current(app, card), "Setujui")
    assert "Disetujui oleh Dewi" in current(app, card)["caption"]
    assert labels(app, card) == ["👤 Member"]  # the decision buttons went, the member stays

    _, opened = await open_member(app, people["other"], card)

    assert opened is not None and opened["text"].startswith("👤 Ani Lestari")
    assert "Basic" in opened["text"]  # the card as it is after the approval
    assert labels(app, card) == ["👤 Member"]
    # The member button does not reopen the decision: another tap changes nothing.
    await tap(app, people["admin"], current(app, card), "👤 Member")
    assert "Disetujui oleh Dewi" in current(app, card)["caption"]


async def test_a_rejected_payment_card_keeps_its_member_button(app: BotUnderTest) -> None:
    people = admin_group(app)
    await add_method(app)
    card = await payment_card(app, ANI, "Ani Lestari")
    await tap(app, people["admin"], current(app, card), "Tolak")
    reason = labels(app, card)[0]
    await tap(app, people["admin"], current(app, card), reason)
    assert "Ditolak oleh Dewi" in current(app, card)["caption"]
    assert labels(app, card) == ["👤 Member"]
    _, opened = await open_member(app, people["admin"], card)
    assert opened is not None and opened["text"].startswith("👤 Ani Lestari")


async def test_a_validated_report_card_still_opens_the_members_card(app: BotUnderTest) -> None:
    people = admin_group(app)
    ani = await vip_member(app, ANI, "Ani Lestari")
    card = await submit(app, ani, 100_000)

    await tap(app, people["admin"], current(app, card), "Validasi")

    assert "Divalidasi oleh Dewi" in current(app, card)["caption"]
    assert labels(app, card) == ["👤 Member"]
    _, opened = await open_member(app, people["admin"], card)
    assert opened is not None and opened["text"].startswith("👤 Ani Lestari")
    assert "1 tervalidasi, 0 menunggu" in opened["text"]
