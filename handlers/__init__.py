"""The bot's conversations: handlers/member/ (what a member does in private chat, and the
VIP group's doorman), handlers/admin/ (what admins do in the admin group) and
handlers/common/ (what they share). A handler parses the update, calls a service and
renders the answer.

`all_routers()` builds one Router per feature, fresh for each dispatcher, in the order
they are tried."""

from aiogram import Router

from handlers import admin
from handlers.member import (
    account,
    affiliate,
    buying,
    fallback,
    group,
    library,
    me,
    meetings,
    proof,
    questions,
    reports,
    shop,
    start,
    vip,
)


def all_routers() -> list[Router]:
    return [
        group.build_router(),
        start.build_router(),
        *admin.routers(),
        reports.build_router(),
        account.build_router(),
        affiliate.build_router(),
        vip.build_router(),
        # What was one shop router, in the order its handlers were tried:
        # /buy, /me, /cancel, then a picture as the payment proof.
        shop.build_router(),
        me.build_router(),
        buying.build_router(),
        proof.build_router(),
        library.build_router(),
        meetings.build_router(),
        # What a member writes outside every flow above is a question to the admins.
        questions.build_router(),
        fallback.build_router(),
    ]
