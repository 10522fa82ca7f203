"""`salesbot demo`: a realistic workspace to try every command on."""

from __future__ import annotations

from datetime import timedelta

from bot.demo_orders import seed_orders
from bot.demo_pipeline import seed_pipeline
from bot.services import Services
from domain.clock import FrozenClock
from domain.customers import CustomerDraft, CustomerService
from domain.interactions import InteractionDraft, InteractionService
from domain.tasks import TaskDraft
from domain.text import fold

DEMO_TEAM = "T0LOCAL"
DEMO_USERS = ("U0LOCAL", "U0PRIYA", "U0MARCO")

# name, company, email, phone, owner index, tags, days ago, contacts (name, title, email, phone)
_CUSTOMERS: list[
    tuple[str, str | None, str | None, str | None, int, str, int, list[tuple[str, str, str, str]]]
] = [
    (
        "Acme Corporation",
        "Acme Corp",
        "purchasing@acme.example",
        "+1 415 555 0101",
        0,
        "vip, manufacturing",
        540,
        [
            ("Wile E. Coyote", "Head of Procurement", "wile@acme.example", "+1 415 555 0102"),
            ("Road Runner", "Operations", "rr@acme.example", "+1 415 555 0103"),
        ],
    ),
    (
        "Globex",
        "Globex Corporation",
        "orders@globex.example",
        "+1 212 555 0140",
        1,
        "enterprise",
        410,
        [("Hank Scorpio", "CEO", "hank@globex.example", "+1 212 555 0141")],
    ),
    (
        "Initech",
        "Initech LLC",
        "it-buying@initech.example",
        "+1 512 555 0177",
        2,
        "software, renewal-q1",
        365,
        [
            ("Bill Lumbergh", "VP Operations", "bill@initech.example", "+1 512 555 0178"),
            ("Milton Waddams", "Facilities", "milton@initech.example", "+1 512 555 0179"),
        ],
    ),
    (
        "Café Olé Distributors",
        "Café Olé SA",
        "compras@cafeole.example",
        "+34 91 555 0123",
        0,
        "retail, spain",
        300,
        [("José Martínez", "Buyer", "jose@cafeole.example", "+34 91 555 0124")],
    ),
    (
        "Müller & Söhne",
        "Müller & Söhne GmbH",
        "einkauf@mueller.example",
        "+49 30 555 0190",
        1,
        "wholesale, germany",
        290,
        [("Jürgen Müller", "Geschäftsführer", "juergen@mueller.example", "+49 30 555 0191")],
    ),
    (
        "Umbrella Health",
        "Umbrella Corporation",
        "supply@umbrella.example",
        "+1 617 555 0155",
        2,
        "healthcare, enterprise",
        260,
        [("Alice Abernathy", "Supply Chain Lead", "alice@umbrella.example", "+1 617 555 0156")],
    ),
    (
        "Stark Industries",
        "Stark Industries",
        "procurement@stark.example",
        "+1 310 555 0110",
        0,
        "vip, enterprise",
        240,
        [
            ("Pepper Potts", "COO", "pepper@stark.example", "+1 310 555 0111"),
            ("Happy Hogan", "Logistics", "happy@stark.example", "+1 310 555 0112"),
        ],
    ),
    (
        "Wayne Enterprises",
        "Wayne Enterprises",
        "buying@wayne.example",
        "+1 201 555 0133",
        1,
        "enterprise",
        220,
        [("Lucius Fox", "CTO", "lucius@wayne.example", "+1 201 555 0134")],
    ),
    (
        "Soylent Foods",
        "Soylent Corp",
        "orders@soylent.example",
        "+1 503 555 0166",
        2,
        "food, retail",
        200,
        [],
    ),
    (
        "Hooli",
        "Hooli Inc",
        "vendors@hooli.example",
        "+1 650 555 0188",
        0,
        "software",
        180,
        [("Gavin Belson", "CEO", "gavin@hooli.example", "+1 650 555 0189")],
    ),
    (
        "Pied Piper",
        "Pied Piper Inc",
        "richard@piedpiper.example",
        "+1 650 555 0122",
        1,
        "startup",
        150,
        [
            ("Richard Hendricks", "Founder", "richard@piedpiper.example", "+1 650 555 0122"),
            ("Jared Dunn", "COO", "jared@piedpiper.example", "+1 650 555 0123"),
        ],
    ),
    (
        "Société Lumière",
        "Société Lumière SARL",
        "achats@lumiere.example",
        "+33 1 55 50 01 44",
        2,
        "retail, france",
        130,
        [("Amélie Poulain", "Acheteuse", "amelie@lumiere.example", "+33 1 55 50 01 45")],
    ),
    (
        "Vandelay Industries",
        "Vandelay Industries",
        "art@vandelay.example",
        "+1 718 555 0199",
        0,
        "import-export",
        120,
        [("Art Vandelay", "Owner", "art@vandelay.example", "+1 718 555 0199")],
    ),
    (
        "Dunder Mifflin Scranton",
        "Dunder Mifflin",
        "scranton@dundermifflin.example",
        "+1 570 555 0100",
        1,
        "paper, smb",
        100,
        [("Michael Scott", "Regional Manager", "michael@dundermifflin.example", "+1 570 555 0101")],
    ),
    (
        "Oceanic Airlines",
        "Oceanic",
        "cargo@oceanic.example",
        "+61 2 5550 0815",
        2,
        "travel, australia",
        90,
        [],
    ),
    (
        "Cyberdyne Systems",
        "Cyberdyne",
        "purchasing@cyberdyne.example",
        "+1 408 555 0129",
        0,
        "hardware, enterprise",
        75,
        [("Miles Dyson", "Director of R&D", "miles@cyberdyne.example", "+1 408 555 0130")],
    ),
    (
        "Tyrell Corporation",
        "Tyrell Corp",
        "supply@tyrell.example",
        "+1 213 555 0119",
        1,
        "enterprise",
        60,
        [],
    ),
    (
        "Bluth Company",
        "Bluth Company",
        "michael@bluth.example",
        "+1 949 555 0144",
        2,
        "real-estate, at-risk",
        45,
        [("Michael Bluth", "President", "michael@bluth.example", "+1 949 555 0144")],
    ),
    (
        "Nakatomi Trading",
        "Nakatomi Corporation",
        "trade@nakatomi.example",
        "+1 310 555 0188",
        0,
        "japan, enterprise",
        30,
        [("Joseph Takagi", "President", "takagi@nakatomi.example", "+1 310 555 0189")],
    ),
    ("Krusty Krab", None, "eugene@krustykrab.example", "+1 808 555 0117", 1, "food, smb", 21, []),
    (
        "Los Pollos Hermanos",
        "Pollos Hermanos",
        "gus@pollos.example",
        "+1 505 555 0150",
        2,
        "food, franchise",
        14,
        [("Gustavo Fring", "Owner", "gus@pollos.example", "+1 505 555 0150")],
    ),
    ("Prestige Worldwide", None, "boats@prestige.example", None, 0, "startup", 7, []),
    (
        "Zürich Optik",
        "Zürich Optik AG",
        "info@zuerich-optik.example",
        "+41 44 555 01 77",
        1,
        "retail, switzerland",
        3,
        [("Anna Weber", "Inhaberin", "anna@zuerich-optik.example", "+41 44 555 01 78")],
    ),
    (
        "Ollivanders",
        "Ollivanders Ltd",
        "wands@ollivanders.example",
        "+44 20 5550 0142",
        2,
        "retail, uk, vip",
        1,
        [("Garrick Ollivander", "Owner", "garrick@ollivanders.example", "+44 20 5550 0143")],
    ),
]


