"""The Telegram test kit checked with aiogram's real Bot, over both front ends."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    Message,
    ReactionTypeEmoji,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from aiohttp import ClientSession, ClientTimeout, FormData, web
from PIL import Image

from tests.kit.botapi_server import SECRET_HEADER, BotApiServer
from tests.kit.fake_session import feed, make_bot
from tests.kit.faketelegram import (
    CHAOS_KINDS,
    JSON,
    FakeApiError,
    FakeTelegram,
    parse_html,
    update_kinds,
)

USER_ID = 5001
GROUP_ID = -1001234567890


def png(width: int = 640, height: int = 480, color: str = "navy") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    row = [InlineKeyboardButton(text=text, callback_data=data) for text, data in buttons]
    return InlineKeyboardMarkup(inline_keyboard=[row])


async def close_http_bot(bot: Bot) -> None:
    # AiohttpSession.close() sleeps 250 ms for TLS shutdown; plain HTTP needs none.
    raw = getattr(bot.session, "_session", None)
    if raw is not None:
        await raw.close()


@pytest.fixture
def core() -> FakeTelegram:
    telegram = FakeTelegram()
    telegram.user(USER_ID, "Sari", "sari", started=True)
    return telegram


@pytest.fixture
async def server(core: FakeTelegram) -> AsyncIterator[BotApiServer]:
    async with BotApiServer(core) as running:
        yield running


def http_bot(server: BotApiServer, token: str | None = None) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(server.base_url))
    default = DefaultBotProperties(parse_mode="HTML")
    return Bot(token or server.core.token, session=session, default=default)


@pytest.fixture(params=["session", "http"])
async def bot(request: pytest.FixtureRequest, core: FakeTelegram) -> AsyncIterator[Bot]:
    if request.param == "session":
        yield make_bot(core)
        return
    async with BotApiServer(core) as running:
        client = http_bot(running)
        yield client
        await close_http_bot(client)


# --------------------------------------------------------------------------- both transports


async def test_get_me(bot: Bot, core: FakeTelegram) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "test_bot", True)
    assert core.calls_of("getme")[0].method == "getMe"


async def test_html_message_with_keyboard(bot: Bot, core: FakeTelegram) -> None:
    markup = keyboard(("Pay", "pay:1"), ("Cancel", "cancel:1"))
    sent = await bot.send_message(USER_ID, "<b>Halo</b> &amp; selamat", reply_markup=markup)

    assert sent.text == "Halo & selamat"
    stored = core.sent_to(USER_ID)
    assert [m["message_id"] for m in stored] == [sent.message_id]
    assert stored[0]["entities"] == [{"type": "bold", "offset": 0, "length": 4}]
    assert core.buttons(stored[0]) == [("Pay", "pay:1"), ("Cancel", "cancel:1")]
    params = core.calls_of("sendMessage")[0].params
    assert params["parse_mode"] == "HTML"
    assert params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "pay:1"


@pytest.mark.parametrize("text", ["<b>unclosed", "1 < 2", "<div>x</div>", "<b><i>x</b></i>"])
async def test_bad_html_is_refused(bot: Bot, text: str) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(USER_ID, text)


async def test_limits(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER_ID, "x" * 4097)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER_ID, "hi", reply_markup=keyboard(("Big", "x" * 65)))
    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        await bot.send_photo(USER_ID, BufferedInputFile(png(), "p.png"), caption="c" * 1025)


async def test_edit_to_identical_content_fails(bot: Bot, core: FakeTelegram) -> None:
    markup = keyboard(("A", "a"))
    sent = await bot.send_message(USER_ID, "<i>card</i>", reply_markup=markup)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            text="<i>card</i>", chat_id=USER_ID, message_id=sent.message_id, reply_markup=markup
        )
    # Editing without reply_markup removes the keyboard, so that is a modification.
    await bot.edit_message_text(text="<i>card</i>", chat_id=USER_ID, message_id=sent.message_id)
    assert "reply_markup" not in core.sent_to(USER_ID)[0]


async def test_callback_can_be_answered_once(bot: Bot, core: FakeTelegram) -> None:
    await bot.send_message(USER_ID, "Pick", reply_markup=keyboard(("Yes", "yes")))
    update = Update.model_validate(
        core.press(USER_ID, core.sent_to(USER_ID)[0], "yes"), context={"bot": bot}
    )
    assert update.callback_query is not None
    assert await update.callback_query.answer("ok")
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await update.callback_query.answer("again")


@pytest.mark.parametrize(
    ("code", "error", "retry_after"),
    [
        (429, TelegramRetryAfter, 7),
        (403, TelegramForbiddenError, None),
        (502, TelegramServerError, None),
        (500, TelegramServerError, None),
    ],
)
async def test_injected_errors(
    bot: Bot, core: FakeTelegram, code: int, error: type[Exception], retry_after: int | None
) -> None:
    core.fail_next("sendMessage", code, retry_after=retry_after)
    with pytest.raises(error) as caught:
        await bot.send_message(USER_ID, "hi")
    if retry_after is not None:
        assert isinstance(caught.value, TelegramRetryAfter)
        assert caught.value.retry_after == retry_after
    assert core.sent_log(USER_ID) == []  # a failed call has no effect
    await bot.send_message(USER_ID, "hi")  # only the next call failed
    assert core.count_sent(USER_ID, "hi") == 1
    assert [i.kind for i in core.injected] == [str(code)]


async def test_blocked_user_and_unknown_user(bot: Bot, core: FakeTelegram) -> None:
    core.block_user(USER_ID)
    with pytest.raises(TelegramForbiddenError, match="blocked by the user"):
        await bot.send_message(USER_ID, "hi")
    core.user(777, "Never wrote")
    with pytest.raises(TelegramForbiddenError, match="can't initiate conversation"):
        await bot.send_message(777, "hi")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(999_999, "hi")


async def test_photo_upload_downloads_same_bytes(bot: Bot, core: FakeTelegram) -> None:
    image = png()
    sent = await bot.send_photo(USER_ID, BufferedInputFile(image, "card.png"), caption="<b>c</b>")
    assert sent.photo is not None and sent.caption == "c"
    largest = sent.photo[-1]
    assert (largest.width, largest.height) == (640, 480)
    assert [p.width for p in sent.photo] == sorted(p.width for p in sent.photo)
    file = await bot.get_file(largest.file_id)
    assert file.file_path
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == image


async def test_user_photo_update_validates_and_downloads(bot: Bot, core: FakeTelegram) -> None:
    image = png(1600, 1200, "green")
    first = Update.model_validate(core.private_photo(USER_ID, image, "bukti"), context={"bot": bot})
    again = Update.model_validate(core.private_photo(USER_ID, image), context={"bot": bot})
    assert first.message is not None and first.message.photo is not None
    assert again.message is not None and again.message.photo is not None
    sizes = first.message.photo
    assert len(sizes) > 1 and sizes[-1].width == 1600
    assert sizes[-1].file_unique_id == again.message.photo[-1].file_unique_id
    assert sizes[-1].file_id != again.message.photo[-1].file_id
    downloaded = await bot.download(sizes[-1])
    assert downloaded is not None and downloaded.read() == image


async def test_big_file_cannot_be_fetched(bot: Bot, core: FakeTelegram) -> None:
    update = core.private_document(USER_ID, b"\0" * (20 * 1024 * 1024 + 1), "big.zip", "a/zip")
    with pytest.raises(TelegramBadRequest, match="file is too big"):
        await bot.get_file(update["message"]["document"]["file_id"])


async def test_get_updates_offset_confirms(bot: Bot, core: FakeTelegram) -> None:
    core.private_text(USER_ID, "one")
    core.private_text(USER_ID, "two")
    first = await bot.get_updates()
    assert [u.message.text for u in first if u.message] == ["one", "two"]
    again = await bot.get_updates(offset=first[0].update_id + 1)
    assert [u.update_id for u in again] == [first[1].update_id]
    assert await bot.get_updates(offset=first[1].update_id + 1) == []


async def test_long_poll_returns_when_an_update_arrives(bot: Bot, core: FakeTelegram) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await core.wait_calls("getUpdates")
    core.private_text(USER_ID, "late")
    updates = await asyncio.wait_for(poll, 2)
    assert [u.message.text for u in updates if u.message] == ["late"]


async def test_members_validate_for_every_status(bot: Bot, core: FakeTelegram) -> None:
    core.make_group(GROUP_ID, "Komunitas", creator=1)
    statuses = ["administrator", "member", "restricted", "left", "kicked"]
    for user_id, status in enumerate(statuses, start=2):
        core.set_member_status(GROUP_ID, user_id, status)
    found = [(await bot.get_chat_member(GROUP_ID, uid)).status for uid in range(1, 7)]
    assert found == ["creator", *statuses]
    admins = await bot.get_chat_administrators(GROUP_ID)
    assert {a.user.id for a in admins} == {1, 2, core.bot_id}
    assert (await bot.get_chat(GROUP_ID)).title == "Komunitas"


async def test_invite_links_and_join_requests(bot: Bot, core: FakeTelegram) -> None:
    core.make_group(GROUP_ID, "Komunitas")
    with pytest.raises(TelegramBadRequest, match="member limit can't be specified"):
        await bot.create_chat_invite_link(GROUP_ID, member_limit=1, creates_join_request=True)
    with pytest.raises(TelegramBadRequest, match="USAGE_LIMIT_INVALID"):
        await bot.create_chat_invite_link(GROUP_ID, member_limit=100_000)
    link = await bot.create_chat_invite_link(GROUP_ID, name="vip", creates_join_request=True)
    request = Update.model_validate(
        core.join_via_link(USER_ID, link.invite_link), context={"bot": bot}
    )
    assert request.chat_join_request is not None
    assert request.chat_join_request.invite_link is not None
    assert request.chat_join_request.invite_link.invite_link == link.invite_link
    assert await bot.approve_chat_join_request(GROUP_ID, USER_ID)
    with pytest.raises(TelegramBadRequest, match="HIDE_REQUESTER_MISSING"):
        await bot.approve_chat_join_request(GROUP_ID, USER_ID)
    assert core.member_status(GROUP_ID, USER_ID) == "member"
    joined = Update.model_validate(core.pending_updates[-1], context={"bot": bot})
    assert joined.chat_member is not None and joined.chat_member.via_join_request


async def test_ban_then_unban_only_if_banned(bot: Bot, core: FakeTelegram) -> None:
    core.make_group(GROUP_ID, "Komunitas")
    core.set_member_status(GROUP_ID, USER_ID, "member")
    assert await bot.unban_chat_member(GROUP_ID, USER_ID, only_if_banned=True)
    assert core.member_status(GROUP_ID, USER_ID) == "member"
    await bot.ban_chat_member(GROUP_ID, USER_ID)
    assert core.member_status(GROUP_ID, USER_ID) == "kicked"
    await bot.unban_chat_member(GROUP_ID, USER_ID, only_if_banned=True)
    assert core.member_status(GROUP_ID, USER_ID) == "left"
    core.set_member_status(GROUP_ID, USER_ID, "member")
    await bot.unban_chat_member(GROUP_ID, USER_ID)  # plain unban removes a member
    assert core.member_status(GROUP_ID, USER_ID) == "left"
    core.set_member_status(GROUP_ID, core.bot_id, "administrator", can_restrict_members=False)
    with pytest.raises(TelegramBadRequest, match="not enough rights"):
        await bot.ban_chat_member(GROUP_ID, USER_ID)


async def test_commands_per_scope(bot: Bot) -> None:
    await bot.set_my_commands([BotCommand(command="start", description="Mulai")])
    scope = BotCommandScopeChat(chat_id=USER_ID)
    await bot.set_my_commands([BotCommand(command="admin", description="Admin")], scope=scope)
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    assert [c.command for c in await bot.get_my_commands(scope=scope)] == ["admin"]
    await bot.delete_my_commands(scope=scope)
    assert await bot.get_my_commands(scope=scope) == []


async def test_unknown_method_and_wrong_token(core: FakeTelegram, server: BotApiServer) -> None:
    assert (await core.respond("fooBar"))[0] == 404
    stranger = http_bot(server, token="654321:OTHER")
    with pytest.raises(TelegramUnauthorizedError):
        await stranger.get_me()
    await close_http_bot(stranger)


# --------------------------------------------------------------------------- dispatcher


async def test_dispatcher_handles_start_through_fake_session(core: FakeTelegram) -> None:
    dp = Dispatcher()

    @dp.message(CommandStart(deep_link=True))
    async def start(message: Message) -> None:
        await message.answer(
            f"Halo <b>{message.from_user.first_name if message.from_user else ''}</b>"
        )

    bot = make_bot(core)
    await feed(dp, bot, core.command(USER_ID, "/start ref_abc"))
    assert [m["text"] for m in core.sent_to(USER_ID)] == ["Halo Sari"]
    assert core.pending_updates == []


async def test_polling_dispatcher_over_http(core: FakeTelegram, server: BotApiServer) -> None:
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    bot = http_bot(server)
    polling = asyncio.create_task(
        dp.start_polling(bot, polling_timeout=5, handle_signals=False, close_bot_session=False)
    )
    core.private_text(USER_ID, "ping")
    sent = await core.wait_sent(USER_ID)
    assert sent[0]["text"] == "ping"
    await core.wait_for(lambda: not core.pending_updates, what="update confirmed by offset")
    await dp.stop_polling()
    await polling
    await close_http_bot(bot)


# --------------------------------------------------------------------------- webhooks


class Receiver:
    """A tiny webhook endpoint that checks the secret like aiogram's SimpleRequestHandler."""

    def __init__(self, core: FakeTelegram, secret: str) -> None:
        self.core = core
        self.secret = secret
        self.received: list[tuple[JSON, str | None]] = []
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def handle(self, request: web.Request) -> web.Response:
        header = request.headers.get(SECRET_HEADER)
        self.received.append((await request.json(), header))
        self.core.notify_change()
        if header != self.secret:
            return web.Response(status=401, text="Unauthorized")
        return web.json_response({})


