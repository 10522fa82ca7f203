"""The Home tab as a pure function of `Home`: what it shows, escaped, within Slack's limits."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bot.local_slack import view_problems
from commands.home.views import HomeAction, change_text, home_view
from domain.customers import Customer
from domain.home import Home, Leader, month_to_date
from domain.metrics import Period, Totals
from domain.pipeline import Deal, Outcome
from domain.tasks import TITLE_MAX, Task, TaskStatus

NOW = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)  # Monday, 10:30 in New York
NY = ZoneInfo("America/New_York")
TODAY = date(2026, 3, 2)


def make_task(number: int, title: str, due: datetime | None, **fields: Any) -> Task:
    return Task(
        id=100 + number,
        team_id="T0TEST",
        number=number,
        title=title,
        assignee_id="U0ALICE",
        created_by="U0ALICE",
        status=TaskStatus.OPEN,
        due_at=due,
        due_has_time=due is not None,
        created_at=NOW,
        updated_at=NOW,
        **fields,
    )


def make_deal(number: int, title: str, amount: str, **fields: Any) -> Deal:
    return Deal(
        id=200 + number,
        team_id="T0TEST",
        number=number,
        title=title,
        customer_id=1,
        amount=Decimal(amount),
        stage_id=1,
        owner_id="U0ALICE",
        status=Outcome.OPEN,
        created_at=NOW,
        updated_at=NOW,
        stage_changed_at=NOW,
        last_activity_at=NOW,
        **fields,
    )


def make_home(**fields: Any) -> Home:
    period = month_to_date(TODAY)
    values: dict[str, Any] = {
        "user_id": "U0ALICE",
        "now": NOW,
        "today": TODAY,
        "tasks": [],
        "tasks_due_total": 0,
        "tasks_open_total": 0,
        "deals": [],
        "deals_total": 0,
        "deals_amount": Decimal(0),
        "stages": {1: "Proposal"},
        "customers": {},
        "period": period,
        "compared": period.month_before(),
        "current": Totals(),
        "previous": Totals(),
        "leaders": [],
        "mine": Totals(),
        "low_stock": 0,
    }
    values.update(fields)
    return Home(**values)


def texts(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def test_a_crowded_home_stays_within_slacks_limits_and_escapes_everything() -> None:
    customer = Customer(
        id=1,
        team_id="T0TEST",
        number=1,
        name="<!channel> & " + "x" * 400,
        created_at=NOW,
        updated_at=NOW,
    )
    tasks = [
        make_task(
            n, f"<@U0BOSS> {n} " + "t" * TITLE_MAX, NOW + timedelta(hours=n - 5), customer_id=1
        )
        for n in range(1, 16)
    ]
    deals = [make_deal(n, f"<!here> deal {n} " + "d" * 290, f"{n}000.125") for n in range(1, 11)]
    leaders = [
        Leader(rep="U0BOB", totals=Totals(revenue=Decimal("500"), orders=1)),
        Leader(rep="Jane <Doe>", totals=Totals(revenue=Decimal("400.005"), orders=3)),
    ]
    home = make_home(
        tasks=tasks,
        tasks_due_total=40,
        tasks_open_total=55,
        deals=deals,
        deals_total=31,
        deals_amount=Decimal("123456.789"),
        customers={1: customer},
        leaders=leaders,
        low_stock=3,
        current=Totals(revenue=Decimal("800"), orders=2, units=8),
        previous=Totals(revenue=Decimal("0"), orders=0),
    )
    view = home_view(home, tz=NY, currency="USD", note="<b>")
    payload = view.to_dict()  # slack_sdk's model checks its own limits
    assert payload["type"] == "home" and len(payload["blocks"]) <= 100
    assert view_problems(payload, expected_type="home") == []
    shown = texts(payload)
    for raw in ("<!channel>", "<!here>", "<@U0BOSS>", "Jane <Doe>"):
        assert raw not in shown
    assert "&lt;!channel&gt; &amp; " in shown and "Jane &lt;Doe&gt;" in shown
    assert "<@U0BOB> — $500.00" in shown
    assert "You: $0.00 from 0 orders." in shown  # Alice sold nothing: still told where she is
    assert "$400.01" in shown  # rounded half up to cents for display only
    assert "25 more due this week" in shown and "15 open tasks due later or undated" in shown
    assert "21 more — `/deal`" in shown and "$123,456.79 in all" in shown
    assert "$800.00  n/a" in shown  # nothing last month: no growth to show
    assert "3 products are low on stock" in shown
    dones = [
        b["accessory"]["value"]
        for b in payload["blocks"]
        if (b.get("accessory") or {}).get("action_id") == HomeAction.TASK_DONE
    ]
    assert dones == [str(t.id) for t in tasks]


def test_long_deal_lines_are_listed_whole_and_the_rest_counted() -> None:
    customer = Customer(
        id=1, team_id="T0TEST", number=1, name="&" * 80, created_at=NOW, updated_at=NOW
    )
    deals = [make_deal(n, f"Deal {n} " + "&" * 200, "1000") for n in range(1, 11)]
    home = make_home(
        deals=deals, deals_total=12, deals_amount=Decimal(12000), customers={1: customer}
    )
    payload = home_view(home, tz=NY, currency="USD").to_dict()
    assert view_problems(payload, expected_type="home") == []
    (section,) = [
        b["text"]["text"]
        for b in payload["blocks"]
        if b["type"] == "section" and "Deal 1 " in b["text"]["text"]
    ]
    lines = section.split("\n")
    assert len(section) <= 3000
    assert all(line.endswith("· Proposal") for line in lines)  # none cut short
    assert f"· {12 - len(lines)} more — `/deal`" in texts(payload)


def test_tasks_are_grouped_overdue_today_and_this_week() -> None:
    tasks = [
        make_task(1, "Late one", NOW - timedelta(days=1)),
        make_task(2, "Tonight", NOW + timedelta(hours=8)),  # 18:30 in New York
        make_task(3, "Thursday", NOW + timedelta(days=3)),
    ]
    home = make_home(tasks=tasks, tasks_due_total=3, tasks_open_total=3)
    shown = texts(home_view(home, tz=NY, currency="USD").to_dict())
    assert shown.index("Overdue") < shown.index("Late one") < shown.index("Due today")
    assert "was due yesterday 10:30" in shown
    assert shown.index("Tonight") < shown.index("Next 7 days") < shown.index("Thursday")
    assert "due today 18:30" in shown and "due Thu 5 Mar 10:30" in shown


def test_growth_is_shown_with_arrows_or_na() -> None:
    assert change_text(Decimal("150"), Decimal("100")) == "▲ 50.0%"
    assert change_text(Decimal("75"), Decimal("100")) == "▼ 25.0%"
    assert change_text(5, 5) == "= 0.0%"
    assert change_text(Decimal("10"), Decimal("0")) == "n/a"
    assert change_text(None, Decimal("10")) == "n/a"


def test_growth_rounds_half_up_as_the_dashboard_and_the_digest_do() -> None:
    from commands.digest.views import change
    from domain.metrics import growth

    # 112.25 against 100 is 12.25%: 12.3% everywhere else Salesbot shows it.
    assert change(growth(Decimal("112.25"), Decimal("100"))) == "▲ 12.3%"
    assert change_text(Decimal("112.25"), Decimal("100")) == "▲ 12.3%"
    assert change_text(Decimal("87.75"), Decimal("100")) == "▼ 12.3%"
    # Too small to show is no change, not "▲ 0.0%".
    assert change_text(Decimal("100.04"), Decimal("100")) == "= 0.0%"


def test_a_new_workspace_reads_as_a_welcome() -> None:
    shown = texts(home_view(make_home(), tz=NY, currency="EUR").to_dict())
    assert "No tasks yet" in shown and "No open deals yet" in shown
    assert "No orders yet" in shown and "No sales recorded this month yet" in shown
    assert "Nothing is low on stock" in shown
    assert "1–2 Mar against last month's same days (1–2 Feb)" in shown


def test_month_to_date_compares_with_the_same_days_clamped() -> None:
    period = month_to_date(date(2026, 3, 31))
    assert period == Period(start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert period.month_before() == Period(start=date(2026, 2, 1), end=date(2026, 2, 28))
