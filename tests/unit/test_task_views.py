"""Task views as pure functions: what they show, escaped, within Block Kit's limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import Block

from bot.local_slack import block_problems, view_problems
from commands.ids import ActionId, CallbackId
from commands.task.views import (
    ModalContext,
    Place,
    PlaceKind,
    ReassignContext,
    TaskBlock,
    added_message,
    assignment_message,
    list_message,
    overdue_summary_message,
    reassign_modal,
    reminder_message,
    task_modal,
    task_section,
)
from domain.customers import Customer
from domain.tasks import TITLE_MAX, Task, TaskScope, TaskStatus

NOW = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)  # Monday, 10:30 in New York
NY = ZoneInfo("America/New_York")


def make_task(number: int = 7, **fields: Any) -> Task:
    values: dict[str, Any] = {
        "id": 100 + number,
        "team_id": "T0TEST",
        "number": number,
        "title": "Call back Acme",
        "assignee_id": "U0BOB",
        "created_by": "U0ALICE",
        "status": TaskStatus.OPEN,
        "due_at": datetime(2026, 3, 6, 20, 0, tzinfo=UTC),
        "due_has_time": True,
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(fields)
    return Task(**values)


def make_customer(name: str = "Acme", number: int = 12) -> Customer:
    return Customer(
        id=900 + number, team_id="T0TEST", number=number, name=name, created_at=NOW, updated_at=NOW
    )


def dicts(blocks: list[Block]) -> list[dict[str, Any]]:
    return [b.to_dict() for b in blocks]


def mrkdwn(blocks: list[Block]) -> str:
    return json.dumps(dicts(blocks), ensure_ascii=False)


# --- one task line --------------------------------------------------------------------------


def test_a_task_line_shows_id_title_due_customer_and_assignee_with_its_menu() -> None:
    acme = make_customer()
    line = task_section(
        make_task(customer_id=acme.id, deal_number=42), tz=NY, now=NOW, customer=acme
    )
    data = line.to_dict()
    assert block_problems([data]) == []
    assert data["text"]["text"] == (
        "*T-7* Call back Acme\ndue Fri 6 Mar 15:00 · C-12 Acme · D-42 · for <@U0BOB>"
    )
    assert data["block_id"] == "task:107:line"
    menu = data["accessory"]
    assert menu["type"] == "overflow" and menu["action_id"] == ActionId.TASK_MENU
    assert [(o["text"]["text"], o["value"]) for o in menu["options"]] == [
        ("Done", "107:done"),
        ("Snooze 1 h", "107:1h"),
        ("Tomorrow 9:00", "107:tomorrow"),
        ("Next week", "107:nextweek"),
        ("Reassign…", "107:reassign"),
    ]


def test_due_reads_relative_near_now_and_marks_overdue() -> None:
    def line(**fields: Any) -> str:
        return task_section(make_task(**fields), tz=NY, now=NOW).to_dict()["text"]["text"]

    assert "due today 11:30" in line(due_at=NOW + timedelta(hours=1))
    assert "due tomorrow 09:00" in line(due_at=datetime(2026, 3, 3, 14, 0, tzinfo=UTC))
    assert line() == "*T-7* Call back Acme\ndue Fri 6 Mar 15:00 · for <@U0BOB>"
    assert "due Fri 6 Mar ·" in line(due_has_time=False)
    assert "due Wed 6 Jan 2027" in line(due_at=datetime(2027, 1, 6, 14, 0, tzinfo=UTC))
    assert "no due date" in line(due_at=None)
    assert ":red_circle: *overdue*, was due today 09:00" in line(
        due_at=datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    )
    assert ":red_circle: *overdue*, was due Fri 27 Feb" in line(
        due_at=datetime(2026, 2, 27, 14, 0, tzinfo=UTC), due_has_time=False
    )


def test_a_done_line_is_struck_through_and_has_no_menu() -> None:
    done = make_task(status=TaskStatus.DONE, done_by="U0BOB", done_at=NOW)
    data = task_section(done, tz=NY, now=NOW).to_dict()
    assert "accessory" not in data
    assert data["text"]["text"] == (
        ":white_check_mark: ~T-7 Call back Acme~\nDone by <@U0BOB>, today 10:30"
    )


def test_what_people_typed_is_escaped_and_kept_within_limits() -> None:
    nasty = make_customer("<!channel> & <@U0BOSS>")
    line = task_section(make_task(title="&" * TITLE_MAX), tz=NY, now=NOW, customer=nasty)
    data = line.to_dict()
    assert block_problems([data]) == []
    text = data["text"]["text"]
    assert "<!channel>" not in text and "<@U0BOSS>" not in text
    assert "&lt;!channel&gt; &amp; &lt;@U0BOSS&gt;" in text
    assert len(text) <= 3000


def test_place_round_trips_through_the_block_id() -> None:
    for place in (
        Place(5),
        Place(5, PlaceKind.ONE),
        Place(5, PlaceKind.LIST, TaskScope.OVERDUE, "U0BOB"),
        Place(5, PlaceKind.REMINDER, late=True),
        Place(5, PlaceKind.REMINDER),
    ):
        assert Place.read(place.block_id) == place
        assert len(place.block_id) <= 255
    for other in (None, "", "customer_actions", "task:x:line", "task:5:what", "task:5:list:x:U"):
        assert Place.read(other) is None


# --- messages ---------------------------------------------------------------------------------


def test_the_add_reply_echoes_exactly_what_was_saved() -> None:
    acme = make_customer()
    text, blocks = added_message(
        make_task(customer_id=acme.id, deal_number=42), acme, tz=NY, now=NOW
    )
    assert text == (
        "Added T-7 *Call back Acme* for <@U0BOB>, due Fri 6 Mar 2026, 15:00 (America/New_York), "
        "customer C-12 Acme (deal D-42)"
    )
    assert block_problems(dicts(blocks)) == []
    assert blocks[0].to_dict()["block_id"] == "task:107:one"


def test_the_assignment_dm_names_who_assigned_it() -> None:
    text, blocks = assignment_message(
        make_task(title="<!here> call"), None, tz=NY, now=NOW, by="U0ALICE"
    )
    assert text == (
        "<@U0ALICE> assigned you T-7 &lt;!here&gt; call, due Fri 6 Mar 2026, 15:00 "
        "(America/New_York)"
    )
    assert block_problems(dicts(blocks)) == []


def test_reminder_has_the_task_customer_due_time_and_five_buttons() -> None:
    acme = make_customer()
    task = make_task(customer_id=acme.id)
    text, blocks = reminder_message(task, acme, tz=NY, now=NOW, late=False)
    assert block_problems(dicts(blocks)) == []
    assert text == (
        "Reminder: T-7 Call back Acme, due Fri 6 Mar 2026, 15:00 (America/New_York), "
        "customer C-12 Acme"
    )
    shown = mrkdwn(blocks)
    assert "*Due* Fri 6 Mar 2026, 15:00 (America/New_York)" in shown
    assert "*For* C-12 Acme" in shown and "Late" not in shown
    actions = blocks[-1].to_dict()
    assert actions["block_id"] == "task:107:remind:"
    assert [(b["text"]["text"], b["action_id"], b["value"]) for b in actions["elements"]] == [
        ("Done", ActionId.TASK_DONE, "107"),
        ("Snooze 1 h", f"{ActionId.TASK_SNOOZE}:1h", "107:1h"),
        ("Tomorrow 9:00", f"{ActionId.TASK_SNOOZE}:tomorrow", "107:tomorrow"),
        ("Next week", f"{ActionId.TASK_SNOOZE}:nextweek", "107:nextweek"),
        ("Open customer", ActionId.CUSTOMER_OPEN, str(acme.id)),
    ]


def test_a_late_reminder_says_so_and_one_without_customer_has_no_open_button() -> None:
    task = make_task(due_at=datetime(2026, 3, 2, 14, 0, tzinfo=UTC))
    text, blocks = reminder_message(task, None, tz=NY, now=NOW, late=True)
    assert block_problems(dicts(blocks)) == []
    assert text.endswith("(late: Salesbot was offline)")
    assert (
        "Late: was due today, Mon 2 Mar 2026, 09:00 (America/New_York) (Salesbot was offline)"
        in mrkdwn(blocks)
    )
    assert blocks[-1].to_dict()["block_id"] == "task:107:remind:late"
    assert ActionId.CUSTOMER_OPEN not in mrkdwn(blocks)


def test_a_reminder_for_a_done_task_keeps_only_open_customer() -> None:
    acme = make_customer()
    done = make_task(customer_id=acme.id, status=TaskStatus.DONE, done_by="U0BOB", done_at=NOW)
    _, blocks = reminder_message(done, acme, tz=NY, now=NOW, late=False)
    assert block_problems(dicts(blocks)) == []
    assert "is done (by <@U0BOB>)" in mrkdwn(blocks)
    assert [e["action_id"] for e in blocks[-1].to_dict()["elements"]] == [ActionId.CUSTOMER_OPEN]
    _, no_customer = reminder_message(
        make_task(status=TaskStatus.DONE), None, tz=NY, now=NOW, late=False
    )
    assert all(b.to_dict()["type"] == "section" for b in no_customer)


def test_a_reminder_escapes_and_fits_a_long_title() -> None:
    acme = make_customer("<!everyone>")
    task = make_task(title="<" * TITLE_MAX, customer_id=acme.id)
    text, blocks = reminder_message(task, acme, tz=NY, now=NOW, late=True)
    assert block_problems(dicts(blocks)) == []
    assert "<<" not in text and "<!everyone>" not in text
    assert "<!everyone>" not in mrkdwn(blocks)


def test_overdue_summary_lists_at_most_twenty_then_counts_the_rest() -> None:
    acme = make_customer()
    tasks = [
        make_task(n, title=f"Task {n}", customer_id=acme.id, due_at=NOW - timedelta(days=1))
        for n in range(1, 26)
    ]
    text, blocks = overdue_summary_message(tasks, {acme.id: acme}, tz=NY, now=NOW)
    assert block_problems(dicts(blocks)) == []
    lines = [b for b in dicts(blocks) if (b.get("block_id") or "").startswith("task:")]
    assert 15 <= len(lines) <= 20
    assert blocks[0].to_dict()["text"]["text"] == ":red_circle: *You have 25 overdue tasks*"
    assert blocks[-1].to_dict()["elements"][0]["text"] == (
        f"…and {25 - len(lines)} more — `/task overdue`"
    )
    assert text == "You have 25 overdue tasks: T-1 Task 1; T-2 Task 2; T-3 Task 3; …"
    assert "C-12 Acme" in lines[0]["text"]["text"]


def test_overdue_summary_of_a_few_has_no_more_line_and_escapes_titles() -> None:
    tasks = [make_task(1, title="<!channel> now", due_at=NOW - timedelta(hours=2))]
    text, blocks = overdue_summary_message(tasks, {}, tz=NY, now=NOW)
    assert text == "You have 1 overdue task: T-1 &lt;!channel&gt; now"
    assert len(blocks) == 2 and block_problems(dicts(blocks)) == []
    assert "<!channel>" not in mrkdwn(blocks)


def test_overdue_summary_with_the_longest_titles_stays_under_the_size_ceiling() -> None:
    tasks = [make_task(n, title="&" * TITLE_MAX, due_at=NOW - timedelta(days=1)) for n in range(40)]
    _, blocks = overdue_summary_message(tasks, {}, tz=NY, now=NOW)
    assert block_problems(dicts(blocks)) == []
    assert "more — `/task overdue`" in mrkdwn(blocks)


def test_lists_have_a_heading_or_say_there_is_nothing() -> None:
    text, blocks = list_message(
        [], 0, {}, scope=TaskScope.OPEN, assignee_id="U0BOB", viewer_id="U0BOB", tz=NY, now=NOW
    )
    assert text.startswith("No open tasks.") and block_problems(dicts(blocks)) == []
    text, _ = list_message(
        [], 0, {}, scope=TaskScope.TODAY, assignee_id="U0BOB", viewer_id="U0ALICE", tz=NY, now=NOW
    )
    assert text.startswith("Nothing due today for <@U0BOB>.")
    text, blocks = list_message(
        [make_task()],
        1,
        {},
        scope=TaskScope.OVERDUE,
        assignee_id="U0BOB",
        viewer_id="U0ALICE",
        tz=NY,
        now=NOW,
        note="T-3 is done.",
    )
    assert text == "<@U0BOB>'s overdue tasks (1)"
    data = dicts(blocks)
    assert block_problems(data) == []
    assert data[0]["elements"][0]["text"] == "T-3 is done."
    assert data[2]["block_id"] == "task:107:list:overdue:U0BOB"
    assert "for <@U0BOB>" not in data[2]["text"]["text"]  # the heading says whose


# --- modals -----------------------------------------------------------------------------------


def test_the_new_task_form_is_a_valid_modal_prefilled_for_a_customer() -> None:
    acme = make_customer("<Acme>")
    context = ModalContext(acme.id, "token", "https://hooks.example/r", "C0SALES")
    view = task_modal(context, tz=NY, assignee_id="U0ALICE", customer=acme).to_dict()
    assert view_problems(view, expected_type="modal") == []
    assert view["callback_id"] == CallbackId.TASK_SAVE
    assert ModalContext.load(view["private_metadata"]) == context
    ids = [b.get("block_id") for b in view["blocks"]]
    assert ids[1:] == [TaskBlock.TITLE, TaskBlock.ASSIGNEE, TaskBlock.DUE]
    assert "C-12 &lt;Acme&gt;" in view["blocks"][0]["text"]["text"]
    assert view["blocks"][2]["element"]["initial_user"] == "U0ALICE"

    open_form = task_modal(ModalContext(None, "t"), tz=NY, assignee_id="U0ALICE").to_dict()
    assert view_problems(open_form, expected_type="modal") == []
    assert open_form["blocks"][-1]["block_id"] == TaskBlock.CUSTOMER


def test_the_form_drops_a_response_url_that_would_overflow_private_metadata() -> None:
    context = ModalContext(None, "t", "https://hooks.example/" + "r" * 3000, "C0SALES")
    assert len(context.dump()) <= 3000
    assert ModalContext.load(context.dump()).response_url is None


def test_the_reassign_form_is_a_valid_modal_carrying_where_it_came_from() -> None:
    context = ReassignContext(
        107, "task:107:list:open:U0BOB", "https://hooks.example/r", "D1", "1.2"
    )
    view = reassign_modal(make_task(title="<b>"), context).to_dict()
    assert view_problems(view, expected_type="modal") == []
    assert view["callback_id"] == CallbackId.TASK_REASSIGN_SAVE
    assert view["title"]["text"] == "Reassign T-7"
    assert ReassignContext.load(view["private_metadata"]) == context
    assert view["blocks"][1]["element"]["initial_user"] == "U0BOB"
