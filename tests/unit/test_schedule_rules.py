"""When a schedule runs: cadences as typed, their next run in the workspace's timezone
(across DST changes), and what bad cadences are told."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from commands.sales.schedules import Problem, take_name
from domain.errors import DomainError
from domain.schedules import (
    LAST_DAY,
    Cadence,
    Every,
    parse_cadence,
    parse_schedule_id,
    run_key,
)

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def at(text: str, tz: ZoneInfo = NY) -> datetime:
    """A local wall-clock time in tz, as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=tz)


@pytest.mark.parametrize(
    ("typed", "normal", "words"),
    [
        ("daily 08:30", "daily 08:30", "every day at 08:30"),
        ("daily 8:30", "daily 08:30", "every day at 08:30"),
        ("DAILY at 17:05", "daily 17:05", "every day at 17:05"),
        ("weekly mon 09:00", "weekly mon 09:00", "every Monday at 09:00"),
        ("weekly Friday 16:00", "weekly fri 16:00", "every Friday at 16:00"),
        ("monthly 1 09:00", "monthly 1 09:00", "monthly on the 1st at 09:00"),
        ("monthly 22nd 07:15", "monthly 22 07:15", "monthly on the 22nd at 07:15"),
        ("monthly last 18:00", "monthly last 18:00", "monthly on the last day at 18:00"),
    ],
)
def test_cadences_read_as_typed_and_normalise(typed: str, normal: str, words: str) -> None:
    cadence = parse_cadence(typed)
    assert cadence.text() == normal
    assert cadence.words() == words
    assert parse_cadence(cadence.text()) == cadence


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Say when"),
        ("hourly 08:30", "“hourly” is not a schedule"),
        ("daily", "Daily schedules read like `daily 08:30`"),
        ("daily 25:00", "“25:00” is not a time of day"),
        ("daily 8.30", "use 24-hour HH:MM"),
        ("weekly 09:00", "Weekly schedules read like `weekly mon 09:00`"),
        ("weekly funday 09:00", "“funday” is not a day of the week"),
        ("monthly 09:00", "Monthly schedules read like `monthly 1 09:00`"),
        ("monthly 31 09:00", "Not every month has a 31st: use a day from 1 to 28, or `last`"),
        ("monthly 29 09:00", "Not every month has a 29th"),
        ("monthly 0 09:00", "“0” is not a day of the month"),
        ("monthly first 09:00", "“first” is not a day of the month"),
        ("daily 08:30 extra", "Daily schedules read like"),
    ],
)
def test_bad_cadences_say_what_is_wrong_and_the_right_form(typed: str, says: str) -> None:
    with pytest.raises(DomainError) as raised:
        parse_cadence(typed)
    assert says in raised.value.message


def test_daily_runs_at_the_next_local_time_strictly_after() -> None:
    daily = Cadence(Every.DAY, time(8, 30))
    assert daily.next_run(at("2026-03-02 07:00"), NY) == at("2026-03-02 08:30").astimezone(UTC)
    assert daily.next_run(at("2026-03-02 08:30"), NY) == at("2026-03-03 08:30").astimezone(UTC)
    assert daily.next_run(at("2026-03-02 10:30"), NY) == at("2026-03-03 08:30").astimezone(UTC)
    assert daily.next_run(at("2026-03-02 10:30"), NY).tzinfo == UTC


def test_daily_keeps_its_local_time_across_the_spring_dst_change() -> None:
    daily = Cadence(Every.DAY, time(8, 30))
    before = daily.next_run(at("2026-03-07 09:00"), NY)  # Sunday 8 March: clocks go forward
    assert before == datetime(2026, 3, 8, 12, 30, tzinfo=UTC)  # 08:30 EDT
    assert daily.next_run(at("2026-03-06 09:00"), NY) == datetime(2026, 3, 7, 13, 30, tzinfo=UTC)


