"""Listeners for /pipeline and its buttons.

The board is answered privately at once (it reads aggregates only); its chart is drawn after
that and sent to the person's DM with Salesbot, since their own query should not post in a
channel unasked. "Share chart to channel" posts it where they pressed it.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import Block

from commands.pipeline import chart, grammar, views
from commands.posting import Upload, upload_or_tell
from commands.reply import answer
from commands.usage import usage_blocks, usage_fallback
from domain.errors import DomainError, ValidationFailed
from domain.pipeline_board import Board
from domain.workspaces import Workspace

SPEC = grammar.SPEC
CHART_FILENAME = "pipeline.png"
DM_NOTE = "The chart follows in your DM with Salesbot."
REFUSED_UPLOAD = "Slack refused the upload ({error})."


def pipeline_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    services: Any,
    workspace: Workspace,
) -> None:
    """/pipeline [mine|@user] [stage] | forecast [month|quarter] | help."""
    try:
        intent = grammar.parse(command.get("text") or "")
    except grammar.UsageError as exc:
        ack(text=usage_fallback(SPEC, exc.message), blocks=usage_blocks(SPEC, exc.message))
        return
    if isinstance(intent, grammar.Help):
        ack(text=usage_fallback(SPEC), blocks=usage_blocks(SPEC))
        return
    ack()
    user_id = str(command["user_id"])
    try:
        if isinstance(intent, grammar.Forecast):
            reply_forecast(respond, services, workspace, intent.periods)
            return
        owner = user_id if intent.mine else intent.owner_id
        board = services.pipeline_board.board(
            workspace.team_id, owner_id=owner, stage_key=intent.stage
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
    currency = workspace.currency
    note = DM_NOTE if board.count else None
    text = views.board_text(board, currency, user_id)
    blocks = views.board_blocks(board, currency, viewer=user_id, chart_note=note)
    answer(respond, response_type="ephemeral", text=text, blocks=blocks)
    if board.count:
        dm = client.conversations_open(users=user_id)["channel"]["id"]
        send_chart(client, board, currency, channel=dm, comment=text, respond=respond)


def share_chart(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    respond: Respond,
    client: WebClient,
    services: Any,
    workspace: Workspace,
) -> None:
    """Share chart to channel (value: the board's filter): the chart, posted where pressed."""
    ack()
    owner, stage_key = views.read_share(action.get("value") or "")
    user_id = body["user"]["id"]
    channel = (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get(
        "id"
    )
    board = services.pipeline_board.board(workspace.team_id, owner_id=owner, stage_key=stage_key)
    if not channel or not board.count:
        answer(respond, text="There is nothing to share here.", replace_original=False)
        return
    comment = views.shared_comment(board, workspace.currency, user_id)
    send_chart(client, board, workspace.currency, channel=channel, comment=comment, respond=respond)


def show_forecast(ack: Ack, respond: Respond, services: Any, workspace: Workspace) -> None:
    """Forecast (on the board): this month's and this quarter's forecast."""
    ack()
    reply_forecast(respond, services, workspace, grammar.PERIODS, replace_original=False)


def reply_forecast(
    respond: Respond,
    services: Any,
    workspace: Workspace,
    periods: tuple[grammar.Period, ...],
    **options: Any,
) -> None:
    forecasts = services.pipeline_board.forecasts(workspace.team_id, periods)
    names = {s.key: s.name for s in services.pipeline.stages(workspace.team_id)}
    text = views.forecast_text(forecasts, workspace.currency)
    blocks: list[Block] = views.forecast_blocks(forecasts, workspace.currency, names)
    answer(respond, response_type="ephemeral", text=text, blocks=blocks, **options)


def send_chart(
    client: WebClient,
    board: Board,
    currency: str,
    *,
    channel: str,
    comment: str,
    respond: Respond,
) -> None:
    """Draw the board's chart and upload it to the channel; a refusal is told privately."""
    title = views.chart_title(board)
    png = chart.pipeline_chart(views.chart_bars(board), currency=currency, title=title)
    upload = Upload(content=png, filename=CHART_FILENAME, title=title)
    upload_or_tell(client, channel, [upload], respond, comment=comment, refused=REFUSED_UPLOAD)


def _problem(error: DomainError) -> str:
    if isinstance(error, ValidationFailed):
        return " ".join(error.errors.values())
    return error.message
