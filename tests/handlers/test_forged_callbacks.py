"""Forged numbers in button data: a client may send any callback data it likes.

A number the database cannot hold (or a negative id) never reaches it: the typed
callback data refuses it, no handler matches, and the stale-button alert answers.
"""

from __future__ import annotations

import logging

import pytest

from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.shopkit import (
    add_method,
    admin_group,
    cards,
    deliver,
    press,
    proof_rows,
    start,
    statuses,
    submit_proof,
)
from tests.kit.images import receipt_jpeg

ANI = 501
STALE = {
    "text": "Tombol ini sudah tidak berlaku. Ketik /start untuk menu terbaru.",
    "show_alert": True,
}
# Past SQLite's 64-bit integers, past BIGINT, past a 32-bit INTEGER, and below zero.
FORGED_NUMBERS = ["99999999999999999999999", "9223372036854775808", "2147483648", "-1"]

# Every prefix with an integer field, each number in turn in each integer slot.
MEMBER_TEMPLATES = [
    "plan:{n}",
    "buy:{n}:-",
    "buy:{n}:full",
    "paym:{n}:1",
    "paym:1:{n}",
    "pcancel:{n}",
    "pchg:{n}",
]
ADMIN_TEMPLATES = [
    "review:approve:{n}:1:-",
    "review:approve:1:{n}:-",
    "review:reason:1:{n}:amount",
    "rep:validate:{n}:1:-",
    "rep:validate:1:{n}:-",
    "repall:{n}",
    "pend:{n}",
    "acct:unassign:{n}:-",
    "affoffer:{n}:1",
    "affoffer:1:{n}",
]


@pytest.mark.parametrize("number", FORGED_NUMBERS)
async def test_forged_numbers_get_the_stale_alert_and_change_nothing(
    app: BotUnderTest, number: str, caplog: pytest.LogCaptureFixture
) -> None:
    people = admin_group(app)
    await add_method(app)
    ani = await start(app, ANI, "Ani")
    card = await submit_proof(app, ani, receipt_jpeg(0, 1))
    screen = app.core.last_sent(ANI)
    assert screen is not None
    before = (await statuses(app), [p.status for p in await proof_rows(app)])
    sent_before = len(app.core.sent_to(ANI)), len(app.core.sent_to(ADMIN_CHAT))

    with caplog.at_level(logging.ERROR):
        for template in MEMBER_TEMPLATES:
            data = template.format(n=number)
            assert await press(app, ani, screen, data, strict=False) == STALE, data
        for template in ADMIN_TEMPLATES:
            data = template.format(n=number)
            assert await press(app, people["admin"], card, data, strict=False) == STALE, data
        await deliver(app)

    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert (await statuses(app), [p.status for p in await proof_rows(app)]) == before
    assert (len(app.core.sent_to(ANI)), len(app.core.sent_to(ADMIN_CHAT))) == sent_before
    assert len(cards(app)) == 1


async def test_the_largest_allowed_number_is_just_an_unknown_plan(app: BotUnderTest) -> None:
    """2**31 - 1 passes the bound; the plan does not exist and the member is told so."""
    ani = await start(app, ANI, "Ani")
    menu = app.core.last_sent(ANI)
    assert menu is not None
    answer = await press(app, ani, menu, f"plan:{2**31 - 1}", strict=False)
    assert answer.get("show_alert") and "Maaf" not in answer.get("text", "")
