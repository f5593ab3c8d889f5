"""A bot with a VIP discussion group, on the frozen clock (the fake Telegram shares it,
so invite links expire when the test says)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.container import build_container
from bot.dispatcher import build_dispatcher
from bot.settings import load_settings
from storage.models import GroupInvite, OutboxMessage
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.shopkit import admin_group, deliver, send
from tests.kit.clock import FrozenClock
from tests.kit.fake_session import make_bot
from tests.kit.faketelegram import JSON, FakeTelegram

GROUP = -100777


async def make_group_app(
    db_url: str, clock: FrozenClock, *, bot_rights: dict[str, bool] | None = None, **env: Any
) -> BotUnderTest:
    core = FakeTelegram(clock=lambda: clock.now().timestamp())
    settings = load_settings(
        _env_file=None,
        BOT_TOKEN=core.token,
        ADMIN_CHAT_ID=str(ADMIN_CHAT),
        DISCUSSION_CHAT_ID=str(GROUP),
        DATABASE_URL=db_url,
        **env,
    )
    bot = make_bot(core)
    container = build_container(settings, bot=bot, clock=clock)
    app = BotUnderTest(core, bot, build_dispatcher(container), container)
    admin_group(app)
    core.make_group(GROUP, "VIP Diskusi", **(bot_rights or {}))
    return app


@pytest.fixture
async def group_app(db_url: str, clock: FrozenClock) -> AsyncIterator[BotUnderTest]:
    app = await make_group_app(db_url, clock)
    try:
        yield app
    finally:
        await app.container.close()


def invite_url(app: BotUnderTest, user: JSON) -> str:
    """The URL on the newest invite button the bot sent to `user`."""
    for message in reversed(app.core.sent_to(user["id"])):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if "url" in button:
                    return str(button["url"])
    raise AssertionError(f"no invite button sent to {user['id']}")


async def feed_pending(app: BotUnderTest) -> None:
    """Deliver the updates Telegram produced itself (chat_member after a join or ban);
    the others in the queue are the ones the test delivered by hand already."""
    for update in app.core.pending_updates:
        app.core.take_update(update["update_id"])
        if "chat_member" in update:
            await send(app, update)


async def join(app: BotUnderTest, user: JSON, url: str) -> None:
    """The user opens the link and asks to join; the bot answers; Telegram reports back."""
    await feed_pending(app)
    await send(app, app.core.join_via_link(user, url))
    await feed_pending(app)


async def settle(app: BotUnderTest) -> None:
    """Run the outbox (messages and group actions) and feed back what Telegram reports."""
    await deliver(app)
    await feed_pending(app)


async def invites(app: BotUnderTest) -> list[GroupInvite]:
    async with app.container.uow() as work:
        found = await work.session.execute(select(GroupInvite).order_by(GroupInvite.id))
        return list(found.scalars())


async def actions(app: BotUnderTest, kind: str) -> list[OutboxMessage]:
    async with app.container.uow() as work:
        found = await work.session.execute(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
        return list(found.scalars())
