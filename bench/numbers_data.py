"""The numbers bench's data set: a year of a 100,000-member community, as the bot leaves it.

Unlike `scale` (every row dated today), the rows here are spread over the 365 days
before the run, so each period counts what a real one would, and every query of the
numbers screen has real work:

- members join evenly over the year (one every ~5 minutes); 60% start on Basic (lifetime),
  35% of those upgrade to VIP 1-60 days later (the Basic membership ends "upgraded");
  15% start on VIP lifetime and 25% on a temporal VIP plan (30 days);
- a temporal VIP term is renewed (paid a few days before its end) 78% of the time,
  otherwise it expires; 7 in 22 of the expired buy VIP again 1-6 days later (they "came
  back"), 3 in 22 come back after two to four weeks, the rest leave;
- every purchase and renewal is a payment request approved by an admin, with its proof
  (accepted minutes to a day after it arrived); one in nine got a rejected proof first,
  one in forty members gave up after a rejected proof (the request expired);
- member 1 leads 1,000 subs; members 1,002-11,001 lead the ~89,000 who joined after
  them (one in 25 of those changed leader three weeks after joining);
- up to ten reports per member over their time, each with its commission (55% member,
  5% leader, 40% owner) and ledger entries: ~1M commissions, ~1.9M earnings;
- each month's earnings of a member are paid out early the next month, nine times in
  ten (~0.5M payouts);
- 2,000 affiliate accounts (60% held, 5% suspended, 5% retired).

Memberships, their history and the payments are built in Python (chains of terms); the
reports, commissions, ledger and payouts by INSERT ... SELECT. About a minute on two
shared cores; cached under data/bench-cache/ by alembic head, GENERATOR_VERSION and day.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

MEMBERS = 100_000
DAYS = 365
DAY = 86_400
TERM = 30 * DAY
LEADER_ID = 1
SUBS = 1_000
BASIC, VIP_LIFETIME, VIP_30 = 1, 2, 3  # plan ids (the first two seeded by migrations)
PRICES = {BASIC: 97_000, VIP_LIFETIME: 299_000, VIP_30: 150_000}
REPORTS_PER_MEMBER = 10
ACCOUNTS = 2_000
GENERATOR_VERSION = 1


def _text(epoch: float) -> str:
    """The text SQLAlchemy stores a UTC datetime as on SQLite."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _h(*values: int) -> int:
    """A deterministic pseudo-random number 0..9999 of `values`."""
    x = 0x9E3779B1
    for v in values:
        x = ((x ^ v) * 0x85EBCA6B + 0xC2B2AE35) & 0xFFFFFFFF
        x ^= x >> 13
    return x % 10_000


