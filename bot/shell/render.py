"""Render Slack Block Kit messages and views as terminal text with numbered choices."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

WIDTH = 80  # target terminal width for columns, wrapping and rules
RULE = "─" * 60
GAP = "    "  # between field columns

# ANSI (on, off) pairs; specific "off" codes let styles nest without resetting each other.
BOLD = ("1", "22")
DIM = ("2", "22")
ITALIC = ("3", "23")
UNDERLINE = ("4", "24")
STRIKE = ("9", "29")
CODE = ("36", "39")
GREEN = ("32", "39")
RED = ("31", "39")

_ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")

# Element types whose options are listed as one choice each.
_OPTION_KINDS = {"static_select", "multi_static_select", "overflow", "radio_buttons", "checkboxes"}
_BUTTON_KINDS = {"button", "workflow_button"}
_PROMPTS = {
    "users_select": "Pick a user",
    "multi_users_select": "Pick users",
    "conversations_select": "Pick a conversation",
    "multi_conversations_select": "Pick conversations",
    "channels_select": "Pick a channel",
    "multi_channels_select": "Pick channels",
    "external_select": "Search options",
    "multi_external_select": "Search options",
    "datepicker": "Pick a date",
    "timepicker": "Pick a time",
    "datetimepicker": "Pick a date and time",
}


@dataclass(frozen=True)
class Choice:
    """One numbered thing the person can press."""

    number: int
    label: str
    action_id: str
    block_id: str
    value: str | None
    kind: str
    url: str | None = None
    option_text: str | None = None
    element: dict | None = None


@dataclass
class Rendered:
    """Terminal text plus the choices it numbers."""

    text: str
    choices: list[Choice] = field(default_factory=list)


# ---------------------------------------------------------------- text helpers


def paint(text: str, style: tuple[str, str], color: bool) -> str:
    """Wrap text in an ANSI style when color is on."""
    if not color or not text:
        return text
    return f"\x1b[{style[0]}m{text}\x1b[{style[1]}m"


def strip_ansi(text: str) -> str:
    """Remove ANSI escape codes."""
    return _ANSI_RE.sub("", text)


def display_width(text: str) -> int:
    """Terminal columns taken by text (ANSI ignored, wide characters count twice)."""
    width = 0
    for ch in strip_ansi(text):
        if unicodedata.combining(ch) or ch in "\u200b\ufe0f":
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _pad(text: str, width: int, align: str = "left") -> str:
    """Pad text to a display width."""
    room = max(0, width - display_width(text))
    if align == "right":
        return " " * room + text
    if align == "center":
        return " " * (room // 2) + text + " " * (room - room // 2)
    return text + " " * room


def _wrap_tokens(tokens: list[str], width: int = WIDTH) -> list[str]:
    """Join tokens with two spaces, breaking lines before they exceed width."""
    lines: list[str] = []
    line = ""
    for tok in tokens:
        if line and display_width(line) + 2 + display_width(tok) > width:
            lines.append(line)
            line = tok
        else:
            line = f"{line}  {tok}" if line else tok
    if line:
        lines.append(line)
    return lines


# ---------------------------------------------------------------- mrkdwn

_ENTITY_RE = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_ANGLE_RE = re.compile(r"<([^<>\n]+)>")
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_BROADCASTS = {"here", "channel", "everyone"}
# Private-use characters mark stashed spans and emphasis so later passes cannot touch them.
_STASH_RE = re.compile("\ue000(\\d+)\ue001")
_EMPHASIS = (
    ("*", "\ue010", "\ue011", BOLD),
    ("_", "\ue012", "\ue013", ITALIC),
    ("~", "\ue014", "\ue015", STRIKE),
)


def _emphasis_re(marker: str) -> re.Pattern[str]:
    """Slack-style emphasis: markers at word boundaries around non-space text."""
    m = re.escape(marker)
    return re.compile(rf"(?<![\w{m}]){m}(?=\S)([^{m}\n]+?)(?<=\S){m}(?![\w{m}])")


_EMPHASIS_RES = [(_emphasis_re(mk), op, cl) for mk, op, cl, _ in _EMPHASIS]


def _decode_entities(text: str) -> str:
    """Decode Slack's three HTML entities in a single pass (so &amp;lt; becomes &lt;)."""
    return _ENTITY_RE.sub(lambda m: _ENTITIES[m.group(1)], text)


