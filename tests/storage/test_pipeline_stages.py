"""Editing pipeline stages on a real database: deals stay valid through renames, removals
move them (with history), refusals change nothing, every change is audited."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from bot.services import Services
from domain.clock import FrozenClock
from domain.customers import CustomerDraft
from domain.errors import DomainError, ValidationFailed
from domain.pipeline import Deal, DealDraft
from domain.pipeline_stages import StageEdit, StageEditor, StageHasDeals, percent
from domain.workspaces import Role, User
from storage.orm import AuditRow, DealStageChangeRow, PipelineStageRow
from tests.conftest import START

TEAM = "T0STAGES"
ADMIN, REP = "U0ADMIN", "U0REP"


class Shop:
    def __init__(self, services: Services) -> None:
        self.services = services
        _, admin = services.workspaces.ensure(TEAM, ADMIN)
        _, rep = services.workspaces.ensure(TEAM, REP)
        assert admin and rep and admin.role == Role.ADMIN
        self.admin, self.rep = admin, rep
        self.manager = User(
            team_id=TEAM, slack_user_id="U0MGR", role=Role.MANAGER, created_at=START
        )
        self.editor: StageEditor = services.pipeline_stages
        self.customer = services.customers.create(
            TEAM, CustomerDraft.from_input(name="Acme"), actor=REP
        )
        self.editor.overview(TEAM)  # the default stages exist from here on

    def deal(self, stage: str | None = None, amount: str = "1000") -> Deal:
        draft = DealDraft.from_input(
            title="Acme renewal",
            customer_id=self.customer.id,
            amount=amount,
            owner_id=REP,
            stage_key=stage,
            today=START.date(),
        )
        return self.services.pipeline.create(TEAM, draft, actor=REP)

    def names(self) -> list[tuple[str, str, int]]:
        return [
            (line.stage.name, percent(line.stage.probability), line.deals)
            for line in self.editor.overview(TEAM)
        ]

    def rows(self) -> list[tuple[Any, ...]]:
        with self.services.engine.connect() as conn:
            return list(
                conn.execute(
                    select(
                        PipelineStageRow.key,
                        PipelineStageRow.name,
                        PipelineStageRow.position,
                        PipelineStageRow.probability,
                        PipelineStageRow.active,
                    )
                    .where(PipelineStageRow.team_id == TEAM)
                    .order_by(PipelineStageRow.id)
                ).all()
            )

    def audit(self, entity: str = "pipeline_stage") -> list[tuple[str, str | None, dict[str, Any]]]:
        with self.services.engine.connect() as conn:
            return [
                (row.action, row.actor, row.changes)
                for row in conn.execute(
                    select(AuditRow).where(AuditRow.entity == entity).order_by(AuditRow.id)
                )
            ]


@pytest.fixture
def shop(services: Services) -> Shop:
    return Shop(services)


def test_renaming_a_stage_keeps_its_deals_id_and_key(shop: Shop) -> None:
    deal = shop.deal("Proposal")
    before = shop.services.pipeline.stages(TEAM)
    proposal = next(s for s in before if s.key == "proposal")
    renamed = shop.editor.rename(TEAM, shop.admin, "proposal", "Offer sent")
    assert (renamed.id, renamed.key, renamed.name) == (proposal.id, "proposal", "Offer sent")
    again = shop.services.pipeline.get(TEAM, deal.id)
    assert again.stage_id == proposal.id
    assert shop.services.pipeline.history(TEAM, deal.id)[0].to_stage_name == "Offer sent"
    assert ("Offer sent", "50%", 1) in shop.names()
    # People find it by its new name, and by its key still.
    moved = shop.services.pipeline.move(TEAM, deal.id, "offer SENT", actor=shop.rep)
    assert moved.stage_id == proposal.id
    assert shop.audit() == [("update", ADMIN, {"name": ["Proposal", "Offer sent"]})]


def test_the_won_and_lost_stages_can_be_renamed_but_keep_their_probability(shop: Shop) -> None:
    shop.editor.rename(TEAM, shop.admin, "won", "Closed won")
    assert shop.names()[-2] == ("Closed won", "100%", 0)
    with pytest.raises(ValidationFailed, match="stays at 100%"):
        shop.editor.set_probability(TEAM, shop.admin, "Closed won", "90%")
    with pytest.raises(DomainError, match="can be renamed but not removed"):
        shop.editor.remove(TEAM, shop.admin, "lost")


@pytest.mark.parametrize(
    ("stage", "value", "says"),
    [
        ("proposal", "150%", "over 100%"),
        ("proposal", "abc", "is not a probability"),
        ("proposal", "-5%", "is not a probability"),
        ("proposal", "", "Give a probability"),
        ("nowhere", "35%", "There is no stage “nowhere”"),
    ],
)
def test_bad_probabilities_and_unknown_stages_change_nothing(
    shop: Shop, stage: str, value: str, says: str
) -> None:
    before = shop.rows()
    with pytest.raises(DomainError, match=says):
        shop.editor.set_probability(TEAM, shop.admin, stage, value)
    assert shop.rows() == before
    assert shop.audit() == []


def test_a_probability_is_set_as_a_percentage(shop: Shop) -> None:
    shop.editor.set_probability(TEAM, shop.admin, "Proposal", "35%")
    shop.editor.set_probability(TEAM, shop.admin, "qualification", "12.5")
    assert shop.names()[1:3] == [("Qualification", "12.5%", 0), ("Proposal", "35%", 0)]
    stages = {s.key: s.probability for s in shop.services.pipeline.stages(TEAM)}
    assert stages["qualification"] == Decimal("0.125")


def test_empty_and_duplicate_names_are_refused(shop: Shop) -> None:
    before = shop.rows()
    with pytest.raises(ValidationFailed, match="Give the stage a name"):
        shop.editor.rename(TEAM, shop.admin, "proposal", "   ")
    with pytest.raises(ValidationFailed, match="already a stage called Negotiation"):
        shop.editor.rename(TEAM, shop.admin, "proposal", "negotiation")
    with pytest.raises(ValidationFailed, match="already a stage called Prospecting"):
        shop.editor.add(TEAM, shop.admin, "PROSPECTING", "10%")
    assert shop.rows() == before


def test_the_edit_form_can_swap_two_names_at_once(shop: Shop) -> None:
    stages = {s.key: s for s in shop.services.pipeline.stages(TEAM)}
    shop.editor.save(
        TEAM,
        shop.admin,
        [
            StageEdit(stages["proposal"].id, "Negotiation Prep", "55%"),
            StageEdit(stages["negotiation"].id, "Proposal Review", "75%"),
        ],
    )
    assert [n for n, _, _ in shop.names()][2:4] == ["Negotiation Prep", "Proposal Review"]
    with pytest.raises(ValidationFailed) as caught:
        shop.editor.save(
            TEAM,
            shop.admin,
            [
                StageEdit(stages["proposal"].id, "", "abc"),
                StageEdit(stages["negotiation"].id, "Won", "75%"),
            ],
        )
    assert set(caught.value.errors) == {
        f"name:{stages['proposal'].id}",
        f"probability:{stages['proposal'].id}",
        f"name:{stages['negotiation'].id}",
    }


def test_only_admins_edit_the_pipeline(shop: Shop) -> None:
    before = shop.rows()
    for who in (shop.rep, shop.manager, None):
        with pytest.raises(DomainError, match="Only an admin can change the pipeline"):
            shop.editor.rename(TEAM, who, "proposal", "Offer")
        with pytest.raises(DomainError, match="Only an admin"):
            shop.editor.add(TEAM, who, "Demo", "30%")
        with pytest.raises(DomainError, match="Only an admin"):
            shop.editor.remove(TEAM, who, "proposal")
        with pytest.raises(DomainError, match="Only an admin"):
            shop.editor.move(TEAM, who, "proposal", -1)
    assert shop.rows() == before


def test_a_stage_is_added_after_another_and_open_stages_are_reordered(shop: Shop) -> None:
    added = shop.editor.add(TEAM, shop.admin, "Demo", "30%", after="qualification")
    assert (added.key, added.name, added.probability) == ("demo", "Demo", Decimal("0.3"))
    order = [n for n, _, _ in shop.names()]
    assert order == [
        "Prospecting",
        "Qualification",
        "Demo",
        "Proposal",
        "Negotiation",
        "Won",
        "Lost",
    ]
    shop.editor.add(TEAM, shop.admin, "Lead", "5%", after=0)
    shop.editor.add(TEAM, shop.admin, "Contract", "90%")  # after the last open stage
    shop.editor.move(TEAM, shop.admin, "Demo", -1)
    shop.editor.move(TEAM, shop.admin, "Lead", -1)  # already first: stays
    shop.editor.move(TEAM, shop.admin, "Contract", 5)  # never past the won stage
    assert [n for n, _, _ in shop.names()] == [
        "Lead", "Prospecting", "Demo", "Qualification", "Proposal", "Negotiation", "Contract",
        "Won", "Lost",
    ]  # fmt: skip
    with pytest.raises(DomainError, match="stays at the end"):
        shop.editor.move(TEAM, shop.admin, "won", -1)
    with pytest.raises(ValidationFailed, match="New stages go among the open ones"):
        shop.editor.add(TEAM, shop.admin, "After won", "50%", after="won")
    # A new deal still starts in the first open stage.
    assert shop.services.pipeline.get(TEAM, shop.deal().id).stage_id == next(
        s.id for s in shop.services.pipeline.stages(TEAM) if s.key == "lead"
    )


def test_removing_a_stage_with_deals_asks_first_and_changes_nothing(shop: Shop) -> None:
    deals = [shop.deal("proposal"), shop.deal("proposal")]
    before = shop.rows()
    with pytest.raises(StageHasDeals) as asked:
        shop.editor.remove(TEAM, shop.admin, "Proposal")
    assert asked.value.deals == 2
    assert [s.name for s in asked.value.choices] == ["Prospecting", "Qualification", "Negotiation"]
    assert "Proposal holds 2 open deals" in asked.value.message
    assert shop.rows() == before
    assert all(shop.services.pipeline.get(TEAM, d.id).stage_id == d.stage_id for d in deals)


def test_removing_a_stage_moves_its_deals_with_history_then_deactivates_it(
    shop: Shop, clock: FrozenClock
) -> None:
    first, second = shop.deal("proposal"), shop.deal("proposal")
    other = shop.deal("negotiation")
    clock.advance(timedelta(days=2))
    result = shop.editor.remove(TEAM, shop.admin, "proposal", to="Qualification")
    assert (result.stage.key, result.stage.active, result.moved) == ("proposal", False, 2)
    assert result.to is not None and result.to.key == "qualification"
    for deal in (first, second):
        moved = shop.services.pipeline.get(TEAM, deal.id)
        assert moved.stage_id == result.to.id
        assert moved.stage_changed_at == clock.now()
        history = shop.services.pipeline.history(TEAM, deal.id)
        assert [(c.from_stage_name, c.to_stage_name, c.actor, c.at) for c in history][-1] == (
            "Proposal", "Qualification", ADMIN, clock.now(),
        )  # fmt: skip
    assert shop.services.pipeline.get(TEAM, other.id).stage_id == other.stage_id
    # The stage row stays (history points at it), inactive and out of the pipeline.
    assert ("proposal", "Proposal", 3, Decimal("0.5000"), False) in [
        (k, n, p, Decimal(str(pr)).quantize(Decimal("0.0001")), a) for k, n, p, pr, a in shop.rows()
    ]
    assert [n for n, _, _ in shop.names()] == [
        "Prospecting", "Qualification", "Negotiation", "Won", "Lost"
    ]  # fmt: skip
    assert ("Qualification", "20%", 2) in shop.names()
    with shop.services.engine.connect() as conn:
        references = conn.execute(
            select(DealStageChangeRow.id).where(DealStageChangeRow.to_stage_id == result.stage.id)
        ).all()
    assert len(references) == 2  # the deals' creations in Proposal
    removed = shop.audit()[-1]
    assert removed[:2] == ("delete", ADMIN)
    assert removed[2]["moved_deals"] == 2 and removed[2]["to"] == "qualification"
    assert [a for a, _, c in shop.audit("deal") if "stage_id" in c and a == "update"] == [
        "update",
        "update",
    ]
    with pytest.raises(DomainError, match="There is no stage “proposal”"):
        shop.services.pipeline.move(TEAM, other.id, "proposal", actor=shop.rep)
    # Its name is free again, under a new key.
    again = shop.editor.add(TEAM, shop.admin, "Proposal", "50%", after="qualification")
    assert again.key == "proposal-2"


def test_the_last_open_stage_and_bad_targets_are_refused(shop: Shop) -> None:
    shop.deal("prospecting")
    with pytest.raises(DomainError, match="move to another open stage"):
        shop.editor.remove(TEAM, shop.admin, "prospecting", to="won")
    with pytest.raises(DomainError, match="There is no stage “nowhere”"):
        shop.editor.remove(TEAM, shop.admin, "prospecting", to="nowhere")
    for key in ("qualification", "proposal", "negotiation"):
        shop.editor.remove(TEAM, shop.admin, key)
    before = shop.rows()
    with pytest.raises(DomainError, match="Prospecting is the last open stage"):
        shop.editor.remove(TEAM, shop.admin, "prospecting")
    assert shop.rows() == before


def test_two_admins_removing_at_once_leave_every_deal_in_an_active_stage(
    shop: Shop,
) -> None:
    deals = [shop.deal("proposal") for _ in range(3)] + [shop.deal("negotiation") for _ in range(3)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def remove(stage: str, to: str) -> None:
        try:
            barrier.wait(timeout=10)
            shop.editor.remove(TEAM, shop.admin, stage, to=to)
        except DomainError as exc:
            errors.append(exc)
        except BaseException as exc:  # pragma: no cover - reported by the assert below
            errors.append(exc)

    threads = [
        threading.Thread(target=remove, args=("proposal", "negotiation")),
        threading.Thread(target=remove, args=("negotiation", "proposal")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # One wins; the other finds its target gone (or, on SQLite, the database busy).
    assert len(errors) <= 1
    active = {s.id for s in shop.services.pipeline.stages(TEAM)}
    assert all(shop.services.pipeline.get(TEAM, d.id).stage_id in active for d in deals)


@pytest.mark.postgres
def test_a_deal_created_or_moved_while_its_stage_is_removed_is_refused(shop: Shop) -> None:
    """An admin's removal holds the stage; a deal created into it (or moved there) at the
    same moment waits, then finds it gone instead of landing in a removed stage."""
    from sqlalchemy import update

    from storage.engine import make_session_factory

    deal = shop.deal("prospecting")
    stage_id = next(s.id for s in shop.services.pipeline.stages(TEAM) if s.key == "proposal")
    results: dict[str, BaseException | Deal] = {}

    def attempt(name: str, call: Any) -> None:
        try:
            results[name] = call()
        except BaseException as exc:
            results[name] = exc

    with make_session_factory(shop.services.engine).begin() as removal:
        # What the removal does first: lock the stage rows, then retire the stage.
        removal.execute(
            select(PipelineStageRow).where(PipelineStageRow.team_id == TEAM).with_for_update()
        ).all()
        removal.execute(
            update(PipelineStageRow).where(PipelineStageRow.id == stage_id).values(active=False)
        )
        threads = [
            threading.Thread(target=attempt, args=("create", lambda: shop.deal("proposal"))),
            threading.Thread(
                target=attempt,
                args=(
                    "move",
                    lambda: shop.services.pipeline.move(
                        TEAM, deal.id, "proposal", actor=shop.admin
                    ),
                ),
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=1)
        assert all(t.is_alive() for t in threads)  # both wait for the removal
    for thread in threads:
        thread.join(timeout=10)
    for name in ("create", "move"):
        assert isinstance(results[name], ValidationFailed), results[name]
        assert "was just removed" in results[name].errors["stage"]  # type: ignore[union-attr]
    assert shop.services.pipeline.get(TEAM, deal.id).stage_id != stage_id


def test_the_forecast_still_works_after_a_stage_is_removed(shop: Shop) -> None:
    deal = shop.deal("qualification")
    shop.services.pipeline.move(TEAM, deal.id, "proposal", actor=shop.admin)
    shop.editor.remove(TEAM, shop.admin, "qualification")
    shop.editor.add(TEAM, shop.admin, "Discovery", "15%", after="prospecting")
    forecasts = shop.services.pipeline_board.forecasts(TEAM)
    assert [f.period for f in forecasts] == ["month", "quarter"]
    keys = set(forecasts[0].stage_probabilities)
    assert "qualification" not in keys and "proposal" in keys