@pytest.fixture
async def receiver(core: FakeTelegram) -> AsyncIterator[Receiver]:
    endpoint = Receiver(core, secret="s3cret")
    await endpoint.start()
    yield endpoint
    await endpoint.stop()


async def test_webhook_delivery_with_secret(
    core: FakeTelegram, server: BotApiServer, receiver: Receiver
) -> None:
    bot = http_bot(server)
    await bot.set_webhook(receiver.url, secret_token="s3cret", allowed_updates=["message"])
    with pytest.raises(TelegramConflictError):
        await bot.get_updates()
    update = core.private_text(USER_ID, "via webhook")
    await core.wait_for(lambda: receiver.received, what="webhook delivery")
    assert receiver.received == [(update, "s3cret")]
    await core.wait_for(lambda: not core.pending_updates, what="delivered update confirmed")
    assert [d.status for d in server.webhook_deliveries] == [200]

    forged = core.private_text(USER_ID, "forged")
    core.take_update(forged["update_id"])  # only the forged copy should arrive
    assert await server.post_raw_webhook(forged, secret=None) == 401
    assert receiver.received[-1] == (forged, None)
    info = await bot.get_webhook_info()
    assert info.url == receiver.url and info.allowed_updates == ["message"]
    await close_http_bot(bot)


