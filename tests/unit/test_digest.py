"""The digest's rules without a database: when each day's digest is due, how a change reads,
and the message and chart built from a digest (checked the way Slack checks them)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import Block

from bot.local_slack import block_problems
from commands.digest.views import change, channels_blocks, digest_chart, digest_message, span
from domain.catalog import Product
from domain.digest import (
    ClosedDeal,
    Comparison,
    Deals,
    Digest,
    DigestChannel,
    DueDigest,
    TrendDay,
    digest_key,
    first_run,
    instant,
    plan,
)
from domain.metrics import Period, Totals
from domain.tasks import Task, TaskStatus

NY = ZoneInfo("America/New_York")
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def ny(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=NY).astimezone(UTC)


# -- when ----------------------------------------------------------------------------------------


def test_the_instant_is_the_local_time_in_utc_across_a_dst_change() -> None:
    assert instant(date(2026, 3, 7), "08:00", NY) == datetime(2026, 3, 7, 13, tzinfo=UTC)
    assert instant(date(2026, 3, 9), "08:00", NY) == datetime(2026, 3, 9, 12, tzinfo=UTC)
    # 02:30 does not exist on 8 March in New York: it still lands once, an hour on.
    assert instant(date(2026, 3, 8), "02:30", NY) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)


def test_the_first_run_is_today_while_the_time_is_ahead_else_tomorrow() -> None:
    day = date(2026, 3, 3)
    assert first_run(ny(day, 7, 59), "08:00", NY) == ny(day, 8)
    assert first_run(ny(day, 8, 0), "08:00", NY) == ny(day, 8)
    assert first_run(ny(day, 8, 1), "08:00", NY) == ny(day + timedelta(days=1), 8)


def due(next_run_at: datetime, local_time: str = "08:00") -> DueDigest:
    return DueDigest(
        team_id="T",
        channel_id="C1",
        local_time=local_time,
        next_run_at=next_run_at,
        timezone=NY.key,
    )


def test_plan_posts_today_and_moves_to_tomorrow() -> None:
    day = date(2026, 3, 3)
    assert plan(due(ny(day, 8)), ny(day, 8, 0)) == (day, ny(day + timedelta(days=1), 8))
    assert plan(due(ny(day, 8)), ny(day, 23, 59)) == (day, ny(day + timedelta(days=1), 8))


def test_plan_skips_days_missed_while_down_and_posts_only_today_once_its_time_comes() -> None:
    missed = ny(date(2026, 3, 1), 8)
    today = date(2026, 3, 5)
    assert plan(due(missed), ny(today, 7)) == (None, ny(today, 8))
    assert plan(due(missed), ny(today, 9)) == (today, ny(today + timedelta(days=1), 8))


def test_a_tick_late_across_midnight_still_posts_yesterdays_digest() -> None:
    day = date(2026, 3, 3)
    after = day + timedelta(days=1)
    # Due at 23:59; the tick (or a restart) comes two minutes later, on the next local date.
    assert plan(due(ny(day, 23, 59), "23:59"), ny(after, 0, 1)) == (day, ny(after, 23, 59))
    assert plan(due(ny(day, 23, 0), "23:00"), ny(after, 0, 59)) == (day, ny(after, 23))
    # Hours later it is a day missed while down: skipped, as any other.
    assert plan(due(ny(day, 23, 0), "23:00"), ny(after, 6)) == (None, ny(after, 23))


def test_after_a_timezone_change_the_channel_starts_again_in_the_new_zone() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    day = date(2026, 3, 3)
    moved = DueDigest(
        team_id="T",
        channel_id="C1",
        local_time="08:00",
        next_run_at=ny(day, 8),  # 22:00 in Tokyo: no digest should go out then
        timezone=tokyo.key,
        planned_in=NY.key,
    )
    now = ny(day, 8)
    assert plan(moved, now) == (None, instant(day + timedelta(days=1), "08:00", tokyo))
    # Seen by the tick as soon as the zone changes, before that instant: today's Tokyo time
    # if it is still ahead.
    early = datetime(2026, 3, 2, 20, tzinfo=UTC)  # 05:00 on 3 March in Tokyo
    assert plan(moved, early) == (None, instant(day, "08:00", tokyo))


def test_a_bad_timezone_falls_back_to_utc_rather_than_stopping_the_tick() -> None:
    broken = DueDigest(
        team_id="T",
        channel_id="C1",
        local_time="08:00",
        next_run_at=datetime(2026, 3, 3, 8, tzinfo=UTC),
        timezone="Mars/Olympus",
    )
    now = datetime(2026, 3, 3, 8, tzinfo=UTC)
    assert plan(broken, now) == (date(2026, 3, 3), datetime(2026, 3, 4, 8, tzinfo=UTC))


def test_the_delivery_key_is_one_per_channel_and_local_day() -> None:
    assert digest_key("C0SALES", date(2026, 3, 3)) == "digest:C0SALES:2026-03-03"


# -- how it reads -------------------------------------------------------------------------------


def test_change_reads_as_an_arrow_and_a_percentage_or_n_a() -> None:
    assert change(Decimal("1.7996")) == "▲ 180.0%"
    assert change(Decimal("-0.0500")) == "▼ 5.0%"
    assert change(Decimal("0")) == "±0.0%"
    assert change(Decimal("0.0004")) == "±0.0%"
    assert change(None) == "n/a"


def test_spans_name_their_days_briefly() -> None:
    assert span(date(2026, 3, 1), date(2026, 3, 3)) == "1–3 Mar"
    assert span(date(2026, 2, 28), date(2026, 3, 3)) == "28 Feb – 3 Mar"
    assert span(date(2026, 3, 3), date(2026, 3, 3)) == "3 Mar"


def totals(revenue: str, orders: int) -> Totals:
    return Totals(revenue=Decimal(revenue), orders=orders, lines=orders, units=orders)


def task(number: int, assignee: str, title: str, hour: int | None = 10) -> Task:
    return Task(
        id=number,
        team_id="T",
        number=number,
        title=title,
        assignee_id=assignee,
        created_by="U0A",
        status=TaskStatus.OPEN,
        due_at=ny(date(2026, 3, 4), hour or 9),
        due_has_time=hour is not None,
        created_at=T0,
        updated_at=T0,
    )


def product(sku: str, name: str, on_hand: int, point: int) -> Product:
    return Product(
        id=abs(hash(sku)) % 10_000,
        team_id="T",
        sku=sku,
        name=name,
        list_price=Decimal("5"),
        on_hand=on_hand,
        reorder_point=point,
        created_at=T0,
        updated_at=T0,
    )


def deal(number: int, title: str, amount: str, *, won: bool = True, **more: Any) -> ClosedDeal:
    return ClosedDeal(
        number=number, title=title, amount=Decimal(amount), owner_id="U0A", won=won, **more
    )


def make_digest(**fields: Any) -> Digest:
    day = date(2026, 3, 4)
    values: dict[str, Any] = {
        "team_id": "T",
        "day": day,
        "currency": "USD",
        "yesterday": Comparison(
            period=Period(start=date(2026, 3, 3), end=date(2026, 3, 3)),
            current=totals("139.98", 2),
            against=Period(start=date(2026, 2, 24), end=date(2026, 2, 24)),
            previous=totals("50", 1),
        ),
        "month": Comparison(
            period=Period(start=date(2026, 3, 1), end=date(2026, 3, 3)),
            current=totals("149.98", 3),
            against=Period(start=date(2026, 2, 1), end=date(2026, 2, 3)),
            previous=Totals(),
        ),
        "deals": Deals(won=[], lost=[]),
        "tasks": [],
        "tasks_total": 0,
        "low": [],
        "low_total": 0,
        "trend": [
            TrendDay(
                day=date(2026, 2, 2) + timedelta(days=i),
                revenue=Decimal(i * 3),
                previous=Decimal(40 - i),
            )
            for i in range(30)
        ],
    }
    values.update(fields)
    return Digest(**values)


def dicts(blocks: list[Block]) -> list[dict[str, Any]]:
    return [b.to_dict() for b in blocks]


def shown(blocks: list[Block]) -> str:
    return json.dumps(dicts(blocks), ensure_ascii=False)


def test_the_message_has_each_section_with_its_numbers_and_passes_slacks_checks() -> None:
    digest = make_digest(
        deals=Deals(
            won=[deal(4, "Renewal", "12000.5", customer="Acme")],
            lost=[deal(5, "Add-on", "300", won=False, lost_reason="budget")],
            won_count=1,
            won_amount=Decimal("12000.5"),
            lost_count=1,
            lost_amount=Decimal("300"),
        ),
        tasks=[task(1, "U0BOB", "Call Acme"), task(2, "U0BOB", "Quote", None)],
        tasks_total=2,
        low=[product("LOW-1", "Nearly gone", 2, 10)],
        low_total=1,
    )
    text, blocks = digest_message(digest, tz=NY)
    assert block_problems(dicts(blocks)) == []
    body = shown(blocks)
    assert text == "Daily digest: $139.98 revenue yesterday from 2 orders (▲ 180.0% vs Tue 24 Feb)."
    assert "Daily digest · Wednesday 4 March 2026" in body
    assert "$69.99" in body and "▲ 40.0% vs $50.00" in body
    assert "*March to date* (1–3 Mar) vs 1–3 Feb" in body
    assert "n/a vs $0.00" in body and "n/a vs —" not in body  # nothing last month to compare
    assert "D-4 Renewal — $12,000.50 · <@U0A> · Acme" in body
    assert "D-5 Add-on — $300.00 · <@U0A> · _budget_" in body
    assert "<@U0BOB>: T-1 Call Acme (10:00), T-2 Quote" in body
    assert "`LOW-1` Nearly gone — 2 on hand, reorder at 10" in body
    assert "Late" not in body


def test_on_the_first_the_month_is_named_whole_and_a_late_digest_says_so() -> None:
    digest = make_digest(day=date(2026, 4, 1))
    _, blocks = digest_message(digest, tz=NY, late_since="08:00")
    body = shown(blocks)
    assert "*March* (1–3 Mar)" in body
    assert "Late: this was due at 08:00" in body


def test_no_deals_at_all_leaves_the_section_out_and_a_quiet_day_says_none() -> None:
    assert "Deals" not in shown(digest_message(make_digest(deals=None), tz=NY)[1])
    assert "none won or lost yesterday" in shown(digest_message(make_digest(), tz=NY)[1])


def test_what_people_typed_is_escaped() -> None:
    digest = make_digest(
        deals=Deals(
            won=[deal(1, "<!channel> deal", "1", customer="A & <B>")],
            lost=[deal(2, "x", "1", won=False, lost_reason="<@U0X> said no")],
            won_count=1,
            lost_count=1,
        ),
        tasks=[task(1, "U0BOB", "<!here> call")],
        tasks_total=1,
        low=[product("S<1>", "<b>name</b>", 0, 1)],
        low_total=1,
    )
    body = shown(digest_message(digest, tz=NY)[1])
    for raw in ("<!channel>", "<!here>", "<@U0X>", "<B>", "S<1>", "<b>"):
        assert raw not in body, raw
    assert "&lt;!channel&gt; deal" in body and "A &amp; &lt;B&gt;" in body


def test_long_lists_are_cut_to_fit_and_say_how_many_more() -> None:
    many_tasks = [task(n, f"U0P{n % 30:02d}", "t" * 150) for n in range(40)]
    many_tasks.sort(key=lambda t: t.assignee_id)
    digest = make_digest(
        tasks=many_tasks,
        tasks_total=75,
        low=[product(f"SKU-{n}", "n" * 300, 0, 5) for n in range(10)],
        low_total=57,
        deals=Deals(
            won=[deal(n, "w" * 300, "1", customer="c" * 200) for n in range(10)],
            lost=[deal(n, "l" * 300, "1", won=False, lost_reason="r" * 300) for n in range(10)],
            won_count=25,
            lost_count=10,
        ),
    )
    _, blocks = digest_message(digest, tz=NY)
    assert block_problems(dicts(blocks)) == []
    body = shown(blocks)
    assert "…and 47 more products: `/stock low`" in body
    # 20 of the 40 read fit: the other 55 of the 75 are counted, task by task.
    assert "…and 55 more tasks: `/task today`" in body
    assert "…and 15 more won" in body
    for block in dicts(blocks):
        assert len(block.get("text", {}).get("text", "")) <= 3000


def test_deals_left_out_are_counted_as_deals_won_and_lost() -> None:
    won = [deal(n, "w" * 300, "1", customer="c" * 200) for n in range(1, 11)]
    lost = [deal(n, "l" * 300, "1", won=False, lost_reason="r" * 300) for n in range(11, 21)]
    digest = make_digest(deals=Deals(won=won, lost=lost, won_count=25, lost_count=10))
    _, blocks = digest_message(digest, tz=NY)
    assert block_problems(dicts(blocks)) == []
    (text,) = [
        b["text"]["text"]
        for b in dicts(blocks)
        if "Deals yesterday" in b.get("text", {}).get("text", "")
    ]
    assert len(text) <= 3000
    won_listed = text.count("w" * 100)
    lost_listed = text.count("l" * 100)
    assert won_listed >= 1
    assert f"…and {25 - won_listed} more won" in text
    assert f"…and {10 - lost_listed} more lost" in text
    assert "more deals" not in text


def test_one_person_with_many_tasks_today_still_sees_the_first_ones() -> None:
    title = "Call the customer about the renewal and the new pricing, then follow up by mail"
    tasks = [task(n, "U0BOB", f"{title} {n}") for n in range(1, 41)]
    digest = make_digest(tasks=tasks, tasks_total=52)
    _, blocks = digest_message(digest, tz=NY)
    assert block_problems(dicts(blocks)) == []
    (section,) = [
        b for b in dicts(blocks) if "Tasks due today" in b.get("text", {}).get("text", "")
    ]
    text = section["text"]["text"]
    assert len(text) <= 3000
    assert text.startswith("*Tasks due today* (52)\n<@U0BOB>: T-1 Call the customer")
    listed = text.count(title)
    assert 20 < listed < 40
    assert f"…and {52 - listed} more tasks: `/task today`" in text
    assert "more people" not in text


def test_the_chart_is_a_png_of_the_30_days_and_none_without_any_sales() -> None:
    upload = digest_chart(make_digest())
    assert upload is not None
    assert upload.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert upload.filename == "digest-2026-03-04.png"
    assert upload.title == "Revenue, 2 Feb – 3 Mar 2026"
    quiet = [
        TrendDay(day=t.day, revenue=Decimal(0), previous=Decimal(0)) for t in make_digest().trend
    ]
    assert digest_chart(make_digest(trend=quiet)) is None
    assert "no chart" in shown(digest_message(make_digest(trend=quiet), tz=NY)[1])


def test_the_channel_list_says_where_when_and_how_to_change_it() -> None:
    channel = DigestChannel(
        team_id="T",
        channel_id="C0SALES",
        local_time="08:00",
        created_by="U0A",
        created_at=T0,
        updated_at=T0,
        next_run_at=ny(date(2026, 3, 4), 8),
    )
    text, blocks = channels_blocks([channel], tz=NY, note="Saved.")
    assert block_problems(dicts(blocks)) == []
    assert text == "Daily digest: <#C0SALES> 08:00"
    assert "<#C0SALES> at 08:00 — next Wed 4 Mar" in shown(blocks)
    text, blocks = channels_blocks([], tz=NY)
    assert "no channel gets it yet" in shown(blocks)
