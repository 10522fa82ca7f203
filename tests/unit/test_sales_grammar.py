"""What people type after /sales, routed to an intent: the dashboard (with its filter words),
a report, saved reports and schedules, the order form, or the usage."""

from __future__ import annotations

import pytest

from commands.sales.grammar import (
    SPEC,
    Dashboard,
    Help,
    Record,
    Report,
    Schedules,
    UsageError,
    parse,
)


@pytest.mark.parametrize("text", ["record", "RECORD", "  record  ", "Record"])
def test_record(text: str) -> None:
    assert parse(text) == Record()


@pytest.mark.parametrize("text", ["help", "HELP", "?", "-h", "--help", " help "])
def test_help(text: str) -> None:
    assert parse(text) == Help()


@pytest.mark.parametrize("text", ["", "   "])
def test_nothing_is_this_months_dashboard(text: str) -> None:
    assert parse(text) == Dashboard(())


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("month", ("month",)),
        ("2025-03 category:Furniture by:week", ("2025-03", "category:Furniture", "by:week")),
        ("category:Office Supplies", ("category:Office", "Supplies")),
        # Not filters either: the dashboard's filter reader says what is wrong with them.
        ("dashboard", ("dashboard",)),
        ("help me", ("help", "me")),
        ("2025-13", ("2025-13",)),
    ],
)
def test_anything_else_goes_to_the_dashboard_with_its_words(
    text: str, words: tuple[str, ...]
) -> None:
    assert parse(text) == Dashboard(words)


def test_reports_and_schedules_keep_their_words() -> None:
    assert parse("report revenue by month 2025") == Report(("revenue", "by", "month", "2025"))
    assert parse("SAVED") == Schedules("saved", ())
    assert parse("schedule weekly #sales") == Schedules("schedule", ("weekly", "#sales"))


def test_record_takes_nothing_after_it() -> None:
    with pytest.raises(UsageError, match="takes nothing after it"):
        parse("record C-12")


def test_a_long_text_after_record_is_quoted_short() -> None:
    with pytest.raises(UsageError) as caught:
        parse("record " + "x" * 5000)
    assert len(str(caught.value)) < 200


def test_entities_slack_sends_are_read_as_typed() -> None:
    assert parse("category:R&amp;D") == Dashboard(("category:R&D",))


def test_the_spec_shows_the_dashboard_first_and_every_form() -> None:
    assert SPEC.name == "/sales"
    forms = [form for form, _ in SPEC.forms]
    assert forms[:2] == ["", "[period] [category:X] [by:day|week|month]"]
    assert "record" in forms and "help" in forms
    assert SPEC.usage_hint.startswith("[period] [category:X] [by:day|week|month]")
    assert "`/sales [period] [category:X] [by:day|week|month]`" in SPEC.usage_text()
