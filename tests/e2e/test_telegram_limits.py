"""End to end under Telegram's limits and faults: the real bot process keeps every reply.

The fake Bot API enforces the flood limits (30 messages a second overall, 5 in 2 s per
private chat, 20 a minute per group) and injects faults (429, 500, a proxy's 502 HTML page,
slow answers); the bot's sending layer must pace and retry so that nobody misses a message
and nobody gets one twice. Counts are checked after the bot has stopped, when no late
duplicate can still arrive.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests.e2e.conftest import ADMIN_CHAT, TOKEN, RunningBot, start_bot
from tests.kit.faketelegram import JSON, FakeTelegram
from tests.kit.images import receipt_jpeg

pytestmark = pytest.mark.e2e

OWNER, DEWI = 802, 803
STEP = 60.0  # one member step: pacing, retries with backoff and slow answers included
PROOF_RECEIVED = "Bukti diterima"  # proof.received in kernel/locales/id.shop.toml
APPROVED_BY_DEWI = "Disetujui oleh Dewi"  # review.approved_by
# (HTTP status, HTML page?, retry_after) for some of the admin's approval taps
ANSWER_FAULTS = [(502, True, None), (429, False, 1), (500, False, None), (502, True, None)]


@asynccontextmanager
async def bot_process(
    tmp_path: Path, core: FakeTelegram, env: dict[str, str] | None = None
) -> AsyncIterator[RunningBot]:
    running = await start_bot(tmp_path, "polling", env, core=core)
    try:
        yield running
    finally:
        await running.stop()
        await running.server.stop()


def telegram_with_admin_group(*, rate_limits: bool) -> FakeTelegram:
    """The admin group exists before the bot starts, so its start-up check passes."""
    core = FakeTelegram(TOKEN, rate_limits=rate_limits)
    owner = core.user(OWNER, "Owner")
    core.make_group(ADMIN_CHAT, "Admin", creator=owner)
    core.user(DEWI, "Dewi")
    core.set_member_status(ADMIN_CHAT, DEWI, "administrator")
    return core


def assert_log_clean(running: RunningBot) -> None:
    log = running.log()
    assert "aiogram.exceptions.TelegramRetryAfter" not in log, log[-5000:]
    failed = re.findall(r"Update \d+ failed", log)
    assert not failed, f"{failed[:5]}\n{log[-5000:]}"


def history(core: FakeTelegram, chat_id: int) -> str:
    """Every call to chat_id with its injected fault and outcome, for failure messages."""
    lines = []
    for call in core.calls:
        if str(call.params.get("chat_id")) == str(chat_id):
            text = str(call.params.get("text") or call.params.get("caption") or "")[:50]
            lines.append(f"  {call.method} fault={call.fault} error={call.error} {text!r}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- a


async def test_a_hundred_users_start_at_once_and_each_gets_every_reply(tmp_path: Path) -> None:
    core = telegram_with_admin_group(rate_limits=True)
    users = range(20_001, 20_101)
    async with bot_process(tmp_path, core) as running:
        for user_id in users:  # all 100 are pending before the bot's next getUpdates
            core.command(core.user(user_id, f"Tamu{user_id}"), "/start")

        def everyone_answered() -> bool:
            return all(core.count_sent(user_id) >= 2 for user_id in users)

        await core.wait_for(everyone_answered, 180, what="welcome and menu for all 100")
    # Stopped: nothing can arrive any more, so the counts are final.
    for user_id in users:
        welcome, menu = core.sent_log(user_id)  # exactly the two replies of one /start
        assert welcome["text"].startswith(f"Halo, Tamu{user_id}!")
        assert core.buttons(menu), menu
    assert_log_clean(running)


# --------------------------------------------------------------------------- b


async def test_b_twenty_purchases_under_random_faults_are_each_confirmed_once(
    tmp_path: Path,
) -> None:
    core = telegram_with_admin_group(rate_limits=False)
    members = list(range(9001, 9021))
    query_ids: list[str] = []
    requests: dict[int, int] = {}

    def press(user_id: int, message: JSON, data: str) -> None:
        query_ids.append(core.press(user_id, message, data)["callback_query"]["id"])

    async def step(user_id: int, label: str) -> None:
        found = await core.wait_for(
            lambda: core.find_button(user_id, label), STEP, what=f"{label!r} for {user_id}"
        )
        press(user_id, *found)

    async def buy(index: int, user_id: int) -> None:
        core.command(user_id, "/start")
        await core.wait_for(lambda: core.find_sent(user_id, "Halo, "), STEP, what="welcome")
        core.command(user_id, "/buy")
        await step(user_id, "Basic")
        await step(user_id, "Lanjut bayar Rp 97.000")  # the only method: no method step
        await core.wait_for(
            lambda: core.find_sent(user_id, "1234567890"), STEP, what=f"pay info {user_id}"
        )
        core.private_photo(user_id, receipt_jpeg(index % 3, 500 + index))
        receipt = await core.wait_for(
            lambda: core.find_sent(user_id, PROOF_RECEIVED), STEP, what=f"proof {user_id}"
        )
        number = re.search(r"#(\d+)", receipt["text"])
        assert number is not None, receipt
        requests[user_id] = int(number[1])

    async def approve(index: int, user_id: int) -> None:
        def card() -> JSON | None:
            return core.find_sent(ADMIN_CHAT, f"Member: Pembeli{user_id} (")

        found = await core.wait_for(card, STEP * 2, what=f"payment card of {user_id}")
        approve_data = next(d for t, d in core.buttons(found) if "Setujui" in t and d)
        if index % 5 == 0:  # whatever chaos draws, some of the admin's taps get an error
            code, html, retry_after = ANSWER_FAULTS[index // 5]
            core.fail_next("answerCallbackQuery", code, html=html, retry_after=retry_after)
        press(DEWI, found, approve_data)
        await core.wait_for(
            lambda: APPROVED_BY_DEWI in (card() or {}).get("caption", ""),
            STEP * 2,
            what=f"card of {user_id} approved",
        )
        approval = f"Pembayaran #{requests[user_id]} disetujui"
        await core.wait_for(
            lambda: core.find_sent(user_id, approval), STEP * 2, what=f"told {user_id}"
        )

    async def journey(index: int, user_id: int) -> None:
        await buy(index, user_id)
        await approve(index, user_id)

    # This test is about faults, not pacing (the fake enforces no limits here): the admin
    # group's 20-a-minute pace would only make it a minute longer.
    env = {"THROTTLE_BURST": "1000", "SEND_RATE_GROUP": "600"}
    async with bot_process(tmp_path, core, env) as running:
        method = "/addmethod bank BCA | PT Kreator Nusantara | 1234567890"
        core.group_text(ADMIN_CHAT, OWNER, method)
        await core.wait_for(lambda: core.find_sent(ADMIN_CHAT, "BCA"), STEP, what="method")
        for user_id in members:
            core.user(user_id, f"Pembeli{user_id}")
        core.chaos(rate=0.1, seed=20260110)
        await asyncio.gather(*(journey(i, u) for i, u in enumerate(members)))

        def every_query_answered() -> bool:
            return set(query_ids) <= set(core.callback_answers)

        await core.wait_for(every_query_answered, STEP, what="every tap answered")
    core.chaos(rate=0)

    kinds = core.injected_kinds()
    assert len(kinds) >= 5 and {"429", "500", "502-html", "slow"} & set(kinds), kinds
    assert any(i.method == "answerCallbackQuery" for i in core.injected), kinds
    problems: list[str] = []  # all of them at once: one run of this test takes minutes
    for user_id in members:
        approval = f"Pembayaran #{requests[user_id]} disetujui"
        for text in (PROOF_RECEIVED, approval):
            if (count := core.count_sent(user_id, text)) != 1:
                problems.append(f"{text!r} sent {count} times to {user_id}:")
                problems.append(history(core, user_id))
        if (count := core.count_sent(ADMIN_CHAT, f"Member: Pembeli{user_id} (")) != 1:
            problems.append(f"{count} payment cards for {user_id}")
    cards = [m for m in core.sent_to(ADMIN_CHAT) if "Pembayaran #" in m.get("caption", "")]
    for card in cards:
        closed = [t for t, _ in core.buttons(card)] == ["👤 Member"]  # no decision buttons
        if not closed or APPROVED_BY_DEWI not in card["caption"]:
            problems.append(f"card not closed: {card['caption']!r} {card.get('reply_markup')}")
    # Each tap answered exactly once: the fake refuses a second answer to the same query.
    if set(core.callback_answers) != set(query_ids):
        problems.append(f"unanswered taps: {set(query_ids) - set(core.callback_answers)}")
    if [c for c in core.calls_of("answerCallbackQuery") if "too old" in (c.error or "")]:
        problems.append("a tap was answered twice")
    assert not problems, "\n".join(problems)
    assert_log_clean(running)


# --------------------------------------------------------------------------- c


# The bot process runs in real time, so the group limit is shortened instead of the clock:
# the fake allows 20 messages in any 6 s (Telegram: in any 60 s), and the bot is told a group
# pace of 60 a minute, whose bucket (a burst of 12, then 0.8 a second) stays under it.
SCALE = 10
GROUP_PACE = "60"


async def test_c_a_busy_admin_group_does_not_hold_up_a_member(tmp_path: Path) -> None:
    core = telegram_with_admin_group(rate_limits=True)
    core.limits.group_window = 60.0 / SCALE
    member = 9100
    commands: list[int] = []

    def admin_types_plans(times: int) -> None:
        for _ in range(times):
            update = core.group_text(ADMIN_CHAT, OWNER, "/plans")
            commands.append(update["message"]["message_id"])

    def replies_to(command_id: int) -> list[JSON]:
        return [
            m
            for m in core.sent_log(ADMIN_CHAT)
            if (m.get("reply_to_message") or {}).get("message_id") == command_id
        ]

    def all_answered() -> bool:
        return all(replies_to(command_id) for command_id in commands)

    env = {"SEND_RATE_GROUP": GROUP_PACE, "THROTTLE_BURST": "1000"}  # one admin types fast
    async with bot_process(tmp_path, core, env) as running:
        core.command(core.user(member, "Ani"), "/start")
        await core.wait_for(lambda: len(core.sent_log(member)) >= 2, STEP, what="/start")
        admin_types_plans(15)
        await core.wait_for(lambda: replies_to(commands[0]), STEP, what="the first /plans reply")
        core.command(member, "/me")
        admin_types_plans(15)
        me = await core.wait_for(
            lambda: core.find_sent(member, "Keanggotaan kamu"), 10, what="/me answered"
        )
        assert "Tingkat" in me["text"]
        assert not all_answered(), "the group was not busy when the member was answered"
        await core.wait_for(all_answered, 60, what="a reply to each of the 30 /plans")
    for command_id in commands:
        (reply,) = replies_to(command_id)
        assert reply["text"].startswith("Semua paket"), reply
    assert_log_clean(running)
