"""The demo pipeline: a year of stage history seeded through the real services, so /pipeline
and its forecast show real numbers; seeding twice adds nothing."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from bot.demo_pipeline import DEALS, seed_pipeline
from domain.customers import CustomerDraft
from storage.orm import DealRow, DealStageChangeRow, DeliveryRow
from tests.app.test_pipeline_board import shown
from tests.harness import TEAM, USER, RunningBot

REPS = (USER, "U0PRIYA", "U0MARCO")


def seed(bot: RunningBot) -> int:
    services = bot.services
    services.workspaces.ensure(TEAM, USER)
    customers = [
        services.customers.create(TEAM, CustomerDraft.from_input(name=name), actor=USER).id
        for name in ("Acme", "Globex", "Initech", "Hooli", "Stark Industries")
    ]
    return seed_pipeline(services, TEAM, customers, REPS)


def counts(bot: RunningBot) -> tuple[int, int]:
    with bot.services.engine.connect() as conn:
        deals = conn.scalar(select(func.count()).select_from(DealRow))
        changes = conn.scalar(select(func.count()).select_from(DealStageChangeRow))
    return int(deals or 0), int(changes or 0)


def test_demo_seeds_a_year_of_history_once(bot: RunningBot) -> None:
    assert seed(bot) == DEALS
    before = counts(bot)
    assert before[0] == DEALS and before[1] > 2 * DEALS  # most deals moved more than once
    services = bot.services
    trails = services.pipeline_board.histories(TEAM)[0]
    now = services.clock.now().date()
    assert min(t.created_on for t in trails) <= now - timedelta(days=330)
    outcomes = [t.outcome for t in trails]
    assert outcomes.count("won") >= 10 and outcomes.count("lost") >= 10
    assert 10 <= outcomes.count("open") <= 30
    # A second run changes nothing.
    customers = [c.id for c in services.customers.recent(TEAM, limit=5)]
    assert seed_pipeline(services, TEAM, customers, REPS) == 0
    assert counts(bot) == before


def test_demo_board_and_forecast_show_real_numbers(bot: RunningBot) -> None:
    seed(bot)
    bot.command("/pipeline")
    board = shown(bot.last_response())
    match = re.search(r"Pipeline: (\d+) open deals, \$([\d,]+\.\d\d) total", board)
    assert match and int(match.group(1)) >= 10, board
    assert ":hourglass: *Stale* —" in board  # a few have sat for weeks
    assert ":warning: due" in board  # some are past their expected close
    assert bot.slack.calls_to("files.completeUploadExternal")

    bot.command("/pipeline", "forecast")
    forecast = shown(bot.last_response())
    # Enough closed deals passed every open stage: each uses its observed probability.
    for stage in ("Prospecting", "Qualification", "Proposal", "Negotiation"):
        assert re.search(rf"{stage} \*[\d.]+%\* — _history_: from \d+ closed deals", forecast), (
            stage
        )
    assert "_configured_: configured" not in forecast
    assert re.search(r"Win rate: \*[\d.]+%\*", forecast)
    assert re.search(r"Sales velocity: \*\$[\d,]+\.\d\d/day\*", forecast)
    forecasts = bot.services.pipeline_board.forecasts(TEAM)
    assert all(p.method == "history" for p in forecasts[0].stage_probabilities.values())
    assert forecasts[1].closed_won > 0  # something won this quarter


def test_demo_history_is_not_announced_even_with_a_sales_channel(bot: RunningBot) -> None:
    services = bot.services
    _, admin = services.workspaces.ensure(TEAM, USER)
    services.workspaces.change_settings(TEAM, admin, sales_channel_id="C0WINS")
    assert seed(bot) == DEALS
    with services.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(DeliveryRow)) == 0
