"""Keep a message under Slack's total size, which bites before the per-block limits do."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock

from commands.format import truncate

# Slack answers msg_blocks_too_long somewhere past ~13k serialized characters; stay clear.
MESSAGE_BUDGET = 12_000


def fit(blocks: list[Block], budget: int = MESSAGE_BUDGET) -> list[Block]:
    """Shorten the longest section texts until the blocks serialize within the budget."""
    while _size(blocks) > budget:
        texts = [
            (len(obj.text), obj)
            for block in blocks
            if isinstance(block, SectionBlock)
            for obj in [block.text, *(block.fields or [])]
            if isinstance(obj, MarkdownTextObject) and len(obj.text) > 200
        ]
        if not texts:
            break  # nothing long left to shorten: the caller sent too many blocks
        _, longest = max(texts, key=lambda pair: pair[0])
        longest.text = truncate(longest.text, int(len(longest.text) * 0.6))
    return blocks


def _size(blocks: list[Block]) -> int:
    return len(json.dumps([b.to_dict() for b in blocks], ensure_ascii=False))
