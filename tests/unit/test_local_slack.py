"""Tests for bot.local_slack.LocalSlack, driven through a real slack_sdk WebClient."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
import struct
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from urllib.parse import urlencode

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    EmailInputElement,
    ExternalDataSelectElement,
    HeaderBlock,
    ImageBlock,
    ImageElement,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    OptionGroup,
    OverflowMenuElement,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    RichTextBlock,
    RichTextListElement,
    RichTextSectionElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.webhook import WebhookClient

from bot.app import BOT_SCOPES
from bot.local_slack import Call, LocalSlack, block_problems, view_problems


@pytest.fixture
def local() -> Iterator[LocalSlack]:
    """A running LocalSlack, stopped after the test."""
    with LocalSlack(users={"U1": {"real_name": "Ada Lovelace", "tz": "Europe/London"}}) as slack:
        yield slack


@pytest.fixture
def client(local: LocalSlack) -> WebClient:
    """A real WebClient pointed at the stand-in."""
    return WebClient(token="xoxb-test", base_url=local.api_url)


def section(text: str) -> dict:
    """A mrkdwn section block dict."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def valid_message_blocks() -> list[dict]:
    """Blocks built with slack_sdk models, covering what Salesbot uses in messages."""
    opt = Option(text="Acme", value="c1")
    blocks = [
        HeaderBlock(text="Pipeline"),
        SectionBlock(
            text="*Deal* closing soon",
            fields=[
                MarkdownTextObject(text="*Amount*\n$10"),
                PlainTextObject(text="Q3", emoji=True),
            ],
            accessory=ButtonElement(text="Open", action_id="deal_open", value="d1"),
        ),
        DividerBlock(),
        ActionsBlock(
            block_id="deal_actions",
            elements=[
                ButtonElement(text="Won", action_id="won", value="d1", style="primary"),
                ButtonElement(
                    text="Lost",
                    action_id="lost",
                    value="d1",
                    style="danger",
                    confirm=ConfirmObject(
                        title="Sure?", text="Mark lost?", confirm="Yes", deny="No"
                    ),
                ),
                ButtonElement(text="CRM", action_id="crm", url="https://example.com/deal/1"),
                StaticSelectElement(
                    placeholder="Stage", action_id="stage", options=[opt], initial_option=opt
                ),
                StaticSelectElement(
                    placeholder="Grouped",
                    action_id="grouped",
                    option_groups=[OptionGroup(label="Top", options=[opt])],
                ),
                OverflowMenuElement(action_id="more", options=[Option(text="Delete", value="del")]),
                DatePickerElement(action_id="close_date", initial_date="2026-01-31"),
            ],
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(text="Owner <@U1>"),
                ImageElement(image_url="https://example.com/a.png", alt_text="avatar"),
            ]
        ),
        ImageBlock(image_url="https://example.com/chart.png", alt_text="chart", title="Chart"),
        RichTextBlock(
            elements=[
                RichTextSectionElement(
                    elements=[
                        {"type": "text", "text": "Hello ", "style": {"bold": True}},
                        {"type": "user", "user_id": "U1"},
                        {"type": "link", "url": "https://example.com", "text": "site"},
                    ]
                ),
                RichTextListElement(
                    style="bullet",
                    elements=[
                        RichTextSectionElement(elements=[{"type": "text", "text": "item"}]),
                    ],
                ),
            ]
        ),
    ]
    dicts = [b.to_dict() for b in blocks]
    try:
        from slack_sdk.models.blocks import RawTextObject, TableBlock
    except ImportError:  # older slack_sdk without tables
        return dicts
    table = TableBlock(
        rows=[
            [RawTextObject(text="Deal"), RawTextObject(text="Amount")],
            [RawTextObject(text="Acme"), RawTextObject(text="10")],
        ],
        column_settings=[{"align": "left"}, {"align": "right"}],
    )
    return [*dicts, table.to_dict()]


def valid_modal() -> View:
    """A modal built with slack_sdk models, with every input Salesbot uses."""
    return View(
        type="modal",
        callback_id="deal_new",
        title="New deal",
        submit="Save",
        close="Cancel",
        private_metadata=json.dumps({"channel": "C1"}),
        blocks=[
            InputBlock(
                block_id="name",
                label="Name",
                element=PlainTextInputElement(action_id="v", max_length=100),
            ),
            InputBlock(
                block_id="notes",
                label="Notes",
                optional=True,
                hint="Optional",
                element=PlainTextInputElement(action_id="v", multiline=True),
            ),
            InputBlock(block_id="owner", label="Owner", element=UserSelectElement(action_id="v")),
            InputBlock(
                block_id="stage",
                label="Stage",
                element=StaticSelectElement(
                    action_id="v", options=[Option(text="Lead", value="lead")]
                ),
            ),
            InputBlock(
                block_id="customer",
                label="Customer",
                dispatch_action=True,
                element=ExternalDataSelectElement(action_id="v", min_query_length=2),
            ),
            InputBlock(
                block_id="close", label="Close date", element=DatePickerElement(action_id="v")
            ),
            InputBlock(block_id="email", label="Email", element=EmailInputElement(action_id="v")),
            InputBlock(
                block_id="amount",
                label="Amount",
                element=NumberInputElement(action_id="v", is_decimal_allowed=True),
            ),
            InputBlock(
                block_id="tags",
                label="Tags",
                element=StaticMultiSelectElement(
                    action_id="v", options=[Option(text="Hot", value="hot")]
                ),
            ),
            InputBlock(
                block_id="flags",
                label="Flags",
                element=CheckboxesElement(
                    action_id="v",
                    options=[Option(text=MarkdownTextObject(text="*VIP*"), value="vip")],
                ),
            ),
            InputBlock(
                block_id="kind",
                label="Kind",
                element=RadioButtonsElement(
                    action_id="v", options=[Option(text="New", value="new")]
                ),
            ),
            SectionBlock(block_id="help", text="Fill in the deal."),
        ],
    )


