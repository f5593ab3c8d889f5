"""The VIP discussion group: join requests and member updates."""

from aiogram import Router


def build_router() -> Router:
    return Router(name="group")
