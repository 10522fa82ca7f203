"""Fill modal input blocks from typed answers and build view_submission state values."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from urllib.parse import urlparse

from bot.shell.render import rich_text_to_text, text_of

CLEAR = "-"  # typed to empty an optional field that has a current value

TEXT_KINDS = {"plain_text_input", "email_text_input", "url_text_input", "rich_text_input"}
OPTION_KINDS = {
    "static_select",
    "multi_static_select",
    "external_select",
    "multi_external_select",
    "checkboxes",
    "radio_buttons",
}
MULTI_KINDS = {
    "multi_static_select",
    "multi_external_select",
    "multi_users_select",
    "multi_conversations_select",
    "multi_channels_select",
    "checkboxes",
}
# kind → (initial_* key, state key) for the ID pickers.
_ID_KINDS = {
    "users_select": ("initial_user", "selected_user"),
    "multi_users_select": ("initial_users", "selected_users"),
    "conversations_select": ("initial_conversation", "selected_conversation"),
    "multi_conversations_select": ("initial_conversations", "selected_conversations"),
    "channels_select": ("initial_channel", "selected_channel"),
    "multi_channels_select": ("initial_channels", "selected_channels"),
}
_USER_RE = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>|@?([UW][A-Z0-9]+)")
_CONVERSATION_RE = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|[^>]*)?>|#?([CGD][A-Z0-9]+)")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_INT_RE = re.compile(r"[+-]?\d+")
_DECIMAL_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_TIME_RE = re.compile(r"(\d{1,2}):(\d{2})")


@dataclass
class Field:
    """One input block of a modal, flattened for prompting."""

    block_id: str
    action_id: str
    label: str
    kind: str
    optional: bool
    multiline: bool
    hint: str | None
    placeholder: str | None
    initial: object | None
    options: list[tuple[str, str]]
    max_length: int | None
    min_length: int | None
    element: dict = field(default_factory=dict, repr=False)  # raw element: number limits etc.
    dispatch_action: bool = False  # the input block sends a block_actions when it changes


# ---------------------------------------------------------------- reading views


def _option_pair(opt: dict) -> tuple[str, str]:
    """(value, text) of an option dict."""
    return str(opt.get("value", "")), text_of(opt.get("text"))


def _initial(el: dict) -> object | None:
    """The element's initial value in the shape parse_answer returns."""
    kind = el.get("type", "")
    if kind in _ID_KINDS:
        return el.get(_ID_KINDS[kind][0])
    if kind in ("static_select", "radio_buttons"):
        opt = el.get("initial_option")
        return _option_pair(opt)[0] if opt else None
    if kind in ("multi_static_select", "checkboxes"):
        opts = el.get("initial_options")
        return [_option_pair(o)[0] for o in opts] if opts else None
    if kind == "external_select":
        opt = el.get("initial_option")
        return _option_pair(opt) if opt else None
    if kind == "multi_external_select":
        opts = el.get("initial_options")
        return [_option_pair(o) for o in opts] if opts else None
    if kind == "datepicker":
        return el.get("initial_date")
    if kind == "timepicker":
        return el.get("initial_time")
    if kind == "datetimepicker":
        value = el.get("initial_date_time")
        return int(value) if value is not None else None
    if kind == "rich_text_input":
        value = el.get("initial_value")
        return rich_text_to_text(value) if isinstance(value, dict) else value
    value = el.get("initial_value")
    return None if value is None else str(value)


def field_from_block(block: dict) -> Field:
    """Field for one input block."""
    el = block.get("element") or {}
    options: list[tuple[str, str]] = []
    for opt in el.get("options") or []:
        options.append(_option_pair(opt))
    for group in el.get("option_groups") or []:
        options.extend(_option_pair(opt) for opt in group.get("options") or [])
    return Field(
        block_id=str(block.get("block_id", "")),
        action_id=str(el.get("action_id", "")),
        label=text_of(block.get("label")),
        kind=str(el.get("type", "")),
        optional=bool(block.get("optional", False)),
        multiline=bool(el.get("multiline", False)) or el.get("type") == "rich_text_input",
        hint=text_of(block.get("hint")) or None,
        placeholder=text_of(el.get("placeholder")) or None,
        initial=_initial(el),
        options=options,
        max_length=el.get("max_length"),
        min_length=el.get("min_length"),
        element=el,
        dispatch_action=bool(block.get("dispatch_action", False)),
    )


