"""The task slice end to end: signed requests into `POST /slack/events`, Web API out.

The clock starts Monday 2 March 2026, 15:30 UTC: 10:30 in New York, the workspace's zone.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest

from bot import payloads
from commands.ids import ActionId, CallbackId
from commands.task.views import TaskBlock, overdue_summary_message, reminder_message, task_section
from domain.clock import FrozenClock
from domain.customers import CustomerDraft
from domain.tasks import TaskDraft, TaskScope, TaskStatus
from tests.harness import CHANNEL, TEAM, USER, Reply, RunningBot, find_button, text_values

BOB = "U0BOB"
CAROL = "U0CAROL"
MALLORY = "U0MALLORY"
NY = "America/New_York"


# --- helpers --------------------------------------------------------------------------------------


def slack_command(bot: RunningBot, text: str, *, user: str = USER, team: str = TEAM) -> Reply:
    """/task as Slack sends it: `text` already in Slack's form (entities, <@U…|name> mentions)."""
    body = payloads.slash_command(
        "/task",
        "",
        team_id=team,
        user_id=user,
        channel_id=CHANNEL,
        response_url=bot.slack.response_url(),
    )
    fields = dict(parse_qsl(body, keep_blank_values=True))
    fields["text"] = text
    reply = bot.post(urlencode(fields))
    bot.settle()
    return reply


def start(bot: RunningBot) -> None:
    """Alice's first request: she is the workspace's first user, so its admin."""
    bot.command("/task", "help")


def customer(bot: RunningBot, name: str = "Acme", team: str = TEAM) -> Any:
    bot.services.workspaces.ensure(team, None)
    return bot.services.customers.create(team, CustomerDraft.from_input(name=name), actor=USER)


def task(
    bot: RunningBot,
    title: str = "Call back",
    *,
    assignee: str = USER,
    actor: str = USER,
    due: datetime | None = None,
    team: str = TEAM,
    customer_id: int | None = None,
) -> Any:
    bot.services.workspaces.ensure(team, None)
    draft = TaskDraft.from_input(
        title=title,
        assignee_id=assignee,
        due_at=due,
        due_has_time=due is not None,
        customer_id=customer_id,
    )
    return bot.services.tasks.add(team, draft, actor=actor)


def responses(bot: RunningBot) -> list[dict[str, Any]]:
    return [c.args for c in bot.slack.calls_to("response_url")]


def shown_ids(message: dict[str, Any]) -> list[str]:
    """Task ids of the task lines in a message, in order."""
    ids = []
    for block in message.get("blocks", []):
        parts = (block.get("block_id") or "").split(":")
        if parts[0] == "task" and block["type"] == "section":
            ids.append(parts[1])
    return ids


def public_ids(bot: RunningBot, message: dict[str, Any]) -> list[str]:
    return [bot.services.tasks.get(TEAM, int(i)).public_id for i in shown_ids(message)]


def menu_option(message: dict[str, Any], task_id: int, choice: str) -> tuple[dict, str]:
    """The overflow element of a task's line with `choice` picked, and the line's block id."""
    for block in message["blocks"]:
        accessory = block.get("accessory") or {}
        if accessory.get("action_id") == ActionId.TASK_MENU:
            for option in accessory["options"]:
                if option["value"] == f"{task_id}:{choice}":
                    return {**accessory, "selected_option": option}, block["block_id"]
    raise AssertionError(f"no {choice} option for task {task_id} in {json.dumps(message)[:400]}")


def press_in_dm(
    bot: RunningBot,
    element: dict[str, Any],
    block_id: str,
    message: dict[str, Any],
    *,
    user: str = USER,
    response_url: bool = False,
) -> Reply:
    """Press a button on a bot DM: the payload carries the message and its DM channel."""
    body = payloads.block_action(
        element,
        team_id=TEAM,
        user_id=user,
        channel_id=f"D{user}",
        message=message,
        block_id=block_id,
        response_url=bot.slack.response_url() if response_url else None,
    )
    reply = bot.post(body)
    bot.settle()
    return reply


def users_value(user: str | None) -> dict[str, Any]:
    return {"value": {"type": "users_select", "selected_user": user}}


