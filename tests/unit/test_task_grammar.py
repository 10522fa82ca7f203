"""What people type after /task: Slack's escaped text in, one intent (or a clear reason) out."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from commands.task.grammar import (
    TEXT_MAX,
    Add,
    Done,
    Help,
    Intent,
    ListTasks,
    NewForm,
    UsageError,
    parse,
    read_choice,
    read_text,
    snooze_until,
)
from domain.tasks import TaskScope

NOW = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)  # Monday, 10:30 in New York
NY = ZoneInfo("America/New_York")


def read(text: str) -> Intent:
    return parse(text, now=NOW, tz=NY)


@pytest.mark.parametrize(
    ("sent", "seen"),
    [
        ("AT&amp;T &lt;legal&gt;", "AT&T <legal>"),
        ("&amp;lt; stays literal", "&lt; stays literal"),
        ("ask <@U0BOB|bob>", "ask <@U0BOB>"),
        ("ask <@U0BOB>", "ask <@U0BOB>"),
        ("in <#C0SALES|sales>", "in #sales"),
        ("see <https://acme.example/q?a=1&amp;b=2|acme.example>", "see acme.example"),
        ("see <https://acme.example/q?a=1&amp;b=2>", "see https://acme.example/q?a=1&b=2"),
        ("mail <mailto:a@acme.example|a@acme.example>", "mail a@acme.example"),
        ("tell <!here>", "tell @here"),
        ("tell <!subteam^S0SALES|@sales>", "tell @sales"),
    ],
)
def test_slack_markup_and_entities_read_as_the_person_saw_them(sent: str, seen: str) -> None:
    assert read_text(sent) == seen


def test_nothing_or_mine_lists_your_open_tasks() -> None:
    for text in ("", "   ", "mine", "MINE", "open", "me"):
        assert read(text) == ListTasks(TaskScope.OPEN, None)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("overdue", ListTasks(TaskScope.OVERDUE, None)),
        ("today", ListTasks(TaskScope.TODAY, None)),
        ("<@U0BOB|bob>", ListTasks(TaskScope.OPEN, "U0BOB")),
        ("<@U0BOB|bob> overdue", ListTasks(TaskScope.OVERDUE, "U0BOB")),
        ("today <@W0BOB>", ListTasks(TaskScope.TODAY, "W0BOB")),
        ("@U0BOB", ListTasks(TaskScope.OPEN, "U0BOB")),  # an id typed out, as in the shell
        ("&lt;@U0BOB&gt;", ListTasks(TaskScope.OPEN, "U0BOB")),  # typed out, escaped by Slack
    ],
)
def test_list_scopes_and_whose(text: str, intent: ListTasks) -> None:
    assert read(text) == intent


def test_help_add_alone_and_done() -> None:
    for text in ("help", "?", "--help", "HELP"):
        assert read(text) == Help()
    assert read("add") == NewForm()
    assert read("add   ") == NewForm()
    for text in ("done T-7", "done t7", "DONE T-7", "done  t-7 "):
        assert read(text) == Done(7)


def test_add_reads_mention_due_customer_and_deal_anywhere() -> None:
    intent = read("add Call back <@U0BOB|bob> Acme due:fri 3pm C-12 D-42")
    assert isinstance(intent, Add)
    assert intent.title == "Call back Acme"
    assert intent.assignee_id == "U0BOB"
    assert intent.customer_number == 12 and intent.deal_number == 42
    assert intent.due is not None
    assert intent.due.at == datetime(2026, 3, 6, 20, 0, tzinfo=UTC) and intent.due.has_time

    # The due expression runs to the end or the next key:, so it comes last or before a key.
    reordered = read("add C-12 <@U0BOB> D-42 Call back Acme due:fri 3pm")
    assert reordered == intent


def test_add_with_only_a_title_leaves_the_rest_to_defaults() -> None:
    assert read("add Send the quote") == Add("Send the quote", None, None, None, None)


def test_a_due_date_without_time_is_nine_in_the_workspace_zone() -> None:
    intent = read("add Send quote due:tomorrow")
    assert isinstance(intent, Add) and intent.due is not None
    assert intent.due.at == datetime(2026, 3, 3, 14, 0, tzinfo=UTC) and not intent.due.has_time


def test_what_only_looks_like_an_id_or_a_mention_stays_in_the_title() -> None:
    intent = read("add Order ABC-12 and part C-12x for T-5, email bob@acme.example, tell @here")
    assert intent == Add(
        "Order ABC-12 and part C-12x for T-5, email bob@acme.example, tell @here",
        None,
        None,
        None,
        None,
    )


def test_the_same_person_twice_is_one_assignee() -> None:
    intent = read("add Ask <@U0BOB|bob> to call, <@U0BOB>")
    assert isinstance(intent, Add) and intent.assignee_id == "U0BOB"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("add Call due:blorp", 'I couldn\'t read "blorp" as a date'),
        ("add Call due:", "No date given"),
        ("add Call due:fri due:mon", "Give one due date"),
        ("add Call due:yesterday", '"yesterday" is in the past'),
        ("add due:fri C-12", "Say what needs doing"),
        ("add <@U0BOB|bob>", "Say what needs doing"),
        ("add Call <@U0BOB|bob> <@U0CAROL|carol>", "Mention one person to assign it to (found 2)"),
        ("add Call @bob", "I can't tell who @bob is"),
        ("add Call <!subteam^S1|@sales>", "I can't tell who @sales is"),
        ("add Call C-1 C-2", "Link one customer per task (found C-1, C-2)"),
        ("add Call D-1 D-2", "Link one deal per task (found D-1, D-2)"),
        ("done", "Say which task is done"),
        ("done C-7", "Say which task is done"),
        ("done T-7 T-8", "Say which task is done"),
        ("frobnicate", '"frobnicate" isn\'t something /task understands.'),
        ("T-7", '"T-7" isn\'t something /task understands.'),
        ("overdue today", "Ask for one list at a time"),
        ("mine <@U0BOB|bob>", "Say either mine or @someone, not both"),
        ("<@U0BOB|bob> <@U0CAROL|carol>", "Mention one person"),
        ("@bob", "I can't tell who @bob is"),
    ],
)
def test_bad_input_says_why(text: str, reason: str) -> None:
    with pytest.raises(UsageError) as caught:
        read(text)
    assert reason in str(caught.value)


def test_over_long_text_is_refused_before_the_date_parser_sees_it() -> None:
    with pytest.raises(UsageError, match="That is 50,000 characters; keep a task under 500"):
        read("add " + "x" * 50_000)
    with pytest.raises(UsageError, match="That is 501 characters; keep a task under 500"):
        read("add " + "x" * 501 + " due:fri")
    assert isinstance(read("add " + "x" * 500 + " due:fri"), Add)
    with pytest.raises(UsageError, match="characters"):
        read("y" * (TEXT_MAX + 1))


def test_an_unknown_word_is_shortened_in_the_reason() -> None:
    with pytest.raises(UsageError) as caught:
        read("z" * 300)
    assert len(str(caught.value)) < 100


def test_button_and_menu_values() -> None:
    assert read_choice("17:done") == (17, "done")
    assert read_choice("17:1h") == (17, "1h")
    assert read_choice("17:nextweek") == (17, "nextweek")
    assert read_choice("17:reassign") == (17, "reassign")
    for bad in ("17", "x:done", "17:forever", ""):
        with pytest.raises(ValueError):
            read_choice(bad)


def test_snoozes_land_in_workspace_time() -> None:
    assert snooze_until("1h", now=NOW, tz=NY) == datetime(2026, 3, 2, 16, 30, tzinfo=UTC)
    assert snooze_until("tomorrow", now=NOW, tz=NY) == datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
    # Next Monday 9:00 is after the switch to daylight saving time on 8 March.
    assert snooze_until("nextweek", now=NOW, tz=NY) == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    late_sunday = datetime(2026, 3, 9, 3, 30, tzinfo=UTC)  # Sunday 23:30 in New York
    assert snooze_until("tomorrow", now=late_sunday, tz=NY) == datetime(
        2026, 3, 9, 13, 0, tzinfo=UTC
    )