async def test_webhook_wrong_secret_is_refused_and_kept(
    core: FakeTelegram, server: BotApiServer, receiver: Receiver
) -> None:
    bot = http_bot(server)
    await bot.set_webhook(receiver.url, secret_token="wrong")
    core.private_text(USER_ID, "hello")
    await core.wait_for(
        lambda: len(server.webhook_deliveries) == server.webhook_attempts, what="all attempts"
    )
    assert {d.status for d in server.webhook_deliveries} == {401}
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 1 and info.last_error_message
    await bot.set_webhook(receiver.url, secret_token="s3cret")  # fixed: delivered again
    await core.wait_for(lambda: server.webhook_deliveries[-1].status == 200, what="redelivery")
    await close_http_bot(bot)


async def test_webhook_reply_method_is_executed(core: FakeTelegram, server: BotApiServer) -> None:
    async def reply(request: web.Request) -> web.Response:
        update: dict[str, Any] = await request.json()
        chat_id = update["message"]["chat"]["id"]
        return web.json_response({"method": "sendMessage", "chat_id": chat_id, "text": "hi"})

    app = web.Application()
    app.router.add_post("/", reply)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    core.handle("setWebhook", {"url": f"http://127.0.0.1:{runner.addresses[0][1]}/"})
    core.private_text(USER_ID, "hello")
    sent = await core.wait_sent(USER_ID)
    assert sent[0]["text"] == "hi"
    await runner.cleanup()


# --------------------------------------------------------------------------- core details


def test_html_entities_use_utf16_offsets() -> None:
    text, entities = parse_html('👋 <a href="https://t.me/x?a=1&amp;b=2">link</a> &lt;3')
    assert text == "👋 link <3"
    assert entities == [
        {"type": "text_link", "offset": 3, "length": 4, "url": "https://t.me/x?a=1&b=2"}
    ]


