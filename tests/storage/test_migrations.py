"""The schema comes only from migrations, and the migrations match the models."""

from __future__ import annotations

from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text

from storage.database import create_engine
from storage.migrate import alembic_config, downgrade_on, upgrade_on
from storage.models import Base, CommissionStructure, Plan, Tier


def _revisions_in_order() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


async def _tables(engine) -> set[str]:  # type: ignore[no-untyped-def]
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))


async def test_every_revision_goes_up_down_and_up_again(empty_db_url: str) -> None:
    engine = create_engine(empty_db_url)
    revisions = _revisions_in_order()
    assert revisions[:2] == ["0001", "0002"]
    previous = "base"
    try:
        for revision in revisions:
            async with engine.begin() as connection:
                await upgrade_on(connection, revision)
            async with engine.begin() as connection:
                await downgrade_on(connection, previous)
            async with engine.begin() as connection:
                await upgrade_on(connection, revision)
            previous = revision
        assert {"members", "payment_requests", "outbox", "commissions"} <= await _tables(engine)
        async with engine.begin() as connection:
            await downgrade_on(connection, "base")
        assert await _tables(engine) <= {"alembic_version"}
    finally:
        await engine.dispose()


async def test_models_and_migrations_agree(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata
                )
            )
        assert diff == []
    finally:
        await engine.dispose()


async def test_the_seeded_catalog_is_the_one_in_the_spec(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        async with engine.connect() as connection:
            plans = (
                await connection.execute(
                    select(Plan.code, Tier.code, Plan.price, Plan.duration_days)
                    .join(Tier, Plan.tier_id == Tier.id)
                    .order_by(Plan.position)
                )
            ).all()
            split = (
                await connection.execute(
                    select(
                        CommissionStructure.member_bp,
                        CommissionStructure.leader_bp,
                        CommissionStructure.owner_bp,
                        CommissionStructure.effective_from,
                    )
                )
            ).all()
            ranks = dict((await connection.execute(select(Tier.code, Tier.rank))).all())
        assert [tuple(p) for p in plans] == [
            ("basic_lifetime", "basic", 97_000, None),
            ("vip_lifetime", "vip", 299_000, None),
        ]
        assert [tuple(s) for s in split] == [(5500, 500, 4000, date(2025, 12, 20))]
        assert ranks == {"basic": 1, "vip": 2}
    finally:
        await engine.dispose()


async def test_a_plan_added_after_the_seed_gets_a_fresh_id(db_url: str) -> None:
    # PostgreSQL sequences must not be left behind by the seed.
    engine = create_engine(db_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO plans (code, tier_id, duration_days, price, is_active, position,"
                    " created_at) VALUES ('vip_30', 2, 30, 150000, true, 30, CURRENT_TIMESTAMP)"
                )
            )
            ids = (await connection.execute(select(Plan.id).order_by(Plan.id))).scalars().all()
        assert len(set(ids)) == 3
    finally:
        await engine.dispose()
