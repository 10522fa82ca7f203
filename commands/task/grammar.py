"""What people type after /task, parsed into one of a few intents.

Slash commands arrive with `should_escape` on: `&`, `<` and `>` a person typed come as
entities, and Slack's own markup (mentions, channels, links) comes as `<…>`. `read_text`
turns that into plain text once, keeping each user mention as `<@U…>` so it can be found
whether it was picked from Slack's @ menu or typed out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from commands.format import unescape
from commands.usage import CommandSpec
from domain.ids import Kind, format_id, parse_id
from domain.tasks import TITLE_MAX, TaskScope
from domain.when import When, WhenError, find_when, parse_when

SPEC = CommandSpec(
    name="/task",
    summary="follow-up tasks: add, list, complete",
    usage_hint=(
        "add <text> [@user] [due:<when>] [C-12|D-42] | mine | @user | overdue | today | done T-7"
    ),
    forms=(
        (
            "add <text> [@user] [due:<when>] [C-12|D-42]",
            "add a task (due: tomorrow 9am, fri, in 3 days…)",
        ),
        ("add", "open the new-task form"),
        ("[mine]", "your open tasks"),
        ("@user", "someone's open tasks"),
        ("overdue", "your overdue tasks"),
        ("today", "your tasks due today or overdue"),
        ("done T-7", "mark T-7 done"),
        ("help", "show this help"),
    ),
)

# Everything after /task; a task's title is at most TITLE_MAX, so anything much longer is
# refused before the date parser sees it.
TEXT_MAX = TITLE_MAX + 500

SNOOZE_LABELS = {"1h": "Snooze 1 h", "tomorrow": "Tomorrow 9:00", "nextweek": "Next week"}
_SNOOZE_WHEN = {"1h": "in 1 hour", "tomorrow": "tomorrow 9:00", "nextweek": "next week"}
MENU_CHOICES = ("done", *SNOOZE_LABELS, "reassign")

_MARKUP = re.compile(r"<([^<>]*)>")
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)>|(?<![\w@<])@([UW](?=[A-Z0-9]*\d)[A-Z0-9]{2,})\b")
_BARE_AT = re.compile(r"(?<![\w@<])@([A-Za-z0-9][\w.\-]*)")
_BROADCAST = frozenset({"here", "channel", "everyone"})
_LINKED_ID = re.compile(r"(?<!\S)([CcDd])-(\d{1,9})(?!\S)")
_HELP = frozenset({"help", "?", "-h", "--help"})
_SCOPES = {
    "mine": TaskScope.OPEN,
    "me": TaskScope.OPEN,
    "open": TaskScope.OPEN,
    "overdue": TaskScope.OVERDUE,
    "late": TaskScope.OVERDUE,
    "today": TaskScope.TODAY,
}


class UsageError(ValueError):
    """What was typed does not fit the command's grammar; the text says why."""


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class NewForm:
    """`/task add` with nothing after it: open the form."""


@dataclass(frozen=True)
class Add:
    title: str
    assignee_id: str | None  # None: the person typing
    due: When | None
    customer_number: int | None
    deal_number: int | None


@dataclass(frozen=True)
class ListTasks:
    scope: TaskScope
    assignee_id: str | None  # None: the person typing


@dataclass(frozen=True)
class Done:
    number: int


Intent = Help | NewForm | Add | ListTasks | Done


def parse(text: str, *, now: datetime, tz: ZoneInfo) -> Intent:
    """Turn the command text into an intent; raises UsageError with the reason."""
    plain = " ".join(read_text(text).split())
    word, _, rest = plain.partition(" ")
    if len(plain) > TEXT_MAX:
        size = len(rest) if word.lower() == "add" else len(plain)
        raise UsageError(f"That is {size:,} characters; keep a task under {TITLE_MAX}.")
    if plain.lower() in _HELP:
        return Help()
    if word.lower() == "add":
        return _add(rest, now=now, tz=tz) if rest else NewForm()
    if word.lower() == "done":
        number = parse_id(rest, Kind.TASK) if rest else None
        if number is None:
            raise UsageError("Say which task is done by its id, like `/task done T-7`.")
        return Done(number)
    return _list(plain)


