"""Every create, change and delete of customers, contacts, interactions and tasks is recorded."""

from __future__ import annotations

from datetime import timedelta

from bot.services import Services
from domain.clock import FrozenClock
from domain.customers import CustomerDraft
from domain.interactions import InteractionDraft
from domain.tasks import TaskDraft

TEAM = "T0ONE"


def trail(services: Services, entity: str, entity_id: int) -> list:
    with services.uow_factory() as uow:
        return uow.audit.for_entity(TEAM, entity, entity_id)


def test_customer_changes_are_audited_with_who_when_and_what(
    services: Services, clock: FrozenClock
) -> None:
    services.workspaces.ensure(TEAM, "U1")
    made = services.customers.create(
        TEAM, CustomerDraft.from_input(name="Acme", phone="+1 555 0100 1"), actor="U1"
    )
    clock.advance(timedelta(minutes=5))
    services.customers.update(
        TEAM, made.id, CustomerDraft.from_input(name="Acme Inc", phone="+1 555 0100 1"), actor="U2"
    )
    services.customers.update(
        TEAM, made.id, CustomerDraft.from_input(name="Acme Inc", phone="+1 555 0100 1"), actor="U2"
    )  # no change: no entry
    entries = trail(services, "customer", made.id)
    assert [(e.action, e.actor) for e in entries] == [("create", "U1"), ("update", "U2")]
    assert entries[0].changes["name"] == "Acme"
    assert entries[1].changes == {"name": ["Acme", "Acme Inc"]}
    assert entries[1].at == made.created_at + timedelta(minutes=5)


def test_contacts_interactions_and_tasks_are_audited(
    services: Services, clock: FrozenClock
) -> None:
    services.workspaces.ensure(TEAM, "U1")
    customer = services.customers.create(TEAM, CustomerDraft.from_input(name="Acme"), actor="U1")
    with_contact = services.customers.add_contact(TEAM, customer.id, name="Road Runner", actor="U1")
    contact_id = with_contact.contacts[0].id
    services.customers.remove_contact(TEAM, customer.id, contact_id, actor="U3")
    assert [e.action for e in trail(services, "contact", contact_id)] == ["create", "delete"]
    assert trail(services, "contact", contact_id)[1].changes["name"] == "Road Runner"

    draft = InteractionDraft.from_input(
        customer_id=customer.id,
        kind="email",
        occurred_at=clock.now(),
        summary="Sent the quote",
        direction="outbound",
    )
    follow_up = TaskDraft.from_input(
        title="Chase the quote",
        assignee_id="U1",
        customer_id=customer.id,
        due_at=clock.now() + timedelta(days=2),
    )
    interaction, task = services.interactions.log(TEAM, draft, actor="U1", follow_up=follow_up)
    assert task is not None
    assert trail(services, "interaction", interaction.id)[0].changes["summary"] == "Sent the quote"
    services.tasks.complete(TEAM, task.id, actor="U1")
    actions = [(e.action, sorted(e.changes)) for e in trail(services, "task", task.id)]
    assert actions[0][0] == "create"
    assert actions[1] == ("update", ["done_at", "remind_at", "status"])


def test_twin_log_submissions_racing_save_once(services: Services, clock: FrozenClock) -> None:
    import threading

    services.workspaces.ensure(TEAM, "U1")
    customer = services.customers.create(TEAM, CustomerDraft.from_input(name="Acme"), actor="U1")
    draft = InteractionDraft.from_input(
        customer_id=customer.id, kind="note", occurred_at=clock.now(), summary="Twice?"
    )
    results: list[object] = []

    def submit() -> None:
        try:
            results.append(
                services.interactions.log(TEAM, draft, actor="U1", idempotency_key="log_save:tok")
            )
        except BaseException as exc:  # asserted below
            results.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(isinstance(r, tuple) for r in results), results
    assert services.interactions.history(TEAM, customer.id).total == 1
