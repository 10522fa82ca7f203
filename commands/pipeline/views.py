"""Block Kit for /pipeline: the board and the forecast, as pure functions of domain objects.

Every amount is shown with its currency; every forecast number says how it was worked out
(actual, configured probability or observed history), since a number with no method is a
guess to the person reading it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

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

from commands.fit import fit
from commands.format import escape, mention, truncate
from commands.pipeline.chart import Bar
from domain.forecast import METRICS_WINDOW_DAYS, Forecast, Metric, StageProbability
from domain.money import format_money
from domain.pipeline import Deal
from domain.pipeline_board import Board

TITLE_SHOWN = 80
SECTION_MAX = 3000


class PipelineAction(StrEnum):
    """Action ids only this family uses (belong in commands.ids.ActionId)."""

    SHARE = "pipeline_share"  # value: the board's filter as JSON ({"o": owner, "s": stage})
    FORECAST = "pipeline_forecast"  # value: "" (both periods)


class PipelineBlock(StrEnum):
    """Block ids of /pipeline messages (belong in commands.ids.BlockId)."""

    ACTIONS = "pipeline_actions"


# --- the board ------------------------------------------------------------------------------------


def board_title(board: Board, viewer: str | None = None) -> str:
    """'Pipeline', 'Your pipeline', "<@U1>'s pipeline", with ' · Proposal' for one stage."""
    if board.owner_id is None:
        who = "Pipeline"
    elif board.owner_id == viewer:
        who = "Your pipeline"
    else:
        who = f"{mention(board.owner_id)}'s pipeline"
    return f"{who} · {escape(board.stage.name)}" if board.stage else who


def board_text(board: Board, currency: str, viewer: str | None = None) -> str:
    """The fallback text: the totals in one line."""
    title = board_title(board, viewer)
    if not board.count:
        return f"{title}: no open deals."
    return (
        f"{title}: {board.count:,} open deal{_s(board.count)}, "
        f"{format_money(board.total, currency)} total, "
        f"{format_money(board.weighted, currency)} weighted."
    )


def board_blocks(
    board: Board,
    currency: str,
    *,
    viewer: str | None = None,
    chart_note: str | None = None,
) -> list[Block]:
    """The board: totals, each open stage with its biggest deals, stale deals, buttons."""
    blocks: list[Block] = [HeaderBlock(text="Pipeline")]
    title = board_title(board, viewer)
    if board.count:
        summary = (
            f"*{title}* — *{board.count:,}* open deal{_s(board.count)} · "
            f"total *{format_money(board.total, currency)}* · "
            f"weighted *{format_money(board.weighted, currency)}*"
        )
        if board.overdue:
            summary += f"\n:warning: {board.overdue:,} past their expected close date"
    else:
        summary = f"*{title}* — no open deals. `/deal new` adds one."
    blocks.append(_section(summary))
    blocks.append(DividerBlock())
    for line in board.lines:
        head = f"*{escape(line.stage.name)}* · {_percent(line.stage.probability)}"
        if not line.count:
            blocks.append(_section(f"{head} · no deals"))
            continue
        text = (
            f"{head} · {line.count:,} deal{_s(line.count)} · "
            f"*{format_money(line.total, currency)}* · "
            f"weighted {format_money(line.weighted, currency)}"
        )
        if line.overdue:
            text += f" · {line.overdue:,} overdue"
        for deal in line.biggest:
            text += "\n• " + deal_line(deal, currency, board.today)
        if line.count > len(line.biggest):
            more = line.count - len(line.biggest)
            text += f"\n   _and {more:,} more_"
        blocks.append(_section(text))
    blocks.append(DividerBlock())
    blocks.append(_section(stale_text(board)))
    notes = [
        "Weighted = amount × the stage's probability.",
        f"Stale = no activity or stage change in {board.stale_days} days "
        "(the workspace's `stale_deal_days` setting).",
    ]
    if chart_note:
        notes.append(chart_note)
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" ".join(notes))]))
    buttons = [ButtonElement(text="Forecast", action_id=PipelineAction.FORECAST, value="both")]
    if board.count:
        share = json.dumps({"o": board.owner_id, "s": board.stage.key if board.stage else None})
        share_button = ButtonElement(
            text="Share chart to channel", action_id=PipelineAction.SHARE, value=share
        )
        buttons.insert(0, share_button)
    blocks.append(ActionsBlock(block_id=PipelineBlock.ACTIONS, elements=buttons))
    return fit(blocks)


def deal_line(deal: Deal, currency: str, today: date) -> str:
    """'`D-12` Acme chairs — $8,000.00 · @owner', flagged when past its expected close."""
    text = (
        f"`{deal.public_id}` {escape(truncate(deal.title, TITLE_SHOWN))} — "
        f"{format_money(deal.amount, currency)} · {mention(deal.owner_id)}"
    )
    if deal.is_overdue(today):
        assert deal.expected_close is not None
        text += f" · :warning: due {deal.expected_close.strftime('%-d %b')}"
    return text


def stale_text(board: Board) -> str:
    if not board.stale_total:
        return (
            ":white_check_mark: No stale deals: every open deal moved in the last "
            f"{board.stale_days} days."
        )
    lines = [
        f":hourglass: *Stale* — {board.stale_total:,} deal{_s(board.stale_total)} with no activity "
        f"or stage change in {board.stale_days}+ days:"
    ]
    for stale in board.stale:
        deal = stale.deal
        lines.append(
            f"• `{deal.public_id}` {escape(truncate(deal.title, TITLE_SHOWN))} — "
            f"{escape(stale.stage_name)}, idle {stale.idle_days} days · {mention(deal.owner_id)}"
        )
    if board.stale_total > len(board.stale):
        lines.append(f"… and {board.stale_total - len(board.stale):,} more")
    return truncate("\n".join(lines), SECTION_MAX)


def chart_bars(board: Board) -> list[Bar]:
    return [
        Bar(label=line.stage.name, count=line.count, total=line.total, weighted=line.weighted)
        for line in board.lines
    ]


def chart_title(board: Board) -> str:
    """Plain text (no mentions) for the chart's title."""
    base = "Pipeline by stage" if board.stage is None else f"Pipeline · {board.stage.name}"
    return f"{base} — {board.count:,} open deal{_s(board.count)}, {board.today:%-d %b %Y}"


