"""Leaders in the admin group (SPEC "Leaders"): /setleader MEMBER LEADER|none and
/leaderhistory MEMBER. MEMBER and LEADER are Telegram ids or @usernames."""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.filters import Command

from domain.states import LeaderSource
from handlers.common.admin_command import AdminCall, admin_command, after_member, shown_at, words
from handlers.common.config import HandlerConfig
from handlers.common.filters import InAdminChat
from kernel.admin_input import MemberRef, parse_member_ref
from services.leaders import LeaderService, LeaderServiceError
from services.members import MemberLookupService

NO_LEADER_WORDS = frozenset({"none", "-", "tidak", "tanpa", "hapus", "kosong"})


@admin_command(
    "leader_admin.usage_setleader",
    args=words(2),
    problems={LeaderServiceError: "leader_admin.problem_{problem}"},
)
async def set_leader_command(
    call: AdminCall,
    leaders: LeaderService,
    member_lookup: MemberLookupService,
    config: HandlerConfig,
) -> None:
    member = parse_member_ref(call.args[0])
    leader: MemberRef | None = None
    if call.args[1].lower() not in NO_LEADER_WORDS:
        leader = await after_member(member_lookup, member, lambda: parse_member_ref(call.args[1]))
    change = await leaders.set_leader_of(member, leader, call.actor)
    if change.new_leader is None:
        key = "leader_admin.removed"
    elif change.old_leader is None:
        key = "leader_admin.assigned"
    else:
        key = "leader_admin.changed"
    await call.say(
        key,
        name=change.member_name,
        telegram_id=change.member_telegram_id,
        old=change.old_leader or "-",
        new=change.new_leader or "-",
        at=shown_at(change.at, config.zone),
    )


@admin_command("leader_admin.usage_leaderhistory", args=words(1))
async def leader_history_command(
    call: AdminCall, leaders: LeaderService, config: HandlerConfig
) -> None:
    member = await leaders.history_of(parse_member_ref(call.args[0]))
    links = member.links
    if not links:
        await call.say(
            "leader_admin.history_none", name=member.name, telegram_id=member.telegram_id
        )
        return
    lines = [
        call.t(
            "leader_admin.history_header",
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
            call.t(
                "leader_admin.history_line",
                leader=link.leader_name,
                leader_id=link.leader_telegram_id,
                since=shown_at(link.valid_from, config.zone),
                until=shown_at(link.valid_to, config.zone)
                if link.valid_to
                else {"key": "leader_admin.until_now"},
                source={"key": f"leader_admin.source_{link.source.value}"},
                by=by,
            )
        )
    await call.reply_lines(lines)


def build_router() -> Router:
    router = Router(name="admin_leaders")
    router.message.filter(InAdminChat())
    router.message.register(set_leader_command, Command("setleader"))
    router.message.register(leader_history_command, Command("leaderhistory"))
    return router
