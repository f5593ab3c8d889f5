"""Helpers for driving the daily report flow, /balance and /team through the dispatcher."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from kernel.actor import Actor
from kernel.admin_input import MemberRef
from storage.models import Report, ReportScreenshot
from tests.handlers.conftest import BotUnderTest
from tests.handlers.shopkit import ADMIN_ID, find_button, outbox_to, press, send, start
from tests.kit.faketelegram import JSON
from tests.kit.images import receipt_jpeg

ADMIN = Actor(ADMIN_ID, "Dewi")

# One answer per step of the guided flow, in order (videos > 0, so links are asked).
ANSWERS = ("2", "https://vt.tiktok.com/ZSa1/\nhttps://vt.tiktok.com/ZSb2/", "12,5rb", "4",
           "1.250.000", "85rb")  # fmt: skip


async def member(
    app: BotUnderTest, user_id: int, name: str, plan: str | None = "vip_lifetime", lang: str = "id"
) -> JSON:
    """/start, then (unless plan is None) a membership granted by an admin."""
    user = await start(app, user_id, name, lang)
    if plan is not None:
        await app.container.memberships.grant(MemberRef(telegram_id=user_id), plan, "test", ADMIN)
    return user


def last(app: BotUnderTest, user: JSON) -> JSON:
    found = app.core.last_sent(user["id"])
    assert found is not None
    return found


def last_text(app: BotUnderTest, user: JSON) -> str:
    message = last(app, user)
    return str(message.get("text") or message.get("caption") or "")


async def say(app: BotUnderTest, user: JSON, text: str) -> str:
    """The member types `text`; returns the bot's last message to them."""
    before = len(app.core.sent_to(user["id"]))
    await send(app, app.core.private_text(user, text))
    sent = app.core.sent_to(user["id"])
    assert len(sent) > before, f"no answer to {text!r}"
    return str(sent[-1].get("text") or "")


async def photo(app: BotUnderTest, user: JSON, seed: int = 1) -> str:
    await send(app, app.core.private_photo(user, receipt_jpeg(seed % 6, seed)))
    return last_text(app, user)


async def tap_label(app: BotUnderTest, user: JSON, message: JSON, label: str) -> JSON:
    """Tap a button of `message` by its label; the answer to the tap."""
    return await press(app, user, message, find_button(app, message, label))


async def fill_until_screenshots(
    app: BotUnderTest, user: JSON, answers: tuple[str, ...] = ANSWERS
) -> None:
    await send(app, app.core.command(user, "/report"))
    for answer in answers:
        await say(app, user, answer)


async def fill_until_summary(
    app: BotUnderTest, user: JSON, answers: tuple[str, ...] = ANSWERS, shots: int = 1
) -> JSON:
    """/report, every answer, `shots` screenshots, then Done: the summary message."""
    await fill_until_screenshots(app, user, answers)
    for n in range(shots):
        await photo(app, user, seed=n + 1)
    if shots < 5:
        await tap_label(app, user, last(app, user), "✅")  # Selesai / Done
    summary = last(app, user)
    assert app.core.buttons(summary), summary
    return summary


async def report_rows(app: BotUnderTest) -> list[Report]:
    async with app.container.uow() as work:
        rows = await work.session.execute(select(Report).order_by(Report.id))
        return list(rows.scalars())


async def screenshot_rows(app: BotUnderTest, report_id: int) -> list[ReportScreenshot]:
    async with app.container.uow() as work:
        rows = await work.session.execute(
            select(ReportScreenshot)
            .where(ReportScreenshot.report_id == report_id)
            .order_by(ReportScreenshot.position)
        )
        return list(rows.scalars())


async def queued(app: BotUnderTest, chat_id: int) -> list[str]:
    """The text of every message queued for a chat (sent or not), rendered as the person
    would read it, oldest first."""
    rows = await outbox_to(app, chat_id)
    rendered = [app.container.i18n.t(row.text_key, row.language, **row.params) for row in rows]
    return [html.unescape(re.sub(r"<[^>]+>", "", text)) for text in rendered]


def truncated_jpeg() -> bytes:
    whole = receipt_jpeg(2, 5)
    return whole[: len(whole) // 2]
