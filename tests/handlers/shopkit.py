"""Helpers for driving the buy and review flows through the real dispatcher."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from domain.states import PaymentMethodKind, PaymentStatus
from storage.models import (
    Membership,
    OutboxMessage,
    PaymentMethod,
    PaymentProof,
    PaymentRequest,
)
from storage.models import Plan as PlanRow
from storage.models import Tier as TierRow
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.kit.faketelegram import JSON

OWNER_ID, ADMIN_ID, OTHER_ADMIN_ID, STRANGER_ID = 7001, 7002, 7003, 7009


def find_button(app: BotUnderTest, message: JSON, label: str) -> str:
    """The callback data of the button whose text contains `label`."""
    for text, data in app.core.buttons(message):
        if label in text and data is not None:
            return data
    raise AssertionError(f"no button {label!r} in {app.core.buttons(message)}")


async def tap(app: BotUnderTest, user: JSON, message: JSON, label: str) -> JSON:
    """Tap the button labelled `label` (substring) and return the bot's answer to the tap."""
    return await press(app, user, message, find_button(app, message, label))


async def send(app: BotUnderTest, update: JSON) -> None:
    """Deliver an update a second after the previous one, as a person types (the
    throttle runs on the frozen test clock)."""
    app.container.clock.advance(seconds=1)  # type: ignore[attr-defined]
    await app.send(update)


async def press(
    app: BotUnderTest, user: JSON, message: JSON, data: str, *, strict: bool = True
) -> JSON:
    update = app.core.press(user, message, data, strict=strict)
    await send(app, update)
    answer: JSON = app.core.callback_answers.get(update["callback_query"]["id"], {})
    return answer


def current(app: BotUnderTest, message: JSON) -> JSON:
    """The message as it is now (after edits)."""
    found: JSON = app.core.messages[message["chat"]["id"]][message["message_id"]]
    return found


async def deliver(app: BotUnderTest) -> None:
    """Let the outbox relay send everything queued."""
    while await app.container.relay.run_once():
        pass


def admin_group(app: BotUnderTest) -> dict[str, JSON]:
    """The admin group with its creator (the owner) and two administrators."""
    owner = app.core.user(OWNER_ID, "Owner")
    admin = app.core.user(ADMIN_ID, "Dewi", username="dewi_admin")
    other = app.core.user(OTHER_ADMIN_ID, "Eko")
    stranger = app.core.user(STRANGER_ID, "Penyusup")
    app.core.make_group(ADMIN_CHAT, "Admin", creator=owner)
    app.core.set_member_status(ADMIN_CHAT, ADMIN_ID, "administrator")
    app.core.set_member_status(ADMIN_CHAT, OTHER_ADMIN_ID, "administrator")
    app.core.set_member_status(ADMIN_CHAT, STRANGER_ID, "member")
    return {"owner": owner, "admin": admin, "other": other, "stranger": stranger}


async def add_method(
    app: BotUnderTest,
    label: str = "BCA",
    kind: PaymentMethodKind = PaymentMethodKind.BANK,
    number: str = "1234567890",
    name: str = "PT Kreator Nusantara",
    **extra: Any,
) -> int:
    async with app.container.uow() as work:
        row = PaymentMethod(
            code=label.lower().replace(" ", "-"),
            kind=kind,
            label=label,
            account_number=number,
            account_name=name,
            position=1,
            **extra,
        )
        work.session.add(row)
        await work.session.flush()
        method_id = row.id
        await work.commit()
    return method_id


async def start(app: BotUnderTest, user_id: int, name: str, language: str = "id") -> JSON:
    user = app.core.user(user_id, name, language_code=language)
    await send(app, app.core.command(user, "/start"))
    return user


async def open_shop(app: BotUnderTest, user: JSON) -> JSON:
    await send(app, app.core.command(user, "/buy"))
    catalog = app.core.last_sent(user["id"])
    assert catalog is not None
    return catalog


async def buy_until_payment_screen(
    app: BotUnderTest, user: JSON, plan_label: str, pay_label: str = "Lanjut bayar"
) -> JSON:
    """/buy → plan → pay (→ BCA when there are several methods): returns the payment
    instructions."""
    catalog = await open_shop(app, user)
    await tap(app, user, catalog, plan_label)
    quote = app.core.last_sent(user["id"])
    assert quote is not None
    await tap(app, user, quote, pay_label)
    methods = app.core.last_sent(user["id"])
    assert methods is not None
    if any(data and data.startswith("paym:") for _, data in app.core.buttons(methods)):
        await tap(app, user, methods, "BCA")
    instructions = app.core.last_sent(user["id"])
    assert instructions is not None
    return instructions


