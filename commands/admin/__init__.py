"""The /salesbot command: help across every command, and the workspace's settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from commands import digest
from commands.admin import pipeline
from commands.admin.views import channel_note, settings_blocks
from commands.channels import NotAChannel, channel_id
from commands.errors import guarded
from commands.format import escape, truncate, unescape
from commands.usage import CommandSpec, usage_blocks, usage_fallback
from domain.errors import DomainError
from domain.workspaces import User, Workspace

SPEC = CommandSpec(
    name="/salesbot",
    summary="help for every command, the daily digest, and the workspace's settings",
    usage_hint=(
        "help | digest [now | #channel <HH:MM> | off #channel] | settings [pipeline | "
        "sales-channel #channel | stock-channel #channel | big-moves <amount> | stale-days <n> | "
        "timezone <Area/City> | summary <HH:MM>]"
    ),
    forms=(
        ("help", "list every command with what it does"),
        ("settings", "show the workspace's settings"),
        ("settings timezone Europe/Berlin", "set the timezone (admins and managers)"),
        ("settings summary 08:30", "when overdue-task summaries go out (admins and managers)"),
        (
            "settings stock-channel #channel",
            "where low-stock alerts go; `off` stops them (admins and managers)",
        ),
        (
            "settings sales-channel #channel",
            "where won and lost deals are announced; `off` stops them (admins and managers)",
        ),
        (
            "settings big-moves 10000",
            "also announce stage moves of deals this big or bigger; `off` stops them",
        ),
        ("settings stale-days 14", "days without activity before a deal counts as stale"),
        ("settings pipeline", "the pipeline's stages (admins edit them from there)"),
        (
            "settings pipeline rename <stage> <new name>",
            "rename a stage; its deals stay in it (admins)",
        ),
        ("settings pipeline probability <stage> 35%", "change a stage's probability (admins)"),
        (
            "settings pipeline add <name> <probability> [after <stage>]",
            "add an open stage (admins)",
        ),
        ("settings pipeline move <stage> up|down", "reorder the open stages (admins)"),
        (
            "settings pipeline remove <stage> [to <stage>]",
            "remove an open stage, moving its deals to another (admins)",
        ),
        ("digest", "the channels that get the daily digest, and when"),
        (
            "digest #channel 08:00",
            "post the daily digest there every day at that time (admins and managers)",
        ),
        ("digest off #channel", "stop the daily digest there (admins and managers)"),
        ("digest now [#channel]", "post today's digest now, here or in that channel"),
    ),
)
SETTINGS_KEYS = {
    "timezone": "timezone",
    "tz": "timezone",
    "summary": "overdue_summary_time",
    "stock-channel": "stock_channel_id",
    "stock_channel": "stock_channel_id",
    "stock": "stock_channel_id",
    "sales-channel": "sales_channel_id",
    "sales_channel": "sales_channel_id",
    "sales": "sales_channel_id",
    "big-moves": "big_move_amount",
    "big_moves": "big_move_amount",
    "big-move": "big_move_amount",
    "stale-days": "stale_deal_days",
    "stale_days": "stale_deal_days",
    "stale": "stale_deal_days",
}
CHANNEL_KEYS = {
    "stock_channel_id": "Low-stock alerts",
    "sales_channel_id": "Won and lost deals (and big moves, if set)",
}
_CHANNEL_OFF = frozenset({"off", "none", "-"})


def help_blocks(specs: Sequence[CommandSpec]) -> list[Block]:
    """One line per command that exists, then where to learn more."""
    lines = "\n".join(f"`{spec.name}` — {spec.summary}" for spec in specs)
    return [
        HeaderBlock(text="Salesbot commands"),
        SectionBlock(text=MarkdownTextObject(text=lines)),
        ContextBlock(
            elements=[MarkdownTextObject(text="Type any command followed by `help` for details.")]
        ),
    ]


def register(app: App, specs: Sequence[CommandSpec]) -> None:
    def salesbot_command(
        ack: Ack,
        command: dict[str, Any],
        respond: Respond,
        client: WebClient,
        services: Any,
        workspace: Workspace,
        user: User | None,
    ) -> None:
        """/salesbot help | settings [...] | digest [...]."""
        words = unescape(command.get("text") or "").split()
        first = words[0].lower() if words else ""
        if first in ("", "help", "?", "-h", "--help"):
            ack(
                text="Salesbot commands: " + ", ".join(s.name for s in specs),
                blocks=help_blocks(specs),
            )
        elif first == "settings":
            settings_command(ack, words[1:], services, workspace, user)
        elif first == "digest" and user is not None:
            digest.handle(ack, command, respond, client, services, workspace, user, words[1:])
        else:
            problem = f"`{truncate(first, 40)}` is not a /salesbot subcommand."
            ack(text=usage_fallback(SPEC, problem), blocks=usage_blocks(SPEC, problem))

    app.command(SPEC.name)(guarded(salesbot_command))
    pipeline.register(app)


def settings_command(
    ack: Ack, words: list[str], services: Any, workspace: Workspace, user: User | None
) -> None:
    """Show the settings, or change one (the domain checks who may)."""
    if words and words[0].lower() in ("pipeline", "stages"):
        pipeline.pipeline_command(ack, words[1:], services, workspace, user)
        return
    if not words:
        lines = services.pipeline_stages.overview(workspace.team_id)
        ack(
            text=f"Salesbot settings for this workspace: timezone {workspace.timezone}",
            blocks=settings_blocks(workspace, lines=lines, user=user),
        )
        return
    key = SETTINGS_KEYS.get(words[0].lower())
    if key is None or len(words) != 2:
        problem = "Say which setting and its new value, like `settings summary 08:30`."
        ack(text=usage_fallback(SPEC, problem), blocks=usage_blocks(SPEC, problem))
        return
    try:
        value = stock_channel(words[1]) if key in CHANNEL_KEYS else words[1]
        changed = services.workspaces.change_settings(workspace.team_id, user, **{key: value})
    except DomainError as exc:
        # The message may quote what was typed: escaped, as the blocks escape it.
        ack(text=escape(exc.message), blocks=usage_blocks(SPEC, exc.message))
        return
    note = ":white_check_mark: Saved."
    if key in CHANNEL_KEYS:
        note += " " + channel_note(getattr(changed, key), CHANNEL_KEYS[key])
    if key == "big_move_amount" and not changed.sales_channel_id:
        note += " Set a sales channel too (`/salesbot settings sales-channel #channel`)."
    lines = services.pipeline_stages.overview(workspace.team_id)
    ack(text="Settings saved.", blocks=settings_blocks(changed, note, lines=lines, user=user))


def stock_channel(text: str) -> str:
    """The channel id in `<#C0123|stock>` ("" for off); DomainError for anything else."""
    if text.lower() in _CHANNEL_OFF:
        return ""
    try:
        return channel_id(text, example="`/salesbot settings sales-channel #sales`, or say `off`")
    except NotAChannel as exc:
        raise DomainError(str(exc)) from None


def stock_channel_note(channel_id: str | None) -> str:
    return channel_note(channel_id, "Low-stock alerts")
