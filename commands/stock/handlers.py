"""Listeners for /stock, its buttons, the reorder rule form and the alert's buttons.

Each acks first, then reads or writes through the stock services and answers privately;
the alert's buttons redraw the alert itself, so the channel sees who acted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from commands.format import escape, truncate
from commands.reply import answer, reply_privately
from commands.stock import grammar, views
from commands.stock.views import RULE_BLOCKS, RuleContext, StockBlock
from commands.usage import usage_blocks, usage_fallback
from domain.catalog import Product
from domain.errors import DomainError, NotFound, ValidationFailed
from domain.inventory import Level
from domain.workspaces import Workspace

log = logging.getLogger(__name__)

SPEC = grammar.SPEC
# The form to show when a request of this kind fails in the domain (unknown SKU, say).
FORMS: dict[type, str] = {
    grammar.History: grammar.FORM_HISTORY,
    grammar.Reorder: grammar.FORM_REORDER,
    grammar.RuleForm: "reorder <SKU>",
}


@dataclass(frozen=True)
class Asked:
    """One /stock request after its ack: who asked, where to answer, and the services."""

    command: dict[str, Any]
    respond: Respond
    client: WebClient
    services: Any
    workspace: Workspace

    @property
    def team(self) -> str:
        return self.workspace.team_id

    @property
    def user_id(self) -> str:
        return str(self.command["user_id"])

    @property
    def today(self) -> date:
        return today(self.services, self.workspace)

    def reply(self, text: str, blocks: list[Block]) -> None:
        answer(self.respond, response_type="ephemeral", text=text, blocks=blocks)


# --- /stock ---------------------------------------------------------------------------------------


def stock_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    services: Any,
    workspace: Workspace,
) -> None:
    """/stock [SKU|text] | low | receive|adjust|return … | <SKU> history | reorder … | help."""
    try:
        intent = grammar.parse(command.get("text") or "")
    except grammar.UsageError as exc:
        ack(text=usage_fallback(SPEC, exc.message), blocks=problem_blocks(exc.message, exc.form))
        return
    if isinstance(intent, grammar.Help):
        ack(text=usage_fallback(SPEC), blocks=usage_blocks(SPEC))
        return
    ack()
    asked = Asked(command, respond, client, services, workspace)
    try:
        ROUTES[type(intent)](intent, asked)
    except DomainError as exc:
        form = grammar.MOVE_FORMS.get(getattr(intent, "kind", "")) or FORMS.get(type(intent))
        problem = problem_text(exc) + (" Nothing was changed." if form else "")
        asked.reply(escape(problem), problem_blocks(problem, form))


def overview(intent: grammar.Overview, asked: Asked) -> None:
    """`/stock` alone: how many products are low, then how to use /stock."""
    page = asked.services.stock.low(asked.team, today=asked.today, limit=1)
    counts = f"*{page.low_total:,}* at or under their reorder point"
    if page.unruled_total:
        counts += f", and *{page.unruled_total:,}* with no rule that their sales say are due"
    head = SectionBlock(text=MarkdownTextObject(text=f":package: {counts}: `/stock low`."))
    asked.reply(f"Stock: {counts}. `/stock help` shows every form.", [head, *usage_blocks(SPEC)])


def show(intent: grammar.Show, asked: Asked) -> None:
    """One match → its card; several → a list to pick from; none → say so and how to search."""
    result = asked.services.catalog.find(asked.team, intent.query)
    if result.total == 1:
        level = asked.services.stock.level_of(asked.team, result.matches[0].id, today=asked.today)
        asked.reply(*render_card(asked.services, asked.workspace, level))
    elif result.total == 0:
        unknown = intent.first_word if intent.several_words else None
        text = views.no_match_text(intent.query, not_a_subcommand=unknown)
        asked.reply(text, [SectionBlock(text=MarkdownTextObject(text=text))])
    else:
        shown = escape(truncate(intent.query, 100))
        asked.reply(f"{result.total} products match {shown}.", views.search_blocks(result))


def show_low(intent: grammar.Low, asked: Asked) -> None:
    """`/stock low`: the first page."""
    page = low_page(asked.services, asked.workspace, offset=0)
    asked.reply(page.text, page.blocks)


def move(intent: grammar.Move, asked: Asked) -> None:
    """receive / adjust / return: write one movement, then say what changed and the card."""
    stock, team, user = asked.services.stock, asked.team, asked.user_id
    if intent.kind == "receive":
        result = stock.receive(team, intent.sku, intent.qty, note=intent.text, actor=user)
    elif intent.kind == "adjust":
        result = stock.adjust(team, intent.sku, intent.qty, intent.text, actor=user)
    else:
        result = stock.record_return(team, intent.sku, intent.qty, note=intent.text, actor=user)
    level = stock.level_of(team, result.movement.product_id, today=asked.today)
    note = views.move_note(intent.kind, result, level.product, asked.workspace.stock_channel_id)
    text, blocks = render_card(asked.services, asked.workspace, level, note)
    asked.reply(f"{text} (was {result.before:,})", blocks)


def history(intent: grammar.History, asked: Asked) -> None:
    """`/stock <SKU> history`: the newest page of movements."""
    product, movements, total = asked.services.stock.history(
        asked.team, intent.sku, limit=views.HISTORY_PAGE
    )
    blocks = views.history_blocks(product, movements, total, offset=0, tz=asked.workspace.tz)
    asked.reply(views.history_text(product, total), blocks)


def reorder(intent: grammar.Reorder, asked: Asked) -> None:
    """`/stock reorder <SKU> point:… qty:… lead:…`: what is not given keeps its value."""
    before = asked.services.catalog.by_sku(asked.team, intent.sku)
    after = asked.services.stock.set_rule(
        asked.team,
        before.id,
        point=intent.point if intent.point is not None else before.reorder_point,
        qty=intent.qty if intent.qty is not None else before.reorder_qty,
        lead=intent.lead if intent.lead is not None else before.lead_time_days,
        actor=asked.user_id,
    )
    reply_with_rule(asked.services, asked.workspace, before, after, asked.reply)


def rule_form(intent: grammar.RuleForm, asked: Asked) -> None:
    """`/stock reorder <SKU>` with no numbers: the rule form."""
    level = asked.services.stock.level(asked.team, intent.sku, today=asked.today)
    context = RuleContext.opened_from(asked.command, level.product.id)
    asked.client.views_open(
        trigger_id=asked.command["trigger_id"], view=views.rule_modal(level, context)
    )


ROUTES: dict[type, Callable[[Any, Asked], None]] = {
    grammar.Overview: overview,
    grammar.Show: show,
    grammar.Low: show_low,
    grammar.Move: move,
    grammar.History: history,
    grammar.Reorder: reorder,
    grammar.RuleForm: rule_form,
}


# --- buttons --------------------------------------------------------------------------------------


def open_card(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    respond: Respond,
    services: Any,
    workspace: Workspace,
) -> None:
    """Open (value: product id): a pick-list becomes the card; from /stock low, a new card."""
    ack()
    level = services.stock.level_of(
        workspace.team_id, int(action["value"]), today=today(services, workspace)
    )
    text, blocks = render_card(services, workspace, level)
    from_low = str(action.get("block_id") or "").startswith(f"{StockBlock.LOW_ITEM}:")
    in_place = bool((body.get("container") or {}).get("is_ephemeral")) and not from_low
    answer(respond, text=text, blocks=blocks, replace_original=in_place)


def show_history(
    ack: Ack, action: dict[str, Any], respond: Respond, services: Any, workspace: Workspace
) -> None:
    """History / Show more (value "<product id>:<offset>"): a page of movements."""
    ack()
    product_id, offset = views.read_history(action["value"])
    product = services.catalog.get(workspace.team_id, product_id)
    _, movements, total = services.stock.history(
        workspace.team_id, product.sku, limit=views.HISTORY_PAGE, offset=offset
    )
    blocks = views.history_blocks(product, movements, total, offset=offset, tz=workspace.tz)
    answer(respond, text=views.history_text(product, total), blocks=blocks)


def show_more_low(
    ack: Ack, action: dict[str, Any], respond: Respond, services: Any, workspace: Workspace
) -> None:
    """Show more under /stock low (value: the next offset)."""
    ack()
    page = low_page(services, workspace, offset=int(action["value"]))
    answer(respond, text=page.text, blocks=page.blocks)


def open_rule_form(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
) -> None:
    """Edit rule (value: product id), on the card or the alert: the rule form."""
    ack()
    level = services.stock.level_of(
        workspace.team_id, int(action["value"]), today=today(services, workspace)
    )
    on_card = action.get("block_id") == StockBlock.CARD_ACTIONS
    context = RuleContext.opened_from(body, level.product.id, on_card=on_card)
    client.views_open(trigger_id=body["trigger_id"], view=views.rule_modal(level, context))


def apply_suggestion(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    respond: Respond,
    services: Any,
    workspace: Workspace,
) -> None:
    """Apply suggestion (value: product id): the suggested rule becomes the rule."""
    ack()
    team, user_id = workspace.team_id, body["user"]["id"]
    before = services.catalog.get(team, int(action["value"]))
    after = services.stock.apply_suggestion(
        team, before.id, today=today(services, workspace), actor=user_id
    )
    on_card = action.get("block_id") == StockBlock.CARD_ACTIONS

    def send(text: str, blocks: list[Block]) -> None:
        answer(respond, text=text, blocks=blocks, replace_original=on_card)

    reply_with_rule(services, workspace, before, after, send)


def mark_reordered(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
) -> None:
    """Mark reordered (value "<product id>:<qty>"): now on order; the alert shows who did it."""
    ack()
    product_id, qty = views.read_reordered(action["value"])
    team, user_id, now = workspace.team_id, body["user"]["id"], services.clock.now()
    container = body.get("container") or {}
    # One alert (or list) message, one reorder: a second click on it records nothing more.
    key = f"reordered:{container.get('channel_id')}:{container.get('message_ts')}:{product_id}"
    on_order = services.stock.mark_reordered(
        team, product_id, qty, actor=user_id, idempotency_key=key
    )
    level = services.stock.level_of(team, product_id, today=today(services, workspace))
    note = views.reordered_note(level.product, qty, on_order, by=user_id, now=now, tz=workspace.tz)
    after_action(action, body, client, services, workspace, level, note)


def snooze(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
) -> None:
    """Snooze 1 day / 1 week (value "<product id>:<1d|1w>"): quiet the alert until then."""
    ack()
    product_id, period = views.read_snooze(action["value"])
    team, user_id, now = workspace.team_id, body["user"]["id"], services.clock.now()
    until = services.stock.snooze(team, product_id, period, actor=user_id)
    level = services.stock.level_of(team, product_id, today=today(services, workspace))
    note = views.snoozed_note(level.product, until, by=user_id, now=now, tz=workspace.tz)
    after_action(action, body, client, services, workspace, level, note)


# --- the rule form ------------------------------------------------------------------------------


def save_rule(
    ack: Ack,
    view: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
) -> None:
    """Rule form submitted: inline errors by field, or save and answer with the card."""
    context = RuleContext.load(view.get("private_metadata", ""))
    user_id = body["user"]["id"]
    saved = save_rule_form(services, workspace, context.product_id, view, user_id)
    if isinstance(saved, dict):
        ack(response_action="errors", errors=saved)
        return
    ack()

    def send(text: str, blocks: list[Block]) -> None:
        reply_privately(
            client,
            user_id=user_id,
            text=text,
            blocks=blocks,
            response_url=context.response_url,
            channel_id=context.channel_id,
            replace_original=context.on_card,
        )

    reply_with_rule(services, workspace, *saved, send)


def save_rule_form(
    services: Any, workspace: Workspace, product_id: int, view: dict[str, Any], actor: str
) -> tuple[Product, Product] | dict[str, str]:
    """The rule as it was and is after saving the form, or an error per field of the form."""
    numbers, errors = read_rule_numbers(view["state"]["values"])
    if errors:
        return errors
    team = workspace.team_id
    try:
        before = services.catalog.get(team, product_id)
        after = services.stock.set_rule(team, product_id, **numbers, actor=actor)
    except ValidationFailed as exc:
        return {str(RULE_BLOCKS.get(k, StockBlock.RULE_POINT)): v for k, v in exc.errors.items()}
    except NotFound as exc:
        return {StockBlock.RULE_POINT.value: exc.message}
    return before, after


def read_rule_numbers(
    values: dict[str, dict[str, dict[str, Any]]],
) -> tuple[dict[str, int | None], dict[str, str]]:
    """The form's point, qty and lead as numbers, and an error per field that isn't one."""
    typed = views.read_rule_modal(values)
    numbers: dict[str, int | None] = {}
    errors: dict[str, str] = {}
    for name, block in RULE_BLOCKS.items():
        try:
            numbers[name] = grammar.rule_number(name, typed[name], required=name != "lead")
        except grammar.UsageError as exc:
            errors[block.value] = truncate(exc.message, 150)
    return numbers, errors


# --- shared -------------------------------------------------------------------------------------


def today(services: Any, workspace: Workspace) -> date:
    """Today in the workspace's timezone (sales days are the workspace's days)."""
    return services.clock.now().astimezone(workspace.tz).date()


def render_card(
    services: Any, workspace: Workspace, level: Level, note: str | None = None
) -> tuple[str, list[Block]]:
    """The card's fallback text and blocks, with the product's latest movements."""
    _, movements, total = services.stock.history(
        workspace.team_id, level.product.sku, limit=views.CARD_MOVEMENTS
    )
    blocks = views.card_blocks(level, movements, total, tz=workspace.tz, note=note)
    return views.card_text(level.product), blocks


def low_page(services: Any, workspace: Workspace, *, offset: int) -> views.LowPage:
    # The domain lists from the worst; asking for one page past the offset finds the rest.
    page = services.stock.low(
        workspace.team_id, today=today(services, workspace), limit=offset + views.LOW_PAGE + 1
    )
    return views.low_blocks(page, offset=offset)


def reply_with_rule(
    services: Any,
    workspace: Workspace,
    before: Product,
    after: Product,
    send: Callable[[str, list[Block]], None],
) -> None:
    """After a rule changed: what it is now (and was), then the card."""
    level = services.stock.level_of(workspace.team_id, after.id, today=today(services, workspace))
    note = views.rule_note(before, after, workspace.stock_channel_id)
    text, blocks = render_card(services, workspace, level, note)
    send(f"Reorder rule saved: {text}", blocks)


def after_action(
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
    level: Level,
    note: str,
) -> None:
    """Redraw the alert a button was on, with what was done; elsewhere, say it privately."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = container.get("message_ts")
    if views.is_alert_block(action.get("block_id")) and channel and ts:
        text, blocks = views.alert_message(
            level, tz=workspace.tz, now=services.clock.now(), note=note
        )
        try:
            client.chat_update(
                channel=channel, ts=ts, text=text, blocks=[b.to_dict() for b in blocks]
            )
            return
        except SlackApiError as exc:
            log.info("could not update the stock alert: %s", exc.response.get("error"))
    reply_privately(
        client,
        user_id=body["user"]["id"],
        text=note,
        blocks=[SectionBlock(text=MarkdownTextObject(text=note))],
        response_url=body.get("response_url"),
        channel_id=channel,
    )


def problem_text(error: DomainError) -> str:
    if isinstance(error, ValidationFailed):
        return " ".join(
            message if message.endswith(".") else f"{message}." for message in error.errors.values()
        )
    return error.message


def problem_blocks(problem: str, form: str | None) -> list[Block]:
    """A short answer to bad input: what was wrong, and the form to use."""
    if form is None:
        return usage_blocks(SPEC, problem)
    usage = f"`{escape(f'{SPEC.name} {form}')}` · `/stock help` shows every form."
    return [
        SectionBlock(text=MarkdownTextObject(text=f":warning: {truncate(escape(problem), 1000)}")),
        ContextBlock(elements=[MarkdownTextObject(text=usage)]),
    ]