# -- basics ---------------------------------------------------------------------------------


def test_auth_test_answers_like_slack(local: LocalSlack, client: WebClient) -> None:
    resp = client.auth_test()
    assert resp["user_id"] == "U0BOT"
    assert resp["team_id"] == "T0LOCAL"
    assert resp["bot_id"] == "B0BOT"
    assert resp["is_enterprise_install"] is False
    assert local.api_url.startswith("http://127.0.0.1:") and local.api_url.endswith("/api/")
    assert local.calls[0].token == "xoxb-test"


def test_post_message_records_decoded_blocks(local: LocalSlack, client: WebClient) -> None:
    blocks = [SectionBlock(text="*hi*"), DividerBlock()]
    first = client.chat_postMessage(channel="C1", text="hi", blocks=blocks)
    second = client.chat_postMessage(channel="C1", text="again")
    call = local.calls_to("chat.postMessage")[0]
    assert call.args["blocks"] == [b.to_dict() for b in blocks]
    assert call.args["text"] == "hi"
    assert call.token == "xoxb-test"
    assert call.result is not None and call.result["ok"] is True
    assert first["message"]["blocks"] == call.args["blocks"]
    assert first["message"]["user"] == "U0BOT"
    assert float(second["ts"]) > float(first["ts"])
    assert first["ts"] == "1700000000.000100"
    local.assert_no_problems()


def test_form_encoded_json_fields_are_decoded(local: LocalSlack, client: WebClient) -> None:
    blocks = [section("form")]
    client.api_call(
        "chat.postMessage",
        params={
            "channel": "C1",
            "text": "form",
            "blocks": json.dumps(blocks),
        },
    )
    call = local.calls_to("chat.postMessage")[0]
    assert call.args["blocks"] == blocks
    local.assert_no_problems()


def test_token_form_field_is_accepted_and_missing_token_is_not_authed(local: LocalSlack) -> None:
    WebClient(base_url=local.api_url).api_call("auth.test", params={"token": "xoxb-form"})
    assert local.calls[-1].token == "xoxb-form"
    assert "token" not in local.calls[-1].args
    with pytest.raises(SlackApiError) as err:
        WebClient(base_url=local.api_url).chat_postMessage(channel="C1", text="x")
    assert err.value.response["error"] == "not_authed"
    assert local.calls[-1].method == "chat.postMessage"
    assert local.calls[-1].token is None


def test_oauth_v2_access_exchanges_a_code_once_for_a_bot_token_of_that_workspace(
    local: LocalSlack,
) -> None:
    local.client_id, local.client_secret = "123.456", "shh"
    local.oauth_codes["code-1"] = {"team_id": "T0AAA", "user_id": "U0AAA"}
    anonymous = WebClient(base_url=local.api_url)
    resp = anonymous.oauth_v2_access(client_id="123.456", client_secret="shh", code="code-1")
    assert resp["ok"] is True and resp["token_type"] == "bot"
    assert resp["access_token"].startswith("xoxb-T0AAA-")
    assert resp["team"] == {"id": "T0AAA", "name": "Workspace T0AAA"}
    assert resp["authed_user"] == {"id": "U0AAA"}
    assert resp["scope"] == ",".join(BOT_SCOPES)
    assert resp["app_id"] == "A0LOCAL" and resp["bot_user_id"] == "U0AAABOT"
    assert resp["enterprise"] is None and resp["is_enterprise_install"] is False
    call = local.calls_to("oauth.v2.access")[0]
    assert call.token is None  # slack_sdk authenticates with HTTP Basic, not a token
    assert call.args == {"code": "code-1", "client_id": "123.456"}  # never the secret
    assert local.installed_team(resp["access_token"]) == "T0AAA"

    # auth.test answers for the workspace each token belongs to.
    team_a = WebClient(token=resp["access_token"], base_url=local.api_url).auth_test()
    assert (team_a["team_id"], team_a["user_id"], team_a["bot_id"]) == (
        "T0AAA",
        "U0AAABOT",
        "B0AAABOT",
    )
    assert WebClient(token="xoxb-test", base_url=local.api_url).auth_test()["team_id"] == "T0LOCAL"

    with pytest.raises(SlackApiError) as again:  # a code works once
        anonymous.oauth_v2_access(client_id="123.456", client_secret="shh", code="code-1")
    assert again.value.response["error"] == "invalid_code"
    local.oauth_codes["code-2"] = {"team_id": "T0BBB", "user_id": "U0BBB"}
    with pytest.raises(SlackApiError) as wrong_secret:
        anonymous.oauth_v2_access(client_id="123.456", client_secret="nope", code="code-2")
    assert wrong_secret.value.response["error"] == "bad_client_secret"
    # Client credentials as form fields work too.
    form = anonymous.api_call(
        "oauth.v2.access",
        data={"client_id": "123.456", "client_secret": "shh", "code": "code-2"},
    )
    assert form["team"]["id"] == "T0BBB"
    assert "client_secret" not in local.calls_to("oauth.v2.access")[-1].args
    local.assert_no_problems()