def test_updates_from_helpers_validate(core: FakeTelegram) -> None:
    bot = make_bot(core)
    core.make_group(GROUP_ID, "Komunitas")
    first = core.group_text(GROUP_ID, USER_ID, "halo")
    made = [
        first,
        core.group_text(GROUP_ID, 2, "balas", reply_to=first["message"]),
        core.private_sticker(USER_ID),
        core.private_document(USER_ID, b"%PDF-1.4", "bukti.pdf", "application/pdf"),
        core.chat_member_update(GROUP_ID, 3, "member", "left"),
        core.join_request(GROUP_ID, 4),
    ]
    core.block_user(USER_ID)
    made.append(core.pending_updates[-1])
    for update in made:
        Update.model_validate(update, context={"bot": bot})
    assert update_kinds(made)[-3:] == ["chat_member", "chat_join_request", "my_chat_member"]


async def test_wait_for_timeout_lists_recent_calls(core: FakeTelegram) -> None:
    core.handle("getMe")
    with pytest.raises(AssertionError, match=r"(?s)timed out.*nothing.*getMe"):
        await core.wait_for(lambda: False, timeout=0.01, what="nothing")


async def test_other_clients_json_query_and_direct_upload(
    core: FakeTelegram, server: BotApiServer
) -> None:
    base = f"{server.base_url}/bot{core.token}"
    async with ClientSession() as http:
        body = {"chat_id": USER_ID, "text": "json", "reply_markup": {"inline_keyboard": []}}
        async with http.post(f"{base}/sendMessage", json=body) as resp:
            assert resp.status == 200 and (await resp.json())["result"]["text"] == "json"
        async with http.get(f"{base}/SENDMESSAGE", params={"chat_id": USER_ID, "text": "q"}) as r:
            assert r.status == 200
        form = FormData()
        form.add_field("chat_id", str(USER_ID))
        form.add_field("document", b"%PDF-1.4 x", filename="bukti.pdf")
        async with http.post(f"{base}/sendDocument", data=form) as resp:
            document = (await resp.json())["result"]["document"]
        assert document["file_name"] == "bukti.pdf"
        assert document["mime_type"] == "application/pdf"
        async with http.get(f"{server.base_url}/file/bot1:x/documents/nope") as resp:
            assert resp.status == 401
    assert [m.get("text") for m in core.sent_to(USER_ID)] == ["json", "q", None]


async def test_group_flood_limit_with_injected_clock() -> None:
    now = [1_700_000_000.0]
    core = FakeTelegram(clock=lambda: now[0], rate_limits=True)
    core.make_group(GROUP_ID, "Admin")
    bot = make_bot(core)
    for _ in range(20):
        await bot.send_message(GROUP_ID, "card")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(GROUP_ID, "one too many")
    assert caught.value.retry_after == 60
    now[0] += 60
    await bot.send_message(GROUP_ID, "later")


async def test_copy_forward_delete_and_resend_document(bot: Bot, core: FakeTelegram) -> None:
    core.make_group(GROUP_ID, "Admin")
    proof = core.private_document(USER_ID, b"%PDF-1.4", "bukti.pdf", "application/pdf")
    source = proof["message"]["message_id"]
    copied = await bot.copy_message(GROUP_ID, USER_ID, source, caption="<b>Bukti</b>")
    forwarded = await bot.forward_message(GROUP_ID, USER_ID, source)
    assert forwarded.forward_origin is not None
    resent = await bot.send_document(GROUP_ID, proof["message"]["document"]["file_id"])
    assert resent.document is not None and resent.document.file_name == "bukti.pdf"
    assert core.sent_to(GROUP_ID)[0]["caption"] == "Bukti"
    assert await bot.delete_message(GROUP_ID, copied.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(GROUP_ID, copied.message_id)
    assert len(core.sent_to(GROUP_ID)) == 2


async def test_reply_keyboard_is_tracked(bot: Bot, core: FakeTelegram) -> None:
    menu = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="Paket"), KeyboardButton(text="Bantuan")]]
    )
    await bot.send_message(USER_ID, "Menu", reply_markup=menu)
    sent = core.last_sent(USER_ID)
    assert sent is not None and "reply_markup" not in sent  # Telegram echoes inline only
    assert core.buttons(sent) == [("Paket", None), ("Bantuan", None)]
    await bot.send_message(USER_ID, "Bye", reply_markup=ReplyKeyboardRemove())
    assert core.reply_keyboard(USER_ID) is None


async def test_second_poller_terminates_the_first(core: FakeTelegram) -> None:
    first, second = make_bot(core), make_bot(core)
    waiting = asyncio.create_task(first.get_updates(timeout=5))
    await core.wait_calls("getUpdates")
    assert await second.get_updates() == []
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await waiting


# --------------------------------------------------------------------------- limits and faults


def limited_core() -> tuple[FakeTelegram, list[float]]:
    now = [1_700_000_000.0]
    core = FakeTelegram(clock=lambda: now[0], rate_limits=True)
    return core, now


async def test_private_chat_limit_is_five_in_two_seconds() -> None:
    core, now = limited_core()
    core.user(USER_ID, "Sari", started=True)
    bot = make_bot(core)
    for number in range(5):
        await bot.send_message(USER_ID, f"burst {number}")
    with pytest.raises(TelegramRetryAfter, match="Too Many Requests: retry after 2") as caught:
        await bot.send_message(USER_ID, "sixth")
    assert caught.value.retry_after == 2
    assert len(core.sent_log(USER_ID)) == 5 and core.count_sent(USER_ID, "sixth") == 0
    assert [c.method for c in core.rate_limited()] == ["sendMessage"]
    # Edits, deletions and callback answers are not messages: they pass while flooded.
    first = core.sent_to(USER_ID)[0]
    await bot.edit_message_text("edited", chat_id=USER_ID, message_id=first["message_id"])
    await bot.delete_message(USER_ID, first["message_id"])
    now[0] += 1.0
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(USER_ID, "still too early")
    assert caught.value.retry_after == 1
    now[0] += 1.0
    await bot.send_message(USER_ID, "sixth")
    assert core.count_sent(USER_ID, "sixth") == 1


