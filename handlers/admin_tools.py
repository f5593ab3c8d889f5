"""Admin-group commands: member lookup, grant/revoke, plans, prices, payment methods."""

from aiogram import Router

from handlers.filters import InAdminChat


def build_router() -> Router:
    router = Router(name="admin_tools")
    router.message.filter(InAdminChat())
    return router
