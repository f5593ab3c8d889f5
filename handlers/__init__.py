"""One Router per feature, built fresh for each dispatcher, in the order tried."""

from aiogram import Router

from handlers import fallback, start


def all_routers() -> list[Router]:
    return [start.build_router(), fallback.build_router()]
