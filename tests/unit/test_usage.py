"""The usage text every command answers with."""

from __future__ import annotations

from commands.usage import CommandSpec, usage_fallback


def test_the_fallback_text_escapes_placeholders_so_slack_reads_no_links() -> None:
    spec = CommandSpec(name="/x", summary="s", usage_hint="report <metric> by <dim>", forms=())

    text = usage_fallback(spec, "bad <!channel>")

    assert text == "bad &lt;!channel&gt; Usage: /x report &lt;metric&gt; by &lt;dim&gt;"
