"""scale: the member and owner views at 100k members and 1M reports/commissions.

The database is generated with bulk INSERT ... SELECT on the raw connection of a
migrated SQLite file (valid rows: `check-ledger` holds on them) and cached under
data/bench-cache/, keyed by the alembic head and GENERATOR_VERSION; each run works on a
copy. Each view is the service call its handler makes, through the real unit of work
(one connection, BEGIN IMMEDIATE) and the system clock; the baseline is a raw point read
(`SELECT ... FROM members WHERE id = ?`) on the same engine. Medians of interleaved
rounds; SQL statements counted per call (BEGIN not counted).
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.timing import counting_engine, interleaved, table
from kernel.actor import Actor
from kernel.admin_input import MemberRef
from kernel.clock import SystemClock
from services.leaders import LeaderService
from services.members.lookup import MemberLookupService
from services.payments import PaymentService
from services.reports import ReportService
from storage.database import create_session_factory
from storage.migrate import alembic_config, upgrade
from storage.uow import UnitOfWorkFactory

GENERATOR_VERSION = 2
MEMBERS = 100_000
REPORTS_PER_MEMBER = 10  # 1M reports
LEADER_ID = 1
SUBS = 1_000  # members 2..1001 are the leader's subs
PENDING_REPORT_EVERY = 50  # 2,000 reports waiting for validation
REJECTED_EVERY = 37
SUBMITTED_PAYMENTS = 30
AWAITING_PAYMENTS = 200
ROUNDS = 15
ZONE = ZoneInfo("Asia/Jakarta")
CACHE = Path(__file__).resolve().parent.parent / "data" / "bench-cache"


def _ts(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def _head() -> str:
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())


def generate(path: Path, today: date) -> None:
    """Fill a migrated database with the scale data set (a few seconds)."""
    now = datetime.now(UTC)
    stamp = _ts(now)
    db = sqlite3.connect(path)
    db.execute("PRAGMA foreign_keys=OFF")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-200000")
    q = db.execute
    q("BEGIN")
    q(
        "INSERT INTO payment_methods (code, kind, label, account_name, account_number, "
        "is_active, position) VALUES ('bca', 'bank', 'BCA', 'Owner', '123', 1, 1)"
    )
    q(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
        "INSERT INTO members (id, telegram_id, first_name, last_name, username, "
        "telegram_language, referral_code, created_at, last_seen_at) "
        "SELECT i, 1000000000 + i, 'Member' || i, CASE WHEN i % 3 = 0 THEN 'L' || i END, "
        "'user' || i, 'id', 'R' || i, ?, ? FROM n",
        (MEMBERS, stamp, stamp),
    )
    # Leaders: member 1 leads 2..1001; members above 11001 are led by one of 1002..11001.
    q(
        "INSERT INTO leader_links (member_id, leader_member_id, source, valid_from) "
        "SELECT id, CASE WHEN id <= ? THEN ? ELSE 1002 + id % 10000 END, 'referral', ? "
        "FROM members WHERE id BETWEEN 2 AND ? OR id > 11001",
        (SUBS + 1, LEADER_ID, stamp, SUBS + 1),
    )
    # Every member holds VIP for life (half of the leader's subs hold basic instead).
    q(
        "INSERT INTO memberships (member_id, plan_id, status, list_price, activated_at, "
        "created_at) SELECT id, CASE WHEN id BETWEEN 2 AND ? AND id % 2 = 0 THEN 1 ELSE 2 END,"
        " 'active', CASE WHEN id BETWEEN 2 AND ? AND id % 2 = 0 THEN 97000 ELSE 299000 END,"
        " ?, ? FROM members",
        (SUBS + 1, SUBS + 1, stamp, stamp),
    )
    # One approved payment per member (the history /pending must not scan), with its proof.
    q(
        "INSERT INTO payment_requests (member_id, plan_id, status, method_id, quote_kind, "
        "list_price, credit, amount, days_carried, replaces_base, quoted_at, created_at, "
        "updated_at, result_membership_id) SELECT m.id, ms.plan_id, 'approved', 1, 'new', "
        "ms.list_price, 0, ms.list_price, 0, 0, ?, ?, ?, ms.id "
        "FROM members m JOIN memberships ms ON ms.member_id = m.id",
        (stamp, stamp, stamp),
    )
    q(
        "INSERT INTO payment_proofs (payment_request_id, status, telegram_file_id, "
        "file_unique_id, sha256, perceptual_hash, size_bytes, width, height, image_format, "
        "created_at) SELECT id, 'accepted', 'file' || id, 'uniq' || id, "
        "printf('%064d', id), printf('%016d', id), 1000, 600, 800, 'jpeg', ? "
        "FROM payment_requests",
        (stamp,),
    )
    # Open requests: some waiting for an admin (with a proof), more waiting for a proof.
    open_rows = []
    for k in range(SUBMITTED_PAYMENTS + AWAITING_PAYMENTS):
        member = 50_000 + k
        status = "submitted" if k < SUBMITTED_PAYMENTS else "awaiting_proof"
        when = _ts(now - timedelta(minutes=SUBMITTED_PAYMENTS + AWAITING_PAYMENTS - k))
        open_rows.append((member, status, when, when, when))
    db.executemany(
        "INSERT INTO payment_requests (member_id, plan_id, status, method_id, quote_kind, "
        "list_price, credit, amount, days_carried, replaces_base, quoted_at, created_at, "
        "updated_at) VALUES (?, 2, ?, 1, 'new', 299000, 0, 299000, 0, 0, ?, ?, ?)",
        open_rows,
    )
    q(
        "INSERT INTO payment_proofs (payment_request_id, status, telegram_file_id, "
        "file_unique_id, sha256, perceptual_hash, size_bytes, width, height, image_format, "
        "duplicate_of_proof_id, created_at) SELECT id, 'submitted', 'open' || id, "
        "'openuniq' || id, printf('%064d', id + 9000000), printf('%016d', id), 1000, 600, "
        "800, 'jpeg', CASE WHEN id % 5 = 0 THEN id - 40000 END, ? "
        "FROM payment_requests WHERE status = 'submitted'",
        (stamp,),
    )
    # Reports: ten days each, yesterday back; some rejected, the newest of some pending.
    q(
        "WITH RECURSIVE d(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM d WHERE k < ?) "
        "INSERT INTO reports (member_id, report_date, status, videos_posted, links, views, "
        "orders, sales, commission_claimed, commission_validated, reviewed_by, reviewed_at, "
        "created_at, updated_at, version) "
        "SELECT m.id, date(?, '-' || d.k || ' days'), "
        "CASE WHEN d.k = 1 AND m.id % ? = 0 THEN 'submitted' "
        "WHEN d.k = 5 AND m.id % ? = 0 THEN 'rejected' ELSE 'validated' END, "
        "3, '{\"items\": []}', 1000 + m.id % 97, 2, 200000, 10000 + (m.id * 7 + d.k) % 5000, "
        "CASE WHEN (d.k = 1 AND m.id % ? = 0) OR (d.k = 5 AND m.id % ? = 0) THEN NULL "
        "ELSE 10000 + (m.id * 7 + d.k) % 5000 END, "
        "CASE WHEN d.k = 1 AND m.id % ? = 0 THEN NULL ELSE 777 END, "
        "CASE WHEN d.k = 1 AND m.id % ? = 0 THEN NULL ELSE ? END, ?, "
        "datetime(?, '-' || (m.id % 1000) || ' seconds'), 1 "
        "FROM members m CROSS JOIN d",
        (
            REPORTS_PER_MEMBER,
            today.isoformat(),
            PENDING_REPORT_EVERY,
            REJECTED_EVERY,
            PENDING_REPORT_EVERY,
            REJECTED_EVERY,
            PENDING_REPORT_EVERY,
            PENDING_REPORT_EVERY,
            stamp,
            stamp,
            stamp,
        ),
    )
    q(
        "UPDATE reports SET reject_reason = 'blurry', commission_validated = NULL "
        "WHERE status = 'rejected'"
    )
    q(
        "INSERT INTO report_screenshots (report_id, position, telegram_file_id, file_unique_id) "
        "SELECT r.id, p.position, 'shot' || r.id || '_' || p.position, "
        "'su' || r.id || '_' || p.position FROM reports r "
        "CROSS JOIN (SELECT 1 AS position UNION ALL SELECT 2) p "
        "WHERE r.status = 'submitted' OR r.member_id <= ?",
        (SUBS + 1,),
    )
    # A commission for every validated report (VIP structure 1: 55% / 5% / 40%).
    q(
        "INSERT INTO commissions (report_id, member_id, leader_member_id, structure_id, "
        "tier_code, total, member_share, leader_share, owner_share, created_by, created_at) "
        "SELECT r.id, r.member_id, l.leader_member_id, 1, 'vip', r.commission_validated, "
        "r.commission_validated * 5500 / 10000, "
        "CASE WHEN l.leader_member_id IS NULL THEN 0 "
        "ELSE r.commission_validated * 500 / 10000 END, "
        "r.commission_validated - r.commission_validated * 5500 / 10000 - "
        "CASE WHEN l.leader_member_id IS NULL THEN 0 "
        "ELSE r.commission_validated * 500 / 10000 END, 777, ? "
        "FROM reports r LEFT JOIN leader_links l "
        "ON l.member_id = r.member_id AND l.valid_to IS NULL "
        "WHERE r.status = 'validated' ORDER BY r.id",
        (stamp,),
    )
    q(
        "INSERT INTO ledger_entries (member_id, kind, amount, commission_id, created_at) "
        "SELECT member_id, 'member_share', member_share, id, ? FROM commissions "
        "WHERE member_share > 0 ORDER BY id",
        (stamp,),
    )
    q(
        "INSERT INTO ledger_entries (member_id, kind, amount, commission_id, created_at) "
        "SELECT leader_member_id, 'leader_share', leader_share, id, ? FROM commissions "
        "WHERE leader_share > 0 ORDER BY id",
        (stamp,),
    )
    q("COMMIT")
    db.execute("ANALYZE")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def dataset(folder: Path) -> tuple[Path, str]:
    """A copy of the cached data set in `folder` (generated on the first run)."""
    today = datetime.now(ZONE).date()
    key = f"scale-{_head()}-v{GENERATOR_VERSION}-{today.isoformat()}.db"
    cached = CACHE / key
    note = "cached"
    if not cached.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        for old in CACHE.glob("scale-*.db"):
            old.unlink()
        building = CACHE / (key + ".part")
        building.unlink(missing_ok=True)
        started = time.perf_counter()
        upgrade(f"sqlite+aiosqlite:///{building}")
        generate(building, today)
        building.rename(cached)
        note = f"generated in {time.perf_counter() - started:.1f} s"
    copy = folder / "scale.db"
    shutil.copyfile(cached, copy)
    return copy, note


async def scale(folder: Path) -> str:
    try:
        # Alembic runs its own event loop: generate in a thread.
        path, note = await asyncio.to_thread(dataset, folder)
        return await _measure(path, note)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def _measure(path: Path, note: str) -> str:
    engine, statements = counting_engine(path)

    uow = UnitOfWorkFactory(create_session_factory(engine))
    clock = SystemClock()
    reports = ReportService(uow, clock, ZONE, "id", admin_chat_id=-100)
    leaders = LeaderService(uow, clock, ZONE, "id")
    payments = PaymentService(uow, clock, ZONE, "id", admin_chat_id=-100)
    lookup = MemberLookupService(uow, clock, ZONE, "id")
    admin = Actor(777, "Admin")
    member_id = 12_345
    telegram_id = 1_000_000_000 + member_id

    async def point_read() -> None:
        async with engine.connect() as conn:
            found = await conn.exec_driver_sql(
                "SELECT id, telegram_id, first_name FROM members WHERE id = ?", (member_id,)
            )
            found.all()

    async def balance() -> None:
        assert await reports.balance_with_latest(telegram_id, 5) is not None

    async def team() -> None:
        found = await leaders.team(1_000_000_000 + LEADER_ID)
        assert found is not None and len(found.subs) == SUBS

    async def pending() -> None:
        queue = await payments.pending(30, 30)
        assert queue.submitted == SUBMITTED_PAYMENTS == len(queue.cards)
        assert queue.waiting_total == AWAITING_PAYMENTS and len(queue.waiting) == 30

    async def report_list() -> None:
        listing = await reports.pending(admin, 20)
        assert len(listing.lines) == 20 and listing.total == MEMBERS // PENDING_REPORT_EVERY

    async def member_by_id() -> None:
        await lookup.member_card(MemberRef(telegram_id=telegram_id))

    async def member_by_name() -> None:
        await lookup.member_card(MemberRef(username=f"USER{member_id}"))

    views: list[tuple[str, Callable[[], Awaitable[None]]]] = [
        ("raw point read (baseline)", point_read),
        ("/balance (balance_with_latest)", balance),
        (f"/team ({SUBS} subs)", team),
        ("/pending (payments)", pending),
        ("/reports pending list", report_list),
        ("/member by telegram id", member_by_id),
        ("/member by @username", member_by_name),
    ]
    timings, counts = await interleaved(views, statements, ROUNDS)
    await engine.dispose()
    lines = [
        f"scale: {MEMBERS:,} members, {MEMBERS * REPORTS_PER_MEMBER:,} reports and their "
        f"commissions and ledger ({note}); medians of {ROUNDS} interleaved rounds",
        *table(views, timings, counts),
    ]
    return "\n".join(lines)