def form_values(
    title: str | None, assignee: str | None, due: str | None = None, customer: str | None = None
) -> dict[str, Any]:
    values = text_values(**{TaskBlock.TITLE: title, TaskBlock.DUE: due})
    values[TaskBlock.ASSIGNEE] = users_value(assignee)
    if customer is not None:
        values.update(text_values(**{TaskBlock.CUSTOMER: customer}))
    return values


# --- /task add ----------------------------------------------------------------------------------


def test_add_with_mention_due_customer_and_deal_saves_it_and_echoes_the_reading(
    bot: RunningBot,
) -> None:
    start(bot)
    acme = customer(bot)
    reply = slack_command(bot, "add Call back Acme <@U0BOB|bob> due:fri 3pm C-1 D-42")
    assert reply.status == 200 and reply.body == ""

    echo = bot.last_response()
    assert echo["response_type"] == "ephemeral"
    assert echo["text"] == (
        "Added T-1 *Call back Acme* for <@U0BOB>, due Fri 6 Mar 2026, 15:00 (America/New_York), "
        "customer C-1 Acme (deal D-42)"
    )
    saved = bot.services.tasks.get_by_number(TEAM, 1)
    assert saved.title == "Call back Acme"
    assert saved.assignee_id == BOB and saved.created_by == USER
    assert saved.due_at == datetime(2026, 3, 6, 20, 0, tzinfo=UTC) and saved.due_has_time
    assert saved.customer_id == acme.id and saved.deal_number == 42
    assert saved.status is TaskStatus.OPEN

    dm = bot.slack.calls_to("chat.postMessage")[-1].args
    assert dm["channel"] == BOB
    assert dm["text"].startswith("<@U0ALICE> assigned you T-1 Call back Acme, due Fri 6 Mar 2026")
    _, block_id = menu_option(dm, saved.id, "done")
    assert block_id.startswith(f"task:{saved.id}:")


def test_add_for_yourself_sends_no_dm_and_a_date_without_time_means_nine(bot: RunningBot) -> None:
    slack_command(bot, "add Send the quote due:tomorrow")
    assert bot.last_response()["text"] == (
        "Added T-1 *Send the quote* for <@U0ALICE>, "
        "due tomorrow, Tue 3 Mar 2026, 09:00 (America/New_York)"
    )
    saved = bot.services.tasks.get_by_number(TEAM, 1)
    assert saved.assignee_id == USER and not saved.due_has_time
    assert saved.due_at == datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
    assert bot.slack.calls_to("chat.postMessage") == []


def test_mentions_typed_out_and_escaped_characters_are_read_as_typed(bot: RunningBot) -> None:
    # Through the harness every <, > and & is escaped, as Slack does for typed characters.
    bot.command("/task", "add Quote for AT&T <legal> <@U0BOB>")
    saved = bot.services.tasks.get_by_number(TEAM, 1)
    assert saved.title == "Quote for AT&T <legal>" and saved.assignee_id == BOB
    assert bot.last_response()["text"].startswith("Added T-1 *Quote for AT&amp;T &lt;legal&gt;*")


def test_unknown_customer_writes_nothing(bot: RunningBot) -> None:
    customer(bot, "Elsewhere", team="T0OTHER")  # C-1 exists, but in another workspace
    slack_command(bot, "add Call back C-1")
    assert bot.last_response()["text"] == (
        "There is no customer C-1 in this workspace. Nothing was added."
    )
    assert bot.services.tasks.open_list(
        TEAM, assignee_id=None, scope=TaskScope.OPEN, tz=bot.services.clock.now().tzinfo
    ) == ([], 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("add Call back due:blorp", 'I couldn\'t read "blorp" as a date'),
        ("add Call back due:yesterday", "is in the past"),
        ("add due:fri", "Say what needs doing"),
        ("add Call <@U0BOB|bob> and <@U0CAROL|carol>", "Mention one person"),
        ("add Call back @bob", "I can't tell who @bob is"),
        ("add Call back C-1 C-2", "Link one customer per task (found C-1, C-2)"),
        ("done", "Say which task is done"),
        ("done Acme", "Say which task is done"),
        ("frobnicate", '"frobnicate" isn\'t something /task understands.'),
        ("overdue today", "Ask for one list at a time"),
    ],
)
def test_bad_input_says_what_was_wrong_shows_usage_and_writes_nothing(
    bot: RunningBot, text: str, expected: str
) -> None:
    reply = slack_command(bot, text)
    assert reply.status == 200
    assert expected in reply.json()["text"]
    assert "Usage: /task add" in reply.json()["text"] and "/task done T-7" in reply.text
    assert reply.json().get("response_type", "ephemeral") == "ephemeral"
    assert (
        bot.services.tasks.open_list(TEAM, assignee_id=None, scope=TaskScope.OPEN, tz=UTC)[1] == 0
    )


