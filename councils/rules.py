"""How a council decides, as pure functions of counts (no ORM), table-tested in
tests/unit/test_council_rules.py."""

from dataclasses import dataclass
from datetime import date

QUORUM_MORE_THAN_HALF = "more_than_half"
QUORUM_AT_LEAST_HALF = "at_least_half"
QUORUM_TWO_THIRDS = "two_thirds"
MAJORITY_OF_PRESENT = "majority_of_present"
MAJORITY_OF_CAST = "majority_of_cast"
TIE_CHAIR_DECIDES = "chair_decides"
TIE_NOT_ADOPTED = "not_adopted"
FOR, AGAINST, ABSTAIN = "for", "against", "abstain"


def quorum_needed(members: int, rule: str) -> int:
    """The smallest number of members present that makes the meeting quorate (never below 1)."""
    if members <= 0:
        return 1
    if rule == QUORUM_MORE_THAN_HALF:
        return members // 2 + 1
    if rule == QUORUM_AT_LEAST_HALF:
        return (members + 1) // 2
    if rule == QUORUM_TWO_THIRDS:
        return -(-2 * members // 3)
    raise ValueError(f"unknown quorum rule {rule!r}")


def has_quorum(*, present: int, members: int, rule: str) -> bool:
    """Nobody present is never a quorum, whatever the rule and however small the council."""
    return present > 0 and members > 0 and present >= quorum_needed(members, rule)


@dataclass(frozen=True)
class Result:
    adopted: bool
    tie: bool
    decided_by_chair: bool


def decide(
    *,
    votes_for: int,
    votes_against: int,
    abstained: int,
    eligible: int,
    decision_rule: str,
    tie_rule: str,
    chair_vote: str | None,
) -> Result:
    """The outcome of one item.

    `eligible` is the number of members present who may vote on the item (recused ones out).
    Majority of those present: more than half of `eligible` voted for; a tie is the council
    split exactly in half, everyone voting for or against. Majority of the votes cast: more
    for than against; a tie is as many for as against, at least one each. All abstaining is
    no tie, just no decision. With the chair-decides rule the chair's own vote settles a tie;
    a chair who abstained or did not vote leaves it not adopted.
    """
    if min(votes_for, votes_against, abstained) < 0:
        raise ValueError("vote counts cannot be negative")
    if votes_for + votes_against + abstained > eligible:
        raise ValueError("more votes than members entitled to vote")
    split = votes_for == votes_against and votes_for > 0
    if decision_rule == MAJORITY_OF_PRESENT:
        adopted = votes_for * 2 > eligible
        tie = split and votes_for * 2 == eligible
    elif decision_rule == MAJORITY_OF_CAST:
        adopted = votes_for > votes_against
        tie = split
    else:
        raise ValueError(f"unknown decision rule {decision_rule!r}")
    if tie and not adopted:
        if tie_rule == TIE_CHAIR_DECIDES:
            return Result(adopted=chair_vote == FOR, tie=True, decided_by_chair=True)
        if tie_rule != TIE_NOT_ADOPTED:
            raise ValueError(f"unknown tie rule {tie_rule!r}")
    return Result(adopted=adopted, tie=tie, decided_by_chair=False)


def meetings_behind(*, held: int, required: int, today: date) -> bool:
    """Warn when the year's minimum of meetings is at risk: fewer held than required and less
    than two months of the calendar year left for each meeting still to hold."""
    missing = required - held
    if required <= 0 or missing <= 0:
        return False
    days_left = (date(today.year, 12, 31) - today).days + 1
    return days_left < missing * 61