def test_a_time_skipped_by_clocks_going_forward_runs_once_an_hour_later() -> None:
    early = Cadence(Every.DAY, time(2, 30))
    run = early.next_run(at("2026-03-07 12:00"), NY)
    assert run == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT: 02:30 never happened
    assert early.next_run(run, NY) == datetime(2026, 3, 9, 6, 30, tzinfo=UTC)


def test_a_time_repeated_by_clocks_going_back_runs_once_that_day() -> None:
    early = Cadence(Every.DAY, time(1, 30))
    first = early.next_run(at("2026-10-31 12:00"), NY)
    assert first == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # the first 01:30 (EDT)
    # Not again at the second 01:30 (EST), and not stuck on it either.
    assert early.next_run(first, NY) == datetime(2026, 11, 2, 6, 30, tzinfo=UTC)
    assert early.next_run(datetime(2026, 11, 1, 6, 0, tzinfo=UTC), NY) == datetime(
        2026, 11, 2, 6, 30, tzinfo=UTC
    )


def test_weekly_runs_on_its_weekday() -> None:
    monday = parse_cadence("weekly mon 09:00")
    # START in the tests is Monday 2 March 2026, 10:30 in New York: this week's has gone.
    assert monday.next_run(at("2026-03-02 10:30"), NY) == at("2026-03-09 09:00").astimezone(UTC)
    assert monday.next_run(at("2026-03-02 08:59"), NY) == at("2026-03-02 09:00").astimezone(UTC)
    friday = parse_cadence("weekly fri 16:00")
    assert friday.next_run(at("2026-03-02 10:30"), NY) == at("2026-03-06 16:00").astimezone(UTC)


def test_monthly_runs_on_its_day_and_on_the_last_day_of_short_months() -> None:
    first = parse_cadence("monthly 1 09:00")
    assert first.next_run(at("2026-03-02 10:30"), NY) == at("2026-04-01 09:00").astimezone(UTC)
    last = parse_cadence("monthly last 18:00")
    assert last.day == LAST_DAY
    assert last.next_run(at("2026-02-03 10:00"), NY) == at("2026-02-28 18:00").astimezone(UTC)
    assert last.next_run(at("2026-02-28 18:00"), NY) == at("2026-03-31 18:00").astimezone(UTC)


def test_the_timezone_is_the_workspaces() -> None:
    daily = parse_cadence("daily 08:30")
    now = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
    assert daily.next_run(now, BERLIN) == datetime(2026, 3, 3, 7, 30, tzinfo=UTC)
    assert daily.next_run(now, NY) == datetime(2026, 3, 3, 13, 30, tzinfo=UTC)


def test_each_run_has_its_own_delivery_key() -> None:
    assert run_key(7, datetime(2026, 3, 3, 13, 30, tzinfo=UTC)) == "schedule:7:20260303T1330Z"
    assert run_key(7, at("2026-03-03 08:30")) == "schedule:7:20260303T1330Z"


@pytest.mark.parametrize(
    ("typed", "number"), [("S-3", 3), ("s3", 3), (" S-12 ", 12), ("3", None), ("T-3", None)]
)
def test_schedule_ids(typed: str, number: int | None) -> None:
    assert parse_schedule_id(typed) == number


@pytest.mark.parametrize(
    ("words", "name", "rest"),
    [
        (["weekly", "week"], "weekly", ["week"]),
        (['"Top', "customers", 'Q"', "report"], "Top customers Q", ["report"]),
        (["“Top", "customers”", "month"], "Top customers", ["month"]),
        (['"Solo"'], "Solo", []),
    ],
)
def test_names_are_one_word_or_quoted(words: list[str], name: str, rest: list[str]) -> None:
    assert take_name(words, what="save") == (name, rest)


def test_an_unclosed_quote_is_told() -> None:
    with pytest.raises(Problem, match="no closing quote"):
        take_name(['"Top', "customers"], what="save")