def test_a_50000_character_task_is_refused_clearly(bot: RunningBot) -> None:
    reply = bot.command("/task", "add " + "x" * 50_000 + " due:fri")
    assert "That is 50,008 characters; keep a task under 500." in reply.text
    assert (
        bot.services.tasks.open_list(TEAM, assignee_id=None, scope=TaskScope.OPEN, tz=UTC)[1] == 0
    )


def test_help_shows_every_form(bot: RunningBot) -> None:
    reply = bot.command("/task", "help")
    for form in ("/task add", "/task [mine]", "/task @user", "/task overdue", "/task done T-7"):
        assert form in reply.text
    assert bot.command("/task", "add x").seconds < 3


def test_add_alone_opens_the_form(bot: RunningBot) -> None:
    bot.command("/task", "add")
    view = bot.last_view()
    assert view["callback_id"] == CallbackId.TASK_SAVE
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks[TaskBlock.ASSIGNEE]["element"]["initial_user"] == USER
    assert TaskBlock.CUSTOMER in blocks  # no customer given: asked for by id


# --- lists --------------------------------------------------------------------------------------


def test_list_scopes_split_at_now_and_at_local_midnight(bot: RunningBot) -> None:
    start(bot)
    now = bot.services.clock.now()  # Mon 15:30 UTC = 10:30 in New York
    overdue = task(bot, "Overdue this morning", due=datetime(2026, 3, 2, 14, 0, tzinfo=UTC))
    just_late = task(bot, "A minute late", due=now - timedelta(minutes=1))
    just_ahead = task(bot, "In a minute", due=now + timedelta(minutes=1))
    # 23:59 Monday in New York is already Tuesday in UTC: still today here.
    tonight = task(bot, "Before local midnight", due=datetime(2026, 3, 3, 4, 59, tzinfo=UTC))
    tomorrow = task(bot, "After local midnight", due=datetime(2026, 3, 3, 5, 0, tzinfo=UTC))
    undated = task(bot, "Whenever")
    bobs = task(bot, "Bob's", assignee=BOB, due=datetime(2026, 3, 2, 14, 0, tzinfo=UTC))
    finished = task(bot, "Finished", due=datetime(2026, 3, 2, 14, 0, tzinfo=UTC))
    bot.services.tasks.complete(TEAM, finished.id, actor=USER)

    ids = lambda *ts: [t.public_id for t in ts]  # noqa: E731
    slack_command(bot, "")
    mine = bot.last_response()
    assert public_ids(bot, mine) == ids(overdue, just_late, just_ahead, tonight, tomorrow, undated)
    assert "*Your open tasks* (6)" in json.dumps(mine["blocks"])
    for text in ("mine", "MINE", "open"):
        slack_command(bot, text)
        assert public_ids(bot, bot.last_response()) == public_ids(bot, mine)

    slack_command(bot, "overdue")
    late = bot.last_response()
    assert public_ids(bot, late) == ids(overdue, just_late)
    assert json.dumps(late["blocks"]).count(":red_circle: *overdue*, was due today") == 2

    slack_command(bot, "today")
    assert public_ids(bot, bot.last_response()) == ids(overdue, just_late, just_ahead, tonight)
    assert "due today 23:59" in json.dumps(bot.last_response()["blocks"])

    slack_command(bot, "<@U0BOB|bob>")
    theirs = bot.last_response()
    assert public_ids(bot, theirs) == ids(bobs)
    assert "<@U0BOB>'s open tasks" in theirs["text"]
    slack_command(bot, "<@U0BOB|bob> today")
    assert public_ids(bot, bot.last_response()) == ids(bobs)


def test_a_line_names_its_customer_and_escapes_what_was_typed(bot: RunningBot) -> None:
    acme = customer(bot, "<!channel> & Co")
    task(bot, "Ping <!here>", customer_id=acme.id)
    bot.command("/task")
    line = bot.last_response()["blocks"][1]["text"]["text"]
    assert line.startswith("*T-1* Ping &lt;!here&gt;\nno due date · C-1 &lt;!channel&gt; &amp; Co")


