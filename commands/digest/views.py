"""The daily digest as a Slack message, its 30-day chart, and the list of digest channels."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from commands.format import escape, mention, truncate
from commands.posting import Upload
from commands.sales.charts import Point, trend_chart
from domain.catalog import Product
from domain.digest import ClosedDeal, Comparison, Deals, Digest, DigestChannel
from domain.metrics import Totals
from domain.money import format_money
from domain.tasks import Task

SECTION_MAX = 2900  # Slack's limit is 3000 per section text; room for the "and N more" line


def short_day(day: date) -> str:
    """'Tue 3 Mar'."""
    return f"{day:%a} {day.day} {day:%b}"


def long_day(day: date) -> str:
    """'Tuesday 3 March 2026'."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def span(start: date, end: date) -> str:
    """'1–3 Mar', '28 Feb – 3 Mar', '3 Mar'."""
    if start == end:
        return f"{end.day} {end:%b}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%b}"
    return f"{start.day} {start:%b} – {end.day} {end:%b}"


def change(value: Decimal | None) -> str:
    """'▲ 12.5%', '▼ 3.0%', '±0.0%', or 'n/a' when there is nothing to compare with."""
    if value is None:
        return "n/a"
    percent = (value * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    if percent > 0:
        return f"▲ {percent}%"
    if percent < 0:
        return f"▼ {-percent}%"
    return "±0.0%"


def orders(n: int) -> str:
    return f"{n:,} order" if n == 1 else f"{n:,} orders"


def _aov(totals: Totals, currency: str) -> str:
    return format_money(totals.aov, currency) if totals.aov is not None else "—"


def comparison_fields(compared: Comparison, currency: str) -> list[MarkdownTextObject]:
    """Revenue, orders and AOV, each with its change and the value compared with."""
    now, then = compared.current, compared.previous
    return [
        MarkdownTextObject(
            text=f"*Revenue*\n{format_money(now.revenue, currency)}\n"
            f"{change(compared.revenue_change)} vs {format_money(then.revenue, currency)}"
        ),
        MarkdownTextObject(
            text=f"*Orders*\n{now.orders:,}\n{change(compared.orders_change)} vs {then.orders:,}"
        ),
        MarkdownTextObject(
            text=f"*Average order*\n{_aov(now, currency)}\n"
            + (
                f"{change(compared.aov_change)} vs {_aov(then, currency)}"
                if then.aov is not None
                else "n/a"
            )
        ),
    ]


def _deal_line(deal: ClosedDeal, currency: str) -> str:
    line = (
        f"• {deal.public_id} {escape(truncate(deal.title, 120))} — "
        f"{format_money(deal.amount, currency)} · {mention(deal.owner_id)}"
    )
    if deal.customer:
        line += f" · {escape(truncate(deal.customer, 80))}"
    if not deal.won and deal.lost_reason:
        line += f" · _{escape(truncate(deal.lost_reason, 120))}_"
    return line


def _task_line(task: Task, tz: ZoneInfo) -> str:
    at = f" ({task.due_at.astimezone(tz):%H:%M})" if task.due_at and task.due_has_time else ""
    return f"{task.public_id} {escape(truncate(task.title, 120))}{at}"


def _stock_line(product: Product) -> str:
    return (
        f"• `{escape(product.sku)}` {escape(truncate(product.name, 80))} — "
        f"{product.on_hand:,} on hand, reorder at {product.reorder_point or 0:,}"
    )


def _deals_text(deals: Deals, currency: str) -> str:
    """The day's totals, then the deals won and lost that fit, each list with how many more."""
    lines = [
        f"*Deals yesterday*: :trophy: {deals.won_count:,} won · "
        f"{format_money(deals.won_amount, currency)}   :x: {deals.lost_count:,} lost · "
        f"{format_money(deals.lost_amount, currency)}"
    ]
    size = len(lines[0])
    room = SECTION_MAX - 2 * len("\n…and 1,000,000 more lost")  # the "more" lines always fit
    for listed_deals, count, outcome in (
        (deals.won, deals.won_count, "won"),
        (deals.lost, deals.lost_count, "lost"),
    ):
        listed = 0
        for deal in listed_deals:
            line = _deal_line(deal, currency)
            if size + len(line) + 1 > room:
                break
            lines.append(line)
            size += len(line) + 1
            listed += 1
        if count > listed:
            lines.append(f"…and {count - listed:,} more {outcome}")
            size += len(lines[-1]) + 1
    return "\n".join(lines)


def _tasks_text(digest: Digest, tz: ZoneInfo) -> str:
    """Tasks due today, a line per person, as many tasks as fit; then how many are left.

    Cut task by task, not person by person: one person with many tasks still sees the first.
    """
    people: list[str] = []
    size = 0
    listed = 0
    full = False
    for assignee, tasks in groupby(digest.tasks, key=lambda t: t.assignee_id):
        line = f"{mention(assignee)}: "
        items = 0
        for task in tasks:
            item = ("" if items == 0 else ", ") + _task_line(task, tz)
            if size + len(line) + len(item) + 1 > SECTION_MAX:
                full = True
                break
            line += item
            items += 1
        if items:
            people.append(line)
            size += len(line) + 1
            listed += items
        if full:
            break
    text = f"*Tasks due today* ({digest.tasks_total:,})\n" + "\n".join(people)
    if (left := digest.tasks_total - listed) > 0:
        text += f"\n…and {left:,} more tasks: `/task today`"
    return text


def _capped(lines: Sequence[str], total: int, more: str) -> str:
    """The lines that fit one section, then how many were left out."""
    shown: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) + 1 > SECTION_MAX:
            break
        shown.append(line)
        size += len(line) + 1
    left = total - len(shown)
    if left > 0:
        shown.append(f"…and {left:,} more {more}")
    return "\n".join(shown)


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def digest_message(
    digest: Digest, *, tz: ZoneInfo, late_since: str | None = None
) -> tuple[str, list[Block]]:
    """Fallback text and blocks; `late_since` ("08:00") says it went out later than due."""
    cur = digest.currency
    covers = digest.covers
    day = digest.yesterday
    blocks: list[Block] = [
        HeaderBlock(text=truncate(f"Daily digest · {long_day(digest.day)}", 150)),
    ]
    if late_since:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f":hourglass: Late: this was due at {late_since}. "
                        "The figures are as they stand now."
                    )
                ]
            )
        )
    week_before = day.against.start
    if day.current.orders:
        blocks.append(_section(f"*Yesterday* ({short_day(covers)}) vs {short_day(week_before)}"))
        blocks.append(SectionBlock(fields=comparison_fields(day, cur)))
        text = (
            f"Daily digest: {format_money(day.current.revenue, cur)} revenue yesterday "
            f"from {orders(day.current.orders)} ({change(day.revenue_change)} "
            f"vs {short_day(week_before)})."
        )
    else:
        before = day.previous
        had = (
            f"{short_day(week_before)} had {format_money(before.revenue, cur)} "
            f"from {orders(before.orders)}."
            if before.orders
            else f"{short_day(week_before)} had none either."
        )
        blocks.append(_section(f"*Yesterday* ({short_day(covers)}): no sales. {had}"))
        text = f"Daily digest: no sales yesterday ({short_day(covers)})."

    month = digest.month
    name = f"{covers:%B}" if digest.month_complete else f"{covers:%B} to date"
    against = span(month.against.start, month.against.end)
    if month.current.orders or month.previous.orders:
        blocks.append(
            _section(f"*{name}* ({span(month.period.start, month.period.end)}) vs {against}")
        )
        blocks.append(SectionBlock(fields=comparison_fields(month, cur)))
    else:
        blocks.append(_section(f"*{name}*: no sales, nor in {against}."))

    if digest.deals is not None:
        deals = digest.deals
        blocks.append(DividerBlock())
        if not deals.won_count and not deals.lost_count:
            blocks.append(_section("*Deals*: none won or lost yesterday."))
        else:
            blocks.append(_section(_deals_text(deals, cur)))

    blocks.append(DividerBlock())
    if digest.tasks_total:
        blocks.append(_section(_tasks_text(digest, tz)))
    else:
        blocks.append(_section("*Tasks due today*: none."))

    if digest.low_total:
        lines = [_stock_line(p) for p in digest.low]
        listed = _capped(lines, digest.low_total, "products: `/stock low`")
        blocks.append(_section(f"*Low stock* ({digest.low_total:,})\n{listed}"))
    else:
        blocks.append(_section("*Low stock*: nothing at or under its reorder point."))

    note = (
        "The revenue of the last 30 days, against the 30 before, follows as a chart."
        if digest.trend_has_sales
        else "No sales in the last 60 days, so no chart."
    )
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=note)]))
    return text, blocks


