"""The council's rules as tables: quorum, decision, tie, and the yearly minimum of meetings."""

from datetime import date

import pytest

from councils import rules
from councils.rules import (
    ABSTAIN,
    AGAINST,
    FOR,
    MAJORITY_OF_CAST,
    MAJORITY_OF_PRESENT,
    QUORUM_AT_LEAST_HALF,
    QUORUM_MORE_THAN_HALF,
    QUORUM_TWO_THIRDS,
    TIE_CHAIR_DECIDES,
    TIE_NOT_ADOPTED,
)


@pytest.mark.parametrize(
    ("members", "present", "rule", "quorate"),
    [
        (7, 0, QUORUM_MORE_THAN_HALF, False),  # nobody present
        (0, 0, QUORUM_MORE_THAN_HALF, False),  # a council without members
        (0, 0, QUORUM_AT_LEAST_HALF, False),
        (7, 3, QUORUM_MORE_THAN_HALF, False),
        (7, 4, QUORUM_MORE_THAN_HALF, True),
        (6, 3, QUORUM_MORE_THAN_HALF, False),  # exactly half is not more than half
        (6, 3, QUORUM_AT_LEAST_HALF, True),  # exactly half is at least half
        (6, 2, QUORUM_AT_LEAST_HALF, False),
        (7, 4, QUORUM_AT_LEAST_HALF, True),
        (7, 3, QUORUM_AT_LEAST_HALF, False),
        (6, 4, QUORUM_TWO_THIRDS, True),  # exactly two thirds
        (6, 3, QUORUM_TWO_THIRDS, False),
        (7, 4, QUORUM_TWO_THIRDS, False),  # 4/7 < 2/3
        (7, 5, QUORUM_TWO_THIRDS, True),
        (1, 1, QUORUM_MORE_THAN_HALF, True),
        (5, 5, QUORUM_TWO_THIRDS, True),
    ],
)
def test_quorum(members, present, rule, quorate):
    assert rules.has_quorum(present=present, members=members, rule=rule) is quorate


def test_quorum_needed_is_the_smallest_quorate_count():
    for rule in (QUORUM_MORE_THAN_HALF, QUORUM_AT_LEAST_HALF, QUORUM_TWO_THIRDS):
        for members in range(1, 30):
            needed = rules.quorum_needed(members, rule)
            assert rules.has_quorum(present=needed, members=members, rule=rule)
            assert not rules.has_quorum(present=needed - 1, members=members, rule=rule)


@pytest.mark.parametrize(
    ("votes", "eligible", "decision_rule", "tie_rule", "chair", "adopted", "tie"),
    [
        # simple majority of those present
        ((3, 1, 0), 4, MAJORITY_OF_PRESENT, TIE_CHAIR_DECIDES, FOR, True, False),
        ((2, 1, 1), 4, MAJORITY_OF_PRESENT, TIE_CHAIR_DECIDES, FOR, False, False),  # 2 of 4
        ((3, 0, 2), 5, MAJORITY_OF_PRESENT, TIE_CHAIR_DECIDES, None, True, False),
        ((2, 0, 3), 5, MAJORITY_OF_PRESENT, TIE_NOT_ADOPTED, FOR, False, False),
        ((2, 1, 0), 5, MAJORITY_OF_PRESENT, TIE_NOT_ADOPTED, FOR, False, False),  # absent votes
        # all abstain: no tie, no decision
        ((0, 0, 5), 5, MAJORITY_OF_PRESENT, TIE_CHAIR_DECIDES, ABSTAIN, False, False),
        ((0, 0, 5), 5, MAJORITY_OF_CAST, TIE_CHAIR_DECIDES, ABSTAIN, False, False),
        # nobody voted at all
        ((0, 0, 0), 5, MAJORITY_OF_CAST, TIE_CHAIR_DECIDES, None, False, False),
        # for = against, but not everyone voted: under majority of present that is no tie
        ((1, 1, 3), 5, MAJORITY_OF_PRESENT, TIE_CHAIR_DECIDES, FOR, False, False),
        ((2, 2, 1), 5, MAJORITY_OF_PRESENT, TIE_CHAIR_DECIDES, FOR, False, False),
        ((1, 1, 0), 3, MAJORITY_OF_PRESENT, TIE_CHAIR_DECIDES, FOR, False, False),  # one absent
        # tie with the chair deciding
        ((2, 2, 0), 4, MAJORITY_OF_PRESENT, TIE_CHAIR_DECIDES, FOR, True, True),
        ((2, 2, 0), 4, MAJORITY_OF_PRESENT, TIE_CHAIR_DECIDES, AGAINST, False, True),
        ((2, 2, 1), 5, MAJORITY_OF_CAST, TIE_CHAIR_DECIDES, FOR, True, True),
        (
            (2, 2, 1),
            5,
            MAJORITY_OF_CAST,
            TIE_CHAIR_DECIDES,
            ABSTAIN,
            False,
            True,
        ),  # chair abstained
        ((2, 2, 0), 4, MAJORITY_OF_CAST, TIE_CHAIR_DECIDES, None, False, True),  # chair absent
        # tie without the chair deciding
        ((2, 2, 0), 4, MAJORITY_OF_PRESENT, TIE_NOT_ADOPTED, FOR, False, True),
        ((1, 1, 3), 5, MAJORITY_OF_CAST, TIE_NOT_ADOPTED, FOR, False, True),
        # majority of votes cast
        ((2, 1, 2), 5, MAJORITY_OF_CAST, TIE_NOT_ADOPTED, None, True, False),
        ((1, 2, 2), 5, MAJORITY_OF_CAST, TIE_CHAIR_DECIDES, FOR, False, False),
    ],
)
def test_decide(votes, eligible, decision_rule, tie_rule, chair, adopted, tie):
    result = rules.decide(
        votes_for=votes[0],
        votes_against=votes[1],
        abstained=votes[2],
        eligible=eligible,
        decision_rule=decision_rule,
        tie_rule=tie_rule,
        chair_vote=chair,
    )
    assert (result.adopted, result.tie) == (adopted, tie)
    assert result.decided_by_chair is (tie and tie_rule == TIE_CHAIR_DECIDES)


def test_more_votes_than_voters_is_an_error():
    with pytest.raises(ValueError):
        rules.decide(
            votes_for=3,
            votes_against=2,
            abstained=0,
            eligible=4,
            decision_rule=MAJORITY_OF_PRESENT,
            tie_rule=TIE_CHAIR_DECIDES,
            chair_vote=FOR,
        )


@pytest.mark.parametrize(
    ("held", "required", "today", "warn"),
    [
        (0, 3, date(2026, 1, 15), False),  # the year has just begun
        (0, 3, date(2026, 8, 1), True),  # 153 days for 3 meetings
        (1, 3, date(2026, 9, 1), False),  # 122 days for 2: just enough
        (1, 3, date(2026, 11, 1), True),
        (2, 3, date(2026, 11, 15), True),  # 47 days for 1
        (2, 3, date(2026, 10, 31), False),  # 62 days for 1
        (3, 3, date(2026, 12, 31), False),  # done
        (0, 0, date(2026, 12, 31), False),  # no minimum
    ],
)
def test_the_yearly_minimum_warns_when_the_year_runs_out(held, required, today, warn):
    assert rules.meetings_behind(held=held, required=required, today=today) is warn
