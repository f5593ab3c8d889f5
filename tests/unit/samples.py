"""The sample catalog the domain tests share: the seed plans plus temporal ones."""

from datetime import UTC, datetime

from domain.catalog import Plan, Tier

BASIC = Tier("basic", 1)
VIP = Tier("vip", 2)
BASIC_LIFETIME = Plan(1, "basic_lifetime", BASIC, None, 97_000)
VIP_LIFETIME = Plan(2, "vip_lifetime", VIP, None, 299_000)
VIP_30 = Plan(3, "vip_30", VIP, 30, 500_000)
VIP_180 = Plan(4, "vip_180", VIP, 180, 1_500_000)
BASIC_30 = Plan(5, "basic_30", BASIC, 30, 50_000)
VIP_90 = Plan(6, "vip_90", VIP, 90, 1_000_000)

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