def read_text(text: str) -> str:
    """Slack's escaped command text as the person saw it; mentions kept as `<@U…>`."""
    out: list[str] = []
    last = 0
    for markup in _MARKUP.finditer(text):
        out.append(unescape(text[last : markup.start()]))
        out.append(_markup(markup.group(1)))
        last = markup.end()
    out.append(unescape(text[last:]))
    return "".join(out)


def _markup(inner: str) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):  # <@U123> or <@U123|bob>
        return f"<{target}>"
    if target.startswith("#"):  # <#C123|general>
        return f"#{label}" if label else target
    if target.startswith("!"):  # <!here>, <!subteam^S1|@sales>, <!date^…|fallback>
        word = target[1:].split("^")[0]
        return (label or f"@{word}") if word != "date" else label
    return unescape(label or target)  # a link: what the person typed


def _add(text: str, *, now: datetime, tz: ZoneInfo) -> Add:
    assignee, text = _take_assignee(text)
    customer, text = _take_linked(text, Kind.CUSTOMER)
    deal, text = _take_linked(text, Kind.DEAL)
    try:
        due, text = find_when(text, now=now, tz=tz)
    except WhenError as exc:
        raise UsageError(exc.message) from exc
    title = " ".join(text.split())
    if not title:
        raise UsageError("Say what needs doing, like `/task add Call back Acme due:fri C-12`.")
    if len(title) > TITLE_MAX:
        raise UsageError(f"That is {len(title):,} characters; keep a task under {TITLE_MAX}.")
    return Add(
        title=title, assignee_id=assignee, due=due, customer_number=customer, deal_number=deal
    )


def _list(text: str) -> ListTasks:
    assignee, rest = _take_assignee(text)
    scopes = []
    for word in rest.split():
        scope = _SCOPES.get(word.lower())
        if scope is None:
            shown = word if len(word) <= 40 else word[:39] + "…"
            raise UsageError(f'"{shown}" isn\'t something /task understands.')
        scopes.append((word.lower(), scope))
    if len({scope for _, scope in scopes}) > 1:
        raise UsageError("Ask for one list at a time: mine, overdue or today.")
    if assignee and any(word in ("mine", "me") for word, _ in scopes):
        raise UsageError("Say either mine or @someone, not both.")
    return ListTasks(scope=scopes[0][1] if scopes else TaskScope.OPEN, assignee_id=assignee)


def _take_assignee(text: str) -> tuple[str | None, str]:
    """The one person mentioned, and the text without the mention."""
    found = {m.group(1) or m.group(2) for m in _MENTION.finditer(text)}
    rest = _MENTION.sub(" ", text)
    if len(found) > 1:
        raise UsageError(f"Mention one person to assign it to (found {len(found)}).")
    for bare in _BARE_AT.finditer(rest):
        name = bare.group(1)
        if name.lower() not in _BROADCAST:
            raise UsageError(
                f"I can't tell who @{name} is: pick one person from Slack's @ list, "
                "so the name turns into a mention."
            )
    return (found.pop() if found else None), rest


def _take_linked(text: str, kind: Kind) -> tuple[int | None, str]:
    """One C-12 (or D-42) named in the text, and the text without it."""
    numbers = {
        int(m.group(2)) for m in _LINKED_ID.finditer(text) if m.group(1).upper() == kind.value
    }
    if len(numbers) > 1:
        shown = ", ".join(format_id(kind, n) for n in sorted(numbers))
        raise UsageError(f"Link one {_KIND_NAMES[kind]} per task (found {shown}).")
    if not numbers:
        return None, text
    rest = _LINKED_ID.sub(lambda m: " " if m.group(1).upper() == kind.value else m.group(0), text)
    return numbers.pop(), rest


_KIND_NAMES = {Kind.CUSTOMER: "customer", Kind.DEAL: "deal", Kind.TASK: "task"}


def read_choice(value: str) -> tuple[int, str]:
    """A task button's or menu option's value, "<task id>:<choice>" -> (task id, choice)."""
    task_id, _, choice = value.partition(":")
    if not task_id.isdigit() or choice not in MENU_CHOICES:
        raise ValueError(f"not a task action value: {value!r}")
    return int(task_id), choice


def snooze_until(choice: str, *, now: datetime, tz: ZoneInfo) -> datetime:
    """When a snooze choice (1h, tomorrow, nextweek) ends, in the workspace's timezone."""
    return parse_when(_SNOOZE_WHEN[choice], now=now, tz=tz).at
