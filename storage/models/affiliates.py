"""TikTok affiliate accounts and who held them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.states import (
    ShopStatus,
)
from storage.models.base import Base
from storage.types import status_enum


class AffiliateAccount(Base):
    __tablename__ = "affiliate_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    tiktok_username: Mapped[str] = mapped_column(String(64), unique=True)
    tiktok_account_id: Mapped[str | None] = mapped_column(String(64))
    shop_id: Mapped[str | None] = mapped_column(String(64))
    shop_name: Mapped[str | None] = mapped_column(String(128))
    shop_status: Mapped[ShopStatus] = mapped_column(
        status_enum(ShopStatus, "shop_status"), index=True
    )
    yellow_cart: Mapped[bool] = mapped_column(Boolean, default=False)
    yellow_cart_verified_at: Mapped[datetime | None]
    notes: Mapped[str | None] = mapped_column(Text)
    # Fernet token (MultiFernet over CREDENTIALS_KEYS); never decrypted for admins.
    credentials_encrypted: Mapped[str | None] = mapped_column(Text)
    # Unique: a member holds at most one account, an account has at most one holder.
    holder_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), unique=True)
    assigned_at: Mapped[datetime | None]
    assigned_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


class AffiliateAssignment(Base):
    __tablename__ = "affiliate_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("affiliate_accounts.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    assigned_at: Mapped[datetime]
    assigned_by: Mapped[int | None] = mapped_column(BigInteger)
    unassigned_at: Mapped[datetime | None]
    unassign_reason: Mapped[str | None] = mapped_column(String(32))
