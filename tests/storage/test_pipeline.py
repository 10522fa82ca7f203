"""The pipeline on a real database: default stages, deals moving, history, refusals, tenancy."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.services import Services
from domain.clock import FrozenClock
from domain.customers import CustomerDraft
from domain.errors import DomainError, NotFound, ValidationFailed
from domain.pipeline import Deal, DealDraft, Outcome, PipelineService
from domain.workspaces import Role, User
from storage.orm import (
    AuditRow,
    DealNoteRow,
    DealRow,
    DealStageChangeRow,
    DeliveryRow,
    IdempotencyKeyRow,
    PipelineStageRow,
)
from tests.conftest import START

TEAM, OTHER = "T0PIPE", "T0ELSE"
ADMIN, REP, RIVAL = "U0ADMIN", "U0REP", "U0RIVAL"
TODAY = START.date()


class Pipeline:
    """A workspace with an admin, two reps and a customer, and a way to open deals in it."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.pipeline = services.pipeline
        _, admin = services.workspaces.ensure(TEAM, ADMIN)  # the first person is the admin
        _, rep = services.workspaces.ensure(TEAM, REP)
        _, rival = services.workspaces.ensure(TEAM, RIVAL)
        assert admin and rep and rival and admin.role == Role.ADMIN and rep.role == Role.REP
        self.admin, self.rep, self.rival = admin, rep, rival
        self.manager = User(
            team_id=TEAM, slack_user_id="U0MGR", role=Role.MANAGER, created_at=START
        )
        self.customer = services.customers.create(
            TEAM, CustomerDraft.from_input(name="Acme"), actor=REP
        )

    def draft(self, **overrides: Any) -> DealDraft:
        fields: dict[str, Any] = {
            "title": "Acme renewal",
            "customer_id": self.customer.id,
            "amount": "12000.50",
            "expected_close": "2026-04-30",
            "owner_id": REP,
            "today": TODAY,
        }
        fields.update(overrides)
        return DealDraft.from_input(**fields)

    def create(self, key: str | None = None, **overrides: Any) -> Deal:
        return self.pipeline.create(TEAM, self.draft(**overrides), actor=REP, idempotency_key=key)

    def count(self, row: type[Any]) -> int:
        with self.services.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(row)).scalar_one()

    def counts(self) -> dict[str, int]:
        return {
            row.__tablename__: self.count(row)
            for row in (DealRow, DealStageChangeRow, DealNoteRow, AuditRow, IdempotencyKeyRow)
        }

    def history(self, deal: Deal) -> list[tuple[str | None, str, str | None]]:
        return [
            (c.from_stage_name, c.to_stage_name, c.actor)
            for c in self.pipeline.history(TEAM, deal.id)
        ]


@pytest.fixture
def pipe(services: Services) -> Pipeline:
    return Pipeline(services)


def test_default_stages_are_created_once_on_first_use(pipe: Pipeline) -> None:
    first = pipe.pipeline.stages(TEAM)
    again = pipe.pipeline.stages(TEAM)
    assert [(s.key, s.name, s.position, s.probability, s.outcome) for s in first] == [
        ("prospecting", "Prospecting", 1, Decimal("0.1000"), Outcome.OPEN),
        ("qualification", "Qualification", 2, Decimal("0.2000"), Outcome.OPEN),
        ("proposal", "Proposal", 3, Decimal("0.5000"), Outcome.OPEN),
        ("negotiation", "Negotiation", 4, Decimal("0.7500"), Outcome.OPEN),
        ("won", "Won", 5, Decimal("1.0000"), Outcome.WON),
        ("lost", "Lost", 6, Decimal("0.0000"), Outcome.LOST),
    ]
    assert again == first
    assert pipe.count(PipelineStageRow) == 6


def test_default_stages_racing_from_four_threads_are_written_once(pipe: Pipeline) -> None:
    barrier = threading.Barrier(4)
    results: list[int] = []
    failures: list[BaseException] = []

    def first_use() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(len(pipe.pipeline.stages(TEAM)))
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=first_use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert results == [6, 6, 6, 6]
    assert pipe.count(PipelineStageRow) == 6