class _Rows:
    """Memberships, their history rows, payment requests and proofs, with their ids."""

    def __init__(self, now: float) -> None:
        self.now = now
        self.memberships: list[list[object]] = []
        self.events: list[tuple[object, ...]] = []
        self.requests: list[tuple[object, ...]] = []
        self.proofs: list[tuple[object, ...]] = []

    def pay(self, member: int, plan: int, kind: str, at: float, result: int | None) -> None:
        """An approved payment request decided at `at`, its accepted proof and, one
        time in nine, a rejected proof before it."""
        request = len(self.requests) + 1
        h = _h(member, int(at))
        wait = (180, 600, 1500, 3600, 3 * 3600, 10 * 3600, 22 * 3600)[h % 7] + h % 900
        sent = at - wait
        amount = PRICES[plan] if kind != "lifetime_difference" else PRICES[plan] - PRICES[BASIC]
        created = sent - 600
        if h % 9 == 0:
            rejected_at = sent - 1800 - h % 3600
            created = rejected_at - 600 - h % 7200
            self._proof(request, "rejected", created + 300, rejected_at)
        self.requests.append(
            (request, member, plan, "approved", kind, PRICES[plan], PRICES[plan] - amount,
             amount, _text(created), _text(created), _text(at), _text(at), result)
        )  # fmt: skip
        self._proof(request, "accepted", sent, at)

    def gave_up(self, member: int, at: float) -> None:
        """A request whose only proof was rejected and which then expired."""
        request = len(self.requests) + 1
        amount = PRICES[VIP_LIFETIME]
        self.requests.append(
            (request, member, VIP_LIFETIME, "expired", "new", amount, 0, amount, _text(at),
             _text(at), _text(at + 2 * DAY), None, None)
        )  # fmt: skip
        self._proof(request, "rejected", at + 600, at + 600 + 3600 + _h(member) % 7200)

    def _proof(self, request: int, status: str, sent: float, reviewed: float) -> None:
        proof = len(self.proofs) + 1
        self.proofs.append(
            (proof, request, status, f"file{proof}", f"uniq{proof}", f"{proof:064d}",
             f"{proof:016d}", 1000, 600, 800, "jpeg", 777, _text(reviewed), _text(sent))
        )  # fmt: skip

    def hold(
        self, member: int, plan: int, at: float, expires: float | None
    ) -> tuple[int, list[object]]:
        """A membership activated at `at` with its "activated" history row: its id and
        its row (a list: a chain of terms extends or ends it)."""
        ident = len(self.memberships) + 1
        row: list[object] = [
            ident, member, plan, "active", PRICES[plan], at, expires, None, None, None, at,
        ]  # fmt: skip
        self.memberships.append(row)
        self.event(row, "activated", at, None, expires)
        return ident, row

    def event(
        self, row: list[object], kind: str, at: float, old: float | None, new: float | None
    ) -> None:
        self.events.append(
            (row[0], kind, None if old is None else _text(old),
             None if new is None else _text(new), _text(at))
        )  # fmt: skip

    def temporal(self, member: int, start: float, kind: str) -> None:
        """Temporal VIP terms from `start`: renewed, expired, or expired and bought again."""
        act: float | None = start
        turn = 0
        while act is not None and act < self.now:
            ident, row = self.hold(member, VIP_30, act, act + TERM)
            self.pay(member, VIP_30, kind, act, ident)
            end, act = act + TERM, None
            while end < self.now:
                turn += 1
                h = _h(member, turn)
                if h % 100 < 78:
                    paid = end - DAY * (1 + h % 5) - h % 3600
                    self.event(row, "renewed", paid, end, end + TERM)
                    self.pay(member, VIP_30, "renewal", paid, ident)
                    end += TERM
                    row[6] = end
                    continue
                row[3], row[6], row[7], row[8] = "expired", end, end, "expired"
                self.event(row, "expired", end, end, None)
                if h % 100 < 85:
                    act = end + DAY * (1 + h % 6) - 3600
                elif h % 100 < 88:
                    act = end + DAY * (14 + h % 14)
                kind = "new"
                break

    def member(self, member: int, joined: float) -> None:
        """The memberships of one member over the year (see the module's text)."""
        r = _h(member, 7) % 100
        if r < 60:
            basic_id, basic = self.hold(member, BASIC, joined, None)
            self.pay(member, BASIC, "new", joined, basic_id)
            if _h(member, 31) % 100 < 35:
                upgrade = joined + DAY * (1 + _h(member, 13) % 60) + _h(member, 5) % DAY
                if upgrade < self.now:
                    basic[3], basic[7], basic[8] = "upgraded", upgrade, "upgraded"
                    self.event(basic, "upgraded", upgrade, None, None)
                    if _h(member, 17) % 2:
                        vip_id, _ = self.hold(member, VIP_LIFETIME, upgrade, None)
                        self.pay(member, VIP_LIFETIME, "lifetime_difference", upgrade, vip_id)
                        basic[9] = vip_id
                    else:
                        basic[9] = len(self.memberships) + 1  # the first term's row
                        self.temporal(member, upgrade, "add_temporal")
        elif r < 75:
            vip_id, _ = self.hold(member, VIP_LIFETIME, joined, None)
            self.pay(member, VIP_LIFETIME, "new", joined, vip_id)
        else:
            self.temporal(member, joined, "new")
        if member % 40 == 0 and joined + DAY < self.now:
            self.gave_up(member, joined + DAY)


