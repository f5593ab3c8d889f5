"""Money in the admin group: /ledger (a member's balance), /payout, /structures (the
commission splits); the owner only: /addstructure (SPEC "Balances and payouts",
"Commission split").

Money never moves here: the ledger service decides (a payout never exceeds what is
available, and the same command message records one payout however often Telegram
delivers it).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import InlineKeyboardMarkup

from domain.commission import FULL_BP, PercentParseError, parse_percent
from domain.money import MAX_AMOUNT, MoneyParseError, format_rupiah, parse_rupiah
from domain.payouts import Balance
from handlers.common.admin_command import (
    AdminCall,
    ReplyInstead,
    admin_command,
    after_member,
    words,
)
from handlers.common.filters import InAdminChat
from handlers.common.spaced import payout_words
from kernel.admin_input import parse_member_ref
from kernel.dates import day_param
from services.ledger import LedgerService, LedgerServiceError
from services.members import MemberLookupService

ALL_WORDS = frozenset({"semua", "all", "semuanya"})
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


def balance_params(name: str, telegram_id: int, balance: Balance, hint: Any) -> dict[str, Any]:
    """The params of "ledger.balance": /ledger and the member card's 💰 screen."""
    corrections: Any = ""
    if balance.corrections:
        corrections = {
            "key": "ledger.corrections",
            "params": {"amount": format_rupiah(balance.corrections)},
        }
    return {
        "name": name,
        "telegram_id": telegram_id,
        "validated": balance.validated_reports,
        "total": format_rupiah(balance.total_commission),
        "member_share": format_rupiah(balance.member_share),
        "leader_share": format_rupiah(balance.leader_share),
        "pending": balance.pending_reports,
        "pending_claimed": format_rupiah(balance.pending_claimed),
        "paid": format_rupiah(balance.paid),
        "corrections": corrections,
        "available": format_rupiah(balance.available),
        "hint": hint,
    }


@admin_command("ledger.usage", args=words(1))
async def ledger_command(call: AdminCall, ledger: LedgerService) -> None:
    member = await ledger.member_balance(parse_member_ref(call.args[0]))
    balance = member.balance
    ref = f"@{member.username}" if member.username else str(member.telegram_id)
    hint = {"key": "ledger.pay_hint", "params": {"ref": ref}} if balance.available > 0 else ""
    await call.say(
        "ledger.balance", **balance_params(member.name, member.telegram_id, balance, hint)
    )


def payout_args(text: str) -> list[str] | None:
    """MEMBER | AMOUNT or all | METHOD [| REFERENCE], or the same with spaces
    (handlers/common/spaced.py)."""
    if "|" not in text:
        return payout_words(text)
    parts = [p.strip() for p in text.split("|")]
    if len(parts) not in (3, 4) or not all(parts[:3]) or len(parts[0].split()) != 1:
        return None
    return parts


def payout_amount(call: AdminCall, given: str) -> int | None:
    """The amount typed, or None for everything available."""
    if given.lower() in ALL_WORDS:
        return None
    try:
        return parse_rupiah(given, minimum=1, maximum=MAX_AMOUNT)
    except MoneyParseError as error:
        raise ReplyInstead(
            call.t(
                f"ledger.amount_{error.code.value}",
                given=given[:64],
                min=format_rupiah(error.minimum),
                max=format_rupiah(error.maximum),
            )
            + "\n"
            + call.t("payout.amount_hint")
        ) from None


@admin_command(
    "payout.usage", args=payout_args, problems={LedgerServiceError: "payout.problem_{problem}"}
)
async def payout_command(
    call: AdminCall, ledger: LedgerService, member_lookup: MemberLookupService
) -> None:
    parts = call.args
    member = parse_member_ref(parts[0])
    amount = await after_member(member_lookup, member, lambda: payout_amount(call, parts[1]))
    reference = parts[3] if len(parts) == 4 else None
    message = call.message
    done = await ledger.payout_to(
        member,
        amount,
        parts[2],
        reference,
        call.actor,
        request_key=f"{message.chat.id}:{message.message_id}",
    )
    await call.say(
        "payout.done" if done.applied else "payout.replayed",
        id=done.payout_id,
        name=done.member_name,
        telegram_id=done.member_telegram_id,
        amount=format_rupiah(done.amount),
        method=done.method,
        reference=done.reference or "-",
        available=format_rupiah(done.available_after),
    )


@admin_command()
async def structures_command(
    call: AdminCall, ledger: LedgerService, list_markup: InlineKeyboardMarkup | None = None
) -> None:
    rows = await ledger.structures()
    if not rows:
        await call.reply_lines([call.t("structures.empty")], list_markup)
        return
    lines = [call.t("structures.title")]
    for row in rows:
        lines.append(
            call.t(
                "structures.line",
                tier={"key": f"tier.{row.tier_code}"},
                code=row.tier_code,
                member=percent_text(row.member_bp),
                leader=percent_text(row.leader_bp),
                owner=percent_text(row.owner_bp),
                start=day_param(row.effective_from),
                end=day_param(row.effective_to)
                if row.effective_to
                else {"key": "structures.open_ended"},
            )
        )
    lines.append(call.t("structures.footer"))
    await call.reply_lines(lines, list_markup)


def structure_args(text: str) -> list[str] | None:
    """TIER MEMBER/LEADER/OWNER START, e.g. `vip 55/25/20 2027-01-01`."""
    args = text.split()
    return args if len(args) == 3 and len(args[1].split("/")) == 3 else None


def split_percents(call: AdminCall, shares: list[str]) -> list[int]:
    """The three shares in basis points, together exactly 100%."""
    percents: list[int] = []
    for given in shares:
        try:
            percents.append(parse_percent(given))
        except PercentParseError as error:
            raise ReplyInstead(
                call.t(f"structures.percent_{error.code.value}", given=given[:16])
            ) from None
    total = sum(percents)
    if total != FULL_BP:
        raise ReplyInstead(call.t("structures.problem_sum_not_100", total=percent_text(total)))
    return percents


# SPEC: the owner sets prices and splits; admins may only read them (/structures).
@admin_command(
    "structures.usage",
    args=structure_args,
    owner=True,
    problems={LedgerServiceError: "structures.problem_{problem}"},
)
async def add_structure_command(call: AdminCall, ledger: LedgerService) -> None:
    tier_code, shares, day_text = call.args[0].lower(), call.args[1].split("/"), call.args[2]
    member_bp, leader_bp, owner_bp = split_percents(call, shares)
    call.problem_params["total"] = percent_text(member_bp + leader_bp + owner_bp)
    start = parse_day(day_text)
    if start is None:
        raise ReplyInstead(call.t("structures.bad_date", given=day_text[:32]))
    row = await ledger.add_structure(tier_code, member_bp, leader_bp, owner_bp, start, call.actor)
    await call.say(
        "structures.added",
        tier={"key": f"tier.{row.tier_code}"},
        member=percent_text(row.member_bp),
        leader=percent_text(row.leader_bp),
        owner=percent_text(row.owner_bp),
        start=day_param(row.effective_from),
    )


def build_router() -> Router:
    router = Router(name="admin_ledger")
    router.message.filter(InAdminChat())
    router.message.register(ledger_command, Command("ledger"))
    router.message.register(payout_command, Command("payout"))
    router.message.register(structures_command, Command("structures"))
    router.message.register(add_structure_command, Command("addstructure"))
    return router
