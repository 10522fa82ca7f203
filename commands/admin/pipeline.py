"""Pipeline settings: `/salesbot settings pipeline …` forms, the edit form and its buttons.

Only admins change stages (the domain says so); everyone may look. Every change is one
StageEditor call, so it happens in one transaction or not at all.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock

from commands.admin import views
from commands.admin.ids import PipelineId
from commands.admin.views import FormContext
from commands.errors import guarded
from commands.format import escape, truncate
from commands.reply import answer, reply_privately
from domain.errors import DomainError, ValidationFailed
from domain.pipeline_stages import (
    StageEdit,
    StageHasDeals,
    StageLine,
    find_stage,
    percent,
    require_admin,
)
from domain.workspaces import User, Workspace

log = logging.getLogger(__name__)

USAGE = escape(
    "Pipeline forms: `settings pipeline rename <stage> <new name>`, "
    "`probability <stage> 35%`, `add <name> <probability> [after <stage>]`, "
    "`move <stage> up|down`, `remove <stage> [to <stage>]`."
)


class Usage(DomainError):
    """The words do not make a pipeline form."""


def register(app: App) -> None:
    app.action(PipelineId.EDIT)(guarded(open_editor))
    app.action(re.compile(rf"^{PipelineId.MOVE_DEALS_TO}(:\d+)?$"))(guarded(move_deals_to))
    app.action(PipelineId.UP)(guarded(move_up))
    app.action(PipelineId.DOWN)(guarded(move_down))
    app.action(PipelineId.REMOVE)(guarded(remove_pressed))
    app.action(PipelineId.ADD)(guarded(add_pressed))
    app.view(PipelineId.SAVE)(guarded(save_form))
    app.view(PipelineId.ADD_SAVE)(guarded(save_added))
    app.view(PipelineId.REMOVE_SAVE)(guarded(save_removed))


# --- /salesbot settings pipeline … ----------------------------------------------------------


def pipeline_command(
    ack: Ack, words: list[str], services: Any, workspace: Workspace, user: User | None
) -> None:
    """`settings pipeline` shows it; the forms after it change it (admins)."""
    team, editor = workspace.team_id, services.pipeline_stages
    verb = words[0].lower() if words else ""
    rest = words[1:]
    try:
        if not verb:
            lines = editor.overview(team)
            ack(text=views.pipeline_text(lines), blocks=views.pipeline_blocks(lines, user))
            return
        note = change(verb, rest, editor, team, user)
    except StageHasDeals as asked:
        ack(
            text=escape(asked.message),
            blocks=views.move_deals_question(asked.stage, asked.deals, asked.choices),
        )
        return
    except DomainError as exc:
        problem = problem_text(exc)
        ack(text=f"{escape(problem)} Nothing was changed.", blocks=problem_blocks(problem))
        return
    lines = editor.overview(team)
    ack(
        text=f"{note} {views.pipeline_text(lines)}", blocks=views.pipeline_blocks(lines, user, note)
    )


def change(verb: str, words: list[str], editor: Any, team: str, user: User | None) -> str:
    """Do what the form says; the note saying what was done."""
    require_admin(user)  # before reading the words: a rep learns that first
    stages = [line.stage for line in editor.overview(team)]
    if verb == "rename":
        stage, name = split_stage(stages, words, "rename <stage> <new name>")
        old = stage.name
        renamed = editor.rename(team, user, stage.id, name)
        return (
            f":white_check_mark: Renamed {escape(old)} to *{escape(renamed.name)}*; its deals stay."
        )
    if verb in ("probability", "prob"):
        if len(words) < 2:
            raise Usage("Say the stage and its probability, like `probability Proposal 35%`.")
        stage = find_stage(stages, " ".join(words[:-1]))
        saved = editor.set_probability(team, user, stage.id, words[-1])
        return f":white_check_mark: *{escape(saved.name)}* is now {percent(saved.probability)}."
    if verb == "add":
        name, probability, after = parse_add(words)
        added = editor.add(team, user, name, probability, after=after)
        return f":white_check_mark: Added *{escape(added.name)}* at {percent(added.probability)}."
    if verb == "move":
        if len(words) < 2 or words[-1].lower() not in ("up", "down"):
            raise Usage("Say the stage and `up` or `down`, like `move Proposal up`.")
        stage = find_stage(stages, " ".join(words[:-1]))
        editor.move(team, user, stage.id, -1 if words[-1].lower() == "up" else 1)
        return f":white_check_mark: Moved *{escape(stage.name)}* {words[-1].lower()}."
    if verb in ("remove", "delete"):
        stage, to = split_target(stages, words)
        return removed_note(editor.remove(team, user, stage.id, to=to.id if to else None))
    raise Usage(f"`{truncate(verb, 30)}` is not a pipeline change.")


def split_stage(stages: list[Any], words: list[str], form: str) -> tuple[Any, str]:
    """The stage named by the longest leading words, and the words after it."""
    for cut in range(len(words) - 1, 0, -1):
        try:
            return find_stage(stages, " ".join(words[:cut])), " ".join(words[cut:])
        except DomainError:
            continue
    if len(words) < 2:
        raise Usage(f"Say the stage and its new name: `{form}`.")
    return find_stage(stages, words[0]), " ".join(words[1:])  # raises: which stages exist


def split_target(stages: list[Any], words: list[str]) -> tuple[Any, Any | None]:
    """`<stage> [to <stage>]`, stage names of several words included."""
    if not words:
        raise Usage("Say which stage to remove, like `remove Proposal to Negotiation`.")
    for i, word in enumerate(words):
        if word.lower() == "to" and 0 < i < len(words) - 1:
            try:
                stage = find_stage(stages, " ".join(words[:i]))
            except DomainError:
                continue
            return stage, find_stage(stages, " ".join(words[i + 1 :]))
    return find_stage(stages, " ".join(words)), None


def parse_add(words: list[str]) -> tuple[str, str, str | None]:
    """`<name> <probability> [after <stage>|first]` → (name, probability, after)."""
    after: str | None = None
    lowered = [w.lower() for w in words]
    if "after" in lowered:
        i = len(lowered) - 1 - lowered[::-1].index("after")
        after, words = " ".join(words[i + 1 :]), words[:i]
        if not after:
            raise Usage(
                "Say which stage the new one follows, like `add Demo 30% after Qualification`."
            )
    elif lowered and lowered[-1] == "first":
        words = words[:-1]
        after = "0"
    if len(words) < 2:
        raise Usage(
            "Say the new stage's name and probability, like `add Demo 30% after Qualification`."
        )
    return " ".join(words[:-1]), words[-1], after


def removed_note(result: Any) -> str:
    note = f":white_check_mark: Removed *{escape(result.stage.name)}*."
    if result.moved and result.to is not None:
        plural = "deal" if result.moved == 1 else "deals"
        note += f" Its {result.moved:,} {plural} moved to *{escape(result.to.name)}*."
    return note


def problem_text(error: DomainError) -> str:
    if isinstance(error, ValidationFailed):
        return " ".join(m if m.endswith(".") else f"{m}." for m in error.errors.values())
    return error.message


def problem_blocks(problem: str) -> list[Block]:
    return [
        SectionBlock(
            text=MarkdownTextObject(
                text=f":warning: {truncate(escape(problem), 1000)} Nothing was changed."
            )
        ),
        SectionBlock(text=MarkdownTextObject(text=USAGE)),
    ]


# --- the "where do its deals go?" buttons -----------------------------------------------------


def move_deals_to(
    ack: Ack,
    action: dict[str, Any],
    respond: Respond,
    services: Any,
    workspace: Workspace,
    user: User | None,
) -> None:
    """Move to <stage> (value "<stage id>:<target id>"): move the deals, remove the stage."""
    ack()
    stage_id, _, target_id = str(action["value"]).partition(":")
    editor = services.pipeline_stages
    try:
        result = editor.remove(workspace.team_id, user, int(stage_id), to=int(target_id))
    except DomainError as exc:
        answer(respond, text=f":warning: {escape(problem_text(exc))} Nothing was changed.",
               replace_original=False)  # fmt: skip
        return
    note = removed_note(result)
    lines = editor.overview(workspace.team_id)
    answer(
        respond,
        text=f"{note} {views.pipeline_text(lines)}",
        blocks=views.pipeline_blocks(lines, user, note),
        replace_original=True,
    )


# --- the edit form ----------------------------------------------------------------------------


def open_editor(
    ack: Ack,
    body: dict[str, Any],
    respond: Respond,
    client: WebClient,
    services: Any,
    workspace: Workspace,
    user: User | None,
) -> None:
    """Edit pipeline: the form, for admins; others are told who may."""
    ack()
    try:
        require_admin(user)
    except DomainError as exc:
        answer(respond, text=f":no_entry: {exc.message}", replace_original=False)
        return
    lines = services.pipeline_stages.overview(workspace.team_id)
    client.views_open(
        trigger_id=body["trigger_id"], view=views.edit_modal(lines, FormContext.opened_from(body))
    )


def move_up(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
    user: User | None,
) -> None:
    """↑ Up in the form (value: stage id)."""
    ack()
    _move_in_form(-1, action, body, client, services, workspace, user)


def move_down(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
    user: User | None,
) -> None:
    """↓ Down in the form (value: stage id)."""
    ack()
    _move_in_form(1, action, body, client, services, workspace, user)


def remove_pressed(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
    user: User | None,
) -> None:
    """Remove in the form: at once when the stage is empty, else ask where its deals go."""
    ack()
    view = body["view"]
    try:
        result = services.pipeline_stages.remove(workspace.team_id, user, int(action["value"]))
    except StageHasDeals as asked:
        context = replace(_context(view), parent_view_id=view["id"], stage_id=asked.stage.id)
        client.views_push(
            trigger_id=body["trigger_id"],
            view=views.remove_modal(asked.stage, asked.deals, asked.choices, context),
        )
        return
    except DomainError as exc:
        note = f":warning: {escape(problem_text(exc))}"
        redraw(client, services, workspace, view["id"], _context(view), note)
        return
    redraw(client, services, workspace, view["id"], _context(view), removed_note(result))


def add_pressed(
    ack: Ack, body: dict[str, Any], client: WebClient, services: Any, workspace: Workspace
) -> None:
    """Add stage in the form: the add form, pushed over it."""
    ack()
    lines = services.pipeline_stages.overview(workspace.team_id)
    context = replace(_context(body["view"]), parent_view_id=body["view"]["id"])
    client.views_push(trigger_id=body["trigger_id"], view=views.add_modal(lines, context))


def save_form(
    ack: Ack,
    view: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
    user: User | None,
) -> None:
    """Save: every name and probability at once; errors beside the fields."""
    found = views.read_edit_modal(view["state"]["values"])
    edits = [
        StageEdit(stage_id, fields.get("name"), fields.get("probability"))
        for stage_id, fields in found.items()
    ]
    team = workspace.team_id
    try:
        services.pipeline_stages.save(team, user, edits)
    except ValidationFailed as exc:
        ack(response_action="errors", errors=form_errors(exc, view))
        return
    except DomainError as exc:
        ack(response_action="errors", errors={first_input(view): truncate(exc.message, 150)})
        return
    ack()
    context = _context(view)
    lines = services.pipeline_stages.overview(team)
    note = ":white_check_mark: Pipeline saved."
    reply_privately(
        client,
        user_id=body["user"]["id"],
        text=f"{note} {views.pipeline_text(lines)}",
        blocks=views.pipeline_blocks(lines, user, note),
        response_url=context.response_url,
        channel_id=context.channel_id,
    )


def save_added(
    ack: Ack,
    view: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
    user: User | None,
) -> None:
    """Add form submitted: add the stage, back to the edit form showing it."""
    values = view["state"]["values"]
    after = views.selected(values, PipelineId.NEW_AFTER)
    try:
        added = services.pipeline_stages.add(
            workspace.team_id,
            user,
            views.typed(values, PipelineId.NEW_NAME) or "",
            views.typed(values, PipelineId.NEW_PROBABILITY) or "",
            after=int(after) if after and after.isdigit() else None,
        )
    except ValidationFailed as exc:
        blocks = {
            "name": PipelineId.NEW_NAME,
            "probability": PipelineId.NEW_PROBABILITY,
            "after": PipelineId.NEW_AFTER,
        }
        errors = {
            str(blocks.get(k, PipelineId.NEW_NAME)): truncate(m, 150) for k, m in exc.errors.items()
        }
        ack(response_action="errors", errors=errors)
        return
    except DomainError as exc:
        ack(
            response_action="errors", errors={PipelineId.NEW_NAME.value: truncate(exc.message, 150)}
        )
        return
    ack()
    note = f":white_check_mark: Added *{escape(added.name)}* at {percent(added.probability)}."
    context = _context(view)
    redraw(client, services, workspace, context.parent_view_id, context, note)


def save_removed(
    ack: Ack,
    view: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
    user: User | None,
) -> None:
    """Where-do-its-deals-go submitted: move them, remove the stage, back to the edit form."""
    context = _context(view)
    target = views.selected(view["state"]["values"], PipelineId.TARGET)
    if context.stage_id is None or not target:
        ack(response_action="errors", errors={PipelineId.TARGET.value: "Pick a stage."})
        return
    try:
        result = services.pipeline_stages.remove(
            workspace.team_id, user, int(context.stage_id), to=int(target)
        )
    except DomainError as exc:
        ack(response_action="errors", errors={PipelineId.TARGET.value: truncate(exc.message, 150)})
        return
    ack()
    redraw(client, services, workspace, context.parent_view_id, context, removed_note(result))


# --- shared ---------------------------------------------------------------------------------


def _move_in_form(
    steps: int,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
    user: User | None,
) -> None:
    """Move a stage pressed in the edit form, then redraw the form with what happened."""
    try:
        stage = services.pipeline_stages.move(workspace.team_id, user, int(action["value"]), steps)
        note = f":white_check_mark: Moved *{escape(stage.name)}* {'up' if steps < 0 else 'down'}."
    except DomainError as exc:
        note = f":warning: {escape(problem_text(exc))}"
    view = body["view"]
    redraw(client, services, workspace, view["id"], _context(view), note)


def redraw(
    client: WebClient,
    services: Any,
    workspace: Workspace,
    view_id: str | None,
    context: FormContext,
    note: str,
) -> None:
    """Draw the edit form again with the stages as they are now (typed values are kept)."""
    if not view_id:
        return
    lines: list[StageLine] = services.pipeline_stages.overview(workspace.team_id)
    edit_context = FormContext(context.response_url, context.channel_id)
    try:
        client.views_update(view_id=view_id, view=views.edit_modal(lines, edit_context, note))
    except SlackApiError as exc:  # closed meanwhile: the change stands all the same
        log.info("could not redraw the pipeline form: %s", exc.response.get("error"))


def _context(view: dict[str, Any]) -> FormContext:
    return FormContext.load(view.get("private_metadata", ""))


def form_errors(error: ValidationFailed, view: dict[str, Any]) -> dict[str, str]:
    """The domain's "name:<id>" / "probability:<id>" keys → the form's block ids."""
    errors = {}
    for key, message in error.errors.items():
        field, _, stage_id = key.partition(":")
        block = PipelineId.NAME if field == "name" else PipelineId.PROBABILITY
        errors[f"{block}:{stage_id}"] = truncate(message, 150)
    return errors or {first_input(view): "Check the form."}


def first_input(view: dict[str, Any]) -> str:
    for block in view.get("blocks", []):
        if block.get("type") == "input":
            return str(block["block_id"])
    return PipelineId.NAME.value