def _angle(inner: str, keep: Callable[[str], str], color: bool) -> str | None:
    """Translate one <...> control sequence, or None when it is not one."""
    head, _, label = inner.partition("|")
    if head.startswith("@"):
        return keep("@" + (label.lstrip("@") or head[1:]))
    if head.startswith("#"):
        return keep("#" + (label.lstrip("#") or head[1:]))
    if head.startswith("!"):
        name = head[1:]
        if name.startswith("date^"):
            return label if label else keep(name.split("^")[1])
        if name.startswith("subteam^"):
            return keep(label or "@" + name.split("^", 1)[1])
        if name in _BROADCASTS:
            return keep("@" + name)
        return keep(label or "@" + name)
    if not _SCHEME_RE.match(head):
        return None
    if head.startswith("mailto:"):
        address = head[len("mailto:") :]
        if not label or label == address:
            return keep(address)
        return f"{label} ({keep(address)})"
    url = paint(head, UNDERLINE, color)
    bare = re.sub(r"^[a-z]+://", "", head)
    if not label or label in (head, bare):
        return keep(url)
    return f"{label} ({keep(url)})"


def mrkdwn_to_text(s: str, *, color: bool = False) -> str:
    """Turn Slack mrkdwn into terminal text (ANSI styles when color, plain otherwise)."""
    if not s:
        return ""
    stash: list[str] = []

    def keep(text: str) -> str:
        stash.append(text)
        return f"\ue000{len(stash) - 1}\ue001"

    def code_block(m: re.Match[str]) -> str:
        body = m.group(1).strip("\n")
        return keep("\n".join(paint(line, CODE, color) for line in body.split("\n")))

    # Code first: nothing inside code is formatting or a link.
    s = re.sub(r"```(.*?)```", code_block, s, flags=re.S)
    s = re.sub(r"`([^`\n]+)`", lambda m: keep(paint(m.group(1), CODE, color)), s)
    s = _ANGLE_RE.sub(lambda m: _angle(m.group(1), keep, color) or m.group(0), s)
    for regex, opener, closer in _EMPHASIS_RES:
        s = regex.sub(opener + r"\1" + closer, s)
    for _, opener, closer, style in _EMPHASIS:
        s = s.replace(opener, f"\x1b[{style[0]}m" if color else "")
        s = s.replace(closer, f"\x1b[{style[1]}m" if color else "")
    # Stashed spans may hold other stashed spans (a link inside a label), so loop.
    while _STASH_RE.search(s):
        s = _STASH_RE.sub(lambda m: stash[int(m.group(1))], s)
    # Entities last: an escaped &lt;!channel&gt; must stay literal text, never a mention.
    return _decode_entities(s)


def text_of(obj: object, *, color: bool = False) -> str:
    """Text of a Block Kit text object (plain_text as is, mrkdwn translated)."""
    if obj is None:
        return ""
    if isinstance(obj, str):
        return obj
    if isinstance(obj, dict):
        text = str(obj.get("text", ""))
        return mrkdwn_to_text(text, color=color) if obj.get("type") == "mrkdwn" else text
    return str(obj)


# ---------------------------------------------------------------- rich text


def _rich_inline(elements: Iterable[dict], color: bool) -> str:
    """Text of rich_text_section-level elements."""
    out: list[str] = []
    for el in elements:
        kind = el.get("type")
        if kind == "text":
            text = str(el.get("text", ""))
        elif kind == "link":
            url = str(el.get("url", ""))
            label = el.get("text")
            text = f"{label} ({paint(url, UNDERLINE, color)})" if label and label != url else url
        elif kind == "user":
            text = "@" + str(el.get("user_id", ""))
        elif kind == "usergroup":
            text = "@" + str(el.get("usergroup_id", ""))
        elif kind == "channel":
            text = "#" + str(el.get("channel_id", ""))
        elif kind == "broadcast":
            text = "@" + str(el.get("range", ""))
        elif kind == "emoji":
            text = _emoji(el)
        elif kind == "date":
            text = str(el.get("fallback") or el.get("timestamp", ""))
        elif kind == "color":
            text = str(el.get("value", ""))
        else:
            text = str(el.get("text", ""))
        style = el.get("style") or {}
        if isinstance(style, dict):
            for key, ansi in (
                ("bold", BOLD),
                ("italic", ITALIC),
                ("strike", STRIKE),
                ("code", CODE),
            ):
                if style.get(key):
                    text = "\n".join(paint(part, ansi, color) for part in text.split("\n"))
        out.append(text)
    return "".join(out)


