"""What people type after /stock, parsed into one of a few intents.

Subcommand words come first (`low`, `receive`, `adjust`, `return`, `reorder`, `history`);
anything else is a SKU or part of a product's name. Quantities and rule numbers are
checked here, so a bad one is answered at once with the form to use and nothing written.
"""

from __future__ import annotations

import difflib
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from commands.format import truncate, unescape
from commands.usage import CommandSpec
from domain.catalog import SKU_MAX, looks_like_sku
from domain.inventory import LEAD_MAX_DAYS, REASON_MAX, RULE_MAX
from domain.money import BadAmount, parse_quantity

FORM_RECEIVE = "receive <SKU> <qty> [note]"
FORM_ADJUST = "adjust <SKU> <±qty> <reason>"
FORM_RETURN = "return <SKU> <qty> [note]"
FORM_HISTORY = "<SKU> history"
FORM_REORDER = "reorder <SKU> point:<n> qty:<n> lead:<days>"

SPEC = CommandSpec(
    name="/stock",
    summary="stock levels, receipts, adjustments and reorder rules",
    usage_hint=(
        "[SKU|text] | low | receive <SKU> <qty> [note] | adjust <SKU> <±qty> <reason> | "
        "return <SKU> <qty> [note] | <SKU> history | reorder <SKU> point:<n> qty:<n> lead:<days>"
    ),
    forms=(
        ("<SKU or name>", "a product's stock card (or a list to pick from)"),
        ("low", "products at or under their reorder point, worst first"),
        (FORM_RECEIVE, "stock arrived"),
        (FORM_ADJUST, "a counted correction (+ or −), with the reason"),
        (FORM_RETURN, "units a customer sent back"),
        (FORM_HISTORY, "every movement, newest first"),
        (FORM_REORDER, "set the reorder rule (any of the three; the rest stay)"),
        ("reorder <SKU>", "open the reorder rule form"),
        ("help", "show this help"),
    ),
)

TEXT_MAX = REASON_MAX + 200  # the longest useful line: a subcommand, a SKU, a number, a reason
QUERY_MAX = 200
MoveKind = Literal["receive", "adjust", "return"]
MOVE_FORMS: dict[str, str] = {
    "receive": FORM_RECEIVE,
    "adjust": FORM_ADJUST,
    "return": FORM_RETURN,
}
_EXAMPLES = {
    "receive": "/stock receive CH-100 24 from Acme Supply",
    "adjust": "/stock adjust CH-100 -2 damaged in transit",
    "return": "/stock return CH-100 1",
}
SUBCOMMANDS = ("low", "receive", "adjust", "return", "reorder", "history", "help")
RULE_KEYS = {
    "point": "point",
    "rop": "point",
    "qty": "qty",
    "quantity": "qty",
    "lead": "lead",
    "leadtime": "lead",
    "lead_time": "lead",
}
RULE_NAMES = {"point": "reorder point", "qty": "order quantity", "lead": "lead time"}
_HELP = frozenset({"help", "?", "-h", "--help"})
_WHOLE = re.compile(r"^\+?\d{1,9}$")
_NEGATIVE = re.compile(r"^-\d+$")
_SETTING = re.compile(r"^([A-Za-z_]+)[:=](.*)$")


