"""Admin-group commands for money and teams: /ledger, /payout, /setleader,
/leaderhistory, /structures; the owner only: /addstructure (SPEC "Balances and
payouts", "Leaders", "Commission split").

Every handler checks the person again (`allowed`), answers in the sender's language,
and says exactly what it expects when the input is wrong. Money never moves here:
the ledger service decides (a payout never exceeds what is available, and the same
command message records one payout however often Telegram delivers it).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from domain.commission import FULL_BP, PercentParseError, parse_percent
from domain.money import MAX_AMOUNT, MoneyParseError, format_rupiah, parse_rupiah
from domain.states import LeaderSource
from handlers.admin_tools import _actor, _problem, _reply_lines
from handlers.common.admins import AdminGate
from handlers.common.config import HandlerConfig
from handlers.common.filters import InAdminChat, allowed
from handlers.review import _at
from kernel.admin_input import AdminToolError, parse_member_ref
from kernel.i18n import Translator
from services.leaders import LeaderService, LeaderServiceError
from services.ledger import LedgerService, LedgerServiceError
from services.member_lookup import FoundMember, MemberLookupService

ALL_WORDS = frozenset({"semua", "all", "semuanya"})
NO_LEADER_WORDS = frozenset({"none", "-", "tidak", "tanpa", "hapus", "kosong"})
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def percent_text(bp: int) -> str:
    """5500 → "55%", 5250 → "52,5%", 1225 → "12,25%" (Indonesian decimal comma)."""
    whole, fraction = divmod(bp, 100)
    if not fraction:
        return f"{whole}%"
    return f"{whole},{fraction:02d}".rstrip("0") + "%"


def parse_day(text: str) -> date | None:
    """`2027-01-01` or `01-01-2027` (also with / or .), else None."""
    given = text.strip()
    try:
        if match := _ISO_DATE.match(given):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DMY_DATE.match(given):
            return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None
    return None


async def _member(
    message: Message, ref: str, member_lookup: MemberLookupService, i18n: Translator, lang: str
) -> FoundMember | None:
    try:
        return await member_lookup.resolve(parse_member_ref(ref))
    except AdminToolError as error:
        await _problem(message, i18n, lang, error)
        return None


# ---------------------------------------------------------------------------- /ledger


async def ledger_command(
    message: Message,
    command: CommandObject,
    ledger: LedgerService,
    member_lookup: MemberLookupService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(message, admins, i18n, lang):
        return
    args = (command.args or "").split()
    if len(args) != 1:
        await message.reply(i18n.t("ledger.usage", lang))
        return
    member = await _member(message, args[0], member_lookup, i18n, lang)
    if member is None:
        return
    balance = await ledger.balance(member.id)
    corrections: Any = ""
    if balance.corrections:
        corrections = {
            "key": "ledger.corrections",
            "params": {"amount": format_rupiah(balance.corrections)},
        }
    ref = f"@{member.username}" if member.username else str(member.telegram_id)
    await message.reply(
        i18n.t(
            "ledger.balance",
            lang,
            name=member.name,
            telegram_id=member.telegram_id,
            validated=balance.validated_reports,
            total=format_rupiah(balance.total_commission),
            member_share=format_rupiah(balance.member_share),
            leader_share=format_rupiah(balance.leader_share),
            pending=balance.pending_reports,
            pending_claimed=format_rupiah(balance.pending_claimed),
            paid=format_rupiah(balance.paid),
            corrections=corrections,
            available=format_rupiah(balance.available),
            hint={"key": "ledger.pay_hint", "params": {"ref": ref}}
            if balance.available > 0
            else "",
        )
    )


# ---------------------------------------------------------------------------- /payout


async def payout_command(
    message: Message,
    command: CommandObject,
    ledger: LedgerService,
    member_lookup: MemberLookupService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(message, admins, i18n, lang):
        return
    parts = [p.strip() for p in (command.args or "").split("|")]
    if len(parts) not in (3, 4) or not all(parts[:3]) or len(parts[0].split()) != 1:
        await message.reply(i18n.t("payout.usage", lang))
        return
    member = await _member(message, parts[0], member_lookup, i18n, lang)
    if member is None:
        return
    amount: int | None = None
    if parts[1].lower() not in ALL_WORDS:
        try:
            amount = parse_rupiah(parts[1], minimum=1, maximum=MAX_AMOUNT)
        except MoneyParseError as error:
            await message.reply(
                i18n.t(
                    f"ledger.amount_{error.code.value}",
                    lang,
                    given=parts[1][:64],
                    min=format_rupiah(error.minimum),
                    max=format_rupiah(error.maximum),
                )
                + "\n"
                + i18n.t("payout.amount_hint", lang)
            )
            return
    reference = parts[3] if len(parts) == 4 else None
    try:
        done = await ledger.payout(
            member.id,
            amount,
            parts[2],
            reference,
            _actor(message),
            request_key=f"{message.chat.id}:{message.message_id}",
        )
    except LedgerServiceError as error:
        await message.reply(i18n.t(f"payout.problem_{error.problem.value}", lang, **error.params))
        return
    await message.reply(
        i18n.t(
            "payout.done" if done.applied else "payout.replayed",
            lang,
            id=done.payout_id,
            name=done.member_name,
            telegram_id=done.member_telegram_id,
            amount=format_rupiah(done.amount),
            method=done.method,
            reference=done.reference or "-",
            available=format_rupiah(done.available_after),
        )
    )


# ---------------------------------------------------------------------------- leaders


async def set_leader_command(
    message: Message,
    command: CommandObject,
    leaders: LeaderService,
    member_lookup: MemberLookupService,
    admins: AdminGate,
    config: HandlerConfig,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(message, admins, i18n, lang):
        return
    args = (command.args or "").split()
    if len(args) != 2:
        await message.reply(i18n.t("leader_admin.usage_setleader", lang))
        return
    member = await _member(message, args[0], member_lookup, i18n, lang)
    if member is None:
        return
    leader: FoundMember | None = None
    if args[1].lower() not in NO_LEADER_WORDS:
        leader = await _member(message, args[1], member_lookup, i18n, lang)
        if leader is None:
            return
    try:
        change = await leaders.set_leader(member.id, leader.id if leader else None, _actor(message))
    except LeaderServiceError as error:
        await message.reply(
            i18n.t(f"leader_admin.problem_{error.problem.value}", lang, **error.params)
        )
        return
    params = {
        "name": change.member_name,
        "telegram_id": change.member_telegram_id,
        "old": change.old_leader or "-",
        "new": change.new_leader or "-",
        "at": _at(change.at, config),
    }
    if change.new_leader is None:
        key = "leader_admin.removed"
    elif change.old_leader is None:
        key = "leader_admin.assigned"
    else:
        key = "leader_admin.changed"
    await message.reply(i18n.t(key, lang, **params))


async def leader_history_command(
    message: Message,
    command: CommandObject,
    leaders: LeaderService,
    member_lookup: MemberLookupService,
    admins: AdminGate,
    config: HandlerConfig,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(message, admins, i18n, lang):
        return
    args = (command.args or "").split()
    if len(args) != 1:
        await message.reply(i18n.t("leader_admin.usage_leaderhistory", lang))
        return
    member = await _member(message, args[0], member_lookup, i18n, lang)
    if member is None:
        return
    links = await leaders.history(member.id)
    if not links:
        await message.reply(
            i18n.t(
                "leader_admin.history_none", lang, name=member.name, telegram_id=member.telegram_id
            )
        )
        return
    lines = [
        i18n.t(
            "leader_admin.history_header",
            lang,
            name=member.name,
            telegram_id=member.telegram_id,
            count=len(links),
        )
    ]
    for link in links:
        by: Any = ""
        if link.source is LeaderSource.ADMIN and link.set_by is not None:
            by = {"key": "leader_admin.set_by", "params": {"by": link.set_by}}
        lines.append(
            i18n.t(
                "leader_admin.history_line",
                lang,
                leader=link.leader_name,
                leader_id=link.leader_telegram_id,
                since=_at(link.valid_from, config),
                until=_at(link.valid_to, config)
                if link.valid_to
                else {"key": "leader_admin.until_now"},
                source={"key": f"leader_admin.source_{link.source.value}"},
                by=by,
            )
        )
    await _reply_lines(message, lines)


# ---------------------------------------------------------------------------- structures


async def structures_command(
    message: Message,
    ledger: LedgerService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(message, admins, i18n, lang):
        return
    rows = await ledger.structures()
    if not rows:
        await message.reply(i18n.t("structures.empty", lang))
        return
    lines = [i18n.t("structures.title", lang)]
    for row in rows:
        lines.append(
            i18n.t(
                "structures.line",
                lang,
                tier={"key": f"tier.{row.tier_code}"},
                code=row.tier_code,
                member=percent_text(row.member_bp),
                leader=percent_text(row.leader_bp),
                owner=percent_text(row.owner_bp),
                start=f"{row.effective_from:%d-%m-%Y}",
                end=f"{row.effective_to:%d-%m-%Y}"
                if row.effective_to
                else {"key": "structures.open_ended"},
            )
        )
    lines.append(i18n.t("structures.footer", lang))
    await _reply_lines(message, lines)


async def add_structure_command(
    message: Message,
    command: CommandObject,
    ledger: LedgerService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    # SPEC: the owner sets prices and splits; admins may only read them (/structures).
    if not await allowed(message, admins, i18n, lang, owner=True):
        return
    args = (command.args or "").split()
    if len(args) != 3 or len(args[1].split("/")) != 3:
        await message.reply(i18n.t("structures.usage", lang))
        return
    tier_code, shares, day_text = args[0].lower(), args[1].split("/"), args[2]
    percents: list[int] = []
    for given in shares:
        try:
            percents.append(parse_percent(given))
        except PercentParseError as error:
            await message.reply(
                i18n.t(f"structures.percent_{error.code.value}", lang, given=given[:16])
            )
            return
    total = sum(percents)
    if total != FULL_BP:
        await message.reply(
            i18n.t("structures.problem_sum_not_100", lang, total=percent_text(total))
        )
        return
    start = parse_day(day_text)
    if start is None:
        await message.reply(i18n.t("structures.bad_date", lang, given=day_text[:32]))
        return
    member_bp, leader_bp, owner_bp = percents
    try:
        row = await ledger.add_structure(
            tier_code, member_bp, leader_bp, owner_bp, start, _actor(message)
        )
    except LedgerServiceError as error:
        params = {"total": percent_text(total), **error.params}
        await message.reply(i18n.t(f"structures.problem_{error.problem.value}", lang, **params))
        return
    await message.reply(
        i18n.t(
            "structures.added",
            lang,
            tier={"key": f"tier.{row.tier_code}"},
            member=percent_text(row.member_bp),
            leader=percent_text(row.leader_bp),
            owner=percent_text(row.owner_bp),
            start=f"{row.effective_from:%d-%m-%Y}",
        )
    )


def build_router() -> Router:
    router = Router(name="ledger_admin")
    router.message.filter(InAdminChat())
    router.message.register(ledger_command, Command("ledger"))
    router.message.register(payout_command, Command("payout"))
    router.message.register(set_leader_command, Command("setleader"))
    router.message.register(leader_history_command, Command("leaderhistory"))
    router.message.register(structures_command, Command("structures"))
    router.message.register(add_structure_command, Command("addstructure"))
    return router