async def test_overall_limit_is_thirty_a_second_across_chats() -> None:
    core, now = limited_core()
    users = range(7001, 7032)
    for user_id in users:
        core.user(user_id, started=True)
    bot = make_bot(core)
    for user_id in list(users)[:30]:
        await bot.send_message(user_id, "news")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(7031, "news")
    assert caught.value.retry_after == 1
    assert core.sent_log(7031) == [] and len(core.sent_log()) == 30
    now[0] += 1.0
    await bot.send_message(7031, "news")
    assert len(core.sent_log()) == 31


async def test_limits_are_attributes_a_test_may_change() -> None:
    core, _ = limited_core()
    core.user(USER_ID, started=True)
    core.make_group(GROUP_ID, "Admin")
    core.limits.private_messages, core.limits.private_window = 1, 1.0
    core.limits.group_messages = 2
    bot = make_bot(core)
    await bot.send_message(USER_ID, "one")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(USER_ID, "two")
    await bot.send_photo(GROUP_ID, BufferedInputFile(png(), "p.png"))
    await bot.copy_message(GROUP_ID, USER_ID, core.sent_to(USER_ID)[0]["message_id"])
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.forward_message(GROUP_ID, USER_ID, core.sent_to(USER_ID)[0]["message_id"])
    assert caught.value.retry_after == 60
    core.rate_limits = False
    await bot.send_message(USER_ID, "two")


async def test_html_error_page_is_not_json(bot: Bot, core: FakeTelegram) -> None:
    core.fail_next("sendMessage", 502, html=True)
    with pytest.raises(ClientDecodeError) as caught:
        await bot.send_message(USER_ID, "hi")
    assert "502 Bad Gateway" in str(caught.value.data) and "<html>" in str(caught.value.data)
    assert core.sent_log(USER_ID) == []
    assert core.injected_kinds() == ["502-html"]
    assert core.calls_of("sendMessage")[0].error == "502 Bad Gateway"
    await bot.send_message(USER_ID, "hi")
    assert core.count_sent(USER_ID, "hi") == 1


async def test_hung_call_never_arrives_through_the_session(core: FakeTelegram) -> None:
    bot = make_bot(core)
    core.hang_next("sendMessage")
    with pytest.raises(TelegramNetworkError, match="Request timeout error"):
        await bot.send_message(USER_ID, "hi")
    assert core.calls_of("sendMessage") == [] and core.sent_log() == []
    assert core.injected_kinds() == ["timeout"]
    core.fail_next("sendMessage", timeout=True)  # the same thing, spelled as a failure
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(USER_ID, "hi")
    core.slow_next("sendMessage", 5)  # in-process: answered at once
    await bot.send_message(USER_ID, "slow")
    assert [m["text"] for m in core.sent_log(USER_ID)] == ["slow"]


async def test_chaos_is_reproducible_and_recorded(core: FakeTelegram) -> None:
    bot = make_bot(core)
    core.chaos(rate=0.3, seed=7)
    outcomes: list[str] = []
    for number in range(100):
        try:
            await bot.send_message(USER_ID, f"m{number}")
            outcomes.append("ok")
        except (TelegramRetryAfter, TelegramServerError, ClientDecodeError) as error:
            if isinstance(error, TelegramRetryAfter):
                assert error.retry_after in (1, 2)
            outcomes.append(type(error).__name__)
    await bot.get_me()  # excluded by default
    kinds = core.injected_kinds()
    assert set(kinds) == set(CHAOS_KINDS) and 15 <= len(kinds) <= 45
    assert all(i.method == "sendMessage" and i.source == "chaos" for i in core.injected)
    failed = [o for o in outcomes if o != "ok"]
    assert len(failed) == len(kinds) - kinds.count("slow")
    assert len(core.sent_log(USER_ID)) == outcomes.count("ok")  # failures never count

    again = FakeTelegram()
    again.user(USER_ID, "Sari", started=True)
    again.chaos(rate=0.3, seed=7)
    for number in range(100):
        try:
            again.handle("sendMessage", {"chat_id": USER_ID, "text": f"m{number}"})
        except FakeApiError:
            pass  # only the draws are compared
    assert again.injected_kinds() == kinds

    core.chaos(rate=0)
    for _ in range(20):
        await bot.send_message(USER_ID, "calm")
    assert len(core.injected) == len(kinds)


async def test_chaos_can_target_methods(core: FakeTelegram) -> None:
    bot = make_bot(core)
    core.chaos(rate=1.0, seed=1, kinds=("500",), methods=["editMessageText"])
    sent = await bot.send_message(USER_ID, "card")
    with pytest.raises(TelegramServerError):
        await bot.edit_message_text("new", chat_id=USER_ID, message_id=sent.message_id)
    assert core.sent_to(USER_ID)[0]["text"] == "card"
    with pytest.raises(ValueError, match="kinds"):
        core.chaos(kinds=("404",))


async def test_html_page_slow_answer_and_held_request_over_http(
    core: FakeTelegram, server: BotApiServer
) -> None:
    url = f"{server.base_url}/bot{core.token}/sendMessage"
    form = {"chat_id": str(USER_ID), "text": "hi"}
    async with ClientSession() as http:
        core.fail_next("sendMessage", 502, html=True)
        async with http.post(url, data=form) as resp:
            assert resp.status == 502 and resp.content_type == "text/html"
            page = await resp.text()
        assert page.startswith("<html>") and "<h1>502 Bad Gateway</h1>" in page
        assert core.sent_log() == []

        # A slow answer: the message appears only once the answer comes.
        core.slow_next("sendMessage", 0.3)
        slow = asyncio.create_task(http.post(url, data=form | {"text": "slow"}))
        await core.wait_for(lambda: core.injected_kinds() == ["502-html", "slow"])
        assert core.sent_log() == []
        async with await slow as resp:
            assert resp.status == 200 and (await resp.json())["result"]["text"] == "slow"
        assert core.count_sent(USER_ID, "slow") == 1

        # A held request the client gives up on never takes effect...
        core.hang_next("sendMessage", seconds=0.5)
        with pytest.raises(TimeoutError):
            async with http.post(url, data=form | {"text": "lost"}, timeout=ClientTimeout(0.1)):
                pass

        # (waits out the hold: the handler was cancelled, so nothing arrives after it)
        def arrived() -> bool:
            return any(c.params.get("text") == "lost" for c in core.calls_of("sendMessage"))

        assert not await core.wait_until(arrived, 1.0)
        assert core.count_sent(USER_ID, "lost") == 0
        # ...while a patient client gets it done after the hold.
        core.hang_next("sendMessage", seconds=0.2)
        async with http.post(url, data=form | {"text": "late"}) as resp:
            assert resp.status == 200
        assert core.count_sent(USER_ID, "late") == 1
    assert core.injected_kinds() == ["502-html", "slow", "timeout", "timeout"]


