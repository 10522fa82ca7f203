"""Drive the real app the way Slack does: signed HTTP requests in, Web API calls out."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

import waitress.server

from bot import payloads
from bot.app import create_app
from bot.local_slack import LocalSlack
from bot.services import Services, build_services
from bot.settings import Settings
from bot.web import create_web_app
from domain.clock import Clock

TEAM = "T0TEST"
USER = "U0ALICE"
CHANNEL = "C0SALES"


@dataclass
class Reply:
    """What the HTTP endpoint answered, and how long it took."""

    status: int
    body: str
    seconds: float

    def json(self) -> dict[str, Any]:
        return json.loads(self.body) if self.body else {}

    @property
    def text(self) -> str:
        """All visible text of an ack that carried a message."""
        data = self.json()
        return data.get("text", "") + "\n" + json.dumps(data.get("blocks", []))


class RunningBot:
    """The app built from settings and served by waitress on a free local port."""

    def __init__(self, settings: Settings, clock: Clock, slack: LocalSlack) -> None:
        self.settings = settings
        self.slack = slack
        self.services: Services = build_services(settings, clock=clock)
        self.app = create_app(settings, self.services)
        self._server = waitress.server.create_server(
            create_web_app(self.app, self.services), host="127.0.0.1", port=0, threads=4
        )
        self.url = f"http://127.0.0.1:{self._server.effective_port}"  # type: ignore[union-attr]
        self._closing = False
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self._server.run()
        except OSError:
            # Closing the listening socket under waitress's select loop ends it this way.
            if not self._closing:
                raise

    def __enter__(self) -> RunningBot:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.services.executor.wait_idle(10)
        self._closing = True
        self._server.close()
        self._thread.join(5)
        self.services.close()

    # -- sending ---------------------------------------------------------------

    def post(
        self,
        body: str,
        *,
        headers: dict[str, str] | None = None,
        signed: bool = True,
        timestamp: int | None = None,
    ) -> Reply:
        all_headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signed:
            all_headers.update(
                payloads.sign(self.settings.secret("SLACK_SIGNING_SECRET"), body, timestamp)
            )
        all_headers.update(headers or {})
        request = urllib.request.Request(
            f"{self.url}/slack/events", data=body.encode(), headers=all_headers, method="POST"
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                reply = Reply(response.status, response.read().decode(), 0.0)
        except urllib.error.HTTPError as error:
            reply = Reply(error.code, error.read().decode(), 0.0)
        reply.seconds = time.monotonic() - started
        return reply

    def settle(self) -> None:
        """Wait until the app has finished what it does after acking."""
        assert self.services.executor.wait_idle(10), "listeners still running after 10 s"

    def command(
        self,
        command: str,
        text: str = "",
        *,
        user: str = USER,
        team: str = TEAM,
        channel: str = CHANNEL,
    ) -> Reply:
        body = payloads.slash_command(
            command,
            text,
            team_id=team,
            user_id=user,
            channel_id=channel,
            response_url=self.slack.response_url(),
        )
        reply = self.post(body)
        self.settle()
        return reply

    def press(
        self,
        element: dict[str, Any],
        *,
        block_id: str | None = None,
        user: str = USER,
        team: str = TEAM,
        response_url: bool = True,
        view: dict[str, Any] | None = None,
    ) -> Reply:
        """Press a button (an element dict as the app sent it)."""
        body = payloads.block_action(
            element,
            team_id=team,
            user_id=user,
            channel_id=None if view else CHANNEL,
            view=view,
            block_id=block_id,
            response_url=self.slack.response_url() if response_url and not view else None,
        )
        reply = self.post(body)
        self.settle()
        return reply

    def submit(
        self, view: dict[str, Any], values: dict[str, Any], *, user: str = USER, team: str = TEAM
    ) -> Reply:
        body = payloads.view_submission(view, values, team_id=team, user_id=user)
        reply = self.post(body)
        self.settle()
        return reply

    # -- reading what the app sent ---------------------------------------------

    def last_response(self) -> dict[str, Any]:
        """The latest message posted to a response_url."""
        calls = self.slack.calls_to("response_url")
        assert calls, "the app posted nothing to a response_url"
        return calls[-1].args

    def last_view(self) -> dict[str, Any]:
        calls = self.slack.calls_to("views.open")
        assert calls, "the app opened no view"
        return calls[-1].result["view"]


def find_button(blocks: list[dict[str, Any]], action_id: str) -> tuple[dict[str, Any], str]:
    """The first button with this action id, and its block id."""
    for block in blocks:
        elements = block.get("elements", []) if block["type"] == "actions" else []
        if block.get("accessory"):
            elements = [block["accessory"]]
        for element in elements:
            if element.get("action_id") == action_id:
                return element, block.get("block_id", "")
    raise AssertionError(f"no button {action_id} in {json.dumps(blocks)[:500]}")


def text_values(**by_block: str | None) -> dict[str, Any]:
    """view.state.values for plain text inputs, keyed by block id."""
    return {
        block_id: {"value": {"type": "plain_text_input", "value": value}}
        for block_id, value in by_block.items()
    }
