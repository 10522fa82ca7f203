"""The /sales dashboard: a KPI card at once, the chart after it, Share to channel.

The card is answered privately (it reads sums only); the chart is drawn after it and sent
to the person's DM with Salesbot, since their own query should not post in a channel
unasked. "Share to channel" posts card and chart where it was pressed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from commands.errors import guarded
from commands.posting import Posting, Upload, tell_refused, upload_or_tell
from commands.reply import answer
from commands.sales import dashboard_views as views
from commands.sales import grammar
from commands.sales.charts import trend_chart
from commands.sales.dashboard_views import Dashboard
from commands.sales.filters import FilterError, Filters, read_filters
from commands.usage import usage_blocks, usage_fallback
from domain.errors import ValidationFailed
from domain.metrics import Dimension, Metric, Period
from domain.reports import Report, ReportService
from domain.text import fold
from domain.workspaces import Workspace

DM_NOTE = "The chart follows in your DM with Salesbot."
SHARE_ACTION = views.SHARE_ACTION
NOT_IN_DM = (
    "I can't post in a direct message between other people, and nobody can invite me into "
    "one: run `/sales` in a channel I'm in and share it there."
)


def load(reports: ReportService, workspace: Workspace, filters: Filters) -> Dashboard:
    """KPIs, the top 5 products and categories, and revenue per bucket for the period and
    the previous one. ValidationFailed for an unknown category lists the categories."""
    team, period, category = workspace.team_id, filters.period.period, filters.category
    kpis = reports.kpis(team, period, category)
    category = kpis.category  # as stored, whatever the case it was typed in

    def top(dimension: Dimension) -> Report:
        return reports.report(
            team, Metric.REVENUE, dimension, period, top=views.TOP, category=category
        )

    def trend(over: Period) -> Report:
        return reports.report(team, Metric.REVENUE, filters.bucket, over, category=category)

    return Dashboard(
        filters=filters,
        currency=workspace.currency,
        kpis=kpis,
        products=top(Dimension.PRODUCT),
        categories=top(Dimension.CATEGORY),
        trend=trend(period),
        trend_before=trend(period.previous()),
    )


def chart_upload(dash: Dashboard) -> Upload | None:
    """The revenue chart as a PNG, or None when there were no sales to draw."""
    if not dash.has_sales:
        return None
    png = trend_chart(
        views.chart_points(dash),
        title=views.chart_title(dash),
        currency=dash.currency,
        value_label=dash.filters.period.label,
        previous_label=views.previous_label(dash),
        y_label=f"Revenue ({dash.currency.upper()})",
    )
    return Upload(content=png, filename=views.chart_filename(dash), title=views.chart_title(dash))


def dashboard_posting(
    reports: ReportService,
    workspace: Workspace,
    filters: Filters,
    *,
    now: datetime,
    shared_by: str | None = None,
    share_button: bool = True,
) -> Posting:
    """The card and its chart, ready to post in a channel (a share, a scheduled report)."""
    dash = load(reports, workspace, filters)
    blocks = views.card_blocks(
        dash, now=now, tz=workspace.tz, shared_by=shared_by, share_button=share_button
    )
    upload = chart_upload(dash)
    return Posting(text=views.card_text(dash), blocks=blocks, uploads=(upload,) if upload else ())


# --- listeners -----------------------------------------------------------------------------------


def handle(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    services: Any,
    workspace: Workspace,
    words: Sequence[str],
) -> None:
    """/sales [period] [category:X] [by:day|week|month]: the card now, the chart to the DM."""
    now = services.clock.now()
    try:
        filters = read_filters(words, now.astimezone(workspace.tz).date())
        _check_category(services.reports, workspace, filters.category)
    except FilterError as exc:
        problem = str(exc)
        ack(text=usage_fallback(grammar.SPEC, problem), blocks=usage_blocks(grammar.SPEC, problem))
        return
    ack()
    try:
        dash = load(services.reports, workspace, filters)
    except ValidationFailed as exc:  # the category went away since it was checked
        problem = " ".join(exc.errors.values())
        answer(
            respond,
            response_type="ephemeral",
            text=usage_fallback(grammar.SPEC, problem),
            blocks=usage_blocks(grammar.SPEC, problem),
        )
        return
    user_id = str(command["user_id"])
    note = DM_NOTE if dash.has_sales else None
    text = views.card_text(dash)
    blocks = views.card_blocks(dash, now=now, tz=workspace.tz, chart_note=note)
    answer(respond, response_type="ephemeral", text=text, blocks=blocks)
    upload = chart_upload(dash)
    if upload is None:
        return
    dm = client.conversations_open(users=user_id)["channel"]["id"]
    upload_or_tell(client, dm, [upload], respond, comment=text, not_in_dm=NOT_IN_DM)


def share(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    respond: Respond,
    client: WebClient,
    services: Any,
    workspace: Workspace,
) -> None:
    """Share to channel (value: the filters): the card and chart, posted where pressed."""
    ack()
    user_id = body["user"]["id"]
    channel = (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get(
        "id"
    )
    if not channel:
        answer(respond, text="There is no channel to share this in.", replace_original=False)
        return
    now = services.clock.now()
    try:
        filters = views.read_share_value(
            str(action.get("value") or ""), now.astimezone(workspace.tz).date()
        )
        posting = dashboard_posting(
            services.reports, workspace, filters, now=now, shared_by=user_id, share_button=False
        )
    except (FilterError, ValidationFailed) as exc:
        problem = " ".join(exc.errors.values()) if isinstance(exc, ValidationFailed) else str(exc)
        answer(
            respond,
            response_type="ephemeral",
            text=f":warning: I couldn't share the dashboard. {problem}",
            replace_original=False,
        )
        return
    try:
        client.chat_postMessage(
            channel=channel, text=posting.text, blocks=[b.to_dict() for b in posting.blocks]
        )
    except SlackApiError as exc:
        tell_refused(respond, channel, exc, what="the dashboard", not_in_dm=NOT_IN_DM)
        return
    upload_or_tell(client, channel, posting.uploads, respond, not_in_dm=NOT_IN_DM)


def register(app: App) -> None:
    """Buttons and forms of this part of /sales."""
    app.action(SHARE_ACTION)(guarded(share))


# --- helpers -------------------------------------------------------------------------------------


def _check_category(reports: ReportService, workspace: Workspace, category: str | None) -> None:
    """An unknown category is told in the ack, with the categories there are."""
    if category is None:
        return
    known = reports.categories(workspace.team_id)
    if any(fold(name) == fold(category) for name in known):
        return
    listed = ", ".join(known) if known else "none yet (products have no category)"
    raise FilterError(f"There is no category “{category.strip()[:40]}”. Categories: {listed}.")
