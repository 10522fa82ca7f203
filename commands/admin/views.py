"""Block Kit for /salesbot settings: the settings card, the pipeline and its edit forms."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from commands.admin.ids import PipelineId
from commands.format import escape, truncate
from domain.money import format_money
from domain.pipeline import Outcome, Stage
from domain.pipeline_stages import NAME_MAX, StageLine, percent
from domain.workspaces import Role, User, Workspace

METADATA_MAX = 3000
CHANGE_FORMS = (
    "`/salesbot settings sales-channel #channel`, `big-moves 10000`, `stale-days 14`, "
    "`timezone Europe/Berlin`, `summary 08:30` or `stock-channel #channel`."
)
PIPELINE_FORMS = escape(
    "`/salesbot settings pipeline rename <stage> <new name>`, `probability <stage> 35%`, "
    "`add <name> <probability> [after <stage>]`, `move <stage> up|down`, "
    "`remove <stage> [to <stage>]`."
)


def settings_blocks(
    workspace: Workspace,
    note: str | None = None,
    *,
    lines: list[StageLine] | None = None,
    user: User | None = None,
) -> list[Block]:
    """The settings card: every setting, then the pipeline when it is given."""
    rows = [
        f"*Timezone:* {workspace.timezone}",
        f"*Currency:* {workspace.currency}",
        f"*Overdue-task summaries:* every day at {workspace.overdue_summary_time} "
        f"({workspace.timezone})",
        f"*Low-stock alerts:* {_channel(workspace.stock_channel_id, 'stock-channel')}",
        f"*Won/lost announcements:* {_channel(workspace.sales_channel_id, 'sales-channel')}",
        f"*Big stage moves announced:* {big_moves_text(workspace)}",
        f"*Deals are stale after:* {workspace.stale_deal_days} days without activity",
    ]
    blocks: list[Block] = []
    if note:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=truncate(note, 3000))))
    blocks += [
        SectionBlock(text=MarkdownTextObject(text="\n".join(rows))),
        ContextBlock(elements=[MarkdownTextObject(text=f"Change with {CHANGE_FORMS}")]),
    ]
    if lines is not None:
        blocks += [DividerBlock(), *pipeline_blocks(lines, user)]
    return blocks


def pipeline_blocks(
    lines: list[StageLine], user: User | None, note: str | None = None
) -> list[Block]:
    """The pipeline's stages in order, and for admins the Edit pipeline button."""
    blocks: list[Block] = []
    if note:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=truncate(note, 3000))))
    blocks.append(
        SectionBlock(
            text=MarkdownTextObject(text=truncate("*Pipeline*\n" + stages_text(lines), 3000))
        )
    )
    if user is not None and user.role == Role.ADMIN:
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Edit pipeline",
                        action_id=PipelineId.EDIT,
                        value="edit",
                        style="primary",
                    )
                ]
            )
        )
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"Or type {PIPELINE_FORMS}")]))
    else:
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text="Only admins can change the stages.")])
        )
    return blocks


def stages_text(lines: list[StageLine]) -> str:
    rows = []
    for n, line in enumerate(lines, start=1):
        stage = line.stage
        if stage.outcome == Outcome.OPEN:
            deals = f"{line.deals:,} open deal{'' if line.deals == 1 else 's'}"
            rows.append(f"{n}. *{escape(stage.name)}* · {percent(stage.probability)} · {deals}")
        else:
            rows.append(
                f"{n}. *{escape(stage.name)}* · {percent(stage.probability)} · "
                f"closes deals as {stage.outcome.value}"
            )
    return "\n".join(rows)


def pipeline_text(lines: list[StageLine]) -> str:
    return "Pipeline: " + ", ".join(
        f"{escape(line.stage.name)} {percent(line.stage.probability)}" for line in lines
    )


def big_moves_text(workspace: Workspace) -> str:
    if workspace.big_move_amount is None:
        return "off (set with `/salesbot settings big-moves 10000`)"
    return f"deals of {format_money(workspace.big_move_amount, workspace.currency)} or more"


def _channel(channel_id: str | None, form: str) -> str:
    if channel_id:
        return f"<#{channel_id}>"
    return f"off (set one with `/salesbot settings {form} #channel`)"


