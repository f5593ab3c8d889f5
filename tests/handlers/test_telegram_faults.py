"""Telegram's faults on the direct path: 429, 5xx, an HTML 502 page and timeouts on
replies, edits and callback answers. The person gets what they asked for once, nobody is
told "something went wrong" for an action that succeeded, every tap is answered once.

Waits (retry_after, backoff) happen on the FrozenClock: `clock.slept` shows them.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.sending import SendLimits
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.shopkit import (
    add_method,
    admin_group,
    buy_until_payment_screen,
    cards,
    current,
    deliver,
    find_button,
    press,
    send,
    start,
    statuses,
    tap,
)
from tests.kit.images import receipt_jpeg

ANI = 501
APOLOGY = "Maaf, ada gangguan"
FAULTS: list[Any] = [
    pytest.param({"error_code": 429, "retry_after": 3}, id="429"),
    pytest.param({"error_code": 500}, id="500"),
    pytest.param({"error_code": 502, "html": True}, id="html-502"),
    pytest.param({"timeout": True}, id="timeout"),
]


def texts(app: BotUnderTest, chat_id: int) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in app.core.sent_to(chat_id)]


@pytest.mark.parametrize("fault", FAULTS)
async def test_a_welcome_survives_a_fault_and_arrives_once(
    app: BotUnderTest, fault: dict[str, Any]
) -> None:
    ani = app.core.user(ANI, "Ani")
    app.core.fail_next("sendMessage", times=2, **fault)
    await send(app, app.core.command(ani, "/start"))
    sent = texts(app, ANI)
    assert len(sent) == 2  # the welcome and the menu, each once
    assert sent[0].startswith("Halo, Ani!")
    assert not any(APOLOGY in text for text in sent)
    if "retry_after" in fault:
        assert app.container.clock.slept[:2] == [3.0, 3.0]  # type: ignore[attr-defined]


@pytest.mark.parametrize("fault", FAULTS)
async def test_a_tap_survives_a_fault_on_its_answer_and_is_answered_once(
    app: BotUnderTest, fault: dict[str, Any]
) -> None:
    ani = app.core.user(ANI, "Ani")
    await send(app, app.core.command(ani, "/start"))
    menu = app.core.last_sent(ANI)
    assert menu is not None
    app.core.fail_next("answerCallbackQuery", **fault)
    app.core.fail_next("sendMessage", **fault)
    update = app.core.press(ani, menu, find_button(app, menu, "Bantuan"))
    await send(app, update)
    assert update["callback_query"]["id"] in app.core.callback_answers
    assert len(app.core.callback_answers) == 1
    assert not any(APOLOGY in text for text in texts(app, ANI))
    assert sum("Bantuan" in text or "Paket" in text for text in texts(app, ANI)[2:]) >= 1


async def test_a_reply_that_never_gets_through_brings_no_apology(
    app: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    ani = app.core.user(ANI, "Ani")
    app.core.fail_next("sendMessage", 500, times=SendLimits().attempts)
    await send(app, app.core.command(ani, "/start"))
    assert app.core.sent_to(ANI) == []  # no apology either (it would not get through)
    assert "Update" in caplog.text and "failed" in caplog.text
    # Registration committed before the reply failed: the next /start knows them.
    await send(app, app.core.command(ani, "/start"))
    assert texts(app, ANI)[0].startswith("Halo lagi, Ani!")


async def card_waiting(app: BotUnderTest) -> tuple[dict[str, Any], dict[str, Any]]:
    people = admin_group(app)
    await add_method(app)
    member = await start(app, ANI, "Ani")
    await buy_until_payment_screen(app, member, "Basic")
    await send(app, app.core.private_photo(member, receipt_jpeg(1, 1)))
    await deliver(app)
    return people, cards(app)[-1]


@pytest.mark.parametrize("fault", FAULTS)
async def test_an_approval_whose_card_edit_fails_still_closes_the_card_once(
    app: BotUnderTest, fault: dict[str, Any]
) -> None:
    people, card = await card_waiting(app)
    app.core.fail_next("editMessageCaption", times=2, **fault)
    app.core.fail_next("answerCallbackQuery", **fault)
    before = len(app.core.sent_to(ADMIN_CHAT))
    update = app.core.press(people["admin"], card, find_button(app, card, "Setujui"))
    await send(app, update)
    query_id = update["callback_query"]["id"]
    assert app.core.callback_answers[query_id] == {"text": "Disetujui. Member sudah diberi tahu."}
    shown = current(app, card)
    assert "Disetujui oleh Dewi" in shown["caption"]
    assert [t for t, _ in app.core.buttons(shown)] == ["👤 Member"]  # no decision buttons
    delivered = [
        c
        for c in app.core.calls_of("answerCallbackQuery")
        if c.params.get("callback_query_id") == query_id and not c.error
    ]
    assert len(delivered) == 1  # answered exactly once
    assert not any(APOLOGY in t for t in texts(app, ADMIN_CHAT)[before:])
    assert await statuses(app) == ["approved"]


async def test_a_second_tap_on_a_closed_card_costs_no_edit(app: BotUnderTest) -> None:
    people, card = await card_waiting(app)
    await tap(app, people["admin"], card, "Setujui")
    edits = len(app.core.calls_of("editMessageCaption"))
    # Both taps left the phone before the card changed: the second carries the old buttons.
    late = await press(app, people["other"], card, find_button(app, card, "Setujui"), strict=False)
    assert late["text"].startswith("Sudah disetujui oleh Dewi")
    assert len(app.core.calls_of("editMessageCaption")) == edits
    assert not [c for c in app.core.calls if c.error and "not modified" in c.error]
