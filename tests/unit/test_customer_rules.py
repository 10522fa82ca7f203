"""Customer input rules and the /customer grammar, without a database."""

from __future__ import annotations

import pytest

from commands.customer import grammar
from domain.customers import CustomerDraft
from domain.errors import ValidationFailed
from domain.ids import Kind, parse_id
from domain.text import fold


def test_fold_ignores_case_accents_and_extra_spaces() -> None:
    assert fold("  Café   ÖLÉ ") == "cafe ole"
    assert fold("Müller & Söhne") == "muller & sohne"


def test_draft_cleans_input() -> None:
    draft = CustomerDraft.from_input(
        name="  Acme  ",
        company=" ",
        email=" Buyer@Acme.COM ",
        phone="+1 (415) 555-0101",
        tags="vip, #retail,, VIP ,east",
    )
    assert draft.name == "Acme"
    assert draft.company is None
    assert draft.email == "buyer@acme.com"
    assert draft.tags == ["vip", "retail", "east"]


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"name": ""}, "name", "Enter a name"),
        ({"name": "   "}, "name", "Enter a name"),
        ({"name": "x" * 201}, "name", "under 200"),
        ({"name": "Acme", "email": "not-an-email"}, "email", "name@example.com"),
        ({"name": "Acme", "email": "a@b"}, "email", "name@example.com"),
        ({"name": "Acme", "phone": "call me maybe"}, "phone", "digits"),
        ({"name": "Acme", "phone": "12"}, "phone", "digits"),
        ({"name": "Acme", "tags": "x" * 41}, "tags", "under 40"),
    ],
)
def test_draft_rejects_bad_input_naming_the_field(
    fields: dict[str, str], field: str, says: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        CustomerDraft.from_input(**fields)
    assert says in caught.value.errors[field]


def test_draft_reports_every_bad_field_at_once() -> None:
    with pytest.raises(ValidationFailed) as caught:
        CustomerDraft.from_input(name="", email="nope", phone="??")
    assert set(caught.value.errors) == {"name", "email", "phone"}


@pytest.mark.parametrize(("text", "number"), [("C-12", 12), ("c12", 12), (" C-7 ", 7)])
def test_customer_ids_parse(text: str, number: int) -> None:
    assert parse_id(text, Kind.CUSTOMER) == number


@pytest.mark.parametrize("text", ["D-12", "C-", "Acme", "C-12x", ""])
def test_non_ids_do_not_parse(text: str) -> None:
    assert parse_id(text, Kind.CUSTOMER) is None


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("", grammar.Help()),
        ("help", grammar.Help()),
        ("add", grammar.Add(name=None)),
        ("ADD  Acme   Corp", grammar.Add(name="Acme Corp")),
        ("edit C-3", grammar.Edit(number=3)),
        ("acme", grammar.Find(query="acme")),
        ("C-12", grammar.Find(query="C-12")),
    ],
)
def test_customer_grammar(text: str, intent: grammar.Intent) -> None:
    assert grammar.parse(text) == intent


@pytest.mark.parametrize(
    ("text", "says"),
    [("edit", "/customer edit C-12"), ("edit Acme", "by id"), ("x" * 201, "keep it under 200")],
)
def test_customer_grammar_explains_bad_input(text: str, says: str) -> None:
    with pytest.raises(grammar.UsageError, match=says):
        grammar.parse(text)
