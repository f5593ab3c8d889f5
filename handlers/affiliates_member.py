"""An affiliate account's holder sees its login (filled in by the affiliates work)."""

from aiogram import Router


def build_router() -> Router:
    return Router(name="affiliates_member")