def channel_note(channel_id: str | None, what: str) -> str:
    """Where `what` (Low-stock alerts, Won and lost deals) now go, and the private-channel catch."""
    if not channel_id:
        return f"{what} are off."
    return (
        f"{what} go to <#{channel_id}>. Salesbot posts in public channels without "
        "joining; for a private channel, invite @Salesbot there first (`/invite @Salesbot`), "
        "or its messages fail with `not_in_channel`."
    )


# --- asking where a removed stage's deals go (a message) -----------------------------------


def move_deals_question(stage: Stage, deals: int, choices: list[Stage]) -> list[Block]:
    plural = "deal" if deals == 1 else "deals"
    text = (
        f":question: *{escape(stage.name)}* holds {deals:,} open {plural}. Where should "
        f"{'it' if deals == 1 else 'they'} go before the stage is removed? Nothing has changed yet."
    )
    buttons = [
        ButtonElement(
            text=truncate(f"Move to {target.name}", 75),
            action_id=f"{PipelineId.MOVE_DEALS_TO}:{target.id}",
            value=f"{stage.id}:{target.id}",
        )
        for target in choices[:25]
    ]
    return [SectionBlock(text=MarkdownTextObject(text=text)), ActionsBlock(elements=buttons)]


# --- the edit form ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FormContext:
    """Where the edit form was opened from (to answer there), or, for a pushed form, the
    edit form under it and the stage it is about."""

    response_url: str | None = None
    channel_id: str | None = None
    parent_view_id: str | None = None
    stage_id: int | None = None

    @classmethod
    def opened_from(cls, body: dict[str, Any]) -> FormContext:
        channel = body.get("channel")
        channel_id = channel.get("id") if isinstance(channel, dict) else body.get("channel_id")
        return cls(body.get("response_url"), channel_id)

    def dump(self) -> str:
        data = {"r": self.response_url, "c": self.channel_id, "p": self.parent_view_id}
        data["s"] = self.stage_id  # type: ignore[assignment]
        text = json.dumps(data, separators=(",", ":"))
        if len(text) > METADATA_MAX:
            text = json.dumps({**data, "r": None}, separators=(",", ":"))
        return text

    @classmethod
    def load(cls, text: str) -> FormContext:
        data: dict[str, Any] = json.loads(text or "{}")
        return cls(data.get("r"), data.get("c"), data.get("p"), data.get("s"))


def edit_modal(lines: list[StageLine], context: FormContext, note: str | None = None) -> View:
    """Every stage's name and probability, Up/Down/Remove for open stages, and Add stage."""
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=truncate(
                    note
                    or "Rename stages and change their probabilities, then *Save*. Renaming "
                    "keeps a stage's deals. Up, Down, Remove and Add stage apply at once.",
                    3000,
                )
            )
        )
    ]
    open_count = sum(1 for line in lines if line.stage.outcome == Outcome.OPEN)
    for n, line in enumerate(lines, start=1):
        stage = line.stage
        blocks.append(DividerBlock())
        if stage.outcome != Outcome.OPEN:
            blocks.append(
                _text_input(
                    f"{PipelineId.NAME}:{stage.id}",
                    truncate(f"{n}. {stage.name} (closes deals as {stage.outcome.value})", 150),
                    stage.name,
                    hint=f"Always {percent(stage.probability)}; can be renamed, not removed.",
                )
            )
            continue
        blocks.append(
            _text_input(
                f"{PipelineId.NAME}:{stage.id}", truncate(f"{n}. {stage.name}", 150), stage.name
            )
        )
        deals = f"{line.deals:,} open deal{'' if line.deals == 1 else 's'}"
        blocks.append(
            _text_input(
                f"{PipelineId.PROBABILITY}:{stage.id}",
                "Probability of winning (%)",
                percent(stage.probability),
                hint=f"From 0% to 100%. {deals} in this stage.",
                max_length=8,
            )
        )
        buttons = []
        if n > 1:
            buttons.append(ButtonElement(text="↑ Up", action_id=PipelineId.UP, value=str(stage.id)))
        if n < open_count:
            buttons.append(
                ButtonElement(text="↓ Down", action_id=PipelineId.DOWN, value=str(stage.id))
            )
        if open_count > 1:
            buttons.append(
                ButtonElement(
                    text="Remove",
                    action_id=PipelineId.REMOVE,
                    value=str(stage.id),
                    style="danger",
                    confirm=ConfirmObject(
                        title="Remove stage?",
                        text=truncate(
                            f"Remove {stage.name}? "
                            + (
                                "You'll pick where its deals go."
                                if line.deals
                                else "It has no deals."
                            ),
                            300,
                        ),
                        confirm="Remove",
                        deny="Keep it",
                    ),
                )
            )
        blocks.append(ActionsBlock(block_id=f"{PipelineId.ROW}:{stage.id}", elements=buttons))
    blocks += [
        DividerBlock(),
        ActionsBlock(
            elements=[ButtonElement(text="+ Add stage", action_id=PipelineId.ADD, value="add")]
        ),
    ]
    return View(
        type="modal",
        callback_id=PipelineId.SAVE,
        title="Edit pipeline",
        submit="Save",
        close="Close",
        private_metadata=context.dump(),
        blocks=blocks,
    )


