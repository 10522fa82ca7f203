"""Customer storage through the domain service, on a real database."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.services import Services
from domain.clock import FrozenClock
from domain.customers import CustomerDraft
from domain.errors import NotFound, ValidationFailed
from storage.orm import CustomerRow, IdempotencyKeyRow

TEAM, OTHER = "T0ONE", "T0TWO"


def draft(name: str, **fields: str) -> CustomerDraft:
    return CustomerDraft.from_input(name=name, **fields)


@pytest.fixture
def teams(services: Services) -> Services:
    services.workspaces.ensure(TEAM, "U1")
    services.workspaces.ensure(OTHER, "U9")
    return services


def test_created_customer_reads_back_exactly(teams: Services, clock: FrozenClock) -> None:
    made = teams.customers.create(
        TEAM,
        draft("Acme", company="Acme Corp", email="a@acme.example", tags="vip, east"),
        actor="U1",
    )
    got = teams.customers.get(TEAM, made.id)
    assert got.public_id == "C-1"
    assert (got.name, got.company, got.email, got.tags) == (
        "Acme",
        "Acme Corp",
        "a@acme.example",
        ["vip", "east"],
    )
    assert got.created_at == clock.now()
    assert got.created_at.tzinfo is not None
    assert got.created_by == "U1"


def test_numbers_count_per_workspace(teams: Services) -> None:
    a1 = teams.customers.create(TEAM, draft("A1"), actor="U1")
    a2 = teams.customers.create(TEAM, draft("A2"), actor="U1")
    b1 = teams.customers.create(OTHER, draft("B1"), actor="U9")
    assert [a1.public_id, a2.public_id, b1.public_id] == ["C-1", "C-2", "C-1"]


def test_concurrent_creates_get_distinct_numbers(teams: Services) -> None:
    errors: list[BaseException] = []

    def add(i: int) -> None:
        try:
            teams.customers.create(TEAM, draft(f"Parallel {i}"), actor="U1")
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(c.number for c in teams.customers.find(TEAM, "parallel", limit=20).matches)
    assert numbers == list(range(1, 9))


def test_search_ignores_case_and_accents(teams: Services) -> None:
    teams.customers.create(TEAM, draft("Café Olé", company="Société Lumière"), actor="U1")
    teams.customers.create(
        TEAM, draft("Müller & Söhne", email="einkauf@mueller.example"), actor="U1"
    )
    assert [c.name for c in teams.customers.find(TEAM, "CAFE OLE").matches] == ["Café Olé"]
    assert [c.name for c in teams.customers.find(TEAM, "societe").matches] == ["Café Olé"]
    assert [c.name for c in teams.customers.find(TEAM, "müll").matches] == ["Müller & Söhne"]
    assert [c.name for c in teams.customers.find(TEAM, "EINKAUF@").matches] == ["Müller & Söhne"]


def test_search_treats_wildcards_literally(teams: Services) -> None:
    teams.customers.create(TEAM, draft("100% Juice"), actor="U1")
    teams.customers.create(TEAM, draft("Juice Bar"), actor="U1")
    assert [c.name for c in teams.customers.find(TEAM, "100%").matches] == ["100% Juice"]
    assert teams.customers.find(TEAM, "_").total == 0


def test_search_puts_exact_and_prefix_matches_first(teams: Services) -> None:
    for name in ("The Acme Shop", "Acme Holdings", "Acme"):
        teams.customers.create(TEAM, draft(name), actor="U1")
    result = teams.customers.find(TEAM, "acme")
    assert [c.name for c in result.matches] == ["Acme", "Acme Holdings", "The Acme Shop"]


def test_search_limits_but_counts_everything(teams: Services) -> None:
    for i in range(15):
        teams.customers.create(TEAM, draft(f"Store {i:02d}"), actor="U1")
    result = teams.customers.find(TEAM, "store", limit=10)
    assert len(result.matches) == 10
    assert result.total == 15


def test_find_by_id(teams: Services) -> None:
    teams.customers.create(TEAM, draft("First"), actor="U1")
    second = teams.customers.create(TEAM, draft("Second"), actor="U1")
    assert teams.customers.find(TEAM, "c-2").matches == [second]


def test_workspaces_never_see_each_others_customers(teams: Services) -> None:
    mine = teams.customers.create(
        TEAM, draft("Secret Client", email="x@secret.example"), actor="U1"
    )
    assert teams.customers.find(OTHER, "secret").total == 0
    assert teams.customers.find(OTHER, "C-1").total == 0
    with pytest.raises(NotFound):
        teams.customers.get(OTHER, mine.id)
    with pytest.raises(NotFound):
        teams.customers.update(OTHER, mine.id, draft("Stolen"), actor="U9")
    assert teams.customers.get(TEAM, mine.id).name == "Secret Client"


def test_duplicate_names_are_refused_ignoring_case_and_accents(teams: Services) -> None:
    teams.customers.create(TEAM, draft("Café Olé"), actor="U1")
    with pytest.raises(ValidationFailed) as caught:
        teams.customers.create(TEAM, draft("cafe ole"), actor="U1")
    assert "already exists as C-1" in caught.value.errors["name"]
    # the same name in another workspace is fine
    teams.customers.create(OTHER, draft("Café Olé"), actor="U9")


def test_update_changes_fields_and_keeps_number(teams: Services, clock: FrozenClock) -> None:
    made = teams.customers.create(TEAM, draft("Acme"), actor="U1")
    clock.advance(timedelta(hours=2))
    changed = teams.customers.update(
        TEAM, made.id, draft("Acme Inc", phone="+1 555 010 0199", tags="new"), actor="U1"
    )
    assert (changed.number, changed.name, changed.phone, changed.tags) == (
        1,
        "Acme Inc",
        "+1 555 010 0199",
        ["new"],
    )
    assert changed.updated_at == made.created_at + timedelta(hours=2)
    # renaming to its own name (different case) is not a duplicate
    teams.customers.update(TEAM, made.id, draft("ACME INC"), actor="U1")


def test_same_idempotency_key_writes_once(teams: Services) -> None:
    first = teams.customers.create(TEAM, draft("Once"), actor="U1", idempotency_key="view:1")
    again = teams.customers.create(TEAM, draft("Once"), actor="U1", idempotency_key="view:1")
    assert again == first
    with teams.engine.connect() as conn:
        count = conn.scalar(select(func.count()).select_from(CustomerRow))
    assert count == 1


def test_stale_idempotency_keys_are_purged(teams: Services, clock: FrozenClock) -> None:
    from scheduler.jobs import purge_idempotency_keys

    teams.customers.create(TEAM, draft("Old"), actor="U1", idempotency_key="view:old")
    clock.advance(timedelta(hours=23))
    teams.customers.create(TEAM, draft("New"), actor="U1", idempotency_key="view:new")
    clock.advance(timedelta(hours=2))
    assert purge_idempotency_keys(teams.uow_factory, teams.clock) == 1
    with teams.engine.connect() as conn:
        keys = conn.scalars(select(IdempotencyKeyRow.key)).all()
    assert keys == ["view:new"]


def test_contacts_belong_to_their_customer(teams: Services) -> None:
    made = teams.customers.create(TEAM, draft("Acme"), actor="U1")
    teams.customers.add_contact(
        TEAM, made.id, name="Wile E. Coyote", title="Buyer", email="Wile@Acme.example"
    )
    teams.customers.add_contact(TEAM, made.id, name="Road Runner")
    got = teams.customers.get(TEAM, made.id)
    assert [(c.name, c.email) for c in got.contacts] == [
        ("Wile E. Coyote", "wile@acme.example"),
        ("Road Runner", None),
    ]
    with pytest.raises(NotFound):
        teams.customers.add_contact(OTHER, made.id, name="Intruder")


def test_first_user_of_a_workspace_is_admin_then_reps(services: Services) -> None:
    _, first = services.workspaces.ensure("T0NEW", "U1")
    _, second = services.workspaces.ensure("T0NEW", "U2")
    workspace, again = services.workspaces.ensure("T0NEW", "U1")
    assert (first.role, second.role, again.role) == ("admin", "rep", "admin")
    assert workspace.timezone == "America/New_York"


def test_twin_submissions_racing_save_once_and_both_get_the_customer(teams: Services) -> None:
    results: list[object] = []

    def submit() -> None:
        try:
            results.append(
                teams.customers.create(TEAM, draft("Racer"), actor="U1", idempotency_key="v:1")
            )
        except BaseException as exc:  # asserted below
            results.append(exc)

    for _ in range(5):
        threads = [threading.Thread(target=submit) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert all(not isinstance(r, BaseException) for r in results), results
    assert {r.public_id for r in results} == {"C-1"}  # type: ignore[attr-defined]


def test_names_whose_search_key_would_overflow_are_refused(teams: Services) -> None:
    with pytest.raises(ValidationFailed) as caught:
        teams.customers.create(TEAM, draft("ﷺ" * 40), actor="U1")
    assert "under 200" in caught.value.errors["name"]


def test_accented_emails_are_found_as_typed(teams: Services) -> None:
    teams.customers.create(TEAM, draft("José", email="josé@example.es"), actor="U1")
    assert teams.customers.find(TEAM, "JOSÉ@example").total == 1
    assert teams.customers.find(TEAM, "jose").total == 1