def _emoji(el: dict) -> str:
    """Unicode for a rich text emoji when given, else its :shortcode:."""
    code = el.get("unicode")
    if code:
        try:
            return "".join(chr(int(part, 16)) for part in str(code).split("-"))
        except ValueError:
            pass
    return f":{el.get('name', '')}:"


def rich_text_lines(block: dict, *, color: bool = False) -> list[str]:
    """Lines of a rich_text block (or rich_text value)."""
    lines: list[str] = []
    for el in block.get("elements", []) or []:
        kind = el.get("type")
        if kind == "rich_text_section":
            lines.extend(_rich_inline(el.get("elements", []), color).rstrip("\n").split("\n"))
        elif kind == "rich_text_list":
            indent = "  " * int(el.get("indent", 0) or 0)
            ordered = el.get("style") == "ordered"
            offset = int(el.get("offset", 0) or 0)
            for i, item in enumerate(el.get("elements", [])):
                marker = f"{offset + i + 1}. " if ordered else "• "
                text = _rich_inline(item.get("elements", []), color).rstrip("\n")
                first, *rest = text.split("\n")
                lines.append(f"{indent}{marker}{first}")
                lines.extend(f"{indent}{' ' * len(marker)}{line}" for line in rest)
        elif kind == "rich_text_preformatted":
            text = _rich_inline(el.get("elements", []), color).strip("\n")
            lines.extend("    " + paint(line, CODE, color) for line in text.split("\n"))
        elif kind == "rich_text_quote":
            text = _rich_inline(el.get("elements", []), color).rstrip("\n")
            lines.extend("> " + line for line in text.split("\n"))
        elif "elements" in el:
            lines.extend(_rich_inline(el.get("elements", []), color).split("\n"))
    return lines


def rich_text_to_text(block: dict | None) -> str:
    """Plain text of a rich_text block."""
    return "\n".join(rich_text_lines(block or {}))


# ---------------------------------------------------------------- blocks


