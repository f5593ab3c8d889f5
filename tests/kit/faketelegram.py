"""An in-memory model of Telegram for ONE bot.

`FakeTelegram` answers Bot API methods (`handle`, `respond`) the way Telegram does, with
Telegram's error texts, and lets tests create the updates Telegram would send (`private_text`,
`press`, `join_request`, ...). Two front ends share it: `fake_session.FakeSession` (in-process,
through a real aiogram `Bot`) and `botapi_server.BotApiServer` (HTTP, for a real bot process).

Both front ends turn what arrives over the wire (form fields, every value a string) into typed
params with `decode_wire_params`, so the core sees the same thing whichever path a call took.

Everything returned is a deep copy: tests can keep and mutate results without touching state.
Tests never sleep: they `await core.wait_for(predicate)`, which re-checks on every change.

    core = FakeTelegram(clock=lambda: frozen.now().timestamp())   # any float clock
    bot = make_bot(core)                                           # fake_session
    await feed(dp, bot, core.command(core.user(42, "Ana"), "/start ref_abc"))
    card = core.last_sent(42)
    await feed(dp, bot, core.press(42, card, "pay:1"))
    assert core.callback_answers and core.buttons(core.last_sent(42)) == [...]

Realism choices worth knowing: the bot may only message users who wrote first (`user(...,
started=True)` to skip that), updates of types outside `allowed_updates` are dropped at
delivery (chat_member is not in the default set), and the bot starts as an administrator of
groups made with `make_group` (`bot_status=` / rights kwargs to change that).

Forums and message kinds. `make_group(..., is_forum=True)` makes a supergroup with topics (the
bot may manage them unless `can_manage_topics=False`). createForumTopic posts a
forum_topic_created service message whose id is the topic's message_thread_id; every message
in a topic carries message_thread_id and is_topic_message, and one that replies to nothing has
reply_to_message = that service message (check is_topic_message, not reply_to_message). A reply
in a plain supergroup carries the reply thread's message_thread_id but no is_topic_message.
Sends to a deleted topic get "message thread not found"; to a closed one "TOPIC_CLOSED" unless
the bot may manage topics (admins still post in closed topics). People act without the API
through `user_creates_topic` / `user_closes_topic` / `user_reopens_topic` / `user_deletes_topic`;
`topics(chat)` and `sent_in_topic(chat, thread)` show the result. Incoming builders cover text,
photo, document, sticker, voice, video, video_note, audio, animation (`private_media` /
`group_media`), albums (`private_album` / `group_album`, one media_group_id) and a person's
edits (`edited`); group builders take `reply_to=` and `thread_id=`. copyMessage copies every
kind (a `caption` is ignored for stickers, video notes and texts), copyMessages keeps albums
together under a new media_group_id, and setMessageReaction is readable via `reactions_on`.

Limits and faults. With `rate_limits=True` every message the bot sends (send*, copyMessage,
forwardMessage; one copyMessages call counts once; not edits, deletions, reactions, topic
management or callback answers) counts against Telegram's flood
limits in `core.limits` (30 per 1 s overall, 5 per 2 s per private chat, 20 per 60 s per
group, measured with the injected `clock`); over a limit the call gets 429 "Too Many Requests:
retry after N" with `parameters.retry_after` and has no effect. Faults are injected per call
as it arrives (`take_fault`): `fail_next(method, code)` for Bot API errors,
`fail_next(method, 502, html=True)` for a proxy's HTML page (aiogram: ClientDecodeError),
`hang_next(method)` for a request held until the client times out (FakeSession: aiogram's
TelegramNetworkError and the call never arrives), `slow_next(method, seconds)` for a late
success (BotApiServer only; FakeSession answers at once), and `chaos(rate, seed)` for a
reproducible random mix. Everything injected is listed in `core.injected`; `sent_log()` lists
every message that really reached a chat (never a failed or refused call).
"""

from __future__ import annotations

import asyncio
import base64
import copy
import hashlib
import io
import itertools
import json
import math
import mimetypes
import random
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Final, TypeVar

JSON = dict[str, Any]
UserRef = int | Mapping[str, Any]
T = TypeVar("T")

DEFAULT_TOKEN = "123456:TEST-token"
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile refuses bigger files
MAX_UPLOAD = 50 * 1024 * 1024  # multipart uploads above this get 413
GROUP_MESSAGES_PER_MINUTE = 20  # Bots FAQ; only enforced with rate_limits=True
CHAOS_KINDS = ("429", "500", "502-html", "slow")  # what chaos() draws from by default
CHAOS_ALL_KINDS = (*CHAOS_KINDS, "timeout")
CHAOS_EXCLUDE = ("getUpdates", "getMe", "setWebhook", "deleteWebhook", "setMyCommands")
HOLD_SECONDS = 90.0  # hang_next: longer than any client timeout the bot uses

TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)

# Update types delivered when allowed_updates is empty or never given (Bot API docs).
NOT_DEFAULT_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")
ADMIN_RIGHTS: dict[str, bool] = {
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
    "can_manage_topics": False,
    "can_send_welcome_messages": False,
}
RESTRICTED_PERMISSIONS: dict[str, bool] = {
    "is_member": True,
    "can_send_messages": False,
    "can_send_audios": False,
    "can_send_documents": False,
    "can_send_photos": False,
    "can_send_videos": False,
    "can_send_video_notes": False,
    "can_send_voice_notes": False,
    "can_send_polls": False,
    "can_send_other_messages": False,
    "can_add_web_page_previews": False,
    "can_react_to_messages": False,
    "can_edit_tag": False,
    "can_change_info": False,
    "can_invite_users": False,
    "can_pin_messages": False,
    "can_manage_topics": False,
}
CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
ACCEPTED_GIFT_TYPES = {
    "unlimited_gifts": True,
    "limited_gifts": True,
    "unique_gifts": True,
    "premium_subscription": True,
    "gifts_from_channels": True,
}

# Forum topics. Telegram allows only these icon colours; names longer than 128 are cut.
TOPIC_ICON_COLORS = (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)
MAX_TOPIC_NAME = 128
TOPIC_SERVICE_KEYS = (
    "forum_topic_created", "forum_topic_edited", "forum_topic_closed", "forum_topic_reopened",
)  # fmt: skip
# Incoming media kinds: (file_id prefix, folder, extension, default metadata).
MEDIA_KINDS: dict[str, tuple[str, str, str, JSON]] = {
    "voice": ("AwACAgIAAxk", "voice", "oga", {"duration": 3, "mime_type": "audio/ogg"}),
    "video": (
        "BAACAgIAAxk", "videos", "mp4",
        {"width": 1280, "height": 720, "duration": 7, "file_name": "video.mp4",
         "mime_type": "video/mp4"},
    ),
    "video_note": ("DQACAgIAAxk", "video_notes", "mp4", {"length": 384, "duration": 5}),
    "audio": (
        "CQACAgIAAxk", "music", "mp3",
        {"duration": 180, "file_name": "song.mp3", "mime_type": "audio/mpeg",
         "performer": "Artist", "title": "Song"},
    ),
    "animation": (
        "CgACAgIAAxk", "animations", "mp4",
        {"width": 480, "height": 270, "duration": 2, "file_name": "animation.mp4",
         "mime_type": "video/mp4"},
    ),
}  # fmt: skip
CAPTIONED_KINDS = ("photo", "document", "video", "audio", "voice", "animation")
ALBUM_KINDS = ("photo", "video", "document", "audio")
# The emoji a bot may react with (Bot API ReactionTypeEmoji); "❤️" with U+FE0F is not one.
REACTION_EMOJI = frozenset(
    "❤ 👍 👎 🔥 🥰 👏 😁 🤔 🤯 😱 🤬 😢 🎉 🤩 🤮 💩 🙏 👌 "
    "🕊 🤡 🥱 🥴 😍 🐳 ❤‍🔥 🌚 🌭 💯 🤣 ⚡ 🍌 🏆 💔 🤨 😐 🍓 "
    "🍾 💋 🖕 😈 😴 😭 🤓 👻 👨‍💻 👀 🎃 🙈 😇 😨 🤝 ✍ 🤗 🫡 "
    "🎅 🎄 ☃ 💅 🤪 🗿 🆒 💘 🙉 🦄 😘 💊 🙊 😎 👾 🤷 🤷‍♂ 🤷‍♀ "
    "😡".split()
)


# --------------------------------------------------------------------------- basic types


class FakeApiError(Exception):
    """A Bot API error: becomes {"ok": false, "error_code", "description", "parameters"}.

    With `html` set the wire answer is that HTML page instead of JSON (a proxy's 502).
    """

    def __init__(
        self,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        *,
        html: str | None = None,
    ) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after
        self.html = html

    def to_response(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(message: str) -> FakeApiError:
    return FakeApiError(400, f"Bad Request: {message}")


@dataclass
class Call:
    """One API call as the core saw it; `error` is the description when it failed and
    `fault` the kind of injected fault it carried ("429", "html", "slow", ...), if any."""

    method: str
    params: dict[str, Any]
    error: str | None = None
    fault: str | None = None


@dataclass(frozen=True)
class Fault:
    """What goes wrong with one call, decided when it arrives.

    kind "error": a Bot API error (JSON); "html": an HTML error page with HTTP `error_code`;
    "timeout": the request is held `seconds` (the client gives up first; FakeSession raises
    aiogram's timeout error and the call never arrives); "slow": it succeeds after `seconds`.
    """

    kind: str
    error_code: int | None = None
    description: str | None = None
    retry_after: int | None = None
    seconds: float = 0.0

    @property
    def label(self) -> str:
        """ "429", "500", "502-html", "timeout", "slow": the chaos kind names."""
        if self.kind == "error":
            return str(self.error_code)
        if self.kind == "html":
            return f"{self.error_code}-html"
        return self.kind

    def error(self) -> FakeApiError:
        code = self.error_code or 500
        if self.kind == "html":
            return FakeApiError(code, _reason(code), html=html_error_page(code))
        text = self.description or _default_description(code, self.retry_after)
        return FakeApiError(code, text, self.retry_after)


@dataclass(frozen=True)
class InjectedFault:
    """A fault the core injected: into which method, when (core clock), from where."""

    method: str
    fault: Fault
    at: float
    source: str  # "fail_next" | "chaos"

    @property
    def kind(self) -> str:
        return self.fault.label


@dataclass
class SendLimits:
    """Telegram's flood limits for messages the bot sends (enforced with rate_limits=True).

    Each is (messages, window seconds): at most that many in any window of that length.
    """

    total_messages: int = 30
    total_window: float = 1.0
    private_messages: int = 5
    private_window: float = 2.0
    group_messages: int = GROUP_MESSAGES_PER_MINUTE
    group_window: float = 60.0


@dataclass
class _Chaos:
    rate: float
    rng: random.Random
    kinds: tuple[str, ...]
    methods: frozenset[str] | None
    exclude: frozenset[str]
    hold_seconds: float


@dataclass(frozen=True)
class WireReply:
    """What a front end puts on the wire: the JSON envelope, or an HTML page instead."""

    status: int
    body: JSON
    html: str | None = None


def html_error_page(code: int) -> str:
    """The page nginx serves when the Bot API behind it fails (not JSON)."""
    title = f"{code} {_reason(code)}"
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
        "</body>\r\n</html>\r\n"
    )


