"""/deal's grammar: what each line means, and what is refused before anything is looked up."""

from __future__ import annotations

import pytest

from commands.deal import grammar
from commands.deal.grammar import Edit, Help, Lost, Mine, Move, New, Note, Show, UsageError, Won


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("", Mine()),
        ("   ", Mine()),
        ("help", Help()),
        ("?", Help()),
        ("new", New()),
        ("new  Acme   renewal", New("Acme renewal")),
        ("D-42", Show("D-42")),
        ("acme renewal", Show("acme renewal")),
        ("move D-42 proposal", Move(42, "proposal")),
        ("MOVE d42 Closed won", Move(42, "Closed won")),
        ("won D-7", Won(7)),
        ("lost D-7 went with a cheaper supplier", Lost(7, "went with a cheaper supplier")),
        ("note D-7 AT&amp;T wants &lt;legal&gt; first", Note(7, "AT&T wants <legal> first")),
        ("edit D-7", Edit(7)),
    ],
)
def test_each_form_reads_as_its_intent(text: str, intent: object) -> None:
    assert grammar.parse(text) == intent


@pytest.mark.parametrize(
    ("text", "message", "form"),
    [
        ("move", "Say which deal by its id, like `/deal move D-42 proposal`.", grammar.FORM_MOVE),
        (
            "won 42",
            "“42” isn't a deal id. Say which deal by its id, like `/deal won D-42`.",
            grammar.FORM_WON,
        ),
        ("won D-42 today", "`/deal won` takes only the deal, like `/deal won D-42`.", None),
        ("move D-42", "Say which stage, like `/deal move D-42 proposal`.", grammar.FORM_MOVE),
        (
            "lost D-42",
            "Say why it was lost, like `/deal lost D-42 went with a cheaper supplier`.",
            grammar.FORM_LOST,
        ),
        ("note D-42", "Write the note, like `/deal note D-42 they want a pilot first`.", None),
        (
            "edit C-12",
            "“C-12” isn't a deal id. Say which deal by its id, like `/deal edit D-42`.",
            None,
        ),
    ],
)
def test_missing_or_wrong_parts_are_explained(text: str, message: str, form: str | None) -> None:
    with pytest.raises(UsageError) as caught:
        grammar.parse(text)
    assert caught.value.message == message
    if form:
        assert caught.value.form == form


def test_text_too_long_is_refused_with_its_length() -> None:
    with pytest.raises(UsageError, match=r"That note is 3,001 characters; keep it under 3,000\."):
        grammar.parse("note D-1 " + "x" * 3001)
    with pytest.raises(UsageError, match=r"That reason is 1,001 characters; keep it under 1,000\."):
        grammar.parse("lost D-1 " + "x" * 1001)
    with pytest.raises(UsageError, match=r"That title is 301 characters; keep it under 300\."):
        grammar.parse("new " + "x" * 301)
    with pytest.raises(UsageError, match=r"That search is 201 characters; keep it under 200\."):
        grammar.parse("x" * 201)
    with pytest.raises(UsageError, match="/deal needs far fewer"):
        grammar.parse("x" * 5000)


def test_the_usage_hint_stays_what_the_manifest_says() -> None:
    assert grammar.SPEC.usage_hint == (
        "new | D-42 | <text> | move D-42 <stage> | won D-42 | lost D-42 <reason> | help"
    )
