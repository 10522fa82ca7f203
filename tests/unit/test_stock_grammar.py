"""What people type after /stock, read into intents; bad input explained with the form to use."""

from __future__ import annotations

import pytest

from commands.stock.grammar import (
    FORM_ADJUST,
    FORM_RECEIVE,
    FORM_REORDER,
    SPEC,
    Help,
    History,
    Low,
    Move,
    Overview,
    Reorder,
    RuleForm,
    Show,
    UsageError,
    parse,
    rule_number,
)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("", Overview()),
        ("   ", Overview()),
        ("help", Help()),
        ("HELP", Help()),
        ("low", Low()),
        ("LOW", Low()),
        ("CH-100", Show(query="CH-100")),
        ("office   chair", Show(query="office chair")),
        ("AT&amp;T &lt;phone&gt;", Show(query="AT&T <phone>")),  # Slack's escaping undone
        ("receive CH-100 24", Move(kind="receive", sku="CH-100", qty=24)),
        (
            "Receive ch-100 +1,200 from Acme",
            Move(kind="receive", sku="ch-100", qty=1200, text="from Acme"),
        ),
        (
            "adjust CH-100 -2 damaged in transit",
            Move(kind="adjust", sku="CH-100", qty=-2, text="damaged in transit"),
        ),
        (
            "adjust CH-100 5 found in the back",
            Move(kind="adjust", sku="CH-100", qty=5, text="found in the back"),
        ),
        ("return CH-100 1", Move(kind="return", sku="CH-100", qty=1)),
        ("CH-100 history", History(sku="CH-100")),
        ("history CH-100", History(sku="CH-100")),
        ("reorder CH-100", RuleForm(sku="CH-100")),
        ("reorder CH-100 point:10 qty:40 lead:7", Reorder(sku="CH-100", point=10, qty=40, lead=7)),
        ("reorder CH-100 qty:60", Reorder(sku="CH-100", qty=60)),
        ("reorder CH-100 POINT=0 lead:0", Reorder(sku="CH-100", point=0, lead=0)),
    ],
)
def test_what_people_type_becomes_an_intent(text: str, intent: object) -> None:
    assert parse(text) == intent


@pytest.mark.parametrize(
    ("text", "message", "form"),
    [
        ("receive", "Say which product and how many", FORM_RECEIVE),
        ("receive CH-100", "Say how many, like `/stock receive CH-100 24", FORM_RECEIVE),
        ("receive CH-100 0", "The quantity cannot be 0.", FORM_RECEIVE),
        ("receive CH-100 ten", "“ten” is not a whole number of units, like 3.", FORM_RECEIVE),
        ("receive CH-100 2.5", "“2.5” is not a whole number of units", FORM_RECEIVE),
        ("receive CH-100 -3", "-3 is negative; the quantity must be 1 or more.", FORM_RECEIVE),
        ("receive CH-100 2000000", "more than 1,000,000", FORM_RECEIVE),
        ("receive Office chair 5", "“chair” is not a whole number", FORM_RECEIVE),
        ("receive <!channel> 5", "isn't a SKU", FORM_RECEIVE),
        ("adjust CH-100 -2", "Say why the count changed", FORM_ADJUST),
        ("adjust CH-100 0 nothing", "The quantity cannot be 0.", FORM_ADJUST),
        ("reorder", "Say which product", FORM_REORDER),
        ("reorder CH-100 point:-1", "The reorder point can't be negative (-1)", FORM_REORDER),
        (
            "reorder CH-100 lead:abc",
            "“abc” isn't a whole number of days, like lead:14.",
            FORM_REORDER,
        ),
        ("reorder CH-100 qty:ten", "“ten” isn't a whole number of units, like 10.", FORM_REORDER),
        ("reorder CH-100 qty:0", "The order quantity must be 1 or more.", FORM_REORDER),
        ("reorder CH-100 lead:366", "The lead time must be at most 365.", FORM_REORDER),
        ("reorder CH-100 point:", "Give the reorder point", FORM_REORDER),
        ("reorder CH-100 point:1 point:2", "Give point: once.", FORM_REORDER),
        ("reorder CH-100 10", "“10” isn't part of a rule", FORM_REORDER),
        ("reorder CH-100 colour:red", "“colour:red” isn't part of a rule", FORM_REORDER),
        ("low stuff", "`/stock low` takes nothing after it.", "low"),
        ("history", "Say which product, by its SKU.", "<SKU> history"),
        ("recieve CH-100 5", "`recieve` isn't a /stock subcommand: did you mean `receive`?", None),
        ("adjst CH-100 -1 x", "did you mean `adjust`?", None),
        ("x" * 300, "That search is 300 characters; keep it under 200.", None),
        ("receive CH-100 1 " + "y" * 800, "That is 817 characters", None),
    ],
)
def test_bad_input_says_what_was_wrong_and_which_form(
    text: str, message: str, form: str | None
) -> None:
    with pytest.raises(UsageError) as caught:
        parse(text)
    assert message in caught.value.message
    assert caught.value.form == form


def test_a_long_note_is_refused_before_anything_is_written() -> None:
    with pytest.raises(UsageError, match="Keep the note under 500 characters"):
        parse("receive CH-100 1 " + "n" * 501)


def test_one_word_that_is_not_a_subcommand_is_a_search() -> None:
    assert parse("recieve") == Show(query="recieve")  # a product may well be called that
    assert parse("lowboy cabinet") == Show(query="lowboy cabinet")


def test_rule_numbers_for_the_form() -> None:
    assert rule_number("point", " 12 ", required=True) == 12
    assert rule_number("lead", "", required=False) is None
    assert rule_number("lead", None, required=False) is None
    with pytest.raises(UsageError, match="Give the order quantity"):
        rule_number("qty", "", required=True)
    with pytest.raises(UsageError, match="at most 1,000,000"):
        rule_number("point", "1000001", required=True)


def test_the_spec_lists_every_form() -> None:
    forms = [form for form, _ in SPEC.forms]
    for form in ("low", FORM_RECEIVE, FORM_ADJUST, "return <SKU> <qty> [note]", FORM_REORDER):
        assert form in forms
    assert SPEC.usage_hint.startswith("[SKU|text] | low | receive")
    assert len(SPEC.usage_hint) <= 1000  # Slack's manifest limit