def fields_of(view: dict) -> list[Field]:
    """Input blocks of a modal, in order."""
    return [field_from_block(b) for b in view.get("blocks") or [] if b.get("type") == "input"]


# ---------------------------------------------------------------- showing values


def _option_text(fld: Field, value: str) -> str:
    """Text shown for an option value."""
    return next((text for val, text in fld.options if val == value), value)


def format_value(fld: Field, value: object) -> str:
    """Human text for a value in parse_answer's shape ('' when empty)."""
    if value is None or value == [] or value == "":
        return ""
    if isinstance(value, list):
        return ", ".join(format_value(fld, item) for item in value)
    if isinstance(value, tuple):
        return str(value[1] or value[0])
    if fld.kind in ("static_select", "multi_static_select", "checkboxes", "radio_buttons"):
        return _option_text(fld, str(value))
    if fld.kind in ("users_select", "multi_users_select"):
        return f"@{value}"
    if fld.kind == "datetimepicker" and isinstance(value, int):
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


def _format_note(fld: Field) -> str | None:
    """How to type an answer for this kind, when it is not obvious."""
    kind = fld.kind
    if kind in ("plain_text_input", "rich_text_input") and fld.multiline:
        return "multi-line"
    if kind == "number_input":
        el = fld.element
        note = "number" if el.get("is_decimal_allowed") else "whole number"
        low, high = el.get("min_value"), el.get("max_value")
        if low is not None and high is not None:
            return f"{note} {low}–{high}"
        if low is not None:
            return f"{note} ≥ {low}"
        if high is not None:
            return f"{note} ≤ {high}"
        return note
    notes = {
        "users_select": "user ID",
        "multi_users_select": "user IDs, comma-separated",
        "conversations_select": "channel ID",
        "multi_conversations_select": "channel IDs, comma-separated",
        "channels_select": "channel ID",
        "multi_channels_select": "channel IDs, comma-separated",
        "datepicker": "YYYY-MM-DD",
        "timepicker": "HH:MM",
        "datetimepicker": "YYYY-MM-DD HH:MM, UTC",
    }
    if kind in notes:
        return notes[kind]
    if kind in MULTI_KINDS:
        return "comma-separated"
    return None


def describe(fld: Field) -> str:
    """Prompt text: 'Label (optional) [current: x] — hint', then numbered options."""
    notes = []
    if fld.optional:
        notes.append("optional")
    note = _format_note(fld)
    if note:
        notes.append(note)
    if fld.max_length:
        notes.append(f"max {fld.max_length} chars")
    line = fld.label + (f" ({', '.join(notes)})" if notes else "")
    current = format_value(fld, fld.initial)
    if current:
        line += f" [current: {current}]"
    # The placeholder only helps when nothing else explains the field.
    explain = fld.hint or (None if current or not fld.placeholder else f"e.g. {fld.placeholder}")
    if explain:
        line += f" — {explain}"
    chosen = _as_list(fld.initial)
    chosen_values = {item[0] if isinstance(item, tuple) else item for item in chosen}
    lines = [line]
    for i, (value, text) in enumerate(fld.options, start=1):
        lines.append(f"  {i}) {text}" + (" (current)" if value in chosen_values else ""))
    return "\n".join(lines)