def test_an_empty_list_is_friendly(bot: RunningBot) -> None:
    bot.command("/task")
    assert bot.last_response()["text"].startswith("No open tasks.")
    bot.command("/task", "overdue")
    assert bot.last_response()["text"].startswith("No overdue tasks.")
    slack_command(bot, "<@U0BOB|bob>")
    assert bot.last_response()["text"].startswith("No open tasks for <@U0BOB>.")


@pytest.mark.parametrize(
    ("title", "at_least"),
    [("Call back about the renewal quote", 16), ("Escape me " + "&" * 150, 5)],
)
def test_a_long_list_stops_within_slacks_limits_and_counts_the_rest(
    bot: RunningBot, title: str, at_least: int
) -> None:
    acme = customer(bot, "Acme Corporation")
    for n in range(25):
        due = datetime(2026, 3, 10, 14, n, tzinfo=UTC)
        task(bot, f"{title} {n}", due=due, customer_id=acme.id)
    bot.command("/task")
    listing = bot.last_response()
    shown = len(shown_ids(listing))
    assert at_least <= shown <= 20
    assert f"…and {25 - shown} more." in json.dumps(listing["blocks"], ensure_ascii=False)
    # LocalSlack checks the message against Block Kit's limits, the size ceiling included.


# --- done ---------------------------------------------------------------------------------------


def test_done_by_id_completes_once_and_says_so_the_second_time(bot: RunningBot) -> None:
    start(bot)
    first = task(bot, "Send quote")
    bot.command("/task", "done T-1")
    assert bot.last_response()["text"] == "Done: T-1 *Send quote*."
    assert bot.services.tasks.get(TEAM, first.id).status is TaskStatus.DONE
    audit_before = bot.services.tasks.get(TEAM, first.id).updated_at

    bot.command("/task", "done t1")
    assert bot.last_response()["text"] == "T-1 is already done by <@U0ALICE>, today 10:30."
    assert bot.services.tasks.get(TEAM, first.id).updated_at == audit_before


def test_done_with_an_unknown_or_foreign_id_writes_nothing(bot: RunningBot) -> None:
    theirs = task(bot, "Secret", team="T0OTHER", assignee="U0OTHER", actor="U0OTHER")
    bot.command("/task", "done T-1")
    assert bot.last_response()["text"] == "There is no task T-1 in this workspace."
    bot.command("/task", "done T-99")
    assert bot.last_response()["text"] == "There is no task T-99 in this workspace."
    assert bot.services.tasks.get("T0OTHER", theirs.id).status is TaskStatus.OPEN


def test_only_the_assignee_the_creator_or_an_admin_may_change_a_task(bot: RunningBot) -> None:
    start(bot)  # Alice: admin
    bobs = task(bot, "Bob's own", assignee=BOB, actor=BOB)
    bot.command("/task", "done T-1", user=MALLORY)
    assert bot.last_response()["text"] == (
        "Only <@U0BOB> (assigned), <@U0BOB> (who added it) or an admin or manager can change T-1."
    )
    assert bot.services.tasks.get(TEAM, bobs.id).status is TaskStatus.OPEN

    slack_command(bot, "<@U0BOB|bob>", user=MALLORY)
    element, block_id = menu_option(bot.last_response(), bobs.id, "1h")
    bot.press(element, block_id=block_id, user=MALLORY)
    refusal = bot.last_response()
    assert refusal["text"].startswith("Only <@U0BOB> (assigned)")
    assert refusal.get("replace_original") is False
    assert bot.services.tasks.get(TEAM, bobs.id).due_at is None

    bot.command("/task", "done T-1")  # the admin may
    assert bot.services.tasks.get(TEAM, bobs.id).status is TaskStatus.DONE


# --- the menu on a line -------------------------------------------------------------------------


def test_done_from_the_menu_completes_and_redraws_the_list(bot: RunningBot) -> None:
    first = task(bot, "First", due=datetime(2026, 3, 4, 14, 0, tzinfo=UTC))
    second = task(bot, "Second", due=datetime(2026, 3, 5, 14, 0, tzinfo=UTC))
    bot.command("/task")
    element, block_id = menu_option(bot.last_response(), first.id, "done")
    reply = bot.press(element, block_id=block_id)
    assert reply.status == 200 and reply.body == ""

    assert bot.services.tasks.get(TEAM, first.id).status is TaskStatus.DONE
    redrawn = bot.last_response()
    assert redrawn["replace_original"] is True
    assert public_ids(bot, redrawn) == [second.public_id]
    assert ":white_check_mark: T-1 is done." in json.dumps(redrawn["blocks"])


