"""Won and lost deals announced in the sales channel through the delivery sender (the real
SlackSender and the app's client against LocalSlack), once each; big moves above the
threshold only; nothing without a channel."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode

import pytest

from bot import payloads
from bot.local_slack import Call
from bot.slack_clients import SlackClients
from domain.announcements import DEAL_ANNOUNCEMENT
from domain.customers import CustomerDraft
from domain.delivery import DeliveryStatus, SendReport, send_due
from domain.pipeline import Deal, DealDraft
from domain.workspaces import User
from scheduler.deal_announcements import render_deal_announcement
from scheduler.sender import RENDERERS, SlackSender
from tests.harness import CHANNEL, TEAM, USER, Reply, RunningBot

SALES = "C0WINS"
REP = "U0REP"


def raw_settings(bot: RunningBot, text: str) -> Reply:
    body = payloads.slash_command(
        "/salesbot", "", team_id=TEAM, user_id=USER, channel_id=CHANNEL,
        response_url=bot.slack.response_url(),
    )  # fmt: skip
    fields = dict(parse_qsl(body, keep_blank_values=True))
    fields["text"] = text
    reply = bot.post(urlencode(fields))
    bot.settle()
    return reply


class Sales:
    def __init__(self, bot: RunningBot) -> None:
        self.bot = bot
        services = bot.services
        _, admin = services.workspaces.ensure(TEAM, USER)  # Alice, seen first: the admin
        _, rep = services.workspaces.ensure(TEAM, REP)
        assert admin and rep
        self.admin: User = admin
        self.rep: User = rep
        self.customer = services.customers.create(
            TEAM, CustomerDraft.from_input(name="Globex & Co"), actor=REP
        )

    def deal(self, title: str = "Globex rollout", amount: str = "48000") -> Deal:
        draft = DealDraft.from_input(
            title=title,
            customer_id=self.customer.id,
            amount=amount,
            owner_id=REP,
            today=self.bot.services.clock.now().date(),
        )
        return self.bot.services.pipeline.create(TEAM, draft, actor=REP)

    def send(self) -> SendReport:
        """One tick of the sender job."""
        sender = SlackSender(self.bot.services.uow_factory, SlackClients(self.bot.app))
        return send_due(
            self.bot.services.uow_factory, self.bot.services.clock, sender, worker_id="test"
        )

    def posts(self) -> list[Call]:
        return [
            c
            for c in self.bot.slack.calls_to("chat.postMessage")
            if c.args.get("channel") == SALES and c.result.get("ok")
        ]


@pytest.fixture
def sales(bot: RunningBot) -> Sales:
    assert RENDERERS[DEAL_ANNOUNCEMENT] is render_deal_announcement
    return Sales(bot)


def shown(call: Call) -> str:
    return call.args["text"] + json.dumps(call.args["blocks"], ensure_ascii=False)


def test_a_won_deal_is_announced_once_in_the_sales_channel(sales: Sales) -> None:
    saved = raw_settings(sales.bot, f"settings sales-channel <#{SALES}|wins>")
    assert f"Won and lost deals (and big moves, if set) go to <#{SALES}>" in saved.text
    assert "invite @Salesbot there first" in saved.text
    deal = sales.deal()
    sales.bot.services.clock.advance(timedelta(days=23))
    sales.bot.services.pipeline.win(TEAM, deal.id, actor=sales.rep)
    report = sales.send()
    assert report.sent == 1
    (post,) = sales.posts()
    assert post.args["text"] == (
        ":tada: Won! D-1 Globex rollout for Globex &amp; Co: $48,000.00, "
        "closed by <@U0REP> in 23 days."
    )
    blocks = shown(post)
    for expected in (
        "*Deal won!* <@U0REP> closed *D-1 Globex rollout* with *Globex &amp; Co*",
        "*Amount*\\n$48,000.00",
        "*Owner*\\n<@U0REP>",
        "*Customer*\\nGlobex &amp; Co",
        "*Days to close*\\n23 days",
    ):
        assert expected in blocks, expected
    # Another tick, or a restarted sender, posts nothing more.
    assert sales.send().claimed == 0
    assert len(sales.posts()) == 1


def test_a_lost_deal_is_announced_with_its_reason(sales: Sales) -> None:
    raw_settings(sales.bot, f"settings sales-channel <#{SALES}|wins>")
    deal = sales.deal(amount="7500")
    sales.bot.services.clock.advance(timedelta(days=1))
    sales.bot.services.pipeline.lose(
        TEAM, deal.id, "Went with <!channel> a cheaper vendor", actor=sales.rep
    )
    sales.send()
    (post,) = sales.posts()
    text = shown(post)
    assert post.args["text"].startswith(
        "Deal lost: D-1 Globex rollout for Globex &amp; Co ($7,500.00"
    )
    # Escaped in the blocks and in the notification text alike: nobody gets pinged.
    assert "*Reason:* Went with &lt;!channel&gt; a cheaper vendor" in text
    assert "<!channel>" not in post.args["text"]
    assert "*Days to close*\\n1 day" in text
    assert ":tada:" not in text
    sales.send()
    assert len(sales.posts()) == 1


def test_a_crash_after_posting_does_not_post_twice(sales: Sales) -> None:
    """The post reached Slack but the sender died before recording it: the next attempt
    finds the message by its key in the channel's history."""
    raw_settings(sales.bot, f"settings sales-channel <#{SALES}|wins>")
    deal = sales.deal()
    sales.bot.services.pipeline.win(TEAM, deal.id, actor=sales.rep)
    services = sales.bot.services
    # Slack stamps messages with its own time: here, the test's clock.
    sales.bot.slack.clock = lambda: services.clock.now().timestamp()
    sender = SlackSender(services.uow_factory, SlackClients(sales.bot.app))

    def post_then_die(attempt):  # type: ignore[no-untyped-def]
        sender(attempt)
        raise RuntimeError("killed before recording")

    send_due(services.uow_factory, services.clock, post_then_die, worker_id="first")
    assert len(sales.posts()) == 1
    services.clock.advance(timedelta(hours=2))  # past the retry backoff and the lease
    report = sales.send()
    assert report.sent == 1
    assert len(sales.posts()) == 1
    with services.uow_factory() as uow:
        (delivery,) = uow.deliveries.find(TEAM, kind=DEAL_ANNOUNCEMENT)
    assert delivery.status == DeliveryStatus.SENT


