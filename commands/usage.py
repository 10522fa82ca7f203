"""What each command is for and how to type it: help, usage errors, the manifest."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from commands.format import escape, truncate


@dataclass(frozen=True)
class CommandSpec:
    name: str  # "/customer"
    summary: str  # one line for /salesbot help and the manifest description
    usage_hint: str  # shown by Slack's autocomplete
    forms: tuple[tuple[str, str], ...]  # (what to type, what it does)

    def usage_text(self) -> str:
        # Forms hold <placeholders>: escaped, or Slack reads them as links and mentions.
        return "\n".join(
            f"`{escape(f'{self.name} {form}'.strip())}` — {escape(does)}"
            for form, does in self.forms
        )


def usage_blocks(spec: CommandSpec, problem: str | None = None) -> list[Block]:
    """Usage of one command, after a short note of what was wrong if anything."""
    blocks: list[Block] = []
    if problem:
        shown = truncate(escape(problem), 1000)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f":warning: {shown}")))
    blocks.append(
        SectionBlock(
            text=MarkdownTextObject(text=f"*{spec.name}* — {spec.summary}\n" + spec.usage_text())
        )
    )
    blocks.append(
        ContextBlock(elements=[MarkdownTextObject(text="`/salesbot help` lists every command.")])
    )
    return blocks


def usage_fallback(spec: CommandSpec, problem: str | None = None) -> str:
    head = f"{truncate(escape(problem), 1000)} " if problem else ""
    # The hint holds <placeholders>, which Slack would read as links in the fallback text.
    return f"{head}Usage: {spec.name} {escape(spec.usage_hint)}"
