"""Handler tests: whole updates through a real Dispatcher, Telegram faked in-process.

They run on SQLite only; the services under them are covered on PostgreSQL too.

After every test, `screens_show_no_markup` walks everything the bot sent to each fake
Telegram of the test (texts and captions as Telegram parses them, button labels, popups,
command descriptions) and fails on a literal HTML tag or entity: text escaped twice, or
escaped where Telegram parses no HTML. What a person typed (texts, captions, names,
uploaded files) may hold such strings on purpose and is tolerated; a test that puts them
in the database some other way says so with `@pytest.mark.raw_text_ok`.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiogram import Bot, Dispatcher

from bot.container import Container, build_container
from bot.dispatcher import build_dispatcher
from bot.settings import load_settings
from tests.kit.clock import FrozenClock
from tests.kit.fake_session import feed, make_bot
from tests.kit.faketelegram import JSON, FakeTelegram, HtmlParseError, parse_html

ADMIN_CHAT = -100500


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture(autouse=True)
def unpaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """Telegram's limits far away: pacing waits on the event loop's real clock, so here it
    would only make tests wait. Pacing itself is tested in tests/test_sending.py on a
    loop whose time is fast-forwarded; retries here wait on the FrozenClock."""
    monkeypatch.setenv("SEND_RATE_TOTAL", "10000")
    monkeypatch.setenv("SEND_RATE_PRIVATE", "1000")
    monkeypatch.setenv("SEND_RATE_GROUP", "100000")


@dataclass
class BotUnderTest:
    core: FakeTelegram
    bot: Bot
    dp: Dispatcher
    container: Container

    async def send(self, update: dict[str, Any]) -> None:
        _note_incoming(self.core, update)
        await feed(self.dp, self.bot, update)


@pytest.fixture
async def app(db_url: str, clock: FrozenClock) -> AsyncIterator[BotUnderTest]:
    core = FakeTelegram()
    settings = load_settings(
        _env_file=None, BOT_TOKEN=core.token, ADMIN_CHAT_ID=str(ADMIN_CHAT), DATABASE_URL=db_url
    )
    bot = make_bot(core)
    container = build_container(settings, bot=bot, clock=clock)
    dp = build_dispatcher(container)
    try:
        yield BotUnderTest(core, bot, dp, container)
    finally:
        await container.close()


# ---------------------------------------------------------------- every screen, after every test

# A tag Telegram would have parsed, or an entity it would have decoded, shown as it is.
RAW_MARKUP = re.compile(
    r"</?(?:b|strong|i|em|u|ins|s|strike|del|code|pre|blockquote|tg-spoiler|span)(?:\s[^>]*)?>"
    r"|<a\s|</a>|&(?:amp|lt|gt|quot|#\d+|#[xX][0-9a-fA-F]+);"
)
_TEXT_FIELDS = {
    "sendMessage": ("text",), "editMessageText": ("text",), "sendPhoto": ("caption",),
    "sendDocument": ("caption",), "editMessageCaption": ("caption",), "copyMessage": ("caption",),
}  # fmt: skip
_PLAIN_FIELDS = {
    "answerCallbackQuery": ("text",), "setMyDescription": ("description",),
    "setMyShortDescription": ("short_description",), "createChatInviteLink": ("name",),
    "editChatInviteLink": ("name",),
}  # fmt: skip
_TYPED_KEYS = ("text", "caption", "first_name", "last_name", "username", "title", "file_name")
_CALL_FAILED = pytest.StashKey[bool]()


def _note_incoming(core: FakeTelegram, update: JSON) -> None:
    """Keep what people sent: updates can be consumed and their messages deleted."""
    incoming: list[JSON] | None = getattr(core, "_walker_incoming", None)
    if incoming is not None:
        incoming.append(update)


def _typed(value: Any, bot_id: int, found: set[str]) -> None:
    """Every string a person typed in an update (the bot's own messages echoed inside
    callback queries are not typed by anyone)."""
    if isinstance(value, list):
        for item in value:
            _typed(item, bot_id, found)
        return
    if not isinstance(value, dict):
        return
    if "message_id" in value and value.get("from", {}).get("id") == bot_id:
        _typed([value.get("chat"), value.get("reply_to_message")], bot_id, found)
        return
    for key, item in value.items():
        if isinstance(item, str) and key in _TYPED_KEYS:
            found.add(item)
        elif isinstance(item, dict | list):
            _typed(item, bot_id, found)


def typed_by_people(core: FakeTelegram) -> set[str]:
    found: set[str] = set()
    updates = [*getattr(core, "_walker_incoming", []), *core.updates]
    _typed(updates, core.bot_id, found)
    _typed(list(core.messages.values()), core.bot_id, found)
    _typed([*core.users.values(), *core.chats.values()], core.bot_id, found)
    for stored in core.files.values():
        if stored.kind == "document":
            found.add(stored.data.decode("utf-8", errors="ignore"))
    return found


def _markup_texts(markup: Any) -> Iterator[str]:
    if not isinstance(markup, dict):
        return
    for row in [*markup.get("inline_keyboard", []), *markup.get("keyboard", [])]:
        for button in row:
            yield button if isinstance(button, str) else str(button.get("text", ""))
    if markup.get("input_field_placeholder"):
        yield str(markup["input_field_placeholder"])


def shown_texts(core: FakeTelegram) -> Iterator[tuple[str, str]]:
    """(where, text as a person sees it) for everything the bot sent successfully."""
    for call in core.calls:
        if call.error is not None:
            continue
        p = call.params
        html_mode = str(p.get("parse_mode") or "").lower() == "html"
        for name in _TEXT_FIELDS.get(call.method, ()):
            if p.get(name) is None:
                continue
            text = str(p[name])
            if html_mode:
                try:
                    text = parse_html(text)[0]
                except HtmlParseError:
                    continue  # Telegram refused it: the call failed, nobody saw it
            yield f"{call.method} {name}", text
        for name in _PLAIN_FIELDS.get(call.method, ()):
            if p.get(name):
                yield f"{call.method} {name}", str(p[name])
        for label in _markup_texts(p.get("reply_markup")):
            yield f"{call.method} button", label
        if call.method == "setMyCommands":
            for command in p.get("commands") or []:
                yield "setMyCommands description", str(command.get("description", ""))
    for answer in core.callback_answers.values():
        if answer.get("text"):
            yield "callback answer", str(answer["text"])


def raw_markup_on_screens(core: FakeTelegram) -> list[str]:
    typed = typed_by_people(core)
    found = []
    for where, text in shown_texts(core):
        for match in RAW_MARKUP.finditer(text):
            if not any(match.group(0) in said for said in typed):
                found.append(f"{where}: {match.group(0)!r} in {text!r}")
                break
    return sorted(set(found))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    if call.when == "call":
        item.stash[_CALL_FAILED] = outcome.get_result().failed


@pytest.fixture(autouse=True)
def screens_show_no_markup(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Every FakeTelegram made during the test is walked at its end (see the module doc)."""
    cores: list[FakeTelegram] = []
    original = FakeTelegram.__init__

    def init(self: FakeTelegram, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self._walker_incoming = []  # type: ignore[attr-defined]
        enqueue = self._enqueue

        def recording(kind: str, payload: JSON) -> JSON:
            update = enqueue(kind, payload)
            self._walker_incoming.append(update)  # type: ignore[attr-defined]
            return update

        self._enqueue = recording  # type: ignore[method-assign]
        cores.append(self)

    monkeypatch.setattr(FakeTelegram, "__init__", init)
    yield
    node = request.node
    if node.get_closest_marker("raw_text_ok") or node.stash.get(_CALL_FAILED, False):
        return
    problems = [problem for core in cores for problem in raw_markup_on_screens(core)]
    assert not problems, "markup shown as text:\n" + "\n".join(problems)