async def test_aiogram_over_http_times_out_on_a_held_request(
    core: FakeTelegram, server: BotApiServer
) -> None:
    bot = http_bot(server)
    core.hang_next("sendMessage", seconds=3)
    with pytest.raises(TelegramNetworkError, match="Request timeout error"):
        await bot.send_message(USER_ID, "hi", request_timeout=1)
    assert not await core.wait_until(lambda: core.calls_of("sendMessage"), 2.5)
    assert core.sent_log() == []
    await close_http_bot(bot)


# --------------------------------------------------------------------------- issue 14: forums


FORUM_ID = -1009876543210


def forum(core: FakeTelegram, **bot_rights: bool) -> None:
    core.make_group(FORUM_ID, "Tanya Jawab", is_forum=True, **bot_rights)


async def test_forum_topic_created_by_the_bot_holds_its_messages(
    bot: Bot, core: FakeTelegram
) -> None:
    forum(core)
    assert (await bot.get_chat(FORUM_ID)).is_forum is True
    topic = await bot.create_forum_topic(FORUM_ID, "Sari (5001)")
    service = core.messages[FORUM_ID][topic.message_thread_id]
    assert service["forum_topic_created"] == {"name": "Sari (5001)", "icon_color": 0x6FB9F0}
    assert service["chat"]["is_forum"] is True

    inside = await bot.send_message(FORUM_ID, "Q1", message_thread_id=topic.message_thread_id)
    general = await bot.send_message(FORUM_ID, "umum")
    assert (inside.message_thread_id, inside.is_topic_message) == (topic.message_thread_id, True)
    assert inside.reply_to_message is not None
    assert inside.reply_to_message.forum_topic_created is not None
    assert general.message_thread_id is None and general.is_topic_message is None
    # A reply to a message in the topic lands in the topic without message_thread_id.
    answer = await bot.send_message(FORUM_ID, "A1", reply_to_message_id=inside.message_id)
    assert answer.message_thread_id == topic.message_thread_id
    assert [m["text"] for m in core.sent_in_topic(FORUM_ID, topic.message_thread_id)] == [
        "Q1",
        "A1",
    ]
    with pytest.raises(TelegramBadRequest, match="message can't be deleted"):
        await bot.delete_message(FORUM_ID, topic.message_thread_id)


async def test_forum_topics_are_edited_closed_reopened_and_deleted(
    bot: Bot, core: FakeTelegram
) -> None:
    forum(core)
    thread = (await bot.create_forum_topic(FORUM_ID, "Lama")).message_thread_id
    await bot.send_message(FORUM_ID, "isi", message_thread_id=thread)
    assert await bot.edit_forum_topic(FORUM_ID, thread, name="Baru")
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.edit_forum_topic(FORUM_ID, thread, name="Baru")
    assert await bot.close_forum_topic(FORUM_ID, thread)
    assert core.topics(FORUM_ID)[0] | {"icon_color": 0} == {
        "message_thread_id": thread, "name": "Baru", "icon_color": 0, "state": "closed",
    }  # fmt: skip
    # An admin that manages topics still posts in a closed topic; without the right it can't.
    await bot.send_message(FORUM_ID, "admin", message_thread_id=thread)
    core.set_member_status(FORUM_ID, core.bot_id, "administrator", can_manage_topics=False)
    with pytest.raises(TelegramBadRequest, match="TOPIC_CLOSED"):
        await bot.send_message(FORUM_ID, "tutup", message_thread_id=thread)
    core.set_member_status(FORUM_ID, core.bot_id, "administrator", can_manage_topics=True)
    assert await bot.reopen_forum_topic(FORUM_ID, thread)
    assert await bot.delete_forum_topic(FORUM_ID, thread)
    assert core.sent_in_topic(FORUM_ID, thread) == [] and thread not in core.messages[FORUM_ID]
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(FORUM_ID, "hilang", message_thread_id=thread)
    assert core.topics(FORUM_ID)[0]["state"] == "deleted"


async def test_topics_need_a_forum_and_the_right(bot: Bot, core: FakeTelegram) -> None:
    core.make_group(GROUP_ID, "Biasa")
    with pytest.raises(TelegramBadRequest, match="Bad Request: the chat is not a forum"):
        await bot.create_forum_topic(GROUP_ID, "x")
    forum(core, can_manage_topics=False)
    with pytest.raises(TelegramBadRequest, match="not enough rights to create a topic"):
        await bot.create_forum_topic(FORUM_ID, "x")
    core.set_member_status(FORUM_ID, core.bot_id, "administrator", can_manage_topics=True)
    long = await bot.create_forum_topic(FORUM_ID, "n" * 200, icon_color=0xFB6F5F)
    assert (len(long.name), long.icon_color) == (128, 0xFB6F5F)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(FORUM_ID, "x", message_thread_id=999)


