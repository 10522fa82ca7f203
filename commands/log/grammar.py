"""What people type after /log, and how a customer named in it is found.

    /log [call|email|meeting|note] [customer] [what happened]

The first word is the kind when it is one of the four; otherwise the kind is missing
and the whole text is read as customer and summary (the form then asks for the kind).
A customer is named by id (C-12) or by the start of their name or company (folded:
case and accents do not matter): the longest run of leading words that starts a name is
taken as the name, the rest is the summary. Whole words count before a partial last
word ("Acme Call back" with only Acme Callaway: the summary is "Call back"), unless a
longer partial word is what tells several apart ("Acme W…" picks Acme West out of Acme
Corp and Acme West); an exact name wins over longer names that start the same ("Acme"
over "Acme Callaway").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from commands.format import unescape
from commands.usage import CommandSpec
from domain.customers import NAME_MAX, Customer, SearchResult
from domain.ids import Kind, parse_id
from domain.interactions import InteractionKind
from domain.text import fold

SPEC = CommandSpec(
    name="/log",
    summary="log a call, email, meeting or note with a customer",
    usage_hint="[call|email|meeting|note] [customer] [what happened]",
    forms=(
        ("[call|email|meeting|note] [customer]", "open the log form, prefilled"),
        ("call C-12 Discussed renewal, send quote", "log it at once (customer by id or name)"),
        ("call Acme Discussed renewal", "a unique start of the name is enough"),
        ("help", "show this help"),
    ),
)

KINDS = tuple(kind.value for kind in InteractionKind)
TEXT_MAX = 20_000  # far beyond any summary; longer text is refused before any lookup
NAME_WORDS_MAX = 12  # a customer's name is never read from more leading words than this
RESOLVE_LIMIT = 25  # rows fetched per lookup while resolving a name


class UsageError(ValueError):
    """What was typed does not fit the command's grammar; the text says why."""


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Log:
    """A log entry as typed: kind if given, a customer id if given, and the remaining text.

    With `number` set, `rest` is the summary; without, `rest` starts with the customer's
    name (see `resolve`)."""

    kind: InteractionKind | None
    number: int | None
    rest: str


Intent = Help | Log


def parse(text: str) -> Intent:
    """Turn the command text into an intent; raises UsageError with the reason."""
    text = " ".join(unescape(text).split())
    if text.lower() in ("help", "?", "-h", "--help"):
        return Help()
    if len(text) > TEXT_MAX:
        raise UsageError(f"That is {len(text):,} characters; keep a log entry under 3,000.")
    word, _, rest = text.partition(" ")
    kind: InteractionKind | None = None
    if word.lower() in KINDS:
        kind, text = InteractionKind(word.lower()), rest
    first, _, after = text.partition(" ")
    number = parse_id(first, Kind.CUSTOMER) if first else None
    if number is not None:
        return Log(kind=kind, number=number, rest=after)
    return Log(kind=kind, number=None, rest=text)


# -- naming a customer --------------------------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    customer: Customer
    summary: str


@dataclass(frozen=True)
class Ambiguous:
    name: str  # the words read as the name, as typed
    matches: list[Customer]
    summary: str
    more: bool  # there may be more matches than listed


@dataclass(frozen=True)
class Unknown:
    name: str  # the first word: not even it starts a name


Resolution = Resolved | Ambiguous | Unknown


def resolve(text: str, search: Callable[[str], SearchResult]) -> Resolution:
    """Find the customer named at the start of `text`; `search` is CustomerService.find.

    The search matches substrings; here only names or companies that *start* with the
    typed words count. A few lookups (one per leading word, stopping at the first run of
    words that names nobody)."""
    words = text.split()
    if not words:
        return Unknown("")
    whole: tuple[int, list[Customer], bool] | None = None  # (words, matches, truncated)
    partial: tuple[int, list[Customer], bool] | None = None
    for count in range(1, min(len(words), NAME_WORDS_MAX) + 1):
        typed = " ".join(words[:count])
        if len(typed) > NAME_MAX:
            break
        key = fold(typed)
        result = search(typed)
        truncated = result.total > len(result.matches)
        starting = [c for c in result.matches if _starts(c, key, whole_word=False)]
        if not starting and not truncated:
            break  # longer runs of words can only match fewer customers
        if starting:
            partial = (count, starting, truncated)
        on_word = [c for c in starting if _starts(c, key, whole_word=True)]
        if on_word:
            whole = (count, on_word, truncated)
    best = whole or partial
    if best is None:
        return Unknown(words[0])
    if whole and partial and _narrows(partial, whole, words):
        best = partial  # "Acme Co…" picks Acme Corp out of Acme Corp and Acme West
    count, matches, truncated = best
    typed, summary = " ".join(words[:count]), " ".join(words[count:])
    if len(matches) == 1 and not truncated:
        return Resolved(matches[0], summary)
    if (exact := _exact(matches, typed)) is not None:
        return Resolved(exact, summary)
    return Ambiguous(typed, matches, summary, more=truncated)


def _narrows(
    partial: tuple[int, list[Customer], bool],
    whole: tuple[int, list[Customer], bool],
    words: list[str],
) -> bool:
    """A longer partial-word match is used only to choose among several whole-word ones."""
    count, matches, truncated = whole
    if len(matches) == 1 and not truncated:
        return False  # "Acme Call back" with only Acme Callaway: the summary is "Call back"
    if _exact(matches, " ".join(words[:count])) is not None:
        return False  # "Acme call back" with Acme and Acme Callaway: Acme
    return partial[0] > count and len(partial[1]) < len(matches)


def _exact(matches: list[Customer], typed: str) -> Customer | None:
    """The one customer whose whole name (else whole company) is what was typed."""
    key = fold(typed)
    for exact in (
        [c for c in matches if fold(c.name) == key],
        [c for c in matches if c.company and fold(c.company) == key],
    ):
        if len(exact) == 1:
            return exact[0]
    return None


def _starts(customer: Customer, key: str, *, whole_word: bool) -> bool:
    """Does the customer's name or company start with the folded words `key`?"""
    for value in (customer.name, customer.company):
        if not value:
            continue
        folded = fold(value)
        if folded == key or folded.startswith(key + " " if whole_word else key):
            return True
    return False