class _Renderer:
    """Renders blocks while numbering choices from a starting number."""

    def __init__(self, start: int, color: bool) -> None:
        self.next = start
        self.color = color
        self.choices: list[Choice] = []

    def add(
        self,
        el: dict,
        block_id: str,
        label: str,
        kind: str,
        value: str | None,
        url: str | None = None,
        option_text: str | None = None,
    ) -> int:
        """Register a choice and return its number."""
        number = self.next
        self.next += 1
        self.choices.append(
            Choice(
                number=number,
                label=label,
                action_id=str(el.get("action_id", "")),
                block_id=block_id,
                value=value,
                kind=kind,
                url=url,
                option_text=option_text,
                element=el,
            )
        )
        return number

    def text(self, obj: object) -> str:
        """Styled text of a text object."""
        return text_of(obj, color=self.color)

    def blocks(self, blocks: Iterable[dict]) -> list[str]:
        """Lines for a sequence of blocks."""
        lines: list[str] = []
        for block in blocks:
            lines.extend(self.block(block))
        return lines

    def block(self, b: dict) -> list[str]:
        """Lines for one block."""
        kind = b.get("type")
        block_id = str(b.get("block_id", ""))
        if kind == "header":
            title = text_of(b.get("text"))
            if self.color:
                return [paint(title, BOLD, True)]
            return [title, "─" * display_width(title)]
        if kind == "section":
            return self.section(b, block_id)
        if kind == "divider":
            return [paint(RULE, DIM, self.color)]
        if kind == "context":
            parts = []
            for el in b.get("elements", []):
                if el.get("type") == "image":
                    if el.get("alt_text"):
                        parts.append(f"[{el['alt_text']}]")
                else:
                    parts.append(" ".join(self.text(el).split("\n")))
            return [paint(" · ".join(p for p in parts if p), DIM, self.color)]
        if kind == "actions":
            return self.actions(b.get("elements", []), block_id)
        if kind == "image":
            return self.image(b)
        if kind == "table":
            return self.table(b)
        if kind == "rich_text":
            return rich_text_lines(b, color=self.color)
        if kind == "markdown":
            return str(b.get("text", "")).split("\n")
        if kind == "input":
            return [input_summary(b, color=self.color)]
        if kind == "file":
            return [f"[file: {b.get('external_id') or b.get('file_id', '')}]"]
        if kind == "video":
            return [f"[video: {text_of(b.get('title'))}] {b.get('video_url', '')}".rstrip()]
        return [paint(f"[{kind} block]", DIM, self.color)]

    def section(self, b: dict, block_id: str) -> list[str]:
        """Section text, fields and accessory."""
        lines: list[str] = []
        if b.get("text"):
            lines.extend(self.text(b["text"]).split("\n"))
        if b.get("fields"):
            lines.extend(self.fields([self.text(f).split("\n") for f in b["fields"]]))
        accessory = b.get("accessory")
        if accessory:
            if accessory.get("type") == "image":
                lines.append(self.image_line(accessory))
            else:
                lines.extend(_wrap_tokens(self.element(accessory, block_id)))
        return lines

    def fields(self, cells: list[list[str]]) -> list[str]:
        """Section fields: two columns when they fit the width, else one per line."""
        lefts = [line for cell in cells[0::2] for line in cell]
        rights = [line for cell in cells[1::2] for line in cell]
        left_w = max((display_width(x) for x in lefts), default=0)
        right_w = max((display_width(x) for x in rights), default=0)
        # Label/value fields ("*Stage*\nWon") read better with a blank line between rows.
        spaced = any(len(cell) > 1 for cell in cells)
        lines: list[str] = []
        if len(cells) > 1 and left_w + len(GAP) + right_w <= WIDTH:
            for i in range(0, len(cells), 2):
                left = cells[i]
                right = cells[i + 1] if i + 1 < len(cells) else []
                if spaced and lines:
                    lines.append("")
                for j in range(max(len(left), len(right))):
                    lcell = left[j] if j < len(left) else ""
                    rcell = right[j] if j < len(right) else ""
                    lines.append((_pad(lcell, left_w) + GAP + rcell).rstrip())
            return lines
        for cell in cells:
            if spaced and lines:
                lines.append("")
            lines.extend(cell)
        return lines

    def actions(self, elements: list[dict], block_id: str) -> list[str]:
        """Buttons share a line; each menu gets its own line of options."""
        lines: list[str] = []
        buttons: list[str] = []
        for el in elements:
            if el.get("type") in _BUTTON_KINDS:
                buttons.extend(self.element(el, block_id))
                continue
            lines.extend(_wrap_tokens(buttons))
            buttons = []
            lines.extend(_wrap_tokens(self.element(el, block_id)))
        lines.extend(_wrap_tokens(buttons))
        return lines

    def element(self, el: dict, block_id: str) -> list[str]:
        """Register choices for an interactive element and return their display tokens."""
        kind = str(el.get("type", ""))
        if kind in _BUTTON_KINDS:
            label = text_of(el.get("text"))
            url = el.get("url")
            n = self.add(el, block_id, label, kind, value=el.get("value"), url=url)
            shown = label
            style = el.get("style")
            if style == "primary":
                shown = paint(label, (BOLD[0] + ";" + GREEN[0], "0"), self.color)
            elif style == "danger":
                shown = paint(label, (BOLD[0] + ";" + RED[0], "0"), self.color)
                if not self.color:
                    shown += " (danger)"
            if url:
                shown += f" ({url})"
            return [f"[{n}] {shown}"]
        if kind in _OPTION_KINDS:
            prefix = text_of(el.get("placeholder")) or "Option"
            selected = _selected_values(el)
            tokens = []
            for opt in _options(el):
                text = text_of(opt.get("text"))
                value = opt.get("value")
                label = f"{prefix}: {text}"
                n = self.add(
                    el, block_id, label, kind, value=value, url=opt.get("url"), option_text=text
                )
                mark = " (selected)" if value is not None and value in selected else ""
                tokens.append(f"[{n}] {label}{mark}")
            return tokens
        label = text_of(el.get("placeholder")) or _PROMPTS.get(kind, kind or "Element")
        n = self.add(el, block_id, label, kind, value=None)
        return [f"[{n}] {label}…"]

    def image_line(self, el: dict) -> str:
        """One-line description of an image."""
        source = el.get("image_url") or ""
        slack_file = el.get("slack_file") or {}
        if not source and isinstance(slack_file, dict):
            source = slack_file.get("url") or slack_file.get("id") or ""
        return f"[image: {el.get('alt_text', '')}] {source}".rstrip()

    def image(self, b: dict) -> list[str]:
        """Image block with its optional title."""
        lines = [self.text(b["title"])] if b.get("title") else []
        return [*lines, self.image_line(b)]

    def table(self, b: dict) -> list[str]:
        """Aligned text table; the first row is the header."""
        rows = [[_cell_text(cell) for cell in row] for row in b.get("rows", [])]
        if not rows:
            return []
        ncols = max(len(row) for row in rows)
        rows = [row + [""] * (ncols - len(row)) for row in rows]
        settings = list(b.get("column_settings") or [])
        aligns = [
            ((settings[i] or {}).get("align", "left") if i < len(settings) else "left")
            for i in range(ncols)
        ]
        widths = [max(display_width(row[i]) for row in rows) for i in range(ncols)]

        def line(row: list[str]) -> str:
            cells = [_pad(cell, widths[i], aligns[i]) for i, cell in enumerate(row)]
            return "  ".join(cells).rstrip()

        header = paint(line(rows[0]), BOLD, self.color)
        rule = "  ".join("─" * w for w in widths)
        return [header, rule, *(line(row) for row in rows[1:])]