def add_modal(lines: list[StageLine], context: FormContext) -> View:
    """A new open stage: its name, probability and where it goes."""
    open_stages = [line.stage for line in lines if line.stage.outcome == Outcome.OPEN]
    options = [Option(text="At the start", value="0")] + [
        Option(text=truncate(f"After {s.name}", 75), value=str(s.id)) for s in open_stages
    ]
    last = options[-1]
    return View(
        type="modal",
        callback_id=PipelineId.ADD_SAVE,
        title="Add a stage",
        submit="Add",
        close="Back",
        private_metadata=context.dump(),
        blocks=[
            _text_input(PipelineId.NEW_NAME, "Name", None, max_length=NAME_MAX),
            _text_input(
                PipelineId.NEW_PROBABILITY,
                "Probability of winning (%)",
                None,
                hint="From 0% to 100%, like 35%.",
                max_length=8,
            ),
            InputBlock(
                block_id=PipelineId.NEW_AFTER,
                label="Position",
                element=StaticSelectElement(
                    action_id=PipelineId.NEW_AFTER, options=options[:100], initial_option=last
                ),
            ),
        ],
    )


def remove_modal(stage: Stage, deals: int, choices: list[Stage], context: FormContext) -> View:
    """Where the deals of the stage being removed go."""
    plural = "deal" if deals == 1 else "deals"
    return View(
        type="modal",
        callback_id=PipelineId.REMOVE_SAVE,
        title="Remove stage",
        submit="Move and remove",
        close="Back",
        private_metadata=context.dump(),
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"*{escape(stage.name)}* holds {deals:,} open {plural}. Pick the stage "
                    "they move to; each move is kept in the deal's history, then the stage is "
                    "removed."
                )
            ),
            InputBlock(
                block_id=PipelineId.TARGET,
                label="Move its deals to",
                element=StaticSelectElement(
                    action_id=PipelineId.TARGET,
                    placeholder="Pick a stage",
                    options=[
                        Option(text=truncate(s.name, 75), value=str(s.id)) for s in choices[:100]
                    ],
                ),
            ),
        ],
    )


def read_edit_modal(
    values: dict[str, dict[str, dict[str, Any]]],
) -> dict[int, dict[str, str | None]]:
    """{stage id: {"name": …, "probability": …}} from the edit form's state."""
    found: dict[int, dict[str, str | None]] = {}
    for block_id, elements in values.items():
        kind, _, stage_id = block_id.partition(":")
        if not stage_id.isdigit() or kind not in (PipelineId.NAME, PipelineId.PROBABILITY):
            continue
        value = next(iter(elements.values()), {}).get("value")
        field = "name" if kind == PipelineId.NAME else "probability"
        found.setdefault(int(stage_id), {})[field] = value
    return found


def selected(values: dict[str, dict[str, dict[str, Any]]], block_id: str) -> str | None:
    option = (values.get(block_id, {}).get(block_id, {}) or {}).get("selected_option") or {}
    return option.get("value")


def typed(values: dict[str, dict[str, dict[str, Any]]], block_id: str) -> str | None:
    return (values.get(block_id, {}).get(block_id, {}) or {}).get("value")


def _text_input(
    block_id: str,
    label: str,
    initial: str | None,
    *,
    hint: str | None = None,
    max_length: int = NAME_MAX,
) -> InputBlock:
    # The element's action id is its block's id, so every input reads the same way.
    return InputBlock(
        block_id=block_id,
        label=label,
        hint=hint,
        element=PlainTextInputElement(
            action_id=block_id.split(":")[0], initial_value=initial, max_length=max_length
        ),
    )
