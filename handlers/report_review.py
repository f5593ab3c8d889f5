"""(being written)"""

from aiogram import Router


def build_router() -> Router:
    return Router(name="report_review")
