"""Messages are shortened to fit Slack's total size instead of being refused."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import HeaderBlock, MarkdownTextObject, SectionBlock

from commands.fit import fit


def size(blocks: list) -> int:
    return len(json.dumps([b.to_dict() for b in blocks], ensure_ascii=False))


def test_long_sections_are_shortened_until_the_message_fits() -> None:
    blocks = [HeaderBlock(text="Acme")] + [
        SectionBlock(text=MarkdownTextObject(text=f"{i} " + "x" * 2900)) for i in range(8)
    ]
    fitted = fit(blocks, budget=12_000)
    assert size(fitted) <= 12_000
    assert len(fitted) == 9  # nothing dropped
    assert all(b.text.text.endswith("…") for b in fitted[1:])
    assert fitted[3].text.text.startswith("2 ")


def test_small_messages_are_untouched() -> None:
    blocks = [SectionBlock(text=MarkdownTextObject(text="short & sweet"))]
    assert fit(blocks)[0].text.text == "short & sweet"
