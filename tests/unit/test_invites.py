"""Who may ask for a personal invite to the discussion group."""

from __future__ import annotations

import itertools

import pytest

from domain.invites import InviteRefusal, invite_refusal


def test_a_vip_outside_a_configured_group_may_ask() -> None:
    assert invite_refusal(has_access=True, configured=True, inside=False) is None


@pytest.mark.parametrize(("configured", "inside"), list(itertools.product([True, False], repeat=2)))
def test_no_access_is_the_answer_for_anyone_without_vip(configured: bool, inside: bool) -> None:
    refused = invite_refusal(has_access=False, configured=configured, inside=inside)
    assert refused is InviteRefusal.NOT_VIP


@pytest.mark.parametrize("inside", [True, False])
def test_a_vip_hears_the_group_is_not_set_up_before_anything_else(inside: bool) -> None:
    refused = invite_refusal(has_access=True, configured=False, inside=inside)
    assert refused is InviteRefusal.NOT_CONFIGURED


def test_a_vip_inside_the_group_needs_no_invite() -> None:
    assert invite_refusal(has_access=True, configured=True, inside=True) is InviteRefusal.INSIDE
