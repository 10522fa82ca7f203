"""Pipeline stage rules without a database: probabilities, names, keys, order, removal,
and which stage changes are announced."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.announcements import Event, announcement_event
from domain.errors import DomainError, NotFound
from domain.pipeline import DEFAULT_STAGES, Deal, Outcome, Stage
from domain.pipeline_stages import (
    check_name,
    check_removable,
    find_stage,
    moved,
    new_key,
    ordered,
    parse_probability,
    percent,
)

NOW = datetime(2026, 3, 2, tzinfo=UTC)
STAGES = [
    Stage(id=i, team_id="T", active=True, **spec.model_dump())
    for i, spec in enumerate(DEFAULT_STAGES, start=1)
]


@pytest.mark.parametrize(
    ("text", "value"),
    [("35%", "0.35"), ("35", "0.35"), (" 12.5 % ", "0.125"), ("0", "0"), ("100%", "1")],
)
def test_probabilities_are_percentages(text: str, value: str) -> None:
    assert parse_probability(text) == Decimal(value)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("150%", "over 100%"),
        ("abc", "is not a probability"),
        ("-5", "is not a probability"),
        ("", "Give a probability"),
        ("33.333%", "at most two decimals"),
    ],
)
def test_bad_probabilities_say_why(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_probability(text)


def test_percent_shows_a_probability_briefly() -> None:
    assert [percent(Decimal(v)) for v in ("0.1", "0.125", "1", "0")] == [
        "10%",
        "12.5%",
        "100%",
        "0%",
    ]


def test_names_must_be_given_short_and_free() -> None:
    assert check_name("  Site   visit ", STAGES) == "Site visit"
    assert check_name("proposal", STAGES, stage_id=3) == "proposal"  # its own name
    with pytest.raises(ValueError, match="Give the stage a name"):
        check_name("  ", STAGES)
    with pytest.raises(ValueError, match="already a stage called Proposal"):
        check_name("PROPOSAL", STAGES)
    with pytest.raises(ValueError, match="under 60 characters"):
        check_name("x" * 61, STAGES)


def test_new_keys_are_slugs_unique_among_all_stages() -> None:
    assert new_key("Site visit!", STAGES) == "site-visit"
    removed = STAGES[2].model_copy(update={"active": False})
    assert new_key("Proposal", [removed]) == "proposal-2"
    assert new_key("!!!", STAGES) == "stage"


def test_open_stages_come_first_and_move_within_bounds() -> None:
    shuffled = [STAGES[4], STAGES[1], STAGES[5], STAGES[0], STAGES[3], STAGES[2]]
    assert [s.key for s in ordered(shuffled)] == [s.key for s in STAGES]
    open_stages = STAGES[:4]
    assert [s.key for s in moved(open_stages, STAGES[2], -1)] == [
        "prospecting", "proposal", "qualification", "negotiation",
    ]  # fmt: skip
    assert moved(open_stages, STAGES[0], -3)[0].key == "prospecting"
    assert [s.key for s in moved(open_stages, STAGES[0], 9)][-1] == "prospecting"


def test_won_lost_and_the_last_open_stage_cannot_be_removed() -> None:
    with pytest.raises(DomainError, match="renamed but not removed"):
        check_removable(STAGES, STAGES[4])
    only_one = [STAGES[0], STAGES[4], STAGES[5]]
    with pytest.raises(DomainError, match="last open stage"):
        check_removable(only_one, STAGES[0])
    check_removable(STAGES, STAGES[0])
    with pytest.raises(NotFound, match="There is no stage “x”"):
        find_stage(STAGES, "x")


def deal(amount: str) -> Deal:
    return Deal(
        id=1, team_id="T", number=1, title="t", customer_id=1, amount=Decimal(amount),
        stage_id=1, owner_id="U", status=Outcome.OPEN, created_at=NOW, updated_at=NOW,
        stage_changed_at=NOW, last_activity_at=NOW,
    )  # fmt: skip


def test_wins_and_losses_are_always_announced_moves_only_when_big() -> None:
    won, lost, proposal = STAGES[4], STAGES[5], STAGES[2]
    assert announcement_event(deal("1"), won, None) is Event.WON
    assert announcement_event(deal("1"), lost, Decimal(10)) is Event.LOST
    assert announcement_event(deal("10"), proposal, None) is None
    assert announcement_event(deal("10"), proposal, Decimal(10)) is Event.MOVE
    assert announcement_event(deal("9.99"), proposal, Decimal(10)) is None