def test_rotating_tokens_refresh_and_expire(local: LocalSlack) -> None:
    local.oauth_codes["c"] = {"team_id": "T0AAA", "user_id": "U0AAA", "rotating": True}
    anonymous = WebClient(base_url=local.api_url)
    first = anonymous.oauth_v2_access(client_id="1.2", client_secret="s", code="c")
    assert first["refresh_token"].startswith("xoxe-1-") and first["expires_in"] == 43200
    refreshed = anonymous.oauth_v2_access(
        client_id="1.2",
        client_secret="s",
        grant_type="refresh_token",
        refresh_token=first["refresh_token"],
    )
    assert refreshed["access_token"] != first["access_token"]
    assert local.installed_team(refreshed["access_token"]) == "T0AAA"
    local.oauth_codes["d"] = {"team_id": "T0BBB", "user_id": "U0B", "rotating": True}
    local.oauth_codes["d"]["expires_in"] = -1  # already expired
    expired = anonymous.oauth_v2_access(client_id="1.2", client_secret="s", code="d")
    with pytest.raises(SlackApiError) as err:
        WebClient(token=expired["access_token"], base_url=local.api_url).auth_test()
    assert err.value.response["error"] == "token_expired"
    local.assert_no_problems()


def test_oauth_v2_access_without_client_credentials_is_a_problem(local: LocalSlack) -> None:
    with pytest.raises(SlackApiError):
        WebClient(base_url=local.api_url).api_call("oauth.v2.access", data={"code": "x"})
    assert local.problems == [
        "oauth.v2.access: needs client_id and client_secret (HTTP Basic auth or form fields)"
    ]


def test_unknown_method_is_a_problem(local: LocalSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as err:
        client.api_call("reactions.frobnicate")
    assert err.value.response["error"] == "unknown_method"
    assert local.problems == ["reactions.frobnicate: unknown method"]


def test_other_chat_methods(local: LocalSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="U1", text="dm")
    assert posted["channel"] == "DU1"
    assert client.chat_postEphemeral(channel="C1", user="U1", text="psst")["message_ts"]
    updated = client.chat_update(channel="C1", ts=posted["ts"], text="edited")
    assert updated["ts"] == posted["ts"] and updated["text"] == "edited"
    assert client.chat_delete(channel="C1", ts=posted["ts"])["ok"]
    link = client.chat_getPermalink(channel="C1", message_ts="1700000000.000100")
    assert link["permalink"] == "https://local.slack/archives/C1/p1700000000000100"
    soon = int(time.time()) + 60
    scheduled = client.chat_scheduleMessage(channel="C1", text="later", post_at=soon)
    assert scheduled["scheduled_message_id"].startswith("Q")
    with pytest.raises(SlackApiError) as err:
        client.chat_scheduleMessage(channel="C1", text="past", post_at=int(time.time()) - 60)
    assert err.value.response["error"] == "time_in_past"
    local.assert_no_problems()


def test_workspace_methods(local: LocalSlack, client: WebClient) -> None:
    ada = client.users_info(user="U1")["user"]
    assert ada["real_name"] == "Ada Lovelace" and ada["tz"] == "Europe/London"
    assert ada["profile"]["real_name"] == "Ada Lovelace"
    other = client.users_info(user="U2")["user"]
    assert other["tz"] == "UTC" and other["tz_offset"] == 0 and other["profile"]["email"]
    assert {m["id"] for m in client.users_list()["members"]} == {"U1", "U0BOT"}
    assert client.conversations_open(users="U1")["channel"]["id"] == "DU1"
    assert client.conversations_info(channel="C1")["channel"]["is_member"] is True
    assert client.conversations_join(channel="C2")["channel"]["id"] == "C2"
    assert client.team_info()["team"]["id"] == "T0LOCAL"
    local.assert_no_problems()


def test_conversations_history_returns_posted_messages_newest_first(
    local: LocalSlack, client: WebClient
) -> None:
    metadata = {"event_type": "salesbot_delivery", "event_payload": {"key": "k1"}}
    first = client.chat_postMessage(channel="U1", text="one", metadata=metadata)["ts"]
    second = client.chat_postMessage(channel="DU1", text="two")["ts"]
    client.chat_postMessage(channel="C1", text="elsewhere")

    history = client.conversations_history(channel="DU1", include_all_metadata=True)
    assert [m["text"] for m in history["messages"]] == ["two", "one"]
    assert history["messages"][1]["metadata"] == metadata
    assert history["has_more"] is False
    # Metadata only when asked for, as at Slack; oldest and latest are exclusive.
    plain = client.conversations_history(channel="DU1")["messages"]
    assert all("metadata" not in m for m in plain)
    assert [
        m["ts"] for m in client.conversations_history(channel="DU1", oldest=first)["messages"]
    ] == [second]
    assert [
        m["ts"] for m in client.conversations_history(channel="DU1", latest=second)["messages"]
    ] == [first]
    page = client.conversations_history(channel="DU1", limit=1)
    assert page["has_more"] is True and [m["text"] for m in page["messages"]] == ["two"]
    cursor = page["response_metadata"]["next_cursor"]
    rest = client.conversations_history(channel="DU1", limit=1, cursor=cursor)
    assert [m["text"] for m in rest["messages"]] == ["one"] and rest["has_more"] is False
    assert client.conversations_history(channel="DU9")["messages"] == []
    local.assert_no_problems()


def test_message_timestamps_can_follow_a_clock() -> None:
    now = [1772465400.0]
    with LocalSlack(clock=lambda: now[0]) as local:
        client = WebClient(token="xoxb-test", base_url=local.api_url)
        first = client.chat_postMessage(channel="C1", text="a")["ts"]
        second = client.chat_postMessage(channel="C1", text="b")["ts"]  # same instant
        now[0] += 60
        third = client.chat_postMessage(channel="C1", text="c")["ts"]
    assert (first, second, third) == (
        "1772465400.000000",
        "1772465400.000001",
        "1772465460.000000",
    )


# -- message validation ---------------------------------------------------------------------


def test_section_text_over_3000_is_a_problem_and_an_error(
    local: LocalSlack, client: WebClient
) -> None:
    blocks = [section("ok"), section("x" * 3001)]
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="long", blocks=blocks)
    assert err.value.response["error"] == "invalid_blocks"
    assert local.problems == [
        "chat.postMessage: blocks[1] section text longer than 3000 (3001 chars)"
    ]
    assert local.calls_to("chat.postMessage")[0].result["ok"] is False
    with pytest.raises(AssertionError, match="section text longer than 3000"):
        local.assert_no_problems()