def generate(path: Path, now: datetime, say: Callable[[str], None] = lambda _: None) -> None:
    """Fill a migrated database at `path` with a year up to `now` (about a minute)."""
    end = now.timestamp()
    start = end - DAYS * DAY
    step = DAYS * DAY / MEMBERS
    joined = [0.0] + [start + (i - 1) * step + _h(i) % 240 for i in range(1, MEMBERS + 1)]
    db = sqlite3.connect(path)
    for pragma in ("foreign_keys=OFF", "journal_mode=WAL", "synchronous=OFF", "cache_size=-200000"):
        db.execute(f"PRAGMA {pragma}")
    q = db.execute
    q("BEGIN")
    q(
        "INSERT INTO payment_methods (code, kind, label, account_name, account_number, "
        "is_active, position) VALUES ('bca', 'bank', 'BCA', 'Owner', '123', 1, 1)"
    )
    q(
        "INSERT INTO plans (id, code, tier_id, duration_days, price, is_active, position, "
        "created_at) VALUES (?, 'vip_30', 2, 30, ?, 1, 30, ?)",
        (VIP_30, PRICES[VIP_30], _text(start - DAY)),
    )
    q("CREATE TEMP TABLE joined (id INTEGER PRIMARY KEY, t REAL NOT NULL)")
    db.executemany(
        "INSERT INTO joined VALUES (?, ?)", ((i, joined[i]) for i in range(1, MEMBERS + 1))
    )
    q(
        "INSERT INTO members (id, telegram_id, first_name, last_name, username, "
        "telegram_language, referral_code, created_at, last_seen_at) "
        "SELECT id, 1000000000 + id, 'Member' || id, CASE WHEN id % 3 = 0 THEN 'L' || id END, "
        "'user' || id, 'id', 'R' || id, "
        "strftime('%Y-%m-%d %H:%M:%f', t, 'unixepoch') || '000', ? FROM joined",
        (_text(end),),
    )
    started = time.perf_counter()
    rows = _Rows(end)
    for member in range(1, MEMBERS + 1):
        rows.member(member, joined[member])
    for row in rows.memberships:
        for i in (5, 6, 7, 10):
            if row[i] is not None:
                row[i] = _text(row[i])  # type: ignore[arg-type]
    db.executemany(
        "INSERT INTO memberships (id, member_id, plan_id, status, list_price, activated_at, "
        "expires_at, ended_at, end_reason, replaced_by_id, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows.memberships,
    )
    db.executemany(
        "INSERT INTO membership_events (membership_id, kind, old_expires_at, new_expires_at, "
        "created_at) VALUES (?, ?, ?, ?, ?)",
        rows.events,
    )
    db.executemany(
        "INSERT INTO payment_requests (id, member_id, plan_id, status, method_id, quote_kind, "
        "list_price, credit, amount, days_carried, replaces_base, quoted_at, created_at, "
        "updated_at, decided_by, decided_at, result_membership_id) "
        "VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, 0, 0, ?, ?, ?, 777, ?, ?)",
        rows.requests,
    )
    db.executemany(
        "INSERT INTO payment_proofs (id, payment_request_id, status, telegram_file_id, "
        "file_unique_id, sha256, perceptual_hash, size_bytes, width, height, image_format, "
        "reviewed_by, reviewed_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows.proofs,
    )
    say(
        f"{len(rows.memberships):,} memberships, {len(rows.events):,} history rows, "
        f"{len(rows.requests):,} payments, {len(rows.proofs):,} proofs in "
        f"{time.perf_counter() - started:.1f} s"
    )
    # Leaders: member 1 leads 2..1001; those who joined after 11001 are led by one of
    # 1002..11001, and one in 25 of them had another leader for their first three weeks.
    q(
        "INSERT INTO leader_links (member_id, leader_member_id, source, valid_from, valid_to) "
        "SELECT id, 1002 + (id * 3) % 10000, 'referral', "
        "strftime('%Y-%m-%d %H:%M:%f', t, 'unixepoch') || '000', "
        "strftime('%Y-%m-%d %H:%M:%f', t + 21 * 86400, 'unixepoch') || '000' "
        "FROM joined WHERE id > 11001 AND id % 25 = 0 AND t + 21 * 86400 < ? "
        "AND 1002 + (id * 3) % 10000 <> 1002 + id % 10000",
        (end,),
    )
    q(
        "INSERT INTO leader_links (member_id, leader_member_id, source, valid_from) "
        "SELECT j.id, CASE WHEN j.id <= ? THEN ? ELSE 1002 + j.id % 10000 END, 'referral', "
        "coalesce(old.valid_to, strftime('%Y-%m-%d %H:%M:%f', j.t, 'unixepoch') || '000') "
        "FROM joined j LEFT JOIN leader_links old ON old.member_id = j.id "
        "WHERE j.id BETWEEN 2 AND ? OR j.id > 11001",
        (SUBS + 1, LEADER_ID, SUBS + 1),
    )
    # Reports: up to ten per member, evenly over their time (whole days apart), validated
    # six hours after they were sent; one in 37 members had their fifth rejected.
    q(
        "CREATE TEMP TABLE sent AS "
        "WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < ?) "
        "SELECT j.id AS member_id, k.n AS n, j.t + k.n * 86400 * "
        "max(1, CAST((? - j.t) / 86400 / ? AS INTEGER)) + 3600 AS t "
        "FROM joined j CROSS JOIN k",
        (REPORTS_PER_MEMBER, end, REPORTS_PER_MEMBER + 1),
    )
    q("DELETE FROM sent WHERE t + 6 * 3600 >= ?", (end,))
    q(
        "INSERT INTO reports (member_id, report_date, status, videos_posted, links, views, "
        "orders, sales, commission_claimed, commission_validated, reviewed_by, reviewed_at, "
        "reject_reason, created_at, updated_at, version) "
        "SELECT member_id, date(t + 7 * 3600, 'unixepoch'), "
        "CASE WHEN n = 5 AND member_id % 37 = 0 THEN 'rejected' ELSE 'validated' END, "
        "3, '{\"items\": []}', 1000 + member_id % 97, 2, 200000, "
        "10000 + (member_id * 7 + n) % 5000, "
        "CASE WHEN n = 5 AND member_id % 37 = 0 THEN NULL "
        "ELSE 10000 + (member_id * 7 + n) % 5000 END, 777, "
        "strftime('%Y-%m-%d %H:%M:%f', t + 6 * 3600, 'unixepoch') || '000', "
        "CASE WHEN n = 5 AND member_id % 37 = 0 THEN 'blurry' END, "
        "strftime('%Y-%m-%d %H:%M:%f', t, 'unixepoch') || '000', "
        "strftime('%Y-%m-%d %H:%M:%f', t + 6 * 3600, 'unixepoch') || '000', 1 "
        "FROM sent ORDER BY t"
    )
    q(
        "INSERT INTO commissions (report_id, member_id, leader_member_id, structure_id, "
        "tier_code, total, member_share, leader_share, owner_share, created_by, created_at) "
        "SELECT r.id, r.member_id, l.leader_member_id, 1, 'vip', r.commission_validated, "
        "r.commission_validated * 5500 / 10000, "
        "CASE WHEN l.leader_member_id IS NULL THEN 0 "
        "ELSE r.commission_validated * 500 / 10000 END, "
        "r.commission_validated - r.commission_validated * 5500 / 10000 - "
        "CASE WHEN l.leader_member_id IS NULL THEN 0 "
        "ELSE r.commission_validated * 500 / 10000 END, 777, r.reviewed_at "
        "FROM reports r LEFT JOIN leader_links l ON l.member_id = r.member_id "
        "AND l.valid_from <= r.reviewed_at AND (l.valid_to IS NULL OR l.valid_to > r.reviewed_at) "
        "WHERE r.status = 'validated' ORDER BY r.id"
    )
    for kind, column, who in (
        ("member_share", "member_share", "member_id"),
        ("leader_share", "leader_share", "leader_member_id"),
    ):
        q(
            f"INSERT INTO ledger_entries (member_id, kind, amount, commission_id, created_at) "
            f"SELECT {who}, '{kind}', {column}, id, created_at FROM commissions "
            f"WHERE {column} > 0 ORDER BY id"
        )
    # Payouts: a month's earnings, early the next month, nine times in ten.
    q(
        "CREATE TEMP TABLE paid AS SELECT member_id, sum(amount) AS amount, "
        "strftime('%Y-%m-%d %H:%M:%f', substr(min(created_at), 1, 7) || '-01', '+1 month', "
        "'+' || (3 * 86400 + member_id % 86400) || ' seconds') || '000' AS at "
        "FROM ledger_entries WHERE kind IN ('member_share', 'leader_share') "
        "GROUP BY member_id, substr(created_at, 1, 7)"
    )
    q(
        "DELETE FROM paid WHERE at >= ? OR (member_id + CAST(substr(at, 6, 2) AS INTEGER)) "
        "% 10 = 0",
        (_text(end),),
    )
    q(
        "INSERT INTO payouts (member_id, amount, method, reference, created_by, created_at) "
        "SELECT member_id, amount, 'BCA', 'TRX' || rowid, 777, at FROM paid ORDER BY at"
    )
    q(
        "INSERT INTO ledger_entries (member_id, kind, amount, payout_id, created_at) "
        "SELECT member_id, 'payout', -amount, id, created_at FROM payouts ORDER BY id"
    )
    db.executemany(
        "INSERT INTO affiliate_accounts (tiktok_username, shop_status, yellow_cart, "
        "holder_member_id, created_at) VALUES (?, ?, 1, ?, ?)",
        (
            (
                f"shop{n}",
                "inactive" if n % 20 == 0 else "suspended" if n % 20 == 1 else "active",
                2 + n * 37 if n % 10 < 6 and n % 20 else None,
                _text(start),
            )
            for n in range(ACCOUNTS)
        ),
    )
    q("COMMIT")
    db.execute("ANALYZE")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    counts = {
        table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("commissions", "ledger_entries", "payouts", "leader_links")
    }
    db.close()
    say(", ".join(f"{n:,} {table}" for table, n in counts.items()))
