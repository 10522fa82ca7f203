"""/sales save | saved | unsave | schedule | schedules: saved and scheduled reports.

    /sales save <name> <dashboard arguments>          e.g. save weekly week category:Furniture
    /sales save "<name with spaces>" report <report arguments>
    /sales saved                                      saved reports and their schedules
    /sales unsave <name>
    /sales schedule <name> #channel daily 08:30 | weekly mon 09:00 | monthly 1 09:00
    /sales schedule pause|resume|delete S-3
    /sales schedules                                  with Pause/Resume and Delete buttons

Everything here is a few rows read or written, so each answer goes in the ack itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import Block

from commands.channels import NotAChannel, channel_id
from commands.errors import guarded
from commands.format import escape, truncate
from commands.reply import answer
from commands.sales import grammar
from commands.sales.filters import FilterError, read_filters
from commands.sales.report_grammar import ReportGrammarError, read_report
from commands.sales.schedule_views import (
    SHOWN_SAVED,
    SHOWN_SCHEDULES,
    ScheduleAction,
    note_blocks,
    quoted,
    saved_message,
    schedule_line,
    schedules_message,
)
from commands.usage import usage_blocks, usage_fallback
from domain.errors import DomainError
from domain.schedules import (
    CADENCE_FORMS,
    ReportKind,
    SavedReport,
    parse_cadence,
    parse_schedule_id,
)
from domain.text import fold
from domain.workspaces import Workspace

OPEN_QUOTES = ('"', "“", "”", "«")
CLOSE_QUOTES = ('"', "”", "“", "»")
SCHEDULE_VERBS = ("pause", "resume", "delete")
SAVE_FORM = (
    '`/sales save <name> [period] [category:X] [by:day|week|month]` or `/sales save "<name>" '
    "report <metric> by <dimension> [period] …`"
)
SCHEDULE_FORM = (
    "`/sales schedule <name> #channel daily 08:30` (or `weekly mon 09:00`, `monthly 1 09:00`)"
)


class Problem(ValueError):
    """What was typed cannot be done; the text says why and the right form."""


def handle(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    services: Any,
    workspace: Workspace,
    words: Sequence[str],
) -> None:
    verb, rest = words[0].lower(), list(words[1:])
    user_id = str(command["user_id"])
    if [w.lower() for w in rest] in (["help"], ["?"], ["-h"], ["--help"]):
        ack(text=usage_fallback(grammar.SPEC), blocks=usage_blocks(grammar.SPEC))
        return
    try:
        if verb == "save":
            text, blocks = _save(services, workspace, user_id, rest)
        elif verb == "saved":
            text, blocks = _saved(services, workspace, rest)
        elif verb == "unsave":
            text, blocks = _unsave(services, workspace, user_id, rest)
        elif verb == "schedules":
            text, blocks = _schedules(services, workspace, rest)
        elif rest and rest[0].lower() in SCHEDULE_VERBS:
            text, blocks = _change(services, workspace, user_id, rest[0].lower(), rest[1:])
        else:
            text, blocks = _schedule(services, workspace, user_id, rest)
    except (Problem, DomainError) as exc:
        problem = exc.message if isinstance(exc, DomainError) else str(exc)
        ack(text=usage_fallback(grammar.SPEC, problem), blocks=usage_blocks(grammar.SPEC, problem))
        return
    ack(text=text, blocks=blocks)


# -- saving ------------------------------------------------------------------------------------


def _save(
    services: Any, workspace: Workspace, user_id: str, words: list[str]
) -> tuple[str, list[Block]]:
    name, args = take_name(words, what="save")
    today = services.clock.now().astimezone(workspace.tz).date()
    try:
        if args and args[0].lower() == "report":
            request = read_report(args[1:], today)
            request = replace(request, category=_category(services, workspace, request.category))
            kind, normal = ReportKind.REPORT, request.text()
        else:
            filters = read_filters(args, today)
            filters = replace(filters, category=_category(services, workspace, filters.category))
            kind, normal = ReportKind.DASHBOARD, filters.text()
    except (FilterError, ReportGrammarError) as exc:
        raise Problem(f"{exc} To save: {SAVE_FORM}.") from None
    outcome = services.schedules.save(
        workspace.team_id, name=name, kind=kind, args=normal, actor=user_id
    )
    saved: SavedReport = outcome.saved
    if outcome.replaced is None:
        text = (
            f":white_check_mark: Saved {quoted(saved.name)}: `{escape(saved.command)}`.\n"
            f"Post it into a channel: `/sales schedule {escape(_typed(saved.name))} #channel "
            "weekly mon 09:00`."
        )
    else:
        count = outcome.schedules
        text = (
            f":white_check_mark: Replaced {quoted(saved.name)}: it was "
            f"`{escape(outcome.replaced.command)}`, now `{escape(saved.command)}`."
        )
        if count:
            text += f" Its {count} schedule{'s' if count != 1 else ''} will post the new version."
    return f"Saved {quoted(saved.name)}.", note_blocks(text)


def _category(services: Any, workspace: Workspace, category: str | None) -> str | None:
    """The category as stored: one that does not exist would fail at every run."""
    if category is None:
        return None
    known: list[str] = services.reports.categories(workspace.team_id)
    for name in known:
        if fold(name) == fold(category):
            return name
    listed = ", ".join(known) if known else "none yet (products have no category)"
    raise Problem(f"There is no category “{truncate(category.strip(), 40)}”. Categories: {listed}.")


def _saved(services: Any, workspace: Workspace, words: list[str]) -> tuple[str, list[Block]]:
    if words:
        raise Problem("`/sales saved` takes nothing after it: it lists every saved report.")
    reports, total, schedules = services.schedules.saved_reports(
        workspace.team_id, limit=SHOWN_SAVED
    )
    return saved_message(reports, total, schedules, workspace.tz)


def _unsave(
    services: Any, workspace: Workspace, user_id: str, words: list[str]
) -> tuple[str, list[Block]]:
    name, left = take_name(words, what="unsave")
    if left:
        name = " ".join([name, *left])  # an unquoted name with spaces
    saved, schedules = services.schedules.unsave(workspace.team_id, name, actor=user_id)
    text = f":wastebasket: Deleted the saved report {quoted(saved.name)}"
    if schedules:
        text += f" and its {schedules} schedule{'s' if schedules != 1 else ''}"
    return f"Deleted {quoted(saved.name)}.", note_blocks(text + ".")


# -- schedules ---------------------------------------------------------------------------------


def _schedule(
    services: Any, workspace: Workspace, user_id: str, words: list[str]
) -> tuple[str, list[Block]]:
    if not words:
        raise Problem(f"Say which saved report, where and when: {SCHEDULE_FORM}.")
    name, rest = take_name(words, what="schedule")
    if not rest:
        raise Problem(f"Say where and when to post {quoted(name)}: {SCHEDULE_FORM}.")
    try:
        channel = channel_id(rest[0], example=SCHEDULE_FORM)
    except NotAChannel as exc:
        raise Problem(str(exc)) from None
    if len(rest) == 1:
        raise Problem(f"Say when: {CADENCE_FORMS}.")
    cadence = parse_cadence(rest[1:])
    tz = workspace.tz
    schedule = services.schedules.add_schedule(
        workspace.team_id, name, channel_id=channel, cadence=cadence, tz=tz, actor=user_id
    )
    text = (
        f":calendar: {schedule_line(schedule, tz)} (workspace time, {tz.key}).\n"
        f"Salesbot must be in <#{schedule.channel_id}> to post there: `/invite @Salesbot`. "
        f"Stop it with `/sales schedule pause {schedule.public_id}`."
    )
    return f"Scheduled {quoted(schedule.report_name)} as {schedule.public_id}.", note_blocks(text)


def _schedules(services: Any, workspace: Workspace, words: list[str]) -> tuple[str, list[Block]]:
    if words:
        raise Problem(
            "`/sales schedules` takes nothing after it. To change one: "
            "`/sales schedule pause|resume|delete S-3`."
        )
    schedules, total = services.schedules.schedules(workspace.team_id, limit=SHOWN_SCHEDULES)
    return schedules_message(schedules, total, workspace.tz)


def _change(
    services: Any, workspace: Workspace, user_id: str, verb: str, words: list[str]
) -> tuple[str, list[Block]]:
    number = parse_schedule_id(words[0]) if len(words) == 1 else None
    if number is None:
        shown = truncate(" ".join(words), 40) or "nothing"
        raise Problem(
            f"Say which schedule by its id (got “{shown}”), like `/sales schedule {verb} S-3`: "
            "`/sales schedules` lists them."
        )
    note = change(services, workspace, user_id, verb, number)
    return note, note_blocks(note)


def change(services: Any, workspace: Workspace, user_id: str, verb: str, number: int) -> str:
    """Pause, resume or delete a schedule; what happened, as a line of mrkdwn."""
    team, tz = workspace.team_id, workspace.tz
    if verb == "delete":
        gone = services.schedules.delete_schedule(team, number, actor=user_id)
        return (
            f":wastebasket: Deleted {gone.public_id}: {quoted(gone.report_name)} no longer posts "
            f"into <#{gone.channel_id}>. The saved report stays."
        )
    if verb == "pause":
        result = services.schedules.pause(team, number, actor=user_id)
        state = "Paused" if result.changed else "Already paused"
        line = schedule_line(result.schedule, tz, with_state=False)
        return f":double_vertical_bar: {state}: {line}. Nothing posts until it is resumed."
    result = services.schedules.resume(team, number, actor=user_id, tz=tz)
    state = "Resumed" if result.changed else "Already running"
    return f":arrow_forward: {state}: {schedule_line(result.schedule, tz)}."


# -- buttons on the list -----------------------------------------------------------------------


def press(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    respond: Respond,
    services: Any,
    workspace: Workspace,
) -> None:
    """Pause, Resume or Delete on /sales schedules: the list again, with what changed on top."""
    ack()
    verb = str(action["action_id"]).removeprefix("sales_schedule_")
    value = str(action.get("value") or "")
    user_id = str(body["user"]["id"])
    try:
        note = change(services, workspace, user_id, verb, int(value))
    except (DomainError, ValueError) as exc:
        problem = exc.message if isinstance(exc, DomainError) else "That button is out of date."
        answer(
            respond,
            response_type="ephemeral",
            replace_original=False,
            text=f":warning: {escape(problem)}",
        )
        return
    schedules, total = services.schedules.schedules(workspace.team_id, limit=SHOWN_SCHEDULES)
    text, blocks = schedules_message(schedules, total, workspace.tz, note=note)
    answer(
        respond,
        response_type="ephemeral",
        replace_original=True,
        text=text,
        blocks=[b.to_dict() for b in blocks],
    )


def register(app: App) -> None:
    """Buttons and forms of this part of /sales."""
    for action in ScheduleAction:
        app.action(action.value)(guarded(press))


# -- reading names -----------------------------------------------------------------------------


def take_name(words: Sequence[str], *, what: str) -> tuple[str, list[str]]:
    """A name at the start: one word, or several in quotes; and the words after it."""
    if not words:
        raise Problem(f"Say which saved report to {what}, by its name.")
    first = words[0]
    if first[:1] not in OPEN_QUOTES:
        return first, list(words[1:])
    parts: list[str] = []
    for i, word in enumerate(words):
        piece = word[1:] if i == 0 else word
        if len(piece) > 0 and piece[-1:] in CLOSE_QUOTES:
            parts.append(piece[:-1])
            name = " ".join(p for p in parts if p)
            if not name:
                break
            return name, list(words[i + 1 :])
        parts.append(piece)
    raise Problem(
        f"The name starting {truncate(first, 30)} has no closing quote: "
        'put it in straight quotes, like `"Weekly revenue"`.'
    )


def _typed(name: str) -> str:
    """The name as it would be typed again."""
    return f'"{name}"' if " " in name else name
