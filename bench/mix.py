"""The realistic mix and approval latency (issue 13); bench/memory.py runs the mix against the
real bot process.

mix: per 100 updates 30 /start or menu (15 /start, 5 /buy, 10 menu taps), 20 /me,
15 plan/pay/method taps, 10 /balance, 10 /team, 5 payment proofs, 5 approvals by an admin
in the admin group, 5 report steps, through the real dispatcher, services and a migrated
SQLite database, Telegram faked in process (tests/kit). Purchases and reports run as
pipelines: each batch moves every buyer and reporter one step on, so a batch of 100 fed at
once (asyncio.gather, as polling does) never races a person against themselves. The outbox
relay drains after every batch, inside the timing. Baselines fed the same updates in the same
run: a bare aiogram bot (one fixed-text handler per update kind) and a typical aiogram +
SQLAlchemy bot (session per update, ORM upsert of the user, one read, a reply).

approve: 30 payment cards approved one tap at a time, then 30 taps at once; the relay runs
as the bot runs it (run_forever, woken by commits); tap to the member's "approved" message.
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import shutil
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, F, Router
from aiogram.methods import TelegramMethod
from aiogram.types import CallbackQuery, Message, Update
from sqlalchemy import BigInteger, String, func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.app import settle_heap
from bot.container import Container, build_container
from bot.dispatcher import build_dispatcher
from bot.settings import load_settings
from domain.states import PaymentMethodKind, PaymentStatus
from handlers.common.callbacks import MenuAction, MenuCallback
from kernel.actor import Actor
from kernel.admin_input import MemberRef
from storage.models import PaymentMethod, PaymentRequest
from tests.kit.fake_session import make_bot
from tests.kit.faketelegram import JSON, FakeTelegram
from tests.kit.images import receipt_jpeg

ADMIN_CHAT = -100500
OWNER_ID, ADMIN_ID = 7001, 7002
ROUNDS = 5
BATCHES = 3  # batches of 100 per bot, mode and round
WARMUP_BATCHES = 8  # fills the purchase and report pipelines
REGULARS = 400  # members who /start, /me, /balance, /team (VIP)
REPORT_ANSWERS = ("2", "https://vt.tiktok.com/ZSa1/\nhttps://vt.tiktok.com/ZSb2/", "12,5rb", "4",
                  "1.250.000", "85rb")  # fmt: skip


async def feed_one(dp: Dispatcher, bot: Bot, update: JSON) -> None:
    """What polling does with one update: parse it, feed it, run a returned method."""
    parsed = Update.model_validate(update, context={"bot": bot})
    result = await dp.feed_update(bot, parsed)
    if isinstance(result, TelegramMethod):
        await bot(result)


# ---------------------------------------------------------------- the bot under test


@dataclass
class RealBot:
    core: FakeTelegram
    bot: Bot
    dp: Dispatcher
    container: Container

    async def drain(self) -> None:
        while await self.container.relay.run_once():
            pass


# Telegram pacing high enough not to dominate the figures (the fake has no flood limits).
RATES = {"SEND_RATE_TOTAL": "10000", "SEND_RATE_PRIVATE": "1000", "SEND_RATE_GROUP": "100000",
         "THROTTLE_BURST": "1000"}  # fmt: skip


def settings_for(core: FakeTelegram, url: str) -> Any:
    return load_settings(
        _env_file=None, BOT_TOKEN=core.token, ADMIN_CHAT_ID=str(ADMIN_CHAT), DATABASE_URL=url,
        **RATES,
    )  # fmt: skip


async def build_real(folder: Path, name: str) -> RealBot:
    path = folder / f"{name}.db"
    shutil.copyfile(folder / "template.db", path)
    core = FakeTelegram()
    bot = make_bot(core)
    container = build_container(settings_for(core, f"sqlite+aiosqlite:///{path}"), bot=bot)
    dp = build_dispatcher(container)
    owner = core.user(OWNER_ID, "Owner")
    core.user(ADMIN_ID, "Dewi", username="dewi_admin")
    core.make_group(ADMIN_CHAT, "Admin", creator=owner)
    core.set_member_status(ADMIN_CHAT, ADMIN_ID, "administrator")
    async with container.uow() as work:
        work.session.add(
            PaymentMethod(
                code="bca",
                kind=PaymentMethodKind.BANK,
                label="BCA",
                account_number="1234567890",
                account_name="PT Kreator Nusantara",
                position=1,
            )
        )
        await work.commit()
    settle_heap()  # as bot.app.serve does before it takes updates
    return RealBot(core, bot, dp, container)


# ---------------------------------------------------------------- the workload


def button(core: FakeTelegram, message: JSON, label: str) -> str:
    """The callback data of the button labelled `label` (Indonesian | English)."""
    for text, data in core.buttons(message):
        if any(part in text for part in label.split("|")) and data is not None:
            return data
    raise AssertionError(f"no button {label!r} in {core.buttons(message)}")


def latest_with(core: FakeTelegram, chat_id: int, label: str) -> JSON:
    """The newest message in the chat with that button (a message the relay retried after
    Telegram's flood limit may arrive after a newer screen)."""
    for message in reversed(core.sent_to(chat_id)):
        for text, data in core.buttons(message):
            if any(part in text for part in label.split("|")) and data is not None:
                return message
    raise AssertionError(f"no button {label!r} in chat {chat_id}")


@dataclass
class Mix:
    """Builds batches of 100 updates for the real bot; keeps the pipelines moving."""

    app: RealBot
    regulars: list[JSON] = field(default_factory=list)
    reporters: list[JSON] = field(default_factory=list)
    report_step: list[int] = field(default_factory=list)
    buyers: list[list[JSON]] = field(default_factory=list)  # one list of 5 per stage
    next_id: int = 100_000
    turn: int = 0
    approvals: int = 0
    approved_buyers: list[int] = field(default_factory=list)
    # True: the bot process polls the updates from the fake's queue (bench/memory.py);
    # False: the bench feeds them to the dispatcher itself, so it takes them off the queue.
    delivered_by_polling: bool = False

    async def setup(self) -> None:
        core, work = self.app.core, self.app.container
        for i in range(REGULARS + 5):
            user = core.user(10_000 + i, f"Member{i}", language_code="id" if i % 4 else "en")
            await feed_one(self.app.dp, self.app.bot, core.command(user, "/start"))
            await work.memberships.grant(
                MemberRef(telegram_id=user["id"]), "vip_lifetime", "bench", Actor(OWNER_ID, "Owner")
            )
            (self.regulars if i < REGULARS else self.reporters).append(user)
        self.report_step = [0] * 5
        await self.app.drain()

    def _regular(self) -> JSON:
        self.turn += 1
        return self.regulars[self.turn % len(self.regulars)]

    def _new_buyer(self) -> JSON:
        self.next_id += 1
        return self.app.core.user(self.next_id, f"Buyer{self.next_id}")

    def _report_update(self, lane: int) -> JSON:
        core, user = self.app.core, self.reporters[lane]
        step = self.report_step[lane] % 10
        self.report_step[lane] += 1
        if step == 0:
            return core.command(user, "/report")
        if step <= 6:
            return core.private_text(user, REPORT_ANSWERS[step - 1])
        if step == 7:
            seed = 1000 + self.report_step[lane] * 7 + lane
            return core.private_photo(user, receipt_jpeg(seed % 6, seed))
        label = "Selesai|Done" if step == 8 else "Kirim|Send"
        last = latest_with(core, user["id"], label)
        return core.press(user, last, button(core, last, label))

    def batch(self) -> list[JSON]:
        core = self.app.core
        ups: list[JSON] = []
        # The purchase pipeline: stage 0 /start, 1 /buy, 2 plan, 3 pay, 4 method, 5 proof,
        # 6 approval. Stage 0 is 5 of the 15 /start.
        new = [self._new_buyer() for _ in range(5)]
        stages = [new, *self.buyers[:6]]
        for stage, people in enumerate(stages):
            for user in people:
                last = core.last_sent(user["id"])
                if stage == 0:
                    ups.append(core.command(user, "/start"))
                elif stage == 1:
                    ups.append(core.command(user, "/buy"))
                elif stage in (2, 3, 4):
                    label = {2: "Basic", 3: "Lanjut bayar", 4: "BCA"}[stage]
                    last = latest_with(core, user["id"], label)
                    ups.append(core.press(user, last, button(core, last, label)))
                elif stage == 5:
                    seed = user["id"]
                    ups.append(core.private_photo(user, receipt_jpeg(seed % 6, seed)))
                else:
                    card = core.find_sent(ADMIN_CHAT, f"id {user['id']}")
                    assert card is not None, f"no card for {user['id']}"
                    admin = core.user(ADMIN_ID)
                    ups.append(core.press(admin, card, button(core, card, "Setujui")))
                    self.approvals += 1
                    self.approved_buyers.append(user["id"])
        self.buyers = [new, *self.buyers[:5]]
        help_tap = MenuCallback(action=MenuAction.HELP).pack()
        for _ in range(10):
            ups.append(core.command(self._regular(), "/start"))
        for _ in range(10):
            user = self._regular()
            last = core.last_sent(user["id"])
            assert last is not None
            ups.append(core.press(user, last, help_tap, strict=False))
        ups += [core.command(self._regular(), "/me") for _ in range(20)]
        ups += [core.command(self._regular(), "/balance") for _ in range(10)]
        ups += [core.command(self._regular(), "/team") for _ in range(10)]
        ups += [self._report_update(lane) for lane in range(5)]
        if not self.delivered_by_polling:
            for update in ups:
                core.take_update(update["update_id"])
        return ups


# ---------------------------------------------------------------- the baselines


def bare_dispatcher() -> Dispatcher:
    router = Router()

    @router.message()
    async def on_message(message: Message) -> None:
        await message.answer("Hello!")

    @router.callback_query()
    async def on_tap(query: CallbackQuery) -> None:
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.answer("Hello!")

    dp = Dispatcher()
    dp.include_router(router)
    return dp


class Base(DeclarativeBase):
    pass


class TypicalUser(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    first_name: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(8))
    updates: Mapped[int] = mapped_column(default=0)


async def typical_dispatcher(folder: Path) -> tuple[Dispatcher, Callable[[], Awaitable[None]]]:
    """The usual tutorial bot: a session per update, upsert the user, read, reply."""
    engine = create_async_engine(f"sqlite+aiosqlite:///{folder / 'typical.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def touch(session: AsyncSession, message: Message | CallbackQuery) -> TypicalUser:
        user = message.from_user
        assert user is not None
        await session.execute(
            sqlite_insert(TypicalUser)
            .values(id=user.id, first_name=user.first_name, language=user.language_code)
            .on_conflict_do_update(
                index_elements=[TypicalUser.id],
                set_={"first_name": user.first_name, "updates": TypicalUser.updates + 1},
            )
        )
        found = await session.get(TypicalUser, user.id)
        assert found is not None
        await session.commit()
        return found

    router = Router()

    @router.message()
    async def on_message(message: Message) -> None:
        async with sessions() as session:
            user = await touch(session, message)
        await message.answer(f"Hello, {user.first_name}! ({user.updates})")

    @router.callback_query(F.data)
    async def on_tap(query: CallbackQuery) -> None:
        async with sessions() as session:
            user = await touch(session, query)
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.answer(f"Hello, {user.first_name}! ({user.updates})")

    dp = Dispatcher()
    dp.include_router(router)
    return dp, engine.dispose


def replayable(core: FakeTelegram, updates: list[JSON]) -> list[JSON]:
    """The same updates for a baseline: fresh callback ids the fake Telegram will accept."""
    out = []
    for update in updates:
        sender = (update.get("message") or update["callback_query"])["from"]
        core.user(sender["id"], sender["first_name"], started=True)
        if "callback_query" in update:
            query_id = f"b{next(core._query_ids)}"
            core._pending_queries.add(query_id)
            update = {**update, "callback_query": {**update["callback_query"], "id": query_id}}
        out.append(update)
    return out


# ---------------------------------------------------------------- timing


async def run_batches(
    dp: Dispatcher, bot: Bot, batches: list[list[JSON]], at_once: bool,
    after: Callable[[], Awaitable[None]] | None = None,
) -> float:  # fmt: skip
    started = time.perf_counter()
    for ups in batches:
        if at_once:
            await asyncio.gather(*(feed_one(dp, bot, u) for u in ups))
        else:
            for u in ups:
                await feed_one(dp, bot, u)
        if after is not None:
            await after()
    return time.perf_counter() - started


async def run_bot(app: RealBot, mix: Mix, at_once: bool) -> tuple[float, list[list[JSON]]]:
    """BATCHES batches through the bot; each is built (untimed) after the previous one ran,
    so every buyer and reporter answers the screen the bot really sent."""
    elapsed = 0.0
    batches = []
    for _ in range(BATCHES):
        ups = mix.batch()
        elapsed += await run_batches(app.dp, app.bot, [ups], at_once, app.drain)
        batches.append(ups)
    return elapsed, batches


@dataclass
class MixRun:
    rates: dict[tuple[str, str], list[float]]
    fed: int
    approvals: int
    approved: int
    sent_bare: int
    sent_typical: int
    replayed: int


async def approved_count(app: RealBot) -> int:
    async with app.container.uow() as work:
        found = await work.session.execute(
            select(func.count(PaymentRequest.id)).where(
                PaymentRequest.status == PaymentStatus.APPROVED
            )
        )
        return int(found.scalar_one())


async def run_mix(folder: Path, profile: cProfile.Profile | None = None) -> MixRun:
    app = await build_real(folder, "mix")
    mix = Mix(app)
    await mix.setup()
    for _ in range(WARMUP_BATCHES):
        await run_batches(app.dp, app.bot, [mix.batch()], False, app.drain)

    base_core = FakeTelegram()
    base_core.make_group(ADMIN_CHAT, "Admin", creator=base_core.user(OWNER_ID, "Owner"))
    for user in [*app.core.users.values()]:
        base_core.user(user["id"], user["first_name"], started=True)
    bare_bot, typical_bot = make_bot(base_core), make_bot(base_core)
    bare = bare_dispatcher()
    typical, dispose = await typical_dispatcher(folder)

    rates: dict[tuple[str, str], list[float]] = {}
    fed = replayed = 0
    recorded = [mix.batch()]
    await run_batches(app.dp, app.bot, recorded, False, app.drain)  # the baselines' first load
    kinds = ["bot", "typical", "bare"]
    for round_ in range(ROUNDS):
        for mode in ("one", "batch") if round_ % 2 == 0 else ("batch", "one"):
            order = kinds[round_ % 3 :] + kinds[: round_ % 3]
            for kind in order:
                if kind == "bot":
                    if profile is not None:
                        profile.enable()
                    elapsed, batches = await run_bot(app, mix, mode == "batch")
                    if profile is not None:
                        profile.disable()
                    recorded = batches
                else:
                    batches = [replayable(base_core, ups) for ups in recorded]
                    dp, bot = (typical, typical_bot) if kind == "typical" else (bare, bare_bot)
                    elapsed = await run_batches(dp, bot, batches, mode == "batch")
                    replayed += sum(len(b) for b in batches)
                n = sum(len(b) for b in batches)
                if kind == "bot":
                    fed += n
                rates.setdefault((kind, mode), []).append(n / elapsed)
    await app.drain()
    approved = await approved_count(app)
    sent_bare = sum(1 for c in base_core.calls if c.method == "sendMessage" and c.error is None)
    approvals = mix.approvals
    for buyer in mix.approved_buyers:
        assert app.core.find_sent(buyer, "disetujui") is not None, f"{buyer} not told"
    await dispose()
    await app.container.close()
    return MixRun(rates, fed, approvals, approved, sent_bare, 0, replayed)


def _table(rows: list[tuple[str, float, float, float]]) -> str:
    lines = ["| what | updates/s | ratio to the typical bot | share of bare aiogram |",
             "|---|---:|---:|---:|"]  # fmt: skip
    for what, rate, typical, bare in rows:
        lines.append(f"| {what} | {rate:,.0f} | {rate / typical:.2f}× | {rate / bare:.0%} |")
    return "\n".join(lines)


async def mix_bench(folder: Path) -> str:
    run = await run_mix(folder)
    med = {key: statistics.median(v) for key, v in run.rates.items()}
    rows = []
    for mode, label in (("one", "one at a time"), ("batch", "batches of 100 (gather)")):
        typical, bare = med[("typical", mode)], med[("bare", mode)]
        rows.append((f"the bot, {label}", med[("bot", mode)], typical, bare))
        rows.append((f"typical aiogram + SQLAlchemy, {label}", typical, typical, bare))
        rows.append((f"bare aiogram, {label}", bare, typical, bare))
    assert run.approved == run.approvals, (run.approved, run.approvals)
    # Every baseline update got its reply (each sends exactly one message per update).
    assert run.sent_bare == run.replayed, (run.sent_bare, run.replayed)
    return (
        f"mix: {run.fed // 2} updates through the bot per mode, {ROUNDS} interleaved rounds of "
        f"{BATCHES}×100, medians; outbox drained after each batch (timed)\n"
        f"{_table(rows)}\n"
        f"checked: {run.approved} payment requests approved = {run.approvals} approval taps "
        f"(each buyer told); {run.sent_bare} baseline replies = {run.replayed} updates"
    )


# ---------------------------------------------------------------- approve


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def until(
    condition: Callable[[], bool], note: Callable[[], None] | None = None, seconds: float = 30
) -> None:
    deadline = time.perf_counter() + seconds
    while not condition():
        if note is not None:
            note()
        if time.perf_counter() > deadline:
            raise AssertionError("the member's approved message never came")
        await asyncio.sleep(0.001)


async def approve_round(folder: Path, name: str, at_once: bool) -> list[float]:
    app = await build_real(folder, name)
    core = app.core
    buyers = [core.user(200_000 + i, f"Buyer{i}") for i in range(30)]
    for user in buyers:
        for text in ("/start", "/buy"):
            await feed_one(app.dp, app.bot, core.command(user, text))
        for label in ("Basic", "Lanjut bayar", "BCA"):
            last = core.last_sent(user["id"])
            assert last is not None
            await feed_one(app.dp, app.bot, core.press(user, last, button(core, last, label)))
        await feed_one(
            app.dp, app.bot, core.private_photo(user, receipt_jpeg(user["id"] % 6, user["id"]))
        )
    await app.drain()
    told: dict[int, float] = {}  # member → when their approved message reached Telegram
    seen = [len(core.calls)]

    def note() -> None:
        for call in core.calls[seen[0] :]:
            if call.method == "sendMessage" and "disetujui" in str(call.params.get("text")):
                told.setdefault(int(call.params["chat_id"]), time.perf_counter())
        seen[0] = len(core.calls)

    admin = core.user(ADMIN_ID)
    taps = []
    for card in core.sent_to(ADMIN_CHAT):
        approve = [d for _, d in core.buttons(card) if d and d.startswith("review:approve:")]
        if approve:
            taps.append((0, core.press(admin, card, approve[0])))
    assert len(taps) == len(buyers), len(taps)
    relay = asyncio.create_task(app.container.relay.run_forever())
    latencies: list[float] = []
    # The member's message is stamped when a watcher running beside the taps sees it
    # reach Telegram (within a millisecond), not when the taps are done.
    if at_once:
        started = time.perf_counter()
        tapping = asyncio.gather(*(feed_one(app.dp, app.bot, u) for _, u in taps))
        await until(lambda: len(told) == len(taps), note)
        await tapping
        latencies = [(t - started) * 1000 for t in told.values()]
    else:
        for i, (_, update) in enumerate(taps):
            started = time.perf_counter()
            tapping_one = asyncio.ensure_future(feed_one(app.dp, app.bot, update))
            await until(lambda i=i: len(told) == i + 1, note)  # type: ignore[misc]
            await tapping_one
            latencies.append((max(told.values()) - started) * 1000)
    app.container.relay.stop()
    await relay
    assert await approved_count(app) == 30
    await app.container.close()
    return latencies


async def approve_bench(folder: Path) -> str:
    lat: dict[bool, list[list[float]]] = {False: [], True: []}
    for round_ in range(3):
        for at_once in (False, True) if round_ % 2 == 0 else (True, False):
            lat[at_once].append(await approve_round(folder, f"approve{round_}{at_once}", at_once))
    lines = ["approve: 30 payment cards, tap → the member's approved message (relay running), "
             "medians of 3 interleaved rounds",
             "| what | p50 ms | p95 ms |", "|---|---:|---:|"]  # fmt: skip
    for at_once, label in ((False, "one at a time"), (True, "30 taps at once")):
        p50 = statistics.median(pct(r, 0.5) for r in lat[at_once])
        p95 = statistics.median(pct(r, 0.95) for r in lat[at_once])
        lines.append(f"| {label} | {p50:.0f} | {p95:.0f} |")
    return "\n".join(lines)


async def profile_mix(folder: Path) -> str:
    """cProfile of the bot's part of the mix (not a benchmark in the table)."""
    profile = cProfile.Profile()
    await run_mix(folder, profile=profile)
    out = folder.parent / "mix.prof"
    profile.dump_stats(out)
    stats = pstats.Stats(str(out))
    stats.sort_stats("cumulative").print_stats(45)
    return f"profile written to {out}"