def digest_chart(digest: Digest) -> Upload | None:
    """The 30 days to yesterday with the 30 before dashed; None when both had no sales."""
    if not digest.trend_has_sales:
        return None
    points = [
        Point(label=f"{t.day.day} {t.day:%b}", value=t.revenue, previous=t.previous)
        for t in digest.trend
    ]
    first, last = digest.trend[0].day, digest.trend[-1].day
    title = f"Revenue, {span(first, last)} {last.year}"
    png = trend_chart(
        points,
        title=title,
        currency=digest.currency,
        value_label="Last 30 days",
        previous_label="30 days before",
    )
    return Upload(content=png, filename=f"digest-{digest.day.isoformat()}.png", title=title)


_FAILURES = {
    "not_in_channel": "I'm not in the channel: invite me there with `/invite @Salesbot`.",
    "channel_not_found": "I can't see the channel: if it is private, invite me with "
    "`/invite @Salesbot`; if it is gone, stop it with `/salesbot digest off #channel`.",
    "is_archived": "the channel is archived: pick another one.",
}


def _failure(error: str) -> str:
    """Why the last digest did not go out, and what to do about it."""
    why = _FAILURES.get(error)
    if why is None:
        why = f"Slack refused it ({escape(truncate(error, 80))})."
    return f"The last digest could not be posted: {why}"


def channels_blocks(
    channels: Sequence[DigestChannel], *, tz: ZoneInfo, note: str | None = None
) -> tuple[str, list[Block]]:
    """Where and when the digest goes, with how to change it."""
    blocks: list[Block] = []
    if note:
        blocks.append(_section(note))
    if channels:
        lines = [
            f"• <#{c.channel_id}> at {c.local_time} — next "
            f"{short_day(c.next_run_at.astimezone(tz).date())}"
            + (f"\n   :warning: {_failure(c.last_error)}" if c.last_error else "")
            for c in channels
        ]
        blocks.append(
            _section(f"*Daily digest* ({tz.key} time)\n" + _capped(lines, len(lines), "channels"))
        )
        text = "Daily digest: " + ", ".join(f"<#{c.channel_id}> {c.local_time}" for c in channels)
    else:
        blocks.append(_section("*Daily digest*: no channel gets it yet."))
        text = "No channel gets the daily digest yet."
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="`/salesbot digest #channel 08:00` adds or changes one · "
                    "`/salesbot digest off #channel` stops it · `/salesbot digest now` posts "
                    "it here now"
                )
            ]
        )
    )
    return text, blocks
