"""Members in the admin group: /grant and /revoke a membership by hand, and the lines of
the member card (/member and the card screen are the console's: handlers/admin/console).

MEMBER is a Telegram id or @username. Each command answers in the sender's language
and says exactly what format it expects when the input is wrong.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command

from domain.membership import MembershipStatus
from handlers.common.admin_command import AdminCall, admin_command, fields, shown_day
from handlers.common.config import HandlerConfig
from handlers.common.filters import InAdminChat
from kernel.admin_input import parse_member_ref
from kernel.dates import moment_param
from kernel.i18n import Translator
from kernel.names import plan_name
from services.members import MemberCard, MembershipLine
from services.memberships import GrantResult, MembershipService, RevokeResult


def membership_text(line: MembershipLine, i18n: Translator, lang: str, zone: ZoneInfo) -> str:
    common: dict[str, Any] = {
        "plan": plan_name(line.plan),
        "activated": shown_day(line.activated_at, zone),
        "expires": shown_day(line.expires_at, zone),
        "note": {"key": "tools.ms_manual"} if line.granted_by is not None else "",
    }
    if line.status is MembershipStatus.PENDING:
        return i18n.t("tools.ms_pending", lang, **common)
    if line.status is not MembershipStatus.ACTIVE:
        return i18n.t(
            "tools.ms_ended",
            lang,
            status={"key": f"tools.status_{line.status.value}"},
            ended=shown_day(line.ended_at or line.expires_at, zone),
            **common,
        )
    if line.lapsed:
        return i18n.t("tools.ms_lapsed", lang, **common)
    if line.expires_at is None:
        return i18n.t("tools.ms_active_lifetime", lang, **common)
    return i18n.t("tools.ms_active_until", lang, remaining=line.remaining_days, **common)


def card_lines(card: MemberCard, i18n: Translator, lang: str, zone: ZoneInfo) -> list[str]:
    tier = {"key": f"tier.{card.tier.code}"} if card.tier else {"key": "tools.no_tier"}
    lines = [
        i18n.t(
            "tools.card",
            lang,
            name=card.name,
            username=f"@{card.username}" if card.username else {"key": "tools.no_username"},
            telegram_id=card.telegram_id,
            language={"key": f"language.name_{card.language}"},
            tier=tier,
        ),
        "",
        i18n.t("tools.card_memberships", lang),
    ]
    lines += [membership_text(m, i18n, lang, zone) for m in card.memberships]
    if not card.memberships:
        lines.append(i18n.t("tools.card_none", lang))
    if card.hidden_memberships:
        lines.append(i18n.t("tools.card_more", lang, count=card.hidden_memberships))
    lines += ["", i18n.t("tools.card_payments", lang)]
    for p in card.payments:
        lines.append(
            i18n.t(
                "tools.pay_line",
                lang,
                id=p.id,
                plan=plan_name(p.plan),
                amount=p.amount,
                status={"key": f"tools.pay_status_{p.status.value}"},
                date=moment_param(p.created_at, zone),
            )
        )
    if not card.payments:
        lines.append(i18n.t("tools.card_none", lang))
    return lines


def _reason(parts: list[str]) -> str:
    return parts[2] if len(parts) == 3 else ""


def granted_text(
    done: GrantResult, reason: str, i18n: Translator, lang: str, zone: ZoneInfo
) -> str:
    """What admins read after a grant (typed or tapped)."""
    key = "tools.granted_until"
    if done.renewed:
        key = "tools.extended"
    elif done.expires_at is None:
        key = "tools.granted_lifetime"
    return i18n.t(
        key,
        lang,
        plan=plan_name(done.plan),
        name=done.name,
        telegram_id=done.telegram_id,
        reason=reason.strip(),
        until=shown_day(done.expires_at, zone),
        old=shown_day(done.old_expires_at, zone),
    )


def revoked_text(done: RevokeResult, reason: str, i18n: Translator, lang: str) -> str:
    """What admins read after a revocation (typed or tapped)."""
    return i18n.t(
        "tools.revoked",
        lang,
        plan=plan_name(done.plan),
        name=done.name,
        telegram_id=done.telegram_id,
        reason=reason.strip(),
    )


@admin_command("tools.usage_grant", args=fields(2, maxsplit=2))
async def grant(call: AdminCall, memberships: MembershipService, config: HandlerConfig) -> None:
    reason = _reason(call.args)
    ref, plan = parse_member_ref(call.args[0]), call.args[1]
    done = await memberships.grant(ref, plan, reason, call.actor)
    await call.message.reply(granted_text(done, reason, call.i18n, call.lang, config.zone))


@admin_command("tools.usage_revoke", args=fields(2, maxsplit=2))
async def revoke(call: AdminCall, memberships: MembershipService) -> None:
    reason = _reason(call.args)
    ref, plan = parse_member_ref(call.args[0]), call.args[1]
    done = await memberships.revoke(ref, plan, reason, call.actor)
    await call.message.reply(revoked_text(done, reason, call.i18n, call.lang))


def build_router() -> Router:
    router = Router(name="admin_members")
    router.message.filter(InAdminChat())
    router.message.register(grant, Command("grant"))
    router.message.register(revoke, Command("revoke"))
    return router