def cards(app: BotUnderTest) -> list[JSON]:
    """Payment cards in the admin group (photos or documents with a caption)."""
    return [m for m in app.core.sent_to(ADMIN_CHAT) if "caption" in m]


# ---------------------------------------------------------------- bad-input and review helpers


async def payment_rows(app: BotUnderTest) -> list[PaymentRequest]:
    """Every payment request, oldest first, as the database holds it now."""
    async with app.container.uow() as work:
        rows = await work.session.execute(select(PaymentRequest).order_by(PaymentRequest.id))
        return list(rows.scalars())


async def statuses(app: BotUnderTest) -> list[str]:
    """payment_requests.status of every request, oldest first."""
    return [PaymentStatus(row.status).value for row in await payment_rows(app)]


async def proof_rows(app: BotUnderTest) -> list[PaymentProof]:
    async with app.container.uow() as work:
        rows = await work.session.execute(select(PaymentProof).order_by(PaymentProof.id))
        return list(rows.scalars())


async def membership_rows(app: BotUnderTest) -> list[Membership]:
    async with app.container.uow() as work:
        rows = await work.session.execute(select(Membership).order_by(Membership.id))
        return list(rows.scalars())


async def outbox_to(app: BotUnderTest, chat_id: int) -> list[OutboxMessage]:
    """Messages queued for one chat (sent or not), oldest first."""
    async with app.container.uow() as work:
        rows = await work.session.execute(
            select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)
        )
        return list(rows.scalars())


async def plan_id_of(app: BotUnderTest, code: str) -> int:
    async with app.container.uow() as work:
        found = await work.session.execute(select(PlanRow.id).where(PlanRow.code == code))
        return int(found.scalar_one())


async def add_plan(
    app: BotUnderTest, code: str, tier: str, days: int | None, price: int, position: int
) -> int:
    """A plan on sale, written straight into the catalog (as the owner's /addplan would)."""
    async with app.container.uow() as work:
        tier_id = (
            await work.session.execute(select(TierRow.id).where(TierRow.code == tier))
        ).scalar_one()
        row = PlanRow(
            code=code,
            tier_id=tier_id,
            duration_days=days,
            price=price,
            is_active=True,
            position=position,
            created_at=app.container.clock.now(),
        )
        work.session.add(row)
        await work.session.flush()
        new_id = row.id
        await work.commit()
    return new_id


async def set_plan_on_sale(app: BotUnderTest, plan_id: int, on_sale: bool) -> None:
    async with app.container.uow() as work:
        await work.session.execute(
            update(PlanRow).where(PlanRow.id == plan_id).values(is_active=on_sale)
        )
        await work.commit()


async def set_method_active(app: BotUnderTest, method_id: int, active: bool) -> None:
    async with app.container.uow() as work:
        await work.session.execute(
            update(PaymentMethod).where(PaymentMethod.id == method_id).values(is_active=active)
        )
        await work.commit()


def texts(app: BotUnderTest, chat_id: int) -> list[str]:
    """The text (or caption) of every message the bot sent to a chat, oldest first."""
    return [m.get("text") or m.get("caption") or "" for m in app.core.sent_to(chat_id)]


async def submit_proof(
    app: BotUnderTest, user: JSON, image: bytes, plan_label: str = "Basic"
) -> JSON:
    """Buy `plan_label`, send `image` as a photo, relay the outbox: the new admin card."""
    await buy_until_payment_screen(app, user, plan_label)
    before = len(cards(app))
    await send(app, app.core.private_photo(user, image))
    await deliver(app)
    made = cards(app)
    assert len(made) == before + 1, texts(app, user["id"])[-1]
    return made[-1]


def group_sticker(app: BotUnderTest, chat_id: int, user: JSON) -> JSON:
    """A sticker posted in a group (the fake only builds private stickers)."""
    update = app.core.group_text(chat_id, user, "sticker")
    message = update["message"]
    del message["text"]
    message["sticker"] = {
        "file_id": "CAACAgIAAxkfake-sticker", "file_unique_id": "AgADfake",
        "type": "regular", "width": 512, "height": 512, "is_animated": False,
        "is_video": False, "emoji": "😅",
    }  # fmt: skip
    return update