def test_a_new_deal_starts_in_the_first_stage_with_its_history_and_audit(
    pipe: Pipeline,
) -> None:
    deal = pipe.create()
    assert deal.public_id == "D-1"
    assert (deal.title, deal.amount, deal.expected_close) == (
        "Acme renewal",
        Decimal("12000.5000"),
        date(2026, 4, 30),
    )
    assert (deal.status, deal.closed_at, deal.owner_id, deal.created_by) == (
        Outcome.OPEN,
        None,
        REP,
        REP,
    )
    assert deal.stage_changed_at == deal.created_at == deal.last_activity_at == START
    assert pipe.history(deal) == [(None, "Prospecting", REP)]
    with pipe.services.uow_factory() as uow:
        audit = uow.audit.for_entity(TEAM, "deal", deal.id)
    assert [(a.action, a.actor, a.changes["title"], a.changes["amount"]) for a in audit] == [
        ("create", REP, "Acme renewal", "12000.5000")
    ]
    assert pipe.create(title="Second").number == 2


def test_a_deal_can_start_in_a_named_stage(pipe: Pipeline) -> None:
    deal = pipe.create(stage_key="Proposal")
    assert pipe.history(deal) == [(None, "Proposal", REP)]


def test_moving_winning_reopening_and_losing_keep_an_exact_history(
    pipe: Pipeline, clock: FrozenClock
) -> None:
    deal = pipe.create()
    clock.advance(timedelta(days=2))
    moved = pipe.pipeline.move(TEAM, deal.id, "proposal", actor=pipe.rep)
    assert (moved.status, moved.closed_at, moved.stage_changed_at) == (
        Outcome.OPEN,
        None,
        clock.now(),
    )
    clock.advance(timedelta(days=3))
    won = pipe.pipeline.win(TEAM, deal.id, actor=pipe.manager)
    assert (won.status, won.closed_at) == (Outcome.WON, clock.now())
    clock.advance(timedelta(days=1))
    reopened = pipe.pipeline.move(TEAM, deal.id, "negotiation", actor=pipe.admin)
    assert (reopened.status, reopened.closed_at, reopened.lost_reason) == (
        Outcome.OPEN,
        None,
        None,
    )
    clock.advance(timedelta(days=1))
    lost = pipe.pipeline.lose(TEAM, deal.id, " Went with a competitor ", actor=pipe.rep)
    assert (lost.status, lost.closed_at, lost.lost_reason) == (
        Outcome.LOST,
        clock.now(),
        "Went with a competitor",
    )
    assert pipe.history(deal) == [
        (None, "Prospecting", REP),
        ("Prospecting", "Proposal", REP),
        ("Proposal", "Won", "U0MGR"),
        ("Won", "Negotiation", ADMIN),
        ("Negotiation", "Lost", REP),
    ]
    assert [c.at for c in pipe.pipeline.history(TEAM, deal.id)] == [
        START + timedelta(days=d) for d in (0, 2, 5, 6, 7)
    ]
    with pipe.services.uow_factory() as uow:
        audit = uow.audit.for_entity(TEAM, "deal", deal.id)
    assert [a.action for a in audit] == ["create", "update", "update", "update", "update"]
    assert audit[-1].changes["status"] == ["open", "lost"]
    assert audit[-1].changes["lost_reason"] == [None, "Went with a competitor"]


def test_moving_to_the_stage_it_is_in_writes_nothing(pipe: Pipeline) -> None:
    deal = pipe.create()
    before = pipe.counts()
    assert pipe.pipeline.move(TEAM, deal.id, "prospecting", actor=pipe.rep) == deal
    assert pipe.counts() == before


def test_someone_elses_deal_cannot_be_moved_by_a_rep_and_nothing_is_written(
    pipe: Pipeline,
) -> None:
    deal = pipe.create()
    before = pipe.counts()
    for change in (
        lambda: pipe.pipeline.move(TEAM, deal.id, "proposal", actor=pipe.rival),
        lambda: pipe.pipeline.win(TEAM, deal.id, actor=pipe.rival),
        lambda: pipe.pipeline.lose(TEAM, deal.id, "no budget", actor=pipe.rival),
    ):
        with pytest.raises(DomainError) as caught:
            change()
        assert caught.value.message == (
            "Only the deal's owner, a manager or an admin can change D-1."
        )
    assert pipe.counts() == before
    assert pipe.pipeline.get(TEAM, deal.id) == deal