@pytest.mark.parametrize(
    ("choice", "until", "shown"),
    [
        ("1h", datetime(2026, 3, 2, 16, 30, tzinfo=UTC), "today, Mon 2 Mar 2026, 11:30"),
        ("tomorrow", datetime(2026, 3, 3, 14, 0, tzinfo=UTC), "tomorrow, Tue 3 Mar 2026, 09:00"),
        # Daylight saving starts on Sunday 8 March: Monday 9:00 is 13:00 UTC, not 14:00.
        ("nextweek", datetime(2026, 3, 9, 13, 0, tzinfo=UTC), "Mon 9 Mar 2026, 09:00"),
    ],
)
def test_snooze_from_the_menu_moves_the_due_time_in_workspace_time(
    bot: RunningBot, choice: str, until: datetime, shown: str
) -> None:
    late = task(bot, "Late one", due=datetime(2026, 3, 2, 14, 0, tzinfo=UTC))
    bot.command("/task", "overdue")
    element, block_id = menu_option(bot.last_response(), late.id, choice)
    bot.press(element, block_id=block_id)

    saved = bot.services.tasks.get(TEAM, late.id)
    assert saved.due_at == until and saved.remind_at == until
    redrawn = bot.last_response()
    assert redrawn["replace_original"] is True
    assert f"T-1 snoozed until {shown} (America/New_York)." in json.dumps(redrawn["blocks"])
    assert shown_ids(redrawn) == []  # no longer overdue, so gone from this list


def test_reassign_opens_a_form_then_moves_the_task_and_dms_the_new_assignee(
    bot: RunningBot,
) -> None:
    mine = task(bot, "Hand over")
    bot.command("/task")
    element, block_id = menu_option(bot.last_response(), mine.id, "reassign")
    bot.press(element, block_id=block_id)
    form = bot.last_view()
    assert form["callback_id"] == CallbackId.TASK_REASSIGN_SAVE
    assert form["title"]["text"] == "Reassign T-1"

    same = bot.submit(form, {TaskBlock.ASSIGNEE: users_value(USER)})
    assert same.json()["response_action"] == "errors"
    assert bot.services.tasks.get(TEAM, mine.id).assignee_id == USER

    reply = bot.submit(form, {TaskBlock.ASSIGNEE: users_value(CAROL)})
    assert reply.status == 200 and reply.body == ""
    assert bot.services.tasks.get(TEAM, mine.id).assignee_id == CAROL
    dm = bot.slack.calls_to("chat.postMessage")[-1].args
    assert dm["channel"] == CAROL and dm["text"].startswith("<@U0ALICE> assigned you T-1 Hand over")
    redrawn = bot.last_response()
    assert redrawn["replace_original"] is True
    assert shown_ids(redrawn) == []  # it left Alice's list
    assert "T-1 is now <@U0CAROL>'s." in json.dumps(redrawn["blocks"])


def test_a_done_task_cannot_be_snoozed_or_reassigned(bot: RunningBot) -> None:
    one = task(bot, "Quick")
    bot.command("/task")
    listing = bot.last_response()
    bot.services.tasks.complete(TEAM, one.id, actor=USER)
    for choice in ("1h", "reassign"):
        element, block_id = menu_option(listing, one.id, choice)
        bot.press(element, block_id=block_id)
        assert bot.last_response()["text"] == "T-1 is already done by <@U0ALICE>, today 10:30."
    assert bot.slack.calls_to("views.open") == []


def test_an_action_on_the_add_reply_replaces_it_with_the_new_state(bot: RunningBot) -> None:
    slack_command(bot, "add Call Acme due:fri")
    saved = bot.services.tasks.get_by_number(TEAM, 1)
    element, block_id = menu_option(bot.last_response(), saved.id, "done")
    bot.press(element, block_id=block_id)
    redrawn = bot.last_response()
    assert redrawn["replace_original"] is True
    assert "~T-1 Call Acme~" in json.dumps(redrawn["blocks"])


