"""memory: resident set size of the bot process alone (issue 13).

The bench builds the bot's database as the mix does (a copy of the migrated template, REGULARS
members registered and granted VIP) and closes it; then it starts the real bot, `python -m bot`
(polling), against a local Bot API server (tests/kit) wrapping the same fake Telegram, and
feeds the mix through Telegram: every batch of 100 waits in the fake's queue for getUpdates,
and the next batch is built once the bot has answered this one (every person's reply, the
taps answered, the admin's card for each proof, the member's "disetujui" for each approval).

RSS is /proc/<pid>/status VmRSS of the bot process: idle (median over ~2 s after the first
seconds of polling), peak (max of samples every 20 ms during the mix) and after (median over
~2 s, ~5 s after the last batch). The process runs no gc on demand: this is what it holds.
At the end the bot is stopped (SIGTERM) and the approved payment requests are counted in the
database file against the approval taps.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from sqlalchemy import func, select

from bench.mix import ADMIN_CHAT, RATES, REGULARS, WARMUP_BATCHES, Mix, build_real
from domain.states import PaymentStatus
from storage.database import create_engine
from storage.models import PaymentRequest
from tests.kit.botapi_server import BotApiServer
from tests.kit.faketelegram import JSON, FakeTelegram
from tests.kit.processes import stop_gently

ROOT = Path(__file__).resolve().parents[1]
BATCHES = 30  # batches of 100 after the warm-up ones
BATCH_TIMEOUT = 120.0  # seconds for the bot to answer one batch
SETTLE_SECONDS = 5.0  # after the last batch: the outbox relay and the jobs settle
SAMPLE_EVERY = 0.02


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


async def median_rss(pid: int, seconds: float = 2.0, samples: int = 11) -> float:
    values = []
    for i in range(samples):
        if i:
            await asyncio.sleep(seconds / (samples - 1))
        values.append(rss_mb(pid))
    return statistics.median(values)


# ---------------------------------------------------------------- the bot process


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:]) or "(empty log)"

    async def stop(self) -> int:
        return await stop_gently(self.process, self.log_tail)


async def start_bot(folder: Path, core: FakeTelegram, server: BotApiServer, db: Path) -> BotProcess:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(folder),
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": core.token,
        "ADMIN_CHAT_ID": str(ADMIN_CHAT),
        "DATABASE_URL": f"sqlite+aiosqlite:///{db}",
        "TELEGRAM_API_BASE": server.base_url,
        "LOG_LEVEL": "WARNING",
        **RATES,
    }
    log_path = folder / "bot.log"
    with log_path.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=folder, env=env,
            stdout=log_file, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
    return BotProcess(process, log_path)


# ---------------------------------------------------------------- waiting for the bot


@dataclass
class Answers:
    """What the bot has done so far, read incrementally from the fake's calls."""

    core: FakeTelegram
    seen: int = 0
    chat_calls: dict[int, int] = field(default_factory=dict)  # chat -> calls naming it

    def update(self) -> None:
        calls = self.core.calls
        for call in calls[self.seen :]:
            chat = call.params.get("chat_id")
            if chat is not None and call.method != "answerCallbackQuery":
                try:
                    key = int(chat)
                except (TypeError, ValueError):
                    continue
                self.chat_calls[key] = self.chat_calls.get(key, 0) + 1
        self.seen = len(calls)

    def calls_in(self, chat: int) -> int:
        return self.chat_calls.get(chat, 0)

    def more_calls(self, chat: int, before: int) -> bool:
        return self.calls_in(chat) > before


def delivered(core: FakeTelegram, ids: set[int]) -> bool:
    """getUpdates handed out every update of the batch (the bot confirmed them)."""
    return not any(u["update_id"] in ids for u in core.updates)


def newest_id(core: FakeTelegram, chat: int) -> int:
    sent = core.sent_to(chat)
    return sent[-1]["message_id"] if sent else 0


def fresh_button(core: FakeTelegram, chat: int, label: str, after_id: int) -> bool:
    """A message newer than `after_id` in the chat carries a button labelled `label`."""
    for message in reversed(core.sent_to(chat)):
        if message["message_id"] <= after_id:
            return False
        if any(part in text for text, _ in core.buttons(message) for part in label.split("|")):
            return True
    return False


def expectations(mix: Mix, ups: list[JSON], approved_before: int) -> list[Callable[[], object]]:
    """One check per thing the next batch needs from the bot's answers to `ups`, built
    right after mix.batch() (before the bot can have seen any of it)."""
    core = mix.app.core
    answers = Answers(core)
    answers.update()
    checks: list[Callable[[], object]] = [answers.update]  # refresh first (returns None)
    ids = {u["update_id"] for u in ups}
    checks.append(partial(delivered, core, ids))
    proofs = {u["id"] for u in mix.buyers[5]} if len(mix.buyers) > 5 else set()
    for update in ups:
        if "callback_query" in update:
            query = update["callback_query"]
            chat = query["message"]["chat"]["id"]
            query_id = query["id"]
            checks.append(partial(core.callback_answers.__contains__, query_id))
        else:
            chat = update["message"]["chat"]["id"]
        if chat == ADMIN_CHAT:
            continue  # approvals: the member's message below
        before = answers.calls_in(chat)
        checks.append(partial(answers.more_calls, chat, before))  # the bot answered
        if chat in proofs:
            # a buyer's proof: the next batch approves the card in the admin group
            checks.append(partial(core.find_sent, ADMIN_CHAT, f"id {chat}"))
    for buyer in mix.approved_buyers[approved_before:]:
        checks.append(partial(core.count_sent, buyer, "disetujui"))
    for lane, user in enumerate(mix.reporters):
        step = (mix.report_step[lane] - 1) % 10
        label = {7: "Selesai|Done", 8: "Kirim|Send"}.get(step)  # what the next step taps
        if label is not None:
            chat, last = user["id"], newest_id(core, user["id"])
            checks.append(partial(fresh_button, core, chat, label, last))
    return checks


