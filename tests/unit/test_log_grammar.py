"""/log's grammar and how a customer named by the start of their name is found."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from commands.log.grammar import (
    NAME_WORDS_MAX,
    Ambiguous,
    Help,
    Log,
    Resolved,
    Unknown,
    UsageError,
    parse,
    resolve,
)
from domain.customers import Customer, SearchResult
from domain.interactions import InteractionKind
from domain.text import fold

NOW = datetime(2026, 3, 2, tzinfo=UTC)


# -- parse --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["help", "HELP", "?", "-h", "--help", "  help  "])
def test_help(text: str) -> None:
    assert parse(text) == Help()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Log(None, None, "")),
        ("call", Log(InteractionKind.CALL, None, "")),
        ("Email", Log(InteractionKind.EMAIL, None, "")),
        ("MEETING acme", Log(InteractionKind.MEETING, None, "acme")),
        ("note C-12", Log(InteractionKind.NOTE, 12, "")),
        ("call c12 Discussed renewal", Log(InteractionKind.CALL, 12, "Discussed renewal")),
        ("call C-12 Renewal, send quote", Log(InteractionKind.CALL, 12, "Renewal, send quote")),
        ("call Acme Co  Talked\tprice", Log(InteractionKind.CALL, None, "Acme Co Talked price")),
        # no kind: the whole text is customer and summary
        ("C-3 Wants a call back", Log(None, 3, "Wants a call back")),
        ("acme Wants a call back", Log(None, None, "acme Wants a call back")),
        ("cal C-1 hi", Log(None, None, "cal C-1 hi")),
        ("calls acme", Log(None, None, "calls acme")),
        # Slack sends &, < and > as entities: read them as typed
        ("note C-1 AT&amp;T &lt;3", Log(InteractionKind.NOTE, 1, "AT&T <3")),
        ("call D-4 hi", Log(InteractionKind.CALL, None, "D-4 hi")),  # a deal id is no customer
    ],
)  # fmt: skip
def test_parse(text: str, expected: Log) -> None:
    assert parse(text) == expected


def test_absurdly_long_text_is_refused_before_any_lookup() -> None:
    with pytest.raises(UsageError, match="25,010 characters"):
        parse("call C-1 " + "x" * 25_001)


# -- resolve ------------------------------------------------------------------------------------


def customer(number: int, name: str, company: str | None = None) -> Customer:
    return Customer(
        id=100 + number,
        team_id="T1",
        number=number,
        name=name,
        company=company,
        created_at=NOW,
        updated_at=NOW,
    )


class Directory:
    """CustomerService.find's contract over a list: folded substring, a page and a total."""

    def __init__(self, *customers: Customer, limit: int = 25) -> None:
        self.customers = list(customers)
        self.limit = limit
        self.searches: list[str] = []

    def __call__(self, typed: str) -> SearchResult:
        self.searches.append(typed)
        key = fold(typed)
        found = [
            c
            for c in self.customers
            if key in fold(c.name) or (c.company and key in fold(c.company))
        ]
        found.sort(key=lambda c: (fold(c.name) != key, not fold(c.name).startswith(key)))
        return SearchResult(matches=found[: self.limit], total=len(found), query=typed)


ACME_CORP = customer(1, "Acme Corp")
ACME_WEST = customer(2, "Acme West", company="Roadrunner Supplies")
ACME = customer(3, "Acme")
CALLAWAY = customer(4, "Acme Callaway")
CAFE = customer(5, "Café Olé", company="Olé Holdings")


def test_the_longest_run_of_words_that_names_one_customer_wins() -> None:
    found = resolve("Acme Corp Discussed renewal", Directory(ACME_CORP, ACME_WEST))
    assert found == Resolved(ACME_CORP, "Discussed renewal")


def test_a_start_that_names_several_is_ambiguous() -> None:
    found = resolve("Acme Discussed renewal", Directory(ACME_CORP, ACME_WEST))
    assert found == Ambiguous("Acme", [ACME_CORP, ACME_WEST], "Discussed renewal", more=False)


def test_a_partial_word_is_enough_when_it_is_unique() -> None:
    assert resolve("acm Hi", Directory(ACME_CORP)) == Resolved(ACME_CORP, "Hi")
    assert resolve("Acme W Hi", Directory(ACME_CORP, ACME_WEST)) == Resolved(ACME_WEST, "Hi")


def test_a_whole_word_match_keeps_the_summary_whole() -> None:
    # Only Acme Callaway: "Call back" is the summary, not the rest of a name.
    found = resolve("Acme Call back tomorrow", Directory(CALLAWAY))
    assert found == Resolved(CALLAWAY, "Call back tomorrow")


def test_an_exact_name_wins_over_names_that_start_with_it() -> None:
    found = resolve("acme call back", Directory(ACME, CALLAWAY, ACME_CORP))
    assert found == Resolved(ACME, "call back")


def test_names_fold_case_and_accents_and_companies_count() -> None:
    directory = Directory(CAFE, ACME_WEST)
    assert resolve("CAFE OLE Tasting", directory) == Resolved(CAFE, "Tasting")
    assert resolve("ole holdings Prefers email", directory) == Resolved(CAFE, "Prefers email")
    assert resolve("roadrunner Hi", directory) == Resolved(ACME_WEST, "Hi")


def test_only_the_start_of_a_name_counts_not_the_middle() -> None:
    assert resolve("Corp Discussed", Directory(ACME_CORP)) == Unknown("Corp")
    assert resolve("West", Directory(ACME_WEST)) == Unknown("West")


def test_the_whole_text_can_be_the_name() -> None:
    assert resolve("acme corp", Directory(ACME_CORP, ACME_WEST)) == Resolved(ACME_CORP, "")


def test_nobody_is_unknown_after_one_lookup() -> None:
    directory = Directory(ACME_CORP)
    assert resolve("Zeta Discussed renewal", directory) == Unknown("Zeta")
    assert directory.searches == ["Zeta"]


def test_lookups_stop_at_the_first_run_of_words_that_names_nobody() -> None:
    directory = Directory(ACME_CORP, ACME_WEST)
    resolve("Acme Corp Discussed the renewal at length", directory)
    assert directory.searches == ["Acme", "Acme Corp", "Acme Corp Discussed"]


def test_lookups_are_bounded_however_long_the_text() -> None:
    name = " ".join(["Very"] * 30)
    directory = Directory(customer(1, name))
    found = resolve(name + " summary", directory)
    assert len(directory.searches) == NAME_WORDS_MAX
    assert isinstance(found, Resolved) and found.customer.number == 1


def test_a_page_that_may_hide_more_matches_is_never_taken_as_unique() -> None:
    stores = [customer(i, f"Store {i:02d}") for i in range(1, 31)]
    found = resolve("store Hello", Directory(*stores, limit=25))
    assert isinstance(found, Ambiguous) and found.more and len(found.matches) == 25
    exact = resolve("store 07 Hello", Directory(*stores, limit=25))
    assert exact == Resolved(stores[6], "Hello")


def test_empty_text_names_nobody() -> None:
    assert resolve("", Directory(ACME)) == Unknown("")