_TOPICS = [
    (
        "call",
        "Quarterly check-in: happy with delivery times, asked about volume discounts",
        "Send a volume pricing sheet",
    ),
    ("email", "Sent the updated catalogue and the new price list", None),
    (
        "meeting",
        "On-site visit with the buying team; walked through next season's range",
        "Prepare a proposal for the spring order",
    ),
    ("call", "Renewal conversation; budget approval expected next month", "Follow up on budget"),
    ("note", "Prefers invoices by email; accounts payable closes on the 25th", None),
    (
        "email",
        "Customer asked for a quote on 200 units of the ergonomic chair",
        "Quote for 200 ergonomic chairs",
    ),
]


def seed_demo(services: Services, team_id: str = DEMO_TEAM) -> int:
    """Create the demo workspace's data; safe to run again (adds only what is missing)."""
    services.workspaces.ensure(team_id, DEMO_USERS[0])
    for user in DEMO_USERS[1:]:
        services.workspaces.ensure(team_id, user)
    now = services.clock.now()
    created = 0
    customer_ids = []
    for index, (name, company, email, phone, owner, tags, days_ago, contacts) in enumerate(
        _CUSTOMERS
    ):
        existing = services.customers.find(team_id, name)
        customer = next((c for c in existing.matches if fold(c.name) == fold(name)), None)
        # Back-date creation so the demo looks like a workspace in use for a while.
        seeding = CustomerService(services.uow_factory, FrozenClock(now - timedelta(days=days_ago)))
        if customer is None:
            draft = CustomerDraft.from_input(
                name=name,
                company=company,
                email=email,
                phone=phone,
                owner_id=DEMO_USERS[owner],
                tags=tags,
            )
            customer = seeding.create(team_id, draft, actor=DEMO_USERS[owner])
            for contact_name, title, contact_email, contact_phone in contacts:
                seeding.add_contact(
                    team_id,
                    customer.id,
                    name=contact_name,
                    title=title,
                    email=contact_email,
                    phone=contact_phone,
                )
            created += 1
        if services.interactions.history(team_id, customer.id, limit=1).total == 0:
            _seed_activity(services, team_id, customer.id, DEMO_USERS[owner], index, days_ago)
        customer_ids.append(customer.id)
    seed_orders(services, team_id, customer_ids, DEMO_USERS)
    seed_pipeline(services, team_id, customer_ids, DEMO_USERS)
    return created