def test_person_posts_in_a_topic_reply_to_is_the_topic_root(core: FakeTelegram) -> None:
    bot = make_bot(core)
    forum(core)
    created = core.user_creates_topic(FORUM_ID, 7, "Topik warga")
    thread = created["message"]["message_id"]
    assert created["message"]["message_thread_id"] == thread
    first = core.group_text(FORUM_ID, USER_ID, "halo", thread_id=thread)
    reply = core.group_photo(FORUM_ID, 8, png(), "lihat", reply_to=first["message"])
    general = core.group_text(FORUM_ID, 8, "di General")
    for update in (created, first, reply, general):
        Update.model_validate(update, context={"bot": bot})
    message = first["message"]
    assert (message["message_thread_id"], message["is_topic_message"]) == (thread, True)
    assert "forum_topic_created" in message["reply_to_message"]  # not a real reply
    assert reply["message"]["message_thread_id"] == thread
    assert reply["message"]["reply_to_message"]["message_id"] == message["message_id"]
    assert "message_thread_id" not in general["message"]

    closed = core.user_closes_topic(FORUM_ID, thread, 7)
    assert closed["message"]["forum_topic_closed"] == {} and core.topics(FORUM_ID)[0]["state"]
    assert core.user_reopens_topic(FORUM_ID, thread, 7)["message"]["forum_topic_reopened"] == {}
    core.user_deletes_topic(FORUM_ID, thread)
    assert core.topics(FORUM_ID)[0]["state"] == "deleted"
    with pytest.raises(ValueError, match="no topic"):
        core.group_text(FORUM_ID, USER_ID, "late", thread_id=thread)


def test_reply_in_a_plain_supergroup_has_a_thread_id_but_is_no_topic(
    core: FakeTelegram,
) -> None:
    core.make_group(GROUP_ID, "Biasa")
    root = core.group_text(GROUP_ID, USER_ID, "root")["message"]
    reply = core.group_text(GROUP_ID, 2, "reply", reply_to=root)["message"]
    assert reply["message_thread_id"] == root["message_id"]
    assert "is_topic_message" not in reply


# --------------------------------------------------------------------------- issue 14: kinds


def test_every_incoming_kind_validates_in_aiogram(core: FakeTelegram) -> None:
    bot = make_bot(core)
    core.make_group(GROUP_ID, "Komunitas")
    kinds = ["voice", "video", "video_note", "audio", "animation", "document", "sticker", "photo"]
    for kind in kinds:
        private = Update.model_validate(
            core.private_media(USER_ID, kind, "cap"), context={"bot": bot}
        ).message
        group = Update.model_validate(
            core.group_media(GROUP_ID, 2, kind, "cap"), context={"bot": bot}
        ).message
        assert private is not None and group is not None
        expected = "animation" if kind == "animation" else kind
        assert private.content_type == group.content_type == expected
        has_caption = kind not in ("video_note", "sticker")
        assert (private.caption == "cap") is has_caption
        if kind in ("voice", "video", "video_note", "audio", "animation"):
            assert core.file_bytes(getattr(private, kind).file_id) == f"fake {kind}".encode()
    animation = core.private_media(USER_ID, "animation")["message"]
    assert animation["document"]["file_id"] == animation["animation"]["file_id"]
    bot_msg = core.handle("sendMessage", {"chat_id": USER_ID, "text": "Pertanyaan?"})
    answer = core.private_text(USER_ID, "Jawaban", reply_to=bot_msg)["message"]
    assert answer["reply_to_message"]["text"] == "Pertanyaan?"


def test_albums_share_one_media_group_id(core: FakeTelegram) -> None:
    bot = make_bot(core)
    core.make_group(GROUP_ID, "Komunitas")
    private = core.private_album(USER_ID, ["photo", ("video", b"v"), "photo"], caption="trip")
    group = core.group_album(GROUP_ID, 2, ["document", "document"])
    for update in private + group:
        Update.model_validate(update, context={"bot": bot})
    groups = {u["message"]["media_group_id"] for u in private}
    assert len(groups) == 1 and groups != {group[0]["message"]["media_group_id"]}
    assert [u["message"].get("caption") for u in private] == ["trip", None, None]
    assert "video" in private[1]["message"]
    with pytest.raises(ValueError):
        core.private_album(USER_ID, ["photo"])


def test_a_person_edits_a_text_or_a_caption(core: FakeTelegram) -> None:
    bot = make_bot(core)
    core.make_group(GROUP_ID, "Komunitas")
    text = core.private_text(USER_ID, "salah ketik")
    photo = core.group_photo(GROUP_ID, 2, png(), "lama")
    edited_text = core.edited(text, "benar")
    edited_photo = core.edited(photo["message"], "baru")
    assert update_kinds([edited_text, edited_photo]) == ["edited_message", "edited_message"]
    parsed = Update.model_validate(edited_text, context={"bot": bot}).edited_message
    assert parsed is not None and parsed.text == "benar" and parsed.edit_date is not None
    assert edited_photo["edited_message"]["caption"] == "baru"
    message_id = text["message"]["message_id"]
    assert core.messages[USER_ID][message_id]["text"] == "benar"


# --------------------------------------------------------------------------- issue 14: copies


async def test_copy_message_works_for_every_kind(bot: Bot, core: FakeTelegram) -> None:
    forum(core)
    thread = (await bot.create_forum_topic(FORUM_ID, "Sari")).message_thread_id
    kinds = ["voice", "video", "video_note", "audio", "animation", "document", "sticker", "photo"]
    for kind in kinds:
        source = core.private_media(USER_ID, kind, "asli")["message"]
        copied = await bot.copy_message(
            FORUM_ID, USER_ID, source["message_id"], caption="<b>baru</b>",
            message_thread_id=thread, protect_content=True,
            reply_markup=keyboard(("Jawab", "answer:1")),
        )  # fmt: skip
        stored = core.messages[FORUM_ID][copied.message_id]
        assert stored[kind] == source[kind]
        assert stored.get("caption") == (None if kind in ("video_note", "sticker") else "baru")
        assert (stored["message_thread_id"], stored["has_protected_content"]) == (thread, True)
        assert core.buttons(stored) == [("Jawab", "answer:1")]
    assert len(core.sent_in_topic(FORUM_ID, thread)) == len(kinds)
    text = core.private_text(USER_ID, "teks")["message"]
    await bot.copy_message(FORUM_ID, USER_ID, text["message_id"], caption="ignored")
    assert core.last_sent(FORUM_ID)["text"] == "teks"  # type: ignore[index]


