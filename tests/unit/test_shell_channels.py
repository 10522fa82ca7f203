"""Channels typed in the shell reach the app the way Slack's client sends them."""

from __future__ import annotations

from bot.shell.console import channel_links


def test_a_typed_channel_becomes_a_channel_link_with_a_stable_id() -> None:
    once = channel_links("pulse #sales weekly mon 09:00")
    again = channel_links("#sales")

    assert once.startswith("pulse <#C") and once.endswith("|sales> weekly mon 09:00")
    assert again == once.split(" ")[1]
    assert channel_links("#wins") != again


def test_links_order_numbers_and_existing_links_are_left_alone() -> None:
    text = "Order #123 for <#C0SALES|sales> and a&#39;s"

    assert channel_links(text) == text
