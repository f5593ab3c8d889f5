"""announce: an announcement to 10,000 members through the local Bot API server with
Telegram's flood limits on (issue 14).

The bot is built as `python -m bot` builds it (container, dispatcher, sending layer with
the default SEND_RATE_* limits, the announcement sender at the default ANNOUNCE_RATE),
in this process, talking HTTP to `tests/kit/botapi_server.py` in front of
`FakeTelegram(rate_limits=True)`, which answers 429 beyond 30 messages a second overall
and 5 in 2 s to one chat. The database is a migrated SQLite file with MEMBERS registered
members (all of them have opened the bot).

Reported: the rate achieved from the first claim to the last outcome, as a share of
ANNOUNCE_RATE (target >= 95%); members who got no copy (lost) or two (duplicates); 429
answers from the fake and recipients failed on one (unhandled); and the latency of an
interactive reply, a member's /me from the update to the bot's answer on the wire,
measured idle before the send and every second during it.

    ./scripts/bench announce             10,000 members (about 8 minutes at 20/s)
    BENCH_ANNOUNCE_MEMBERS=2000 ./scripts/bench announce
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from aiogram.types import Update
from sqlalchemy import insert

from bot.app import settle_heap
from bot.container import build_container
from bot.dispatcher import build_dispatcher
from bot.settings import load_settings
from kernel.actor import Actor
from services.announcements import Audience, Draft
from storage.models import Member
from tests.kit.botapi_server import BotApiServer
from tests.kit.faketelegram import FakeTelegram

MEMBERS = int(os.environ.get("BENCH_ANNOUNCE_MEMBERS", "10000"))
ADMIN_CHAT, ADMIN_ID, OWNER_ID = -100700, 7002, 7001
FIRST_MEMBER = 500_000
PROBES_IDLE = 20


def _ms(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"


async def announce_bench(folder: Path) -> str:
    path = folder / "announce.db"
    shutil.copyfile(folder / "template.db", path)
    core = FakeTelegram(rate_limits=True)
    server = BotApiServer(core)
    await server.start()
    settings = load_settings(
        _env_file=None, BOT_TOKEN=core.token, ADMIN_CHAT_ID=str(ADMIN_CHAT),
        DATABASE_URL=f"sqlite+aiosqlite:///{path}", TELEGRAM_API_BASE=server.base_url,
    )  # fmt: skip
    container = build_container(settings)
    dp = build_dispatcher(container)
    try:
        owner = core.user(OWNER_ID, "Owner")
        admin = core.user(ADMIN_ID, "Dewi")
        core.make_group(ADMIN_CHAT, "Admin", creator=owner)
        core.set_member_status(ADMIN_CHAT, ADMIN_ID, "administrator")
        now = datetime.now(UTC)
        ids = range(FIRST_MEMBER, FIRST_MEMBER + MEMBERS)
        for telegram_id in ids:
            core.user(telegram_id, f"Anggota {telegram_id}", started=True)
        async with container.uow() as work:
            await work.session.execute(
                insert(Member),
                [
                    {"telegram_id": i, "first_name": f"Anggota {i}", "referral_code": f"b{i}",
                     "telegram_language": "id", "created_at": now, "last_seen_at": now}
                    for i in ids
                ],
            )  # fmt: skip
            await work.commit()
        source = core.group_text(ADMIN_CHAT, admin, "📣 Kelas Zoom besok jam 19.00, jangan lupa!")
        core.take_update(source["update_id"])
        settle_heap()

        async def probe(member: int) -> float:
            update = core.command(core.user(member), "/me")
            core.take_update(update["update_id"])
            started = time.perf_counter()
            await dp.feed_update(
                container.bot, Update.model_validate(update, context={"bot": container.bot})
            )
            return time.perf_counter() - started

        idle = []
        for n in range(PROBES_IDLE):
            idle.append(await probe(FIRST_MEMBER + n))
            await asyncio.sleep(0.2)

        service, sender = container.announcements, container.announcer
        draft = Draft(ADMIN_CHAT, (source["message"]["message_id"],), False,
                      ((("Daftar", "https://zoom.us/j/1"),),), Audience.EVERYONE)  # fmt: skip
        record = await service.confirm(draft, Actor(ADMIN_ID, "Dewi"))
        prepared_at = time.perf_counter()
        await service.prepare(record.id)
        prepare_seconds = time.perf_counter() - prepared_at
        started = time.perf_counter()
        sending = asyncio.create_task(sender.run_once())
        during: list[float] = []
        member = FIRST_MEMBER + PROBES_IDLE
        while not sending.done():
            await asyncio.sleep(1.0)
            if not sending.done():
                during.append(await probe(member))
                member += 1
        await sending
        elapsed = time.perf_counter() - started
        done = await service.announcement(record.id)
        got = [core.count_sent(i, "Kelas Zoom besok") for i in ids]
        lost = sum(1 for n in got if n == 0)
        twice = sum(1 for n in got if n > 1)
        flood = len(core.rate_limited())
        unhandled = done.failed
        rate = done.sent / elapsed
        target = settings.ANNOUNCE_RATE
        return (
            f"announce: {MEMBERS:,} members through the local Bot API server, Telegram's limits "
            f"on, ANNOUNCE_RATE {target:g}/s\n"
            f"  sent {done.sent:,} in {elapsed:.1f} s: {rate:.2f}/s = {rate / target:.1%} of "
            f"ANNOUNCE_RATE (target >= 95%); recipients made rows in {prepare_seconds:.2f} s\n"
            f"  lost {lost}, sent twice {twice}, failed {done.failed}, blocked {done.blocked}; "
            f"429 answers {flood}, recipients failed on a 429 (unhandled) {unhandled}\n"
            f"  /me while idle: {_ms(idle)} ({len(idle)} probes)\n"
            f"  /me while sending: {_ms(during)} ({len(during)} probes)"
        )
    finally:
        await container.close()
        await server.stop()