async def test_copied_messages_can_be_edited_and_reacted_to(bot: Bot, core: FakeTelegram) -> None:
    core.make_group(GROUP_ID, "Admin")
    question = core.private_text(USER_ID, "Kapan buka?")["message"]
    voice = core.private_media(USER_ID, "voice", "dengar")["message"]
    copied_text = await bot.copy_message(GROUP_ID, USER_ID, question["message_id"])
    copied_voice = await bot.copy_message(GROUP_ID, USER_ID, voice["message_id"])
    await bot.edit_message_text(
        "Kapan buka? (dijawab)", chat_id=GROUP_ID, message_id=copied_text.message_id
    )
    await bot.edit_message_caption(
        chat_id=GROUP_ID, message_id=copied_voice.message_id, caption="x"
    )
    assert core.messages[GROUP_ID][copied_voice.message_id]["caption"] == "x"
    assert core.messages[GROUP_ID][copied_text.message_id]["text"] == "Kapan buka? (dijawab)"

    thumbs = [ReactionTypeEmoji(emoji="👍")]
    assert await bot.set_message_reaction(USER_ID, question["message_id"], thumbs)
    assert core.reactions_on(USER_ID, question["message_id"]) == ["👍"]
    with pytest.raises(TelegramBadRequest, match="REACTION_INVALID"):
        await bot.set_message_reaction(
            USER_ID, question["message_id"], [ReactionTypeEmoji(emoji="❤️")]
        )
    two = [ReactionTypeEmoji(emoji="👍"), ReactionTypeEmoji(emoji="🔥")]
    with pytest.raises(TelegramBadRequest, match="REACTIONS_TOO_MANY"):
        await bot.set_message_reaction(USER_ID, question["message_id"], two)
    assert await bot.set_message_reaction(USER_ID, question["message_id"], [])
    assert core.reactions_on(USER_ID, question["message_id"]) == []


async def test_copy_messages_keeps_albums_and_skips_missing(bot: Bot, core: FakeTelegram) -> None:
    core.make_group(GROUP_ID, "Admin")
    album = core.private_album(USER_ID, ["photo", "video"], caption="dua")
    single = core.private_text(USER_ID, "dan teks")["message"]
    ids = [u["message"]["message_id"] for u in album] + [single["message_id"], 999]
    copied = await bot.copy_messages(GROUP_ID, USER_ID, ids)
    assert len(copied) == 3
    stored = [core.messages[GROUP_ID][c.message_id] for c in copied]
    new_group = stored[0]["media_group_id"]
    assert new_group == stored[1]["media_group_id"] != album[0]["message"]["media_group_id"]
    assert "media_group_id" not in stored[2] and stored[0]["caption"] == "dua"
    without = await bot.copy_messages(GROUP_ID, USER_ID, ids[:2], remove_caption=True)
    assert "caption" not in core.messages[GROUP_ID][without[0].message_id]
    with pytest.raises(TelegramBadRequest, match="increasing"):
        await bot.copy_messages(GROUP_ID, USER_ID, list(reversed(ids[:2])))
    with pytest.raises(TelegramBadRequest, match="there are no messages to copy"):
        await bot.copy_messages(GROUP_ID, USER_ID, [999])
    core.block_user(USER_ID)
    other = core.user(77, started=True)["id"]
    source = core.private_text(other, "x")["message"]["message_id"]
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.copy_message(USER_ID, other, source)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.copy_messages(USER_ID, other, [source])


async def test_copies_count_against_flood_limits_copy_messages_once() -> None:
    core, _ = limited_core()
    core.user(USER_ID, "Sari", started=True)
    core.make_group(GROUP_ID, "Admin")
    bot = make_bot(core)
    source = core.private_text(USER_ID, "q")["message"]["message_id"]
    core.limits.group_messages = 3
    await bot.copy_messages(GROUP_ID, USER_ID, [source])
    await bot.copy_message(GROUP_ID, USER_ID, source)
    await bot.copy_message(GROUP_ID, USER_ID, source)
    with pytest.raises(TelegramRetryAfter):
        await bot.copy_message(GROUP_ID, USER_ID, source)
    with pytest.raises(TelegramRetryAfter):
        await bot.copy_messages(GROUP_ID, USER_ID, [source])
    assert len(core.sent_log(GROUP_ID)) == 3


async def test_send_media_group_and_file_sends(bot: Bot, core: FakeTelegram) -> None:
    forum(core)
    thread = (await bot.create_forum_topic(FORUM_ID, "Album")).message_thread_id
    media = [
        InputMediaPhoto(media=BufferedInputFile(png(), "a.png"), caption="<i>satu</i>"),
        InputMediaPhoto(media=BufferedInputFile(png(color="red"), "b.png")),
    ]
    sent = await bot.send_media_group(FORUM_ID, media, message_thread_id=thread)
    assert len({m.media_group_id for m in sent}) == 1 and sent[0].caption == "satu"
    assert all(m.message_thread_id == thread for m in sent)
    voice = core.private_media(USER_ID, "voice")["message"]["voice"]["file_id"]
    resent = await bot.send_voice(FORUM_ID, voice, caption="suara")
    assert resent.voice is not None and resent.voice.file_id == voice
    with pytest.raises(TelegramBadRequest, match="can't use file of type Voice as Video"):
        await bot.send_video(FORUM_ID, voice)