def test_missing_text_fallback_is_flagged(local: LocalSlack, client: WebClient) -> None:
    with pytest.warns(UserWarning, match="text"):  # slack_sdk warns too; Slack accepts it
        resp = client.chat_postMessage(channel="C1", blocks=[section("no fallback")])
    assert resp["ok"] is True
    assert len(local.problems) == 1
    assert "text` fallback" in local.problems[0]


def test_valid_model_blocks_produce_no_problems(local: LocalSlack, client: WebClient) -> None:
    blocks = valid_message_blocks()
    assert block_problems(blocks) == []
    client.chat_postMessage(channel="C1", text="fallback", blocks=blocks)
    client.chat_postEphemeral(channel="C1", user="U1", text="fallback", blocks=blocks)
    client.views_open(trigger_id="t1", view=valid_modal())
    client.views_publish(user_id="U1", view=View(type="home", blocks=blocks))
    local.assert_no_problems()


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "x"},
                "accesory": {
                    "type": "image",
                    "image_url": "https://example.com/a",
                    "alt_text": "a",
                },
            },
            "unknown field 'accesory'",
        ),
        (
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "text": {"type": "plain_text", "text": "b"}, "valeu": "1"}
                ],
            },
            "elements[0] has unknown field 'valeu'",
        ),
        (
            {"type": "sektion", "text": {"type": "mrkdwn", "text": "x"}},
            "blocks[0] sektion is not a block type slack_sdk knows",
        ),
        (
            {"type": "actions", "elements": [{"type": "buton", "action_id": "a"}]},
            "'buton' is not an element type",
        ),
        ({"type": "section", "text": "plain string"}, "text must be a text object"),
        ({"type": "image", "image_url": "https://example.com/a.png"}, "needs alt_text"),
        ({"type": "image", "alt_text": "a"}, "needs image_url or slack_file"),
        (
            {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}},
            "header text longer than 150",
        ),
        (
            {"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11},
            "11 fields, more than 10",
        ),
        (
            {"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]},
            "fields[0] longer than 2000",
        ),
        (
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11},
            "11 elements, more than 10",
        ),
        (
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "b"},
                        "action_id": f"a{i}",
                    }
                    for i in range(26)
                ],
            },
            "26 elements, more than 25",
        ),
        (
            {
                "type": "actions",
                "elements": [{"type": "button", "text": {"type": "plain_text", "text": "b" * 76}}],
            },
            "button text longer than 75",
        ),
        (
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "b"},
                        "value": "v" * 2001,
                    }
                ],
            },
            "button value longer than 2000",
        ),
        (
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "static_select",
                        "action_id": "s",
                        "placeholder": {"type": "plain_text", "text": "p"},
                        "options": [
                            {"text": {"type": "plain_text", "text": f"o{i}"}, "value": str(i)}
                            for i in range(101)
                        ],
                    }
                ],
            },
            "101 options, more than 100",
        ),
        (
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "static_select",
                        "action_id": "s",
                        "options": [
                            {"text": {"type": "plain_text", "text": "o" * 76}, "value": "v" * 151}
                        ],
                    }
                ],
            },
            "options[0] text longer than 75",
        ),
        (
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "b"},
                        "confirm": {
                            "title": {"type": "plain_text", "text": "t"},
                            "text": {"type": "plain_text", "text": "c" * 301},
                            "confirm": {"type": "plain_text", "text": "y"},
                            "deny": {"type": "plain_text", "text": "n"},
                        },
                    }
                ],
            },
            "confirm text longer than 300",
        ),
        (
            {"type": "section", "block_id": "b" * 256, "text": {"type": "mrkdwn", "text": "x"}},
            "block_id longer than 255",
        ),
        (
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "b"},
                        "action_id": "a" * 256,
                    }
                ],
            },
            "action_id longer than 255",
        ),
        ({"type": "section", "text": {"type": "mrkdwn", "text": ""}}, "empty text object"),
    ],
)
def test_invalid_blocks_are_rejected(
    local: LocalSlack, client: WebClient, block: dict, expected: str
) -> None:
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="fallback", blocks=[block])
    assert err.value.response["error"] == "invalid_blocks"
    assert any(expected in p for p in local.problems), local.problems


def test_message_level_limits() -> None:
    assert block_problems([section("a")] * 51)[0] == "blocks has 51 blocks, more than 50"
    dup = [{**section("a"), "block_id": "x"}, {**section("b"), "block_id": "x"}]
    assert block_problems(dup) == ["blocks[1] section duplicate block_id 'x'"]
    big = [section("y" * 2900) for _ in range(5)]
    assert any("more than 13000" in p for p in block_problems(big))
    assert block_problems("not json") == ["blocks must be a JSON array of blocks"]