async def handled(core: FakeTelegram, bot: BotProcess, checks: list[Callable[[], object]]) -> None:
    def done() -> bool:
        checks[0]()
        return all(check() for check in checks[1:])

    deadline = time.monotonic() + BATCH_TIMEOUT
    while not await core.wait_until(done, 0.1):
        if bot.process.returncode is not None:
            raise AssertionError(f"the bot exited ({bot.process.returncode}):\n{bot.log_tail()}")
        if time.monotonic() > deadline:
            missing = sum(1 for check in checks[1:] if not check())
            raise AssertionError(
                core.describe_state(
                    f"the bot did not answer a batch within {BATCH_TIMEOUT:.0f}s "
                    f"({missing} of {len(checks) - 1} checks open)"
                )
                + f"\nthe bot's log:\n{bot.log_tail()}"
            )


# ---------------------------------------------------------------- the benchmark


async def approved_in(db: Path) -> int:
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    try:
        async with engine.connect() as conn:
            found = await conn.execute(
                select(func.count(PaymentRequest.id)).where(
                    PaymentRequest.status == PaymentStatus.APPROVED
                )
            )
            return int(found.scalar_one())
    finally:
        await engine.dispose()


async def memory_bench(folder: Path) -> str:
    app = await build_real(folder, "memory")
    db = folder / "memory.db"
    mix = Mix(app, delivered_by_polling=True)
    await mix.setup()
    await app.container.close()  # from here on only the bot process touches the database
    core = app.core
    core.updates.clear()  # setup fed its /start updates to the dispatcher itself
    server = BotApiServer(core)
    await server.start()
    bot: BotProcess | None = None
    sampler: asyncio.Task[None] | None = None
    stop_sampling = asyncio.Event()
    try:
        bot = await start_bot(folder, core, server, db)
        if not await core.wait_until(lambda: core.calls_of("getUpdates"), 60):
            raise AssertionError(f"the bot never called getUpdates:\n{bot.log_tail()}")
        await asyncio.sleep(3)  # the first seconds of polling
        pid = bot.pid
        idle = await median_rss(pid)

        peak = [idle]

        async def sample() -> None:
            while not stop_sampling.is_set():
                peak[0] = max(peak[0], rss_mb(pid))
                await asyncio.sleep(SAMPLE_EVERY)

        sampler = asyncio.create_task(sample())
        fed = 0
        after_batches: dict[int, float] = {}
        started = time.perf_counter()
        for i in range(WARMUP_BATCHES + BATCHES):
            approved_before = len(mix.approved_buyers)
            ups = mix.batch()
            await handled(core, bot, expectations(mix, ups, approved_before))
            fed += len(ups)
            done = i + 1 - WARMUP_BATCHES
            if done in (0, 10, 20, BATCHES):
                after_batches[done] = rss_mb(pid)
        elapsed = time.perf_counter() - started
        stop_sampling.set()
        await sampler
        sampler = None
        await asyncio.sleep(SETTLE_SECONDS)
        after = await median_rss(pid)
        code = await bot.stop()
        assert code == 0, f"the bot exited {code}:\n{bot.log_tail()}"
    finally:
        stop_sampling.set()
        if sampler is not None:
            await asyncio.gather(sampler, return_exceptions=True)
        if bot is not None and bot.process.returncode is None:
            try:
                await bot.stop()
            except AssertionError:
                pass
        await server.stop()
    approved = await approved_in(db)
    assert approved == mix.approvals, (approved, mix.approvals)
    for buyer in mix.approved_buyers:
        assert core.find_sent(buyer, "disetujui") is not None, f"{buyer} not told"
    growth = ", ".join(f"{n}: {mb:.0f}" for n, mb in sorted(after_batches.items()))
    return (
        "memory: resident set size of the bot process (`python -m bot`, polling a local Bot API "
        "server), MB\n"
        "| when | MB | to idle | target |\n|---|---:|---:|---:|\n"
        f"| idle, {REGULARS + 5} members | {idle:.0f} | 1.00 | |\n"
        f"| peak under the mix ({fed:,} updates) | {peak[0]:.0f} | {peak[0] / idle:.2f} "
        "| <= 1.30 |\n"
        f"| after the mix, idle again | {after:.0f} | {after / idle:.2f} | <= 1.10 |\n"
        f"RSS after N batches past the {WARMUP_BATCHES} warm-up ones (MB): {growth}; "
        f"{fed / elapsed:.0f} updates/s through Telegram\n"
        f"checked: {approved} payment requests approved = {mix.approvals} approval taps "
        f"(each buyer told)"
    )
