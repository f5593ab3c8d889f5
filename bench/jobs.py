"""`jobs`: the daily report reminder and check-ledger at 100k members (issue 13).

    ./scripts/bench jobs            (BENCH_JOBS_MEMBERS / BENCH_JOBS_REPORTS to resize,
                                     BENCH_JOBS_LEGACY=1 to also time the old one-transaction
                                     reminder as a "before")

A migrated SQLite file is filled with bulk inserts (members, a VIP membership each,
reports validated on past days with their commissions and ledger entries, some payouts)
and cached under data/bench-cache/ (git-ignored). Each measurement starts from a fresh
copy of it.

- reminder: the daily report reminder for every member, through the real service and
  the bot's engine, while a /balance-like read (the /balance service) is issued every
  50 ms; prints the reminder's time and the p95/max wait of those reads against the
  same reads on the idle database (baseline, measured in the same run).
- check-ledger: `check_ledger` as `python -m bot check-ledger` runs it (read-only
  engine), in a child process: its time and peak RSS; meanwhile the bot's engine
  writes every 50 ms (the wait of those writes shows whether the check holds the lock).
"""

from __future__ import annotations

import asyncio
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from kernel.clock import SystemClock
from kernel.notices import Notice
from services.reports.reminder import REMINDER_CHUNK
from storage.database import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.uow import UnitOfWorkFactory

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "data" / "bench-cache"
MEMBERS = int(os.environ.get("BENCH_JOBS_MEMBERS", "100000"))
REPORTS = int(os.environ.get("BENCH_JOBS_REPORTS", "1000000"))  # = commissions
PAYOUT_EVERY = 10  # one member in ten was paid out once
TICK = 0.05  # a read every 50 ms
IDLE_READS = 60
FORMAT = 2  # bump when the generated content changes


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def generate(path: Path) -> None:
    """Members, memberships, validated reports, commissions, ledger entries, payouts."""
    upgrade(f"sqlite+aiosqlite:///{path}")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("BEGIN")
    now = datetime.now(UTC)
    at = _stamp(now - timedelta(days=400))
    vip = db.execute("SELECT id, price FROM plans WHERE code = 'vip_lifetime'").fetchone()
    db.executemany(
        "INSERT INTO members (id, telegram_id, first_name, telegram_language, referral_code, "
        "created_at, last_seen_at) VALUES (?, ?, ?, 'id', ?, ?, ?)",
        ((i, 10_000_000 + i, f"Member {i}", f"R{i:08d}", at, at) for i in range(1, MEMBERS + 1)),
    )
    db.executemany(
        "INSERT INTO memberships (id, member_id, plan_id, status, list_price, activated_at, "
        "created_at) VALUES (?, ?, ?, 'active', ?, ?, ?)",
        ((i, i, vip[0], vip[1], at, at) for i in range(1, MEMBERS + 1)),
    )
    per_member = max(1, REPORTS // MEMBERS)
    first_day = date.today() - timedelta(days=per_member + 2)

    def reports() -> object:
        n = 0
        for member in range(1, MEMBERS + 1):
            for k in range(per_member):
                n += 1
                day = (first_day + timedelta(days=k)).isoformat()
                yield (n, member, day, at, at, at)

    db.executemany(
        "INSERT INTO reports (id, member_id, report_date, status, videos_posted, links, views, "
        "orders, sales, commission_claimed, commission_validated, reviewed_by, reviewed_at, "
        "created_at, updated_at, version) VALUES (?, ?, ?, 'validated', 1, '{}', 100, 1, "
        "1000000, 100000, 100000, 9001, ?, ?, ?, 1)",
        reports(),  # type: ignore[arg-type]
    )
    total = MEMBERS * per_member
    db.executemany(
        "INSERT INTO commissions (id, report_id, member_id, tier_code, total, member_share, "
        "leader_share, owner_share, created_by, created_at) "
        "VALUES (?, ?, ?, 'vip', 100000, 55000, 0, 45000, 9001, ?)",
        ((n, n, (n - 1) // per_member + 1, at) for n in range(1, total + 1)),
    )
    db.executemany(
        "INSERT INTO ledger_entries (id, member_id, kind, amount, commission_id, created_at) "
        "VALUES (?, ?, 'member_share', 55000, ?, ?)",
        ((n, (n - 1) // per_member + 1, n, at) for n in range(1, total + 1)),
    )
    payees = range(1, MEMBERS + 1, PAYOUT_EVERY)
    db.executemany(
        "INSERT INTO payouts (id, member_id, amount, method, created_by, created_at, "
        "request_key) VALUES (?, ?, 50000, 'bank', 9001, ?, ?)",
        ((k, m, at, f"bench-{k}") for k, m in enumerate(payees, 1)),
    )
    db.executemany(
        "INSERT INTO ledger_entries (id, member_id, kind, amount, payout_id, created_at) "
        "VALUES (?, ?, 'payout', -50000, ?, ?)",
        ((total + k, m, k, at) for k, m in enumerate(payees, 1)),
    )
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.execute("PRAGMA journal_mode=WAL")
    db.close()


def cached_database() -> tuple[Path, float]:
    """The generated file (from the cache when there) and how long generating took."""
    CACHE.mkdir(parents=True, exist_ok=True)
    # Named after the newest migration too: a new schema generates a new file.
    head = max(p.stem.split("_")[0] for p in (ROOT / "migrations" / "versions").glob("*.py"))
    path = CACHE / f"jobs-v{FORMAT}-m{head}-{MEMBERS}-{REPORTS}.db"
    if path.exists():
        return path, 0.0
    started = time.perf_counter()
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    generate(partial)
    partial.rename(path)
    return path, time.perf_counter() - started


def fresh_copy(source: Path, folder: Path, name: str) -> str:
    target = folder / f"{name}.db"
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return f"sqlite+aiosqlite:///{target}"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def reads_while(
    read: Callable[[], Awaitable[object]], running: asyncio.Future[object] | None, count: int
) -> list[float]:
    """Issue `read` every TICK: while `running` is not done (or `count` times); the
    time each took from issue to answer."""
    waits: list[float] = []
    while (running is None and len(waits) < count) or (running is not None and not running.done()):
        started = time.perf_counter()
        try:
            await read()
        except Exception as error:  # the read gave up waiting (the pool's 120 s timeout)
            print(f"  (a read failed after {time.perf_counter() - started:.1f} s: {error!r:.60})")
        waits.append(time.perf_counter() - started)
        await asyncio.sleep(max(0.0, TICK - (time.perf_counter() - started)))
    return waits


def services(url: str) -> tuple[object, object, object]:
    from services.ledger import LedgerService
    from services.reports import ReportService

    engine = create_engine(url)
    uow = UnitOfWorkFactory(create_session_factory(engine))
    clock = SystemClock()
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Asia/Jakarta")
    return (
        engine,
        ReportService(uow, clock, zone, "id"),
        LedgerService(uow, clock, zone, "id"),
    )


async def legacy_remind(reports: object) -> int:
    """The reminder as it was: every member in one transaction (the "before")."""
    from domain.commission import earning_tiers
    from domain.membership import effective_tier
    from domain.reports import jakarta_day

    now = reports.clock.now()  # type: ignore[attr-defined]
    day = jakarta_day(now, reports.zone)  # type: ignore[attr-defined]
    sent = 0
    async with reports.uow() as uow:  # type: ignore[attr-defined]
        earning = earning_tiers([s for _, s in await uow.ledger.structures()], day)
        for member in await uow.reports.unreported_members(day):
            tier = effective_tier(await uow.memberships.held(member.id), now)
            if tier is None or tier.code not in earning:
                continue
            sent += await uow.outbox.tell_member(
                member,
                "id",
                "reports.reminder",
                {"date": f"{day:%d-%m-%Y}"},
                f"report-reminder:{member.id}:{day.isoformat()}",
                now,
            )
        await uow.commit()
    return sent


async def reminder_round(url: str, legacy: bool) -> tuple[float, int, list[float]]:
    engine, reports, ledger = services(url)
    try:
        balance = lambda: ledger.balance(MEMBERS // 2)  # type: ignore[attr-defined]  # noqa: E731
        job = legacy_remind(reports) if legacy else reports.remind_missing()  # type: ignore[attr-defined]
        started = time.perf_counter()
        task: asyncio.Future[object] = asyncio.ensure_future(job)
        await asyncio.sleep(TICK)  # the job has started when the first read comes
        waits = await reads_while(balance, task, 0)
        sent = int(await task)  # type: ignore[call-overload]
        return time.perf_counter() - started, sent, waits
    finally:
        await engine.dispose()  # type: ignore[attr-defined]


async def idle_reads(url: str) -> list[float]:
    engine, _, ledger = services(url)
    try:
        return await reads_while(lambda: ledger.balance(MEMBERS // 2), None, IDLE_READS)  # type: ignore[attr-defined]
    finally:
        await engine.dispose()  # type: ignore[attr-defined]


CHILD = """
import asyncio, resource, sys, time
from services.ledger import check_ledger
from storage.database import create_read_engine, create_session_factory
from storage.uow import UnitOfWorkFactory
async def main():
    engine = create_read_engine(sys.argv[1])
    started = time.perf_counter()
    result = await check_ledger(UnitOfWorkFactory(create_session_factory(engine)))
    elapsed = time.perf_counter() - started
    await engine.dispose()
    # VmHWM: this program's own peak (ru_maxrss would carry the parent's over exec).
    with open("/proc/self/status") as status:
        hwm = [line for line in status if line.startswith("VmHWM:")]
    if hwm:
        rss = int(hwm[0].split()[1]) / 1024
    else:
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(elapsed, rss, result.commissions, result.entries, len(result.breaches))
asyncio.run(main())
"""


async def check_ledger_round(url: str) -> tuple[float, float, int, int, int, list[float]]:
    """check-ledger in a child process while the bot's engine writes every TICK."""
    engine = create_engine(url)
    uow = UnitOfWorkFactory(create_session_factory(engine))
    now = datetime.now(UTC)

    async def write() -> None:
        async with uow() as work:
            await work.outbox.enqueue(Notice(chat_id=1, text_key="menu.help", language="id"), now)
            await work.commit()

    try:
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            CHILD,
            url,
            cwd=ROOT,
            stdout=subprocess.PIPE,
        )
        waiting = asyncio.ensure_future(child.communicate())
        writes = await reads_while(write, waiting, 0)
        out, _ = await waiting
    finally:
        await engine.dispose()
    elapsed, rss, commissions, entries, breaches = out.decode().split()
    return float(elapsed), float(rss), int(commissions), int(entries), int(breaches), writes


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


async def jobs(folder: Path) -> str:
    source, generated = await asyncio.to_thread(cached_database)
    legacy = os.environ.get("BENCH_JOBS_LEGACY") == "1"
    lines = [
        f"jobs: {MEMBERS:,} members with a VIP membership, {REPORTS:,} validated reports, "
        f"commissions and ledger entries, {MEMBERS // PAYOUT_EVERY:,} payouts "
        + (f"(generated in {generated:.1f} s)" if generated else "(cached)"),
    ]
    try:
        idle = await idle_reads(fresh_copy(source, folder, "idle"))
        took, sent, waits = await reminder_round(fresh_copy(source, folder, "remind"), False)
        lines += [
            f"  baseline /balance on the idle database: p95 {ms(p95(idle))}, "
            f"max {ms(max(idle))} ({len(idle)} reads)",
            f"  daily reminder (chunks of {REMINDER_CHUNK}): {took:.1f} s for {sent:,} reminders; "
            f"/balance meanwhile every 50 ms: p95 {ms(p95(waits))} "
            f"({p95(waits) / p95(idle):.1f}x), max {ms(max(waits))} ({len(waits)} reads)",
        ]
        if legacy:
            took, sent, waits = await reminder_round(fresh_copy(source, folder, "legacy"), True)
            lines.append(
                f"  before (one transaction): {took:.1f} s for {sent:,} reminders; /balance "
                f"meanwhile: p95 {ms(p95(waits))}, max {ms(max(waits))} ({len(waits)} reads)"
            )
        own_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        url = fresh_copy(source, folder, "check")
        elapsed, rss, commissions, entries, breaches, writes = await check_ledger_round(url)
        lines += [
            f"  check-ledger: {elapsed:.1f} s, peak RSS {rss:.0f} MB, {commissions:,} "
            f"commissions, {entries:,} entries, {breaches} breach(es)",
            f"  a write every 50 ms meanwhile: p95 {ms(p95(writes))}, max {ms(max(writes))} "
            f"({len(writes)} writes; the check takes no write lock)",
            f"  (this process peak RSS {own_rss:.0f} MB)",
        ]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return "\n".join(lines)