def test_another_workspaces_deal_is_not_found(pipe: Pipeline) -> None:
    deal = pipe.create()
    _, stranger = pipe.services.workspaces.ensure(OTHER, "U0STRANGER")  # an admin there
    assert stranger is not None
    with pytest.raises(NotFound) as caught:
        pipe.pipeline.get_by_number(OTHER, 1)
    assert caught.value.message == "There is no deal D-1."
    assert pipe.pipeline.find(OTHER, "D-1") == []
    assert pipe.pipeline.find(OTHER, "acme") == []
    before = pipe.counts()
    with pytest.raises(NotFound):
        pipe.pipeline.move(OTHER, deal.id, "won", actor=stranger)
    with pytest.raises(NotFound):
        pipe.pipeline.add_note(OTHER, deal.id, "hello", actor="U0STRANGER")
    with pytest.raises(NotFound):
        pipe.pipeline.history(OTHER, deal.id)
    # Being an admin of one workspace grants nothing in another.
    with pytest.raises(DomainError):
        pipe.pipeline.move(TEAM, deal.id, "won", actor=stranger)
    assert pipe.counts() == before


def test_unknown_stage_is_refused_listing_the_stages_and_nothing_is_written(
    pipe: Pipeline,
) -> None:
    deal = pipe.create()
    before = pipe.counts()
    expected = {
        "stage": "There is no stage “closing”: pick one of Prospecting, Qualification, "
        "Proposal, Negotiation, Won, Lost."
    }
    with pytest.raises(ValidationFailed) as on_move:
        pipe.pipeline.move(TEAM, deal.id, "closing", actor=pipe.rep)
    assert on_move.value.errors == expected
    with pytest.raises(ValidationFailed) as on_create:
        pipe.create(stage_key="closing")
    assert on_create.value.errors == expected
    assert pipe.counts() == before