def test_another_workspace_cannot_act_on_a_task(bot: RunningBot) -> None:
    mine = task(bot, "Mine")
    bot.command("/task")
    element, block_id = menu_option(bot.last_response(), mine.id, "done")
    bot.press(element, block_id=block_id, team="T0OTHER", user="U0OTHER")
    assert bot.last_response()["text"] == "That task does not exist in this workspace."
    assert bot.services.tasks.get(TEAM, mine.id).status is TaskStatus.OPEN


# --- buttons in DMs -----------------------------------------------------------------------------


def post_reminder(bot: RunningBot, task_id: int, *, late: bool = False) -> dict[str, Any]:
    """Send the reminder DM the way the scheduler will, and return the posted message."""
    found = bot.services.tasks.get(TEAM, task_id)
    client = bot.app.client
    acme = bot.services.customers.get(TEAM, found.customer_id) if found.customer_id else None
    text, blocks = reminder_message(
        found,
        acme,
        tz=bot.services.workspaces.ensure(TEAM, None)[0].tz,
        now=bot.services.clock.now(),
        late=late,
    )
    result = client.chat_postMessage(channel=USER, text=text, blocks=[b.to_dict() for b in blocks])
    return result["message"]


def test_done_on_a_reminder_dm_updates_that_message(bot: RunningBot, clock: FrozenClock) -> None:
    start(bot)
    acme = customer(bot)
    due = task(bot, "Call Acme", due=datetime(2026, 3, 2, 14, 0, tzinfo=UTC), customer_id=acme.id)
    message = post_reminder(bot, due.id, late=True)
    assert "Late: was due today, Mon 2 Mar 2026, 09:00" in json.dumps(message["blocks"])
    done, block_id = find_button(message["blocks"], ActionId.TASK_DONE)
    press_in_dm(bot, done, block_id, message)

    assert bot.services.tasks.get(TEAM, due.id).status is TaskStatus.DONE
    update = bot.slack.calls_to("chat.update")[-1].args
    assert update["channel"] == "DU0ALICE" and update["ts"] == message["ts"]
    shown = json.dumps(update["blocks"])
    assert "is done (by <@U0ALICE>)" in shown and ActionId.TASK_DONE not in shown
    assert ActionId.CUSTOMER_OPEN in shown  # the customer is still a click away


def test_snooze_on_a_reminder_with_a_response_url_replaces_it_there(bot: RunningBot) -> None:
    due = task(bot, "Call", due=datetime(2026, 3, 2, 14, 0, tzinfo=UTC))
    message = post_reminder(bot, due.id)
    snooze, block_id = find_button(message["blocks"], f"{ActionId.TASK_SNOOZE}:tomorrow")
    press_in_dm(bot, snooze, block_id, message, response_url=True)

    assert bot.services.tasks.get(TEAM, due.id).due_at == datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
    redrawn = bot.last_response()
    assert redrawn["replace_original"] is True
    assert "tomorrow, Tue 3 Mar 2026, 09:00" in json.dumps(redrawn["blocks"])
    assert bot.slack.calls_to("chat.update") == []


def test_the_menu_on_an_assignment_dm_swaps_just_that_line(bot: RunningBot) -> None:
    slack_command(bot, "add Call back <@U0BOB|bob>")
    dm_call = bot.slack.calls_to("chat.postMessage")[-1]
    message = dm_call.result["message"]
    saved = bot.services.tasks.get_by_number(TEAM, 1)
    element, block_id = menu_option(message, saved.id, "nextweek")
    press_in_dm(bot, element, block_id, message, user=BOB)

    assert bot.services.tasks.get(TEAM, saved.id).due_at == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    update = bot.slack.calls_to("chat.update")[-1].args
    assert update["channel"] == "DU0BOB" and update["ts"] == message["ts"]
    assert update["blocks"][0] == message["blocks"][0]  # "@alice assigned you a task:"
    assert "due Mon 9 Mar 09:00" in update["blocks"][1]["text"]["text"]


def test_a_line_on_an_ephemeral_card_gets_a_note_and_leaves_the_card_alone(
    bot: RunningBot,
) -> None:
    acme = customer(bot)
    due = task(bot, "Call", customer_id=acme.id)
    tz = bot.services.workspaces.ensure(TEAM, None)[0].tz
    # A task line as the customer card shows it; Slack sends no blocks for ephemeral messages.
    line = task_section(due, tz=tz, now=bot.services.clock.now(), customer=acme).to_dict()
    element, block_id = menu_option({"blocks": [line]}, due.id, "done")
    bot.press(element, block_id=block_id)

    note = bot.last_response()
    assert note["replace_original"] is False and note["response_type"] == "ephemeral"
    assert note["text"] == ":white_check_mark: T-1 is done."
    assert bot.services.tasks.get(TEAM, due.id).status is TaskStatus.DONE