def test_nothing_is_announced_without_a_sales_channel(sales: Sales) -> None:
    deal = sales.deal()
    sales.bot.services.pipeline.win(TEAM, deal.id, actor=sales.rep)
    sales.send()
    assert sales.bot.slack.calls_to("chat.postMessage") == []
    with sales.bot.services.uow_factory() as uow:
        assert uow.deliveries.find(TEAM, kind=DEAL_ANNOUNCEMENT) == []


def test_big_moves_are_announced_only_at_or_above_the_threshold(sales: Sales) -> None:
    raw_settings(sales.bot, f"settings sales-channel <#{SALES}|wins>")
    pipeline = sales.bot.services.pipeline
    big, small = sales.deal("Big one", "50000"), sales.deal("Small one", "9999.99")
    pipeline.move(TEAM, big.id, "proposal", actor=sales.rep)  # big moves not set yet
    sales.send()
    assert sales.posts() == []
    saved = sales.bot.command("/salesbot", "settings big-moves 10000")
    assert "*Big stage moves announced:* deals of $10,000.00 or more" in saved.text
    pipeline.move(TEAM, big.id, "negotiation", actor=sales.rep)
    pipeline.move(TEAM, small.id, "proposal", actor=sales.rep)
    sales.send()
    (post,) = sales.posts()
    assert post.args["text"] == (
        "Big deal moved: D-1 Big one ($50,000.00, Globex &amp; Co) "
        "Proposal → Negotiation by <@U0REP>."
    )
    sales.bot.command("/salesbot", "settings big-moves off")
    pipeline.move(TEAM, big.id, "proposal", actor=sales.rep)
    sales.send()
    assert len(sales.posts()) == 1


def test_a_win_undone_before_it_went_out_is_not_announced(sales: Sales) -> None:
    raw_settings(sales.bot, f"settings sales-channel <#{SALES}|wins>")
    deal = sales.deal()
    sales.bot.services.pipeline.win(TEAM, deal.id, actor=sales.rep)
    sales.bot.services.pipeline.move(TEAM, deal.id, "negotiation", actor=sales.rep)
    report = sales.send()
    assert (report.sent, report.cancelled) == (0, 1)
    assert sales.posts() == []


def test_won_undone_and_won_again_is_announced_once(sales: Sales) -> None:
    raw_settings(sales.bot, f"settings sales-channel <#{SALES}|wins>")
    deal = sales.deal()
    pipeline = sales.bot.services.pipeline
    pipeline.win(TEAM, deal.id, actor=sales.rep)
    pipeline.move(TEAM, deal.id, "negotiation", actor=sales.rep)
    pipeline.win(TEAM, deal.id, actor=sales.rep)
    report = sales.send()
    assert (report.sent, report.cancelled) == (1, 1)
    (post,) = sales.posts()
    assert post.args["text"].startswith(":tada: Won!")
