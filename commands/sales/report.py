"""/sales report <metric> by <dimension>: a table card, a chart, a CSV on request.

The card is answered privately (the person's own question should not post in a channel
unasked); the chart and the CSV follow in their DM with Salesbot, like the pipeline board's
chart. A saved report is posted into a channel through `report_posting` by the scheduler.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from commands.posting import Posting, Upload, tell_refused, upload_or_tell
from commands.reply import answer
from commands.sales import charts
from commands.sales.report_csv import file_stem, report_csv
from commands.sales.report_grammar import (
    HELP_WORDS,
    SPEC,
    ReportGrammarError,
    ReportRequest,
    read_report,
)
from commands.sales.report_views import (
    TABLE_ROWS_SHOWN,
    ReportView,
    chart_bars,
    chart_points,
    chart_title,
    empty_text,
    report_blocks,
    report_text,
)
from commands.usage import usage_blocks, usage_fallback
from domain.errors import DomainError, ValidationFailed
from domain.metrics import Dimension
from domain.reports import ReportService
from domain.workspaces import Workspace

DM_NOTE_CHART = "The chart follows in your DM with Salesbot."
DM_NOTE_BOTH = "The chart and the CSV follow in your DM with Salesbot."
FILES_REFUSED = ":warning: I couldn't send you the report's files: Slack said {error}."
RANKED = frozenset({Dimension.PRODUCT, Dimension.CUSTOMER})


def handle(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    services: Any,
    workspace: Workspace,
    words: Sequence[str],
) -> None:
    """Parse and answer a bad request in the ack; otherwise ack, compute, answer, upload."""
    if len(words) == 1 and words[0].lower() in HELP_WORDS:
        ack(text=usage_fallback(SPEC), blocks=usage_blocks(SPEC))
        return
    today = services.clock.now().astimezone(workspace.tz).date()
    try:
        request = read_report(words, today)
    except ReportGrammarError as exc:
        problem = str(exc)
        ack(text=usage_fallback(SPEC, problem), blocks=usage_blocks(SPEC, problem))
        return
    ack()
    user_id = str(command["user_id"])
    try:
        posting = report_posting(
            services.reports, workspace, request, now=services.clock.now(), for_dm=True
        )
    except DomainError as exc:
        problem = _problem(exc)
        answer(
            respond,
            response_type="ephemeral",
            text=usage_fallback(SPEC, problem),
            blocks=usage_blocks(SPEC, problem),
        )
        return
    answer(respond, response_type="ephemeral", text=posting.text, blocks=posting.blocks)
    if posting.uploads:
        send_files(client, user_id, posting, respond)


def report_posting(
    reports: ReportService,
    workspace: Workspace,
    request: ReportRequest,
    *,
    now: datetime,
    for_dm: bool = False,
) -> Posting:
    """The report as a message with its chart (and CSV when asked): what /sales report
    answers and what a scheduled report posts. Raises ValidationFailed for an unknown
    category. `for_dm`: the card says its files follow in a DM."""
    period = request.period
    top, unread_ranked = request.top, False
    if top is None and not request.csv and request.dimension in RANKED:
        # Tens of thousands of customers or products: the card shows the largest few, so
        # the database ranks them and the rest are only counted; the CSV reads every row.
        top, unread_ranked = TABLE_ROWS_SHOWN, True
    report = reports.report(
        workspace.team_id,
        request.metric,
        request.dimension,
        period.period,
        compare=request.compare,
        top=top,
        category=request.category,
    )
    if unread_ranked and not report.more and request.compare is not None:
        # Every row fits the card: read them all, so those who bought only in the
        # comparison period are listed too, at zero (ranking reads this period's buyers).
        unread_ranked = False
        report = reports.report(
            workspace.team_id,
            request.metric,
            request.dimension,
            period.period,
            compare=request.compare,
            category=request.category,
        )
    unread = 0
    if unread_ranked:
        unread, report = report.more, report.model_copy(update={"more": 0})
    compare_total = None
    if report.compare_period is not None:
        compare_total = reports.kpis(
            workspace.team_id, report.compare_period, report.category
        ).current
    view = ReportView(
        report=report,
        period_label=period.label,
        currency=workspace.currency,
        compare_total=compare_total,
        with_csv=request.csv,
        unread=unread,
    )
    if view.is_empty:
        text = empty_text(view)
        return Posting(text=text, blocks=[SectionBlock(text=MarkdownTextObject(text=text))])
    notes: tuple[str, ...] = ()
    if for_dm:
        notes = (DM_NOTE_BOTH if request.csv else DM_NOTE_CHART,)
    if period.to_date:
        local = now.astimezone(workspace.tz)
        notes = (f"As of {local:%-d %b %Y, %H:%M} ({workspace.timezone}).", *notes)
    stem = file_stem(report.metric, report.dimension, report.period, report.category)
    uploads = [Upload(content=chart_png(view), filename=f"{stem}.png", title=chart_title(view))]
    if request.csv:
        uploads.append(
            Upload(
                content=report_csv(view), filename=f"{stem}.csv", title=f"{chart_title(view)} (CSV)"
            )
        )
    return Posting(
        text=report_text(view), blocks=report_blocks(view, notes=notes), uploads=tuple(uploads)
    )


def chart_png(view: ReportView) -> bytes:
    """A line over time for time buckets, bars for everything else."""
    money = view.money()
    if view.dimension.is_time:
        return charts.trend_chart(
            chart_points(view),
            title=chart_title(view),
            currency=money,
            value_label=view.period_label,
            previous_label=view.compare_label,
        )
    bars, compared = chart_bars(view)
    return charts.bar_chart(
        bars,
        title=chart_title(view),
        currency=money,
        compared=compared,
        compared_label=view.compare_label,
    )


def send_files(client: WebClient, user_id: str, posting: Posting, respond: Respond) -> None:
    """The chart (and CSV) into the person's DM; a refusal is told privately, not lost."""
    what = "the report's files"
    try:
        dm = client.conversations_open(users=user_id)["channel"]["id"]
    except SlackApiError as exc:
        tell_refused(respond, user_id, exc, what=what, told=FILES_REFUSED)
        return
    upload_or_tell(
        client, dm, posting.uploads, respond, comment=posting.text, what=what, told=FILES_REFUSED
    )


def _problem(error: DomainError) -> str:
    if isinstance(error, ValidationFailed):
        return " ".join(error.errors.values())
    return error.message


def register(app: App) -> None:
    """Buttons and forms of this part of /sales: none yet, the card has no buttons."""
