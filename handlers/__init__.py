"""One Router per feature, built fresh for each dispatcher, in the order tried."""

from aiogram import Router

from handlers import (
    account,
    admin_tools,
    affiliates_admin,
    affiliates_member,
    fallback,
    group,
    ledger_admin,
    report_review,
    reports,
    review,
    shop,
    start,
    vip,
)


def all_routers() -> list[Router]:
    return [
        group.build_router(),
        start.build_router(),
        review.build_router(),
        report_review.build_router(),
        admin_tools.build_router(),
        ledger_admin.build_router(),
        affiliates_admin.build_router(),
        reports.build_router(),
        account.build_router(),
        affiliates_member.build_router(),
        vip.build_router(),
        shop.build_router(),
        fallback.build_router(),
    ]
