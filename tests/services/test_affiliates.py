"""Affiliate accounts through the service, on SQLite and PostgreSQL: adding, CSV import
(all or nothing), listing, assignment rules and races, status alerts, yellow cart,
notes, export without credentials, the holder's view and login, key rotation."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from domain.states import ShopStatus
from services.affiliates import (
    MAX_IMPORT_ROWS,
    SHOP_NAME_MAX,
    AccountField,
    AccountFilter,
    AccountRef,
    AffiliateError,
    AffiliateProblem,
    AffiliateService,
    CredentialsError,
    CredentialsProblem,
    RowProblem,
    Vault,
    parse_account_ref,
    parse_field,
    parse_username,
    rotate_credentials,
)
from storage.models import AdminAction, AffiliateAccount, AffiliateAssignment, OutboxMessage
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock
from tests.services.reportkit import (
    ADMIN,
    ADMIN_CHAT,
    BASIC_CITRA,
    NOBODY,
    OTHER_ADMIN,
    VIP_ANI,
    VIP_BUDI,
    ZONE,
    World,
    make_world,
)

KEY_A, KEY_B, KEY_C = (Fernet.generate_key().decode() for _ in range(3))
HEADER = (
    "tiktok_username,tiktok_account_id,shop_id,shop_name,shop_status,yellow_cart,"
    "yellow_cart_verified_at,notes,login,password"
)


@pytest.fixture
async def world(uow: UnitOfWorkFactory, clock: FrozenClock) -> World:
    w = await make_world(uow, clock)
    await w.join(VIP_ANI, "Ani", "vip_lifetime")
    await w.join(VIP_BUDI, "Budi", "vip_lifetime")
    await w.join(BASIC_CITRA, "Citra", "basic_lifetime")
    await w.join(NOBODY, "Nobody", None)
    return w


def service(world: World, keys: tuple[str, ...] = (KEY_A,)) -> AffiliateService:
    return AffiliateService(world.uow, world.clock, ZONE, "id", admin_chat_id=ADMIN_CHAT, keys=keys)


async def add(aff: AffiliateService, name: str, login: tuple[str, str] | None = None) -> int:
    sealed = aff.seal(*login) if login else None
    card = await aff.add(aff.new_account(name, shop_name=f"Toko {name}", credentials=sealed), ADMIN)
    return card.id


async def outbox(world: World, chat_id: int) -> list[OutboxMessage]:
    async with world.uow() as work:
        rows = await work.session.execute(
            select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)
        )
        return list(rows.scalars())


async def audit(world: World) -> list[str]:
    async with world.uow() as work:
        rows = await work.session.execute(select(AdminAction.action).order_by(AdminAction.id))
        return [a for a in rows.scalars() if a.startswith("affiliate")]


async def stored_tokens(world: World) -> dict[str, str | None]:
    async with world.uow() as work:
        rows = await work.session.execute(select(AffiliateAccount))
        return {r.tiktok_username: r.credentials_encrypted for r in rows.scalars()}


# ---------------------------------------------------------------------------- parsing


def test_usernames_and_account_refs_parse_like_tiktok() -> None:
    assert parse_username("@Toko.Ani_01") == "toko.ani_01"
    for bad in ("a", "x" * 25, "toko ani", "toko-ani", "@", ""):
        with pytest.raises(AffiliateError) as caught:
            parse_username(bad)
        assert caught.value.problem is AffiliateProblem.BAD_USERNAME
    assert parse_account_ref("#12") == AccountRef(id=12)
    assert parse_account_ref("12") == AccountRef(id=12)
    assert parse_account_ref("@12345") == AccountRef(username="12345")
    assert parse_account_ref("Toko.Ani") == AccountRef(username="toko.ani")
    with pytest.raises(AffiliateError) as caught:
        parse_account_ref("toko ani!")
    assert caught.value.problem is AffiliateProblem.BAD_ACCOUNT_REF


def test_a_typed_field_is_checked_alone_as_the_guided_flow_asks_it() -> None:
    assert parse_field(AccountField.SHOP_NAME, "  Toko   Ani ") == "Toko Ani"
    assert parse_field(AccountField.SHOP_ID, " ") is None
    with pytest.raises(AffiliateError) as caught:
        parse_field(AccountField.SHOP_NAME, "x" * (SHOP_NAME_MAX + 1))
    assert caught.value.problem is AffiliateProblem.TOO_LONG
    assert caught.value.params == {
        "field": {"key": "affiliates.field_shop_name"},
        "max": SHOP_NAME_MAX,
    }


# ---------------------------------------------------------------------------- adding


async def test_add_stores_lowercase_encrypted_and_audits(world: World) -> None:
    aff = service(world)
    account_id = await add(aff, "@Toko.Ani", ("ani@mail.id", "pw-rahasia"))
    card = await aff.card(account_id)
    assert (card.username, card.has_login, card.status) == ("toko.ani", True, ShopStatus.ACTIVE)
    assert card.available and card.holder is None
    token = (await stored_tokens(world))["toko.ani"]
    assert token is not None and "pw-rahasia" not in token
    assert Vault([KEY_A]).decrypt(token).password == "pw-rahasia"
    assert await audit(world) == ["affiliate_add"]
    with pytest.raises(AffiliateError) as caught:
        await add(aff, "TOKO.ANI")
    assert caught.value.problem is AffiliateProblem.USERNAME_TAKEN
    with pytest.raises(AffiliateError) as caught:
        aff.new_account("ok_name", shop_name="x" * 200)
    assert caught.value.problem is AffiliateProblem.TOO_LONG


async def test_without_keys_no_login_can_be_sealed(world: World) -> None:
    aff = service(world, keys=())
    with pytest.raises(AffiliateError) as caught:
        aff.seal("login", "pw")
    assert caught.value.problem is AffiliateProblem.NO_KEYS
    await add(aff, "tanpa.login")  # an account without a login is fine
    assert (await aff.counts()).total == 1


# ---------------------------------------------------------------------------- CSV import


async def test_a_good_csv_imports_every_row_with_encrypted_logins(world: World) -> None:
    aff = service(world)
    data = (
        "\ufeff"
        "tiktok_username;shop_name;shop_status;yellow_cart;yellow_cart_verified_at;login;password\n"
        "@Toko.Satu;Toko Satu;aktif;ya;05-01-2026;satu@mail.id;pw1\n"
        "toko.dua;;suspended;no;;;\n"
        "\n"
        "toko.tiga;Toko Tiga;;1;2026-01-02;;\n"
    ).encode()
    result = await aff.import_csv(data, ADMIN)
    assert (result.imported, result.rows, result.errors, result.with_login) == (3, 3, (), 1)
    listing = await aff.list_accounts(AccountFilter.ALL)
    by_name = {c.username: c for c in listing.accounts}
    assert by_name["toko.satu"].has_login and by_name["toko.satu"].yellow_cart
    assert by_name["toko.satu"].yellow_cart_verified_at is not None
    assert (
        f"{by_name['toko.satu'].yellow_cart_verified_at.astimezone(ZONE):%Y-%m-%d}" == "2026-01-05"
    )
    assert by_name["toko.dua"].status is ShopStatus.SUSPENDED
    assert by_name["toko.tiga"].yellow_cart
    assert "pw1" not in str(await stored_tokens(world))
    assert await audit(world) == ["affiliate_import"]


async def test_a_csv_with_bad_rows_imports_nothing_and_names_each_bad_row(world: World) -> None:
    aff = service(world)
    await add(aff, "sudah.ada")
    data = (
        (
            HEADER + "\n"
            "good.one,,,,,,,,,\n"  # line 2: fine
            "bad name,,,,,,,,,\n"  # line 3: username
            "good.one,,,,,,,,,\n"  # line 4: duplicate of line 2
            "sudah.ada,,,,,,,,,\n"  # line 5: already in the pool
            "toko.x,,,,paused,maybe,31-02-2026,,,\n"  # line 6: status, yes/no, date
            "toko.y,,,,,,,,login-only,\n"  # line 7: login without password
            ",,,,,,,,,\n"  # blank row: skipped
            "toko.z,,,,,no,2026-01-01,,,\n"  # line 9: date without cart
            "toko.w,,,,,,2030-01-01,,,\n"  # line 10: future date
            "good.two,,,,,,,,,\n"  # line 11: fine
        ).encode()
    )
    result = await aff.import_csv(data, ADMIN)
    assert result.imported == 0 and result.rows == 9  # the blank row is not counted
    problems = {e.line: [i.problem for i in e.issues] for e in result.errors}
    assert problems == {
        3: [RowProblem.BAD_USERNAME],
        4: [RowProblem.DUPLICATE_IN_FILE],
        5: [RowProblem.EXISTS],
        6: [RowProblem.BAD_STATUS, RowProblem.BAD_YES_NO, RowProblem.BAD_DATE],
        7: [RowProblem.LOGIN_PAIR],
        9: [RowProblem.DATE_WITHOUT_CART],
        10: [RowProblem.FUTURE_DATE],
    }
    assert result.errors[1].issues[0].params == {"username": "good.one", "first": 2}
    assert (await aff.counts()).total == 1  # only the account that was there before
    assert await audit(world) == ["affiliate_add"]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", AffiliateProblem.FILE_EMPTY),
        (b"   \n\n", AffiliateProblem.FILE_EMPTY),
        (b"x" * 1_000_001, AffiliateProblem.FILE_TOO_BIG),
        ("tiktok_username\nt\xf6ko\n".encode("latin-1"), AffiliateProblem.FILE_NOT_UTF8),
        (b"PK\x03\x04\x00\x00binary", AffiliateProblem.FILE_NOT_CSV),
        (b"shop_name,notes\nToko,x\n", AffiliateProblem.NO_USERNAME_COLUMN),
        (b"tiktok_username,colour\nabc,red\n", AffiliateProblem.UNKNOWN_COLUMNS),
        (b"tiktok_username,username\nabc,abd\n", AffiliateProblem.DUPLICATE_COLUMNS),
        (b"tiktok_username\n", AffiliateProblem.NO_ROWS),
        (
            (
                "tiktok_username\n" + "".join(f"u{i:04d}\n" for i in range(MAX_IMPORT_ROWS + 1))
            ).encode(),
            AffiliateProblem.TOO_MANY_ROWS,
        ),
    ],
    ids=[
        "empty",
        "blank",
        "huge",
        "latin1",
        "binary",
        "no-username",
        "unknown",
        "twice",
        "header-only",
        "too-many",
    ],
)
async def test_whole_file_problems_are_refused(
    world: World, data: bytes, problem: AffiliateProblem
) -> None:
    aff = service(world)
    with pytest.raises(AffiliateError) as caught:
        await aff.import_csv(data, ADMIN)
    assert caught.value.problem is problem
    assert (await aff.counts()).total == 0


async def test_logins_in_a_csv_without_keys_are_refused_with_the_lines(world: World) -> None:
    aff = service(world, keys=())
    data = f"{HEADER}\na.one,,,,,,,,l1,p1\na.two,,,,,,,,,\na.three,,,,,,,,l3,p3\n".encode()
    with pytest.raises(AffiliateError) as caught:
        await aff.import_csv(data, ADMIN)
    assert caught.value.problem is AffiliateProblem.LOGIN_WITHOUT_KEYS
    assert caught.value.params == {"lines": "2, 4", "count": 2}
    assert (await aff.counts()).total == 0


# ---------------------------------------------------------------------------- listing


async def test_list_filters_and_counts(world: World) -> None:
    aff = service(world)
    ids = [await add(aff, name) for name in ("a.aa", "b.bb", "c.cc", "d.dd")]
    await aff.assign(ids[0], await world.member_id(VIP_ANI), ADMIN)
    await aff.set_status(ids[1], ShopStatus.SUSPENDED, ADMIN)
    await aff.set_status(ids[2], ShopStatus.INACTIVE, ADMIN)
    counts = await aff.counts()
    assert (counts.available, counts.assigned, counts.suspended, counts.inactive, counts.total) == (
        1, 1, 1, 1, 4,
    )  # fmt: skip
    names = {
        which: [c.username for c in (await aff.list_accounts(which)).accounts]
        for which in AccountFilter
    }
    assert names[AccountFilter.AVAILABLE] == ["d.dd"]
    assert names[AccountFilter.ASSIGNED] == ["a.aa"]
    assert names[AccountFilter.SUSPENDED] == ["b.bb"]
    assert names[AccountFilter.INACTIVE] == ["c.cc"]
    assert names[AccountFilter.ALL] == ["a.aa", "b.bb", "c.cc", "d.dd"]
    limited = await aff.list_accounts(AccountFilter.ALL, limit=2)
    assert len(limited.accounts) == 2 and limited.matching == 4
    assert (await aff.next_available()).username == "d.dd"  # type: ignore[union-attr]


# ---------------------------------------------------------------------------- assignment


async def test_assign_tells_the_member_and_keeps_history(world: World) -> None:
    aff = service(world)
    account_id = await add(aff, "toko.ani", ("l", "p"))
    ani = await world.member_id(VIP_ANI)
    done = await aff.assign(account_id, ani, ADMIN)
    assert done.member.telegram_id == VIP_ANI and done.account.holder is not None
    held = await aff.account_of(VIP_ANI)
    assert held is not None and (held.username, held.has_login) == ("toko.ani", True)
    assert await aff.account_of(VIP_BUDI) is None and await aff.account_of(424242) is None
    assert [m.text_key for m in await outbox(world, VIP_ANI)][-1] == "affiliates.member_assigned"
    async with world.uow() as work:
        rows = (await work.session.execute(select(AffiliateAssignment))).scalars().all()
        assert [(r.member_id, r.assigned_by, r.unassigned_at) for r in rows] == [
            (ani, ADMIN.telegram_id, None)
        ]
    assert await audit(world) == ["affiliate_add", "affiliate_assign"]


async def test_assignment_refusals(world: World) -> None:
    aff = service(world)
    first = await add(aff, "toko.satu")
    second = await add(aff, "toko.dua")
    suspended = await add(aff, "toko.tiga")
    await aff.set_status(suspended, ShopStatus.SUSPENDED, ADMIN)
    ani, budi = await world.member_id(VIP_ANI), await world.member_id(VIP_BUDI)
    citra, nobody = await world.member_id(BASIC_CITRA), await world.member_id(NOBODY)

    async def refused(account: int | AccountRef | None, member: int) -> AffiliateProblem:
        with pytest.raises(AffiliateError) as caught:
            await aff.assign(account, member, ADMIN)
        return caught.value.problem

    assert await refused(first, citra) is AffiliateProblem.NOT_VIP
    assert await refused(first, nobody) is AffiliateProblem.NOT_VIP
    assert await refused(AccountRef(username="no.such"), ani) is AffiliateProblem.ACCOUNT_NOT_FOUND
    assert await refused(suspended, ani) is AffiliateProblem.ACCOUNT_NOT_ACTIVE
    await aff.assign(first, ani, ADMIN)
    assert await refused(second, ani) is AffiliateProblem.MEMBER_HAS_ACCOUNT
    assert await refused(first, budi) is AffiliateProblem.ACCOUNT_TAKEN
    # Next available: toko.dua; then none is left.
    assert (await aff.assign(None, budi, ADMIN)).account.username == "toko.dua"
    await world.join(9999, "Dewi", "vip_lifetime")
    assert await refused(None, await world.member_id(9999)) is AffiliateProblem.NONE_AVAILABLE


async def test_two_admins_assigning_one_account_to_two_vips_gives_one_holder(
    world: World,
) -> None:
    aff = service(world)
    account_id = await add(aff, "rebutan")
    ani, budi = await world.member_id(VIP_ANI), await world.member_id(VIP_BUDI)
    results = await asyncio.gather(
        aff.assign(account_id, ani, ADMIN),
        aff.assign(account_id, budi, OTHER_ADMIN),
        return_exceptions=True,
    )
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(won) == 1 and len(lost) == 1
    assert isinstance(lost[0], AffiliateError)
    assert lost[0].problem is AffiliateProblem.ACCOUNT_TAKEN
    async with world.uow() as work:
        count = await work.session.execute(select(func.count()).select_from(AffiliateAssignment))
        assert count.scalar_one() == 1


async def test_one_vip_getting_two_accounts_at_once_gets_one(world: World) -> None:
    aff = service(world)
    first, second = await add(aff, "satu.satu"), await add(aff, "dua.dua")
    ani = await world.member_id(VIP_ANI)
    results = await asyncio.gather(
        aff.assign(first, ani, ADMIN), aff.assign(second, ani, OTHER_ADMIN), return_exceptions=True
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert (await aff.counts()).assigned == 1


async def test_unassign_returns_it_and_tells_the_member(world: World) -> None:
    aff = service(world)
    account_id = await add(aff, "toko.ani")
    await aff.assign(account_id, await world.member_id(VIP_ANI), ADMIN)
    done = await aff.unassign(AccountRef(username="toko.ani"), OTHER_ADMIN)
    assert done.former.telegram_id == VIP_ANI and done.account.available
    assert [m.text_key for m in await outbox(world, VIP_ANI)][-1] == "affiliates.member_unassigned"
    async with world.uow() as work:
        row = (await work.session.execute(select(AffiliateAssignment))).scalar_one()
        assert row.unassign_reason == "admin" and row.unassigned_at is not None
    with pytest.raises(AffiliateError) as caught:
        await aff.unassign(account_id, ADMIN)
    assert caught.value.problem is AffiliateProblem.NOT_ASSIGNED
    assert await audit(world) == ["affiliate_add", "affiliate_assign", "affiliate_unassign"]


# ---------------------------------------------------------------------------- status, cart, notes


async def test_suspending_an_assigned_account_alerts_the_admins_once(world: World) -> None:
    aff = service(world)
    account_id = await add(aff, "toko.ani")
    await aff.assign(account_id, await world.member_id(VIP_ANI), ADMIN)
    done = await aff.set_status(account_id, ShopStatus.SUSPENDED, ADMIN)
    assert done.alerted and done.old is ShopStatus.ACTIVE
    with pytest.raises(AffiliateError) as caught:  # a second tap
        await aff.set_status(account_id, ShopStatus.SUSPENDED, OTHER_ADMIN)
    assert caught.value.problem is AffiliateProblem.SAME_STATUS
    alerts = [
        m for m in await outbox(world, ADMIN_CHAT) if m.text_key == "affiliates.alert_suspended"
    ]
    assert len(alerts) == 1 and alerts[0].params["username"] == "toko.ani"
    assert [m.text_key for m in await outbox(world, VIP_ANI)][-1] == "affiliates.member_suspended"
    # An account nobody holds: no alert.
    free = await add(aff, "toko.bebas")
    assert not (await aff.set_status(free, ShopStatus.SUSPENDED, ADMIN)).alerted
    with pytest.raises(AffiliateError) as caught:
        await aff.set_status(free, ShopStatus("inactive"), ADMIN)
        await aff.set_status(free, ShopStatus.INACTIVE, ADMIN)
    assert caught.value.problem is AffiliateProblem.SAME_STATUS


async def test_yellow_cart_verified_keeps_the_date_and_can_be_undone(
    world: World, clock: FrozenClock
) -> None:
    aff = service(world)
    account_id = await add(aff, "toko.ani")
    card = await aff.set_cart_verified(account_id, True, ADMIN)
    assert card.yellow_cart and card.yellow_cart_verified_at == clock.now()
    clock.advance(days=3)
    with pytest.raises(AffiliateError) as caught:
        await aff.set_cart_verified(account_id, True, ADMIN)
    assert caught.value.problem is AffiliateProblem.ALREADY_VERIFIED
    assert (await aff.card(account_id)).yellow_cart_verified_at == clock.now() - timedelta(days=3)
    card = await aff.set_cart_verified(account_id, False, ADMIN)
    assert not card.yellow_cart and card.yellow_cart_verified_at is None
    with pytest.raises(AffiliateError) as caught:
        await aff.set_cart_verified(account_id, False, ADMIN)
    assert caught.value.problem is AffiliateProblem.NOT_VERIFIED


async def test_notes_are_set_and_cleared(world: World) -> None:
    aff = service(world)
    account_id = await add(aff, "toko.ani")
    assert (
        await aff.set_notes(account_id, " Password diganti ", ADMIN)
    ).notes == "Password diganti"
    assert (await aff.set_notes(account_id, None, ADMIN)).notes is None
    with pytest.raises(AffiliateError) as caught:
        await aff.set_notes(account_id, "x" * 1001, ADMIN)
    assert caught.value.problem is AffiliateProblem.TOO_LONG


async def test_export_has_no_credentials(world: World) -> None:
    aff = service(world)
    account_id = await add(aff, "toko.ani", ("ani@mail.id", "pw-rahasia"))
    await aff.set_notes(account_id, "=HYPERLINK(1)", ADMIN)
    await aff.assign(account_id, await world.member_id(VIP_ANI), ADMIN)
    data = await aff.export_csv()
    text = data.decode("utf-8-sig")
    token = (await stored_tokens(world))["toko.ani"]
    assert token is not None and token not in text
    assert "ani@mail.id" not in text and "pw-rahasia" not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert "password" not in rows[0] and "login" not in rows[0]
    assert rows[0]["tiktok_username"] == "toko.ani" and rows[0]["login_stored"] == "yes"
    assert rows[0]["holder_telegram_id"] == str(VIP_ANI)
    assert rows[0]["notes"] == "'=HYPERLINK(1)"


# ---------------------------------------------------------------------------- the holder's login


async def test_only_the_holder_gets_the_login(world: World) -> None:
    aff = service(world)
    with_login = await add(aff, "toko.ani", ("ani@mail.id", "pw-rahasia"))
    without = await add(aff, "toko.budi")
    await aff.assign(with_login, await world.member_id(VIP_ANI), ADMIN)
    await aff.assign(without, await world.member_id(VIP_BUDI), ADMIN)
    held, login = await aff.credentials_for(VIP_ANI)
    assert held.username == "toko.ani" and (login.login, login.password) == (
        "ani@mail.id", "pw-rahasia",
    )  # fmt: skip
    with pytest.raises(AffiliateError) as caught:
        await aff.credentials_for(VIP_BUDI)
    assert caught.value.problem is AffiliateProblem.NO_LOGIN
    for stranger in (BASIC_CITRA, NOBODY, 424242):
        with pytest.raises(AffiliateError) as caught:
            await aff.credentials_for(stranger)
        assert caught.value.problem is AffiliateProblem.NO_ACCOUNT


async def test_a_key_problem_is_clear_and_alerts_admins_once_a_day(
    world: World, clock: FrozenClock
) -> None:
    account_id = await add(service(world), "toko.ani", ("l", "p"))
    await service(world).assign(account_id, await world.member_id(VIP_ANI), ADMIN)
    wrong = service(world, keys=(KEY_C,))
    for _ in range(2):
        with pytest.raises(CredentialsError) as caught:
            await wrong.credentials_for(VIP_ANI)
        assert caught.value.problem is CredentialsProblem.WRONG_KEY
    keyless = service(world, keys=())
    with pytest.raises(CredentialsError) as caught:
        await keyless.credentials_for(VIP_ANI)
    assert caught.value.problem is CredentialsProblem.NO_KEYS
    alerts = [
        m for m in await outbox(world, ADMIN_CHAT) if m.text_key == "affiliates.alert_key_problem"
    ]
    assert len(alerts) == 1
    clock.advance(days=1)
    with pytest.raises(CredentialsError):
        await wrong.credentials_for(VIP_ANI)
    alerts = [
        m for m in await outbox(world, ADMIN_CHAT) if m.text_key == "affiliates.alert_key_problem"
    ]
    assert len(alerts) == 2


async def test_a_tampered_token_is_a_clear_error(world: World) -> None:
    aff = service(world)
    account_id = await add(aff, "toko.ani", ("l", "p"))
    await aff.assign(account_id, await world.member_id(VIP_ANI), ADMIN)
    async with world.uow() as work:
        row = await work.session.get(AffiliateAccount, account_id)
        assert row is not None and row.credentials_encrypted is not None
        row.credentials_encrypted = row.credentials_encrypted[:-6] + "AAAAAA"
        await work.commit()
    with pytest.raises(CredentialsError) as caught:
        await aff.credentials_for(VIP_ANI)
    assert caught.value.problem is CredentialsProblem.WRONG_KEY


async def test_forget_later_queues_a_delayed_delete(world: World, clock: FrozenClock) -> None:
    aff = service(world)
    await aff.forget_later(VIP_ANI, 77, timedelta(seconds=180))
    queued = (await outbox(world, VIP_ANI))[-1]
    assert (queued.kind, queued.params, queued.text_key) == (
        "delete_message", {"message_id": 77}, "access.delete_action",
    )  # fmt: skip
    assert queued.next_attempt_at == clock.now() + timedelta(seconds=180)


# ---------------------------------------------------------------------------- rotation


async def test_key_rotation_add_rotate_drop_the_old_key(world: World) -> None:
    old = service(world, keys=(KEY_A,))
    for name in ("satu.aa", "dua.bb"):
        await add(old, name, (f"{name}@mail", f"pw-{name}"))
    await add(old, "tanpa.login")
    before = await stored_tokens(world)
    result = await rotate_credentials(world.uow, (KEY_B, KEY_A))
    assert (result.rotated, result.failed) == (2, ())
    after = await stored_tokens(world)
    assert after["tanpa.login"] is None and after["satu.aa"] != before["satu.aa"]
    only_new = Vault([KEY_B])
    for name in ("satu.aa", "dua.bb"):
        token = after[name]
        assert token is not None and only_new.decrypt(token).password == f"pw-{name}"
    # With only an unrelated key: a clear failure naming the ids, nothing changed.
    failed = await rotate_credentials(world.uow, (KEY_C,))
    assert failed.rotated == 0 and len(failed.failed) == 2
    assert await stored_tokens(world) == after
    with pytest.raises(CredentialsError) as caught:
        await rotate_credentials(world.uow, ())
    assert caught.value.problem is CredentialsProblem.NO_KEYS


# ---------------------------------------------------------------------------- offers


async def test_the_offer_is_for_a_vip_without_an_account(world: World) -> None:
    aff = service(world)
    ani, citra = await world.member_id(VIP_ANI), await world.member_id(BASIC_CITRA)
    assert await aff.offer_for(ani) is None  # nothing available
    first = await add(aff, "satu.aa")
    offer = await aff.offer_for(ani)
    assert offer is not None and (offer.account_id, offer.username) == (first, "satu.aa")
    assert await aff.offer_for(citra) is None  # not a VIP
    await aff.assign(first, ani, ADMIN)
    await add(aff, "dua.bb")
    assert await aff.offer_for(ani) is None  # holds one already
