"""manifest.yml is valid for Slack and declares exactly what the code handles."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

import commands

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT.parent / "shared" / "slack-manifest-schema" / "manifest.schema.1.0.0.json"


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_manifest_matches_slacks_schema(manifest: dict) -> None:
    if not SCHEMA.exists():
        pytest.fail(f"Slack's manifest schema is missing at {SCHEMA}")
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validate(manifest, schema)


def test_manifest_commands_are_the_commands_the_app_handles(manifest: dict) -> None:
    declared = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(declared) == {spec.name for spec in commands.SPECS}
    for spec in commands.SPECS:
        assert declared[spec.name]["usage_hint"] == spec.usage_hint
        assert declared[spec.name]["should_escape"] is True


def test_manifest_scopes_cover_what_the_code_calls(manifest: dict) -> None:
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    # slash commands need `commands`; chat.postMessage/postEphemeral need chat:write;
    # reminders open the DM (conversations.open: im:write) and, when retried after a crash,
    # look in it for the message already sent (conversations.history: im:history).
    # Low-stock alerts post in a channel the bot may not have joined (chat:write.public)
    # and search its history on a retry (channels:history, groups:history).
    # Charts go up through files_upload_v2 (files:write).
    assert scopes == {
        "commands",
        "chat:write",
        "im:write",
        "im:history",
        "chat:write.public",
        "channels:history",
        "groups:history",
        "files:write",
    }


def test_manifest_subscribes_to_the_events_the_app_handles(manifest: dict) -> None:
    from commands import home

    events = manifest["settings"]["event_subscriptions"]
    assert set(events["bot_events"]) == set(home.EVENTS)
    # Events arrive where commands and buttons do: one endpoint, POST /slack/events.
    assert events["request_url"] == manifest["settings"]["interactivity"]["request_url"]


def test_manifest_enables_the_home_tab(manifest: dict) -> None:
    app_home = manifest["features"]["app_home"]
    assert app_home["home_tab_enabled"] is True
    assert app_home["messages_tab_enabled"] is True