def _cell_text(cell: object) -> str:
    """One-line text of a table cell."""
    if isinstance(cell, dict):
        if cell.get("type") == "rich_text":
            text = rich_text_to_text(cell)
        elif cell.get("type") == "raw_number" and "text" not in cell:
            text = str(cell.get("value", ""))
        else:
            text = text_of(cell)
    else:
        text = "" if cell is None else str(cell)
    return " ".join(text.split("\n"))


def _options(el: dict) -> list[dict]:
    """Options of an element with option_groups flattened."""
    options = list(el.get("options") or [])
    for group in el.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def _selected_values(el: dict) -> set[str]:
    """Values the element starts with selected."""
    chosen = [el.get("initial_option"), *(el.get("initial_options") or [])]
    return {str(opt.get("value")) for opt in chosen if isinstance(opt, dict)}


def input_summary(block: dict, *, color: bool = False) -> str:
    """'Label: current value' line for an input block; '(empty)' and the hint otherwise."""
    # Imported here because forms uses this module's text helpers.
    from bot.shell.forms import field_from_block, format_value

    fld = field_from_block(block)
    label = fld.label + (" (optional)" if fld.optional else "")
    shown = format_value(fld, fld.initial)
    if not shown:
        # A placeholder is an example, not a value: never show it as if it were filled in.
        example = fld.hint or (f"e.g. {fld.placeholder}" if fld.placeholder else "")
        shown = paint("(empty)" + (f" — {example}" if example else ""), DIM, color)
    return f"{label}: {shown}"


def render_blocks(
    blocks: list[dict], *, fallback_text: str = "", start: int = 1, color: bool = False
) -> Rendered:
    """Render message blocks (or the fallback text when there are none)."""
    if not blocks:
        return Rendered(mrkdwn_to_text(fallback_text, color=color), [])
    renderer = _Renderer(start, color)
    lines = renderer.blocks(blocks)
    return Rendered("\n".join(lines), renderer.choices)


def _box(title: str) -> list[str]:
    """Title framed in a box."""
    inner = display_width(title) + 2
    return ["┌" + "─" * inner + "┐", f"│ {title} │", "└" + "─" * inner + "┘"]


def render_view(view: dict, *, start: int = 1, color: bool = False) -> Rendered:
    """Render a modal or home view: boxed title, blocks, input summaries, submit/close."""
    title = text_of(view.get("title")) or ("Home" if view.get("type") == "home" else "View")
    renderer = _Renderer(start, color)
    lines = [paint(line, BOLD, color) for line in _box(title)]
    lines.extend(renderer.blocks(view.get("blocks") or []))
    buttons = []
    if view.get("submit"):
        buttons.append(f"Submit: {text_of(view['submit'])}")
    if view.get("close"):
        buttons.append(f"Close: {text_of(view['close'])}")
    if buttons:
        lines.append(paint(" · ".join(buttons), DIM, color))
    return Rendered("\n".join(lines), renderer.choices)
