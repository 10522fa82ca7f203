"""Views of saved and scheduled reports: the lists, their buttons, and the message a
schedule posts (the dashboard's or report's own posting, with a line saying which
schedule sent it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from commands.fit import fit
from commands.format import escape, truncate
from commands.posting import Posting
from commands.sales.dashboard import dashboard_posting
from commands.sales.filters import FilterError, read_filters
from commands.sales.report import report_posting
from commands.sales.report_grammar import ReportGrammarError, read_report
from domain.errors import DomainError, ValidationFailed
from domain.reports import ReportService
from domain.schedules import ReportKind, SavedReport, Schedule
from domain.workspaces import Workspace

SHOWN_SCHEDULES = 20  # two blocks each, well under 50 per message
SHOWN_SAVED = 30
SECTION_MAX = 2900
MESSAGE_BLOCKS_MAX = 50


class ScheduleAction(StrEnum):
    """Buttons on the schedules list (value: the schedule's number)."""

    PAUSE = "sales_schedule_pause"
    RESUME = "sales_schedule_resume"
    DELETE = "sales_schedule_delete"


def quoted(name: str) -> str:
    return f"“{escape(name)}”"


def when_next(instant: datetime, tz: ZoneInfo) -> str:
    """'Mon 9 Mar, 09:00' in the workspace's timezone."""
    return f"{instant.astimezone(tz):%a %-d %b, %H:%M}"


def schedule_line(
    schedule: Schedule, tz: ZoneInfo, *, with_name: bool = True, with_state: bool = True
) -> str:
    """'*S-3* “Weekly revenue” → #sales, every Monday at 09:00 · next Mon 9 Mar, 09:00'."""
    name = f" {quoted(schedule.report_name)}" if with_name else ""
    head = f"*{schedule.public_id}*{name} → <#{schedule.channel_id}>, {schedule.when.words()}"
    if not with_state:
        return head
    if schedule.paused:
        line = f"{head} · :double_vertical_bar: paused"
    else:
        line = f"{head} · next {when_next(schedule.upcoming(tz), tz)}"
    if schedule.failed_run_at is not None:
        line += "\n" + failure_line(schedule, schedule.failed_run_at, schedule.failure or "", tz)
    return line


# Why Slack refused a post for good, as the schedule's creator can act on it.
_FAILURES = {
    "not_in_channel": "Salesbot is not in <#{channel}>: `/invite @Salesbot` there",
    "channel_not_found": "Salesbot cannot see <#{channel}> (a private channel it was never "
    "invited to, or deleted): invite it, or delete this schedule",
    "is_archived": "<#{channel}> is archived: delete this schedule or schedule it elsewhere",
}


def failure_line(schedule: Schedule, run_at: datetime, error: str, tz: ZoneInfo) -> str:
    """':warning: The post due Tue 3 Mar, 08:30 failed: Salesbot is not in #reports: …'."""
    code = error.strip().split()[0].strip(":,.") if error.strip() else ""
    why = _FAILURES.get(code)
    reason = (
        why.format(channel=schedule.channel_id)
        if why is not None
        else f"Slack said `{escape(truncate(error or 'unknown error', 100))}`"
    )
    return f":warning: The post due {when_next(run_at, tz)} failed: {reason}."


# -- /sales schedules -------------------------------------------------------------------------


def schedules_message(
    schedules: Sequence[Schedule], total: int, tz: ZoneInfo, *, note: str | None = None
) -> tuple[str, list[Block]]:
    """Each schedule with Pause or Resume and Delete; `note` says what just changed."""
    blocks: list[Block] = []
    if note:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=note)))
    if not schedules:
        text = (
            "No scheduled reports yet. Save one with `/sales save <name> <dashboard or report>`, "
            "then `/sales schedule <name> #channel weekly mon 09:00`."
        )
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text)))
        return text, blocks
    blocks.append(HeaderBlock(text="Scheduled reports"))
    for schedule in schedules[:SHOWN_SCHEDULES]:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=truncate(schedule_line(schedule, tz), SECTION_MAX))
            )
        )
        blocks.append(
            ActionsBlock(block_id=f"sales_schedule:{schedule.number}", elements=_buttons(schedule))
        )
    footer = f"Times are workspace time ({tz.key})."
    if total > SHOWN_SCHEDULES:
        footer += (
            f" {SHOWN_SCHEDULES} of {total} shown; for the others type "
            "`/sales schedule pause|resume|delete S-<n>`."
        )
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=footer)]))
    text = f"{total} scheduled report{'s' if total != 1 else ''}"
    return text, fit(blocks)


def _buttons(schedule: Schedule) -> list[ButtonElement]:
    value = str(schedule.number)
    toggle = (
        ButtonElement(text="Resume", action_id=ScheduleAction.RESUME, value=value, style="primary")
        if schedule.paused
        else ButtonElement(text="Pause", action_id=ScheduleAction.PAUSE, value=value)
    )
    delete = ButtonElement(
        text="Delete",
        action_id=ScheduleAction.DELETE,
        value=value,
        style="danger",
        confirm=ConfirmObject(
            title="Delete schedule?",
            text=truncate(
                f"{schedule.public_id} stops posting {escape(schedule.report_name)} into "
                f"<#{schedule.channel_id}>. The saved report stays.",
                300,
            ),
            confirm="Delete",
            deny="Keep it",
        ),
    )
    return [toggle, delete]