def _as_list(value: object) -> list:
    """A value as a list (None → [])."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


# ---------------------------------------------------------------- parsing answers


def _empty(fld: Field) -> object | None:
    """The answer of an unfilled field."""
    return [] if fld.kind in MULTI_KINDS else None


def _match_option(fld: Field, token: str) -> tuple[str, str]:
    """Option chosen by number, value or text (case-insensitive)."""
    token = token.strip()
    # The number shown by describe wins: that is what the person is looking at.
    if token.isdigit() and 1 <= int(token) <= len(fld.options):
        return fld.options[int(token) - 1]
    folded = token.casefold()
    for value, text in fld.options:
        if value.casefold() == folded:
            return value, text
    for value, text in fld.options:
        if text.casefold() == folded:
            return value, text
    if fld.options:
        raise ValueError(f"'{token}' is not an option — enter 1-{len(fld.options)} or its name")
    raise ValueError("There are no options to choose from")


def _split(raw: str) -> list[str]:
    """Comma-separated tokens, blanks dropped."""
    return [part.strip() for part in raw.split(",") if part.strip()]


def _dedupe(items: list) -> list:
    """Items without repeats, order kept."""
    seen: list = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _parse_options(fld: Field, raw: str) -> object:
    """Answer for static/external selects, checkboxes and radios."""
    external = fld.kind in ("external_select", "multi_external_select")
    multi = fld.kind in MULTI_KINDS
    if external and not fld.options:
        # Options come from the app's options handler; without them take the typed value.
        picks = [(t, t) for t in (_split(raw) if multi else [raw])]
    else:
        try:
            # An option whose text holds a comma still matches as a whole.
            picks = [_match_option(fld, raw)]
        except ValueError:
            if not multi:
                raise
            picks = [_match_option(fld, token) for token in _split(raw)]
    limit = fld.element.get("max_selected_items")
    if multi and limit and len(_dedupe(picks)) > int(limit):
        raise ValueError(f"Choose at most {limit}")
    if external:
        return _dedupe(picks) if multi else picks[0]
    values = [value for value, _ in picks]
    return _dedupe(values) if multi else values[0]


def _parse_ids(fld: Field, raw: str) -> object:
    """Answer for user and conversation pickers."""
    users = "users" in fld.kind
    regex = _USER_RE if users else _CONVERSATION_RE
    ids = []
    tokens = _split(raw) if fld.kind.startswith("multi_") else [raw]
    for token in tokens:
        m = regex.fullmatch(token)
        if not m:
            if users:
                raise ValueError(
                    f"'{token}' is not a user ID — type one like U012ABC or <@U012ABC>"
                )
            raise ValueError(f"'{token}' is not a channel ID — type one like C012ABC")
        ids.append(m.group(1) or m.group(2))
    if fld.kind.startswith("multi_"):
        ids = _dedupe(ids)
        limit = fld.element.get("max_selected_items")
        if limit and len(ids) > int(limit):
            raise ValueError(f"Choose at most {limit}")
        return ids
    return ids[0]


def _parse_text(fld: Field, raw: str) -> str:
    """Answer for text, email and URL inputs."""
    if fld.kind == "email_text_input" and not _EMAIL_RE.fullmatch(raw):
        raise ValueError("Enter an email address like name@example.com")
    if fld.kind == "url_text_input":
        parts = urlparse(raw)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in raw:
            raise ValueError("Enter a full URL like https://example.com")
    if fld.max_length is not None and len(raw) > fld.max_length:
        raise ValueError(f"Too long: {len(raw)} characters, at most {fld.max_length}")
    if fld.min_length is not None and len(raw) < fld.min_length:
        raise ValueError(f"Too short: at least {fld.min_length} characters")
    return raw


def _parse_number(fld: Field, raw: str) -> str:
    """Answer for number_input, kept as the typed string like Slack sends it."""
    decimal = bool(fld.element.get("is_decimal_allowed"))
    if not (_DECIMAL_RE if decimal else _INT_RE).fullmatch(raw):
        raise ValueError("Enter a number" if decimal else "Enter a whole number")
    number = float(raw)
    low, high = fld.element.get("min_value"), fld.element.get("max_value")
    if low is not None and number < float(low):
        raise ValueError(f"Must be at least {low}")
    if high is not None and number > float(high):
        raise ValueError(f"Must be at most {high}")
    return raw


def _parse_date(raw: str) -> str:
    """YYYY-MM-DD, validated."""
    try:
        return datetime.strptime(raw, "%Y-%m-%d").date().isoformat()
    except ValueError:
        raise ValueError("Enter a date as YYYY-MM-DD, e.g. 2024-05-31") from None


def _parse_time(raw: str) -> str:
    """HH:MM (24h), normalised to two-digit hours."""
    m = _TIME_RE.fullmatch(raw)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ValueError("Enter a time as HH:MM (24h), e.g. 09:30")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def _parse_datetime(raw: str, tz: tzinfo) -> int:
    """Unix seconds from an epoch number or 'YYYY-MM-DD HH:MM' (in tz unless an offset is given)."""
    if raw.isdigit():
        return int(raw)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError("Enter a date and time as YYYY-MM-DD HH:MM") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return int(moment.timestamp())


def parse_answer(fld: Field, raw: str, *, tz: tzinfo = UTC) -> object:
    """Typed text → answer value; '' keeps the current value, '-' empties an optional field."""
    raw = raw.strip()
    if raw == "" or (raw == CLEAR and fld.optional):
        if raw == "" and fld.initial not in (None, "", []):
            return fld.initial
        if fld.optional:
            return _empty(fld)
        raise ValueError(f"{fld.label} is required")
    kind = fld.kind
    if kind in TEXT_KINDS:
        return _parse_text(fld, raw)
    if kind == "number_input":
        return _parse_number(fld, raw)
    if kind in OPTION_KINDS:
        return _parse_options(fld, raw)
    if kind in _ID_KINDS:
        return _parse_ids(fld, raw)
    if kind == "datepicker":
        return _parse_date(raw)
    if kind == "timepicker":
        return _parse_time(raw)
    if kind == "datetimepicker":
        return _parse_datetime(raw, tz)
    raise ValueError(f"The shell cannot fill {kind or 'this'} fields")


# ---------------------------------------------------------------- view_submission state


def _text_object(obj: object, fallback: str) -> dict:
    """A text object as Slack echoes it back in state."""
    if isinstance(obj, dict) and obj.get("type") == "mrkdwn":
        return {"type": "mrkdwn", "text": str(obj.get("text", "")), "verbatim": False}
    text = str(obj.get("text", "")) if isinstance(obj, dict) else fallback
    return {"type": "plain_text", "text": text, "emoji": True}


def _option_object(fld: Field, answer: object) -> dict:
    """A selected option as Slack puts it in state."""
    if isinstance(answer, dict):
        value = str(answer.get("value", ""))
        return {"text": _text_object(answer.get("text"), value), "value": value}
    if isinstance(answer, tuple):
        value, text = str(answer[0]), str(answer[1])
        return {"text": _text_object(None, text), "value": value}
    value = str(answer)
    raw_options = _raw_options(fld.element)
    if value in raw_options:
        opt = raw_options[value]
        result = {"text": _text_object(opt.get("text"), value), "value": value}
        if opt.get("description"):
            result["description"] = _text_object(opt["description"], "")
        return result
    if fld.kind in ("external_select", "multi_external_select"):
        # Only the value is known; reuse the initial option's text when it is the same one.
        known = dict(fld.options + [i for i in _as_list(fld.initial) if isinstance(i, tuple)])
        return {"text": _text_object(None, known.get(value, value)), "value": value}
    raise ValueError(f"{value!r} is not an option of {fld.label}")


def _raw_options(el: dict) -> dict[str, dict]:
    """Option dicts of an element by value (groups flattened)."""
    options = list(el.get("options") or [])
    for group in el.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return {str(opt.get("value", "")): opt for opt in options}


def _state_entry(fld: Field, answer: object) -> dict:
    """state.values[block_id][action_id] for one field."""
    kind = fld.kind
    entry: dict = {"type": kind}
    if kind == "rich_text_input":
        entry["rich_text_value"] = {
            "type": "rich_text",
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [{"type": "text", "text": str(answer)}] if answer else [],
                }
            ],
        }
    elif kind in TEXT_KINDS or kind == "number_input":
        entry["value"] = None if answer in (None, "") else str(answer)
    elif kind in _ID_KINDS:
        key = _ID_KINDS[kind][1]
        entry[key] = list(_as_list(answer)) if kind.startswith("multi_") else answer or None
    elif kind in ("static_select", "external_select", "radio_buttons"):
        entry["selected_option"] = _option_object(fld, answer) if answer else None
    elif kind in ("multi_static_select", "multi_external_select", "checkboxes"):
        entry["selected_options"] = [_option_object(fld, a) for a in _as_list(answer)]
    elif kind == "datepicker":
        entry["selected_date"] = answer or None
    elif kind == "timepicker":
        entry["selected_time"] = answer or None
    elif kind == "datetimepicker":
        entry["selected_date_time"] = None if answer is None else int(str(answer))
    else:
        entry["value"] = answer
    return entry


def state_values(fields: list[Field], answers: dict[str, object]) -> dict:
    """view.state.values for a view_submission; unanswered fields keep their initial value."""
    values: dict = {}
    for fld in fields:
        answer = answers.get(fld.block_id, fld.initial)
        values.setdefault(fld.block_id, {})[fld.action_id] = _state_entry(fld, answer)
    return values


def state_entry(fld: Field, answer: object) -> dict:
    """state.values[block_id][action_id] for one answer (ValueError for an unknown option);
    with the action_id and block_id added it is also the action of a dispatched input."""
    return _state_entry(fld, answer)


def _empty_answer(value: object) -> bool:
    return value is None or value == "" or value == []


# ---------------------------------------------------------------- views.update


@dataclass
class Carried:
    """A redrawn form's fields (their `initial` is what each shows now), the answers that
    carry over, and the labels whose new initial value Slack ignores."""

    fields: list[Field]
    answers: dict[str, object]
    ignored_initial: list[str]


def carry_over(old: list[Field], new: list[Field], answers: dict[str, object]) -> Carried:
    """What Slack keeps when views.update redraws an open form.

    An input whose block_id, action_id and element type are unchanged keeps what it holds:
    what was entered, or else what it showed before; the new view's initial value for it is
    ignored (an app that wants to replace a value gives the block a new block_id). Other
    inputs start from the new view's initial value. Answers carry over only for kept inputs
    (and not a chosen option the new element no longer has).
    """
    before = {(f.block_id, f.action_id, f.kind): f for f in old}
    fields: list[Field] = []
    kept: dict[str, object] = {}
    ignored: list[str] = []
    for fld in new:
        prev = before.get((fld.block_id, fld.action_id, fld.kind))
        if prev is None:
            fields.append(fld)
            continue
        answered = fld.block_id in answers
        content = answers[fld.block_id] if answered else prev.initial
        if not answered and _empty_answer(content):
            fields.append(fld)  # nothing entered and nothing shown: the new initial applies
            continue
        try:
            _state_entry(fld, content)
        except ValueError:
            fields.append(fld)  # the chosen option is gone from the new element
            continue
        if not _empty_answer(fld.initial) and fld.initial != content:
            ignored.append(fld.label)
        fields.append(replace(fld, initial=content))
        if answered:
            kept[fld.block_id] = content
    return Carried(fields, kept, ignored)


# state entry key -> the element's initial_* key that shows the same value
_INITIAL_OF = {
    "selected_option": "initial_option",
    "selected_options": "initial_options",
    "selected_date": "initial_date",
    "selected_time": "initial_time",
    "selected_date_time": "initial_date_time",
    "rich_text_value": "initial_value",
    **{state: initial for initial, state in _ID_KINDS.values()},
}


def prefilled(view: dict, fields: list[Field], answers: dict[str, object]) -> dict:
    """A copy of `view` whose inputs show the current answers as initial values (to render
    a form as the person sees it after a redraw)."""
    shown = copy.deepcopy(view)
    by_block = {f.block_id: f for f in fields}
    for block in shown.get("blocks") or []:
        fld = by_block.get(str(block.get("block_id", "")))
        el = block.get("element")
        if block.get("type") != "input" or fld is None or not isinstance(el, dict):
            continue
        try:
            entry = _state_entry(fld, answers.get(fld.block_id, fld.initial))
        except ValueError:
            continue
        for key, value in entry.items():
            if key == "type":
                continue
            initial = "initial_value" if key == "value" else _INITIAL_OF.get(key)
            if initial is None:
                continue
            if _empty_answer(value):
                el.pop(initial, None)
            else:
                el[initial] = value
    return shown
