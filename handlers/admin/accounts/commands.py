"""Account commands (/accounts [filter] answers with the accounts screen: listing.py,
with `account_filter` here): /account ACCOUNT, /assignaccount [ACCOUNT] MEMBER,
/unassignaccount ACCOUNT, /accountstatus ACCOUNT STATUS, /cartverified ACCOUNT [off],
/accountnote ACCOUNT TEXT|-. ACCOUNT is `#12` or `@tiktok_username`; MEMBER a Telegram
id or @username."""

from __future__ import annotations

from handlers.admin.accounts.views import (
    PROBLEMS,
    SKIP_WORDS,
    card_markup,
    card_text,
    status_param,
)
from handlers.common.admin_command import AdminCall, admin_command, fields, shown_day, words
from handlers.common.config import HandlerConfig
from kernel.admin_input import parse_member_ref
from services.affiliates import (
    AccountFilter,
    AffiliateService,
    parse_account_ref,
    parse_filter,
    parse_status,
)

UNVERIFY_WORDS = frozenset({"off", "batal", "no", "tidak", "undo", "hapus"})


def account_filter(text: str) -> AccountFilter | None:
    """No word: every account; one known filter word: those; anything else: the usage."""
    args = text.split()
    return parse_filter(args[0]) if len(args) == 1 else (AccountFilter.ALL if not args else None)


def cart_args(text: str) -> list[str] | None:
    """ACCOUNT (verified) or ACCOUNT off (not verified any more)."""
    args = text.split()
    if len(args) not in (1, 2) or (len(args) == 2 and args[1].lower() not in UNVERIFY_WORDS):
        return None
    return args


@admin_command("affiliates.usage_account", args=words(1), problems=PROBLEMS)
async def account_command(
    call: AdminCall, affiliates: AffiliateService, config: HandlerConfig
) -> None:
    card = await affiliates.card(parse_account_ref(call.args[0]))
    await call.message.reply(
        card_text(card, call.i18n, call.lang, config),
        reply_markup=card_markup(card, call.i18n, call.lang),
    )


@admin_command("affiliates.usage_assign", args=words(1, 2), problems=PROBLEMS)
async def assign_command(call: AdminCall, affiliates: AffiliateService) -> None:
    args = call.args
    account = parse_account_ref(args[0]) if len(args) == 2 else None
    done = await affiliates.assign_to(account, parse_member_ref(args[-1]), call.actor)
    await call.say(
        "affiliates.assigned",
        username=done.account.username,
        id=done.account.id,
        name=done.member.name,
        telegram_id=done.member.telegram_id,
    )


@admin_command("affiliates.usage_unassign", args=words(1), problems=PROBLEMS)
async def unassign_command(call: AdminCall, affiliates: AffiliateService) -> None:
    done = await affiliates.unassign(parse_account_ref(call.args[0]), call.actor)
    await call.say(
        "affiliates.unassigned",
        username=done.account.username,
        id=done.account.id,
        name=done.former.name,
        telegram_id=done.former.telegram_id,
    )


@admin_command("affiliates.usage_status", args=words(2), problems=PROBLEMS)
async def status_command(call: AdminCall, affiliates: AffiliateService) -> None:
    ref = parse_account_ref(call.args[0])
    status = parse_status(call.args[1])
    done = await affiliates.set_status(ref, status, call.actor)
    text = call.t(
        "affiliates.status_changed",
        username=done.account.username,
        id=done.account.id,
        old=status_param(done.old),
        new=status_param(done.account.status),
    )
    if done.alerted and done.account.holder is not None:
        text += call.t("affiliates.status_alerted", name=done.account.holder.name)
    await call.message.reply(text)


@admin_command("affiliates.usage_cart", args=cart_args, problems=PROBLEMS)
async def cart_command(
    call: AdminCall, affiliates: AffiliateService, config: HandlerConfig
) -> None:
    verified = len(call.args) == 1
    card = await affiliates.set_cart_verified(parse_account_ref(call.args[0]), verified, call.actor)
    await call.say(
        "affiliates.cart_done_on" if verified else "affiliates.cart_done_off",
        username=card.username,
        id=card.id,
        at=shown_day(card.yellow_cart_verified_at, config.zone),
    )


@admin_command("affiliates.usage_note", args=fields(2, maxsplit=1), problems=PROBLEMS)
async def note_command(call: AdminCall, affiliates: AffiliateService) -> None:
    ref, given = call.args
    text = None if given.strip() in SKIP_WORDS else given
    card = await affiliates.set_notes(parse_account_ref(ref), text, call.actor)
    key = "affiliates.note_saved" if card.notes else "affiliates.note_cleared"
    await call.say(key, username=card.username, id=card.id)
