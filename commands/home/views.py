"""Block Kit for the App Home tab, built with slack_sdk's models so Slack's limits are checked."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from commands.format import escape, mention, truncate
from commands.ids import ActionId
from domain.home import Home
from domain.metrics import growth
from domain.money import format_money
from domain.pipeline import Deal
from domain.tasks import Task


class HomeAction:
    """The Home tab's own buttons (the quick actions reuse the cards' actions)."""

    TASK_DONE = "home_task_done"  # value: task id
    LOG = "home_log"  # opens the /log form with nothing chosen


class HomeBlock:
    QUICK = "home_quick"
    NOTE = "home_note"


VIEW_MAX_BLOCKS = 100
TITLE_MAX = 120  # characters of a task or deal title on a line
SECTION_MAX = 3000
FIELD_MAX = 2000
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Orders recorded in Slack carry the rep's user id; an import may name a rep in words.
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")


def home_view(home: Home, *, tz: ZoneInfo, currency: str, note: str | None = None) -> View:
    """The whole Home tab for one person."""
    today = home.today
    blocks: list[Block] = [
        HeaderBlock(text="Salesbot"),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"{_DAYS[today.weekday()]} {today.day} {_MONTHS[today.month - 1]} "
                    f"{today.year} · {mention(home.user_id)}"
                )
            ]
        ),
    ]
    if note:
        blocks.append(
            ContextBlock(block_id=HomeBlock.NOTE, elements=[MarkdownTextObject(text=note)])
        )
    blocks.append(quick_actions())
    blocks += task_blocks(home, tz)
    blocks += deal_blocks(home, currency)
    blocks += kpi_blocks(home, currency)
    blocks += leaderboard_blocks(home, currency)
    blocks += stock_blocks(home)
    assert len(blocks) <= VIEW_MAX_BLOCKS
    return View(type="home", blocks=blocks)


def quick_actions() -> ActionsBlock:
    return ActionsBlock(
        block_id=HomeBlock.QUICK,
        elements=[
            ButtonElement(
                text="Record sale", action_id=ActionId.SALE_RECORD, value="new", style="primary"
            ),
            ButtonElement(text="Log activity", action_id=HomeAction.LOG, value="new"),
            ButtonElement(text="Add task", action_id=ActionId.TASK_ADD, value=""),
        ],
    )


# -- tasks ----------------------------------------------------------------------------------


def task_blocks(home: Home, tz: ZoneInfo) -> list[Block]:
    blocks: list[Block] = [DividerBlock(), HeaderBlock(text="My tasks")]
    groups = (
        (":red_circle: Overdue", home.overdue()),
        (":large_orange_circle: Due today", home.due_today(tz)),
        (":calendar: Next 7 days", home.upcoming(tz)),
    )
    shown = 0
    for title, tasks in groups:
        if not tasks:
            continue
        blocks.append(_context(f"*{title}*"))
        for task in tasks:
            blocks.append(task_line(task, home, tz))
            shown += 1
    if not shown:
        if home.tasks_open_total:
            text = "Nothing due this week. :tada:"
        else:
            text = (
                "No tasks yet. Press *Add task*, or type `/task add Call Acme due:fri`; "
                "what falls due shows here with a Done button."
            )
        blocks.append(_section(text))
    rest = []
    hidden = home.tasks_due_total - shown
    hidden_overdue = min(max(home.tasks_overdue_total - len(home.overdue()), 0), hidden)
    if hidden_overdue > 0:
        rest.append(f"{hidden_overdue} more overdue")
    if hidden - hidden_overdue > 0:
        rest.append(f"{hidden - hidden_overdue} more due this week")
    later = home.tasks_open_total - home.tasks_due_total
    if later > 0:
        rest.append(f"{later} open task{'s' if later != 1 else ''} due later or undated")
    if rest:
        blocks.append(_context(" · ".join(rest) + " — `/task mine`"))
    return blocks


def task_line(task: Task, home: Home, tz: ZoneInfo) -> SectionBlock:
    parts = [f"{task.public_id} *{escape(truncate(task.title, TITLE_MAX))}*"]
    parts.append(due_text(task, home, tz))
    customer = home.customers.get(task.customer_id) if task.customer_id else None
    if customer is not None:
        parts.append(escape(truncate(customer.name, 80)))
    if task.deal_number is not None:
        parts.append(f"D-{task.deal_number}")
    return SectionBlock(
        block_id=f"home_task:{task.id}",
        text=MarkdownTextObject(text=truncate(" · ".join(parts), SECTION_MAX)),
        accessory=ButtonElement(
            text="Done", action_id=HomeAction.TASK_DONE, value=str(task.id), style="primary"
        ),
    )


def due_text(task: Task, home: Home, tz: ZoneInfo) -> str:
    """`was due Tue 3 Mar`, `due today 15:00`, `due Fri 6 Mar`."""
    if task.due_at is None:
        return "no due date"
    local = task.due_at.astimezone(tz)
    days = (local.date() - home.today).days
    day = {0: "today", 1: "tomorrow", -1: "yesterday"}.get(days)
    if day is None:
        day = f"{_DAYS[local.weekday()][:3]} {local.day} {_MONTHS[local.month - 1]}"
        if local.year != home.today.year:
            day += f" {local.year}"
    if task.due_has_time:
        day += f" {local:%H:%M}"
    return f"was due {day}" if task.due_at < home.now else f"due {day}"


# -- deals ----------------------------------------------------------------------------------


def deal_blocks(home: Home, currency: str) -> list[Block]:
    blocks: list[Block] = [DividerBlock(), HeaderBlock(text="My open deals")]
    if not home.deals:
        blocks.append(
            _section("No open deals yet. `/deal new` starts one; your biggest show here.")
        )
        return blocks
    # Whole lines only: a line cut at the limit would break its bold or an escaped `&amp;`.
    lines: list[str] = []
    size = 0
    for deal in home.deals:
        line = deal_line(deal, home, currency)
        if lines and size + len(line) + 1 > SECTION_MAX:
            break
        lines.append(line)
        size += len(line) + 1
    blocks.append(_section("\n".join(lines)))
    summary = (
        f"{home.deals_total} open deal{'s' if home.deals_total != 1 else ''}, "
        f"{format_money(home.deals_amount, currency)} in all"
    )
    if home.deals_total > len(lines):
        summary += f" · {home.deals_total - len(lines)} more — `/deal`"
    blocks.append(_context(summary))
    return blocks


def deal_line(deal: Deal, home: Home, currency: str) -> str:
    parts = [
        f"{deal.public_id} *{escape(truncate(deal.title, TITLE_MAX))}*",
        format_money(deal.amount, currency),
        escape(home.stages.get(deal.stage_id, "?")),
    ]
    customer = home.customers.get(deal.customer_id)
    if customer is not None:
        parts.insert(1, escape(truncate(customer.name, 80)))
    if deal.expected_close is not None:
        close = deal.expected_close
        when = f"{close.day} {_MONTHS[close.month - 1]}"
        if close.year != home.today.year:
            when += f" {close.year}"
        overdue = ":warning: was to close" if close < home.today else "closes"
        parts.append(f"{overdue} {when}")
    return "• " + " · ".join(parts)


# -- this month -----------------------------------------------------------------------------


def kpi_blocks(home: Home, currency: str) -> list[Block]:
    now, then = home.current, home.previous
    blocks: list[Block] = [
        DividerBlock(),
        HeaderBlock(text="This month"),
        _context(f"{_span(home)} against last month's same days ({_span(home, compared=True)})"),
    ]
    if not now.orders and not then.orders:
        blocks.append(
            _section(
                "No orders yet. Press *Record sale* or type `/sales record`; revenue, orders, "
                "average order and margin show here against last month."
            )
        )
        return blocks

    def money(value: Decimal | None) -> str:
        return format_money(value, currency) if value is not None else "—"

    margin = money(now.margin) if now.covered_revenue else "—"
    fields = [
        _kpi("Revenue", money(now.revenue), now.revenue, then.revenue, money(then.revenue)),
        _kpi("Orders", f"{now.orders:,}", now.orders, then.orders, f"{then.orders:,}"),
        _kpi("Average order", money(now.aov), now.aov, then.aov, money(then.aov)),
        _kpi(
            "Gross margin",
            margin,
            now.margin if now.covered_revenue else None,
            then.margin if then.covered_revenue else None,
            money(then.margin) if then.covered_revenue else "—",
        ),
    ]
    blocks.append(
        SectionBlock(fields=[MarkdownTextObject(text=truncate(f, FIELD_MAX)) for f in fields])
    )
    if (coverage := now.coverage) is not None and now.covered_revenue and coverage < 1:
        blocks.append(_context(f"Margin over {_percent(coverage)} of revenue (lines with a cost)."))
    return blocks


def _kpi(
    label: str,
    shown: str,
    current: Decimal | int | None,
    previous: Decimal | int | None,
    previous_shown: str,
) -> str:
    return f"*{label}*\n{shown}  {change_text(current, previous)}\n_last month {previous_shown}_"


def change_text(current: Decimal | int | None, previous: Decimal | int | None) -> str:
    """▲ 12.5% / ▼ 3.0% / n/a (docs/metrics.md: n/a when last month had nothing)."""
    change = growth(current, previous)
    if change is None:
        return "n/a"
    percent = _percent(abs(change))
    if percent == "0.0%":  # as shown: a change too small to show is no change
        return "= 0.0%"
    arrow = "▲" if change > 0 else "▼"
    return f"{arrow} {percent}"


def _percent(fraction: Decimal) -> str:
    """0.1225 → '12.3%': half up, as the dashboard and the digest round."""
    return f"{(fraction * 100).quantize(Decimal('0.1'), ROUND_HALF_UP):,}%"


def _span(home: Home, *, compared: bool = False) -> str:
    period = home.compared if compared else home.period
    start, end = period.start, period.end
    month = _MONTHS[end.month - 1]
    if start == end:
        return f"{end.day} {month}"
    return f"{start.day}–{end.day} {month}"


# -- leaderboard and stock --------------------------------------------------------------------


def leaderboard_blocks(home: Home, currency: str) -> list[Block]:
    blocks: list[Block] = [DividerBlock(), HeaderBlock(text="Leaderboard")]
    if not home.leaders:
        blocks.append(_section("No sales recorded this month yet: the first one leads."))
        return blocks
    medals = (":first_place_medal:", ":second_place_medal:", ":third_place_medal:")
    lines = []
    for n, leader in enumerate(home.leaders):
        place = medals[n] if n < len(medals) else f"{n + 1}."
        who = (
            mention(leader.rep)
            if _SLACK_USER.match(leader.rep)
            else escape(truncate(leader.rep, 80))
        )
        orders = leader.totals.orders
        lines.append(
            f"{place} {who} — {format_money(leader.totals.revenue, currency)} · "
            f"{orders:,} order{'s' if orders != 1 else ''}"
        )
    blocks.append(_section("\n".join(lines)))
    footer = "Top reps by revenue this month."
    if home.user_id not in {leader.rep for leader in home.leaders}:
        mine = home.mine
        footer += (
            f" You: {format_money(mine.revenue, currency)} from {mine.orders:,} "
            f"order{'s' if mine.orders != 1 else ''}."
        )
    blocks.append(_context(footer))
    return blocks


def stock_blocks(home: Home) -> list[Block]:
    blocks: list[Block] = [DividerBlock()]
    if home.low_stock:
        n = home.low_stock
        text = (
            f":package: *{n} product{'s are' if n != 1 else ' is'} low on stock* "
            "(at or under the reorder point) — see `/stock low`"
        )
    else:
        text = ":package: Nothing is low on stock. `/stock low` lists what nears its reorder point."
    blocks.append(_section(text))
    return blocks


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=truncate(text, SECTION_MAX)))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=truncate(text, SECTION_MAX))])
