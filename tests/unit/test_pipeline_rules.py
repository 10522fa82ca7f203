"""Pipeline rules without a database: validating a new deal, a deal's clocks, who may move it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.errors import ValidationFailed
from domain.pipeline import (
    DEFAULT_STAGES,
    Deal,
    DealDraft,
    Outcome,
    Stage,
    can_change,
    stage_named,
)
from domain.workspaces import Role, User

TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)


def draft(**overrides: object) -> DealDraft:
    fields: dict[str, object] = {
        "title": "  Acme renewal ",
        "customer_id": 7,
        "amount": "12,000.50",
        "expected_close": "2026-04-30",
        "owner_id": "U0REP",
        "today": TODAY,
    }
    fields.update(overrides)
    return DealDraft.from_input(**fields)  # type: ignore[arg-type]


def errors_of(**overrides: object) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        draft(**overrides)
    return caught.value.errors


def deal(**overrides: object) -> Deal:
    fields: dict[str, object] = {
        "id": 1,
        "team_id": "T1",
        "number": 42,
        "title": "Acme renewal",
        "customer_id": 7,
        "amount": Decimal("100.0000"),
        "expected_close": date(2026, 3, 1),
        "stage_id": 3,
        "owner_id": "U0REP",
        "status": Outcome.OPEN,
        "created_at": NOW - timedelta(days=10, hours=2),
        "updated_at": NOW,
        "stage_changed_at": NOW - timedelta(days=3, hours=1),
        "last_activity_at": NOW,
    }
    fields.update(overrides)
    return Deal.model_validate(fields)


def test_a_valid_draft_is_trimmed_and_exact() -> None:
    made = draft()
    assert made.title == "Acme renewal"
    assert made.amount == Decimal("12000.5000")
    assert made.expected_close == date(2026, 4, 30)
    assert made.stage_key is None
    assert made.title_key == "acme renewal"


def test_a_close_date_in_1970_is_refused_with_a_clear_message() -> None:
    assert errors_of(expected_close=date(1970, 1, 1)) == {
        "expected_close": "A close date in 1970 is too far back: give 2000-01-01 or later."
    }


def test_a_close_date_more_than_ten_years_ahead_is_refused() -> None:
    message = errors_of(expected_close="2036-03-03")["expected_close"]
    assert message.startswith("A close date in 2036 is too far ahead")
    assert draft(expected_close="2036-03-02").expected_close == date(2036, 3, 2)


def test_a_close_date_that_is_not_a_date_is_refused() -> None:
    assert errors_of(expected_close="next week") == {
        "expected_close": "“next week” is not a date: write it like 2026-03-31."
    }


def test_no_close_date_is_fine() -> None:
    assert draft(expected_close=None).expected_close is None
    assert draft(expected_close=" ").expected_close is None


def test_a_negative_amount_is_refused() -> None:
    assert errors_of(amount="-5") == {
        "amount": "Amount: -5 is negative; amounts here are 0 or more."
    }


def test_every_bad_field_is_reported_at_once() -> None:
    errors = errors_of(title=" ", customer_id=None, amount="lots", owner_id="")
    assert errors == {
        "title": "Give the deal a title.",
        "customer": "Pick the customer the deal is for.",
        "amount": "Amount: “lots” is not an amount; write it like 12.50.",
        "owner": "Pick the deal's owner.",
    }


def test_days_in_stage_age_and_overdue() -> None:
    open_deal = deal()
    assert open_deal.public_id == "D-42"
    assert open_deal.days_in_stage(NOW) == 3
    assert open_deal.age(NOW) == timedelta(days=10, hours=2)
    assert open_deal.is_overdue(TODAY)
    assert not open_deal.is_overdue(date(2026, 3, 1))
    assert not deal(expected_close=None).is_overdue(TODAY)
    won = deal(status=Outcome.WON, closed_at=NOW - timedelta(days=4))
    assert not won.is_overdue(TODAY)
    assert won.age(NOW) == timedelta(days=6, hours=2)  # a closed deal stops ageing


def test_only_the_owner_a_manager_or_an_admin_may_change_a_deal() -> None:
    def user(slack_id: str, role: Role, team: str = "T1") -> User:
        return User(team_id=team, slack_user_id=slack_id, role=role, created_at=NOW)

    subject = deal()
    assert can_change(subject, user("U0REP", Role.REP))
    assert can_change(subject, user("U0MGR", Role.MANAGER))
    assert can_change(subject, user("U0ADM", Role.ADMIN))
    assert not can_change(subject, user("U0OTHER", Role.REP))
    assert not can_change(subject, user("U0ADM", Role.ADMIN, team="T2"))


def test_stages_are_found_by_key_or_name_and_unknown_ones_list_the_choices() -> None:
    stages = [
        Stage(id=n, team_id="T1", active=True, **spec.model_dump())
        for n, spec in enumerate(DEFAULT_STAGES, 1)
    ]
    assert stage_named(stages, "Proposal").key == "proposal"
    assert stage_named(stages, " NEGOTIATION ").key == "negotiation"
    with pytest.raises(ValidationFailed) as caught:
        stage_named(stages, "closing")
    assert caught.value.errors == {
        "stage": "There is no stage “closing”: pick one of Prospecting, Qualification, "
        "Proposal, Negotiation, Won, Lost."
    }


def test_default_stages_are_ordered_with_their_probabilities() -> None:
    assert [(s.key, s.probability, s.outcome) for s in DEFAULT_STAGES] == [
        ("prospecting", Decimal("0.1"), Outcome.OPEN),
        ("qualification", Decimal("0.2"), Outcome.OPEN),
        ("proposal", Decimal("0.5"), Outcome.OPEN),
        ("negotiation", Decimal("0.75"), Outcome.OPEN),
        ("won", Decimal(1), Outcome.WON),
        ("lost", Decimal(0), Outcome.LOST),
    ]


def test_a_card_knows_its_stage_and_a_refusal_names_the_deal() -> None:
    from domain.pipeline import DealCard, refusal

    stages = [
        Stage(id=n, team_id="T1", active=True, **spec.model_dump())
        for n, spec in enumerate(DEFAULT_STAGES, 1)
    ]
    card = DealCard(
        deal=deal(), customer=None, stages=stages, history=[], notes=[], open_tasks=[],
        open_task_total=0,
    )  # fmt: skip
    assert card.stage is not None and card.stage.key == "proposal"
    assert refusal(deal()) == "Only the deal's owner, a manager or an admin can change D-42."
