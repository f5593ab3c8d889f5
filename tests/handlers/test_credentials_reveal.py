"""The holder of an affiliate account sees its login in private chat, in a message the
bot deletes CREDENTIALS_SHOW_SECONDS later; nobody else ever does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, update

from bot.container import build_container
from bot.dispatcher import build_dispatcher
from bot.settings import load_settings
from handlers.common.callbacks import CredentialsCallback
from kernel.actor import Actor
from storage.models import AffiliateAccount, OutboxMessage
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.reviewkit import vip_member
from tests.handlers.shopkit import admin_group, press, send, start, texts
from tests.kit.clock import FrozenClock
from tests.kit.fake_session import make_bot
from tests.kit.faketelegram import JSON, FakeTelegram

KEY, OTHER_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()
ANI, BUDI, CITRA = 601, 602, 603
SHOW = CredentialsCallback().pack()


async def make_app(db_url: str, clock: FrozenClock, keys: str) -> BotUnderTest:
    core = FakeTelegram()
    settings = load_settings(
        _env_file=None,
        BOT_TOKEN=core.token,
        ADMIN_CHAT_ID=str(ADMIN_CHAT),
        DATABASE_URL=db_url,
        CREDENTIALS_KEYS=keys,
        CREDENTIALS_SHOW_SECONDS="120",
    )
    bot = make_bot(core)
    container = build_container(settings, bot=bot, clock=clock)
    return BotUnderTest(core, bot, build_dispatcher(container), container)


@pytest.fixture
async def app(db_url: str, clock: FrozenClock) -> AsyncIterator[BotUnderTest]:
    made = await make_app(db_url, clock, KEY)
    try:
        yield made
    finally:
        await made.container.close()


async def holder_setup(app: BotUnderTest) -> dict[str, JSON]:
    admin_group(app)
    ani = await vip_member(app, ANI, "Ani")
    budi = await vip_member(app, BUDI, "Budi")
    citra = await start(app, CITRA, "Citra")
    aff = app.container.affiliates
    owner = Actor(7001, "Owner")
    with_login = aff.new_account("toko.ani", credentials=aff.seal("ani@mail.id", "pw<rahasia>"))
    account = await aff.add(with_login, owner)
    await aff.add(aff.new_account("toko.budi"), owner)
    async with app.container.uow() as work:
        ani_id = (await work.members.by_telegram_id(ANI)).id  # type: ignore[union-attr]
        budi_id = (await work.members.by_telegram_id(BUDI)).id  # type: ignore[union-attr]
    await aff.assign(account.id, ani_id, owner)
    await aff.assign(None, budi_id, owner)
    return {"ani": ani, "budi": budi, "citra": citra}


async def tap_show(app: BotUnderTest, user: JSON) -> JSON:
    """Tap 🔑 on the latest bot message in the user's private chat (as /me will carry)."""
    message = app.core.last_sent(user["id"])
    assert message is not None
    return await press(app, user, message, SHOW, strict=False)


async def deletions(app: BotUnderTest, chat_id: int) -> list[OutboxMessage]:
    async with app.container.uow() as work:
        rows = await work.session.execute(
            select(OutboxMessage).where(
                OutboxMessage.chat_id == chat_id, OutboxMessage.kind == "delete_message"
            )
        )
        return list(rows.scalars())


async def test_the_holder_sees_the_login_and_its_deletion_is_queued(
    app: BotUnderTest, clock: FrozenClock
) -> None:
    people = await holder_setup(app)
    ani = people["ani"]
    answer = await tap_show(app, ani)
    assert answer.get("show_alert") is not True
    shown = app.core.last_sent(ANI)
    assert shown is not None
    assert "Login: ani@mail.id" in shown["text"] and "Password: pw<rahasia>" in shown["text"]
    assert "dalam 2 menit" in shown["text"]
    queued = await deletions(app, ANI)
    assert len(queued) == 1
    assert queued[0].params == {"message_id": shown["message_id"]}
    assert queued[0].next_attempt_at == clock.now() + timedelta(seconds=120)
    assert queued[0].text_key == "access.delete_action"
    # Never in the admin group.
    assert all("ani@mail.id" not in t for t in texts(app, ADMIN_CHAT))


async def test_nobody_else_sees_it(app: BotUnderTest) -> None:
    people = await holder_setup(app)
    budi_answer = await tap_show(app, people["budi"])  # holds an account without a login
    assert budi_answer["show_alert"] and "belum disimpan admin" in budi_answer["text"]
    citra_answer = await tap_show(app, people["citra"])  # holds none
    assert citra_answer["show_alert"] and "tidak sedang memegang" in citra_answer["text"]
    for user_id in (BUDI, CITRA):
        assert all("ani@mail.id" not in t for t in texts(app, user_id))
        assert await deletions(app, user_id) == []


async def test_only_in_private_chat(app: BotUnderTest) -> None:
    await holder_setup(app)
    ani = app.core.user(ANI)
    app.core.set_member_status(ADMIN_CHAT, ANI, "member")
    await send(app, app.core.command(app.core.user(7001), "/accounts", chat_id=ADMIN_CHAT))
    card = app.core.last_sent(ADMIN_CHAT)
    assert card is not None
    answer = await press(app, ani, card, SHOW, strict=False)
    assert answer["show_alert"] and "chat pribadi" in answer["text"]
    assert await deletions(app, ANI) == []


async def test_ended_vip_no_longer_sees_it(app: BotUnderTest, clock: FrozenClock) -> None:
    people = await holder_setup(app)
    # The VIP ended but the release has not run yet: still refused.
    from storage.models import Membership

    async with app.container.uow() as work:
        member = await work.members.by_telegram_id(ANI)
        assert member is not None
        await work.session.execute(
            update(Membership)
            .where(Membership.member_id == member.id)
            .values(status="expired", ended_at=clock.now())
        )
        await work.commit()
    answer = await tap_show(app, people["ani"])
    assert answer["show_alert"] and "tidak sedang memegang" in answer["text"]


async def test_a_wrong_key_is_a_kind_message_and_one_admin_alert(
    db_url: str, clock: FrozenClock
) -> None:
    first = await make_app(db_url, clock, KEY)
    try:
        await holder_setup(first)
    finally:
        await first.container.close()
    app = await make_app(db_url, clock, OTHER_KEY)
    try:
        admin_group(app)
        ani = app.core.user(ANI, "Ani", started=True)
        await press_from_scratch(app, ani)
        answer = await press_from_scratch(app, ani)
        assert answer["show_alert"] and "Admin sudah diberi tahu" in answer["text"]
        async with app.container.uow() as work:
            alerts = await work.session.execute(
                select(OutboxMessage).where(
                    OutboxMessage.text_key == "affiliates.alert_key_problem"
                )
            )
            assert len(list(alerts.scalars())) == 1
            row = (await work.session.execute(select(AffiliateAccount))).scalars().first()
            assert row is not None and row.credentials_encrypted is not None
    finally:
        await app.container.close()


async def press_from_scratch(app: BotUnderTest, user: JSON) -> JSON:
    """A fresh bot instance: the user sends /start first so there is a message to tap."""
    await app.send(app.core.command(user, "/start"))
    app.container.clock.advance(seconds=1)  # type: ignore[attr-defined]
    return await tap_show(app, user)
