"""Affiliate accounts in the admin group (filled in by the affiliates work)."""

from aiogram import Router


def build_router() -> Router:
    return Router(name="affiliates_admin")