def test_a_line_in_the_overdue_summary_dm_is_swapped_in_place(bot: RunningBot) -> None:
    late = [task(bot, f"Late {n}", due=datetime(2026, 3, 2, 14, n, tzinfo=UTC)) for n in range(3)]
    tz = bot.services.workspaces.ensure(TEAM, None)[0].tz
    text, blocks = overdue_summary_message(late, {}, tz=tz, now=bot.services.clock.now())
    posted = bot.app.client.chat_postMessage(
        channel=USER, text=text, blocks=[b.to_dict() for b in blocks]
    )
    message = posted["message"]
    element, block_id = menu_option(message, late[1].id, "done")
    press_in_dm(bot, element, block_id, message)

    update = bot.slack.calls_to("chat.update")[-1].args
    assert update["ts"] == message["ts"] and update["text"] == message["text"]
    pairs = zip(update["blocks"], message["blocks"], strict=True)
    changed = [i for i, (after, before) in enumerate(pairs) if after != before]
    assert changed == [2]  # the heading, then T-1, T-2 (pressed), T-3
    assert "~T-2 Late 1~" in update["blocks"][2]["text"]["text"]
    assert "accessory" not in update["blocks"][2]


# --- the New task form --------------------------------------------------------------------------


def test_add_task_button_opens_the_form_for_that_customer_and_saves(bot: RunningBot) -> None:
    acme = customer(bot)
    bot.press({"action_id": ActionId.TASK_ADD, "value": str(acme.id)})
    form = bot.last_view()
    assert form["callback_id"] == CallbackId.TASK_SAVE
    assert "C-1 Acme" in json.dumps(form["blocks"])
    assert TaskBlock.CUSTOMER not in {b.get("block_id") for b in form["blocks"]}

    bad = bot.submit(form, form_values("Call back", BOB, due="blorp"))
    errors = bad.json()["errors"]
    assert bad.json()["response_action"] == "errors" and set(errors) == {TaskBlock.DUE}
    assert errors[TaskBlock.DUE].startswith('I couldn\'t read "blorp" as a date')
    empty = bot.submit(form, form_values("  ", None))
    assert set(empty.json()["errors"]) == {TaskBlock.TITLE, TaskBlock.ASSIGNEE}
    assert bot.services.tasks.for_customer(TEAM, acme.id)[1] == 0

    good = bot.submit(form, form_values("Call back", BOB, due="fri 3pm"))
    assert good.status == 200 and good.body == ""
    saved = bot.services.tasks.get_by_number(TEAM, 1)
    assert (saved.customer_id, saved.assignee_id) == (acme.id, BOB)
    assert saved.due_at == datetime(2026, 3, 6, 20, 0, tzinfo=UTC)
    assert bot.last_response()["text"].startswith("Added T-1 *Call back* for <@U0BOB>")
    assert bot.slack.calls_to("chat.postMessage")[-1].args["channel"] == BOB


def test_the_form_without_a_customer_takes_an_id_and_checks_it(bot: RunningBot) -> None:
    acme = customer(bot)
    bot.press({"action_id": ActionId.TASK_ADD, "value": ""})
    form = bot.last_view()
    unknown = bot.submit(form, form_values("Call", USER, customer="C-9"))
    assert unknown.json()["errors"] == {TaskBlock.CUSTOMER: "There is no customer C-9."}
    bot.submit(form, form_values("Call", USER, customer="c-1"))
    assert bot.services.tasks.get_by_number(TEAM, 1).customer_id == acme.id


def test_submitting_the_new_task_form_twice_adds_once(bot: RunningBot) -> None:
    bot.command("/task", "add")
    form = bot.last_view()
    bot.submit(form, form_values("Twice", USER))
    bot.submit(form, form_values("Twice", USER))
    assert (
        bot.services.tasks.open_list(TEAM, assignee_id=USER, scope=TaskScope.OPEN, tz=UTC)[1] == 1
    )
