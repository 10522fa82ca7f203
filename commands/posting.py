"""A message with files: what a dashboard, report or digest posts, now or on a schedule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.models.blocks import Block


@dataclass(frozen=True)
class Upload:
    """A file that goes with a message: a chart (PNG) or a CSV."""

    content: bytes
    filename: str  # "sales-2026-11.png"
    title: str


@dataclass(frozen=True)
class Posting:
    text: str  # the notification and fallback text
    blocks: Sequence[Block]
    uploads: Sequence[Upload] = field(default_factory=tuple)


def upload_all(
    client: WebClient, channel: str, uploads: Sequence[Upload], *, comment: str | None = None
) -> None:
    """Each file into the channel through files_upload_v2 (the comment goes with the first)."""
    for i, upload in enumerate(uploads):
        client.files_upload_v2(
            channel=channel,
            content=upload.content,
            filename=upload.filename,
            title=upload.title,
            initial_comment=comment if i == 0 and comment else None,
        )