class UsageError(ValueError):
    """What was typed does not fit; the message says why and `form` is the one to use."""

    def __init__(self, message: str, form: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.form = form


class Intent(BaseModel):
    model_config = ConfigDict(frozen=True)


class Help(Intent):
    """`/stock help`."""


class Overview(Intent):
    """`/stock` alone: the usage, and how many products are low."""


class Show(Intent):
    """`/stock <SKU or text>`: one card, a list to pick from, or nothing found."""

    query: str

    @property
    def first_word(self) -> str:
        return self.query.split(" ", 1)[0]

    @property
    def several_words(self) -> bool:
        return " " in self.query


class Low(Intent):
    """`/stock low`."""


class Move(Intent):
    """`/stock receive|adjust|return <SKU> <qty> [text]`."""

    kind: MoveKind
    sku: str
    qty: int
    text: str | None = None  # the note, or for adjust the reason (required)


class History(Intent):
    """`/stock <SKU> history` (or `/stock history <SKU>`)."""

    sku: str


class Reorder(Intent):
    """`/stock reorder <SKU> point:<n> qty:<n> lead:<days>`: what was given; None keeps it."""

    sku: str
    point: int | None = None
    qty: int | None = None
    lead: int | None = None


class RuleForm(Intent):
    """`/stock reorder <SKU>` with no numbers: open the rule form."""

    sku: str


AnyIntent = Help | Overview | Show | Low | Move | History | Reorder | RuleForm


def parse(text: str) -> AnyIntent:
    """Turn the command text into an intent; raises UsageError with the reason."""
    plain = " ".join(unescape(text).split())
    if len(plain) > TEXT_MAX:
        raise UsageError(f"That is {len(plain):,} characters; /stock needs far fewer.")
    if not plain:
        return Overview()
    if plain.lower() in _HELP:
        return Help()
    word, _, rest = plain.partition(" ")
    verb = word.lower()
    if verb == "low":
        if rest:
            raise UsageError("`/stock low` takes nothing after it.", "low")
        return Low()
    if verb in MOVE_FORMS:
        return _move(verb, rest)
    if verb == "reorder":
        return _reorder(rest)
    if verb == "history":
        return History(sku=_sku(rest, FORM_HISTORY))
    words = plain.split(" ")
    if len(words) == 2 and words[1].lower() == "history":
        return History(sku=_sku(words[0], FORM_HISTORY))
    if len(words) > 1 and (close := difflib.get_close_matches(verb, SUBCOMMANDS, 1, 0.8)):
        raise UsageError(f"`{_shown(word)}` isn't a /stock subcommand: did you mean `{close[0]}`?")
    if len(plain) > QUERY_MAX:
        raise UsageError(f"That search is {len(plain)} characters; keep it under {QUERY_MAX}.")
    return Show(query=plain)


def rule_number(name: str, text: str | None, *, required: bool) -> int | None:
    """One rule number (point, qty or lead) as typed; UsageError says what is wrong with it."""
    raw = (text or "").strip()
    label = RULE_NAMES[name]
    if not raw:
        if required:
            raise UsageError(f"Give the {label}, a whole number like 10.", FORM_REORDER)
        return None
    if _NEGATIVE.match(raw):
        raise UsageError(
            f"The {label} can't be negative ({_shown(raw)}); use 0 or more.", FORM_REORDER
        )
    if not _WHOLE.match(raw):
        unit = "days, like lead:14" if name == "lead" else "units, like 10"
        raise UsageError(f"“{_shown(raw)}” isn't a whole number of {unit}.", FORM_REORDER)
    value = int(raw)
    top = LEAD_MAX_DAYS if name == "lead" else RULE_MAX
    if value > top:
        raise UsageError(f"The {label} must be at most {top:,}.", FORM_REORDER)
    if name == "qty" and value == 0:
        raise UsageError("The order quantity must be 1 or more.", FORM_REORDER)
    return value


def _move(kind: str, rest: str) -> Move:
    form = MOVE_FORMS[kind]
    sku_text, _, after = rest.partition(" ")
    if not sku_text:
        raise UsageError(f"Say which product and how many, like `{_EXAMPLES[kind]}`.", form)
    sku = _sku(sku_text, form)
    qty_text, _, text = after.partition(" ")
    if not qty_text:
        raise UsageError(f"Say how many, like `{_EXAMPLES[kind]}`.", form)
    try:
        qty = parse_quantity(qty_text, allow_negative=kind == "adjust")
    except BadAmount as exc:
        message = str(exc)
        raise UsageError(f"{message[:1].upper()}{message[1:]}.", form) from None
    if kind == "adjust" and not text:
        raise UsageError(f"Say why the count changed, like `{_EXAMPLES[kind]}`.", form)
    if len(text) > REASON_MAX:
        raise UsageError(f"Keep the note under {REASON_MAX} characters.", form)
    return Move(kind=kind, sku=sku, qty=qty, text=text or None)  # type: ignore[arg-type]


def _reorder(rest: str) -> Reorder | RuleForm:
    tokens = rest.split(" ") if rest else []
    if not tokens:
        raise UsageError(
            "Say which product, like `/stock reorder CH-100 point:10 qty:40 lead:7`.", FORM_REORDER
        )
    sku = _sku(tokens[0], FORM_REORDER)
    values: dict[str, int | None] = {}
    for token in tokens[1:]:
        setting = _SETTING.match(token)
        name = RULE_KEYS.get(setting.group(1).lower()) if setting else None
        if setting is None or name is None:
            raise UsageError(
                f"“{_shown(token)}” isn't part of a rule: use point:<n>, qty:<n> and lead:<days>.",
                FORM_REORDER,
            )
        if name in values:
            raise UsageError(f"Give {name}: once.", FORM_REORDER)
        values[name] = rule_number(name, setting.group(2), required=True)
    if not values:
        return RuleForm(sku=sku)
    return Reorder(sku=sku, **values)


def _sku(text: str, form: str) -> str:
    sku = text.strip()
    if not sku:
        raise UsageError("Say which product, by its SKU.", form)
    if " " in sku or not looks_like_sku(sku):
        raise UsageError(
            f"“{_shown(sku)}” isn't a SKU: use letters, digits and - _ . / "
            f"(up to {SKU_MAX}). `/stock <name>` finds a product's SKU.",
            form,
        )
    return sku


def _shown(text: str) -> str:
    return truncate(text, 40)
