"""The quorum rule: by default a majority attending, with government and civil society both there."""

import pytest

from forums.models import Forum
from forums.services import quorum

G, C, O = "government", "civil_society", "other"  # noqa: E741 (O for "other", as the quorum tables read)
P, A, R = "present", "absent", "represented"
DEFAULT = Forum.QuorumRule.MAJORITY_BOTH_SECTORS


def test_majority_with_both_sectors_is_a_quorum():
    q = quorum(DEFAULT, [(G, P), (G, P), (G, A), (C, P), (C, A), (C, A)])
    assert (q.attending, q.required, q.met) == (3, 4, False)  # 3 of 6 is not a majority
    q = quorum(DEFAULT, [(G, P), (G, P), (G, A), (C, P), (C, P), (C, A)])
    assert (q.attending, q.required, q.met) == (4, 4, True)


def test_a_majority_of_one_sector_alone_is_no_quorum():
    q = quorum(DEFAULT, [(G, P), (G, P), (G, P), (G, P), (C, A), (C, A)])
    assert not q.met and q.sectors_missing == (C,)


def test_a_represented_member_counts_as_attending():
    q = quorum(DEFAULT, [(G, R), (G, P), (G, A), (C, R), (C, P), (C, A)])
    assert q.attending == 4 and q.met


def test_plain_majority_rule_ignores_sectors():
    q = quorum(Forum.QuorumRule.MAJORITY, [(G, P), (G, P), (G, P), (G, P), (C, A), (C, A)])
    assert q.met and q.sectors_missing == ()


@pytest.mark.parametrize(("present", "met"), [(3, False), (4, True)])
def test_two_thirds_rule(present, met):
    records = [(G, P if i < present // 2 + present % 2 else A) for i in range(3)] + [
        (C, P if i < present // 2 else A) for i in range(3)
    ]
    q = quorum(Forum.QuorumRule.TWO_THIRDS_BOTH_SECTORS, records)
    assert q.required == 4 and q.met is met


def test_no_one_seated_is_no_quorum():
    assert not quorum(DEFAULT, []).met
