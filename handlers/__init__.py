"""One Router per feature, built fresh for each dispatcher, in the order tried."""

from aiogram import Router

from handlers import admin_tools, fallback, review, shop, start


def all_routers() -> list[Router]:
    return [
        start.build_router(),
        review.build_router(),
        admin_tools.build_router(),
        shop.build_router(),
        fallback.build_router(),
    ]
