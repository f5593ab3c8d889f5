"""A stateful property test of the money path (SPEC "Daily reports", "Commission split",
"Balances and payouts", "Leaders"), through the real services on SQLite.

Hypothesis drives random sequences of: submissions and replacements, validations at
the current version, at a stale version and at an adjusted amount, rejections,
payouts (some refused), leader changes (some refused) and the clock moving on. The
machine keeps its own model of every report, leader link and balance, and after every
step checks that

* `check_ledger` finds no breach,
* each member's available balance is exactly the member shares of their validated
  VIP reports (⌊total × 5500 ÷ 10000⌋) plus the leader shares they earned
  (⌊total × 500 ÷ 10000⌋ for the subs they led on the report's day) minus payouts,
* no report has more than one commission, and only validated VIP reports have one.

Each example runs on its own SQLite file copied from a prepared world (migrated, four
members joined), on an event loop the machine owns.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from domain.commission import FULL_BP
from domain.reports import day_bounds
from domain.states import ReportStatus
from kernel.actor import Actor
from services.leaders import LeaderProblem, LeaderServiceError
from services.ledger import LedgerProblem, LedgerServiceError, check_ledger
from services.reports import Outcome, ReportError, ReportProblem
from storage.database import create_engine, create_session_factory
from storage.models import Commission
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock
from tests.services.reportkit import (
    ADMIN,
    BASIC_CITRA,
    LEADER_LINA,
    OTHER_ADMIN,
    VIP_ANI,
    VIP_BUDI,
    ZONE,
    figures,
    make_world,
    shots,
)

T = TypeVar("T")
MEMBER_BP, LEADER_BP = 5_500, 500  # the seed VIP structure, in force throughout
MAX_CLAIM = 10_000_000
ADMINS = (ADMIN, OTHER_ADMIN)
# (telegram id, name, plan, joins through Lina's referral link)
PEOPLE = (
    (LEADER_LINA, "Lina", "vip_lifetime", False),
    (VIP_ANI, "Ani", "vip_lifetime", True),
    (VIP_BUDI, "Budi", "vip_lifetime", False),
    (BASIC_CITRA, "Citra", "basic_lifetime", False),
)


@dataclass
class ModelReport:
    id: int
    telegram_id: int
    member_id: int
    day: date
    claimed: int
    version: int = 1
    status: ReportStatus = ReportStatus.SUBMITTED
    validated: int | None = None


@dataclass
class ModelLink:
    member_id: int
    leader_id: int
    valid_from: datetime
    valid_to: datetime | None = None


@dataclass
class Prepared:
    """The world every example starts from: a database file and who is who in it."""

    path: Path
    start: datetime
    member_ids: dict[int, int] = field(default_factory=dict)  # telegram id -> member id
    vip: set[int] = field(default_factory=set)  # member ids
    links: list[ModelLink] = field(default_factory=list)


async def _prepare(path: Path) -> Prepared:
    clock = FrozenClock()
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        world = await make_world(UnitOfWorkFactory(create_session_factory(engine)), clock)
        prepared = Prepared(path, clock.now())
        lina_code = None
        for telegram_id, name, plan, referred in PEOPLE:
            payload = f"ref_{lina_code}" if referred else None
            member_id = await world.join(telegram_id, name, plan, payload=payload)
            prepared.member_ids[telegram_id] = member_id
            if plan.startswith("vip"):
                prepared.vip.add(member_id)
            if telegram_id == LEADER_LINA:
                lina_code = await world.code(LEADER_LINA)
            if referred:
                prepared.links.append(
                    ModelLink(member_id, prepared.member_ids[LEADER_LINA], clock.now())
                )
        history = await world.leaders.history(prepared.member_ids[VIP_ANI])
        assert [h.leader_telegram_id for h in history] == [LEADER_LINA]
    finally:
        await engine.dispose()
    return prepared


class LedgerMachine(RuleBasedStateMachine):
    prepared: Prepared  # set by the test before running the machine

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="ledger-machine-"))
        path = self.folder / "example.db"
        shutil.copyfile(self.prepared.path, path)
        self.loop = asyncio.new_event_loop()
        self.engine = create_engine(f"sqlite+aiosqlite:///{path}")
        self.uow = UnitOfWorkFactory(create_session_factory(self.engine))
        self.clock = FrozenClock(self.prepared.start)
        self.world = self.run(make_world(self.uow, self.clock))
        self.ids = dict(self.prepared.member_ids)
        self.telegram_of = {m: t for t, m in self.ids.items()}
        self.vip = set(self.prepared.vip)
        self.links = [ModelLink(**vars(link)) for link in self.prepared.links]
        self.reports: dict[int, ModelReport] = {}
        self.earned = dict.fromkeys(self.ids.values(), 0)
        self.paid = dict.fromkeys(self.ids.values(), 0)
        self.commissioned: set[int] = set()
        self.steps = 0

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    def teardown(self) -> None:
        try:
            self.run(self.engine.dispose())
        finally:
            self.loop.close()
            shutil.rmtree(self.folder, ignore_errors=True)

    # ------------------------------------------------------------------ the model

    def today(self) -> date:
        return self.world.today()

    def available(self, member_id: int) -> int:
        return self.earned[member_id] - self.paid[member_id]

    def open_leader(self, member_id: int) -> int | None:
        open_links = [k for k in self.links if k.member_id == member_id and k.valid_to is None]
        assert len(open_links) <= 1
        return open_links[0].leader_id if open_links else None

    def leader_on(self, member_id: int, day: date) -> int | None:
        """SPEC: the member's leader on the report's day (the latest link that counted
        at some moment of that Jakarta day)."""
        start, end = day_bounds(day, ZONE)
        counted = [
            (k.valid_from, i, k.leader_id)
            for i, k in enumerate(self.links)
            if k.member_id == member_id
            and k.valid_from < end
            and (k.valid_to is None or k.valid_to > start)
        ]
        return max(counted)[2] if counted else None

    def pick(self, index: int, candidates: list[ModelReport]) -> ModelReport:
        return sorted(candidates, key=lambda r: r.id)[index % len(candidates)]

    # ------------------------------------------------------------------ rules

    @rule(
        who=st.sampled_from([t for t, *_ in PEOPLE]),
        claim=st.integers(0, MAX_CLAIM),
        n=st.integers(1, 5),
    )
    def submit(self, who: int, claim: int, n: int) -> None:
        member_id = self.ids[who]
        day = self.today()
        existing = next(
            (r for r in self.reports.values() if r.member_id == member_id and r.day == day), None
        )
        self._send(who, day, claim, n, existing)

    @precondition(lambda self: bool(self.reports))
    @rule(index=st.integers(0, 1_000), claim=st.integers(0, MAX_CLAIM), n=st.integers(1, 5))
    def replace(self, index: int, claim: int, n: int) -> None:
        report = self.pick(index, list(self.reports.values()))
        if report.day < self.today() - timedelta(days=1):
            with pytest.raises(ReportError) as error:
                self.run(
                    self.world.reports.submit(
                        report.telegram_id, report.day, figures(claim), shots(n)
                    )
                )
            assert error.value.problem is ReportProblem.DAY_PASSED
            return
        self._send(report.telegram_id, report.day, claim, n, report)

    def _send(self, who: int, day: date, claim: int, n: int, existing: ModelReport | None) -> None:
        call = self.world.reports.submit(who, day, figures(claim), shots(n, tag=f"x{self.steps}"))
        if existing is not None and existing.status == ReportStatus.VALIDATED:
            with pytest.raises(ReportError) as error:
                self.run(call)
            assert error.value.problem is ReportProblem.ALREADY_VALIDATED
            return
        view = self.run(call)
        assert view.status == ReportStatus.SUBMITTED and view.screenshots == n
        assert view.figures.commission == claim and view.member_share is None
        if existing is None:
            assert view.id not in self.reports and view.version == 1 and not view.replaced
            self.reports[view.id] = ModelReport(view.id, who, self.ids[who], day, claim)
        else:
            assert view.id == existing.id and view.replaced
            assert view.version == existing.version + 1
            existing.version, existing.claimed = view.version, claim
            existing.status = ReportStatus.SUBMITTED

    def _expect_validation(self, report: ModelReport, total: int, outcome: Outcome) -> None:
        report.status, report.validated = ReportStatus.VALIDATED, total
        assert outcome.applied and outcome.validated_amount == total
        if report.member_id not in self.vip:
            assert outcome.commission is not None and outcome.commission.split is None
            assert outcome.commission.would_earn == total * MEMBER_BP // FULL_BP
            return
        leader = self.leader_on(report.member_id, report.day)
        member_share = total * MEMBER_BP // FULL_BP
        leader_share = total * LEADER_BP // FULL_BP if leader is not None else 0
        result = outcome.commission
        assert result is not None and result.split is not None
        assert result.leader_member_id == leader
        assert (result.split.member, result.split.leader) == (member_share, leader_share)
        assert result.split.owner == total - member_share - leader_share
        self.earned[report.member_id] += member_share
        if leader is not None:
            self.earned[leader] += leader_share
        assert report.id not in self.commissioned
        self.commissioned.add(report.id)

    @precondition(lambda self: bool(self.reports))
    @rule(index=st.integers(0, 1_000), admin=st.sampled_from(ADMINS))
    def validate(self, index: int, admin: Actor) -> None:
        report = self.pick(index, list(self.reports.values()))
        outcome = self.run(self.world.reports.validate(report.id, report.version, admin))
        if report.status != ReportStatus.SUBMITTED:
            assert not outcome.applied and outcome.status == report.status
            return
        self._expect_validation(report, report.claimed, outcome)

    @precondition(lambda self: bool(self.reports))
    @rule(
        index=st.integers(0, 1_000),
        amount=st.one_of(st.integers(0, MAX_CLAIM), st.sampled_from([0, 1, 19, 20, 10_001])),
        admin=st.sampled_from(ADMINS),
    )
    def adjust(self, index: int, amount: int, admin: Actor) -> None:
        report = self.pick(index, list(self.reports.values()))
        outcome = self.run(
            self.world.reports.validate(report.id, report.version, admin, amount=amount)
        )
        if report.status != ReportStatus.SUBMITTED:
            assert not outcome.applied and outcome.status == report.status
            return
        self._expect_validation(report, amount, outcome)

    @precondition(lambda self: any(r.version > 1 for r in self.reports.values()))
    @rule(index=st.integers(0, 1_000), back=st.integers(1, 10), admin=st.sampled_from(ADMINS))
    def validate_stale(self, index: int, back: int, admin: Actor) -> None:
        report = self.pick(index, [r for r in self.reports.values() if r.version > 1])
        stale = max(1, report.version - back)
        outcome = self.run(self.world.reports.validate(report.id, stale, admin))
        assert not outcome.applied
        assert outcome.status == report.status and outcome.version == report.version

    @precondition(lambda self: bool(self.reports))
    @rule(index=st.integers(0, 1_000), admin=st.sampled_from(ADMINS), stale=st.booleans())
    def reject(self, index: int, admin: Actor, stale: bool) -> None:
        report = self.pick(index, list(self.reports.values()))
        version = report.version - 1 if stale and report.version > 1 else report.version
        outcome = self.run(self.world.reports.reject(report.id, version, admin, note="blurry"))
        if report.status != ReportStatus.SUBMITTED or version != report.version:
            assert not outcome.applied and outcome.status == report.status
            return
        assert outcome.applied and outcome.status == ReportStatus.REJECTED
        report.status = ReportStatus.REJECTED

    @rule(
        who=st.sampled_from([t for t, *_ in PEOPLE]),
        amount=st.one_of(
            st.none(), st.integers(1, 6_000_000), st.integers(1, 50_000), st.just(10**12)
        ),
        admin=st.sampled_from(ADMINS),
    )
    def payout(self, who: int, amount: int | None, admin: Actor) -> None:
        member_id = self.ids[who]
        available = self.available(member_id)
        call = self.world.ledger.payout(member_id, amount, "BCA", None, admin)
        if available <= 0 or (amount is not None and amount > available):
            with pytest.raises(LedgerServiceError) as error:
                self.run(call)
            expected = (
                LedgerProblem.NOTHING_AVAILABLE
                if available <= 0
                else LedgerProblem.EXCEEDS_AVAILABLE
            )
            assert error.value.problem is expected
            return
        result = self.run(call)
        paying = available if amount is None else amount
        assert result.applied and result.amount == paying
        assert result.available_after == available - paying
        self.paid[member_id] += paying

    @rule(
        who=st.sampled_from([t for t, *_ in PEOPLE]),
        leader=st.one_of(st.none(), st.sampled_from([t for t, *_ in PEOPLE])),
        admin=st.sampled_from(ADMINS),
    )
    def set_leader(self, who: int, leader: int | None, admin: Actor) -> None:
        member_id = self.ids[who]
        leader_id = self.ids[leader] if leader is not None else None
        current = self.open_leader(member_id)
        expected: LeaderProblem | None = None
        if leader_id is None and current is None:
            expected = LeaderProblem.NO_LEADER
        elif current is not None and current == leader_id:
            expected = LeaderProblem.SAME
        elif leader_id == member_id:
            expected = LeaderProblem.SELF
        elif leader_id is not None:
            walk: int | None = leader_id
            seen: set[int] = set()
            while walk is not None and walk not in seen:
                if walk == member_id:
                    expected = LeaderProblem.LOOP
                    break
                seen.add(walk)
                walk = self.open_leader(walk)
        call = self.world.leaders.set_leader(member_id, leader_id, admin)
        if expected is not None:
            with pytest.raises(LeaderServiceError) as error:
                self.run(call)
            assert error.value.problem is expected
            return
        change = self.run(call)
        now = self.clock.now()
        assert change.at == now
        for link in self.links:
            if link.member_id == member_id and link.valid_to is None:
                link.valid_to = now
        if leader_id is not None:
            self.links.append(ModelLink(member_id, leader_id, now))

    @rule(hours=st.sampled_from([1, 5, 24, 24, 30]))
    def advance(self, hours: int) -> None:
        self.clock.advance(hours=hours)

    # ------------------------------------------------------------------ invariants

    @invariant()
    def ledger_is_sound(self) -> None:
        self.steps += 1
        check = self.run(check_ledger(self.uow))
        assert check.ok, check.breaches
        assert check.commissions == len(self.commissioned)
        assert check.reports == sum(
            r.status == ReportStatus.VALIDATED for r in self.reports.values()
        )

    @invariant()
    def balances_match_the_model(self) -> None:
        for member_id in self.ids.values():
            balance = self.run(self.world.ledger.balance(member_id))
            assert balance.available == self.available(member_id), (
                self.telegram_of[member_id],
                balance,
                self.earned[member_id],
                self.paid[member_id],
            )
            assert balance.paid == self.paid[member_id]
            assert balance.member_share + balance.leader_share == self.earned[member_id]
            assert balance.pending_reports == sum(
                r.member_id == member_id and r.status == ReportStatus.SUBMITTED
                for r in self.reports.values()
            )

    @invariant()
    def one_commission_per_report_at_most(self) -> None:
        async def counts() -> dict[int, int]:
            async with self.uow() as work:
                rows = await work.session.execute(
                    select(Commission.report_id, func.count()).group_by(Commission.report_id)
                )
                return {int(r): int(c) for r, c in rows.all()}

        found = self.run(counts())
        assert all(c == 1 for c in found.values()), found
        assert set(found) == self.commissioned


def test_the_ledger_stays_sound_under_random_operations(
    sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "world.db"
    shutil.copyfile(sqlite_template, path)
    LedgerMachine.prepared = asyncio.run(_prepare(path))
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
