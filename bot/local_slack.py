"""A local stand-in for Slack's Web API, used by the test suite and by `salesbot shell`."""

from __future__ import annotations

import base64
import contextlib
import copy
import hashlib
import itertools
import json
import logging
import mimetypes
import re
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, BinaryIO
from urllib.parse import parse_qsl, unquote, urlsplit

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

logger = logging.getLogger(__name__)

BOT_ID = "B0BOT"
APP_ID = "A0LOCAL"
TEAM_NAME = "Local Workspace"
WEB_HOST = "https://local.slack"

# Form-encoded clients send these as JSON strings; the JSON API would receive objects.
_JSON_FIELDS = ("blocks", "attachments", "view", "files", "metadata")
_TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})
_VIEW_READ_ONLY = frozenset(
    {
        "id",
        "hash",
        "state",
        "team_id",
        "app_id",
        "bot_id",
        "root_view_id",
        "previous_view_id",
        "app_installed_team_id",
    }
)
_RESPONSE_URL_MAX_POSTS = 5
_MESSAGE_MAX_BLOCKS = 50
_VIEW_MAX_BLOCKS = 100
_MESSAGE_MAX_BLOCKS_CHARS = 13000
_SCHEDULE_MAX_AHEAD = 120 * 24 * 3600
_ACK_LIMIT = 3.0  # seconds Slack waits for a Socket Mode ack (or an HTTP answer)
_DEFAULT_GRANTED_SCOPES = (  # manifest.yml's bot scopes
    "commands,chat:write,im:write,im:history,chat:write.public,channels:history,groups:history,"
    "files:write"
)
_ROTATING_TOKEN_LIFETIME = 12 * 3600  # seconds; Slack's rotating tokens last 12 hours
# A bot token that names its workspace, as oauth.v2.access here issues them: xoxb-T0AAA-…
_TEAM_IN_TOKEN = re.compile(r"^xoxb-([TE][A-Z0-9]{2,})-")

Issue = tuple[str, str]  # (Slack error code, human readable message)


@dataclass
class Call:
    """One request the stand-in received, with what it answered."""

    method: str
    args: dict
    token: str | None
    result: dict
    status: int = 200


@dataclass
class _Failure:
    """A failure queued by `LocalSlack.fail_next`."""

    status: int
    error: str | None
    retry_after: int | None
    times: int


# ---------------------------------------------------------------------------
# Validation (pure functions, usable on their own)
# ---------------------------------------------------------------------------


class _Checker:
    """Collects validation issues under a default Slack error code."""

    def __init__(self, code: str, file_state: Callable[[str], str | None] | None = None) -> None:
        self.code = code
        self.file_state = file_state
        self.issues: list[Issue] = []

    def add(self, message: str, code: str | None = None) -> None:
        """Record one issue."""
        self.issues.append((code or self.code, message))


def _text_len(obj: Any) -> int | None:
    """Length of a text object's text (or of a bare string), None if there is none."""
    if isinstance(obj, str):
        return len(obj)
    if isinstance(obj, dict) and isinstance(obj.get("text"), str):
        return len(obj["text"])
    return None


def _limit(chk: _Checker, obj: Any, limit: int, where: str) -> None:
    """Flag text longer than `limit`."""
    n = _text_len(obj)
    if n is not None and n > limit:
        chk.add(f"{where} longer than {limit} ({n} chars)")


def _plain(chk: _Checker, obj: Any, limit: int, where: str) -> None:
    """Flag a text that must be plain_text and at most `limit` chars."""
    if isinstance(obj, dict) and obj.get("type") not in (None, "plain_text"):
        chk.add(f"{where} must be plain_text, not {obj.get('type')!r}")
    _limit(chk, obj, limit, where)


def _check_options(chk: _Checker, options: Any, path: str, maximum: int) -> None:
    """Check the options array of `path`: count, text and value lengths."""
    if not isinstance(options, list):
        return
    if len(options) > maximum:
        chk.add(f"{path} has {len(options)} options, more than {maximum}")
    for j, opt in enumerate(options):
        if not isinstance(opt, dict):
            continue
        _limit(chk, opt.get("text"), 75, f"{path} options[{j}] text")
        _limit(chk, opt.get("description"), 75, f"{path} options[{j}] description")
        value = opt.get("value")
        if isinstance(value, str) and len(value) > 150:
            chk.add(f"{path} options[{j}] value longer than 150 ({len(value)} chars)")


def _check_image(chk: _Checker, node: dict, path: str) -> None:
    """Image blocks and elements need alt_text and a public URL or a shared Slack file."""
    alt = node.get("alt_text")
    if not isinstance(alt, str) or not alt.strip():
        chk.add(f"{path} needs alt_text")
    url, slack_file = node.get("image_url"), node.get("slack_file")
    if not url and not slack_file:
        chk.add(f"{path} needs image_url or slack_file")
    if url:
        host = urlsplit(url).hostname if isinstance(url, str) else None
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            chk.add(f"{path} image_url must be an http(s) URL")
        elif host in ("localhost", "127.0.0.1", "::1"):
            chk.add(f"{path} image_url {url!r} is not public: Slack cannot fetch it")
    if isinstance(slack_file, dict):
        file_id = slack_file.get("id")
        if not file_id and not slack_file.get("url"):
            chk.add(f"{path} slack_file needs id or url")
        elif file_id and chk.file_state is not None and chk.file_state(file_id) == "private":
            # Slack answers invalid_blocks for a file nobody but the bot can see.
            chk.add(f"{path} invalid slack file {file_id}: uploaded without a channel (bot-only)")


def _check_node(chk: _Checker, node: dict, path: str, action_ids: set[str]) -> None:
    """Checks that apply to any element or object, wherever it is nested."""
    kind = node.get("type")
    if kind in _TEXT_TYPES:
        if not isinstance(node.get("text"), str) or not node["text"]:
            chk.add(f"{path} is an empty text object")
        return
    action_id = node.get("action_id")
    if action_id is not None:
        if not isinstance(action_id, str) or not action_id:
            chk.add(f"{path} action_id must be a non-empty string")
        elif len(action_id) > 255:
            chk.add(f"{path} action_id longer than 255 ({len(action_id)} chars)")
        elif action_id in action_ids:
            chk.add(f"{path} duplicate action_id {action_id!r} in the same block")
        else:
            action_ids.add(action_id)
    if kind == "button":
        if node.get("text") is None:
            chk.add(f"{path} needs text")
        _plain(chk, node.get("text"), 75, f"{path} text")
        for key, limit in (("value", 2000), ("url", 3000)):
            value = node.get(key)
            if isinstance(value, str) and len(value) > limit:
                chk.add(f"{path} {key} longer than {limit} ({len(value)} chars)")
    elif kind == "image":
        _check_image(chk, node, path)
    if "options" in node:
        maximum = {"overflow": 5, "checkboxes": 10, "radio_buttons": 10}.get(str(kind), 100)
        _check_options(chk, node["options"], path, maximum)
    groups = node.get("option_groups")
    if isinstance(groups, list):
        if len(groups) > 100:
            chk.add(f"{path} has {len(groups)} option_groups, more than 100")
        for g, group in enumerate(groups):
            if isinstance(group, dict):
                _limit(chk, group.get("label"), 75, f"{path} option_groups[{g}] label")
                _check_options(chk, group.get("options"), f"{path} option_groups[{g}]", 100)
    confirm = node.get("confirm")
    # A confirm dialog also has a "confirm" key, holding a text object: skip that one.
    if isinstance(confirm, dict) and confirm.get("type") not in _TEXT_TYPES:
        for key, limit in (("title", 100), ("text", 300), ("confirm", 30), ("deny", 30)):
            _limit(chk, confirm.get(key), limit, f"{path} confirm {key}")
    if "placeholder" in node:
        _plain(chk, node["placeholder"], 150, f"{path} placeholder")


def _child_path(path: str, key: str, value: dict) -> str:
    """Readable path of a nested object: `blocks[2] actions elements[0] button`."""
    kind = value.get("type")
    if isinstance(kind, str) and kind not in _TEXT_TYPES:
        return f"{path} {key} {kind}"
    return f"{path} {key}"


def _walk(chk: _Checker, node: dict, path: str, action_ids: set[str]) -> None:
    """Run `_check_node` on a dict and everything nested in it."""
    _check_node(chk, node, path, action_ids)
    for key, value in node.items():
        if isinstance(value, dict):
            _walk(chk, value, _child_path(path, key, value), action_ids)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    _walk(chk, item, _child_path(path, f"{key}[{i}]", item), action_ids)


