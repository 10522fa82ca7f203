"""`salesbot shell`: the real app in-process, Slack played locally, replies in the terminal.

Commands are signed and dispatched exactly as Slack would send them; whatever the app
sends back through the Web API or a response URL is rendered here. Modals become
prompts, buttons become numbered choices, files are written to ./charts.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any, TextIO

from slack_bolt import App, BoltRequest, BoltResponse

from bot import payloads
from bot.app import create_app
from bot.demo import DEMO_TEAM, DEMO_USERS, seed_demo
from bot.local_slack import Call, LocalSlack
from bot.services import Services, build_services
from bot.settings import Settings
from bot.shell.forms import (
    CLEAR,
    Field,
    carry_over,
    describe,
    field_from_block,
    fields_of,
    parse_answer,
    prefilled,
    state_entry,
    state_values,
)
from bot.shell.home import app_home_opened
from bot.shell.render import Choice, render_blocks, render_view, text_of
from bot.slack_clients import SlackClients
from domain import reminders
from domain.delivery import send_due
from scheduler import digests, scheduled_posts
from scheduler.sender import SlackSender
from storage.migrate import upgrade

CHANNEL = "C0SHELL"
MESSAGE_METHODS = {"chat.postMessage", "chat.postEphemeral", "chat.update", "response_url"}
VIEW_METHODS = {"views.open", "views.push", "views.update"}
SHELL_HELP = """\
Type a slash command as in Slack, e.g. /customer add or /customer acme.
Type a number to press the button with that number.
In a form, press Enter to keep the value shown, '-' to clear it, 'cancel' to close.
In a search field (like Customer), type what to search for, then the number of an option.
Type 'home' to open your Home tab (tasks, deals, this month's numbers); its buttons
get numbers like any message's.
Run a message shortcut on a message with the text you give:
  :shortcut log_message Customer asked for a quote   ("Log to customer")
Reminders and summaries that fall due arrive as DMs the next time you press Enter
(or type ':tick').
Type 'help' for this text, 'quit' (or Ctrl-D) to leave."""
SHORTCUT_USAGE = "Usage: :shortcut <callback_id> <message text>, e.g. :shortcut log_message Hi"


class Console:
    """One terminal session: reads lines, dispatches requests, prints what comes back."""

    def __init__(
        self,
        app: App,
        services: Services,
        slack: LocalSlack,
        *,
        secret: str,
        team_id: str,
        user_id: str,
        stdin: TextIO,
        stdout: TextIO,
        tick: Callable[[], object] | None = None,
    ) -> None:
        self.app, self.services, self.slack = app, services, slack
        self.tick = tick
        self.secret, self.team_id, self.user_id = secret, team_id, user_id
        self.stdin, self.stdout = stdin, stdout
        self.interactive = stdin.isatty()
        self.color = stdout.isatty()
        self.choices: dict[int, Choice] = {}
        # The Home tab as last published for this person, its choices, and whether it is
        # the screen being looked at (its refreshes are shown then, else only mentioned).
        self.home: dict[str, Any] | None = None
        self.home_choices: set[int] = set()
        self.on_home = False
        self._seen = 0
        self._files = Path("charts")

    # -- input -------------------------------------------------------------------

    def deliver_due(self) -> None:
        """Run the scheduler's work once, as `serve` does every few seconds, and show DMs."""
        if self.tick is not None:
            self.tick()
            self.show_new_calls()

    def run(self) -> int:
        self.say(
            f"Salesbot shell — workspace {self.team_id}, you are {self.user_id}. "
            "Type 'help' for how it works."
        )
        while True:
            line = self.ask("salesbot> ")
            if line is None or line.strip() in ("quit", "exit"):
                return 0
            self.handle(line.strip())

    def handle(self, line: str) -> None:
        self.deliver_due()
        if not line or line == ":tick":
            return
        if line in ("help", "?"):
            self.say(SHELL_HELP)
        elif line == "home":
            self.open_home()
        elif line.startswith("/"):
            self.on_home = False
            command, _, text = line.partition(" ")
            body = payloads.slash_command(
                command,
                channel_links(text.strip()),
                team_id=self.team_id,
                user_id=self.user_id,
                channel_id=CHANNEL,
                response_url=self.slack.response_url(),
            )
            self.dispatch(body)
        elif line == ":shortcut" or line.startswith(":shortcut "):
            self.on_home = False
            self.shortcut(line.removeprefix(":shortcut").strip())
        elif line.isdigit() and int(line) in self.choices:
            self.press(self.choices[int(line)])
        else:
            self.say(f"Not a command or a choice: {line!r}. Type 'help'.")

    def ask(self, prompt: str) -> str | None:
        if self.interactive:
            try:
                return input(prompt)
            except EOFError:
                return None
        line = self.stdin.readline()
        if not line:
            return None
        line = line.rstrip("\n")
        self.say(f"{prompt}{line}")  # echo, so a piped transcript reads like a session
        return line

    def say(self, text: str) -> None:
        print(text, file=self.stdout, flush=True)

    # -- requests ------------------------------------------------------------------

    def send(
        self, body: str, content_type: str = "application/x-www-form-urlencoded"
    ) -> BoltResponse:
        """Sign a request as Slack would, hand it to the app, wait for its listeners."""
        headers: dict[str, str | Sequence[str]] = {
            "content-type": [content_type],
            **{k.lower(): [v] for k, v in payloads.sign(self.secret, body).items()},
        }
        response = self.app.dispatch(BoltRequest(body=body, headers=headers))
        self.services.executor.wait_idle(30)
        return response

    def dispatch(self, body: str) -> None:
        """Send a signed request into the app, show its ack, then everything it sent."""
        response = self.send(body)
        if response.status >= 400:
            self.say(f"(the app answered HTTP {response.status})")
        elif response.body:
            self.show_ack(response.body)
        self.show_new_calls()

    def show_ack(self, body: str) -> dict[str, Any]:
        try:
            data = json.loads(body)
        except json.JSONDecodeError:
            self.say(body)
            return {}
        if "blocks" in data or "text" in data:
            self.show_message(data)
        return data

    def open_home(self) -> None:
        """What Slack sends when the Home tab is opened; the app answers with views.publish."""
        self.on_home = True
        body = app_home_opened(self.team_id, self.user_id, view=self.home)
        response = self.send(body, content_type="application/json")
        if response.status >= 400:
            self.say(f"(the app answered HTTP {response.status})")
        self.show_new_calls()

    def press(self, choice: Choice) -> None:
        element = dict(choice.element or {})
        element["action_id"] = choice.action_id
        if choice.kind == "button":
            element["value"] = choice.value
        elif choice.value is not None:
            element["selected_option"] = {
                "text": {"type": "plain_text", "text": choice.option_text or choice.value},
                "value": choice.value,
            }
        if choice.number in self.home_choices and self.home is not None:
            # From the Home tab Slack sends the view, and no channel or response_url.
            self.on_home = True
            body = payloads.block_action(
                element,
                team_id=self.team_id,
                user_id=self.user_id,
                view=self.home,
                block_id=choice.block_id,
            )
        else:
            self.on_home = False
            body = payloads.block_action(
                element,
                team_id=self.team_id,
                user_id=self.user_id,
                channel_id=CHANNEL,
                block_id=choice.block_id,
                response_url=self.slack.response_url(),
            )
        self.dispatch(body)

    def shortcut(self, rest: str) -> None:
        """`:shortcut <callback_id> <text>`: a message shortcut on a message with that text."""
        callback_id, _, text = rest.partition(" ")
        if not callback_id:
            self.say(SHORTCUT_USAGE)
            return
        message = {
            "type": "message",
            "user": self.user_id,
            # Slack stores &, < and > in message text as entities, and sends them so.
            "text": text.strip().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
            "ts": f"{time.time():.6f}",
        }
        body = payloads.message_shortcut(
            callback_id,
            message,
            team_id=self.team_id,
            user_id=self.user_id,
            channel_id=CHANNEL,
            response_url=self.slack.response_url(),
        )
        self.dispatch(body)

    # -- output --------------------------------------------------------------------

    def show_new_calls(self) -> None:
        while self._seen < len(self.slack.calls):
            call = self.slack.calls[self._seen]
            self._seen += 1
            self.show_call(call)

    def show_call(self, call: Call) -> None:
        if call.method in MESSAGE_METHODS and (other := self._someone_elses_dm(call)):
            # In Slack only they would see it; here a line says it went out.
            first = (call.args.get("text") or "").splitlines()[0] if call.args.get("text") else ""
            self.say(f"(Salesbot sent @{other} a DM: {text_of(first)[:100]})")
        elif call.method in MESSAGE_METHODS:
            self.show_message(call.args)
        elif call.method in VIEW_METHODS and call.result.get("ok"):
            self.fill_form(call.result["view"])
        elif call.method == "views.publish" and call.result.get("ok"):
            self.show_home(call)
        elif call.method == "files.completeUploadExternal":
            for file in call.args.get("files") or []:
                self.save_file(file["id"], file.get("title") or file["id"])
        if not call.result.get("ok", True):
            self.say(f"(Slack refused {call.method}: {call.result.get('error')})")

    def show_home(self, call: Call) -> None:
        """A Home tab published: this person's is shown when they are looking at it."""
        if call.args.get("user_id") != self.user_id:
            return  # someone else's tab: only they would see it
        self.home = call.result["view"]
        if not self.on_home:
            self.say("(your Home tab was updated: type 'home' to see it)")
            return
        rendered = render_view(self.home, start=len(self.choices) + 1, color=self.color)
        self.say("")
        self.say(rendered.text)
        self.home_choices = {c.number for c in rendered.choices}
        for choice in rendered.choices:
            self.choices[choice.number] = choice

    def _someone_elses_dm(self, call: Call) -> str | None:
        """The user a DM went to, when that is not the person at this console."""
        if call.method != "chat.postMessage":
            return None
        channel = str(call.args.get("channel") or "")
        user = channel[1:] if channel.startswith("D") else channel
        if channel.startswith(("D", "U", "W")) and user != self.user_id:
            return user
        return None

    def show_message(self, message: dict[str, Any]) -> None:
        rendered = render_blocks(
            message.get("blocks") or [],
            fallback_text=message.get("text") or "",
            start=len(self.choices) + 1,
            color=self.color,
        )
        self.say("")
        self.say(rendered.text)
        for choice in rendered.choices:
            self.choices[choice.number] = choice

    def save_file(self, file_id: str, title: str) -> None:
        self._files.mkdir(exist_ok=True)
        # The uploaded file's name ("pipeline.png") keeps its extension; a title may not.
        name = Path(self.slack.file_name(file_id) or title).name
        path = self._files / f"{file_id}-{name}"
        path.write_bytes(self.slack.file_bytes(file_id))
        self.say(f"[file] {title}: saved to {path.resolve()}")

    # -- modals --------------------------------------------------------------------

    def fill_form(self, view: dict[str, Any]) -> None:
        """Prompt for each input; offer the form's buttons; submit; on inline errors, ask
        again for those fields.

        Pressing a button (or choosing in a select) inside the form, and answering an input
        whose block has `dispatch_action: true`, sends block_actions with the view and what
        was entered so far; when the app answers with views.update, the form goes on with
        the new view, keeping what was entered the way Slack does.
        """
        form = _Form(view, fields_of(view))
        self.show_form(form)
        todo = list(form.fields)
        while True:
            step = self.ask_fields(form, todo)
            if step is _CANCEL:
                self.say("(form closed, nothing saved)")
                return
            if step is _REDRAWN:
                todo = form.unanswered()
                continue
            todo = []
            choices = render_view(form.view).choices
            if choices:
                picked = self.ask_form_choice(form, choices)
                if picked is _CANCEL:
                    self.say("(form closed, nothing saved)")
                    return
                if picked is _EDIT:
                    todo = form.current_fields()
                    continue
                if isinstance(picked, Choice):
                    if self.press_in_form(form, picked) is _REDRAWN:
                        todo = form.unanswered()
                    continue
                if not form.view.get("submit"):
                    self.say("(form closed)")
                    return
            values = form.values()
            self.hold_state(form.view, values)
            body = payloads.view_submission(
                form.view, values, team_id=self.team_id, user_id=self.user_id
            )
            errors = self.submit(body)
            if not errors:
                return
            labels = {f.block_id: f.label for f in form.fields}
            for block_id, message in errors.items():
                self.say(f"  ✗ {labels.get(block_id, block_id)}: {message}")
            todo = [f for f in form.fields if f.block_id in errors]

    def show_form(self, form: _Form) -> None:
        self.say("")
        shown = prefilled(form.view, form.fields, form.answers)
        self.say(render_view(shown, color=self.color).text)

    def ask_fields(self, form: _Form, todo: list[Field]) -> object:
        """Ask `todo` in order: None when done, _CANCEL, or _REDRAWN when a dispatched input
        made the app redraw the form (the rest is then asked from the new view)."""
        for field in todo:
            answer = self.ask_field(field, form.view)
            if answer is _CANCEL:
                return _CANCEL
            before = form.current(field)
            form.answers[field.block_id] = answer
            # Slack dispatches when the input changes (Enter on an untouched field does not).
            if field.dispatch_action and answer != before:
                action = {**state_entry(field, answer), "action_id": field.action_id}
                if self.view_action(form, action, field.block_id):
                    return _REDRAWN
        return None

    def ask_form_choice(self, form: _Form, choices: list[Choice]) -> object:
        """The form's buttons as numbered choices: a Choice, None (Enter), _EDIT or _CANCEL."""
        end = "submit" if form.view.get("submit") else "close"
        listed = " ".join(f"[{c.number}] {c.label}" for c in choices)
        self.say(f"Press a button in the form, or Enter to {end}: {listed}")
        if form.fields:
            self.say("  ('edit' to change what you entered, 'cancel' to close the form)")
        by_number = {c.number: c for c in choices}
        while True:
            raw = self.ask("  form> ")
            if raw is None or raw.strip().lower() == "cancel":
                return _CANCEL
            raw = raw.strip()
            if raw == "":
                return None
            if raw.lower() == "edit" and form.fields:
                return _EDIT
            if raw.isdigit() and int(raw) in by_number:
                return by_number[int(raw)]
            self.say(f"  ✗ Enter 1-{len(choices)}, or nothing to {end}")

    def press_in_form(self, form: _Form, choice: Choice) -> object:
        """Press a button, pick an option or fill a picker of the form; _REDRAWN or None."""
        el = dict(choice.element or {})
        kind = choice.kind
        action: dict[str, Any] = {"type": kind, "action_id": choice.action_id}
        if kind in ("button", "workflow_button"):
            for key in ("text", "value"):
                if key in el:
                    action[key] = el[key]
            if choice.url:
                self.say(f"(opens {choice.url} in a browser)")
        elif choice.value is not None:
            option = _option_of(el, choice)
            if kind in ("multi_static_select", "checkboxes"):
                chosen = form.selected_options(choice.block_id, el)
                values = [o.get("value") for o in chosen]
                if option["value"] in values:
                    chosen = [o for o in chosen if o.get("value") != option["value"]]
                else:
                    chosen = [*chosen, option]
                action["selected_options"] = chosen
            else:
                action["selected_option"] = option
        else:
            # A picker (users_select, datepicker, external_select…): ask for its value.
            block = {
                "type": "input",
                "block_id": choice.block_id,
                "label": {"type": "plain_text", "text": choice.label},
                "element": el,
            }
            field = field_from_block(block)
            answer = self.ask_field(field, form.view)
            if answer is _CANCEL:
                return None
            try:
                action.update(state_entry(field, answer))
            except ValueError as exc:
                self.say(f"  ✗ {exc}")
                return None
        if kind not in _STATELESS_KINDS:
            # Selects and pickers outside inputs hold state too, sent with the view.
            entry = {k: v for k, v in action.items() if k != "action_id"}
            form.picked.setdefault(choice.block_id, {})[choice.action_id] = entry
        return _REDRAWN if self.view_action(form, action, choice.block_id) else None

    def view_action(self, form: _Form, action: dict[str, Any], block_id: str) -> bool:
        """Send block_actions from the open form; True when the app redrew it (views.update)."""
        values = form.values()
        self.hold_state(form.view, values)
        body = payloads.view_block_action(
            action,
            form.view,
            values,
            team_id=self.team_id,
            user_id=self.user_id,
            block_id=block_id,
        )
        response = self.send(body)
        if response.status >= 400:
            self.say(f"  (the app answered HTTP {response.status})")
        updated = self.take_view_update(str(form.view.get("id") or ""))
        if updated is None:
            return False
        ignored = form.redraw(updated)
        self.show_form(form)
        for label in ignored:
            self.say(
                f"  (Slack keeps what {label} holds and ignores the app's new initial value: "
                "a new block_id would replace it)"
            )
        return True

    def take_view_update(self, view_id: str) -> dict[str, Any] | None:
        """Show what the app sent; the latest views.update of `view_id`, if it made one."""
        updated = None
        while self._seen < len(self.slack.calls):
            call = self.slack.calls[self._seen]
            self._seen += 1
            view = call.result.get("view") or {}
            ours = call.method == "views.update" and view.get("id") == view_id
            if ours and call.result.get("ok"):
                updated = view
            else:
                self.show_call(call)
        return updated

    def hold_state(self, view: dict[str, Any], values: dict[str, Any]) -> None:
        """Let the local Slack hold what was entered, as Slack holds a view's state."""
        view_id = view.get("id")
        if view_id:
            with contextlib.suppress(KeyError):
                self.slack.set_view_state(str(view_id), values)

    def ask_field(self, field: Field, view: dict[str, Any]) -> object:
        if field.kind == "external_select" and not field.options:
            return self.ask_search(field, view)
        self.say(describe(field))
        while True:
            raw = self.ask("  > ")
            if raw is None or raw.strip().lower() == "cancel":
                return _CANCEL
            try:
                return parse_answer(field, raw)
            except ValueError as exc:
                self.say(f"  ✗ {exc}")

    def ask_search(self, field: Field, view: dict[str, Any]) -> object:
        """An external_select: search through the app's options listener, then pick one."""
        self.say(describe(field))
        self.say("  Type what to search for, then the number of the option.")
        minimum = int(field.element.get("min_query_length") or 0)
        while True:
            raw = self.ask("  search> ")
            if raw is None or raw.strip().lower() == "cancel":
                return _CANCEL
            raw = raw.strip()
            if raw == "" or (raw == CLEAR and field.optional):
                try:
                    return parse_answer(field, raw)  # keep the current one, or clear it
                except ValueError as exc:
                    self.say(f"  ✗ {exc}: type what to search for")
                    continue
            if raw == CLEAR:
                self.say(f"  ✗ {field.label} is required: type what to search for")
                continue
            if len(raw) < minimum:
                self.say(f"  ✗ Type at least {minimum} characters")
                continue
            options = self.suggest(field, view, raw)
            if not options:
                self.say(f"  No options for {raw!r}; search again")
                continue
            for number, (_, text) in enumerate(options, start=1):
                self.say(f"    {number}) {text}")
            pick = self.ask("  pick> ")
            if pick is None or pick.strip().lower() == "cancel":
                return _CANCEL
            pick = pick.strip()
            if pick.isdigit() and 1 <= int(pick) <= len(options):
                return options[int(pick) - 1]
            self.say("  (nothing picked; search again)")

    def suggest(self, field: Field, view: dict[str, Any], typed: str) -> list[tuple[str, str]]:
        """What the app's options listener answers for `typed`, as (value, text) pairs."""
        body = payloads.block_suggestion(
            field.action_id,
            field.block_id,
            typed,
            team_id=self.team_id,
            user_id=self.user_id,
            view=view,
        )
        response = self.send(body)
        self.show_new_calls()
        if response.status >= 400:
            self.say(f"  (the app answered HTTP {response.status})")
            return []
        try:
            data = json.loads(response.body) if response.body else {}
        except json.JSONDecodeError:
            return []
        options = list(data.get("options") or [])
        for group in data.get("option_groups") or []:
            options.extend(group.get("options") or [])
        return [(str(o.get("value", "")), text_of(o.get("text"))) for o in options]

    def submit(self, body: str) -> dict[str, str]:
        """Submit a view; return inline errors if the app answered with them."""
        response = self.send(body)
        data = json.loads(response.body) if response.body else {}
        if data.get("response_action") == "errors":
            return data.get("errors", {})
        self.show_new_calls()
        return {}


_CANCEL = object()
_REDRAWN = object()  # the app answered a block action in the form with views.update
_EDIT = object()
# Elements whose use is an action only; every other interactive element keeps a value.
_STATELESS_KINDS = {"button", "workflow_button", "overflow"}


@dataclass
class _Form:
    """An open modal as the shell fills it: the latest view, its inputs, what was entered."""

    view: dict[str, Any]
    fields: list[Field]
    answers: dict[str, object] = dataclass_field(default_factory=dict)
    # state of selects and pickers outside input blocks: block_id -> action_id -> entry
    picked: dict[str, dict[str, dict[str, Any]]] = dataclass_field(default_factory=dict)

    def current(self, field: Field) -> object:
        return self.answers.get(field.block_id, field.initial)

    def unanswered(self) -> list[Field]:
        return [f for f in self.fields if f.block_id not in self.answers]

    def current_fields(self) -> list[Field]:
        """Every input, showing what it holds now (Enter keeps it)."""
        return [replace(f, initial=self.current(f)) for f in self.fields]

    def values(self) -> dict[str, Any]:
        """view.state.values: every input, and the selects chosen outside inputs."""
        values = state_values(self.fields, self.answers)
        for block_id, entries in self.picked.items():
            values.setdefault(block_id, {}).update(entries)
        return values

    def selected_options(self, block_id: str, element: dict[str, Any]) -> list[dict[str, Any]]:
        """What a multi-select or checkboxes outside inputs has chosen now."""
        entry = self.picked.get(block_id, {}).get(str(element.get("action_id", "")))
        if entry is not None:
            return list(entry.get("selected_options") or [])
        return list(element.get("initial_options") or [])

    def redraw(self, view: dict[str, Any]) -> list[str]:
        """Go on with the view the app sent through views.update; labels of inputs whose new
        initial value Slack ignores."""
        carried = carry_over(self.fields, fields_of(view), self.answers)
        still = set()
        for block in view.get("blocks") or []:
            elements = [*(block.get("elements") or []), block.get("accessory") or {}]
            for el in elements:
                still.add((str(block.get("block_id", "")), el.get("action_id"), el.get("type")))
        self.picked = {
            block_id: kept
            for block_id, entries in self.picked.items()
            if (
                kept := {
                    action_id: entry
                    for action_id, entry in entries.items()
                    if (block_id, action_id, entry.get("type")) in still
                }
            )
        }
        self.view, self.fields, self.answers = view, carried.fields, carried.answers
        return carried.ignored_initial


def _option_of(element: dict[str, Any], choice: Choice) -> dict[str, Any]:
    """The option a choice stands for, as Slack sends it in selected_option(s)."""
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    for option in options:
        if option.get("value") == choice.value:
            return {"text": option.get("text"), "value": option.get("value")}
    text = {"type": "plain_text", "text": choice.option_text or str(choice.value)}
    return {"text": text, "value": choice.value}


# In Slack a channel picked after "#" reaches the app as <#C0123|name>; the console has no
# picker, so a typed #name becomes such a link, with an id derived from the name.
_TYPED_CHANNEL = re.compile(r"(?<![<\w&])#([a-z][a-z0-9_-]{0,79})\b")


def channel_links(text: str) -> str:
    """`#sales` as Slack's client sends it: `<#C…|sales>` (the same id for the same name)."""

    def link(match: re.Match[str]) -> str:
        name = match.group(1)
        digest = hashlib.sha1(name.encode()).hexdigest()[:9].upper()
        return f"<#C{digest}|{name}>"

    return _TYPED_CHANNEL.sub(link, text)


def run_shell(
    settings: Settings,
    *,
    user_id: str,
    demo: bool,
    team_id: str = DEMO_TEAM,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Run the console on the configured database (SQLite by default) until quit."""
    secret = secrets.token_hex(16)
    # Bolt reads these from the environment by itself and would switch to OAuth installs;
    # the shell is one local workspace with its own token.
    for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        os.environ.pop(name, None)
    with LocalSlack(team_id=team_id) as slack:
        local = settings.model_copy(
            update={
                "slack_bot_token": _secret("xoxb-local-shell"),
                "slack_signing_secret": _secret(secret),
                "slack_api_url": slack.api_url,
                # The shell is one local workspace: never the OAuth install mode.
                "slack_client_id": None,
                "slack_client_secret": None,
            }
        )
        services = build_services(local)
        try:
            upgrade(services.engine)
            if demo:
                created = seed_demo(services, team_id)
                workspace, admin = services.workspaces.ensure(team_id, DEMO_USERS[0])
                if not workspace.stock_channel_id:
                    # Low-stock alerts then show up in this console, as in the team's channel.
                    services.workspaces.change_settings(team_id, admin, stock_channel_id=CHANNEL)
                if created:
                    print(
                        f"Seeded the demo workspace: {created} customers.",
                        file=stdout or sys.stdout,
                    )
            app = create_app(local, services)
            sender = SlackSender(services.uow_factory, SlackClients(app))

            def tick() -> None:
                # Only this console's workspace: on a shared database the shell must never
                # take (and "send" locally) another workspace's reminders.
                uow, clock = services.uow_factory, services.clock
                reminders.enqueue_due_reminders(uow, clock, only_team=team_id)
                reminders.enqueue_overdue_summaries(uow, clock, only_team=team_id)
                services.stock.sweep(only_team=team_id)
                scheduled_posts.enqueue_due(uow, clock, only_team=team_id)
                digests.enqueue_due(uow, clock, only_team=team_id)
                send_due(uow, clock, sender, worker_id="shell", only_team=team_id)

            slack.reset()
            console = Console(
                app,
                services,
                slack,
                secret=secret,
                team_id=team_id,
                user_id=user_id,
                stdin=stdin or sys.stdin,
                stdout=stdout or sys.stdout,
                tick=tick,
            )
            return console.run()
        finally:
            services.close()


def _secret(value: str) -> Any:
    from pydantic import SecretStr

    return SecretStr(value)
