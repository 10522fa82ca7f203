"""What people type after /deal, parsed into one of a few intents.

Subcommand words come first (`new`, `move`, `won`, `lost`, `note`, `edit`); anything else
is a deal id or part of a deal's title. Ids and required words are checked here, so a
request that cannot work is answered at once with the form to use and nothing written;
whether a stage exists is the pipeline's to say, since each workspace has its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from commands.format import truncate, unescape
from commands.usage import CommandSpec
from domain.ids import Kind, parse_id
from domain.pipeline import NOTE_MAX, REASON_MAX, TITLE_MAX

FORM_MOVE = "move D-42 <stage>"
FORM_WON = "won D-42"
FORM_LOST = "lost D-42 <reason>"
FORM_NOTE = "note D-42 <text>"
FORM_EDIT = "edit D-42"

SPEC = CommandSpec(
    name="/deal",
    summary="deals: create one, see its card, move it, win or lose it",
    usage_hint="new | D-42 | <text> | move D-42 <stage> | won D-42 | lost D-42 <reason> | help",
    forms=(
        ("", "your open deals, biggest first"),
        ("new [title]", "open the new-deal form"),
        ("D-42", "the deal's card"),
        ("<text>", "find deals by title"),
        (FORM_MOVE, "move the deal to another stage"),
        (FORM_WON, "close the deal as won"),
        (FORM_LOST, "close the deal as lost, saying why"),
        (FORM_NOTE, "add a note the team sees on the card"),
        (FORM_EDIT, "open the deal's form to change it"),
        ("help", "show this help"),
    ),
)

QUERY_MAX = 200
# The longest useful line: a subcommand, an id and a note.
TEXT_MAX = NOTE_MAX + 50
_HELP = frozenset({"help", "?", "-h", "--help"})
_EXAMPLES = {
    "move": "/deal move D-42 proposal",
    "won": "/deal won D-42",
    "lost": "/deal lost D-42 went with a cheaper supplier",
    "note": "/deal note D-42 they want a pilot first",
    "edit": "/deal edit D-42",
}
_FORMS = {"move": FORM_MOVE, "won": FORM_WON, "lost": FORM_LOST, "note": FORM_NOTE}


class UsageError(ValueError):
    """What was typed does not fit; the message says why and `form` is the one to use."""

    def __init__(self, message: str, form: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.form = form


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Mine:
    """`/deal` alone: my open deals."""


@dataclass(frozen=True)
class New:
    title: str | None = None


@dataclass(frozen=True)
class Show:
    query: str


@dataclass(frozen=True)
class Move:
    number: int
    stage: str


@dataclass(frozen=True)
class Won:
    number: int


@dataclass(frozen=True)
class Lost:
    number: int
    reason: str


@dataclass(frozen=True)
class Note:
    number: int
    text: str


@dataclass(frozen=True)
class Edit:
    number: int


Intent = Help | Mine | New | Show | Move | Won | Lost | Note | Edit


def parse(text: str) -> Intent:
    """Turn the command text into an intent; raises UsageError with the reason."""
    plain = " ".join(unescape(text).split())
    if len(plain) > TEXT_MAX:
        raise UsageError(f"That is {len(plain):,} characters; /deal needs far fewer.")
    if not plain:
        return Mine()
    if plain.lower() in _HELP:
        return Help()
    word, _, rest = plain.partition(" ")
    verb = word.lower()
    if verb == "new":
        if len(rest) > TITLE_MAX:
            raise UsageError(f"That title is {len(rest):,} characters; keep it under {TITLE_MAX}.")
        return New(title=rest or None)
    if verb in ("move", "won", "lost", "note", "edit"):
        return _with_id(verb, rest)
    if len(plain) > QUERY_MAX:
        raise UsageError(f"That search is {len(plain)} characters; keep it under {QUERY_MAX}.")
    return Show(query=plain)


def _with_id(verb: str, rest: str) -> Intent:
    form = _FORMS.get(verb)
    id_text, _, after = rest.partition(" ")
    number = parse_id(id_text, Kind.DEAL) if id_text else None
    if number is None:
        shown = f"“{truncate(id_text, 20)}” isn't a deal id. " if id_text else ""
        raise UsageError(f"{shown}Say which deal by its id, like `{_EXAMPLES[verb]}`.", form)
    if verb == "won":
        if after:
            raise UsageError(f"`/deal won` takes only the deal, like `{_EXAMPLES[verb]}`.", form)
        return Won(number)
    if verb == "edit":
        return Edit(number)
    if verb == "move":
        if not after:
            raise UsageError(f"Say which stage, like `{_EXAMPLES[verb]}`.", form)
        return Move(number, after)
    if verb == "lost":
        if not after:
            raise UsageError(f"Say why it was lost, like `{_EXAMPLES[verb]}`.", form)
        if len(after) > REASON_MAX:
            raise UsageError(
                f"That reason is {len(after):,} characters; keep it under {REASON_MAX:,}.", form
            )
        return Lost(number, after)
    if not after:
        raise UsageError(f"Write the note, like `{_EXAMPLES[verb]}`.", form)
    if len(after) > NOTE_MAX:
        raise UsageError(
            f"That note is {len(after):,} characters; keep it under {NOTE_MAX:,}.", form
        )
    return Note(number, after)