def _check_block_shape(chk: _Checker, block: dict, label: str) -> None:
    """Per-type limits from SLACK.md, checked on the raw dict."""
    kind = block["type"]
    if kind == "section":
        _limit(chk, block.get("text"), 3000, f"{label} text")
        fields = block.get("fields")
        if isinstance(fields, list):
            if len(fields) > 10:
                chk.add(f"{label} has {len(fields)} fields, more than 10")
            for j, item in enumerate(fields):
                _limit(chk, item, 2000, f"{label} fields[{j}]")
        if block.get("text") is None and not fields:
            chk.add(f"{label} needs text or fields")
    elif kind == "header":
        if block.get("text") is None:
            chk.add(f"{label} needs text")
        _plain(chk, block.get("text"), 150, f"{label} text")
    elif kind in ("context", "actions"):
        maximum = 10 if kind == "context" else 25
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            chk.add(f"{label} needs a non-empty elements array")
        elif len(elements) > maximum:
            chk.add(f"{label} has {len(elements)} elements, more than {maximum}")
    elif kind == "input":
        if block.get("label") is None:
            chk.add(f"{label} needs a label")
        if not isinstance(block.get("element"), dict):
            chk.add(f"{label} needs an element")
        _plain(chk, block.get("label"), 2000, f"{label} label")
        _plain(chk, block.get("hint"), 2000, f"{label} hint")


def _dropped(sent: Any, dumped: Any, path: str) -> Iterator[str]:
    """Yield what slack_sdk's model lost or had to coerce when re-dumping `sent`."""
    if isinstance(sent, dict) and isinstance(dumped, dict):
        for key, value in sent.items():
            # The models omit null and empty values; those are not misspellings.
            if value is None or value == "" or value == [] or value == {}:
                continue
            if key not in dumped:
                yield (
                    f"{path} has unknown field {key!r} "
                    "(slack_sdk's model dropped it: misspelled or unsupported)"
                )
            else:
                yield from _dropped(value, dumped[key], f"{path} {key}")
    elif isinstance(sent, list) and isinstance(dumped, list):
        if len(sent) != len(dumped):
            yield f"{path} lost items when parsed by slack_sdk"
            return
        for i, (item, back) in enumerate(zip(sent, dumped, strict=True)):
            if back is None and item is not None:
                kind = item.get("type") if isinstance(item, dict) else item
                yield f"{path}[{i}] {kind!r} is not an element type slack_sdk knows"
            else:
                yield from _dropped(item, back, f"{path}[{i}]")
    elif isinstance(sent, str) and isinstance(dumped, dict):
        yield f"{path} must be a text object, not a string"


def _roundtrip(
    chk: _Checker, sent: dict, parse: Callable[[dict], Any], label: str, quiet: bool
) -> None:
    """Parse `sent` with a slack_sdk model, dump it back and report what did not survive."""
    try:
        model = parse(copy.deepcopy(sent))
    except Exception as exc:  # the models raise TypeError for a missing required field
        if not quiet:
            chk.add(f"{label} rejected by slack_sdk: {exc}")
        return
    if model is None:
        chk.add(f"{label} is not a block type slack_sdk knows")
        return
    try:
        dumped = json.loads(json.dumps(model.to_dict(), default=str))
    except Exception as exc:  # SlackObjectFormationError carries the limit that was broken
        if not quiet:
            chk.add(f"{label} {exc}")
        return
    for message in _dropped(sent, dumped, label):
        chk.add(message)


def _check_blocks(chk: _Checker, blocks: Any, where: str, max_blocks: int) -> None:
    """Check an array of blocks: count, block_ids, per-block limits and a model round trip."""
    if not isinstance(blocks, list):
        chk.add(f"{where} must be a JSON array of blocks", code="invalid_blocks_format")
        return
    if len(blocks) > max_blocks:
        chk.add(f"{where} has {len(blocks)} blocks, more than {max_blocks}")
    seen: set[str] = set()
    for i, block in enumerate(blocks):
        path = f"{where}[{i}]"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            chk.add(f"{path} is not a block object with a type")
            continue
        label = f"{path} {block['type']}"
        before = len(chk.issues)
        block_id = block.get("block_id")
        if block_id is not None:
            if not isinstance(block_id, str) or not block_id:
                chk.add(f"{label} block_id must be a non-empty string")
            elif len(block_id) > 255:
                chk.add(f"{label} block_id longer than 255 ({len(block_id)} chars)")
            elif block_id in seen:
                chk.add(f"{label} duplicate block_id {block_id!r}")
            seen.add(str(block_id))
        _check_block_shape(chk, block, label)
        _walk(chk, block, label, set())
        # Our own message is more precise than the model's for the same fault: report one.
        _roundtrip(chk, block, Block.parse, label, quiet=len(chk.issues) > before)


def _check_message_blocks(chk: _Checker, blocks: Any, where: str = "blocks") -> None:
    """Message rules: the block checks plus Slack's ~13k serialized-size ceiling."""
    _check_blocks(chk, blocks, where, _MESSAGE_MAX_BLOCKS)
    if isinstance(blocks, list):
        size = len(json.dumps(blocks, separators=(",", ":"), ensure_ascii=False, default=str))
        if size > _MESSAGE_MAX_BLOCKS_CHARS:
            chk.add(
                f"{where} serialize to {size} chars, more than {_MESSAGE_MAX_BLOCKS_CHARS}",
                code="msg_blocks_too_long",
            )


def block_problems(blocks: Any, *, where: str = "blocks") -> list[str]:
    """Validate a message's blocks the way LocalSlack does; return human readable problems."""
    chk = _Checker("invalid_blocks")
    _check_message_blocks(chk, blocks, where)
    return [message for _, message in chk.issues]


def _check_view(chk: _Checker, view: dict, expected: str | None) -> None:
    """Check a modal or Home tab view against SLACK.md's rules and slack_sdk's View model."""
    before = len(chk.issues)
    kind = view.get("type")
    if kind not in ("modal", "home"):
        chk.add(f"view type must be 'modal' or 'home', not {kind!r}")
    elif expected and kind != expected:
        chk.add(f"view type must be {expected!r} here, not {kind!r}")
    for key in ("title", "submit", "close"):
        if view.get(key) is not None:
            _plain(chk, view[key], 24, f"view {key}")
    if kind == "modal" and not view.get("title"):
        chk.add("view: a modal needs a title")
    if kind == "home" and (view.get("submit") or view.get("close")):
        chk.add("view: a home tab cannot have submit or close")
    for key, limit in (("private_metadata", 3000), ("callback_id", 255), ("external_id", 255)):
        value = view.get(key)
        if value is not None and not isinstance(value, str):
            chk.add(f"view {key} must be a string")
        elif isinstance(value, str) and len(value) > limit:
            chk.add(f"view {key} longer than {limit} ({len(value)} chars)")
    blocks = view.get("blocks", [])
    has_input = isinstance(blocks, list) and any(
        isinstance(b, dict) and b.get("type") == "input" for b in blocks
    )
    if kind == "modal" and has_input and not view.get("submit"):
        chk.add("view: a modal with input blocks needs submit")
    own_issues = len(chk.issues) > before
    _check_blocks(chk, blocks, "blocks", _VIEW_MAX_BLOCKS)
    # Blocks were checked one by one above, so the model gets a stand-in block (it also
    # insists on at least one, which Slack does not); only the view's own fields are compared.
    # Read-only fields copied from a payload's view are not the app's misspellings either.
    head = {k: v for k, v in view.items() if k != "blocks" and k not in _VIEW_READ_ONLY}
    stub = [{"type": "divider"}]
    _roundtrip(chk, head, lambda d: View(**d, blocks=stub), "view", quiet=own_issues)


def view_problems(view: Any, *, expected_type: str | None = None) -> list[str]:
    """Validate a view the way LocalSlack does; return human readable problems."""
    if not isinstance(view, dict):
        return ["view must be a JSON object"]
    chk = _Checker("invalid_arguments")
    _check_view(chk, view, expected_type)
    return [message for _, message in chk.issues]


def _stateful_elements(blocks: Any) -> Iterator[tuple[str, str, str]]:
    """(block_id, action_id, type) of every element of a view that can hold state: inputs,
    and elements of actions blocks and section accessories. Blocks without a block_id get
    a fresh one from Slack, so they never keep state."""
    for block in blocks if isinstance(blocks, list) else []:
        if not isinstance(block, dict) or not block.get("block_id"):
            continue
        kind = block.get("type")
        if kind == "input":
            elements = [block.get("element")]
        elif kind == "actions":
            elements = list(block.get("elements") or [])
        elif kind == "section":
            elements = [block.get("accessory")]
        else:
            continue
        for el in elements:
            if isinstance(el, dict) and el.get("action_id"):
                yield str(block["block_id"]), str(el["action_id"]), str(el.get("type", ""))


def _kept_state(previous: dict, blocks: Any) -> dict:
    """What a views.update keeps of the old view's state.values: the entries of elements whose
    block_id, action_id and type are unchanged. (Slack shows those elements with what was
    entered, not with the new view's initial value; a new block_id resets one.)"""
    old = (previous.get("state") or {}).get("values") or {}
    kept: dict[str, dict] = {}
    for block_id, action_id, kind in _stateful_elements(blocks):
        entry = (old.get(block_id) or {}).get(action_id)
        if isinstance(entry, dict) and entry.get("type") == kind:
            kept.setdefault(block_id, {})[action_id] = copy.deepcopy(entry)
    return kept