def _reason(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Error"


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request (aiogram's InputFile after reading)."""

    data: bytes
    filename: str | None = None
    content_type: str | None = None


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    kind: str  # photo | document | sticker | voice | video | video_note | audio | animation
    meta: dict[str, Any] = field(default_factory=dict)  # the file object's other fields


@dataclass
class _Injection:
    fault: Fault
    remaining: int


@dataclass
class _Member:
    status: str
    rights: dict[str, bool] = field(default_factory=dict)
    until_date: int = 0


@dataclass
class _Topic:
    thread_id: int  # = the id of its forum_topic_created service message
    name: str
    icon_color: int
    creator_id: int
    icon_custom_emoji_id: str | None = None
    state: str = "open"  # open | closed | deleted

    def obj(self) -> JSON:
        """The ForumTopic object."""
        topic: JSON = {
            "message_thread_id": self.thread_id, "name": self.name, "icon_color": self.icon_color,
        }  # fmt: skip
        if self.icon_custom_emoji_id:
            topic["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return topic


@dataclass
class _InviteLink:
    chat_id: int
    obj: JSON
    joined: set[int] = field(default_factory=set)  # users who joined through it


# --------------------------------------------------------------------------- wire decoding

# Bot API parameters that are integers; aiogram sends them as decimal strings.
_INT_PARAMS = frozenset(
    {
        "chat_id", "from_chat_id", "user_id", "message_id", "message_thread_id",
        "reply_to_message_id", "offset", "limit", "timeout", "max_connections",
        "member_limit", "expire_date", "until_date", "cache_time", "duration", "width",
        "height", "direct_messages_topic_id", "video_start_timestamp", "icon_color",
    }
)  # fmt: skip
_BOOL_PARAMS = frozenset(
    {
        "disable_notification", "protect_content", "drop_pending_updates",
        "creates_join_request", "only_if_banned", "revoke_messages", "show_alert",
        "disable_web_page_preview", "has_spoiler", "allow_sending_without_reply",
        "disable_content_type_detection", "show_caption_above_media", "allow_paid_broadcast",
        "return_bots", "is_anonymous", "is_big", "remove_caption",
    }
)  # fmt: skip
# Nested objects travel as JSON strings in form data.
_JSON_PARAMS = frozenset(
    {
        "reply_markup", "allowed_updates", "commands", "scope", "entities", "caption_entities",
        "reply_parameters", "link_preview_options", "menu_button", "media", "permissions",
        "suggested_post_parameters", "ephemeral_message_parameters", "rights", "message_ids",
        "reaction",
    }
)  # fmt: skip


def decode_wire_params(
    fields: Mapping[str, Any], uploads: Mapping[str, Upload] | None = None
) -> dict[str, Any]:
    """Typed params from form fields/query/JSON body plus multipart file parts.

    A field "attach://<name>" is replaced by the file part <name>; a file part that no field
    references is a direct upload under its own name (what clients other than aiogram do).
    """
    parts = dict(uploads or {})
    referenced: set[str] = set()
    params: dict[str, Any] = {}
    for name, value in fields.items():
        if isinstance(value, str) and value.startswith("attach://"):
            key = value.removeprefix("attach://")
            if key not in parts:
                raise bad_request(f'can\'t find attached file "{key}"')
            referenced.add(key)
            params[name] = parts[key]
        else:
            params[name] = _decode_value(name, value)
    for name, upload in parts.items():
        if name not in referenced:
            params.setdefault(name, upload)
    return params


def _decode_value(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value  # JSON bodies are typed already
    if name in _INT_PARAMS and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    if name in _BOOL_PARAMS:
        return value.strip().lower() in ("true", "1")
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            if name == "reply_markup":
                raise bad_request("can't parse reply keyboard markup JSON object") from None
            raise bad_request(f"can't parse {name} JSON object") from None
    return value  # chat_id "@username", texts, file ids stay strings


def jsonable(value: Any) -> Any:
    """Plain JSON-like copy for Call.params (uploads are summarised, not kept)."""
    if isinstance(value, Upload):
        return {"upload": value.filename, "size": len(value.data)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def utf16_len(text: str) -> int:
    """Telegram measures entity offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


# --------------------------------------------------------------------------- HTML parse mode

_HTML_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
    "del": "strikethrough", "tg-spoiler": "spoiler", "span": "spoiler", "a": "text_link",
    "code": "code", "pre": "pre", "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}  # fmt: skip
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]{2,4}));")


class HtmlParseError(ValueError):
    pass


@dataclass
class _OpenTag:
    name: str
    offset: int  # UTF-16 offset in the output text
    attrs: dict[str, str]


class _HtmlParser:
    """Port of the rules of tdlib's parse_html, which is what the Bot API runs.

    Only the listed tags, closed and well nested; &lt; &gt; &amp; &quot; and numeric entities
    are decoded, any other '&' stays literal (as Telegram does); a bare '<' is an error.
    """

    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.offset = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[JSON] = []

    def parse(self) -> tuple[str, list[JSON]]:
        while self.pos < len(self.src):
            char = self.src[self.pos]
            if char == "&" and self._entity():
                continue
            if char != "<":
                self._emit(char)
                self.pos += 1
            elif self.src.startswith("</", self.pos):
                self._end_tag()
            else:
                self._start_tag()
        if self.stack:
            name = self.stack[-1].name
            raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{name}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def _emit(self, text: str) -> None:
        self.out.append(text)
        self.offset += utf16_len(text)

    def _byte_offset(self, pos: int) -> int:
        return len(self.src[:pos].encode())

    def _entity(self) -> bool:
        match = _ENTITY_RE.match(self.src, self.pos)
        decoded = _decode_entity(match) if match else None
        if decoded is None:
            return False
        self._emit(decoded)
        self.pos = match.end() if match else self.pos
        return True

    def _error(self, message: str, pos: int) -> HtmlParseError:
        return HtmlParseError(f"{message} at byte offset {self._byte_offset(pos)}")

    def _start_tag(self) -> None:
        begin = self.pos
        end = self.pos + 1
        while end < len(self.src) and not self.src[end].isspace() and self.src[end] != ">":
            end += 1
        if end >= len(self.src):
            raise self._error("Unclosed start tag", begin)
        name = self.src[begin + 1 : end].lower()
        if name not in _HTML_TAGS:
            raise self._error(f'Unsupported start tag "{name}"', begin)
        attrs, self.pos = self._attributes(end, name, begin)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise self._error('Tag "span" must have class "tg-spoiler"', begin)
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise self._error('Tag "tg-emoji" must have a numeric "emoji-id"', begin)
        self.stack.append(_OpenTag(name, self.offset, attrs))

    def _attributes(self, pos: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
        src = self.src
        attrs: dict[str, str] = {}
        while True:
            while pos < len(src) and src[pos].isspace():
                pos += 1
            if pos >= len(src):
                raise self._error("Unclosed start tag", begin)
            if src[pos] == ">":
                return attrs, pos + 1
            start = pos
            while pos < len(src) and not src[pos].isspace() and src[pos] not in "=>":
                pos += 1
            attr = src[start:pos].lower()
            while pos < len(src) and src[pos].isspace():
                pos += 1
            if pos >= len(src) or src[pos] != "=":
                if tag == "blockquote" and attr == "expandable":
                    attrs[attr] = ""
                    continue
                message = f'Expected equal sign in declaration of an attribute of the tag "{tag}"'
                raise self._error(message, begin)
            value, pos = self._attribute_value(pos + 1, begin)
            attrs[attr] = value

    def _attribute_value(self, pos: int, begin: int) -> tuple[str, int]:
        src = self.src
        while pos < len(src) and src[pos].isspace():
            pos += 1
        if pos >= len(src):
            raise self._error("Unclosed start tag", begin)
        if src[pos] in "'\"":
            close = src.find(src[pos], pos + 1)
            if close < 0:
                raise self._error("Unclosed start tag", begin)
            return _decode_entities(src[pos + 1 : close]), close + 1
        start = pos
        while pos < len(src) and not src[pos].isspace() and src[pos] != ">":
            pos += 1
        return _decode_entities(src[start:pos]), pos

    def _end_tag(self) -> None:
        begin = self.pos
        if not self.stack:
            raise self._error("Unexpected end tag", begin)
        end = begin + 2
        while end < len(self.src) and not self.src[end].isspace() and self.src[end] != ">":
            end += 1
        name = self.src[begin + 2 : end].lower()
        while end < len(self.src) and self.src[end].isspace():
            end += 1
        if end >= len(self.src) or self.src[end] != ">":
            raise self._error("Unclosed end tag", begin)
        tag = self.stack.pop()
        if name and name != tag.name:
            message = f'Unmatched end tag at byte offset {self._byte_offset(begin)}, expected "</{tag.name}>", found "</{name}>"'  # noqa: E501
            raise HtmlParseError(message)
        self.pos = end + 1
        self._close(tag)

    def _close(self, tag: _OpenTag) -> None:
        length = self.offset - tag.offset
        language = tag.attrs.get("class", "").removeprefix("language-")
        if tag.name == "code" and self.stack and self.stack[-1].name == "pre":
            if tag.attrs.get("class", "").startswith("language-"):
                self.stack[-1].attrs["language"] = language  # <pre><code class=...> is one entity
                return
        if length == 0:
            return  # Telegram drops empty entities
        entity: JSON = {"type": _HTML_TAGS[tag.name], "offset": tag.offset, "length": length}
        if tag.name == "a":
            if not tag.attrs.get("href"):
                return
            entity["url"] = tag.attrs["href"]
        elif tag.name == "pre" and tag.attrs.get("language"):
            entity["language"] = tag.attrs["language"]
        elif tag.name == "tg-emoji":
            entity["custom_emoji_id"] = tag.attrs["emoji-id"]
        elif tag.name == "blockquote" and "expandable" in tag.attrs:
            entity["type"] = "expandable_blockquote"
        self.entities.append(entity)


def _decode_entity(match: re.Match[str]) -> str | None:
    decimal, hexa, named = match.groups()
    if named is not None:
        return _NAMED_ENTITIES.get(named)
    code = int(decimal) if decimal is not None else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def _decode_entities(text: str) -> str:
    return _ENTITY_RE.sub(lambda m: _decode_entity(m) or m.group(0), text)


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """(plain text, entities) as Telegram computes them; HtmlParseError when it would refuse."""
    return _HtmlParser(source).parse()


# --------------------------------------------------------------------------- images

_THUMB_SIDES = (90, 320, 800)
_FALLBACK_DIMS = (1280, 960)


def photo_variants(data: bytes, *, strict: bool) -> list[tuple[int, int, bytes]]:
    """(width, height, bytes) smallest first, like the PhotoSize list Telegram builds.

    The largest keeps the original bytes so a download is byte-identical to the upload;
    smaller ones are real JPEG thumbnails when Pillow can read the image. Undecodable bytes
    raise IMAGE_PROCESS_FAILED when `strict` (a bot's sendPhoto), else get fake dimensions
    (photos tests inject as if a user sent them).
    """
    try:
        return _pillow_variants(data)
    except Exception:  # Pillow raises many types for bad input; all mean "not an image"
        if strict:
            raise bad_request("IMAGE_PROCESS_FAILED") from None
    width, height = _FALLBACK_DIMS
    scaled = [_scaled(width, height, side) for side in _THUMB_SIDES]
    return [(w, h, data) for w, h in scaled] + [(width, height, data)]


def _pillow_variants(data: bytes) -> list[tuple[int, int, bytes]]:
    from PIL import Image

    variants: list[tuple[int, int, bytes]] = []
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        width, height = image.size
        for side in _THUMB_SIDES:
            if side >= max(width, height):
                break
            thumb = image.convert("RGB")
            thumb.thumbnail((side, side))
            buffer = io.BytesIO()
            thumb.save(buffer, "JPEG", quality=80)
            variants.append((thumb.width, thumb.height, buffer.getvalue()))
    variants.append((width, height, data))
    return variants


def _scaled(width: int, height: int, side: int) -> tuple[int, int]:
    ratio = side / max(width, height)
    return max(1, round(width * ratio)), max(1, round(height * ratio))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


# --------------------------------------------------------------------------- the model

DRAW: Final = object()  # handle(fault=DRAW): decide the call's fault on arrival


class FakeTelegram:
    """Telegram as seen by one bot. See the module docstring for the overall design."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_first_name: str = "Test Bot",
        bot_username: str = "test_bot",
        clock: Callable[[], float] = time.time,
        rate_limits: bool = False,
    ) -> None:
        if not TOKEN_RE.match(token):
            raise ValueError(f"token must look like 123456:ABC..., got {token!r}")
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user: JSON = {
            "id": self.bot_id, "is_bot": True, "first_name": bot_first_name,
            "username": bot_username,
        }  # fmt: skip
        self.clock = clock
        self.rate_limits = rate_limits
        self.limits = SendLimits()  # a test may change the numbers or windows
        self.calls: list[Call] = []
        self.injected: list[InjectedFault] = []  # every fault injected, in order
        self.users: dict[int, JSON] = {}
        self.chats: dict[int, JSON] = {}
        self.messages: dict[int, dict[int, JSON]] = {}  # chat -> id -> current message
        self.deleted: list[tuple[int, int]] = []
        self.members: dict[int, dict[int, _Member]] = {}
        self.invite_links: dict[str, _InviteLink] = {}
        self.join_requests: dict[tuple[int, int], JSON] = {}
        self.files: dict[str, StoredFile] = {}
        self.updates: list[JSON] = []  # pending, oldest first
        self.dropped_updates: list[JSON] = []  # filtered out by allowed_updates
        self.callback_answers: dict[str, JSON] = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.menu_buttons: dict[int | None, JSON] = {}
        self.webhook: JSON | None = None
        self.webhook_version = 0
        self.blocked: set[int] = set()
        self.forum_topics: dict[int, dict[int, _Topic]] = {}  # chat -> thread id -> topic
        self.reactions: dict[tuple[int, int], list[JSON]] = {}  # bot's reactions per message
        self._media_groups = itertools.count(13_800_000_000_000_001)
        self._started: set[int] = set()  # users who opened the private chat
        self._sent_ids: dict[int, list[int]] = {}
        self._markups: dict[tuple[int, int], JSON] = {}  # any keyboard, incl. reply keyboards
        self._reply_keyboards: dict[int, JSON] = {}
        self._next_message_id: dict[int, int] = {}
        self._photo_sets: dict[str, list[JSON]] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._update_ids = itertools.count(100_000_001)
        self._query_ids = itertools.count(4_000_000_000_000_000_001)
        self._pending_queries: set[str] = set()
        self._allowed_updates: frozenset[str] | None = None  # None = default set
        self._webhook_error: tuple[int, str] | None = None
        self._poll_generation = 0
        self._injections: dict[str, deque[_Injection]] = {}
        self._chaos: _Chaos | None = None
        self._sends: dict[int | None, deque[float]] = {}  # chat (None = all) -> send times
        self._sent_log: list[JSON] = []  # every message that reached a chat, as sent
        self._sent_log_by_chat: dict[int, list[JSON]] = {}
        self._changed = asyncio.Event()
        self._methods: dict[str, tuple[str, Callable[[JSON], Any]]] = {
            name.lower(): (name, impl) for name, impl in self._method_table().items()
        }

    # ------------------------------------------------------------------ change notification

    def notify_change(self) -> None:
        """Wake every waiter; front ends call this when their own observable state changes."""
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def wait_until(
        self,
        predicate: Callable[[], object],
        timeout: float | None,
    ) -> bool:
        """True once predicate() holds, False after `timeout` seconds (None: wait forever)."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            event = self._changed  # taken before the check so no change can slip between
            if predicate():
                return True
            if deadline is None:
                await event.wait()
                continue
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass

    async def wait_for(
        self,
        predicate: Callable[[], T],
        timeout: float = 5.0,
        *,
        what: str | None = None,
    ) -> T:
        """Wait until predicate() is truthy and return its value; fail with recent calls."""
        box: list[T] = []

        def check() -> bool:
            box[:] = [predicate()]
            return bool(box[0])

        if await self.wait_until(check, timeout):
            return box[0]
        description = what or getattr(predicate, "__name__", repr(predicate))
        raise AssertionError(self.describe_state(f"timed out after {timeout}s: {description}"))

    async def wait_sent(
        self,
        chat_id: int,
        count: int = 1,
        timeout: float = 5.0,
    ) -> list[JSON]:
        """Messages the bot sent to chat_id once there are at least `count` of them."""

        def enough() -> list[JSON]:
            sent = self.sent_to(chat_id)
            return sent if len(sent) >= count else []

        return await self.wait_for(enough, timeout, what=f"{count} message(s) sent to {chat_id}")

    async def wait_calls(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,
    ) -> list[Call]:
        """Calls of `method` once there are at least `count` of them."""

        def enough() -> list[Call]:
            calls = self.calls_of(method)
            return calls if len(calls) >= count else []

        return await self.wait_for(enough, timeout, what=f"{count} call(s) of {method}")

    def describe_state(self, headline: str, last: int = 12) -> str:
        lines = [headline, f"recent calls (last {last} of {len(self.calls)}):"]
        for call in self.calls[-last:]:
            outcome = f" -> {call.error}" if call.error else ""
            lines.append(f"  {call.method} {json.dumps(call.params, default=str)[:300]}{outcome}")
        lines.append(f"pending updates: {update_kinds(self.updates)}")
        if self.injected:
            kinds = [f"{i.method}:{i.kind}" for i in self.injected[-last:]]
            lines.append(f"injected faults (last {len(kinds)} of {len(self.injected)}): {kinds}")
        return "\n".join(lines)

    # ------------------------------------------------------------------ entry points

    def handle(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        fault: Fault | object | None = DRAW,
    ) -> Any:
        """Run one Bot API method; return its `result` or raise FakeApiError.

        `fault` is what `take_fault` decided when the call arrived (front ends draw it first
        to delay or drop the request); by default it is drawn here. Error and HTML faults fail
        the call without effect; held and slow calls run normally once they get here.
        """
        params = dict(params or {})
        name, impl = self._methods.get(method.lower(), (method, None))
        drawn = self.take_fault(name) if fault is DRAW else fault
        injected = drawn if isinstance(drawn, Fault) else None
        call = Call(name, jsonable(params), fault=injected.label if injected else None)
        self.calls.append(call)
        try:
            if injected is not None and injected.kind in ("error", "html"):
                raise injected.error()
            if impl is None:
                raise FakeApiError(404, "Not Found: method not found")
            return copy.deepcopy(impl(params))
        except FakeApiError as error:
            call.error = f"{error.error_code} {error.description}"
            raise
        finally:
            self.notify_change()

    async def handle_async(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        fault: Fault | object | None = DRAW,
    ) -> Any:
        """Like handle, but getUpdates long-polls for up to `timeout` seconds."""
        result = self.handle(method, params, fault=fault)
        if method.lower() != "getupdates" or result:
            return result
        timeout = _int(params or {}, "timeout") or 0
        if timeout <= 0:
            return result
        generation = self._poll_generation
        await self.wait_until(
            lambda: (
                generation != self._poll_generation
                or self.webhook is not None
                or self._has_deliverable()
            ),
            timeout,
        )
        if generation != self._poll_generation:
            raise FakeApiError(409, POLL_CONFLICT)  # a newer getUpdates took over
        return copy.deepcopy(self._batch(_limit(params or {})))

    async def respond(
        self, method: str, params: Mapping[str, Any] | None = None
    ) -> tuple[int, JSON]:
        """(HTTP status, JSON response body) as the Bot API would send them (an injected HTML
        page shows here as its JSON equivalent; front ends use `reply` to send the page)."""
        wire = await self.reply(method, params)
        return wire.status, wire.body

    async def reply(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        fault: Fault | object | None = DRAW,
    ) -> WireReply:
        """The answer to put on the wire: JSON envelope, or the HTML page of an html fault."""
        try:
            result = await self.handle_async(method, params, fault=fault)
        except FakeApiError as error:
            return WireReply(error.error_code, error.to_response(), error.html)
        return WireReply(200, {"ok": True, "result": result})

    # ------------------------------------------------------------------ error injection

    def fail_next(
        self,
        method: str,
        error_code: int | None = None,
        description: str | None = None,
        *,
        retry_after: int | None = None,
        times: int = 1,
        html: bool = False,
        timeout: bool = False,
        seconds: float = HOLD_SECONDS,
    ) -> None:
        """Make the next `times` calls of `method` ("*" = any method) fail like Telegram.

        `html=True`: the answer is an nginx HTML page with HTTP `error_code` (502 unless
        told), not JSON. `timeout=True`: the request is held (see `hang_next`).
        """
        if timeout:
            self._queue_fault(method, Fault("timeout", seconds=seconds), times)
            return
        if html:
            self._queue_fault(method, Fault("html", error_code or 502), times)
            return
        if error_code is None:
            raise ValueError("fail_next needs an error_code (or html=True / timeout=True)")
        if error_code == 429 and retry_after is None:
            retry_after = 1
        text = description or _default_description(error_code, retry_after)
        self._queue_fault(method, Fault("error", error_code, text, retry_after), times)

    def hang_next(self, method: str, seconds: float = HOLD_SECONDS, *, times: int = 1) -> None:
        """The next `times` calls of `method` hang: BotApiServer holds the request `seconds`
        before handling it (a client that gave up first leaves no effect); FakeSession raises
        aiogram's TelegramNetworkError("Request timeout error") and the call never arrives."""
        self._queue_fault(method, Fault("timeout", seconds=seconds), times)

    def slow_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """The next `times` calls of `method` succeed after `seconds` (BotApiServer; the
        in-process FakeSession answers at once)."""
        self._queue_fault(method, Fault("slow", seconds=seconds), times)

    def chaos(
        self,
        rate: float = 0.1,
        seed: int = 1234,
        kinds: Iterable[str] = CHAOS_KINDS,
        methods: Iterable[str] | None = None,
        exclude: Iterable[str] = CHAOS_EXCLUDE,
        *,
        hold_seconds: float = HOLD_SECONDS,
    ) -> None:
        """Random faults for load tests: about `rate` of matching calls fail, each with a kind
        drawn from `kinds` ("429": retry_after 1-2; "500"; "502-html": nginx page; "slow":
        success after 1-2 s; "timeout": held `hold_seconds`), reproducibly from `seed` (for
        the same order of calls). `methods` limits it to those (None: all but `exclude`).
        `chaos(rate=0)` turns it off. Queued fail_next faults go first."""
        chosen = tuple(kinds)
        unknown = set(chosen) - set(CHAOS_ALL_KINDS)
        if unknown or not chosen:
            raise ValueError(f"kinds must be some of {CHAOS_ALL_KINDS}, got {chosen}")
        if rate <= 0:
            self._chaos = None
            return
        self._chaos = _Chaos(
            rate=min(rate, 1.0),
            rng=random.Random(seed),
            kinds=chosen,
            methods=None if methods is None else frozenset(m.lower() for m in methods),
            exclude=frozenset(m.lower() for m in exclude),
            hold_seconds=hold_seconds,
        )

    def take_fault(self, method: str) -> Fault | None:
        """Decide the fault (if any) of one call of `method` arriving now, and record it.

        Front ends call this once per request, before delaying or handling it."""
        name = self._methods.get(method.lower(), (method, None))[0]
        fault, source = self._queued_fault(name), "fail_next"
        if fault is None:
            fault, source = self._chaos_fault(name), "chaos"
        if fault is not None:
            self.injected.append(InjectedFault(name, fault, self.clock(), source))
            self.notify_change()
        return fault

    def injected_kinds(self) -> list[str]:
        """The kind of every injected fault ("429", "500", "502-html", "slow", ...)."""
        return [i.kind for i in self.injected]

    def _queue_fault(self, method: str, fault: Fault, times: int) -> None:
        queue = self._injections.setdefault(method.lower(), deque())
        queue.append(_Injection(fault, times))

    def _queued_fault(self, method: str) -> Fault | None:
        for key in (method.lower(), "*"):
            queue = self._injections.get(key)
            if not queue:
                continue
            injection = queue[0]
            injection.remaining -= 1
            if injection.remaining <= 0:
                queue.popleft()
            return injection.fault
        return None

    def _chaos_fault(self, method: str) -> Fault | None:
        chaos, key = self._chaos, method.lower()
        if chaos is None or key in chaos.exclude:
            return None
        if chaos.methods is not None and key not in chaos.methods:
            return None
        if chaos.rng.random() >= chaos.rate:
            return None
        kind = chaos.rng.choice(chaos.kinds)
        if kind == "429":
            retry_after = chaos.rng.randint(1, 2)
            return Fault("error", 429, _default_description(429, retry_after), retry_after)
        if kind == "500":
            return Fault("error", 500, _default_description(500, None))
        if kind == "502-html":
            return Fault("html", 502)
        if kind == "slow":
            return Fault("slow", seconds=chaos.rng.uniform(1.0, 2.0))
        return Fault("timeout", seconds=chaos.hold_seconds)

    def block_user(self, user_id: int, *, notify: bool = True) -> None:
        """The user blocks the bot: sends to their chat get 403 until unblock_user.

        Like Telegram, the bot gets a my_chat_member update (member -> kicked) unless notify=False.
        """
        self.blocked.add(user_id)
        if notify:
            self._enqueue("my_chat_member", self._bot_status_change(user_id, "member", "kicked"))

    def unblock_user(self, user_id: int, *, notify: bool = True) -> None:
        self.blocked.discard(user_id)
        if notify:
            self._enqueue("my_chat_member", self._bot_status_change(user_id, "kicked", "member"))

    def _bot_status_change(self, user_id: int, old: str, new: str) -> JSON:
        user = self._user(user_id)  # creates the user (and the private chat) if needed
        return {
            "chat": self._chat_ref(user_id),
            "from": user,
            "date": self._now(),
            "old_chat_member": self._member_obj(self.bot_user, _Member(old)),
            "new_chat_member": self._member_obj(self.bot_user, _Member(new)),
        }

    # ------------------------------------------------------------------ test-facing: world

    def user(
        self,
        id: int,  # Telegram's field name
        first_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "id",
        *,
        started: bool = False,
    ) -> JSON:
        """Create (or return) a user. A user must have written to the bot (or `started=True`)
        before the bot may message them, as on Telegram."""
        if id not in self.users:
            user: JSON = {"id": id, "is_bot": False, "first_name": first_name or f"User{id}"}
            if username:
                user["username"] = username
            if language_code:
                user["language_code"] = language_code
            self.users[id] = user
            chat: JSON = {"id": id, "type": "private", "first_name": user["first_name"]}
            if username:
                chat["username"] = username
            self.chats[id] = chat
        if started:
            self._started.add(id)
        return copy.deepcopy(self.users[id])

    def make_group(
        self,
        chat_id: int,
        title: str,
        type: str = "supergroup",  # Telegram's field name
        *,
        username: str | None = None,
        creator: UserRef | None = None,
        bot_status: str = "administrator",
        is_forum: bool = False,
        **bot_rights: bool,
    ) -> JSON:
        """A group with the bot in it (an administrator with ADMIN_RIGHTS unless told).

        `is_forum=True` makes a supergroup with topics; there the bot, as administrator, may
        manage topics unless `can_manage_topics=False` is given.
        """
        if type not in ("group", "supergroup", "channel"):
            raise ValueError(f"unknown chat type {type!r}")
        if is_forum and type != "supergroup":
            raise ValueError("only supergroups can be forums")
        chat: JSON = {"id": chat_id, "title": title, "type": type}
        if username:
            chat["username"] = username
        if is_forum:
            chat["is_forum"] = True
            self.forum_topics.setdefault(chat_id, {})
            if bot_status == "administrator":
                bot_rights.setdefault("can_manage_topics", True)
        self.chats[chat_id] = chat
        self.members.setdefault(chat_id, {})
        self.set_member_status(chat_id, self.bot_id, bot_status, **bot_rights)
        if creator is not None:
            self.set_member_status(chat_id, self._user(creator)["id"], "creator")
        return copy.deepcopy(chat)

    def set_member_status(
        self, chat_id: int, user_id: int, status: str, *, until_date: int = 0, **rights: bool
    ) -> None:
        """Set what getChatMember reports (rights: ADMIN_RIGHTS / RESTRICTED_PERMISSIONS keys)."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"status must be one of {MEMBER_STATUSES}, got {status!r}")
        known = {"administrator": ADMIN_RIGHTS, "restricted": RESTRICTED_PERMISSIONS}
        unknown = set(rights) - set(known.get(status, {}))
        if unknown:
            raise ValueError(f"unknown rights for {status}: {sorted(unknown)}")
        if user_id != self.bot_id:
            self._user(user_id)
        self.members.setdefault(chat_id, {})[user_id] = _Member(status, dict(rights), until_date)
        self.notify_change()

    def member_status(self, chat_id: int, user_id: int) -> str:
        member = self.members.get(chat_id, {}).get(user_id)
        return member.status if member else "left"

    # ------------------------------------------------------------------ test-facing: topics

    def user_creates_topic(
        self, chat_id: int, user: UserRef, name: str, icon_color: int = TOPIC_ICON_COLORS[0]
    ) -> JSON:
        """A person creates a topic in a forum; returns the update of the forum_topic_created
        service message, whose message_id is the topic's message_thread_id."""
        sender = self._group_sender(chat_id, user)
        if not self.chats[chat_id].get("is_forum"):
            raise ValueError(f"chat {chat_id} is not a forum (make_group(..., is_forum=True))")
        message = self._open_topic(chat_id, sender, name, icon_color, None)
        return self._enqueue("message", message)

    def user_closes_topic(self, chat_id: int, thread_id: int, user: UserRef) -> JSON:
        """A person (an admin) closes a topic; returns the forum_topic_closed update."""
        topic = self._test_topic(chat_id, thread_id)
        topic.state = "closed"
        message = self._topic_service(chat_id, topic, self._user(user), "forum_topic_closed", {})
        return self._enqueue("message", message)

    def user_reopens_topic(self, chat_id: int, thread_id: int, user: UserRef) -> JSON:
        topic = self._test_topic(chat_id, thread_id)
        topic.state = "open"
        message = self._topic_service(chat_id, topic, self._user(user), "forum_topic_reopened", {})
        return self._enqueue("message", message)

    def user_deletes_topic(self, chat_id: int, thread_id: int) -> None:
        """A person deletes a topic with its messages. Telegram sends the bot no update."""
        self._test_topic(chat_id, thread_id)
        self._remove_topic(chat_id, thread_id)
        self.notify_change()

    def _test_topic(self, chat_id: int, thread_id: int) -> _Topic:
        topic = self.forum_topics.get(chat_id, {}).get(thread_id)
        if topic is None or topic.state == "deleted":
            raise ValueError(f"no topic {thread_id} in chat {chat_id}")
        return topic

    def _open_topic(
        self, chat_id: int, creator: JSON, name: str, icon_color: int, emoji_id: str | None
    ) -> JSON:
        """Create the topic and its forum_topic_created service message (returned)."""
        thread_id = self._next_message_id.get(chat_id, 1)
        topic = _Topic(thread_id, name[:MAX_TOPIC_NAME], icon_color, creator["id"], emoji_id)
        created: JSON = {"name": topic.name, "icon_color": icon_color}
        if emoji_id:
            created["icon_custom_emoji_id"] = emoji_id
        content = {
            "message_thread_id": thread_id, "forum_topic_created": created,
            "is_topic_message": True,
        }  # fmt: skip
        message = self._new_message(chat_id, creator, content)
        self.forum_topics.setdefault(chat_id, {})[thread_id] = topic
        return message

    def _topic_service(
        self, chat_id: int, topic: _Topic, actor: JSON, key: str, payload: JSON
    ) -> JSON:
        content = {
            "message_thread_id": topic.thread_id,
            "reply_to_message": self._reply_copy(chat_id, topic.thread_id),
            "is_topic_message": True, key: payload,
        }  # fmt: skip
        return self._new_message(chat_id, actor, content)

    def _remove_topic(self, chat_id: int, thread_id: int) -> None:
        self.forum_topics[chat_id][thread_id].state = "deleted"
        messages = self.messages.get(chat_id, {})
        for message_id, message in list(messages.items()):
            if message.get("is_topic_message") and message.get("message_thread_id") == thread_id:
                del messages[message_id]

    # ------------------------------------------------------------------ test-facing: updates

    def private_text(self, user: UserRef, text: str, *, reply_to: JSON | int | None = None) -> JSON:
        """A text message from the user to the bot (commands get a bot_command entity);
        `reply_to` (a message or its id in that chat) makes it a reply."""
        sender = self._starting_user(user)
        content = self._incoming_placement(sender["id"], reply_to, None)
        content["text"] = text
        if entities := _command_entities(text):
            content["entities"] = entities
        return self._incoming(sender["id"], sender, content)

    def command(self, user: UserRef, text: str, *, chat_id: int | None = None) -> JSON:
        """A command such as "/start ref_abc" in the private chat (or in chat_id)."""
        if not text.startswith("/"):
            raise ValueError("a command starts with '/'")
        if chat_id is not None and chat_id != self._user(user)["id"]:
            return self.group_text(chat_id, user, text)
        return self.private_text(user, text)

    def group_text(
        self,
        chat_id: int,
        user: UserRef,
        text: str,
        reply_to: JSON | int | None = None,
        *,
        thread_id: int | None = None,
    ) -> JSON:
        """A text posted in a group: in topic `thread_id` of a forum (None: General, or the
        topic of the message replied to), replying to `reply_to` if given."""
        sender = self._group_sender(chat_id, user)
        content = self._incoming_placement(chat_id, reply_to, thread_id)
        content["text"] = text
        if entities := _command_entities(text):
            content["entities"] = entities
        return self._incoming(chat_id, sender, content)

    def private_photo(
        self,
        user: UserRef,
        image_bytes: bytes,
        caption: str | None = None,
        *,
        reply_to: JSON | int | None = None,
    ) -> JSON:
        sender = self._starting_user(user)
        content = self._incoming_placement(sender["id"], reply_to, None)
        content["photo"] = self._register_photo(image_bytes, strict=False)
        _with_caption(content, caption)
        return self._incoming(sender["id"], sender, content)

    def group_photo(
        self,
        chat_id: int,
        user: UserRef,
        image_bytes: bytes,
        caption: str | None = None,
        *,
        reply_to: JSON | int | None = None,
        thread_id: int | None = None,
    ) -> JSON:
        """A photo posted in a group; a caption starting with "/" is a command, as in text."""
        sender = self._group_sender(chat_id, user)
        content = self._incoming_placement(chat_id, reply_to, thread_id)
        content["photo"] = self._register_photo(image_bytes, strict=False)
        _with_caption(content, caption)
        return self._incoming(chat_id, sender, content)

    def private_document(
        self,
        user: UserRef,
        data: bytes,
        file_name: str,
        mime_type: str,
        caption: str | None = None,
        *,
        reply_to: JSON | int | None = None,
    ) -> JSON:
        sender = self._starting_user(user)
        content = self._incoming_placement(sender["id"], reply_to, None)
        content["document"] = self._register_document(data, file_name, mime_type)
        _with_caption(content, caption)
        return self._incoming(sender["id"], sender, content)

    def private_sticker(
        self, user: UserRef, emoji: str = "👍", *, reply_to: JSON | int | None = None
    ) -> JSON:
        sender = self._starting_user(user)
        content = self._incoming_placement(sender["id"], reply_to, None)
        content["sticker"] = self._new_sticker(emoji)
        return self._incoming(sender["id"], sender, content)

    def private_media(
        self,
        user: UserRef,
        kind: str,
        caption: str | None = None,
        *,
        reply_to: JSON | int | None = None,
        data: bytes | None = None,
    ) -> JSON:
        """A message of `kind` from the user: voice, video, video_note, audio, animation,
        photo, document or sticker (made-up bytes unless `data`). A caption is ignored for
        stickers and video notes, which have none on Telegram."""
        sender = self._starting_user(user)
        content = self._incoming_placement(sender["id"], reply_to, None)
        content |= self._media_content(kind, data, caption)
        return self._incoming(sender["id"], sender, content)

    def group_media(
        self,
        chat_id: int,
        user: UserRef,
        kind: str,
        caption: str | None = None,
        *,
        reply_to: JSON | int | None = None,
        thread_id: int | None = None,
        data: bytes | None = None,
    ) -> JSON:
        """Like private_media, posted in a group (optionally in forum topic `thread_id`)."""
        sender = self._group_sender(chat_id, user)
        content = self._incoming_placement(chat_id, reply_to, thread_id)
        content |= self._media_content(kind, data, caption)
        return self._incoming(chat_id, sender, content)

    def private_album(
        self,
        user: UserRef,
        items: Iterable[str | tuple[str, bytes]],
        caption: str | None = None,
        *,
        reply_to: JSON | int | None = None,
    ) -> list[JSON]:
        """An album: one update per item ("photo"/"video"/"document"/"audio", or (kind,
        bytes)), all with one media_group_id; the caption (if any) is on the first."""
        sender = self._starting_user(user)
        return self._album(sender["id"], sender, items, caption, reply_to, None)

    def group_album(
        self,
        chat_id: int,
        user: UserRef,
        items: Iterable[str | tuple[str, bytes]],
        caption: str | None = None,
        *,
        reply_to: JSON | int | None = None,
        thread_id: int | None = None,
    ) -> list[JSON]:
        """Like private_album, posted in a group (optionally in forum topic `thread_id`)."""
        sender = self._group_sender(chat_id, user)
        return self._album(chat_id, sender, items, caption, reply_to, thread_id)

    def edited(self, message: JSON, text: str) -> JSON:
        """The person edits the text (or the caption) of a message they sent earlier (a
        message or the update a builder returned): the stored message changes and the
        returned `edited_message` update carries it with `edit_date`."""
        original = message.get("message", message)
        chat_id, message_id = original["chat"]["id"], original["message_id"]
        current = self.messages.get(chat_id, {}).get(message_id)
        if current is None:
            raise ValueError(f"message {message_id} in chat {chat_id} doesn't exist (deleted?)")
        if current["from"]["id"] == self.bot_id:
            raise ValueError("a person can only edit their own messages; the bot edits via API")
        if "text" in current:
            fields: JSON = {"text": text, "entities": _command_entities(text) or None}
        elif any(kind in current for kind in CAPTIONED_KINDS):
            fields = {"caption": text, "caption_entities": _command_entities(text) or None}
        else:
            raise ValueError("this message has no text or caption to edit")
        for key, value in fields.items():
            _set_or_clear(current, key, value)
        current["edit_date"] = self._now()
        return self._enqueue("edited_message", current)

    def _group_sender(self, chat_id: int, user: UserRef) -> JSON:
        self._group(chat_id)
        sender = self._user(user)
        status = self.member_status(chat_id, sender["id"])
        if status == "kicked":
            raise ValueError(f"user {sender['id']} is banned from {chat_id} and can't post")
        if status == "left":
            self.set_member_status(chat_id, sender["id"], "member")
        return sender

    def _incoming_placement(
        self, chat_id: int, reply_to: JSON | int | None, thread_id: int | None
    ) -> JSON:
        """reply_to_message / message_thread_id / is_topic_message of a person's message.

        In a forum topic every message carries the thread id, and one that replies to nothing
        replies (for the Bot API) to the topic's forum_topic_created message. A reply in a
        plain supergroup carries the reply thread's id but no is_topic_message.
        """
        content: JSON = {}
        reply = self._reply_copy(chat_id, reply_to) if reply_to is not None else None
        if thread_id is None and reply is not None and reply.get("is_topic_message"):
            thread_id = reply["message_thread_id"]
        chat = self.chats[chat_id]
        if thread_id is not None:
            topic = self.forum_topics.get(chat_id, {}).get(thread_id)
            if not chat.get("is_forum") or topic is None or topic.state == "deleted":
                raise ValueError(f"no topic {thread_id} in chat {chat_id}")
            content["message_thread_id"] = thread_id
            content["reply_to_message"] = reply or self._reply_copy(chat_id, thread_id)
            content["is_topic_message"] = True
        elif reply is not None:
            if chat["type"] == "supergroup" and not chat.get("is_forum"):
                content["message_thread_id"] = reply.get("message_thread_id", reply["message_id"])
            content["reply_to_message"] = reply
        return content

    def _media_content(self, kind: str, data: bytes | None, caption: str | None) -> JSON:
        if kind == "photo":
            content: JSON = {"photo": self._register_photo(data or b"fake-photo", strict=False)}
        elif kind == "document":
            blob = data or b"%PDF-1.4 fake document"
            content = {"document": self._register_document(blob, "file.pdf", "application/pdf")}
        elif kind == "sticker":
            content = {"sticker": self._new_sticker("👍")}
        elif kind in MEDIA_KINDS:
            media = self._register_media(kind, data or f"fake {kind}".encode())
            content = {kind: media}
            if kind == "animation":  # Telegram sets document too, for old clients
                content["document"] = _animation_document(media)
        else:
            raise ValueError(f"unknown kind {kind!r}")
        if kind in CAPTIONED_KINDS:
            _with_caption(content, caption)
        return content

    def _album(
        self,
        chat_id: int,
        sender: JSON,
        items: Iterable[str | tuple[str, bytes]],
        caption: str | None,
        reply_to: JSON | int | None,
        thread_id: int | None,
    ) -> list[JSON]:
        parts = [(item, None) if isinstance(item, str) else item for item in items]
        if not 2 <= len(parts) <= 10:
            raise ValueError("an album has 2-10 items")
        if any(kind not in ALBUM_KINDS for kind, _ in parts):
            raise ValueError(f"album items are {ALBUM_KINDS}")
        group_id = str(next(self._media_groups))
        updates = []
        for index, (kind, data) in enumerate(parts):
            content = self._incoming_placement(chat_id, reply_to, thread_id)
            content["media_group_id"] = group_id
            content |= self._media_content(kind, data, caption if index == 0 else None)
            updates.append(self._incoming(chat_id, sender, content))
        return updates

    def _new_sticker(self, emoji: str, data: bytes | None = None) -> JSON:
        blob = data or b"RIFF\x00\x00\x00\x00WEBPVP8 fake-sticker"
        stored = self._store_file(blob, "sticker", "webp")
        stored.meta = {
            "type": "regular", "width": 512, "height": 512, "is_animated": False,
            "is_video": False, "emoji": emoji, "set_name": "TestStickers",
        }  # fmt: skip
        return self._document_obj(stored)

    def press(
        self, user: UserRef, message: JSON, callback_data: str, *, strict: bool = True
    ) -> JSON:
        """The user taps an inline button on a message the bot sent (its current state).

        strict=False forges a tap with data no button carries (clients can do that).
        """
        presser = self._user(user)
        chat_id, message_id = message["chat"]["id"], message["message_id"]
        current = self.messages.get(chat_id, {}).get(message_id)
        if current is None:
            raise ValueError(f"message {message_id} in chat {chat_id} doesn't exist (deleted?)")
        if strict and callback_data not in [data for _, data in self.buttons(current)]:
            raise ValueError(
                f"no button with callback_data {callback_data!r} on message {message_id}; "
                f"buttons: {self.buttons(current)} (strict=False to forge one)"
            )
        query_id = str(next(self._query_ids))
        self._pending_queries.add(query_id)
        query = {
            "id": query_id, "from": presser, "message": current,
            "chat_instance": self._chat_instance(chat_id), "data": callback_data,
        }  # fmt: skip
        return self._enqueue("callback_query", query)

    def join_request(
        self, chat_id: int, user: UserRef, invite_link: str | JSON | None = None
    ) -> JSON:
        """The user asks to join (through a link made with creates_join_request, or none)."""
        chat = self._group(chat_id)
        requester = self._user(user)
        link = self._link_for(chat_id, invite_link) if invite_link else None
        request: JSON = {
            "chat": self._chat_ref(chat["id"]), "from": requester,
            "user_chat_id": requester["id"], "date": self._now(),
        }  # fmt: skip
        if link is not None:
            request["invite_link"] = self._link_obj(link)
        self.join_requests[(chat_id, requester["id"])] = request
        self._started.add(requester["id"])  # Telegram lets the bot write to a requester
        return self._enqueue("chat_join_request", request)

    def join_via_link(self, user: UserRef, invite_link: str | JSON) -> JSON:
        """The user opens an invite link; returns the resulting update (a join request for
        approval links, else a chat_member update). ValueError when the app would refuse."""
        url = invite_link if isinstance(invite_link, str) else invite_link["invite_link"]
        link = self.invite_links.get(url)
        if link is None:
            raise ValueError(f"unknown invite link {url}")
        joiner = self._user(user)
        self._check_link_usable(link, joiner["id"])
        if link.obj["creates_join_request"]:
            return self.join_request(link.chat_id, joiner, url)
        link.joined.add(joiner["id"])
        return self._member_change(link.chat_id, joiner, "member", joiner, link=link)

    def chat_member_update(
        self,
        chat_id: int,
        user: UserRef,
        old_status: str,
        new_status: str,
        *,
        from_user: UserRef | None = None,
        invite_link: str | None = None,
    ) -> JSON:
        """A chat_member update (and the status change behind it)."""
        self._group(chat_id)
        member = self._user(user)
        self.set_member_status(chat_id, member["id"], old_status)
        link = self._link_for(chat_id, invite_link) if invite_link else None
        actor = self._user(from_user) if from_user is not None else member
        return self._member_change(chat_id, member, new_status, actor, link=link)

    # ------------------------------------------------------------------ test-facing: queries

    def sent_to(self, chat_id: int) -> list[JSON]:
        """Messages the bot sent to chat_id that still exist, in their current (edited) state."""
        current = self.messages.get(chat_id, {})
        ids = self._sent_ids.get(chat_id, [])
        return [copy.deepcopy(current[i]) for i in ids if i in current]

    def last_sent(self, chat_id: int) -> JSON | None:
        sent = self.sent_to(chat_id)
        return sent[-1] if sent else None

    def sent_log(self, chat_id: int | None = None) -> list[JSON]:
        """Every message the bot really delivered (to chat_id, or anywhere), in order and as
        it was sent, deleted ones included. Failed, refused and injected calls never appear:
        count here to check that something was sent exactly once."""
        log = self._sent_log if chat_id is None else self._sent_log_by_chat.get(chat_id, [])
        return copy.deepcopy(log)

    def count_sent(self, chat_id: int | None, contains: str = "") -> int:
        """How many delivered messages to chat_id (None: anywhere) have `contains` in their
        text or caption (all of them by default). Cheap enough for wait_for predicates."""
        log = self._sent_log if chat_id is None else self._sent_log_by_chat.get(chat_id, [])
        return sum(1 for m in log if contains in (m.get("text") or m.get("caption") or ""))

    def find_sent(self, chat_id: int, contains: str) -> JSON | None:
        """The latest message the bot sent to chat_id that still exists and has `contains` in
        its current text or caption (a copy), else None."""
        current = self.messages.get(chat_id, {})
        for message_id in reversed(self._sent_ids.get(chat_id, [])):
            message = current.get(message_id)
            if message and contains in (message.get("text") or message.get("caption") or ""):
                return copy.deepcopy(message)
        return None

    def find_button(self, chat_id: int, label: str) -> tuple[JSON, str] | None:
        """(message, callback_data or url) of the latest message the bot sent to chat_id
        with a button whose label contains `label`, else None."""
        current = self.messages.get(chat_id, {})
        for message_id in reversed(self._sent_ids.get(chat_id, [])):
            message = current.get(message_id)
            if message is None:
                continue
            for text, data in self.buttons(message):
                if label in text and data:
                    return copy.deepcopy(message), data
        return None

    def topics(self, chat_id: int) -> list[JSON]:
        """Every topic ever made in the forum chat_id: ForumTopic fields plus "state"
        ("open", "closed" or "deleted"), oldest first."""
        topics = self.forum_topics.get(chat_id, {}).values()
        return [topic.obj() | {"state": topic.state} for topic in topics]

    def sent_in_topic(self, chat_id: int, thread_id: int) -> list[JSON]:
        """Messages the bot sent into topic thread_id that still exist (current state)."""
        return [
            m
            for m in self.sent_to(chat_id)
            if m.get("is_topic_message") and m.get("message_thread_id") == thread_id
        ]

    def reactions_on(self, chat_id: int, message_id: int) -> list[str]:
        """The emoji the bot's last setMessageReaction left on a message ([] if none)."""
        reactions = self.reactions.get((chat_id, message_id), [])
        return [r.get("emoji") or r.get("custom_emoji_id") or r["type"] for r in reactions]

    def rate_limited(self) -> list[Call]:
        """Calls refused by the flood limits (not by injected faults)."""
        return [c for c in self.calls if c.fault is None and (c.error or "").startswith("429 ")]

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def buttons(self, message: JSON) -> list[tuple[str, str | None]]:
        """(text, callback_data or url) of every button, row by row. Reply keyboards, which
        Telegram does not echo in the message, are found from what the bot sent."""
        markup = message.get("reply_markup")
        if markup is None:
            key = (message["chat"]["id"], message["message_id"])
            markup = self._markups.get(key)
        rows = (markup or {}).get("inline_keyboard") or (markup or {}).get("keyboard") or []
        flat: list[tuple[str, str | None]] = []
        for row in rows:
            for button in row:
                if isinstance(button, str):
                    flat.append((button, None))
                else:
                    flat.append((button["text"], button.get("callback_data") or button.get("url")))
        return flat

    def reply_keyboard(self, chat_id: int) -> JSON | None:
        """The reply keyboard the user of chat_id currently sees (None if removed)."""
        return copy.deepcopy(self._reply_keyboards.get(chat_id))

    def file_bytes(self, file_id: str) -> bytes:
        return self.files[file_id].data

    def file_by_path(self, file_path: str) -> bytes | None:
        stored = self._files_by_path.get(file_path)
        return stored.data if stored else None

    def links_of(self, chat_id: int) -> list[JSON]:
        links = self.invite_links.values()
        return [self._link_obj(link) for link in links if link.chat_id == chat_id]

    @property
    def pending_updates(self) -> list[JSON]:
        return copy.deepcopy(self.updates)

    # ------------------------------------------------------------------ update queue

    def _enqueue(self, kind: str, payload: JSON) -> JSON:
        update = {"update_id": next(self._update_ids), kind: copy.deepcopy(payload)}
        self.updates.append(update)
        self.notify_change()
        return copy.deepcopy(update)

    def take_update(self, update_id: int) -> None:
        """Mark one update delivered (a test fed it to the Dispatcher directly)."""
        self.updates = [u for u in self.updates if u["update_id"] != update_id]
        self.notify_change()

    def _allowed(self, update: JSON) -> bool:
        (kind,) = update_kinds([update])
        if self._allowed_updates is None:
            return kind not in NOT_DEFAULT_UPDATES
        return kind in self._allowed_updates

    def _drop_disallowed(self) -> None:
        # Telegram never delivers updates of types the bot did not ask for.
        kept = [u for u in self.updates if self._allowed(u)]
        if len(kept) != len(self.updates):
            self.dropped_updates.extend(u for u in self.updates if not self._allowed(u))
            self.updates = kept

    def _has_deliverable(self) -> bool:
        self._drop_disallowed()
        return bool(self.updates)

    def _batch(self, limit: int) -> list[JSON]:
        if self.webhook is not None:
            return []
        self._drop_disallowed()
        return self.updates[:limit]

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            self.updates = self.updates[offset:]  # -N keeps only the last N
        else:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

    def next_webhook_update(self) -> JSON | None:
        """The oldest update a webhook should receive now (front-end use)."""
        if self.webhook is None or not self._has_deliverable():
            return None
        return copy.deepcopy(self.updates[0])

    def note_webhook_error(self, message: str) -> None:
        self._webhook_error = (self._now(), message)
        self.notify_change()

    # ------------------------------------------------------------------ internals: lookups

    def _now(self) -> int:
        return int(self.clock())

    def _user(self, ref: UserRef) -> JSON:
        if isinstance(ref, Mapping):
            if ref["id"] not in self.users:
                self.user(ref["id"], ref.get("first_name"), ref.get("username"))
            return copy.deepcopy(self.users[ref["id"]])
        if ref == self.bot_id:
            return copy.deepcopy(self.bot_user)
        if ref not in self.users:
            self.user(ref)
        return copy.deepcopy(self.users[ref])

    def _starting_user(self, ref: UserRef) -> JSON:
        user = self._user(ref)
        self._started.add(user["id"])  # writing to the bot opens the private chat
        return user

    def _group(self, chat_id: int) -> JSON:
        chat = self.chats.get(chat_id)
        if chat is None or chat["type"] == "private":
            raise ValueError(f"no group {chat_id}; create it with make_group()")
        return chat

    def _chat_ref(self, chat_id: int) -> JSON:
        return copy.deepcopy(self.chats[chat_id])

    def _chat_instance(self, chat_id: int) -> str:
        digest = hashlib.sha256(f"{self.bot_id}:{chat_id}".encode()).digest()
        return str(int.from_bytes(digest[:8], "big", signed=True))

    def _reply_copy(self, chat_id: int, reply_to: JSON | int) -> JSON:
        message_id = reply_to if isinstance(reply_to, int) else reply_to["message_id"]
        original = self.messages.get(chat_id, {}).get(message_id)
        if original is None:
            raise ValueError(f"no message {message_id} in chat {chat_id} to reply to")
        reply = copy.deepcopy(original)
        reply.pop("reply_to_message", None)  # Telegram nests only one level
        return reply

    # ------------------------------------------------------------------ internals: messages

    def _new_message(self, chat_id: int, sender: JSON, content: JSON) -> JSON:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        message = {
            "message_id": message_id, "from": copy.deepcopy(sender),
            "chat": self._chat_ref(chat_id), "date": self._now(), **content,
        }  # fmt: skip
        self.messages.setdefault(chat_id, {})[message_id] = message
        return message

    def _incoming(self, chat_id: int, sender: JSON, content: JSON) -> JSON:
        return self._enqueue("message", self._new_message(chat_id, sender, content))

    def _bot_message(
        self, chat_id: int, content: JSON, markup: JSON | None, *, note: bool = True
    ) -> JSON:
        if markup is not None and "inline_keyboard" in markup:
            content["reply_markup"] = markup  # Telegram echoes inline keyboards only
        message = self._new_message(chat_id, self.bot_user, content)
        self._sent_ids.setdefault(chat_id, []).append(message["message_id"])
        if markup is not None:
            self._markups[(chat_id, message["message_id"])] = markup
            self._track_reply_keyboard(chat_id, markup)
        if note:
            self._note_send(chat_id)
        snapshot = copy.deepcopy(message)
        self._sent_log.append(snapshot)
        self._sent_log_by_chat.setdefault(chat_id, []).append(snapshot)
        return message

    def _track_reply_keyboard(self, chat_id: int, markup: JSON) -> None:
        if "keyboard" in markup:
            self._reply_keyboards[chat_id] = markup
        elif markup.get("remove_keyboard"):
            self._reply_keyboards.pop(chat_id, None)

    def _message(self, chat_id: int, message_id: int | None, missing: str) -> JSON:
        message = self.messages.get(chat_id, {}).get(message_id or 0)
        if message is None:
            raise bad_request(missing)
        return message

    def _edit_target(self, p: JSON) -> tuple[int, JSON]:
        if p.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")  # inline messages: not modelled
        chat_id = self._writable_chat(p)
        message = self._message(chat_id, _int(p, "message_id"), "message to edit not found")
        if message["from"]["id"] != self.bot_id:
            raise bad_request("message can't be edited")
        return chat_id, message

    def _formatted(
        self, p: JSON, key: str, entities_key: str, limit: int, too_long: str
    ) -> tuple[str | None, list[JSON] | None]:
        raw = p.get(key)
        if raw is None:
            return None, None
        text, entities = str(raw), p.get(entities_key)
        if str(p.get("parse_mode") or "").lower() == "html":
            try:
                text, entities = parse_html(text)
            except HtmlParseError as error:
                raise bad_request(f"can't parse entities: {error}") from None
        if len(text) > limit:
            raise bad_request(too_long)
        return text, entities or None

    def _text(self, p: JSON) -> tuple[str, list[JSON] | None]:
        text, entities = self._formatted(p, "text", "entities", MAX_TEXT, "message is too long")
        if text is None or not text.strip():
            raise bad_request("message text is empty")
        return text, entities

    def _caption(self, p: JSON) -> tuple[str | None, list[JSON] | None]:
        return self._formatted(
            p, "caption", "caption_entities", MAX_CAPTION, "message caption is too long"
        )

    def _reply_markup(self, p: JSON) -> JSON | None:
        markup = p.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                _check_inline_button(button)
        return markup

    def _reply_to(self, p: JSON, chat_id: int) -> JSON:
        params = p.get("reply_parameters") or {}
        message_id = params.get("message_id") or _int(p, "reply_to_message_id")
        if not message_id:
            return {}
        source_chat = params.get("chat_id", chat_id)
        if message_id in self.messages.get(source_chat, {}):
            return {"reply_to_message": self._reply_copy(source_chat, message_id)}
        if params.get("allow_sending_without_reply") or p.get("allow_sending_without_reply"):
            return {}
        raise bad_request("message to be replied not found")

    def _placement(self, p: JSON, chat_id: int) -> JSON:
        """reply_to_message, message_thread_id, is_topic_message and has_protected_content of
        a message the bot sends, or Telegram's error for a missing or closed topic.

        In a forum, a message without message_thread_id goes to General (or to the topic of
        the message it replies to); one in a topic replies to the topic's service message
        unless it replies to something else.
        """
        content = self._reply_to(p, chat_id)
        reply = content.get("reply_to_message")
        thread_id = _int(p, "message_thread_id")
        chat = self.chats[chat_id]
        if chat.get("is_forum"):
            if thread_id is None and reply is not None and reply.get("is_topic_message"):
                thread_id = reply["message_thread_id"]
            if thread_id is not None:
                topic = self.forum_topics[chat_id].get(thread_id)
                if topic is None or topic.state == "deleted":
                    raise bad_request("message thread not found")
                if topic.state == "closed" and not self._bot_can(chat_id, "can_manage_topics"):
                    raise bad_request("TOPIC_CLOSED")  # admins who manage topics still post
                content["message_thread_id"] = thread_id
                content.setdefault("reply_to_message", self._reply_copy(chat_id, thread_id))
                content["is_topic_message"] = True
        elif thread_id is not None:
            if chat["type"] != "supergroup" or thread_id not in self.messages.get(chat_id, {}):
                raise bad_request("message thread not found")
            content["message_thread_id"] = thread_id  # a reply thread of a plain supergroup
        if p.get("protect_content"):
            content["has_protected_content"] = True
        return content

    def _with_text(
        self, content: JSON, key: str, text: str | None, ents: list[JSON] | None
    ) -> None:
        if text is not None:
            content[key] = text
        if ents:
            content["entities" if key == "text" else "caption_entities"] = ents

    # ------------------------------------------------------------------ internals: chats/rights

    def _chat_id(self, p: JSON, key: str = "chat_id") -> int:
        raw = p.get(key)
        if raw is None or raw == "":
            raise bad_request(f"{key} is empty")
        if isinstance(raw, str) and raw.startswith("@"):
            for chat in self.chats.values():
                if chat.get("username", "").lower() == raw[1:].lower():
                    return int(chat["id"])
            raise bad_request("chat not found")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
        if chat_id not in self.chats:
            raise bad_request("chat not found")
        return chat_id

    def _writable_chat(self, p: JSON, key: str = "chat_id") -> int:
        """chat_id of a chat the bot may post in, else Telegram's 403."""
        chat_id = self._chat_id(p, key)
        chat = self.chats[chat_id]
        if chat["type"] == "private":
            if chat_id in self.blocked:
                raise FakeApiError(403, "Forbidden: bot was blocked by the user")
            if chat_id not in self._started:
                raise FakeApiError(403, "Forbidden: bot can't initiate conversation with a user")
            return chat_id
        status = self.member_status(chat_id, self.bot_id)
        if status == "kicked":
            raise FakeApiError(403, f"Forbidden: bot was kicked from the {chat['type']} chat")
        if status == "left":
            raise FakeApiError(403, f"Forbidden: bot is not a member of the {chat['type']} chat")
        return chat_id

    def _scopes(self, chat_id: int) -> list[tuple[int | None, int, float]]:
        """(key, messages, window) of every flood limit a message to chat_id counts against."""
        limits = self.limits
        if self.chats[chat_id]["type"] == "private":
            per_chat = (chat_id, limits.private_messages, limits.private_window)
        else:
            per_chat = (chat_id, limits.group_messages, limits.group_window)
        return [(None, limits.total_messages, limits.total_window), per_chat]

    def _check_flood(self, chat_id: int) -> None:
        """429 when one more message to chat_id would break a limit in `self.limits`."""
        if not self.rate_limits:
            return
        now = self.clock()
        retry_after = 0
        for key, messages, window in self._scopes(chat_id):
            sends = self._sends.setdefault(key, deque())
            while sends and sends[0] <= now - window:
                sends.popleft()
            if len(sends) >= messages:
                # Free again once the oldest send in the window leaves it.
                wait = max(1, math.ceil(sends[-messages] + window - now))
                retry_after = max(retry_after, wait)
        if retry_after:
            raise FakeApiError(
                429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
            )

    def _note_send(self, chat_id: int) -> None:
        if self.rate_limits:
            now = self.clock()
            for key, _, _ in self._scopes(chat_id):
                self._sends.setdefault(key, deque()).append(now)

    def _bot_can(self, chat_id: int, right: str) -> bool:
        member = self.members.get(chat_id, {}).get(self.bot_id)
        if member is None:
            return False
        if member.status == "creator":
            return True
        return member.status == "administrator" and member.rights.get(right, ADMIN_RIGHTS[right])

    def _member_obj(self, user: JSON, member: _Member) -> JSON:
        obj: JSON = {"user": copy.deepcopy(user), "status": member.status}
        if member.status == "creator":
            obj["is_anonymous"] = False
        elif member.status == "administrator":
            obj |= {"can_be_edited": False, "is_anonymous": False}
            obj |= {**ADMIN_RIGHTS, **member.rights}
        elif member.status == "restricted":
            obj |= {**RESTRICTED_PERMISSIONS, **member.rights, "until_date": member.until_date}
        elif member.status == "kicked":
            obj["until_date"] = member.until_date
        return obj

    def _member_change(
        self,
        chat_id: int,
        user: JSON,
        new_status: str,
        actor: JSON,
        *,
        link: _InviteLink | None = None,
        until_date: int = 0,
        via_join_request: bool = False,
    ) -> JSON:
        """Change a status and emit the chat_member update Telegram sends for it."""
        members = self.members.setdefault(chat_id, {})
        old = members.get(user["id"], _Member("left"))
        rights = dict(old.rights) if new_status == old.status else {}
        new = _Member(new_status, rights, until_date)
        members[user["id"]] = new
        update: JSON = {
            "chat": self._chat_ref(chat_id), "from": actor, "date": self._now(),
            "old_chat_member": self._member_obj(user, old),
            "new_chat_member": self._member_obj(user, new),
        }  # fmt: skip
        if link is not None:
            update["invite_link"] = self._link_obj(link)
        if via_join_request:
            update["via_join_request"] = True
        return self._enqueue("chat_member", update)

    # ------------------------------------------------------------------ internals: links

    def _link_for(self, chat_id: int, ref: str | JSON) -> _InviteLink:
        url = ref if isinstance(ref, str) else ref["invite_link"]
        link = self.invite_links.get(url)
        if link is None or link.chat_id != chat_id:
            raise ValueError(f"invite link {url} was not created for chat {chat_id}")
        return link

    def _link_obj(self, link: _InviteLink) -> JSON:
        obj = copy.deepcopy(link.obj)
        url = obj["invite_link"]
        pending = sum(
            1
            for (chat_id, _), request in self.join_requests.items()
            if chat_id == link.chat_id and request.get("invite_link", {}).get("invite_link") == url
        )
        if pending:
            obj["pending_join_request_count"] = pending
        if count := self._link_member_count(link):
            obj["member_count"] = count
        return obj

    def _link_member_count(self, link: _InviteLink) -> int:
        # A member limit counts those who joined through the link and are still in the chat.
        joined = (self.member_status(link.chat_id, uid) for uid in link.joined)
        return sum(1 for status in joined if status in ("member", "restricted", "administrator"))

    def _check_link_usable(self, link: _InviteLink, user_id: int) -> None:
        status = self.member_status(link.chat_id, user_id)
        if status in ("member", "restricted", "administrator", "creator"):
            raise ValueError("already a member")
        if status == "kicked":
            raise ValueError("banned users can't join")
        if link.obj["is_revoked"]:
            raise ValueError("link revoked")
        expire = link.obj.get("expire_date")
        if expire and expire <= self._now():
            raise ValueError("link expired")
        limit = link.obj.get("member_limit")
        if limit and self._link_member_count(link) >= limit:
            raise ValueError("link member limit reached")

    def _apply_link_settings(self, chat_id: int, p: JSON, link: JSON) -> None:
        """Validate and apply a create/edit of a link, refusing in the order Telegram checks."""
        name = p.get("name")
        if name is not None and len(str(name)) > 32:
            raise bad_request("invite link name is too long")
        wants_request = bool(p.get("creates_join_request", link["creates_join_request"]))
        limit = _int(p, "member_limit")
        if wants_request and (link.get("member_limit") if limit is None else limit):
            raise bad_request(
                "member limit can't be specified for links requiring administrator approval"
            )
        self._writable_chat(p)
        if not self._bot_can(chat_id, "can_invite_users"):
            raise bad_request("not enough rights to manage chat invite link")
        expire = _int(p, "expire_date")
        if expire and expire <= self._now():
            raise bad_request("EXPIRE_DATE_INVALID")
        if limit and not 1 <= limit <= 99_999:
            raise bad_request("USAGE_LIMIT_INVALID")
        if name is not None:
            _set_or_clear(link, "name", str(name))
        if expire is not None:
            _set_or_clear(link, "expire_date", expire or None)  # 0 means "never"
        if limit is not None:
            _set_or_clear(link, "member_limit", limit or None)  # 0 means "no limit"
        link["creates_join_request"] = wants_request

    # ------------------------------------------------------------------ internals: files

    def _store_file(self, data: bytes, kind: str, ext: str, variant: str = "") -> StoredFile:
        number = next(self._file_counter)
        prefix = {"photo": "AgACAgIAAxk", "document": "BQACAgIAAxk", "sticker": "CAACAgIAAxk"}
        prefix |= {name: spec[0] for name, spec in MEDIA_KINDS.items()}
        digest = hashlib.sha256(kind.encode() + variant.encode() + data).digest()
        unique = "AQAD" + _b64(digest[:12])  # same bytes -> same file_unique_id, as on Telegram
        file_id = prefix[kind] + _b64(hashlib.sha256(f"{number}:{unique}".encode()).digest())
        folders = {"photo": "photos", "document": "documents", "sticker": "stickers"}
        folder = (folders | {name: spec[1] for name, spec in MEDIA_KINDS.items()})[kind]
        path = f"{folder}/file_{number}.{ext}"
        stored = StoredFile(file_id, unique, data, path, kind)
        self.files[file_id] = stored
        self._files_by_path[path] = stored
        return stored

    def _register_photo(self, data: bytes, *, strict: bool) -> list[JSON]:
        if not data:
            raise bad_request("file must be non-empty")
        sizes: list[JSON] = []
        for width, height, variant in photo_variants(data, strict=strict):
            stored = self._store_file(variant, "photo", "jpg", f"{width}x{height}")
            sizes.append({
                "file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "file_size": len(variant), "width": width, "height": height,
            })  # fmt: skip
        for size in sizes:
            self._photo_sets[size["file_id"]] = sizes
        return copy.deepcopy(sizes)

    def _register_document(self, data: bytes, file_name: str, mime_type: str | None) -> JSON:
        if not data:
            raise bad_request("file must be non-empty")
        ext = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        stored = self._store_file(data, "document", ext)
        stored.meta = {"file_name": file_name}
        if mime_type:
            stored.meta["mime_type"] = mime_type
        return self._document_obj(stored)

    def _register_media(self, kind: str, data: bytes, **meta: Any) -> JSON:
        """A voice / video / video_note / audio / animation file with Telegram's fields."""
        if not data:
            raise bad_request("file must be non-empty")
        _, _, ext, defaults = MEDIA_KINDS[kind]
        stored = self._store_file(data, kind, ext)
        stored.meta = {**defaults, **meta}
        return self._document_obj(stored)

    def _document_obj(self, stored: StoredFile) -> JSON:
        return stored.meta | {
            "file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }  # fmt: skip

    def _photo_param(self, value: Any) -> list[JSON]:
        if isinstance(value, Upload):
            _check_upload_size(value)
            return self._register_photo(value.data, strict=True)
        if isinstance(value, str) and value in self._photo_sets:
            return copy.deepcopy(self._photo_sets[value])
        if isinstance(value, str) and value in self.files:
            kind = self.files[value].kind.capitalize()
            raise bad_request(f"can't use file of type {kind} as Photo")
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            # Telegram would fetch the URL; the fake can't, so it stands in a placeholder.
            return self._register_photo(value.encode(), strict=False)
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _document_param(self, value: Any) -> JSON:
        if isinstance(value, Upload):
            _check_upload_size(value)
            name = value.filename or "document"
            mime = value.content_type
            if not mime or mime == "application/octet-stream":
                mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return self._register_document(value.data, name, mime)
        stored = self.files.get(value) if isinstance(value, str) else None
        if stored is not None and stored.kind == "document":
            return self._document_obj(stored)
        if stored is not None:
            raise bad_request(f"can't use file of type {stored.kind.capitalize()} as Document")
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return self._register_document(value.encode(), value.rsplit("/", 1)[-1], None)
        raise bad_request("wrong file identifier/HTTP URL specified")

    # ------------------------------------------------------------------ Bot API methods

    def _method_table(self) -> dict[str, Callable[[JSON], Any]]:
        return {
            "getMe": self._get_me, "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook, "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info, "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands, "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message, "sendPhoto": self._send_photo,
            "sendDocument": self._send_document, "copyMessage": self._copy_message,
            "forwardMessage": self._forward_message, "editMessageText": self._edit_text,
            "editMessageCaption": self._edit_caption,
            "editMessageReplyMarkup": self._edit_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query, "getFile": self._get_file,
            "getChat": self._get_chat, "getChatMember": self._get_chat_member,
            "getChatAdministrators": self._get_chat_administrators,
            "getChatMemberCount": self._get_chat_member_count,
            "createChatInviteLink": self._create_invite_link,
            "revokeChatInviteLink": self._revoke_invite_link,
            "editChatInviteLink": self._edit_invite_link,
            "approveChatJoinRequest": self._approve_join_request,
            "declineChatJoinRequest": self._decline_join_request,
            "banChatMember": self._ban_chat_member, "unbanChatMember": self._unban_chat_member,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "sendChatAction": self._send_chat_action,
            "copyMessages": self._copy_messages, "sendMediaGroup": self._send_media_group,
            "sendVideo": self._file_sender("video"), "sendVoice": self._file_sender("voice"),
            "sendAudio": self._file_sender("audio"),
            "sendAnimation": self._file_sender("animation"),
            "sendVideoNote": self._file_sender("video_note"),
            "sendSticker": self._file_sender("sticker"),
            "setMessageReaction": self._set_message_reaction,
            "createForumTopic": self._create_forum_topic,
            "editForumTopic": self._edit_forum_topic,
            "closeForumTopic": self._close_forum_topic,
            "reopenForumTopic": self._reopen_forum_topic,
            "deleteForumTopic": self._delete_forum_topic,
            "close": _returns_true, "logOut": _returns_true,
        }  # fmt: skip

    # --- bot and updates

    def _get_me(self, p: JSON) -> JSON:
        return self.bot_user | {
            "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False, "can_connect_to_business": False,
            "has_main_web_app": False,
        }  # fmt: skip

    def _get_updates(self, p: JSON) -> list[JSON]:
        if self.webhook is not None:
            raise FakeApiError(409, WEBHOOK_CONFLICT)
        self._poll_generation += 1
        self._set_allowed(p.get("allowed_updates"))
        if offset := _int(p, "offset"):
            self._confirm(offset)
        return self._batch(_limit(p))

    def _set_allowed(self, allowed: Any) -> None:
        if allowed is None:
            return  # the previous setting stays, as on Telegram
        self._allowed_updates = frozenset(allowed) if allowed else None

    def _set_webhook(self, p: JSON) -> bool:
        url = str(p.get("url") or "")
        if not url:
            return self._delete_webhook(p)
        if not url.startswith(("https://", "http://")):
            # Telegram demands https; the fake also takes http since receivers run on loopback.
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.get("secret_token")
        if secret is not None and not _SECRET_RE.match(str(secret)):
            raise bad_request("secret token contains unallowed characters")
        self._set_allowed(p.get("allowed_updates"))
        if p.get("drop_pending_updates"):
            self.updates.clear()
        self.webhook = {
            "url": url, "secret_token": secret, "allowed_updates": p.get("allowed_updates"),
            "max_connections": _int(p, "max_connections") or 40,
        }  # fmt: skip
        self.webhook_version += 1
        self._webhook_error = None
        return True

    def _delete_webhook(self, p: JSON) -> bool:
        if p.get("drop_pending_updates"):
            self.updates.clear()
        self.webhook = None
        self.webhook_version += 1
        return True

    def _get_webhook_info(self, p: JSON) -> JSON:
        self._drop_disallowed()
        info: JSON = {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }
        if self.webhook is not None:
            info["max_connections"] = self.webhook["max_connections"]
            info["ip_address"] = "127.0.0.1"
            if self._allowed_updates is not None:
                info["allowed_updates"] = sorted(self._allowed_updates)
        if self._webhook_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info

    # --- commands and menu

    def _commands_key(self, p: JSON) -> tuple[str, str]:
        scope = p.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(p.get("language_code") or "")

    def _set_my_commands(self, p: JSON) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise bad_request("commands is empty")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        for command in commands:
            if not _COMMAND_RE.match(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(p)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _get_my_commands(self, p: JSON) -> list[JSON]:
        return self.commands.get(self._commands_key(p), [])

    def _delete_my_commands(self, p: JSON) -> bool:
        self.commands.pop(self._commands_key(p), None)
        return True

    def _set_chat_menu_button(self, p: JSON) -> bool:
        chat_id = self._chat_id(p) if p.get("chat_id") is not None else None
        self.menu_buttons[chat_id] = p.get("menu_button") or {"type": "default"}
        return True

    def _get_chat_menu_button(self, p: JSON) -> JSON:
        chat_id = self._chat_id(p) if p.get("chat_id") is not None else None
        return self.menu_buttons.get(chat_id) or self.menu_buttons.get(None) or {"type": "commands"}

    # --- sending

    def _send_message(self, p: JSON) -> JSON:
        chat_id = self._writable_chat(p)
        text, entities = self._text(p)
        markup = self._reply_markup(p)
        self._check_flood(chat_id)
        content = self._placement(p, chat_id)
        self._with_text(content, "text", text, entities)
        return self._bot_message(chat_id, content, markup)

    def _send_photo(self, p: JSON) -> JSON:
        chat_id = self._writable_chat(p)
        caption, entities = self._caption(p)
        markup = self._reply_markup(p)
        self._check_flood(chat_id)
        content = self._placement(p, chat_id)
        content["photo"] = self._photo_param(p.get("photo"))
        self._with_text(content, "caption", caption, entities)
        return self._bot_message(chat_id, content, markup)

    def _send_document(self, p: JSON) -> JSON:
        chat_id = self._writable_chat(p)
        caption, entities = self._caption(p)
        markup = self._reply_markup(p)
        self._check_flood(chat_id)
        content = self._placement(p, chat_id)
        content["document"] = self._document_param(p.get("document"))
        self._with_text(content, "caption", caption, entities)
        return self._bot_message(chat_id, content, markup)

    def _source_message(self, p: JSON, missing: str) -> JSON:
        from_chat = self._chat_id(p, "from_chat_id")
        return self._message(from_chat, _int(p, "message_id"), missing)

    def _copied_content(self, source: JSON, p: JSON) -> JSON:
        """The content a copy carries; `caption` replaces the caption of captioned kinds and
        is ignored for text, stickers and video notes, as Telegram does."""
        content = _content_of(source)
        if p.get("caption") is not None and any(k in content for k in CAPTIONED_KINDS):
            content.pop("caption", None)
            content.pop("caption_entities", None)
            caption, entities = self._caption(p)
            self._with_text(content, "caption", caption, entities)
        return content

    def _copy_message(self, p: JSON) -> JSON:
        chat_id = self._writable_chat(p)
        source = self._source_message(p, "message to copy not found")
        if _is_service(source):
            raise bad_request("message can't be copied")
        content = self._placement(p, chat_id)
        content |= self._copied_content(source, p)
        self._check_flood(chat_id)
        message = self._bot_message(chat_id, content, self._reply_markup(p))
        return {"message_id": message["message_id"]}

    def _copy_messages(self, p: JSON) -> list[JSON]:
        """Copies of the messages that exist (missing ones are skipped, as on Telegram); an
        album stays one album under a new media_group_id. Counts as one send for flood."""
        chat_id = self._writable_chat(p)
        from_chat = self._chat_id(p, "from_chat_id")
        ids = p.get("message_ids")
        if not isinstance(ids, list) or not ids:
            raise bad_request("message_ids is empty")
        if len(ids) > 100:
            raise bad_request("too many messages to copy")
        if any(not isinstance(i, int) for i in ids) or ids != sorted(set(ids)):
            raise bad_request("message identifiers must be in strictly increasing order")
        existing = self.messages.get(from_chat, {})
        sources = [existing[i] for i in ids if i in existing and not _is_service(existing[i])]
        if not sources:
            raise bad_request("there are no messages to copy")
        placement = self._placement(p, chat_id)
        self._check_flood(chat_id)
        albums: dict[str, str] = {}
        copied = []
        for source in sources:
            content = copy.deepcopy(placement) | _content_of(source)
            if p.get("remove_caption"):
                content.pop("caption", None)
                content.pop("caption_entities", None)
            if group := source.get("media_group_id"):
                content["media_group_id"] = albums.setdefault(group, str(next(self._media_groups)))
            message = self._bot_message(chat_id, content, None, note=False)
            copied.append({"message_id": message["message_id"]})
        self._note_send(chat_id)
        return copied

    def _forward_message(self, p: JSON) -> JSON:
        chat_id = self._writable_chat(p)
        source = self._source_message(p, "message to forward not found")
        origin = {"type": "user", "sender_user": source["from"], "date": source["date"]}
        content = self._placement(p, chat_id)
        content["forward_origin"] = origin
        content |= _content_of(source)
        self._check_flood(chat_id)
        return self._bot_message(chat_id, content, None)

    def _file_sender(self, kind: str) -> Callable[[JSON], JSON]:
        """sendVideo, sendVoice, ...: a file (upload or file_id of that kind) in `p[kind]`."""

        def send(p: JSON) -> JSON:
            chat_id = self._writable_chat(p)
            caption, entities = self._caption(p) if kind in CAPTIONED_KINDS else (None, None)
            markup = self._reply_markup(p)
            self._check_flood(chat_id)
            content = self._placement(p, chat_id)
            content |= self._file_content(kind, p.get(kind), p)
            self._with_text(content, "caption", caption, entities)
            return self._bot_message(chat_id, content, markup)

        return send

    def _file_content(self, kind: str, value: Any, p: JSON) -> JSON:
        if kind == "photo":
            return {"photo": self._photo_param(value)}
        if kind == "document":
            return {"document": self._document_param(value)}
        media = self._media_param(kind, value, p)
        if kind == "animation":
            return {"animation": media, "document": _animation_document(media)}
        return {kind: media}

    def _media_param(self, kind: str, value: Any, p: Mapping[str, Any]) -> JSON:
        if isinstance(value, Upload):
            _check_upload_size(value)
            if kind == "sticker":
                return self._new_sticker("🙂", value.data)
            meta: JSON = {"file_name": value.filename} if value.filename else {}
            if kind in ("voice", "video_note"):
                meta = {}  # Telegram keeps no file name for these
            for key in ("duration", "width", "height"):
                if p.get(key):
                    meta[key] = p[key]
            return self._register_media(kind, value.data, **meta)
        stored = self.files.get(value) if isinstance(value, str) else None
        if stored is not None and stored.kind == kind:
            return self._document_obj(stored)
        title = "".join(word.capitalize() for word in kind.split("_"))
        if stored is not None:
            raise bad_request(f"can't use file of type {stored.kind.capitalize()} as {title}")
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _send_media_group(self, p: JSON) -> list[JSON]:
        chat_id = self._writable_chat(p)
        media = p.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise bad_request("wrong number of media specified: must be 2-10")
        kinds = [str(item.get("type")) for item in media]
        if any(kind not in ALBUM_KINDS for kind in kinds):
            raise bad_request("media must be photos, videos, documents or audios")
        for alone in ("document", "audio"):
            if alone in kinds and set(kinds) != {alone}:
                raise bad_request(f"{alone} can't be mixed with other media types")
        items = []
        for item in media:
            value = item.get("media")
            if isinstance(value, str) and value.startswith("attach://"):
                value = p.get(value.removeprefix("attach://"))
            caption, entities = self._caption(item)
            items.append((self._file_content(item["type"], value, item), caption, entities))
        placement = self._placement(p, chat_id)
        self._check_flood(chat_id)
        group_id = str(next(self._media_groups))
        sent = []
        for content, caption, entities in items:
            content = copy.deepcopy(placement) | {"media_group_id": group_id} | content
            self._with_text(content, "caption", caption, entities)
            sent.append(self._bot_message(chat_id, content, None))
        return sent

    def _set_message_reaction(self, p: JSON) -> bool:
        chat_id = self._writable_chat(p)
        message = self._message(chat_id, _int(p, "message_id"), "message to react not found")
        reaction = p.get("reaction") or []
        if not isinstance(reaction, list):
            raise bad_request("can't parse reaction types JSON object")
        if len(reaction) > 1:
            raise bad_request("REACTIONS_TOO_MANY")  # bots may set one reaction
        for item in reaction:
            if item.get("type") == "emoji" and item.get("emoji") not in REACTION_EMOJI:
                raise bad_request("REACTION_INVALID")
        key = (chat_id, message["message_id"])
        if reaction:
            self.reactions[key] = copy.deepcopy(reaction)
        else:
            self.reactions.pop(key, None)
        return True

    # --- forum topics

    def _forum(self, p: JSON) -> int:
        chat_id = self._writable_chat(p)
        if not self.chats[chat_id].get("is_forum"):
            raise bad_request("the chat is not a forum")
        return chat_id

    def _managed_topic(self, p: JSON, right: str, verb: str) -> tuple[int, _Topic]:
        chat_id = self._forum(p)
        topic = self.forum_topics[chat_id].get(_int(p, "message_thread_id") or 0)
        if topic is None or topic.state == "deleted":
            raise bad_request("message thread not found")
        own = topic.creator_id == self.bot_id and right == "can_manage_topics"
        if not own and not self._bot_can(chat_id, right):
            raise bad_request(f"not enough rights to {verb} the topic")
        return chat_id, topic

    def _create_forum_topic(self, p: JSON) -> JSON:
        chat_id = self._forum(p)
        if not self._bot_can(chat_id, "can_manage_topics"):
            raise bad_request("not enough rights to create a topic")
        name = str(p.get("name") or "").strip()
        if not name:
            raise bad_request("title must be non-empty")
        color = _int(p, "icon_color")
        if color is not None and color not in TOPIC_ICON_COLORS:
            raise bad_request("invalid icon_color specified")
        emoji_id = str(p.get("icon_custom_emoji_id") or "") or None
        color = TOPIC_ICON_COLORS[0] if color is None else color
        message = self._open_topic(chat_id, self.bot_user, name, color, emoji_id)
        return self.forum_topics[chat_id][message["message_id"]].obj()

    def _edit_forum_topic(self, p: JSON) -> bool:
        chat_id, topic = self._managed_topic(p, "can_manage_topics", "edit")
        edited: JSON = {}
        name = str(p.get("name") or "").strip()[:MAX_TOPIC_NAME]
        if name and name != topic.name:
            edited["name"] = name
        emoji_id = p.get("icon_custom_emoji_id")
        if emoji_id is not None and (str(emoji_id) or None) != topic.icon_custom_emoji_id:
            edited["icon_custom_emoji_id"] = str(emoji_id)
        if not edited:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.name = edited.get("name", topic.name)
        if "icon_custom_emoji_id" in edited:
            topic.icon_custom_emoji_id = edited["icon_custom_emoji_id"] or None
        self._topic_service(chat_id, topic, self.bot_user, "forum_topic_edited", edited)
        return True

    def _close_forum_topic(self, p: JSON) -> bool:
        return self._switch_topic(p, "closed", "forum_topic_closed", "close")

    def _reopen_forum_topic(self, p: JSON) -> bool:
        return self._switch_topic(p, "open", "forum_topic_reopened", "reopen")

    def _switch_topic(self, p: JSON, state: str, service: str, verb: str) -> bool:
        chat_id, topic = self._managed_topic(p, "can_manage_topics", verb)
        if topic.state == state:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.state = state
        self._topic_service(chat_id, topic, self.bot_user, service, {})
        return True

    def _delete_forum_topic(self, p: JSON) -> bool:
        chat_id, topic = self._managed_topic(p, "can_delete_messages", "delete")
        self._remove_topic(chat_id, topic.thread_id)
        return True

    def _send_chat_action(self, p: JSON) -> bool:
        self._writable_chat(p)
        if p.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    # --- editing and deleting

    def _edit_text(self, p: JSON) -> JSON:
        chat_id, message = self._edit_target(p)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._text(p)
        markup = self._reply_markup(p)
        self._apply_edit(chat_id, message, {"text": text, "entities": entities}, markup)
        return message

    def _edit_caption(self, p: JSON) -> JSON:
        chat_id, message = self._edit_target(p)
        if not any(key in message for key in CAPTIONED_KINDS):
            raise bad_request("there is no caption in the message to edit")
        caption, entities = self._caption(p)
        markup = self._reply_markup(p)
        fields = {"caption": caption, "caption_entities": entities}
        self._apply_edit(chat_id, message, fields, markup)
        return message

    def _edit_reply_markup(self, p: JSON) -> JSON:
        chat_id, message = self._edit_target(p)
        self._apply_edit(chat_id, message, {}, self._reply_markup(p))
        return message

    def _apply_edit(self, chat_id: int, message: JSON, fields: JSON, markup: JSON | None) -> None:
        """Replace fields (None removes) and the inline keyboard; omitting it removes it."""
        inline = markup if markup is not None and "inline_keyboard" in markup else None
        unchanged = all(message.get(k) == v for k, v in fields.items())
        if unchanged and message.get("reply_markup") == inline:
            raise bad_request(NOT_MODIFIED)
        for key, value in {**fields, "reply_markup": inline}.items():
            _set_or_clear(message, key, value)
        message["edit_date"] = self._now()
        self._markups.pop((chat_id, message["message_id"]), None)
        if inline is not None:
            self._markups[(chat_id, message["message_id"])] = inline

    def _delete_message(self, p: JSON) -> bool:
        chat_id = self._chat_id(p)
        message_id = _int(p, "message_id")
        message = self._message(chat_id, message_id, "message to delete not found")
        is_group = self.chats[chat_id]["type"] != "private"
        own = message["from"]["id"] == self.bot_id
        if is_group and not own and not self._bot_can(chat_id, "can_delete_messages"):
            raise bad_request("message can't be deleted")
        if "forum_topic_created" in message:
            raise bad_request("message can't be deleted")  # deleteForumTopic removes topics
        del self.messages[chat_id][message["message_id"]]
        self.deleted.append((chat_id, message["message_id"]))
        return True

    # --- callbacks and files

    def _answer_callback_query(self, p: JSON) -> bool:
        query_id = str(p.get("callback_query_id") or "")
        if query_id not in self._pending_queries:
            raise bad_request(QUERY_TOO_OLD)  # unknown or already answered
        self._pending_queries.discard(query_id)
        self.callback_answers[query_id] = {k: v for k, v in p.items() if k != "callback_query_id"}
        return True

    def _get_file(self, p: JSON) -> JSON:
        stored = self.files.get(str(p.get("file_id") or ""))
        if stored is None:
            raise bad_request("wrong file_id or the file is temporarily unavailable")
        if len(stored.data) > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data), "file_path": stored.file_path,
        }  # fmt: skip

    # --- chats and members

    def _get_chat(self, p: JSON) -> JSON:
        chat = self._chat_ref(self._chat_id(p))
        return chat | {
            "accent_color_id": 0, "max_reaction_count": 11,
            "accepted_gift_types": dict(ACCEPTED_GIFT_TYPES),
        }  # fmt: skip

    def _get_chat_member(self, p: JSON) -> JSON:
        chat_id = self._chat_id(p)
        user_id = _int(p, "user_id")
        if user_id is None or (user_id not in self.users and user_id != self.bot_id):
            raise bad_request("user not found")
        user = self._user(user_id)
        if self.chats[chat_id]["type"] == "private":
            status = "member" if user_id in (chat_id, self.bot_id) else "left"
            return self._member_obj(user, _Member(status))
        member = self.members.get(chat_id, {}).get(user_id, _Member("left"))
        return self._member_obj(user, member)

    def _get_chat_administrators(self, p: JSON) -> list[JSON]:
        chat_id = self._chat_id(p)
        if self.chats[chat_id]["type"] == "private":
            raise bad_request("there are no administrators in the private chat")
        return [
            self._member_obj(self._user(uid), member)
            for uid, member in self.members.get(chat_id, {}).items()
            if member.status in ("creator", "administrator")
        ]

    def _get_chat_member_count(self, p: JSON) -> int:
        chat_id = self._chat_id(p)
        if self.chats[chat_id]["type"] == "private":
            return 2
        present = ("creator", "administrator", "member", "restricted")
        members = self.members.get(chat_id, {}).values()
        return sum(1 for m in members if m.status in present and m.rights.get("is_member", True))

    def _invite_chat(self, p: JSON) -> int:
        chat_id = self._chat_id(p)
        if self.chats[chat_id]["type"] == "private":
            raise bad_request("can't invite members to a private chat")
        return chat_id

    def _create_invite_link(self, p: JSON) -> JSON:
        chat_id = self._invite_chat(p)
        settings: JSON = {"creates_join_request": False}
        self._apply_link_settings(chat_id, p, settings)
        seed = f"{self.bot_id}:{chat_id}:{len(self.invite_links)}".encode()
        url = "https://t.me/+" + _b64(hashlib.sha256(seed).digest())[:16]
        obj: JSON = {
            "invite_link": url, "creator": copy.deepcopy(self.bot_user),
            "creates_join_request": settings.pop("creates_join_request"),
            "is_primary": False, "is_revoked": False, **settings,
        }  # fmt: skip
        self.invite_links[url] = _InviteLink(chat_id, obj)
        return self._link_obj(self.invite_links[url])

    def _existing_link(self, p: JSON, chat_id: int) -> _InviteLink:
        link = self.invite_links.get(str(p.get("invite_link") or ""))
        if link is None or link.chat_id != chat_id:
            raise bad_request("INVITE_HASH_EXPIRED")
        return link

    def _revoke_invite_link(self, p: JSON) -> JSON:
        chat_id = self._invite_chat(p)
        if not self._bot_can(chat_id, "can_invite_users"):
            raise bad_request("not enough rights to manage chat invite link")
        link = self._existing_link(p, chat_id)
        link.obj["is_revoked"] = True
        return self._link_obj(link)

    def _edit_invite_link(self, p: JSON) -> JSON:
        chat_id = self._invite_chat(p)
        link = self._existing_link(p, chat_id)
        if link.obj["is_revoked"]:
            raise bad_request("INVITE_HASH_EXPIRED")
        edited = copy.deepcopy(link.obj)
        self._apply_link_settings(chat_id, p, edited)
        link.obj = edited
        return self._link_obj(link)

    def _pending_request(self, p: JSON) -> tuple[int, int, JSON]:
        chat_id = self._chat_id(p)
        user_id = _int(p, "user_id") or 0
        if not self._bot_can(chat_id, "can_invite_users"):
            raise bad_request("CHAT_ADMIN_REQUIRED")
        request = self.join_requests.get((chat_id, user_id))
        if request is None:
            raise bad_request("HIDE_REQUESTER_MISSING")
        return chat_id, user_id, request

    def _approve_join_request(self, p: JSON) -> bool:
        chat_id, user_id, request = self._pending_request(p)
        if self.member_status(chat_id, user_id) in ("member", "administrator", "creator"):
            raise bad_request("USER_ALREADY_PARTICIPANT")
        del self.join_requests[(chat_id, user_id)]
        link = self.invite_links.get(request.get("invite_link", {}).get("invite_link", ""))
        if link is not None:
            link.joined.add(user_id)
        user = self._user(user_id)
        self._member_change(chat_id, user, "member", user, link=link, via_join_request=True)
        return True

    def _decline_join_request(self, p: JSON) -> bool:
        chat_id, user_id, _ = self._pending_request(p)
        del self.join_requests[(chat_id, user_id)]
        return True

    def _restrictable(self, p: JSON) -> tuple[int, int, str]:
        chat_id = self._chat_id(p)
        if self.chats[chat_id]["type"] == "private":
            raise bad_request("can't remove members from private chats")
        user_id = _int(p, "user_id")
        if user_id is None:
            raise bad_request("user_id is empty")
        self._writable_chat(p)
        if not self._bot_can(chat_id, "can_restrict_members"):
            raise bad_request("not enough rights to restrict/unrestrict chat member")
        return chat_id, user_id, self.member_status(chat_id, user_id)

    def _ban_chat_member(self, p: JSON) -> bool:
        chat_id, user_id, status = self._restrictable(p)
        if status == "creator":
            raise bad_request("can't remove chat owner")
        if status == "administrator":
            raise bad_request("user is an administrator of the chat")
        until = _int(p, "until_date") or 0
        if until and not 30 <= until - self._now() <= 366 * 86400:
            until = 0  # Telegram treats out-of-range dates as "forever"
        self._member_change(chat_id, self._user(user_id), "kicked", self.bot_user, until_date=until)
        return True

    def _unban_chat_member(self, p: JSON) -> bool:
        chat_id, user_id, status = self._restrictable(p)
        if status == "left" or (p.get("only_if_banned") and status != "kicked"):
            return True
        if status == "creator":
            raise bad_request("can't remove chat owner")
        if status == "administrator":
            raise bad_request("user is an administrator of the chat")
        # A plain unban of a current member removes them: that is why only_if_banned exists.
        self._member_change(chat_id, self._user(user_id), "left", self.bot_user)
        return True


# --------------------------------------------------------------------------- small helpers


def _returns_true(p: JSON) -> bool:
    return True


def _int(p: Mapping[str, Any], name: str) -> int | None:
    value = p.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise bad_request(f"invalid {name} specified")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"invalid {name} specified") from None


def _limit(p: Mapping[str, Any]) -> int:
    limit = _int(p, "limit") or 100
    return min(max(limit, 1), 100)


def _set_or_clear(target: JSON, key: str, value: Any) -> None:
    if value is None or value == [] or value == "":
        target.pop(key, None)
    else:
        target[key] = value


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not button.get("text"):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        size = len(str(button["callback_data"]).encode())
        if not 1 <= size <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not str(button["url"]).strip():
        raise bad_request("BUTTON_URL_INVALID")


_CONTENT_KEYS = (
    "text", "entities", "photo", "video", "animation", "audio", "document", "voice",
    "video_note", "sticker", "caption", "caption_entities",
)  # fmt: skip
_VISUAL = ("width", "height", "duration")


def _content_of(message: JSON) -> JSON:
    """What copyMessage/forwardMessage carry over: the content, not the envelope."""
    return {k: copy.deepcopy(message[k]) for k in _CONTENT_KEYS if k in message}


def _animation_document(animation: JSON) -> JSON:
    """The document field Telegram also sets on an animation message, for old clients."""
    return {k: copy.deepcopy(v) for k, v in animation.items() if k not in _VISUAL}


def _with_caption(content: JSON, caption: str | None) -> None:
    """A person's caption; one starting with "/" is a command, as in text."""
    if caption is not None:
        content["caption"] = caption
        if entities := _command_entities(caption):
            content["caption_entities"] = entities


def _is_service(message: JSON) -> bool:
    return any(key in message for key in TOPIC_SERVICE_KEYS)


def _check_upload_size(upload: Upload) -> None:
    if len(upload.data) > MAX_UPLOAD:
        raise FakeApiError(413, "Request Entity Too Large")


def _command_entities(text: str) -> list[JSON]:
    if not text.startswith("/"):
        return []
    command = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]


def _default_description(error_code: int, retry_after: int | None) -> str:
    return {
        400: "Bad Request: injected error",
        403: "Forbidden: bot was blocked by the user",
        409: POLL_CONFLICT,
        429: f"Too Many Requests: retry after {retry_after}",
        500: "Internal Server Error",
        502: "Internal Server Error",
    }.get(error_code, f"Error {error_code}")


def update_kinds(updates: Iterable[JSON]) -> list[str]:
    """The type of each update ("message", "callback_query", ...), handy in assertions."""
    return [next(k for k in u if k != "update_id") for u in updates]


def group_document(
    core: FakeTelegram,
    chat_id: int,
    user: UserRef,
    data: bytes,
    file_name: str,
    mime_type: str | None,
    caption: str | None = None,
    *,
    file_size: int | None = None,
    reply_to: JSON | int | None = None,
    thread_id: int | None = None,
) -> JSON:
    """A document posted in a group; a caption starting with "/" is a command. `file_size`
    overrides what Telegram reports (a huge file without storing its bytes)."""
    sender = core._group_sender(chat_id, user)
    content = core._incoming_placement(chat_id, reply_to, thread_id)
    document = core._register_document(data, file_name, mime_type)
    if file_size is not None:
        document["file_size"] = file_size
    content["document"] = document
    _with_caption(content, caption)
    return core._incoming(chat_id, sender, content)
