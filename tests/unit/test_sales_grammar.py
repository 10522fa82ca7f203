"""What people type after /sales: record, help, and everything else answered with usage."""

from __future__ import annotations

import pytest

from commands.sales.grammar import SPEC, Help, Record, UsageError, parse


@pytest.mark.parametrize("text", ["record", "RECORD", "  record  ", "Record"])
def test_record(text: str) -> None:
    assert parse(text) == Record()


@pytest.mark.parametrize("text", ["help", "HELP", "?", "-h", "--help", " help "])
def test_help(text: str) -> None:
    assert parse(text) == Help()


def test_nothing_says_what_to_do() -> None:
    with pytest.raises(UsageError, match=r"`/sales record` records an order"):
        parse("   ")


@pytest.mark.parametrize(
    "text",
    ["dashboard", "report revenue by month", "forecast 3", "export 2025", "month", "help me"],
)
def test_anything_else_is_a_usage_error_that_quotes_it(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse(text)
    assert f"“{text}”" in str(caught.value)
    assert "coming" not in str(caught.value).lower()


def test_a_long_unknown_text_is_quoted_short() -> None:
    with pytest.raises(UsageError) as caught:
        parse("x" * 5000)
    assert len(str(caught.value)) < 120


def test_record_takes_nothing_after_it() -> None:
    with pytest.raises(UsageError, match="takes nothing after it"):
        parse("record C-12")


def test_entities_slack_sends_are_read_as_typed() -> None:
    with pytest.raises(UsageError) as caught:
        parse("a &amp; b")
    assert "“a & b”" in str(caught.value)


def test_the_spec_lists_only_what_exists() -> None:
    assert SPEC.name == "/sales"
    assert [form for form, _ in SPEC.forms] == ["record", "help"]
    assert SPEC.usage_hint == "record | help"
    assert "`/sales record`" in SPEC.usage_text()
