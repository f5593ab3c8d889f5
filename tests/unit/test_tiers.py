from domain.catalog import Tier
from domain.tiers import NextPurchase, next_purchase


def test_a_member_without_a_tier_is_pointed_to_buying_a_plan() -> None:
    assert next_purchase(None) is NextPurchase.BUY


def test_a_basic_member_is_pointed_to_the_upgrade() -> None:
    assert next_purchase(Tier("basic", 1)) is NextPurchase.UPGRADE


def test_a_vip_member_has_nothing_higher_to_buy() -> None:
    assert next_purchase(Tier("vip", 2)) is NextPurchase.TOP


def test_the_top_is_the_vip_tier_by_its_code_not_its_rank() -> None:
    assert next_purchase(Tier("vip", 1)) is NextPurchase.TOP
    assert next_purchase(Tier("platinum", 3)) is NextPurchase.UPGRADE
