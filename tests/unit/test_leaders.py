from domain.leaders import LeaderError, check_leader


def test_a_member_cannot_be_their_own_leader() -> None:
    assert check_leader(1, 1, {}) is LeaderError.SELF


def test_a_member_without_relations_can_get_any_other_leader() -> None:
    assert check_leader(1, 2, {}) is None
    assert check_leader(1, 2, {1: None, 2: None}) is None


def test_a_leader_cannot_become_the_sub_of_their_own_sub() -> None:
    # 2 is led by 1; making 2 the leader of 1 would close a loop.
    assert check_leader(1, 2, {2: 1}) is LeaderError.LOOP


def test_a_loop_is_found_at_the_end_of_a_deep_chain() -> None:
    # 1 ← 2 ← 3 ← … ← 50: member 1 leads the whole chain, so no one in it can lead 1.
    chain = {n: n - 1 for n in range(2, 51)}
    assert check_leader(1, 50, chain) is LeaderError.LOOP
    assert check_leader(1, 25, chain) is LeaderError.LOOP


def test_a_deep_chain_not_containing_the_member_is_fine() -> None:
    chain = {n: n - 1 for n in range(2, 51)}
    assert check_leader(100, 50, chain) is None
    # Moving someone from the middle of a chain under its top is allowed too.
    assert check_leader(25, 1, chain) is None


def test_an_existing_cycle_elsewhere_in_the_data_does_not_hang_the_check() -> None:
    broken = {2: 3, 3: 4, 4: 2}
    assert check_leader(1, 2, broken) is None


def test_changing_a_leader_the_member_already_has_is_allowed() -> None:
    assert check_leader(3, 2, {3: 1, 2: 1}) is None