# ---------------------------------------------------------------------------
# HTTP plumbing
# ---------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its LocalSlack."""

    daemon_threads = True
    local: LocalSlack


class _Handler(BaseHTTPRequestHandler):
    """Routes every request to `LocalSlack._route`."""

    server: _Server

    def do_GET(self) -> None:
        """Serve a GET (slack_sdk sends some read methods as GET with a query string)."""
        if urlsplit(self.path).path == _SOCKET_PATH:
            self.close_connection = True  # a WebSocket owns the connection until it ends
            self.server.local._websocket(self)
            return
        self._serve()

    def do_POST(self) -> None:
        """Serve a POST."""
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the per-request log out of test output."""
        logger.debug("local slack: " + format, *args)

    def _serve(self) -> None:
        """Read the request, let LocalSlack answer it, write the response."""
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            status, headers, payload = self.server.local._route(
                self.command, parts.path, parts.query, self.headers, body
            )
        except Exception as exc:  # a bug here must surface, not hang the client
            logger.exception("LocalSlack failed to answer %s", self.path)
            self.server.local._problem(f"{parts.path}: LocalSlack crashed: {exc!r}")
            status, headers = 500, {"Content-Type": "application/json"}
            payload = b'{"ok": false, "error": "internal_error"}'
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def _basic_credentials(header: str) -> tuple[str, str] | None:
    """(user, password) of an `Authorization: Basic …` header, None for anything else."""
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def _decode_body(content_type: str, body: bytes) -> dict:
    """Decode a JSON or form-encoded body into a dict."""
    ctype = content_type.split(";")[0].strip().lower()
    if not body:
        return {}
    if ctype == "application/json":
        data = json.loads(body.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("the JSON body must be an object")
        return data
    if ctype == "multipart/form-data":
        return {}  # only the retired files.upload sends multipart; it is refused anyway
    return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))


# ---------------------------------------------------------------------------
# WebSocket plumbing (RFC 6455, the little Socket Mode needs)
# ---------------------------------------------------------------------------

_SOCKET_PATH = "/socket"
_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_WS_MAX_PAYLOAD = 16 * 1024 * 1024
_OP_CONTINUATION, _OP_TEXT, _OP_BINARY = 0x0, 0x1, 0x2
_OP_CLOSE, _OP_PING, _OP_PONG = 0x8, 0x9, 0xA


class _WebSocketError(Exception):
    """The peer broke the protocol."""


class _WebSocketClosed(_WebSocketError):
    """The connection ended (possibly mid-frame)."""


def _ws_accept(key: str) -> str:
    """The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key."""
    digest = hashlib.sha1((key.strip() + _WS_GUID).encode("ascii")).digest()
    return base64.b64encode(digest).decode("ascii")


def _ws_frame(opcode: int, data: bytes) -> bytes:
    """One final, unmasked frame (servers never mask)."""
    n = len(data)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
    return head + data


def _unmask(data: bytes, key: bytes) -> bytes:
    """XOR `data` with the 4-byte masking key."""
    if not data:
        return data
    stream = (key * (len(data) // 4 + 1))[: len(data)]
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(data), "big")


def _read_exact(rfile: BinaryIO, n: int) -> bytes:
    """Exactly `n` bytes, or _WebSocketClosed when the connection ends first."""
    data = rfile.read(n) if n else b""
    if len(data) < n:
        raise _WebSocketClosed("connection closed")
    return data


def _read_ws_frame(rfile: BinaryIO) -> tuple[bool, int, bool, bytes]:
    """(fin, opcode, masked, unmasked payload) of the next frame."""
    b1, b2 = _read_exact(rfile, 2)
    if b1 & 0x70:
        raise _WebSocketError("reserved bits set without a negotiated extension")
    fin, opcode, masked, n = bool(b1 & 0x80), b1 & 0x0F, bool(b2 & 0x80), b2 & 0x7F
    if n == 126:
        (n,) = struct.unpack("!H", _read_exact(rfile, 2))
    elif n == 127:
        (n,) = struct.unpack("!Q", _read_exact(rfile, 8))
    if opcode >= _OP_CLOSE and (n > 125 or not fin):
        raise _WebSocketError(f"control frame {opcode:#x} fragmented or longer than 125 bytes")
    if n > _WS_MAX_PAYLOAD:
        raise _WebSocketError(f"frame of {n} bytes is more than {_WS_MAX_PAYLOAD}")
    key = _read_exact(rfile, 4) if masked else b""
    data = _read_exact(rfile, n)
    return fin, opcode, masked, _unmask(data, key) if masked else data


class _SocketConnection:
    """One Socket Mode client connected to the WebSocket endpoint."""

    def __init__(self, sock: socket.socket, rfile: BinaryIO, ticket: str, token: str | None):
        self.sock = sock
        self.rfile = rfile
        self.ticket = ticket
        self.token = token
        self.ready = False  # `hello` was sent
        self.open = True
        self.closed_by_server: tuple[int, str] | None = None
        self._send_lock = threading.Lock()

    def send(self, opcode: int, data: bytes) -> None:
        """Write one frame (OSError when the peer is gone)."""
        frame = _ws_frame(opcode, data)
        with self._send_lock:
            self.sock.sendall(frame)

    def send_json(self, message: dict) -> None:
        """Write one text frame holding `message` as JSON."""
        self.send(_OP_TEXT, json.dumps(message).encode("utf-8"))

    def close(self, code: int = 1001, reason: str = "") -> None:
        """Send a close frame (best effort) and end the connection, waking its reader."""
        self.closed_by_server = (code, reason)
        with contextlib.suppress(OSError):
            self.send(_OP_CLOSE, struct.pack("!H", code) + reason.encode("utf-8"))
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)


@dataclass
class _Envelope:
    """An envelope sent over Socket Mode and waiting for its ack."""

    envelope_type: str
    accepts_response_payload: bool
    sent: float
    ack: dict | None = None


# ---------------------------------------------------------------------------
# The stand-in
# ---------------------------------------------------------------------------


class LocalSlack:
    """An in-process HTTP server that answers Slack Web API calls and validates what it gets.

    It also plays Socket Mode: `apps.connections.open` (with an xapp- token) hands out a
    ws:// URL on the same port, where a client gets `hello` and then the envelopes sent
    with `socket_send`; connections and acks are recorded as "socket.connect",
    "socket.ack" and "socket.close" calls.
    """

    def __init__(
        self,
        *,
        team_id: str = "T0LOCAL",
        bot_user_id: str = "U0BOT",
        validate: bool = True,
        users: dict[str, dict] | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.validate = validate
        self.users: dict[str, dict] = dict(users or {})
        # OAuth: what each authorization code installs, e.g.
        # oauth_codes["code-1"] = {"team_id": "T0AAA", "user_id": "U0AAA"}; optional keys:
        # team_name, bot_user_id, scope, redirect_uri (must then match), rotating (bool),
        # expires_in (seconds, rotating tokens only). Each code works once.
        self.oauth_codes: dict[str, dict] = {}
        # When set, oauth.v2.access answers invalid_client_id / bad_client_secret to others.
        self.client_id = client_id
        self.client_secret = client_secret
        # Seconds since the epoch that new message timestamps follow (a test's FrozenClock,
        # say), so conversations.history's oldest/latest mean what they mean at Slack.
        # Without it, timestamps count up from 1700000000.
        self.clock = clock
        self._last_clock_micros = 0
        self._installs: dict[str, dict] = {}  # token issued by oauth.v2.access -> workspace
        self._refresh_tokens: dict[str, dict] = {}  # refresh token -> workspace
        self.calls: list[Call] = []
        self.problems: list[str] = []
        self.listeners: list[Callable[[Call], None]] = []
        # One re-entrant lock guards all state; the condition wakes `wait_for`.
        self._cond = threading.Condition(threading.RLock())
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._ids = itertools.count(1)
        self._ts = itertools.count(1)
        self._failures: dict[str, list[_Failure]] = {}
        self._views: dict[str, dict] = {}
        self._home_by_user: dict[str, str] = {}
        self._files: dict[str, dict] = {}
        self._response_posts: dict[str, int] = {}
        self._tickets: dict[str, str | None] = {}  # unused Socket Mode ticket -> app token
        self._sockets: list[_SocketConnection] = []
        self._envelopes: dict[str, _Envelope] = {}
        self._token: str | None = None  # token of the call being answered, under the lock
        self._methods: dict[str, Callable[[str, dict], dict]] = {
            "auth.test": self._auth_test,
            "oauth.v2.access": self._oauth_v2_access,
            "apps.connections.open": self._apps_connections_open,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "chat.scheduleMessage": self._chat_schedule_message,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "conversations.history": self._conversations_history,
            "conversations.join": self._conversations_info,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "team.info": self._team_info,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
        }

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> LocalSlack:
        """Start serving on an ephemeral 127.0.0.1 port from a daemon thread."""
        if self._server is None:
            self._server = _Server(("127.0.0.1", 0), _Handler)
            self._server.local = self
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="local-slack",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (Socket Mode clients get a close frame first)."""
        self.socket_close(1001, "server stopping")
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> LocalSlack:
        """Start the server for a `with` block."""
        return self.start()

    def __exit__(self, *exc: object) -> None:
        """Stop the server at the end of a `with` block."""
        self.stop()

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>` of the running server."""
        if self._server is None:
            raise RuntimeError("LocalSlack is not started: call start() first")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        """Web API base URL for `WebClient(base_url=...)`, with its trailing slash."""
        return f"{self.base_url}/api/"

    def response_url(self, key: str = "") -> str:
        """A response_url that records what is posted to it (a fresh key if none is given)."""
        return f"{self.base_url}/response/{key or uuid.uuid4().hex[:12]}"

    # -- inspection --------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        """Calls to one method, in order."""
        with self._cond:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until `count` calls to `method` arrived; AssertionError after `timeout`."""
        with self._cond:
            done = self._cond.wait_for(lambda: len(self.calls_to(method)) >= count, timeout)
            if not done:
                got = ", ".join(call.method for call in self.calls) or "nothing"
                raise AssertionError(
                    f"expected {count} call(s) to {method} within {timeout}s, "
                    f"got {len(self.calls_to(method))}; received: {got}"
                )
            return self.calls_to(method)

    def assert_no_problems(self) -> None:
        """Raise AssertionError listing every validation problem seen so far."""
        with self._cond:
            problems = list(self.problems)
        if problems:
            listing = "\n".join(f"- {p}" for p in problems)
            raise AssertionError(f"LocalSlack saw {len(problems)} problem(s):\n{listing}")

    def views(self) -> dict[str, dict]:
        """Latest version of every opened, pushed, updated or published view, by view id."""
        with self._cond:
            return copy.deepcopy(self._views)

    def set_view_state(self, view_id: str, values: dict) -> None:
        """Hold what the person has entered in an open view so far, as Slack does on its side:
        `values` is `state.values` ({block_id: {action_id: {"type": …, "value": …}}}).

        `views()` shows it, and a views.update keeps the entries of elements whose block_id,
        action_id and type the new view still has (Slack's "preserving input entry"); every
        other entry is dropped. KeyError for a view that was never opened here.
        """
        if not isinstance(values, dict):
            raise TypeError("values must be a dict of block_id -> action_id -> state entry")
        with self._cond:
            view = self._views.get(view_id)
            if view is None:
                raise KeyError(f"no view {view_id!r} was opened, pushed or published here")
            view["state"] = {"values": copy.deepcopy(values)}

    def file_name(self, file_id: str) -> str | None:
        """The file name given when the upload began (files.getUploadURLExternal)."""
        with self._cond:
            return self._files.get(file_id, {}).get("name")

    def file_bytes(self, file_id: str) -> bytes:
        """Bytes uploaded for a file via its upload URL."""
        with self._cond:
            data = self._files.get(file_id, {}).get("bytes")
        if data is None:
            raise KeyError(f"no bytes were uploaded for file {file_id!r}")
        return data

    def fail_next(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls to `method` fail (429 + Retry-After, 5xx, or ok:false)."""
        with self._cond:
            failure = _Failure(status, error, retry_after, times)
            self._failures.setdefault(method, []).append(failure)

    def reset(self) -> None:
        """Forget recorded calls and problems (views, files and queued failures stay)."""
        with self._cond:
            self.calls.clear()
            self.problems.clear()

    # -- Socket Mode -------------------------------------------------------------------------

    @property
    def socket_connections(self) -> int:
        """How many Socket Mode clients are connected (and got `hello`) right now."""
        with self._cond:
            return sum(1 for conn in self._sockets if conn.ready and conn.open)

    def wait_for_socket(self, timeout: float = 10.0) -> Call:
        """Block until a Socket Mode client is connected and got `hello`; its socket.connect.

        AssertionError after `timeout`, naming what did arrive (a refused apps.connections.open,
        say).
        """

        def connected() -> Call | None:
            # The call is recorded just after the connection turns ready: wait for both.
            live = {conn.ticket for conn in self._sockets if conn.ready and conn.open}
            calls = reversed(self.calls_to("socket.connect"))
            return next((c for c in calls if c.result["ok"] and c.args["ticket"] in live), None)

        with self._cond:
            if not self._cond.wait_for(lambda: connected() is not None, timeout):
                got = ", ".join(call.method for call in self.calls) or "nothing"
                raise AssertionError(
                    f"no Socket Mode client connected within {timeout}s; received: {got}"
                )
            call = connected()
            assert call is not None
            return call

    def socket_send(
        self,
        envelope_type: str,
        payload: dict,
        *,
        accepts_response_payload: bool | None = None,
        timeout: float = 5.0,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> dict | None:
        """Send an envelope to the newest connected client and wait for its ack.

        `envelope_type` is "slash_commands", "interactive" or "events_api"; `payload` is what
        Slack would POST in HTTP mode, as a dict (a slash command's form fields; the JSON
        object of an interactive `payload=` or an event callback). `accepts_response_payload`
        defaults to Slack's: false for events_api, true otherwise. Returns the ack's payload
        ({} for a bare ack), or None when no ack came within `timeout` (also a problem; an ack
        later than 3 s is a problem too). AssertionError when no client is connected.
        """
        if accepts_response_payload is None:
            accepts_response_payload = envelope_type != "events_api"
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if envelope_type == "events_api":
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = retry_reason
        with self._cond:
            live = [conn for conn in self._sockets if conn.ready and conn.open]
            if not live:
                raise AssertionError("no Socket Mode client is connected: call wait_for_socket()")
            conn = live[-1]
            pending = _Envelope(envelope_type, accepts_response_payload, time.monotonic())
            self._envelopes[envelope_id] = pending
        try:
            conn.send_json(envelope)
        except OSError as exc:
            with self._cond:
                self._envelopes.pop(envelope_id, None)
            raise AssertionError(f"could not send the envelope to the client: {exc!r}") from exc
        with self._cond:
            acked = self._cond.wait_for(lambda: pending.ack is not None, timeout)
        if not acked:  # a late ack is still recorded, with its delay, and flagged as late
            self._problem(
                f"socket: {envelope_type} envelope {envelope_id} not acknowledged within "
                f"{timeout}s (Slack waits {_ACK_LIMIT:g} s)"
            )
            return None
        return copy.deepcopy(pending.ack)

    def socket_disconnect(self, reason: str = "refresh_requested") -> None:
        """Send Slack's `disconnect` message to every client (it should reconnect)."""
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": "local"}}
        with self._cond:
            live = [conn for conn in self._sockets if conn.open]
        for conn in live:
            with contextlib.suppress(OSError):
                conn.send_json(message)

    def socket_close(self, code: int = 1001, reason: str = "") -> None:
        """Close every Socket Mode connection from the server side, as Slack does now and then.

        A client with auto-reconnect opens a new one (a new apps.connections.open).
        """
        with self._cond:
            live = list(self._sockets)
        for conn in live:
            conn.close(code, reason)

    # -- recording ---------------------------------------------------------------------------

    def _problem(self, message: str) -> None:
        """Record a validation problem."""
        logger.warning("LocalSlack problem: %s", message)
        with self._cond:
            self.problems.append(message)

    def _record(self, call: Call) -> None:
        """Append a call, wake waiters, then tell listeners (outside the lock)."""
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()
            listeners = list(self.listeners)
        for listener in listeners:
            try:
                listener(call)
            except Exception:  # a broken renderer must not break the app under test
                logger.exception("LocalSlack listener failed on %s", call.method)

    def _take_failure(self, method: str) -> tuple[int, dict[str, str], dict] | None:
        """Pop a queued failure for `method`, shaped as (status, headers, body)."""
        with self._cond:
            queue = self._failures.get(method)
            if not queue:
                return None
            failure = queue[0]
            failure.times -= 1
            if failure.times <= 0:
                queue.pop(0)
        default = {429: "ratelimited"}.get(failure.status, "internal_error")
        headers = {}
        if failure.retry_after is not None:
            headers["Retry-After"] = str(failure.retry_after)
        return failure.status, headers, {"ok": False, "error": failure.error or default}

    def _fail(self, method: str, error: str, message: str) -> dict:
        """An ok:false answer for a mistake in the app's call, recorded as a problem."""
        self._problem(f"{method}: {message}")
        return {"ok": False, "error": error}

    def _reject(self, method: str, chk: _Checker) -> dict | None:
        """Turn validation issues into problems and Slack's ok:false answer."""
        if not chk.issues:
            return None
        for _, message in chk.issues:
            self._problem(f"{method}: {message}")
        return {
            "ok": False,
            "error": chk.issues[0][0],
            "response_metadata": {"messages": [f"[ERROR] {m}" for _, m in chk.issues]},
        }

    # -- routing -----------------------------------------------------------------------------

    def _route(
        self, verb: str, path: str, query: str, headers: Message, body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one HTTP request."""
        if path.startswith("/api/"):
            status, out_headers, result = self._api(path[5:], query, headers, body)
        elif path.startswith("/response/") and verb == "POST":
            status, out_headers, result = self._respond(unquote(path[10:]), headers, body)
        elif path.startswith("/upload/") and verb == "POST":
            status, out_headers, result = self._upload(unquote(path[8:]), body)
        elif path.startswith("/files/") and verb == "GET":
            # url_private of uploaded files, so the shell can show or save them.
            with self._cond:
                data = self._files.get(unquote(path[7:]).split("/")[0], {}).get("bytes")
            if data is not None:
                return 200, {"Content-Type": "application/octet-stream"}, data
            status, out_headers, result = 404, {}, {"ok": False, "error": "file_not_found"}
        else:
            status, out_headers, result = 404, {}, {"ok": False, "error": "not_found"}
        out_headers = {"Content-Type": "application/json; charset=utf-8", **out_headers}
        return status, out_headers, json.dumps(result).encode("utf-8")

    def _args(self, query: str, headers: Message, body: bytes) -> dict:
        """Merge query string and body arguments; json-decode JSON-string fields."""
        args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        args.update(_decode_body(headers.get("Content-Type", ""), body))
        for key in _JSON_FIELDS:
            value = args.get(key)
            if isinstance(value, str) and value.strip():
                # A bad one stays a string; validation reports the bad format.
                with contextlib.suppress(ValueError):
                    args[key] = json.loads(value)
        return args

    def _api(
        self, method: str, query: str, headers: Message, body: bytes
    ) -> tuple[int, dict[str, str], dict]:
        """Answer a Web API method call."""
        status: int = 200
        out_headers: dict[str, str] = {}
        try:
            args = self._args(query, headers, body)
        except ValueError as exc:
            args = {}
            result = self._fail(method, "invalid_json", f"could not decode the body: {exc}")
            self._record(Call(method, args, None, result))
            return status, out_headers, result
        auth = headers.get("Authorization", "")
        form_token = args.pop("token", None)
        if method == "oauth.v2.access":
            return self._oauth_api(method, args, auth)
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else form_token
        token = token or None
        if token is None:
            result = self._fail(method, "not_authed", "called without a token")
        elif (expired := self._expired(token)) is not None:
            result = expired
        elif (refusal := self._token_refusal(method, token)) is not None:
            result = refusal
        elif (failure := self._take_failure(method)) is not None:
            status, out_headers, result = failure
        elif method not in self._methods:
            hint = " (retired: use files_upload_v2)" if method == "files.upload" else ""
            result = self._fail(method, "unknown_method", f"unknown method{hint}")
        else:
            with self._cond:
                self._token = token
                result = self._methods[method](method, args)
        self._record(Call(method, args, token, result, status))
        return status, out_headers, result

    def _token_refusal(self, method: str, token: str) -> dict | None:
        """Slack's answer to the wrong kind of token: app-level tokens only open sockets."""
        is_app_token = token.startswith("xapp-")
        if method == "apps.connections.open":
            if is_app_token:
                return None
            if token.startswith(("xoxb-", "xoxp-", "xoxe.", "xoxa-")):
                return self._fail(
                    method,
                    "not_allowed_token_type",
                    "needs an app-level token (xapp-…, connections:write), got a bot or user token",
                )
            return self._fail(method, "invalid_auth", "needs an app-level token (xapp-…)")
        if is_app_token:
            return self._fail(
                method,
                "not_allowed_token_type",
                "an app-level token (xapp-…) can only open Socket Mode connections",
            )
        return None

    # -- OAuth -------------------------------------------------------------------------------

    def installed_team(self, token: str) -> str | None:
        """The workspace a token issued by oauth.v2.access belongs to (None for others)."""
        with self._cond:
            info = self._installs.get(token)
        return info["team_id"] if info is not None else None

    def _oauth_api(self, method: str, args: dict, auth: str) -> tuple[int, dict[str, str], dict]:
        """oauth.v2.access authenticates with the app's client id and secret, not a token:
        HTTP Basic (what slack_sdk sends) or client_id/client_secret form fields. The call
        is recorded with the client_id however it came, never with the secret."""
        basic = _basic_credentials(auth)
        form_secret = args.pop("client_secret", None)
        if basic is not None:
            args.setdefault("client_id", basic[0])
        client_id, client_secret = basic or (args.get("client_id"), form_secret)
        status: int = 200
        out_headers: dict[str, str] = {}
        if (failure := self._take_failure(method)) is not None:
            status, out_headers, result = failure
        elif not client_id or not client_secret:
            result = self._fail(
                method,
                "invalid_client_id",
                "needs client_id and client_secret (HTTP Basic auth or form fields)",
            )
        elif self.client_id is not None and client_id != self.client_id:
            result = {"ok": False, "error": "invalid_client_id"}
        elif self.client_secret is not None and client_secret != self.client_secret:
            result = {"ok": False, "error": "bad_client_secret"}
        else:
            with self._cond:
                self._token = None
                result = self._methods[method](method, args)
        self._record(Call(method, args, None, result, status))
        return status, out_headers, result

    def _oauth_v2_access(self, method: str, args: dict) -> dict:
        """oauth.v2.access: exchange a code for a bot token, or refresh a rotating one."""
        if args.get("grant_type") == "refresh_token":
            workspace = self._refresh_tokens.get(str(args.get("refresh_token")))
            if workspace is None:
                return {"ok": False, "error": "invalid_refresh_token"}
            return self._issue(workspace)
        if args.get("grant_type") not in (None, "", "authorization_code"):
            return {"ok": False, "error": "invalid_grant_type"}
        if err := self._missing(method, args, "code"):
            return err
        grant = self.oauth_codes.pop(str(args["code"]), None)  # a code works once
        if grant is None:
            return {"ok": False, "error": "invalid_code"}
        expected_uri = grant.get("redirect_uri")
        if expected_uri is not None and args.get("redirect_uri") != expected_uri:
            return {"ok": False, "error": "bad_redirect_uri"}
        workspace = {
            **self._workspace_of(str(grant["team_id"])),
            "installer": str(grant.get("user_id") or "U0INSTALLER"),
            "scope": grant.get("scope") or _DEFAULT_GRANTED_SCOPES,
            "rotating": bool(grant.get("rotating")),
            "expires_in": int(grant.get("expires_in") or _ROTATING_TOKEN_LIFETIME),
        }
        for key in ("team_name", "bot_user_id"):
            workspace[key] = grant.get(key) or workspace[key]
        return self._issue(workspace)

    def _issue(self, workspace: dict) -> dict:
        """A fresh bot token (and refresh token when rotating) for a workspace."""
        team_id = workspace["team_id"]
        token = f"xoxb-{team_id}-{uuid.uuid4().hex[:12]}-{uuid.uuid4().hex}"
        result: dict[str, Any] = {
            "ok": True,
            "app_id": APP_ID,
            "authed_user": {"id": workspace["installer"]},
            "scope": workspace["scope"],
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": workspace["bot_user_id"],
            "team": {"id": team_id, "name": workspace["team_name"]},
            "enterprise": None,
            "is_enterprise_install": False,
        }
        expires_at = None
        if workspace["rotating"]:
            refresh = f"xoxe-1-{team_id}-{uuid.uuid4().hex}"
            self._refresh_tokens[refresh] = workspace
            expires_at = time.time() + workspace["expires_in"]
            result.update(refresh_token=refresh, expires_in=workspace["expires_in"])
        self._installs[token] = {**workspace, "expires_at": expires_at}
        return result

    def _expired(self, token: str) -> dict | None:
        """Slack's answer to a rotating token past its expiry."""
        with self._cond:
            info = self._installs.get(token)
        expires_at = info["expires_at"] if info is not None else None
        if expires_at is not None and time.time() >= expires_at:
            return {"ok": False, "error": "token_expired"}
        return None

    def _workspace_of(self, team_id: str) -> dict:
        """Names and bot ids of a workspace: the configured one, or made up from its id."""
        if team_id == self.team_id:
            return {
                "team_id": team_id,
                "team_name": TEAM_NAME,
                "bot_user_id": self.bot_user_id,
                "bot_id": BOT_ID,
            }
        return {
            "team_id": team_id,
            "team_name": f"Workspace {team_id}",
            "bot_user_id": f"U{team_id[1:]}BOT",
            "bot_id": f"B{team_id[1:]}BOT",
        }

    def _workspace(self) -> dict:
        """The workspace of the call being answered: where its token was installed (or the
        team a bot token names, xoxb-T…-…); the configured workspace for any other token."""
        token = self._token or ""
        info = self._installs.get(token)
        if info is not None:
            return info
        match = _TEAM_IN_TOKEN.match(token)
        return self._workspace_of(match.group(1) if match else self.team_id)

    # -- messages ----------------------------------------------------------------------------

    def _next_ts(self) -> str:
        """A unique, increasing message timestamp like 1700000000.000100."""
        micros = next(self._ts) * 100
        if self.clock is not None:
            micros = max(int(self.clock() * 1_000_000), self._last_clock_micros + 1)
            self._last_clock_micros = micros
            return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"
        return f"{1700000000 + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _new_id(self, prefix: str) -> str:
        """A unique Slack-style id such as V00000003."""
        return f"{prefix}{next(self._ids):08d}"

    def _file_state(self, file_id: str) -> str | None:
        """'shared', 'private' (uploaded, in no channel) or None for files we never saw."""
        info = self._files.get(file_id)
        if info is None:
            return None
        return "shared" if info["channels"] else "private"

    def _missing(self, method: str, args: dict, *names: str) -> dict | None:
        """An invalid_arguments answer when a required argument is absent."""
        for name in names:
            if args.get(name) in (None, "", []):
                return self._fail(method, "invalid_arguments", f"missing argument {name!r}")
        return None

    def _check_message(self, method: str, args: dict) -> dict | None:
        """Validate a message payload; an error answer, or None when it is fine."""
        if not any(args.get(key) for key in ("text", "blocks", "attachments")):
            return self._fail(method, "no_text", "needs text, blocks or attachments")
        if not self.validate:
            return None
        chk = _Checker("invalid_blocks", self._file_state)
        blocks = args.get("blocks")
        if blocks is not None:
            _check_message_blocks(chk, blocks)
            text = args.get("text")
            if not isinstance(text, str) or not text.strip():
                # Slack itself accepts this, so the call succeeds; it is still our bug.
                self._problem(
                    f"{method}: blocks without a non-empty `text` fallback "
                    "(needed for notifications and screen readers)"
                )
        attachments = args.get("attachments")
        if isinstance(attachments, list):
            for i, attachment in enumerate(attachments):
                if isinstance(attachment, dict) and "blocks" in attachment:
                    _check_message_blocks(chk, attachment["blocks"], f"attachments[{i}] blocks")
        elif attachments is not None:
            chk.add("attachments must be a JSON array")
        return self._reject(method, chk)

    def _channel(self, args: dict) -> str:
        """The channel a message lands in: posting to a user ID goes to the DM with the bot."""
        channel = str(args.get("channel", ""))
        return f"D{channel}" if channel[:1] in ("U", "W") else channel

    def _message(self, args: dict, ts: str) -> dict:
        """The message object Slack echoes back."""
        workspace = self._workspace()
        message = {
            "type": "message",
            "user": workspace["bot_user_id"],
            "bot_id": workspace["bot_id"],
            "app_id": APP_ID,
            "team": workspace["team_id"],
            "text": args.get("text") or "",
            "blocks": args.get("blocks") or [],
            "ts": ts,
        }
        for key in ("thread_ts", "attachments", "metadata"):
            if args.get(key):
                message[key] = args[key]
        return message

    def _chat_post_message(self, method: str, args: dict) -> dict:
        """chat.postMessage."""
        if err := self._missing(method, args, "channel") or self._check_message(method, args):
            return err
        ts = self._next_ts()
        return {
            "ok": True,
            "channel": self._channel(args),
            "ts": ts,
            "message": self._message(args, ts),
        }

    def _chat_post_ephemeral(self, method: str, args: dict) -> dict:
        """chat.postEphemeral."""
        if err := self._missing(method, args, "channel", "user") or self._check_message(
            method, args
        ):
            return err
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, method: str, args: dict) -> dict:
        """chat.update."""
        if err := self._missing(method, args, "channel", "ts") or self._check_message(method, args):
            return err
        return {
            "ok": True,
            "channel": args["channel"],
            "ts": args["ts"],
            "text": args.get("text") or "",
            "message": self._message(args, args["ts"]),
        }

    def _chat_delete(self, method: str, args: dict) -> dict:
        """chat.delete."""
        if err := self._missing(method, args, "channel", "ts"):
            return err
        return {"ok": True, "channel": args["channel"], "ts": args["ts"]}

    def _chat_get_permalink(self, method: str, args: dict) -> dict:
        """chat.getPermalink."""
        if err := self._missing(method, args, "channel", "message_ts"):
            return err
        stamp = str(args["message_ts"]).replace(".", "")
        link = f"{WEB_HOST}/archives/{args['channel']}/p{stamp}"
        return {"ok": True, "channel": args["channel"], "permalink": link}

    def _chat_schedule_message(self, method: str, args: dict) -> dict:
        """chat.scheduleMessage (post_at must be in the future and at most 120 days ahead)."""
        if err := self._missing(method, args, "channel", "post_at") or self._check_message(
            method, args
        ):
            return err
        try:
            post_at = int(float(args["post_at"]))
        except (TypeError, ValueError):
            return self._fail(method, "invalid_time", f"post_at {args['post_at']!r} is not a time")
        now = time.time()
        if post_at <= now:
            return {"ok": False, "error": "time_in_past"}
        if post_at > now + _SCHEDULE_MAX_AHEAD:
            return {"ok": False, "error": "time_too_far"}
        message = self._message(args, self._next_ts())
        return {
            "ok": True,
            "channel": self._channel(args),
            "post_at": post_at,
            "scheduled_message_id": self._new_id("Q"),
            "message": message,
        }

    def _respond(self, key: str, headers: Message, body: bytes) -> tuple[int, dict, dict]:
        """A post to a response_url (what Bolt's `respond()` sends)."""
        method = "response_url"
        try:
            args = _decode_body(headers.get("Content-Type", "") or "application/json", body)
        except ValueError as exc:
            result = self._fail(method, "invalid_payload", f"could not decode the body: {exc}")
            self._record(Call(method, {"response_key": key}, None, result, 400))
            return 400, {}, result
        args["response_key"] = key
        status: int = 200
        out_headers: dict[str, str] = {}
        with self._cond:
            self._response_posts[key] = posts = self._response_posts.get(key, 0) + 1
        if (failure := self._take_failure(method)) is not None:
            status, out_headers, result = failure
        elif posts > _RESPONSE_URL_MAX_POSTS:
            limit = _RESPONSE_URL_MAX_POSTS
            result = self._fail(method, "used_url", f"{key} used more than {limit} times")
        elif args.get("delete_original"):
            result = {"ok": True}
        else:
            with self._cond:
                result = self._check_message(method, args) or {"ok": True}
        self._record(Call(method, args, None, result, status))
        return status, out_headers, result

    # -- views -------------------------------------------------------------------------------

    def _check_view_arg(self, method: str, args: dict, expected: str) -> dict | None:
        """Validate the `view` argument; an error answer or None."""
        view = args.get("view")
        if not isinstance(view, dict):
            return self._fail(method, "invalid_arguments", "view must be a JSON object")
        if not self.validate:
            return None
        chk = _Checker("invalid_arguments", self._file_state)
        _check_view(chk, view, expected)
        return self._reject(method, chk)

    def _store_view(self, view: dict, view_id: str | None, previous: dict | None) -> dict:
        """Store the latest version of a view with the read-only fields Slack adds."""
        vid = view_id or self._new_id("V")
        workspace = self._workspace()
        stored: dict[str, Any] = {
            "id": vid,
            "team_id": workspace["team_id"],
            "type": view.get("type"),
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "title": None,
            "submit": None,
            "close": None,
            "clear_on_close": False,
            "notify_on_close": False,
            "previous_view_id": None,
            "root_view_id": vid,
            "app_id": APP_ID,
            "app_installed_team_id": workspace["team_id"],
            "bot_id": workspace["bot_id"],
        }
        stored.update(copy.deepcopy({k: v for k, v in view.items() if k not in _VIEW_READ_ONLY}))
        stored["state"] = {"values": {}}
        if previous is not None:
            stored["root_view_id"] = previous.get("root_view_id") or vid
            stored["previous_view_id"] = previous.get("previous_view_id")
            stored["state"] = {"values": _kept_state(previous, stored.get("blocks"))}
        stored["hash"] = f"{int(time.time())}.{uuid.uuid4().hex[:8]}"
        self._views[vid] = stored
        return copy.deepcopy(stored)

    def _find_external(self, external_id: str) -> dict | None:
        """The stored view with this external_id."""
        return next((v for v in self._views.values() if v.get("external_id") == external_id), None)

    def _views_open(self, method: str, args: dict) -> dict:
        """views.open and views.push: need a trigger_id."""
        trigger = args.get("trigger_id")
        if not isinstance(trigger, str) or not trigger.strip():
            return self._fail(method, "invalid_trigger_id", "needs a non-empty trigger_id")
        if err := self._check_view_arg(method, args, "modal"):
            return err
        external_id = args["view"].get("external_id")
        if external_id and self._find_external(external_id) is not None:
            return {"ok": False, "error": "duplicate_external_id"}
        return {"ok": True, "view": self._store_view(args["view"], None, None)}

    def _views_update(self, method: str, args: dict) -> dict:
        """views.update by view_id or external_id, refusing a stale hash."""
        view_id, external_id = args.get("view_id"), args.get("external_id")
        if not view_id and not external_id:
            return self._fail(method, "invalid_arguments", "needs view_id or external_id")
        existing = self._views.get(view_id) if view_id else self._find_external(str(external_id))
        # Checked as views.open checks a view; a modal stays a modal, a Home tab a Home tab.
        expected = str(existing.get("type") or "") if existing is not None else ""
        if err := self._check_view_arg(method, args, expected):
            return err
        if existing is None and not view_id:
            return {"ok": False, "error": "not_found"}
        given_hash = args.get("hash")
        if given_hash and existing is not None and given_hash != existing["hash"]:
            return {"ok": False, "error": "hash_conflict"}
        # An unknown view_id is accepted: tests build payloads around view ids they invented.
        target = existing["id"] if existing is not None else view_id
        return {"ok": True, "view": self._store_view(args["view"], target, existing)}

    def _views_publish(self, method: str, args: dict) -> dict:
        """views.publish: one App Home view per user."""
        if err := self._missing(method, args, "user_id") or self._check_view_arg(
            method, args, "home"
        ):
            return err
        existing_id = self._home_by_user.get(args["user_id"])
        existing = self._views.get(existing_id) if existing_id else None
        given_hash = args.get("hash")
        if given_hash and existing is not None and given_hash != existing["hash"]:
            return {"ok": False, "error": "hash_conflict"}
        stored = self._store_view(args["view"], existing_id, existing)
        self._home_by_user[args["user_id"]] = stored["id"]
        return {"ok": True, "view": stored}

    # -- workspace ---------------------------------------------------------------------------

    def _auth_test(self, method: str, args: dict) -> dict:
        """auth.test: answers for the workspace the token belongs to."""
        workspace = self._workspace()
        return {
            "ok": True,
            "url": f"{WEB_HOST}/",
            "team": workspace["team_name"],
            "user": "salesbot",
            "team_id": workspace["team_id"],
            "user_id": workspace["bot_user_id"],
            "bot_id": workspace["bot_id"],
            "is_enterprise_install": False,
        }

    def _user(self, user_id: str) -> dict:
        """A user from the `users` map, filled in with plausible defaults."""
        override = copy.deepcopy(self.users.get(user_id, {}))
        is_bot = user_id == self.bot_user_id
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": "salesbot" if is_bot else user_id.lower(),
            "real_name": "Salesbot" if is_bot else f"User {user_id}",
            "tz": "UTC",
            "tz_label": "Coordinated Universal Time",
            "tz_offset": 0,
            "is_bot": is_bot,
            "is_admin": False,
            "deleted": False,
        }
        profile = override.pop("profile", {})
        user.update(override)
        user["profile"] = {
            "display_name": user["name"],
            "real_name": user["real_name"],
            "email": f"{user['name']}@example.com",
            **profile,
        }
        return user

    def _users_info(self, method: str, args: dict) -> dict:
        """users.info."""
        if err := self._missing(method, args, "user"):
            return err
        return {"ok": True, "user": self._user(str(args["user"]))}

    def _users_list(self, method: str, args: dict) -> dict:
        """users.list: the configured users plus the bot, in one page."""
        ids = [*self.users, *([] if self.bot_user_id in self.users else [self.bot_user_id])]
        return {
            "ok": True,
            "members": [self._user(uid) for uid in ids],
            "response_metadata": {"next_cursor": ""},
        }

    def _team_info(self, method: str, args: dict) -> dict:
        """team.info."""
        workspace = self._workspace()
        return {
            "ok": True,
            "team": {
                "id": workspace["team_id"],
                "name": workspace["team_name"],
                "domain": "local",
                "email_domain": "example.com",
                "icon": {},
            },
        }

    def _conversations_open(self, method: str, args: dict) -> dict:
        """conversations.open: a DM is D<user>, a group DM a fresh G id."""
        raw = args.get("users") or []
        users = [u.strip() for u in raw.split(",") if u.strip()] if isinstance(raw, str) else raw
        if not users and not args.get("channel"):
            return self._fail(method, "invalid_arguments", "needs users or channel")
        if args.get("channel"):
            channel_id = str(args["channel"])
        elif len(users) == 1:
            channel_id = f"D{users[0]}"
        else:
            channel_id = self._new_id("G")
        return {"ok": True, "channel": {"id": channel_id}}

    def _conversations_info(self, method: str, args: dict) -> dict:
        """conversations.info and conversations.join."""
        if err := self._missing(method, args, "channel"):
            return err
        channel_id = str(args["channel"])
        is_im = channel_id.startswith("D")
        channel: dict[str, Any] = {
            "id": channel_id,
            "name": channel_id.lower(),
            "is_channel": channel_id[:1] == "C",
            "is_group": channel_id[:1] == "G",
            "is_im": is_im,
            "is_private": channel_id[:1] != "C",
            "is_member": True,
            "is_archived": False,
            "created": 1700000000,
        }
        if is_im:
            channel["user"] = channel_id[1:]
        return {"ok": True, "channel": channel}

    def _conversations_history(self, method: str, args: dict) -> dict:
        """conversations.history: what chat.postMessage put in the channel, newest first.

        Honours oldest/latest (exclusive unless `inclusive`), limit and cursor; message
        metadata is included only with include_all_metadata, as at Slack. Messages come
        from the recorded calls, so `reset()` forgets them too.
        """
        if err := self._missing(method, args, "channel"):
            return err
        channel = str(args["channel"])
        try:
            oldest = float(args.get("oldest") or 0)
            latest = float(args["latest"]) if args.get("latest") else float("inf")
            limit = min(max(int(args.get("limit") or 100), 1), 999)
            start = int(args.get("cursor") or 0)
        except (TypeError, ValueError):
            return self._fail(method, "invalid_arguments", "bad oldest, latest, limit or cursor")
        inclusive = str(args.get("inclusive", "")).lower() in ("1", "true")
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        found = []
        for call in self.calls_to("chat.postMessage"):
            message = call.result.get("message")
            if not call.result.get("ok") or call.result.get("channel") != channel or not message:
                continue
            ts = float(message["ts"])
            after = ts >= oldest if inclusive else ts > oldest
            before = ts <= latest if inclusive else ts < latest
            if after and before:
                shown = copy.deepcopy(message)
                if not with_metadata:
                    shown.pop("metadata", None)
                found.append(shown)
        found.sort(key=lambda m: float(m["ts"]), reverse=True)
        page = found[start : start + limit]
        more = start + limit < len(found)
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    # -- files -------------------------------------------------------------------------------

    def _files_get_upload_url(self, method: str, args: dict) -> dict:
        """files.getUploadURLExternal: hands out an upload URL on this server."""
        if err := self._missing(method, args, "filename", "length"):
            return err
        try:
            length = int(args["length"])
        except (TypeError, ValueError):
            return self._fail(method, "invalid_arguments", f"bad length {args['length']!r}")
        file_id = self._new_id("F")
        self._files[file_id] = {
            "id": file_id,
            "name": str(args["filename"]),
            "length": length,
            "bytes": None,
            "channels": [],
            "title": None,
        }
        return {"ok": True, "upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _upload(self, file_id: str, body: bytes) -> tuple[int, dict, dict]:
        """The POST of a file's bytes to its upload URL."""
        method = "upload"
        args = {"file_id": file_id, "length": len(body)}
        status: int = 200
        out_headers: dict[str, str] = {}
        if (failure := self._take_failure(method)) is not None:
            status, out_headers, result = failure
        else:
            with self._cond:
                info = self._files.get(file_id)
                if info is not None:
                    info["bytes"] = body
            if info is None:
                status = 404
                result = self._fail(method, "file_not_found", f"no upload URL issued for {file_id}")
            else:
                result = {"ok": True}
                if len(body) != info["length"]:
                    self._problem(
                        f"upload: {file_id} got {len(body)} bytes, "
                        f"files.getUploadURLExternal said {info['length']}"
                    )
        self._record(Call(method, args, None, result, status))
        return status, out_headers, result

    def _files_complete_upload(self, method: str, args: dict) -> dict:
        """files.completeUploadExternal: shares the uploaded files to the channel(s), if any."""
        if err := self._missing(method, args, "files"):
            return err
        entries = args["files"]
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            return self._fail(method, "invalid_arguments", "files must be a JSON array of objects")
        channels = args.get("channels") or []
        if isinstance(channels, str):
            channels = [c.strip() for c in channels.split(",") if c.strip()]
        if args.get("channel_id"):
            channels.insert(0, str(args["channel_id"]))
        done = []
        for entry in entries:
            info = self._files.get(str(entry.get("id")))
            if info is None or info["bytes"] is None:
                state = "unknown" if info is None else "never uploaded"
                return self._fail(method, "file_not_found", f"file {entry.get('id')!r} {state}")
            info["title"] = entry.get("title") or info["name"]
            info["channels"] = sorted({*info["channels"], *channels})
            done.append(self._file_object(info))
        return {"ok": True, "files": done}

    def _file_object(self, info: dict) -> dict:
        """The file object Slack returns."""
        mimetype = mimetypes.guess_type(info["name"])[0] or "application/octet-stream"
        return {
            "id": info["id"],
            "created": int(time.time()),
            "timestamp": int(time.time()),
            "name": info["name"],
            "title": info["title"],
            "mimetype": mimetype,
            "filetype": info["name"].rsplit(".", 1)[-1] if "." in info["name"] else "binary",
            "user": self.bot_user_id,
            "size": len(info["bytes"] or b""),
            "url_private": f"{self.base_url}/files/{info['id']}/{info['name']}",
            "permalink": f"{WEB_HOST}/files/{self.bot_user_id}/{info['id']}/{info['name']}",
            "channels": list(info["channels"]),
            "is_public": bool(info["channels"]),
        }

    # -- Socket Mode -------------------------------------------------------------------------

    def _apps_connections_open(self, method: str, args: dict) -> dict:
        """apps.connections.open: a single-use ws:// URL on this server."""
        ticket = uuid.uuid4().hex
        self._tickets[ticket] = self._token
        url = f"ws://127.0.0.1:{self.base_url.rsplit(':', 1)[1]}{_SOCKET_PATH}"
        return {"ok": True, "url": f"{url}?ticket={ticket}&app_id={APP_ID}"}

    def _websocket(self, handler: _Handler) -> None:
        """Serve one WebSocket connection on `handler`'s socket until it ends."""
        ticket = dict(parse_qsl(urlsplit(handler.path).query)).get("ticket", "")
        headers = handler.headers
        key = headers.get("Sec-WebSocket-Key", "")
        upgrade = headers.get("Upgrade", "").lower() == "websocket"
        connection = "upgrade" in headers.get("Connection", "").lower()
        args: dict[str, Any] = {"ticket": ticket}
        refusal: tuple[int, str, str] | None = None
        if handler.command != "GET" or not (upgrade and connection and key):
            refusal = (400, "bad_request", "not a WebSocket upgrade request")
        elif headers.get("Sec-WebSocket-Version") != "13":
            version = headers.get("Sec-WebSocket-Version")
            refusal = (426, "bad_request", f"Sec-WebSocket-Version {version!r}, not 13")
        else:
            with self._cond:
                known = ticket in self._tickets
                token = self._tickets.pop(ticket, None)
            if not known:
                refusal = (401, "invalid_ticket", "unknown or already used ticket")
        if refusal is not None:
            status, error, message = refusal
            result = self._fail("socket.connect", error, message)
            self._record(Call("socket.connect", args, None, result, status))
            body = json.dumps(result).encode("utf-8")
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json; charset=utf-8")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
            return
        accept = (
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {_ws_accept(key)}\r\n\r\n"
        )
        handler.wfile.write(accept.encode("ascii"))
        handler.log_request(101)
        conn = _SocketConnection(handler.connection, handler.rfile, ticket, token)
        with self._cond:
            self._sockets.append(conn)
            count = sum(1 for c in self._sockets if c.open)
        hello = {
            "type": "hello",
            "num_connections": count,
            "debug_info": {"host": "local", "approximate_connection_time": 18060},
            "connection_info": {"app_id": APP_ID},
        }
        try:
            conn.send_json(hello)
        except OSError:
            conn.open = False
        with self._cond:
            conn.ready = conn.open
        self._record(Call("socket.connect", args, token, {"ok": conn.ready, "hello": hello}))
        code, reason = 1006, "connection lost"
        try:
            if conn.ready:
                code, reason = self._socket_loop(conn)
        finally:
            with self._cond:
                conn.open = False
                self._sockets.remove(conn)
            with contextlib.suppress(OSError):
                conn.sock.shutdown(socket.SHUT_RDWR)
            by = "server" if conn.closed_by_server else "client"
            closed = {"ticket": ticket, "code": code, "reason": reason, "by": by}
            self._record(Call("socket.close", closed, token, {"ok": True}))

    def _socket_loop(self, conn: _SocketConnection) -> tuple[int, str]:
        """Read frames until the connection closes; the close code and reason."""
        parts: list[bytes] = []
        while True:
            try:
                fin, opcode, masked, data = _read_ws_frame(conn.rfile)
            except (_WebSocketClosed, OSError) as exc:
                return conn.closed_by_server or (1006, str(exc) or type(exc).__name__)
            except _WebSocketError as exc:
                self._problem(f"socket: protocol error: {exc}")
                conn.close(1002, str(exc)[:100])
                return 1002, str(exc)
            if not masked:
                self._problem("socket: the client sent an unmasked frame (RFC 6455 §5.1)")
            if opcode == _OP_PING:
                with contextlib.suppress(OSError):
                    conn.send(_OP_PONG, data)
            elif opcode == _OP_PONG:
                continue
            elif opcode == _OP_CLOSE:
                code = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else 1005
                with contextlib.suppress(OSError):
                    conn.send(_OP_CLOSE, data[:2])
                return code, data[2:].decode("utf-8", "replace")
            elif opcode in (_OP_TEXT, _OP_BINARY, _OP_CONTINUATION):
                if (opcode == _OP_CONTINUATION) != bool(parts):
                    self._problem("socket: frame fragments out of order")
                    parts = []
                    continue
                parts.append(data)
                if fin:
                    message, parts = b"".join(parts), []
                    self._socket_message(conn, message)
            else:
                self._problem(f"socket: unknown opcode {opcode:#x}")

    def _socket_message(self, conn: _SocketConnection, raw: bytes) -> None:
        """A message from the client: an ack `{"envelope_id": ..., "payload": ...}`."""
        try:
            message = json.loads(raw.decode("utf-8"))
        except ValueError:
            self._problem(f"socket: the client sent something that is not JSON: {raw[:200]!r}")
            return
        if not isinstance(message, dict) or not isinstance(message.get("envelope_id"), str):
            self._problem(f"socket: unexpected message from the client: {raw[:200]!r}")
            return
        envelope_id = message["envelope_id"]
        payload = message.get("payload")
        args: dict[str, Any] = {"envelope_id": envelope_id}
        if "payload" in message:
            args["payload"] = payload
        method = "socket.ack"
        with self._cond:
            pending = self._envelopes.pop(envelope_id, None)
        if pending is None:
            result = self._fail(
                method, "unknown_envelope", f"ack for unknown envelope {envelope_id}"
            )
            self._record(Call(method, args, conn.token, result))
            return
        elapsed = time.monotonic() - pending.sent
        args["type"] = pending.envelope_type
        result = {"ok": True, "elapsed": round(elapsed, 3)}
        if elapsed > _ACK_LIMIT:
            self._problem(
                f"{method}: {pending.envelope_type} envelope acked after {elapsed:.2f}s "
                f"(Slack allows {_ACK_LIMIT:g} s; the user sees operation_timeout)"
            )
        if payload is not None and not isinstance(payload, dict):
            result = self._fail(method, "invalid_payload", "an ack's payload must be an object")
        elif payload and not pending.accepts_response_payload:
            result = self._fail(
                method,
                "invalid_payload",
                f"{pending.envelope_type} envelopes accept no response payload",
            )
        elif payload:
            with self._cond:
                error = self._check_ack_payload(method, payload)
            if error is not None:
                result = {**error, "elapsed": result["elapsed"]}
        self._record(Call(method, args, conn.token, result))
        with self._cond:
            pending.ack = copy.deepcopy(payload) if isinstance(payload, dict) else {}
            self._cond.notify_all()

    def _check_ack_payload(self, method: str, payload: dict) -> dict | None:
        """Validate what an ack carries: a message, or a view submission's response_action."""
        action = payload.get("response_action")
        if action in ("update", "push"):
            return self._check_view_arg(method, payload, "modal")
        if action == "errors":
            errors = payload.get("errors")
            if not isinstance(errors, dict) or not errors:
                return self._fail(method, "invalid_arguments", "errors must be a non-empty object")
            return None
        if action is not None:
            if action != "clear":
                return self._fail(method, "invalid_arguments", f"unknown response_action {action}")
            return None
        if any(key in payload for key in ("text", "blocks", "attachments")):
            return self._check_message(method, payload)
        return None