# -- /sales saved -----------------------------------------------------------------------------


def saved_message(
    reports: Sequence[SavedReport],
    total: int,
    schedules: dict[int, list[Schedule]],
    tz: ZoneInfo,
) -> tuple[str, list[Block]]:
    if not reports:
        text = (
            "No saved reports yet. Save a dashboard or report by name, like "
            "`/sales save weekly-revenue week` or "
            '`/sales save "Top customers" report revenue by customer quarter top:10`.'
        )
        return text, [SectionBlock(text=MarkdownTextObject(text=text))]
    blocks: list[Block] = [HeaderBlock(text="Saved reports")]
    for saved in reports[:SHOWN_SAVED]:
        lines = [f"*{escape(saved.name)}* — `{escape(saved.command)}` · by <@{saved.created_by}>"]
        for schedule in schedules.get(saved.id, []):
            lines.append("    " + schedule_line(schedule, tz, with_name=False))
        if len(lines) == 1:
            lines.append("    _not scheduled_")
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=truncate("\n".join(lines), SECTION_MAX)))
        )
    footer = (
        "Schedule one: `/sales schedule <name> #channel daily 08:30 | weekly mon 09:00 | "
        "monthly 1 09:00`. Delete: `/sales unsave <name>`."
    )
    if total > SHOWN_SAVED:
        footer = f"{SHOWN_SAVED} of {total} shown. " + footer
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=footer)]))
    text = f"{total} saved report{'s' if total != 1 else ''}"
    return text, fit(blocks)


# -- confirmations ----------------------------------------------------------------------------


def note_blocks(text: str) -> list[Block]:
    return [SectionBlock(text=MarkdownTextObject(text=truncate(text, SECTION_MAX)))]


# -- what a schedule posts --------------------------------------------------------------------


def schedule_context(
    saved: SavedReport, schedule: Schedule, tz: ZoneInfo, *, run_at: datetime, late: bool
) -> ContextBlock:
    """'Scheduled report “Weekly revenue” · S-3 · every Monday at 09:00 · next …'."""
    parts = [
        f"Scheduled report {quoted(saved.name)}",
        schedule.public_id,
        schedule.when.words(),
        f"next {when_next(schedule.upcoming(tz), tz)}",
    ]
    if late:
        parts.append(f"late: it was due {when_next(run_at, tz)}")
    text = " · ".join(parts) + f" · `/sales schedule pause {schedule.public_id}` to stop it"
    return ContextBlock(elements=[MarkdownTextObject(text=truncate(text, SECTION_MAX))])


def with_schedule_line(
    posting: Posting,
    saved: SavedReport,
    schedule: Schedule,
    tz: ZoneInfo,
    *,
    run_at: datetime,
    late: bool,
) -> Posting:
    context = schedule_context(saved, schedule, tz, run_at=run_at, late=late)
    blocks = [*list(posting.blocks)[: MESSAGE_BLOCKS_MAX - 1], context]
    return Posting(
        # The fallback text is mrkdwn too (notifications): the name is escaped there as well.
        text=f"{posting.text} (scheduled report {quoted(saved.name)})",
        blocks=blocks,
        uploads=posting.uploads,
    )


def failed_posting(
    saved: SavedReport,
    schedule: Schedule,
    tz: ZoneInfo,
    problem: str,
    *,
    run_at: datetime,
    late: bool,
) -> Posting:
    """What the channel sees when a saved report cannot run any more (a category gone)."""
    text = (
        f":warning: The scheduled report {quoted(saved.name)} could not run: "
        f"{escape(problem)} Save it again with what you want (`/sales save "
        f'"{escape(saved.name)}" …`), or `/sales schedule delete {schedule.public_id}`.'
    )
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=truncate(text, SECTION_MAX))),
        schedule_context(saved, schedule, tz, run_at=run_at, late=late),
    ]
    return Posting(text=f"The scheduled report {quoted(saved.name)} could not run.", blocks=blocks)


def scheduled_message(
    reports: ReportService,
    workspace: Workspace,
    saved: SavedReport,
    schedule: Schedule,
    *,
    run_at: datetime,
    now: datetime,
    late: bool,
) -> Posting:
    """The saved dashboard or report for the period its words mean on the run's local day
    ("month" posted on 1 April is April to date), with the schedule's line under it."""
    tz = workspace.tz
    today = run_at.astimezone(tz).date()
    words = saved.args.split()
    try:
        if saved.kind is ReportKind.REPORT:
            request = read_report(words, today)
            posting = report_posting(reports, workspace, request, now=now)
        else:
            filters = read_filters(words, today)
            posting = dashboard_posting(reports, workspace, filters, now=now, share_button=False)
    except (FilterError, ReportGrammarError) as exc:
        return failed_posting(saved, schedule, tz, str(exc), run_at=run_at, late=late)
    except DomainError as exc:  # a category that is gone
        problem = (
            " ".join(exc.errors.values()) if isinstance(exc, ValidationFailed) else exc.message
        )
        return failed_posting(saved, schedule, tz, problem, run_at=run_at, late=late)
    return with_schedule_line(posting, saved, schedule, tz, run_at=run_at, late=late)
