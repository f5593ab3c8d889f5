"""The affiliate account rules (domain/affiliates.py): fields, usernames, who may get an
account, who may see its login, the yellow cart and the suspension alert."""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from domain.affiliates import (
    ACCOUNT_ID_MAX,
    NOTES_MAX,
    SHOP_ID_MAX,
    SHOP_NAME_MAX,
    Account,
    AccountField,
    CartRefusal,
    FieldTooLong,
    Unassignable,
    VerifiedDayProblem,
    account_number,
    cart_refusal,
    checked_field,
    checked_notes,
    clean_text,
    is_available,
    may_reveal,
    normal_username,
    offer,
    suspension_alerts,
    verified_day_problem,
    why_unassignable,
)
from domain.states import ShopStatus

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
FREE = Account(
    id=1,
    tiktok_username="toko.ani",
    tiktok_account_id=None,
    shop_id=None,
    shop_name="Toko Ani",
    shop_status=ShopStatus.ACTIVE,
    yellow_cart=False,
    yellow_cart_verified_at=None,
    notes=None,
    credentials_encrypted=None,
    holder_member_id=None,
    assigned_at=None,
    assigned_by=None,
    created_at=NOW,
)
HELD = replace(FREE, holder_member_id=7, assigned_at=NOW, assigned_by=99)


# --- fields --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("which", "limit"),
    [
        (AccountField.TIKTOK_ACCOUNT_ID, ACCOUNT_ID_MAX),
        (AccountField.SHOP_ID, SHOP_ID_MAX),
        (AccountField.SHOP_NAME, SHOP_NAME_MAX),
        (AccountField.NOTES, NOTES_MAX),
    ],
)
def test_a_field_at_its_limit_is_kept_and_one_over_it_is_refused(
    which: AccountField, limit: int
) -> None:
    assert which.limit == limit
    assert checked_field(which, "x" * limit) == "x" * limit
    with pytest.raises(FieldTooLong) as caught:
        checked_field(which, "x" * (limit + 1))
    assert (caught.value.field, caught.value.limit) == (which, limit)


def test_a_field_is_cleaned_of_extra_spaces_and_blank_means_none() -> None:
    assert checked_field(AccountField.SHOP_NAME, "  Toko \n  Ani  ") == "Toko Ani"
    assert checked_field(AccountField.SHOP_ID, "   ") is None
    assert checked_field(AccountField.SHOP_ID, None) is None
    assert clean_text("\t") is None
    # Spaces count after cleaning: a long run of them does not make a name too long.
    assert checked_field(AccountField.SHOP_NAME, "a" + " " * 500 + "b") == "a b"


def test_notes_keep_their_line_breaks_and_blank_notes_clear_them() -> None:
    assert checked_notes(" Password diganti\nkemarin ") == "Password diganti\nkemarin"
    assert checked_notes("   ") is None and checked_notes(None) is None
    assert checked_notes("x" * NOTES_MAX) == "x" * NOTES_MAX
    with pytest.raises(FieldTooLong) as caught:
        checked_notes("x" * (NOTES_MAX + 1))
    assert (caught.value.field, caught.value.limit) == (AccountField.NOTES, NOTES_MAX)


# --- usernames and numbers -----------------------------------------------------------------


def test_usernames_are_tiktok_names_in_lower_case() -> None:
    assert normal_username("@Toko.Ani_01") == "toko.ani_01"
    assert normal_username("  ab  ") == "ab"
    assert normal_username("x" * 24) == "x" * 24
    for bad in ("a", "x" * 25, "toko ani", "toko-ani", "@", "", "@@ani"):
        assert normal_username(bad) is None


def test_an_account_number_is_digits_with_an_optional_hash() -> None:
    assert account_number("12") == 12
    assert account_number(" #12 ") == 12
    assert account_number("@12") is None
    assert account_number("12a") is None
    assert account_number("1" * 19) is None


# --- giving accounts out -------------------------------------------------------------------


def test_an_account_is_available_when_nobody_holds_it_and_its_shop_is_active() -> None:
    assert FREE.available and is_available(None, ShopStatus.ACTIVE)
    assert not HELD.available
    assert not replace(FREE, shop_status=ShopStatus.SUSPENDED).available
    assert not is_available(None, ShopStatus.INACTIVE)


def test_a_held_or_inactive_account_cannot_be_assigned() -> None:
    assert why_unassignable(FREE) is None
    assert why_unassignable(HELD) is Unassignable.TAKEN
    # Held and suspended: being held is what the admin is told.
    suspended_and_held = replace(HELD, shop_status=ShopStatus.SUSPENDED)
    assert why_unassignable(suspended_and_held) is Unassignable.TAKEN
    for status in (ShopStatus.SUSPENDED, ShopStatus.INACTIVE):
        assert why_unassignable(replace(FREE, shop_status=status)) is Unassignable.NOT_ACTIVE


def test_the_offer_goes_only_to_a_vip_holding_no_account() -> None:
    assert offer(True, None, FREE) is FREE
    assert offer(True, None, None) is None  # nothing available
    assert offer(False, None, FREE) is None  # not a VIP
    assert offer(True, HELD, FREE) is None  # holds one already


def test_only_a_vip_holder_may_see_the_login() -> None:
    assert may_reveal(HELD, True)
    assert not may_reveal(HELD, False)  # VIP has ended
    assert not may_reveal(None, True)  # holds none


# --- changes an admin makes ----------------------------------------------------------------


def test_the_yellow_cart_is_verified_once_and_can_be_taken_back() -> None:
    verified = replace(FREE, yellow_cart=True, yellow_cart_verified_at=NOW)
    assert cart_refusal(FREE, True) is None
    assert cart_refusal(verified, True) is CartRefusal.ALREADY_VERIFIED
    # A yellow cart without a date (from a file) can still be marked verified.
    assert cart_refusal(replace(FREE, yellow_cart=True), True) is None
    assert cart_refusal(verified, False) is None
    assert cart_refusal(FREE, False) is CartRefusal.NOT_VERIFIED


def test_only_a_held_account_becoming_suspended_alerts() -> None:
    assert suspension_alerts(ShopStatus.SUSPENDED, HELD)
    assert not suspension_alerts(ShopStatus.SUSPENDED, FREE)
    assert not suspension_alerts(ShopStatus.INACTIVE, HELD)


def test_a_verification_day_from_a_file_is_not_in_the_future_nor_without_a_cart() -> None:
    today = date(2026, 1, 15)
    assert verified_day_problem(date(2026, 1, 15), today, True) is None
    assert verified_day_problem(date(2026, 1, 5), today, None) is None  # blank cart: has one
    assert verified_day_problem(date(2026, 1, 16), today, True) is VerifiedDayProblem.FUTURE
    assert verified_day_problem(date(2026, 1, 5), today, False) is VerifiedDayProblem.WITHOUT_CART
    # The future is named first, even on a row without a cart.
    assert verified_day_problem(date(2030, 1, 1), today, False) is VerifiedDayProblem.FUTURE