def test_too_long_payload_answers_msg_blocks_too_long(local: LocalSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="t", blocks=[section("y" * 2900)] * 5)
    assert err.value.response["error"] == "msg_blocks_too_long"


def test_validate_false_accepts_anything(client: WebClient) -> None:
    with LocalSlack(validate=False) as lax:
        lax_client = WebClient(token="xoxb-test", base_url=lax.api_url)
        lax_client.chat_postMessage(channel="C1", text="t", blocks=[section("z" * 5000)])
        assert lax.problems == []


# -- views ----------------------------------------------------------------------------------


def test_views_open_then_update_with_stale_hash_conflicts(
    local: LocalSlack, client: WebClient
) -> None:
    opened = client.views_open(trigger_id="123.456", view=valid_modal())["view"]
    assert opened["id"].startswith("V") and opened["hash"]
    assert opened["state"] == {"values": {}}
    assert opened["team_id"] == "T0LOCAL" and opened["app_id"]
    loading = View(type="modal", title="Loaded", blocks=[SectionBlock(text="done")])
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=loading)["view"]
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    with pytest.raises(SlackApiError) as err:
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=loading)
    assert err.value.response["error"] == "hash_conflict"
    assert local.views()[opened["id"]]["title"]["text"] == "Loaded"
    local.assert_no_problems()


def test_views_update_by_external_id_and_push(local: LocalSlack, client: WebClient) -> None:
    view = {
        "type": "modal",
        "external_id": "deal-1",
        "title": {"type": "plain_text", "text": "A"},
        "blocks": [section("a")],
    }
    opened = client.views_open(trigger_id="t", view=view)["view"]
    view["title"]["text"] = "B"
    assert client.views_update(external_id="deal-1", view=view)["view"]["id"] == opened["id"]
    pushed = client.views_push(trigger_id="t2", view={**view, "external_id": "deal-2"})["view"]
    assert set(local.views()) == {opened["id"], pushed["id"]}
    local.assert_no_problems()


def test_views_publish_keeps_one_home_per_user(local: LocalSlack, client: WebClient) -> None:
    home = View(type="home", blocks=[SectionBlock(text="Home")])
    first = client.views_publish(user_id="U1", view=home)["view"]
    second = client.views_publish(user_id="U1", view=home)["view"]
    assert first["id"] == second["id"] and first["type"] == "home"
    assert len(local.views()) == 1


def test_views_need_trigger_id(local: LocalSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as err:
        client.views_open(trigger_id="", view=valid_modal())
    assert err.value.response["error"] == "invalid_trigger_id"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"title": {"type": "plain_text", "text": "t" * 25}}, "view title longer than 24"),
        ({"submit": None}, "input blocks needs submit"),
        ({"private_metadata": "m" * 3001}, "private_metadata longer than 3000"),
        ({"callback_id": "c" * 256}, "callback_id longer than 255"),
        ({"blocks": [section("s")] * 101}, "101 blocks, more than 100"),
        ({"submitt": {"type": "plain_text", "text": "x"}}, "unknown field 'submitt'"),
        ({"type": "home"}, "view type must be 'modal' here"),
    ],
)
def test_invalid_views_are_rejected(
    local: LocalSlack, client: WebClient, change: dict, expected: str
) -> None:
    view = {**valid_modal().to_dict(), **change}
    with pytest.raises(SlackApiError) as err:
        client.views_open(trigger_id="t", view=view)
    assert err.value.response["error"] == "invalid_arguments"
    assert any(expected in p for p in local.problems), local.problems
    assert not local.views()


def test_view_problems_helper() -> None:
    assert view_problems(valid_modal().to_dict()) == []
    assert view_problems("nope") == ["view must be a JSON object"]


# -- files ----------------------------------------------------------------------------------


def test_files_upload_v2_end_to_end(local: LocalSlack, client: WebClient) -> None:
    resp = client.files_upload_v2(channel="C1", content=b"png", filename="c.png", title="Chart")
    file_id = resp["file"]["id"]
    assert local.file_bytes(file_id) == b"png"
    assert resp["file"]["title"] == "Chart" and resp["file"]["channels"] == ["C1"]
    assert [c.method for c in local.calls] == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]
    assert local.calls_to("files.completeUploadExternal")[0].args["files"][0]["id"] == file_id
    image = {"type": "image", "alt_text": "chart", "slack_file": {"id": file_id}}
    client.chat_postMessage(channel="C1", text="chart", blocks=[image])
    local.assert_no_problems()


def test_slack_file_uploaded_without_channel_is_invalid(
    local: LocalSlack, client: WebClient
) -> None:
    file_id = client.files_upload_v2(content=b"png", filename="c.png")["file"]["id"]
    image = {"type": "image", "alt_text": "chart", "slack_file": {"id": file_id}}
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="chart", blocks=[image])
    assert any("invalid slack file" in p for p in local.problems), local.problems


def test_file_bytes_of_unknown_file_raises(local: LocalSlack) -> None:
    with pytest.raises(KeyError):
        local.file_bytes("F404")


# -- failure injection ------------------------------------------------------------------------


