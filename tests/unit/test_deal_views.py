"""The deal card, lists and modals as pure functions: what they show, and Slack's limits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bot.local_slack import block_problems, view_problems
from commands.deal.ids import DealAction, DealBlock
from commands.deal.views import (
    DealContext,
    card_blocks,
    deal_modal,
    list_blocks,
    lost_modal,
    note_modal,
    progress,
    read_deal_modal,
    task_modal,
)
from commands.ids import ActionId
from domain.customers import Customer
from domain.pipeline import (
    DEFAULT_STAGES,
    Deal,
    DealCard,
    DealNote,
    Outcome,
    Stage,
    StageChange,
)
from domain.tasks import Task, TaskStatus

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
STAGES = [
    Stage(id=n, team_id="T1", active=True, **spec.model_dump())
    for n, spec in enumerate(DEFAULT_STAGES, 1)
]


def deal(**overrides: Any) -> Deal:
    fields: dict[str, Any] = {
        "id": 9,
        "team_id": "T1",
        "number": 42,
        "title": "Acme renewal",
        "customer_id": 7,
        "amount": Decimal("12000.5000"),
        "expected_close": date(2026, 2, 27),
        "stage_id": 3,
        "owner_id": "U0REP",
        "next_step": "Send the proposal",
        "status": Outcome.OPEN,
        "created_by": "U0REP",
        "created_at": NOW - timedelta(days=10),
        "updated_at": NOW,
        "stage_changed_at": NOW - timedelta(days=3),
        "last_activity_at": NOW - timedelta(days=1),
    }
    fields.update(overrides)
    return Deal.model_validate(fields)


def customer(name: str = "Acme Corp") -> Customer:
    return Customer(id=7, team_id="T1", number=12, name=name, created_at=NOW, updated_at=NOW)  # type: ignore[call-arg]


def task(n: int) -> Task:
    return Task(
        id=n,
        team_id="T1",
        number=n,
        title=f"Follow up {n} " + "x" * 480,
        customer_id=7,
        deal_number=42,
        assignee_id="U0BOB",
        created_by="U0REP",
        status=TaskStatus.OPEN,
        created_at=NOW,
        updated_at=NOW,
    )


def card(**overrides: Any) -> DealCard:
    fields: dict[str, Any] = {
        "deal": deal(),
        "customer": customer(),
        "stages": STAGES,
        "history": [],
        "notes": [],
        "open_tasks": [],
        "open_task_total": 0,
    }
    fields.update(overrides)
    return DealCard(**fields)


def shown(blocks: list[Any]) -> str:
    def texts(node: Any) -> list[str]:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text"):
                return [node["text"]]
            return [t for v in node.values() for t in texts(v)]
        if isinstance(node, list):
            return [t for v in node for t in texts(v)]
        return []

    return "\n".join(texts([b.to_dict() for b in blocks]))


def test_the_card_shows_the_facts_in_the_workspace_timezone() -> None:
    blocks = card_blocks(card(), tz=NY, now=NOW, currency="USD")
    text = shown(blocks)
    for expected in (
        "D-42 Acme renewal",
        "*Customer*\nC-12 Acme Corp",
        "*Amount*\n$12,000.50",
        "*Stage*\n▰▰▰▱ Proposal (3 of 4, 50%)",
        "*Expected close*\n:warning: 27 Feb 2026, *past* by 3 days",
        "*Age*\n10 days · 3 days in this stage",
        "*Last activity*\n1 Mar 2026",  # 15:30 UTC on 1 Mar is still 1 Mar in New York
    ):
        assert expected in text, text
    assert block_problems([b.to_dict() for b in blocks]) == []


def test_a_won_card_offers_to_record_the_order_and_stops_its_clocks() -> None:
    won = deal(
        stage_id=5, status=Outcome.WON, closed_at=NOW - timedelta(days=2), expected_close=None
    )
    blocks = card_blocks(card(deal=won), tz=NY, now=NOW, currency="USD")
    text = shown(blocks)
    assert ":trophy: Won" in text and "8 days to close · closed 28 Feb 2026" in text
    actions = blocks[-1].to_dict()["elements"]
    ids = [e["action_id"] for e in actions]
    assert ActionId.SALE_RECORD in ids and DealAction.WON not in ids
    record = next(e for e in actions if e["action_id"] == ActionId.SALE_RECORD)
    assert record["value"] == "customer:7"


def test_a_full_card_stays_within_slacks_limits() -> None:
    notes = [
        DealNote(id=n, team_id="T1", deal_id=9, author="U0BOB", text="n" * 3000, created_at=NOW)
        for n in range(30)
    ]
    history = [
        StageChange(
            id=n,
            deal_id=9,
            from_stage_id=1,
            from_stage_name="P" * 200,
            to_stage_id=2,
            to_stage_name="Q" * 200,
            actor="U0REP",
            at=NOW,
        )
        for n in range(40)
    ]
    big = card(
        deal=deal(title="T" * 300, next_step="s" * 1000),
        customer=customer("C" * 300),
        notes=notes,
        history=history,
        open_tasks=[task(n) for n in range(1, 6)],
        open_task_total=12,
    )
    blocks = card_blocks(big, tz=NY, now=NOW, currency="USD", note="n" * 500)
    assert block_problems([b.to_dict() for b in blocks]) == []
    text = shown(blocks)
    assert "*Notes* (newest 5 of 30)" in text
    assert "*Stage history* (newest 5 of 40: *History* shows all)" in text
    assert "…and 7 more: `/task` lists them" in text
    assert DealAction.HISTORY in str([b.to_dict() for b in blocks])


def test_progress_counts_open_stages_only() -> None:
    assert progress(STAGES, STAGES[0]) == "▰▱▱▱ Prospecting (1 of 4, 10%)"
    assert progress(STAGES, STAGES[3]) == "▰▰▰▰ Negotiation (4 of 4, 75%)"
    assert progress(STAGES, STAGES[5]) == ":x: Lost"


def test_lists_have_an_open_button_per_deal_and_flag_past_close_dates() -> None:
    deals = [deal(id=n, number=n) for n in range(1, 26)]
    blocks = list_blocks("*Your open deals*", deals, STAGES, currency="USD", today=date(2026, 3, 2))
    dicts = [b.to_dict() for b in blocks]
    assert block_problems(dicts) == []
    buttons = [b["accessory"] for b in dicts if b.get("accessory")]
    assert len(buttons) == 20 and buttons[0] == {
        "type": "button",
        "action_id": DealAction.OPEN,
        "text": {"type": "plain_text", "text": "Open", "emoji": True},
        "value": "1",
    }
    assert ":warning: closes 27 Feb 2026 (past)" in shown(blocks)
    assert "…and 5 more." in shown(blocks)


def test_the_modals_are_valid_and_the_deal_form_reads_back() -> None:
    context = DealContext(None, "tok", "https://hooks.example/1", "C1")
    views = [
        deal_modal(context, STAGES, owner_id="U0REP", title="x" * 400),
        deal_modal(context, STAGES, deal=deal(title="y" * 300), customer=customer()),
        lost_modal(deal(), context),
        note_modal(deal(), context),
        task_modal(deal(), context, tz=NY, assignee_id="U0REP"),
    ]
    for view in views:
        assert view_problems(view.to_dict(), expected_type="modal") == []
    new_form = views[0].to_dict()
    stage_select = next(b for b in new_form["blocks"] if b["block_id"] == DealBlock.STAGE)
    assert [o["text"]["text"] for o in stage_select["element"]["options"]] == [
        "Prospecting",
        "Qualification",
        "Proposal",
        "Negotiation",
    ]
    values = {
        DealBlock.TITLE: {ActionId.INPUT: {"value": "Deal"}},
        DealBlock.CUSTOMER: {ActionId.CUSTOMER_SELECT: {"selected_option": {"value": "7"}}},
        DealBlock.AMOUNT: {ActionId.INPUT: {"value": "10"}},
        DealBlock.CLOSE: {ActionId.INPUT: {"selected_date": "2026-05-01"}},
        DealBlock.STAGE: {ActionId.INPUT: {"selected_option": {"value": "proposal"}}},
        DealBlock.OWNER: {ActionId.INPUT: {"selected_user": "U0REP"}},
        DealBlock.NEXT_STEP: {ActionId.INPUT: {"value": None}},
    }
    assert read_deal_modal(values) == {
        "title": "Deal",
        "customer_id": 7,
        "amount": "10",
        "expected_close": "2026-05-01",
        "stage_key": "proposal",
        "owner_id": "U0REP",
        "next_step": None,
    }
    assert DealContext.load(context.dump()) == context
    assert DealContext.load("not json") == DealContext(None, "")
