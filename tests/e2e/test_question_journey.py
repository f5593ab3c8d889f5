"""End to end over HTTP: a member's question reaches the admins' forum topic, an admin's
answer (a photo, then a text in the topic) reaches the member signed as the team."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ADMIN_CHAT, RunningBot, reply
from tests.kit.images import receipt_jpeg

pytestmark = pytest.mark.e2e
ANI, OWNER, DEWI = 811, 812, 813


async def test_a_question_and_its_answer_through_the_real_process(
    bot_process: RunningBot,
) -> None:
    core = bot_process.core
    owner = core.user(OWNER, "Owner")
    dewi = core.user(DEWI, "Dewi")
    core.make_group(ADMIN_CHAT, "Admin", creator=owner, is_forum=True)
    core.set_member_status(ADMIN_CHAT, DEWI, "administrator")
    ani = core.user(ANI, "Ani", language_code="id")

    told = await reply(
        core, ANI, lambda: core.private_text(ani, "halo kak, mau tanya soal akun tiktok"),
        "diteruskan ke admin",
    )  # fmt: skip
    assert told["text"].startswith("✅ Pesanmu sudah diteruskan ke admin.")
    question = await core.wait_for(
        lambda: next((m for m in core.sent_to(ADMIN_CHAT)
                      if m.get("text") == "halo kak, mau tanya soal akun tiktok"), None),
        20.0, what="the question copied into the topic",
    )  # fmt: skip
    (topic,) = core.topics(ADMIN_CHAT)
    assert question["message_thread_id"] == topic["message_thread_id"]
    assert topic["name"] == "Ani · belum punya paket · #1"

    # Dewi answers with a screenshot in reply, then a text anywhere in the topic.
    shot = await reply(
        core, ANI,
        lambda: core.group_photo(ADMIN_CHAT, dewi, receipt_jpeg(4, 5), caption="lihat ini ya",
                                 reply_to=question, thread_id=topic["message_thread_id"]),
        "lihat ini ya",
    )  # fmt: skip
    assert "photo" in shot and shot["caption"] == "💬 Tim Admin:\nlihat ini ya"
    text = await reply(
        core, ANI,
        lambda: core.group_text(ADMIN_CHAT, dewi, "sudah bisa login sekarang?",
                                thread_id=topic["message_thread_id"]),
        "sudah bisa login",
    )  # fmt: skip
    assert text["text"] == "💬 Tim Admin:\nsudah bisa login sekarang?"
    assert "Traceback" not in bot_process.log()