@pytest.mark.parametrize(
    ("field", "value", "key", "message"),
    [
        ("amount", "-5", "amount", "Amount: -5 is negative; amounts here are 0 or more."),
        (
            "expected_close",
            "1970-01-01",
            "expected_close",
            "A close date in 1970 is too far back: give 2000-01-01 or later.",
        ),
        ("title", "   ", "title", "Give the deal a title."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    pipe: Pipeline, field: str, value: str, key: str, message: str
) -> None:
    before = pipe.counts()
    with pytest.raises(ValidationFailed) as caught:
        pipe.create(**{field: value})
    assert caught.value.errors == {key: message}
    assert pipe.counts() == before


def test_a_customer_of_another_workspace_is_refused(pipe: Pipeline) -> None:
    pipe.services.workspaces.ensure(OTHER, "U0STRANGER")
    theirs = pipe.services.customers.create(
        OTHER, CustomerDraft.from_input(name="Theirs"), actor="U0STRANGER"
    )
    before = pipe.counts()
    with pytest.raises(ValidationFailed) as caught:
        pipe.create(customer_id=theirs.id)
    assert caught.value.errors == {"customer": "Pick the customer the deal is for."}
    assert pipe.counts() == before


def test_losing_needs_a_reason(pipe: Pipeline) -> None:
    deal = pipe.create()
    before = pipe.counts()
    with pytest.raises(ValidationFailed) as caught:
        pipe.pipeline.lose(TEAM, deal.id, "  ", actor=pipe.rep)
    assert caught.value.errors == {"reason": "Say why the deal was lost."}
    assert pipe.counts() == before


def test_creating_twice_with_one_key_makes_one_deal(pipe: Pipeline) -> None:
    first = pipe.create(key="view-1")
    again = pipe.create(key="view-1")
    assert again == first
    assert pipe.count(DealRow) == 1
    assert pipe.count(DealStageChangeRow) == 1
    assert pipe.create(key="view-2").number == 2


def test_creating_concurrently_with_one_key_makes_one_deal(services: Services) -> None:
    pipe = Pipeline(services)
    pipe.pipeline.stages(TEAM)
    barrier = threading.Barrier(4)
    made: list[int] = []
    failures: list[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait(timeout=10)
            made.append(pipe.create(key="view-race").id)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert len(set(made)) == 1 and len(made) == 4
    assert pipe.count(DealRow) == 1


def test_find_by_id_or_by_title_in_any_case_or_accent(pipe: Pipeline) -> None:
    cafe = pipe.create(title="Café Ünïon rollout")
    other = pipe.create(title="Globex pilot")
    assert pipe.pipeline.find(TEAM, "d-1") == [cafe]
    assert pipe.pipeline.find(TEAM, "D2") == [other]
    assert pipe.pipeline.find(TEAM, "CAFE union") == [cafe]
    assert pipe.pipeline.find(TEAM, "D-99") == []
    assert pipe.pipeline.find(TEAM, "100%") == []
    assert pipe.pipeline.get_by_number(TEAM, 2) == other


def test_notes_are_kept_in_order_and_count_as_activity(pipe: Pipeline, clock: FrozenClock) -> None:
    deal = pipe.create()
    clock.advance(timedelta(hours=5))
    pipe.pipeline.add_note(TEAM, deal.id, "Called, they want a demo", actor=RIVAL)
    clock.advance(timedelta(hours=1))
    pipe.pipeline.add_note(TEAM, deal.id, "Demo booked", actor=REP)
    notes = pipe.pipeline.notes(TEAM, deal.id)
    assert [(n.author, n.text) for n in notes] == [
        (RIVAL, "Called, they want a demo"),
        (REP, "Demo booked"),
    ]
    assert pipe.pipeline.get(TEAM, deal.id).last_activity_at == clock.now()
    with pytest.raises(ValidationFailed):
        pipe.pipeline.add_note(TEAM, deal.id, " ", actor=REP)
    with pipe.services.uow_factory() as uow:
        assert len(uow.audit.for_entity(TEAM, "deal_note", notes[0].id)) == 1


def test_open_deals_by_owner_and_stage(pipe: Pipeline) -> None:
    mine = pipe.create(title="Mine")
    theirs = pipe.create(title="Theirs", owner_id=RIVAL, stage_key="proposal")
    closed = pipe.create(title="Closed")
    pipe.pipeline.win(TEAM, closed.id, actor=pipe.rep)
    service: PipelineService = pipe.pipeline
    assert [d.id for d in service.open_deals(TEAM)] == [mine.id, theirs.id]
    assert [d.id for d in service.open_deals(TEAM, owner=RIVAL)] == [theirs.id]
    assert [d.id for d in service.open_deals(TEAM, stage_key="Proposal")] == [theirs.id]
    assert service.open_deals(TEAM, stage_key="won") == []
    with pytest.raises(ValidationFailed):
        service.open_deals(TEAM, stage_key="closing")


def test_open_deals_biggest_first(pipe: Pipeline) -> None:
    small = pipe.create(title="Small", amount="10")
    big = pipe.create(title="Big", amount="900000", stage_key="negotiation")
    middle = pipe.create(title="Middle", amount="5000")
    listed = pipe.pipeline.open_deals(TEAM, owner=REP, biggest_first=True)
    assert [d.id for d in listed] == [big.id, middle.id, small.id]


def test_moving_into_lost_needs_a_reason_too(pipe: Pipeline) -> None:
    deal = pipe.create()
    before = pipe.counts()
    with pytest.raises(ValidationFailed) as caught:
        pipe.pipeline.move(TEAM, deal.id, "lost", actor=pipe.rep)
    assert caught.value.errors == {"reason": "Say why D-1 was lost."}
    assert pipe.counts() == before


def test_editing_changes_the_details_with_an_audit_diff(pipe: Pipeline, clock: FrozenClock) -> None:
    deal = pipe.create()
    globex = pipe.services.customers.create(
        TEAM, CustomerDraft.from_input(name="Globex"), actor=REP
    )
    clock.advance(timedelta(hours=3))
    changes = pipe.draft(title="Globex pilot", customer_id=globex.id, amount="900", owner_id=RIVAL)
    edited = pipe.pipeline.edit(TEAM, deal.id, changes, actor=pipe.rep)
    assert (edited.title, edited.customer_id, edited.amount, edited.owner_id) == (
        "Globex pilot",
        globex.id,
        Decimal("900.0000"),
        RIVAL,
    )
    assert edited.stage_id == deal.stage_id and edited.last_activity_at == clock.now()
    assert pipe.pipeline.find(TEAM, "globex") == [edited]  # the search key follows the title
    with pipe.services.uow_factory() as uow:
        audit = uow.audit.for_entity(TEAM, "deal", deal.id)
    assert audit[-1].changes == {
        "title": ["Acme renewal", "Globex pilot"],
        "customer_id": [pipe.customer.id, globex.id],
        "amount": ["12000.5000", "900.0000"],
        "owner_id": [REP, RIVAL],
    }
    before = pipe.counts()
    assert pipe.pipeline.edit(TEAM, deal.id, changes, actor=pipe.rival) == edited  # no change
    assert pipe.counts() == before


def test_editing_is_for_the_owner_managers_and_admins_and_checks_the_customer(
    pipe: Pipeline,
) -> None:
    deal = pipe.create()
    pipe.services.workspaces.ensure(OTHER, "U0STRANGER")
    theirs = pipe.services.customers.create(
        OTHER, CustomerDraft.from_input(name="Theirs"), actor="U0STRANGER"
    )
    before = pipe.counts()
    with pytest.raises(DomainError) as refused:
        pipe.pipeline.edit(TEAM, deal.id, pipe.draft(amount="1"), actor=pipe.rival)
    assert refused.value.message == "Only the deal's owner, a manager or an admin can change D-1."
    with pytest.raises(ValidationFailed) as wrong_customer:
        pipe.pipeline.edit(TEAM, deal.id, pipe.draft(customer_id=theirs.id), actor=pipe.manager)
    assert wrong_customer.value.errors == {"customer": "Pick the customer the deal is for."}
    assert pipe.counts() == before


def test_tasks_on_a_deal_are_linked_listed_and_written_once(
    pipe: Pipeline, clock: FrozenClock
) -> None:
    from domain.tasks import TaskDraft

    deal = pipe.create()
    other = pipe.create(title="Other")
    clock.advance(timedelta(hours=2))
    draft = TaskDraft.from_input(title="Send the quote", assignee_id=RIVAL)
    task = pipe.pipeline.add_task(TEAM, deal.id, draft, actor=REP, idempotency_key="t-1")
    assert pipe.pipeline.add_task(TEAM, deal.id, draft, actor=REP, idempotency_key="t-1") == task
    assert (task.deal_number, task.customer_id, task.assignee_id, task.created_by) == (
        deal.number,
        pipe.customer.id,
        RIVAL,
        REP,
    )
    pipe.pipeline.add_task(TEAM, other.id, draft, actor=REP)
    done = pipe.pipeline.add_task(TEAM, deal.id, draft, actor=REP)
    pipe.services.tasks.complete(TEAM, done.id, actor=REP)
    card = pipe.pipeline.card(TEAM, deal.id)
    assert [t.id for t in card.open_tasks] == [task.id] and card.open_task_total == 1
    assert card.deal.last_activity_at == clock.now()
    assert card.customer == pipe.customer
    assert [s.key for s in card.stages][:1] == ["prospecting"] and card.stage is not None
    with pytest.raises(NotFound):
        pipe.pipeline.add_task(OTHER, deal.id, draft, actor=REP)


def test_a_note_submitted_twice_with_one_key_is_written_once(pipe: Pipeline) -> None:
    deal = pipe.create()
    first = pipe.pipeline.add_note(TEAM, deal.id, "Hello", actor=REP, idempotency_key="n-1")
    again = pipe.pipeline.add_note(TEAM, deal.id, "Hello", actor=REP, idempotency_key="n-1")
    assert again == first
    assert pipe.count(DealNoteRow) == 1


def test_won_pressed_twice_at_once_moves_and_announces_once(services: Services) -> None:
    pipe = Pipeline(services)
    services.workspaces.change_settings(TEAM, pipe.admin, sales_channel_id="C0WINS")
    deal = pipe.create()
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def press() -> None:
        try:
            barrier.wait(timeout=10)
            pipe.pipeline.win(TEAM, deal.id, actor=pipe.admin)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=press) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    moves = [c for c in pipe.pipeline.history(TEAM, deal.id) if c.from_stage_id is not None]
    assert [c.to_stage_name for c in moves] == ["Won"]
    assert pipe.count(DeliveryRow) == 1


def test_a_new_deal_cannot_start_won_or_lost(pipe: Pipeline) -> None:
    for stage in ("won", "Lost"):
        with pytest.raises(ValidationFailed) as refused:
            pipe.create(stage_key=stage)
        assert refused.value.errors["stage"] == (
            "A new deal starts in an open stage: Prospecting, Qualification, Proposal, Negotiation."
        )
    assert pipe.count(DealRow) == 0