def test_rate_limit_then_retry_handler_succeeds(local: LocalSlack) -> None:
    local.fail_next("chat.postMessage", status=429, retry_after=1)
    retrying = WebClient(
        token="xoxb-test",
        base_url=local.api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    assert retrying.chat_postMessage(channel="C1", text="hi")["ok"]
    calls = local.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert calls[0].result == {"ok": False, "error": "ratelimited"}


def test_injected_failures_without_retry(local: LocalSlack, client: WebClient) -> None:
    local.fail_next("chat.postMessage", status=429, retry_after=3)
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="hi")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "3"
    local.fail_next("views.open", error="expired_trigger_id", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError, match="expired_trigger_id"):
            client.views_open(trigger_id="t", view=valid_modal())
    assert client.views_open(trigger_id="t", view=valid_modal())["ok"]
    local.fail_next("auth.test", status=500)
    with pytest.raises(SlackApiError) as err:
        client.auth_test()
    assert err.value.response.status_code == 500


# -- response_url -----------------------------------------------------------------------------


def test_response_url_post_is_recorded(local: LocalSlack) -> None:
    url = local.response_url("abc")
    assert url.endswith("/response/abc")
    resp = WebhookClient(url).send(
        text="done",
        response_type="in_channel",
        blocks=[SectionBlock(text="*done*")],
        replace_original=True,
    )
    assert resp.status_code == 200 and json.loads(resp.body) == {"ok": True}
    call = local.calls_to("response_url")[0]
    assert call.args["response_key"] == "abc"
    assert call.args["blocks"] == [SectionBlock(text="*done*").to_dict()]
    assert call.args["response_type"] == "in_channel"
    assert local.response_url() != local.response_url()
    local.assert_no_problems()


def test_response_url_validation_and_reuse_limit(local: LocalSlack) -> None:
    hook = WebhookClient(local.response_url())
    assert json.loads(hook.send(blocks=[section("no text")]).body) == {"ok": True}
    assert "text` fallback" in local.problems[-1]
    for _ in range(4):
        hook.send(text="again")
    assert json.loads(hook.send(text="sixth").body)["error"] == "used_url"


# -- waiting, listeners, reset ----------------------------------------------------------------


def test_wait_for_blocks_until_the_call_arrives(local: LocalSlack, client: WebClient) -> None:
    timer = threading.Timer(0.1, lambda: client.chat_postMessage(channel="C1", text="late"))
    timer.start()
    calls = local.wait_for("chat.postMessage", timeout=5)
    timer.join()
    assert calls[0].args["text"] == "late"


def test_wait_for_times_out_with_a_clear_message(local: LocalSlack, client: WebClient) -> None:
    client.auth_test()
    with pytest.raises(AssertionError) as err:
        local.wait_for("views.open", timeout=0.2)
    assert str(err.value) == (
        "expected 1 call(s) to views.open within 0.2s, got 0; received: auth.test"
    )


def test_listeners_and_reset(local: LocalSlack, client: WebClient) -> None:
    seen: list[Call] = []
    local.listeners.append(seen.append)
    local.listeners.append(lambda call: 1 / 0)  # a broken listener must not break the call
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="x", blocks=[{"type": "bogus"}])
    assert [c.method for c in seen] == ["chat.postMessage"]
    assert local.problems
    local.reset()
    assert local.calls == [] and local.problems == []


def test_raw_http_error_paths(local: LocalSlack) -> None:
    import urllib.request

    req = urllib.request.Request(
        local.api_url + "chat.postMessage",
        data=b"{not json",
        headers={"Content-Type": "application/json", "Authorization": "Bearer xoxb-test"},
    )
    with urllib.request.urlopen(req) as resp:
        assert json.loads(resp.read())["error"] == "invalid_json"
    form = urlencode({"channel": "C1", "text": "q"}).encode()
    req = urllib.request.Request(local.api_url + "chat.postMessage?token=xoxb-q", data=form)
    with urllib.request.urlopen(req) as resp:
        assert json.loads(resp.read())["ok"] is True
    assert local.calls[-1].token == "xoxb-q"


# -- Bolt -------------------------------------------------------------------------------------


def test_bolt_app_runs_against_local_slack(local: LocalSlack) -> None:
    from slack_bolt import App, BoltRequest
    from slack_sdk.signature import SignatureVerifier

    app = App(signing_secret="secret", client=WebClient(token="xoxb-test", base_url=local.api_url))

    @app.command("/deal")
    def deal(ack, respond, say, client, body) -> None:  # type: ignore[no-untyped-def]
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=valid_modal())
        respond(text="Opening…", blocks=[SectionBlock(text="Opening…")])
        say(text="A deal is being created")

    body = urlencode(
        {
            "command": "/deal",
            "text": "",
            "team_id": "T0LOCAL",
            "user_id": "U1",
            "channel_id": "C1",
            "trigger_id": "111.222",
            "response_url": local.response_url("cmd"),
        }
    )
    timestamp = str(int(time.time()))
    signature = SignatureVerifier("secret").generate_signature(timestamp=timestamp, body=body)
    headers = {
        "content-type": ["application/x-www-form-urlencoded"],
        "x-slack-signature": [signature],
        "x-slack-request-timestamp": [timestamp],
    }
    response = app.dispatch(BoltRequest(body=body, headers=headers))
    assert response.status == 200
    assert local.wait_for("chat.postMessage")[0].args["channel"] == "C1"
    assert local.wait_for("response_url")[0].args["response_key"] == "cmd"
    assert local.wait_for("views.open")[0].args["trigger_id"] == "111.222"
    local.assert_no_problems()


# -- Socket Mode ------------------------------------------------------------------------------