def read_share(value: str) -> tuple[str | None, str | None]:
    """The (owner, stage key) a Share button was made for."""
    data: dict[str, Any] = json.loads(value or "{}")
    return data.get("o"), data.get("s")


def shared_comment(board: Board, currency: str, sharer: str) -> str:
    return f"{mention(sharer)} shared {board_text(board, currency)}"


# --- the forecast ---------------------------------------------------------------------------------


def forecast_text(forecasts: Sequence[Forecast], currency: str) -> str:
    parts = [
        f"{_period_name(f)}: closed won {format_money(f.closed_won, currency)}, "
        f"weighted pipeline {format_money(f.weighted_pipeline, currency)}, "
        f"history forecast {format_money(f.history_forecast, currency)}"
        for f in forecasts
    ]
    return "Forecast — " + "; ".join(parts) + "."


def forecast_blocks(
    forecasts: Sequence[Forecast], currency: str, stage_names: dict[str, str]
) -> list[Block]:
    """Each period's three numbers with their method, then stage probabilities and pace."""
    blocks: list[Block] = [HeaderBlock(text="Forecast")]
    for f in forecasts:
        blocks.append(_section(f"*{_period_name(f)}* ({_span(f)})"))
        blocks.append(
            SectionBlock(
                fields=[
                    MarkdownTextObject(text=t)
                    for t in (
                        f"*Closed won so far*\n*{format_money(f.closed_won, currency)}*\n"
                        f"_actual_: {f.closed_won_deals:,} deal{_s(f.closed_won_deals)} won "
                        "in the period",
                        f"*Weighted pipeline*\n*{format_money(f.weighted_pipeline, currency)}*\n"
                        f"_configured_: {_pipeline_note(f)}, × each stage's set probability",
                        f"*History forecast*\n*{format_money(f.history_forecast, currency)}*\n"
                        f"_history_: closed won + {format_money(f.history_pipeline, currency)} "
                        "from the same deals × each stage's observed win rate "
                        "(set probability where history is thin)",
                    )
                ]
            )
        )
    first = forecasts[0]
    blocks.append(_section(probabilities_text(first.stage_probabilities, stage_names)))
    blocks.append(_section(pace_text(first, currency)))
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="_actual_: deals closed won in the period. _configured_: the stage "
                    "probabilities set for the pipeline. _history_: of the closed deals that "
                    "passed a stage, the share won — used once enough deals have passed it. "
                    "Deals past their expected close count in the current period; deals with "
                    "no expected close are left out."
                )
            ]
        )
    )
    return fit(blocks)


def probabilities_text(probabilities: dict[str, StageProbability], names: dict[str, str]) -> str:
    lines = ["*Stage probabilities* (the history forecast's)"]
    for p in probabilities.values():
        lines.append(
            f"• {escape(names.get(p.key, p.key))} *{_percent(p.used)}* — _{p.method}_: "
            f"{escape(p.explanation)}"
            + (f" (set: {_percent(p.configured)})" if p.method == "history" else "")
        )
    return truncate("\n".join(lines), SECTION_MAX)


def pace_text(f: Forecast, currency: str) -> str:
    def show(metric: Metric, kind: str) -> str:
        if metric.value is None:
            return "—"
        if kind == "rate":
            return _percent(metric.value)
        if kind == "days":
            return f"{metric.value.quantize(Decimal('0.1'))} days"
        suffix = "/day" if kind == "velocity" else ""
        return format_money(metric.value, currency) + suffix

    rows = (
        ("Win rate", f.win_rate, "rate"),
        ("Average deal size", f.average_deal_size, "money"),
        ("Average cycle", f.average_cycle_days, "days"),
        ("Sales velocity", f.sales_velocity, "velocity"),
    )
    lines = [f"*Pace* (deals closed in the last {METRICS_WINDOW_DAYS} days)"]
    for label, metric, kind in rows:
        lines.append(f"• {label}: *{show(metric, kind)}* — _history_: {escape(metric.explanation)}")
    return truncate("\n".join(lines), SECTION_MAX)


# --- helpers --------------------------------------------------------------------------------------


def _pipeline_note(f: Forecast) -> str:
    note = f"{f.pipeline_deals:,} open deal{_s(f.pipeline_deals)} due by {f.period_end:%-d %b}"
    if f.past_due_deals:
        note += f" ({f.past_due_deals:,} past due)"
    if f.undated_deals:
        note += f"; {f.undated_deals:,} with no expected close left out"
    return note


def _period_name(f: Forecast) -> str:
    if f.period == "month":
        return f"This month, {f.period_start:%B %Y}"
    return f"This quarter, Q{(f.period_start.month - 1) // 3 + 1} {f.period_start.year}"


def _span(f: Forecast) -> str:
    return f"{f.period_start:%-d %b} – {f.period_end:%-d %b %Y}"


def _percent(p: Decimal) -> str:
    shown = (p * 100).quantize(Decimal("0.1")).normalize()
    return f"{shown:f}%"


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=truncate(text, SECTION_MAX)))
