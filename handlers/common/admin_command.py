"""The admin-command helper: the scaffold every command in the admin group shares.

A command is written as parse → one service call → render:

    @admin_command("tools.usage_member", args=words(1))
    async def member(call: AdminCall, member_lookup: MemberLookupService) -> None:
        card = await member_lookup.member_card(parse_member_ref(call.args[0]))
        await call.reply_lines(card_lines(card, call.i18n, call.lang))

and the helper does the rest, always in this order:

1. the admin check, on every command (`owner=True`: the owner only); a person who may
   not act is told so and nothing else happens;
2. splitting the arguments with `args` (a function of the text after the command);
   when it returns None the command answers with its usage message;
3. the problem reply: a refusal of the service (a `kernel.refusal.Refusal`) is answered
   with its translated problem: the key template `problems` gives for the refusal's
   type (AdminToolError is always `tools.problem_{problem}`);
4. `ReplyInstead(text)`, raised while parsing, answers with that text instead
   (e.g. a price that is not a price says which prices are accepted).

The body receives, after the `AdminCall`, whatever dependencies it names (services,
`config`, `state`, `bot` ...), as aiogram hands them to handlers.

Also here, because every admin reply uses them: the acting admin (`actor`), long
replies split under Telegram's length limit (`reply_lines`) and dates shown in the
group's time zone (`shown_at`, `shown_day`). The one call takes the member reference
and looks the member up in its own transaction; `after_member` keeps the order of the
answers for what a command reads after MEMBER (a member not found is said first).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from aiogram.filters import CommandObject
from aiogram.types import InlineKeyboardMarkup, Message, User

from handlers.common.admins import AdminGate
from handlers.common.filters import allowed
from kernel.actor import Actor
from kernel.admin_input import AdminToolError, MemberRef
from kernel.dates import DateText, local_day_param, moment_param
from kernel.i18n import Translator
from kernel.refusal import Refusal
from services.members import MemberLookupService

# Telegram's limit is 4096; long lists are split on line boundaries below it.
MESSAGE_BUDGET = 4000

Arguments = Callable[[str], Any]
Problems = Mapping[type[Refusal[Any]], str]
Body = Callable[..., Awaitable[None]]
Handler = Callable[..., Awaitable[None]]

T = TypeVar("T")

ADMIN_PROBLEMS: Problems = {AdminToolError: "tools.problem_{problem}"}


def actor(user: User) -> Actor:
    """The admin acting, as Telegram names them (kept in the audit trail)."""
    return Actor(user.id, user.full_name)


def shown_at(moment: datetime | None, zone: ZoneInfo) -> DateText:
    """`2 Des 2026 19.00` in the reader's language (a parameter of a text)."""
    return moment_param(moment, zone)


def shown_day(moment: datetime | None, zone: ZoneInfo) -> DateText:
    """`2 Des 2026` in the reader's language (a parameter of a text)."""
    return local_day_param(moment, zone)


async def reply_lines(
    message: Message, lines: Sequence[str], markup: InlineKeyboardMarkup | None = None
) -> None:
    """Reply with the lines, in as few messages as Telegram's length limit allows (the
    last one with `markup`, if given)."""
    chunk: list[str] = []
    size = 0
    for line in lines:
        line = line[:MESSAGE_BUDGET]
        if chunk and size + len(line) + 1 > MESSAGE_BUDGET:
            await message.reply("\n".join(chunk))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        await message.reply("\n".join(chunk), reply_markup=markup)


def refusal_text(
    error: Refusal[Any],
    i18n: Translator,
    lang: str,
    problems: Problems,
    **extra: Any,
) -> str | None:
    """The translated problem of a refusal, or None when `problems` does not know its type."""
    for kind, prefix in problems.items():
        if isinstance(error, kind):
            params = {**extra, **error.params}
            return i18n.t(prefix.format(problem=error.problem.value), lang, **params)
    return None


class ReplyInstead(Exception):
    """Raised while parsing: stop the command and answer with this text."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


async def after_member(
    member_lookup: MemberLookupService, ref: MemberRef, check: Callable[[], T]
) -> T:
    """What a command takes after MEMBER, parsed by `check`. When that is refused, a
    member who is not found is answered first (a read, nothing else), as commands that
    looked the member up before parsing the rest always answered; otherwise the member
    is looked up once, by the service call, in its own transaction."""
    try:
        return check()
    except (Refusal, ReplyInstead):
        await member_lookup.resolve(ref)
        raise


def words(*counts: int) -> Arguments:
    """The arguments as words; None (the usage) unless there are `counts` of them."""

    def split(text: str) -> list[str] | None:
        parts = text.split()
        return parts if not counts or len(parts) in counts else None

    return split


def fields(least: int, maxsplit: int) -> Arguments:
    """At most `maxsplit` + 1 fields, the last keeping its spaces; None below `least`."""

    def split(text: str) -> list[str] | None:
        parts = text.strip().split(maxsplit=maxsplit)
        return parts if len(parts) >= least else None

    return split


def whole_line(given: str) -> str | None:
    """The whole text after the command; None when there is none."""
    return given.strip() or None


def ignored(given: str) -> str:
    """The command takes no arguments and ignores any given."""
    return given.strip()


@dataclass(slots=True)
class AdminCall:
    """One admin command being answered: its message, parsed arguments and language."""

    message: Message
    args: Any
    i18n: Translator
    lang: str
    # Params every problem message of this command may use besides the refusal's own.
    problem_params: dict[str, Any] = field(default_factory=dict)

    @property
    def actor(self) -> Actor:
        assert self.message.from_user is not None
        return actor(self.message.from_user)

    def t(self, key: str, **params: Any) -> str:
        return self.i18n.t(key, self.lang, **params)

    async def say(self, key: str, **params: Any) -> None:
        """Reply with one translated text."""
        await self.message.reply(self.t(key, **params))

    async def reply_lines(
        self, lines: Sequence[str], markup: InlineKeyboardMarkup | None = None
    ) -> None:
        await reply_lines(self.message, lines, markup)


def admin_command(
    usage: str | None = None,
    *,
    args: Arguments = ignored,
    owner: bool = False,
    problems: Problems | None = None,
) -> Callable[[Body], Handler]:
    """Wrap a command body in the admin check, the usage and the problem replies."""
    known: Problems = {**ADMIN_PROBLEMS, **(problems or {})}

    def wrap(body: Body) -> Handler:
        wanted = list(inspect.signature(body).parameters)[1:]

        # No `functools.wraps`: aiogram reads the parameters of the innermost function,
        # and this one takes everything (**data) to pass the body what it names.
        async def handler(
            message: Message, admins: AdminGate, i18n: Translator, lang: str, **data: Any
        ) -> None:
            if not await allowed(message, admins, i18n, lang, owner=owner):
                return
            data.update(admins=admins, i18n=i18n, lang=lang)
            command: CommandObject | None = data.get("command")
            call = AdminCall(message, None, i18n, lang)
            try:
                call.args = args((command.args if command else None) or "")
                if call.args is None:
                    assert usage is not None, "a command that can refuse its arguments"
                    await call.say(usage)
                    return
                await body(call, **{name: data[name] for name in wanted if name in data})
            except ReplyInstead as instead:
                await message.reply(instead.text)
            except Refusal as error:
                text = refusal_text(error, i18n, lang, known, **call.problem_params)
                if text is None:
                    raise
                await message.reply(text)

        handler.__name__ = body.__name__
        handler.__qualname__ = body.__qualname__
        handler.__module__ = body.__module__
        handler.__doc__ = body.__doc__
        return handler

    return wrap