def test_apps_connections_open_needs_an_app_level_token(
    local: LocalSlack, client: WebClient
) -> None:
    for token, error in (("xoxb-test", "not_allowed_token_type"), ("nonsense", "invalid_auth")):
        with pytest.raises(SlackApiError) as raised:
            client.apps_connections_open(app_token=token)
        assert raised.value.response["error"] == error
    assert [c.result["error"] for c in local.calls_to("apps.connections.open")] == [
        "not_allowed_token_type",
        "invalid_auth",
    ]
    assert len(local.problems) == 2  # a misconfigured token is the app's bug

    opened = client.apps_connections_open(app_token="xapp-1-test")
    port = local.base_url.rsplit(":", 1)[1]
    assert opened["url"].startswith(f"ws://127.0.0.1:{port}/socket?ticket=")
    assert local.calls[-1].token == "xapp-1-test"


def test_an_app_level_token_cannot_call_bot_methods(local: LocalSlack) -> None:
    app_client = WebClient(token="xapp-1-test", base_url=local.api_url)
    with pytest.raises(SlackApiError) as raised:
        app_client.chat_postMessage(channel="C1", text="hi")
    assert raised.value.response["error"] == "not_allowed_token_type"


def socket_client(
    local: LocalSlack, reply: Callable[[SocketModeRequest], dict | None]
) -> SocketModeClient:
    """slack_sdk's builtin Socket Mode client, acking every envelope with `reply(request)`."""
    sm = SocketModeClient(app_token="xapp-1-test", web_client=WebClient(base_url=local.api_url))

    def listener(client: SocketModeClient, request: SocketModeRequest) -> None:
        payload = reply(request)
        response = SocketModeResponse(envelope_id=request.envelope_id, payload=payload)
        client.send_socket_mode_response(response)

    sm.socket_mode_request_listeners.append(listener)
    return sm


def close_client(sm: SocketModeClient, local: LocalSlack) -> None:
    """Close the client quickly: closed from our side, it need not wait out its 3 s recv."""
    sm.auto_reconnect_enabled = sm.default_auto_reconnect_enabled = False
    local.socket_close(1000, "test over")
    deadline = time.monotonic() + 5
    while local.socket_connections and time.monotonic() < deadline:
        time.sleep(0.02)
    sm.close()


def test_slack_sdk_socket_mode_client_connects_and_acks(local: LocalSlack) -> None:
    received: list[SocketModeRequest] = []

    def reply(request: SocketModeRequest) -> dict | None:
        received.append(request)
        if request.type == "slash_commands":
            return {"text": "hello " + request.payload["text"]}
        return None

    sm = socket_client(local, reply)
    try:
        sm.connect()
        connect = local.wait_for_socket(timeout=5)
        assert connect.token == "xapp-1-test"
        assert connect.result["hello"]["type"] == "hello"
        assert local.socket_connections == 1

        big = "x" * 70_000  # 8-byte frame lengths in both directions
        assert local.socket_send("slash_commands", {"command": "/deal", "text": big}) == {
            "text": "hello " + big
        }
        assert local.socket_send("interactive", {"type": "block_actions"}) == {}
        event = {"type": "event_callback", "event_id": "Ev1", "event": {"type": "app_mention"}}
        assert local.socket_send("events_api", event) == {}

        assert [r.type for r in received] == ["slash_commands", "interactive", "events_api"]
        assert received[0].accepts_response_payload is True
        assert received[2].accepts_response_payload is False  # Slack's default for events
        assert received[2].retry_attempt == 0 and received[2].payload == event
        acks = local.calls_to("socket.ack")
        assert [a.args["type"] for a in acks] == ["slash_commands", "interactive", "events_api"]
        assert all(a.result["ok"] and a.result["elapsed"] < 3 for a in acks)
        assert "payload" not in acks[1].args  # a bare ack

        deadline = time.monotonic() + 5  # the client pings on connect: we answered
        while sm.current_session.last_ping_pong_time is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sm.current_session.last_ping_pong_time is not None
    finally:
        close_client(sm, local)
    closed = local.wait_for("socket.close", timeout=5)[0]
    assert closed.args["code"] == 1000
    assert local.socket_connections == 0
    local.assert_no_problems()


@pytest.mark.slow  # slack_sdk lets go of the old connection only after its 3 s recv timeout
def test_socket_mode_client_reconnects_after_disconnect(local: LocalSlack) -> None:
    sm = socket_client(local, lambda request: {"text": "pong"})
    try:
        sm.connect()
        first = local.wait_for_socket(timeout=5)
        local.socket_disconnect("refresh_requested")
        second = local.wait_for("socket.connect", 2, timeout=5)[-1]
        assert second.args["ticket"] != first.args["ticket"]  # a fresh URL, tickets are single-use
        assert len(local.calls_to("apps.connections.open")) == 2
        # slack_sdk reads the new connection once it has let go of the old one.
        local.wait_for("socket.close", timeout=10)
        assert local.wait_for_socket(timeout=5).args["ticket"] == second.args["ticket"]
        assert local.socket_send("slash_commands", {"command": "/x", "text": ""}) == {
            "text": "pong"
        }
    finally:
        close_client(sm, local)
    local.assert_no_problems()


def test_acks_are_validated(local: LocalSlack) -> None:
    bad_blocks = {"text": "t", "blocks": [{"type": "section"}]}
    answers = iter([bad_blocks, {"text": "not for events"}, {"response_action": "nope"}])
    sm = socket_client(local, lambda request: next(answers))
    try:
        sm.connect()
        local.wait_for_socket(timeout=5)
        assert local.socket_send("slash_commands", {"command": "/x"}) == bad_blocks
        assert local.socket_send("events_api", {"type": "event_callback"}) == {
            "text": "not for events"
        }
        local.socket_send("interactive", {"type": "view_submission"})
    finally:
        close_client(sm, local)
    errors = [c.result.get("error") for c in local.calls_to("socket.ack")]
    assert errors == ["invalid_blocks", "invalid_payload", "invalid_arguments"]
    assert any("needs text or fields" in p for p in local.problems)
    assert any("accept no response payload" in p for p in local.problems)


