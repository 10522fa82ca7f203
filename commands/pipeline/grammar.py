"""What people type after /pipeline: whose deals, which stage, or the forecast.

`mine` or one @mention picks the owner; whatever words are left name a stage (checked
against the workspace's pipeline by the domain). `forecast [month|quarter]` asks for the
forecast instead. A mention Slack did not turn into a user link (`@bob` typed without
picking from the menu) is refused here, with how to do it.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from commands.format import truncate, unescape
from commands.usage import CommandSpec

SPEC = CommandSpec(
    name="/pipeline",
    summary="open deals by stage, stale deals, and the forecast",
    usage_hint="[mine|@user] [stage] | forecast [month|quarter] | help",
    forms=(
        ("", "open deals by stage: totals, weighted amounts, the biggest and the stale ones"),
        ("mine", "only your deals"),
        ("@user", "only their deals"),
        ("<stage>", "one stage, like /pipeline proposal (with mine or @user too)"),
        ("forecast [month|quarter]", "closed won, weighted and history-based forecast"),
        ("help", "show this help"),
    ),
)

TEXT_MAX = 300
STAGE_MAX = 100
Period = Literal["month", "quarter"]
PERIODS: tuple[Period, ...] = ("month", "quarter")
_HELP = frozenset({"help", "?", "-h", "--help"})
# <@U123>, <@U123|name> (Slack's mention), or @U123 typed as a bare id.
_MENTION = re.compile(r"^(?:<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>|@([UW](?=[A-Z0-9]*\d)[A-Z0-9]{2,}))$")
_MENTION_ANYWHERE = re.compile(r"<@[UW][A-Z0-9]{2,}(?:\|[^>]*)?>")


class UsageError(ValueError):
    """What was typed does not fit; the message says why and how to type it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Help(BaseModel):
    model_config = ConfigDict(frozen=True)


class Board(BaseModel):
    """`/pipeline [mine|@user] [stage]`."""

    model_config = ConfigDict(frozen=True)

    mine: bool = False
    owner_id: str | None = None  # a mentioned person
    stage: str | None = None


class Forecast(BaseModel):
    """`/pipeline forecast [month|quarter]`."""

    model_config = ConfigDict(frozen=True)

    periods: tuple[Period, ...] = PERIODS


Intent = Help | Board | Forecast


def parse(text: str) -> Intent:
    """The command text as an intent; UsageError says what is wrong with it."""
    plain = " ".join(unescape(text or "").split())
    if len(plain) > TEXT_MAX:
        raise UsageError(f"That is {len(plain):,} characters; /pipeline needs far fewer.")
    if plain.lower() in _HELP:
        return Help()
    words = _words(plain)
    if words and words[0].lower() == "forecast":
        return _forecast(words[1:])
    mine = False
    owner: str | None = None
    rest: list[str] = []
    for word in words:
        if word.lower() in ("mine", "me"):
            if mine or owner:
                raise UsageError(_ONE_PERSON)
            mine = True
        elif match := _MENTION.match(word):
            if mine or owner:
                raise UsageError(_ONE_PERSON)
            owner = match.group(1) or match.group(2)
        elif word.startswith(("@", "<@", "<!", "<#")):
            raise UsageError(
                f"I can't tell who “{truncate(word, 40)}” is: pick the person from Slack's @ menu"
                " as you type, so the mention arrives as a link, like `/pipeline @Priya`."
            )
        else:
            rest.append(word)
    stage = " ".join(rest) or None
    if stage and len(stage) > STAGE_MAX:
        raise UsageError(f"That stage name is {len(stage)} characters; stage names are short.")
    return Board(mine=mine, owner_id=owner, stage=stage)


_ONE_PERSON = "Give one person: `mine`, or one @mention, like `/pipeline @Priya proposal`."


def _words(plain: str) -> list[str]:
    """Words, keeping a mention with a display name (`<@U1|Ann Lee>`) as one word."""
    words: list[str] = []
    last = 0
    for mention in _MENTION_ANYWHERE.finditer(plain):
        words.extend(plain[last : mention.start()].split())
        words.append(mention.group(0))
        last = mention.end()
    words.extend(plain[last:].split())
    return words


def _forecast(rest: list[str]) -> Forecast:
    if not rest:
        return Forecast()
    wanted = " ".join(rest).lower().removeprefix("this ").strip()
    if wanted in PERIODS:
        return Forecast(periods=(wanted,))  # type: ignore[arg-type]
    raise UsageError(
        f"`/pipeline forecast` takes `month` or `quarter` (or nothing, for both), "
        f"not “{truncate(' '.join(rest), 40)}”."
    )
