"""Deal announcements in the sales channel: the message for each queued win, loss or big
move (domain.announcements queues them in the same transaction as the stage change).

The message is built when it goes out, from the deal as it is then; an announcement for
a deal that has since left the announced stage (a win undone a minute later) is skipped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from commands.format import escape, local_date, mention, truncate
from domain.announcements import Event
from domain.money import format_money

if TYPE_CHECKING:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from domain.delivery import Attempt, Delivery
    from domain.pipeline import Deal
    from domain.ports import UnitOfWork
    from scheduler.sender import Message


def render_deal_announcement(uow: UnitOfWork, delivery: Delivery, attempt: Attempt) -> Message:
    """The won, lost or big-move message for the delivery's deal, unless it is gone or has
    moved on since."""
    from scheduler.sender import Message, Skip, _timezone

    team_id, payload = delivery.team_id, delivery.payload
    deal = uow.deals.get(team_id, int(payload["deal_id"]))
    if deal is None:
        raise Skip("the deal was deleted")
    event = Event(payload["event"])
    if deal.stage_id != int(payload["to_stage_id"]):
        raise Skip(f"{deal.public_id} has moved on since")
    stages = {s.id: s.name for s in uow.deals.stages(team_id)}
    customer = uow.customers.get(team_id, deal.customer_id)
    workspace = uow.workspaces.get(team_id)
    currency = workspace.currency if workspace else "USD"
    changes = uow.deals.stage_changes(team_id, deal.id)
    if changes and changes[-1].id != payload["change_id"]:
        # Won, undone and won again before this went out: only the latest is news.
        raise Skip(f"{deal.public_id} has moved since; the latest move is announced")
    actor = next((c.actor for c in changes if c.id == payload["change_id"]), None)
    facts = DealFacts(
        deal=deal,
        customer=customer.name if customer else "a deleted customer",
        amount=format_money(deal.amount, currency),
        from_stage=stages.get(payload.get("from_stage_id") or 0),
        to_stage=stages.get(deal.stage_id, "?"),
        actor=actor,
    )
    text, blocks = announcement_message(event, facts, tz=_timezone(uow, team_id))
    return Message(text, blocks)


class DealFacts:
    """What an announcement says about a deal, looked up once."""

    def __init__(
        self,
        *,
        deal: Deal,
        customer: str,
        amount: str,
        from_stage: str | None,
        to_stage: str,
        actor: str | None,
    ) -> None:
        self.deal = deal
        self.customer = customer
        self.amount = amount
        self.from_stage = from_stage
        self.to_stage = to_stage
        self.actor = actor

    @property
    def title(self) -> str:
        return f"{self.deal.public_id} {truncate(self.deal.title, 150)}"

    @property
    def days_to_close(self) -> int:
        return self.deal.age(self.deal.closed_at or self.deal.updated_at).days


def days(n: int) -> str:
    return "the same day" if n == 0 else ("1 day" if n == 1 else f"{n:,} days")


def announcement_message(
    event: Event, facts: DealFacts, *, tz: ZoneInfo
) -> tuple[str, list[Block]]:
    """Fallback text and blocks: a cheerful win, a sober loss, a plain big move."""
    deal, title = facts.deal, escape(facts.title)
    customer, owner = escape(truncate(facts.customer, 200)), mention(deal.owner_id)
    took = days(facts.days_to_close)
    if event is Event.WON:
        # The fallback text is mrkdwn too: escaped, or a title like "<!channel>" would ping.
        text = f":tada: Won! {title} for {customer}: {facts.amount}, closed by {owner} in {took}."
        head = f":tada: *Deal won!* {owner} closed *{title}* with *{customer}*"
        fields = _fields(facts, took, owner, customer)
        tail = f"Opened {local_date(deal.created_at, tz)} · won {local_date(_closed(deal), tz)}"
        blocks: list[Block] = [
            SectionBlock(text=MarkdownTextObject(text=head)),
            SectionBlock(fields=fields),
            ContextBlock(elements=[MarkdownTextObject(text=f":trophy: {tail}. Nice work!")]),
        ]
        return text, blocks
    if event is Event.LOST:
        reason = deal.lost_reason or "no reason given"
        text = (
            f"Deal lost: {title} for {customer} ({facts.amount}, owner {owner}, "
            f"{took} open). Reason: {escape(truncate(reason, 2500))}"
        )
        head = f"Deal lost: *{title}* with *{customer}*"
        blocks = [
            SectionBlock(text=MarkdownTextObject(text=head)),
            SectionBlock(fields=_fields(facts, took, owner, customer)),
            SectionBlock(
                text=MarkdownTextObject(text=f"*Reason:* {escape(truncate(reason, 2500))}")
            ),
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"Opened {local_date(deal.created_at, tz)} · lost "
                        f"{local_date(_closed(deal), tz)}"
                    )
                ]
            ),
        ]
        return text, blocks
    source = escape(facts.from_stage or "—")
    target = escape(facts.to_stage)
    by = f" by {mention(facts.actor)}" if facts.actor else ""
    text = f"Big deal moved: {title} ({facts.amount}, {customer}) {source} → {target}{by}."
    head = f":arrow_forward: *Big deal moved:* *{title}* ({facts.amount}) {source} → *{target}*"
    blocks = [
        SectionBlock(text=MarkdownTextObject(text=head)),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Customer {customer} · owner {owner}" + (f" · moved{by}" if by else "")
                )
            ]
        ),
    ]
    return text, blocks


def _fields(facts: DealFacts, took: str, owner: str, customer: str) -> list[MarkdownTextObject]:
    return [
        MarkdownTextObject(text=f"*Amount*\n{facts.amount}"),
        MarkdownTextObject(text=f"*Owner*\n{owner}"),
        MarkdownTextObject(text=f"*Customer*\n{customer}"),
        MarkdownTextObject(text=f"*Days to close*\n{took}"),
    ]


def _closed(deal: Deal) -> datetime:
    return deal.closed_at or deal.updated_at