def test_socket_send_without_a_client_fails_fast(local: LocalSlack) -> None:
    with pytest.raises(AssertionError, match="no Socket Mode client"):
        local.socket_send("slash_commands", {})
    with pytest.raises(AssertionError, match="no Socket Mode client connected within"):
        local.wait_for_socket(timeout=0.1)


# A raw client, to check the protocol details slack_sdk's client never exercises.


def ws_open(local: LocalSlack, ticket: str | None = None) -> tuple[socket.socket, bytes]:
    """Connect and hand-shake; (socket, the response head)."""
    if ticket is None:
        url = WebClient(base_url=local.api_url).apps_connections_open(app_token="xapp-1")["url"]
        ticket = url.split("ticket=")[1].split("&")[0]
    key = base64.b64encode(os.urandom(16)).decode()
    sock = socket.create_connection(("127.0.0.1", int(local.base_url.rsplit(":", 1)[1])), 5)
    sock.sendall(
        (
            f"GET /socket?ticket={ticket} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        if not chunk:
            break
        head += chunk
    if head.startswith(b"HTTP/1.1 101"):
        expected = base64.b64encode(
            hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()
        )
        assert b"Sec-WebSocket-Accept: " + expected in head
    return sock, head


def ws_send(
    sock: socket.socket, opcode: int, data: bytes, *, mask: bool = True, fin: bool = True
) -> None:
    """One client frame (masked, as RFC 6455 requires of clients, unless told otherwise)."""
    key = os.urandom(4) if mask else b""
    body = bytes(b ^ key[i % 4] for i, b in enumerate(data)) if mask else data
    size = len(data)
    length = bytes([size]) if size < 126 else bytes([126]) + struct.pack("!H", size)
    first = (0x80 if fin else 0) | opcode
    sock.sendall(bytes([first, (0x80 if mask else 0) | length[0]]) + length[1:] + key + body)


def ws_recv(sock: socket.socket) -> tuple[int, bytes]:
    def exact(n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            assert chunk, "connection closed"
            data += chunk
        return data

    b1, b2 = exact(2)
    assert not b2 & 0x80, "servers must not mask"
    size = b2 & 0x7F
    if size == 126:
        (size,) = struct.unpack("!H", exact(2))
    elif size == 127:
        (size,) = struct.unpack("!Q", exact(8))
    return b1 & 0x0F, exact(size)


def test_raw_websocket_hello_ping_ack_and_close(local: LocalSlack) -> None:
    sock, head = ws_open(local)
    with sock:
        assert head.startswith(b"HTTP/1.1 101 Switching Protocols\r\n")
        opcode, hello = ws_recv(sock)
        assert opcode == 0x1 and json.loads(hello)["type"] == "hello"
        local.wait_for_socket(timeout=5)

        ws_send(sock, 0x9, b"are you there")
        assert ws_recv(sock) == (0xA, b"are you there")

        box: dict[str, dict | None] = {}
        sender = threading.Thread(
            target=lambda: box.update(ack=local.socket_send("interactive", {"type": "shortcut"}))
        )
        sender.start()
        opcode, raw = ws_recv(sock)
        envelope = json.loads(raw)
        assert envelope["type"] == "interactive" and envelope["accepts_response_payload"] is True
        ack = json.dumps({"envelope_id": envelope["envelope_id"], "payload": {}}).encode()
        ws_send(sock, 0x1, ack[:10], fin=False)  # fragmented: text, then a continuation
        ws_send(sock, 0x0, ack[10:])
        sender.join(5)
        assert box == {"ack": {}}

        ws_send(sock, 0x1, b'{"envelope_id": "never-sent"}')
        ws_send(sock, 0x8, struct.pack("!H", 1000) + b"bye")
        assert ws_recv(sock) == (0x8, struct.pack("!H", 1000))
    closed = local.wait_for("socket.close", timeout=5)[0]
    assert (closed.args["code"], closed.args["reason"]) == (1000, "bye")
    assert local.problems == ["socket.ack: ack for unknown envelope never-sent"]


def test_websocket_refuses_unknown_reused_and_non_upgrade_requests(local: LocalSlack) -> None:
    sock, _ = ws_open(local)
    ticket = local.wait_for("socket.connect")[0].args["ticket"]
    sock.close()
    for bad in ("made-up", ticket):  # tickets are single-use
        refused, head = ws_open(local, bad)
        refused.close()
        assert head.startswith(b"HTTP/1.0 401"), head
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(f"{local.base_url}/socket?ticket=x", timeout=5)
    assert raised.value.code == 400
    statuses = [c.status for c in local.calls_to("socket.connect")]
    assert statuses == [200, 401, 401, 400]
    assert len(local.problems) == 3


def test_unmasked_client_frames_are_a_problem(local: LocalSlack) -> None:
    sock, _ = ws_open(local)
    with sock:
        ws_recv(sock)  # hello
        ws_send(sock, 0x9, b"x", mask=False)
        assert ws_recv(sock) == (0xA, b"x")
    assert any("unmasked" in p for p in local.problems)


def test_stop_closes_socket_mode_connections() -> None:
    slack = LocalSlack().start()
    sock, _ = ws_open(slack)
    with sock:
        ws_recv(sock)  # hello
        slack.stop()
        opcode, data = ws_recv(sock)
        assert opcode == 0x8 and struct.unpack("!H", data[:2])[0] == 1001
