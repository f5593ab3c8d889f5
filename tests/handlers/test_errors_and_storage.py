"""When something breaks the person hears about it; with Redis, state survives restarts."""

from __future__ import annotations

import pytest
from aiogram.fsm.storage.redis import RedisStorage

from bot.container import build_container
from bot.dispatcher import build_dispatcher
from bot.settings import load_settings
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.shopkit import admin_group
from tests.kit.clock import FrozenClock
from tests.kit.fake_session import make_bot
from tests.kit.faketelegram import FakeTelegram


async def broken(*args: object, **kwargs: object) -> None:
    raise RuntimeError("a bug inside the service")


async def test_a_failure_inside_a_handler_gets_an_apology_not_silence(
    app: BotUnderTest, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    ani = app.core.user(1, "Ani")
    monkeypatch.setattr(app.container.dashboard, "dashboard", broken)
    await app.send(app.core.command(ani, "/me"))
    sent = app.core.sent_to(1)
    assert [m["text"] for m in sent] == [
        "Maaf, ada gangguan di sisi kami. Coba lagi sebentar lagi ya. Data kamu aman."
    ]
    assert any("failed" in r.getMessage() for r in caplog.records)
    assert app.core.token.split(":")[1] not in caplog.text


async def test_a_failed_button_tap_is_answered_with_an_alert_once(
    app: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    ani = app.core.user(1, "Ani")
    await app.send(app.core.command(ani, "/start"))
    menu = app.core.last_sent(1)
    assert menu is not None
    monkeypatch.setattr(app.container.dashboard, "dashboard", broken)
    await app.send(app.core.press(ani, menu, "menu:me"))
    answers = list(app.core.callback_answers.values())
    assert answers == [
        {
            "text": "Maaf, ada gangguan di sisi kami. Coba lagi sebentar lagi ya. Data kamu aman.",
            "show_alert": True,
        }
    ]
    assert len(app.core.calls_of("answerCallbackQuery")) == 1


@pytest.mark.redis
async def test_conversation_state_in_redis_survives_a_restart(
    redis_url: str, db_url: str, clock: FrozenClock
) -> None:
    core = FakeTelegram()
    settings = load_settings(
        _env_file=None,
        BOT_TOKEN=core.token,
        ADMIN_CHAT_ID="-1",
        DATABASE_URL=db_url,
        REDIS_URL=redis_url,
    )
    for step in ("before", "after"):
        container = build_container(settings, bot=make_bot(core), clock=clock)
        dp = build_dispatcher(container)
        assert isinstance(dp.storage, RedisStorage)
        context = dp.fsm.get_context(container.bot, chat_id=42, user_id=42)
        if step == "before":
            await context.set_state("Buying:waiting_for_proof")
            await context.update_data(request_id=7)
        else:
            assert await context.get_state() == "Buying:waiting_for_proof"
            assert await context.get_data() == {"request_id": 7}
            await context.clear()
        await dp.storage.close()
        await container.close()


async def test_a_failure_on_an_admin_command_is_reported_in_the_admin_group(
    app: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = admin_group(app)
    monkeypatch.setattr(app.container.payments, "pending", broken)
    await app.send(app.core.group_text(ADMIN_CHAT, people["admin"], "/pending"))
    (apology,) = app.core.sent_to(ADMIN_CHAT)
    assert apology["text"].startswith("Maaf, ada gangguan di sisi kami.")