def _seed_activity(
    services: Services, team_id: str, customer_id: int, owner: str, index: int, days_ago: int
) -> None:
    """A few interactions since the customer was added, and the follow-ups they led to;
    some follow-ups are done, some due soon and some overdue, so /task has something real."""
    now = services.clock.now()
    count = 1 + index % 4
    for step in range(count):
        kind, summary, follow_up = _TOPICS[(index + step) % len(_TOPICS)]
        when = now - timedelta(days=max(1, days_ago * (count - step) // (count + 1)), hours=index)
        draft = InteractionDraft.from_input(
            customer_id=customer_id,
            kind=kind,
            occurred_at=when,
            summary=summary,
            duration_minutes=20 + 5 * step if kind in ("call", "meeting") else None,
            direction="outbound" if kind == "email" else None,
        )
        task = None
        if follow_up and step == count - 1:
            # Spread due dates from most of a week overdue to two weeks ahead.
            due = (now + timedelta(days=(index % 7) * 3 - 6)).replace(
                hour=9 + index % 8, minute=0, second=0, microsecond=0
            )
            task = TaskDraft.from_input(
                title=follow_up,
                assignee_id=owner,
                customer_id=customer_id,
                due_at=due,
                due_has_time=True,
            )
        clocked = InteractionService(services.uow_factory, FrozenClock(when))
        clocked.log(team_id, draft, actor=owner)
        # Follow-ups are added now: those already overdue had their reminders long ago.
        made = services.tasks.add(team_id, task, actor=owner) if task else None
        if made is not None and index % 5 == 0:
            services.tasks.complete(team_id, made.id, actor=owner)
