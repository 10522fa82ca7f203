"""Due-date parsing (domain.when): every accepted form, the past and weekday rules, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.errors import DomainError
from domain.when import (
    DEFAULT_TIME,
    When,
    WhenError,
    describe,
    find_when,
    parse_when,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
UTC_ZONE = ZoneInfo("UTC")
NOW = datetime(2026, 11, 25, 15, 30, tzinfo=BERLIN)  # a Wednesday afternoon (14:30 UTC)


def berlin(y: int, mo: int, d: int, h: int = 9, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=BERLIN).astimezone(UTC)


def parse(text: str, now: datetime = NOW, tz: ZoneInfo = BERLIN) -> When:
    return parse_when(text, now=now, tz=tz)


def test_now_is_the_wednesday_it_claims_to_be() -> None:
    assert NOW.weekday() == 2
    assert NOW.astimezone(UTC) == datetime(2026, 11, 25, 14, 30, tzinfo=UTC)


# --- every accepted form, from Wed 25 Nov 2026 15:30 Berlin ----------------------------------

FORMS: list[tuple[str, datetime, bool]] = [
    # day words
    ("today", berlin(2026, 11, 25), False),  # 9:00 has passed, but it is today: allowed
    ("TODAY", berlin(2026, 11, 25), False),
    ("  today  ", berlin(2026, 11, 25), False),
    ("tonight", berlin(2026, 11, 25, 18), True),
    ("tonight 8pm", berlin(2026, 11, 25, 20), True),
    ("tonight at 8", berlin(2026, 11, 25, 20), True),  # an evening hour
    ("tomorrow", berlin(2026, 11, 26), False),
    ("tmrw", berlin(2026, 11, 26), False),
    ("Tomorrow   9AM", berlin(2026, 11, 26, 9), True),
    ("tomorrow at 9", berlin(2026, 11, 26, 9), True),
    ("tomorrow at 15", berlin(2026, 11, 26, 15), True),
    ("tomorrow at 9:45", berlin(2026, 11, 26, 9, 45), True),
    ("today 5:30pm", berlin(2026, 11, 25, 17, 30), True),
    ("today 10am", berlin(2026, 11, 25, 10), True),  # earlier today: still today
    ("today 12am", berlin(2026, 11, 25, 0), True),
    ("today 12pm", berlin(2026, 11, 25, 12), True),
    ("tomorrow 3 p.m.", berlin(2026, 11, 26, 15), True),
    # weekdays (today is Wednesday)
    ("fri", berlin(2026, 11, 27), False),
    ("friday", berlin(2026, 11, 27), False),
    ("on fri", berlin(2026, 11, 27), False),
    ("fri 3pm", berlin(2026, 11, 27, 15), True),
    ("Fri 15:00", berlin(2026, 11, 27, 15), True),
    ("fri at 3pm", berlin(2026, 11, 27, 15), True),
    ("wed", berlin(2026, 12, 2), False),  # today is Wednesday: a week ahead
    ("mon", berlin(2026, 11, 30), False),
    ("thurs", berlin(2026, 11, 26), False),
    ("next fri", berlin(2026, 12, 4), False),  # Friday is still this week: +7
    ("next mon", berlin(2026, 11, 30), False),  # Monday is already next week
    ("next wed", berlin(2026, 12, 2), False),
    ("this fri", berlin(2026, 11, 27), False),
    ("this wed", berlin(2026, 11, 25), False),
    ("this sun", berlin(2026, 11, 29), False),
    ("mon noon", berlin(2026, 11, 30, 12), True),
    ("tue midnight", berlin(2026, 12, 1, 0), True),  # 00:00 at the start of Tuesday
    # weeks and months
    ("next week", berlin(2026, 11, 30), False),
    ("next week 2pm", berlin(2026, 11, 30, 14), True),
    ("next month", berlin(2026, 12, 1), False),
    ("eow", berlin(2026, 11, 27, 17), True),
    ("end of week", berlin(2026, 11, 27, 17), True),
    ("end of the week", berlin(2026, 11, 27, 17), True),
    ("eom", berlin(2026, 11, 30, 17), True),
    ("end of month", berlin(2026, 11, 30, 17), True),
    # relative
    ("in 3 days", berlin(2026, 11, 28), False),
    ("in a day", berlin(2026, 11, 26), False),
    ("in 1 week", berlin(2026, 12, 2), False),
    ("in 2 weeks", berlin(2026, 12, 9), False),
    ("in 3 days 2pm", berlin(2026, 11, 28, 14), True),
    ("in 1 month", berlin(2026, 12, 25), False),
    ("in 2 hours", berlin(2026, 11, 25, 17, 30), True),
    ("in an hour", berlin(2026, 11, 25, 16, 30), True),
    ("in 30 minutes", berlin(2026, 11, 25, 16, 0), True),
    ("in 30 min", berlin(2026, 11, 25, 16, 0), True),
    ("in 30min", berlin(2026, 11, 25, 16, 0), True),
    # bare times: today, or tomorrow once passed
    ("3pm", berlin(2026, 11, 26, 15), True),  # 15:00 has passed today
    ("16:00", berlin(2026, 11, 25, 16), True),
    ("at 5pm", berlin(2026, 11, 25, 17), True),
    ("at 9", berlin(2026, 11, 26, 9), True),
    ("noon", berlin(2026, 11, 26, 12), True),
    ("midnight", berlin(2026, 11, 26, 0), True),
    ("3pm tomorrow", berlin(2026, 11, 26, 15), True),
    ("9am on fri", berlin(2026, 11, 27, 9), True),
    # ISO dates
    ("2026-12-01", berlin(2026, 12, 1), False),
    ("2026-12-01 14:00", berlin(2026, 12, 1, 14), True),
    ("2026-12-01T14:00", berlin(2026, 12, 1, 14), True),
    ("2026-11-25 10:00", berlin(2026, 11, 25, 10), True),  # earlier today
    # US month/day
    ("12/1", berlin(2026, 12, 1), False),
    ("12/1/2026", berlin(2026, 12, 1), False),
    ("12/1/26", berlin(2026, 12, 1), False),
    ("3/1", berlin(2027, 3, 1), False),  # 1 March, not 3 January
    ("1/15", berlin(2027, 1, 15), False),  # rolls over to next year
    ("11/25", berlin(2026, 11, 25), False),  # today is not the past
    ("11/24", berlin(2027, 11, 24), False),  # yesterday: next year's
    ("2/29", berlin(2028, 2, 29), False),  # the next leap day
    ("12/1 3pm", berlin(2026, 12, 1, 15), True),
    # month names
    ("1 dec", berlin(2026, 12, 1), False),
    ("Dec 1", berlin(2026, 12, 1), False),
    ("december 1st", berlin(2026, 12, 1), False),
    ("1st december 2026", berlin(2026, 12, 1), False),
    ("1st of December 2026 at 14:00", berlin(2026, 12, 1, 14), True),
    ("dec 1, 2026 3pm", berlin(2026, 12, 1, 15), True),
    ("sept 3", berlin(2027, 9, 3), False),
    ("jan 2nd 9:30am", berlin(2027, 1, 2, 9, 30), True),
]


@pytest.mark.parametrize(("text", "at", "has_time"), FORMS, ids=[f[0] for f in FORMS])
def test_forms(text: str, at: datetime, has_time: bool) -> None:
    when = parse(text)
    assert when.at == at, describe(when.at, now=NOW, tz=BERLIN)
    assert when.has_time is has_time


def test_text_is_normalised() -> None:
    assert parse("  Dec 1,   2026  3PM ").text == "dec 1 2026 3pm"


def test_date_without_time_is_default_time_local() -> None:
    when = parse("fri")
    assert when.at.astimezone(BERLIN).time() == DEFAULT_TIME
    assert not when.has_time


def test_relative_instants_count_from_the_whole_minute() -> None:
    now = datetime(2026, 11, 25, 15, 30, 42, 123456, tzinfo=BERLIN)
    assert parse("in 2 hours", now=now).at == berlin(2026, 11, 25, 17, 30)


# --- weekday rules on every day of a week ---------------------------------------------------

# today -> (fri, next fri, mon, next mon), days of November/December 2026
WEEK = {
    date(2026, 11, 23): ("Mon", date(2026, 11, 27), date(2026, 12, 4), date(2026, 11, 30)),
    date(2026, 11, 24): ("Tue", date(2026, 11, 27), date(2026, 12, 4), date(2026, 11, 30)),
    date(2026, 11, 25): ("Wed", date(2026, 11, 27), date(2026, 12, 4), date(2026, 11, 30)),
    date(2026, 11, 26): ("Thu", date(2026, 11, 27), date(2026, 12, 4), date(2026, 11, 30)),
    date(2026, 11, 27): ("Fri", date(2026, 12, 4), date(2026, 12, 4), date(2026, 11, 30)),
    date(2026, 11, 28): ("Sat", date(2026, 12, 4), date(2026, 12, 4), date(2026, 11, 30)),
    date(2026, 11, 29): ("Sun", date(2026, 12, 4), date(2026, 12, 4), date(2026, 11, 30)),
}


@pytest.mark.parametrize("today", list(WEEK), ids=[v[0] for v in WEEK.values()])
def test_weekday_rules(today: date) -> None:
    _, fri, next_fri, mon = WEEK[today]
    now = datetime(today.year, today.month, today.day, 8, 0, tzinfo=BERLIN)

    def day(text: str) -> date:
        return parse(text, now=now).at.astimezone(BERLIN).date()

    assert day("fri") == fri
    assert day("next fri") == next_fri
    assert day("mon") == mon
    # Monday is never in the rest of the current Mon–Sun week, so `next mon` == `mon`
    assert day("next mon") == mon
    assert day("next week") == date(2026, 11, 30)
    assert day("fri") > today  # plain weekday: strictly after today


def test_next_on_a_monday_skips_to_the_following_week() -> None:
    monday = datetime(2026, 11, 23, 8, 0, tzinfo=BERLIN)
    assert parse("tue", now=monday).at == berlin(2026, 11, 24)
    assert parse("next tue", now=monday).at == berlin(2026, 12, 1)
    assert parse("sun", now=monday).at == berlin(2026, 11, 29)
    assert parse("next sun", now=monday).at == berlin(2026, 12, 6)
    assert parse("this mon", now=monday).at == berlin(2026, 11, 23)


# --- end of week / month rollover -----------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "text", "at"),
    [
        (datetime(2026, 11, 27, 16, 59, tzinfo=BERLIN), "eow", berlin(2026, 11, 27, 17)),
        (datetime(2026, 11, 27, 17, 1, tzinfo=BERLIN), "eow", berlin(2026, 12, 4, 17)),
        (datetime(2026, 11, 28, 10, 0, tzinfo=BERLIN), "eow", berlin(2026, 12, 4, 17)),
        (datetime(2026, 11, 30, 16, 0, tzinfo=BERLIN), "eom", berlin(2026, 11, 30, 17)),
        (datetime(2026, 11, 30, 18, 0, tzinfo=BERLIN), "eom", berlin(2026, 12, 31, 17)),
        (datetime(2026, 12, 31, 18, 0, tzinfo=BERLIN), "eom", berlin(2027, 1, 31, 17)),
        (datetime(2026, 12, 20, 10, 0, tzinfo=BERLIN), "next month", berlin(2027, 1, 1)),
        (datetime(2027, 1, 31, 10, 0, tzinfo=BERLIN), "in 1 month", berlin(2027, 2, 28)),
        (datetime(2026, 12, 31, 10, 0, tzinfo=BERLIN), "tomorrow", berlin(2027, 1, 1)),
    ],
)
def test_rollovers(now: datetime, text: str, at: datetime) -> None:
    assert parse(text, now=now).at == at


# --- timezones ------------------------------------------------------------------------------


def test_now_is_read_in_the_workspace_timezone() -> None:
    # 23:30 UTC on Wed 25 Nov is already Thu 26 Nov 08:30 in Tokyo
    now = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
    assert parse("today", now=now, tz=TOKYO).at == datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
    assert parse("tomorrow", now=now, tz=UTC_ZONE).at == datetime(2026, 11, 26, 9, tzinfo=UTC)
    assert parse("fri 3pm", now=now, tz=NEW_YORK).at == datetime(2026, 11, 27, 20, tzinfo=UTC)


def test_utc_conversion() -> None:
    assert parse("fri 3pm").at == datetime(2026, 11, 27, 14, 0, tzinfo=UTC)  # CET is UTC+1
    assert parse("2027-07-01 12:00").at == datetime(2027, 7, 1, 10, 0, tzinfo=UTC)  # CEST


@pytest.mark.parametrize("tz", [BERLIN, NEW_YORK, TOKYO, UTC_ZONE], ids=str)
@pytest.mark.parametrize(
    "text", ["today", "tonight", "fri 3pm", "in 2 hours", "3pm", "eom", "1/15", "2026-12-01"]
)
def test_result_is_always_timezone_aware_utc(text: str, tz: ZoneInfo) -> None:
    when = parse(text, now=NOW, tz=tz)
    assert when.at.tzinfo is UTC
    assert when.at.utcoffset() == timedelta(0)


def test_when_rejects_naive_or_non_utc_instants() -> None:
    with pytest.raises(ValueError):
        When(at=datetime(2026, 12, 1, 9), has_time=False, text="x")
    with pytest.raises(ValueError):
        When(at=datetime(2026, 12, 1, 9, tzinfo=BERLIN), has_time=False, text="x")


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        parse_when("today", now=datetime(2026, 11, 25, 15, 30), tz=BERLIN)
    with pytest.raises(ValueError):
        describe(datetime(2026, 11, 25, 15, 30), now=NOW, tz=BERLIN)


# --- daylight saving ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "at"),
    [
        # 8 Mar 2026: New York clocks jump from 02:00 EST to 03:00 EDT
        ("tomorrow 1:59am", datetime(2026, 3, 8, 6, 59, tzinfo=UTC)),
        ("tomorrow 2am", datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),  # gap -> 03:00 EDT
        ("tomorrow 2:30am", datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),  # gap -> 03:00 EDT
        ("mar 8 2:59am", datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),
        ("tomorrow 3am", datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),
        ("tomorrow", datetime(2026, 3, 8, 13, 0, tzinfo=UTC)),  # 09:00 EDT
        ("today", datetime(2026, 3, 7, 14, 0, tzinfo=UTC)),  # 09:00 EST
    ],
)
def test_spring_forward_gap_moves_to_first_valid_time(text: str, at: datetime) -> None:
    now = datetime(2026, 3, 7, 12, 0, tzinfo=NEW_YORK)
    assert parse(text, now=now, tz=NEW_YORK).at == at


def test_gap_is_described_as_the_time_it_became() -> None:
    now = datetime(2026, 3, 7, 12, 0, tzinfo=NEW_YORK)
    when = parse("tomorrow 2:30am", now=now, tz=NEW_YORK)
    assert describe(when.at, now=now, tz=NEW_YORK) == (
        "tomorrow, Sun 8 Mar 2026, 03:00 (America/New_York)"
    )


@pytest.mark.parametrize(
    ("text", "at"),
    [
        # 1 Nov 2026: New York clocks fall back from 02:00 EDT to 01:00 EST
        ("tomorrow 12:59am", datetime(2026, 11, 1, 4, 59, tzinfo=UTC)),
        ("tomorrow 1am", datetime(2026, 11, 1, 5, 0, tzinfo=UTC)),  # first 01:00 (EDT)
        ("tomorrow 1:30am", datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),  # first 01:30 (EDT)
        ("tomorrow 2am", datetime(2026, 11, 1, 7, 0, tzinfo=UTC)),  # EST
        ("tomorrow", datetime(2026, 11, 1, 14, 0, tzinfo=UTC)),  # 09:00 EST
    ],
)
def test_fall_back_overlap_picks_first_occurrence(text: str, at: datetime) -> None:
    now = datetime(2026, 10, 31, 12, 0, tzinfo=NEW_YORK)
    assert parse(text, now=now, tz=NEW_YORK).at == at


def test_relative_hours_are_elapsed_time_across_dst() -> None:
    now = datetime(2026, 3, 8, 1, 30, tzinfo=NEW_YORK)  # 06:30 UTC, before the jump
    when = parse("in 2 hours", now=now, tz=NEW_YORK)
    assert when.at == datetime(2026, 3, 8, 8, 30, tzinfo=UTC)  # 04:30 EDT on the wall
    assert describe(when.at, now=now, tz=NEW_YORK) == (
        "today, Sun 8 Mar 2026, 04:30 (America/New_York)"
    )


def test_days_across_dst_keep_the_wall_time() -> None:
    now = datetime(2026, 3, 7, 12, 0, tzinfo=NEW_YORK)
    assert parse("in 2 days 10am", now=now, tz=NEW_YORK).at == datetime(
        2026, 3, 9, 14, 0, tzinfo=UTC
    )


# --- describe -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "now", "tz", "expected"),
    [
        (berlin(2026, 12, 1, 14), NOW, BERLIN, "Tue 1 Dec 2026, 14:00 (Europe/Berlin)"),
        (
            datetime(2026, 11, 28, 9, tzinfo=UTC),
            datetime(2026, 11, 27, 10, tzinfo=UTC),
            UTC_ZONE,
            "tomorrow, Sat 28 Nov 2026, 09:00 (UTC)",
        ),
        (berlin(2026, 11, 25, 18), NOW, BERLIN, "today, Wed 25 Nov 2026, 18:00 (Europe/Berlin)"),
        (
            berlin(2026, 11, 24, 9),
            NOW,
            BERLIN,
            "yesterday, Tue 24 Nov 2026, 09:00 (Europe/Berlin)",
        ),
        (berlin(2027, 1, 15, 9, 5), NOW, BERLIN, "Fri 15 Jan 2027, 09:05 (Europe/Berlin)"),
        # same instant, another zone: the date is read there too
        (
            datetime(2026, 11, 25, 23, 30, tzinfo=UTC),
            NOW,
            TOKYO,
            "tomorrow, Thu 26 Nov 2026, 08:30 (Asia/Tokyo)",
        ),
        # seconds only when there are some
        (
            datetime(2026, 12, 1, 13, 0, 7, tzinfo=UTC),
            NOW,
            BERLIN,
            "Tue 1 Dec 2026, 14:00:07 (Europe/Berlin)",
        ),
        # a repeated wall time names its zone abbreviation
        (
            datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
            datetime(2026, 10, 31, 12, tzinfo=NEW_YORK),
            NEW_YORK,
            "tomorrow, Sun 1 Nov 2026, 01:30 EDT (America/New_York)",
        ),
        (
            datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
            datetime(2026, 10, 31, 12, tzinfo=NEW_YORK),
            NEW_YORK,
            "tomorrow, Sun 1 Nov 2026, 01:30 EST (America/New_York)",
        ),
    ],
)
def test_describe(when: datetime, now: datetime, tz: ZoneInfo, expected: str) -> None:
    assert describe(when, now=now, tz=tz) == expected


def test_describe_round_trips_parse() -> None:
    when = parse("next fri 3pm")
    assert describe(when.at, now=NOW, tz=BERLIN) == "Fri 4 Dec 2026, 15:00 (Europe/Berlin)"


# --- find_when ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "at", "rest"),
    [
        ("call back due:fri 3pm", berlin(2026, 11, 27, 15), "call back"),
        ("call back due:next week", berlin(2026, 11, 30), "call back"),
        ("call back due:tomorrow 9am", berlin(2026, 11, 26, 9), "call back"),
        ("send deck due:next week tag:vip", berlin(2026, 11, 30), "send deck tag:vip"),
        ("ping Anna DUE:Tomorrow", berlin(2026, 11, 26), "ping Anna"),
        ("due:tmrw", berlin(2026, 11, 26), ""),
        ("Due:Tomorrow ping Anna", None, ""),
        ("ping due: fri  ", berlin(2026, 11, 27), "ping"),
        ('ping due:"in 2 days"', berlin(2026, 11, 27), "ping"),
        ("due:2026-12-01T14:00 renewal", None, ""),
        ("renewal due:2026-12-01T14:00", berlin(2026, 12, 1, 14), "renewal"),
        ("renewal due:12/1 prio:high", berlin(2026, 12, 1), "renewal prio:high"),
    ],
)
def test_find_when(text: str, at: datetime | None, rest: str) -> None:
    if at is None:  # the expression runs to the end, so trailing words are not a date
        with pytest.raises(WhenError):
            find_when(text, now=NOW, tz=BERLIN)
        return
    when, remaining = find_when(text, now=NOW, tz=BERLIN)
    assert when is not None
    assert when.at == at
    assert remaining == rest


@pytest.mark.parametrize(
    "text", ["call back friday", "call back fri 3pm", "overdue:fri", "due fri", ""]
)
def test_find_when_needs_due_prefix(text: str) -> None:
    assert find_when(text, now=NOW, tz=BERLIN) == (None, text)


def test_find_when_stops_at_the_next_key() -> None:
    when, rest = find_when("due:fri stage:won follow up", now=NOW, tz=BERLIN)
    assert when is not None and when.at == berlin(2026, 11, 27)
    assert when.text == "fri"
    assert rest == "stage:won follow up"


@pytest.mark.parametrize(
    "text", ["call due:blorp", "call due:", "due:fri due:mon", "call due:yesterday"]
)
def test_find_when_errors(text: str) -> None:
    with pytest.raises(WhenError):
        find_when(text, now=NOW, tz=BERLIN)


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("yesterday", '"yesterday" is in the past: Tue 24 Nov 2026.'),
        ("this mon", '"this mon" is in the past: Mon 23 Nov 2026.'),
        ("2026-11-24", '"2026-11-24" is in the past: Tue 24 Nov 2026.'),
        ("11/24/2026", '"11/24/2026" is in the past: Tue 24 Nov 2026.'),
        (
            "2025-12-01 14:00",
            '"2025-12-01 14:00" is in the past: Mon 1 Dec 2025, 14:00 (Europe/Berlin).',
        ),
        ("13pm", '"13pm" isn\'t a time: with am/pm the hour goes from 1 to 12.'),
        ("fri 13pm", '"13pm" isn\'t a time'),
        ("0am", '"0am" isn\'t a time'),
        ("24:00", '"24:00" isn\'t a time: 24-hour times go from 00:00 to 23:59.'),
        ("tomorrow 12:60", '"12:60" isn\'t a time'),
        ("tomorrow at 25", '"25" isn\'t a time'),
        ("2026-02-30", '"2026-02-30" isn\'t a date: February 2026 has 28 days.'),
        ("2028-02-30 9am", '"2028-02-30" isn\'t a date: February 2028 has 29 days.'),
        ("feb 30", '"feb 30" isn\'t a date: February has at most 29 days.'),
        ("31 apr", '"31 apr" isn\'t a date: April has 30 days.'),
        ("2/30", '"2/30" isn\'t a date'),
        ("13/1", '"13/1" isn\'t a date: there is no month 13 (dates are month/day'),
        ("in 99999999 days", '"in 99999999 days" is too far in the future.'),
        (
            "blorp",
            'I couldn\'t read "blorp" as a date. '
            "Try: tomorrow 9am, fri, next week, in 3 days, 2026-12-01 14:00.",
        ),
        ("", "No date given. Try: tomorrow 9am, fri, next week"),
        ("   ", "No date given."),
        ("fri 3", 'I couldn\'t read "fri 3" as a date.'),
        ("next blorp", 'I couldn\'t read "next blorp"'),
        ("in 2 hours 3pm", 'I couldn\'t read "in 2 hours 3pm"'),
    ],
)
def test_errors(text: str, message: str) -> None:
    with pytest.raises(WhenError) as info:
        parse(text)
    assert info.value.message.startswith(message)
    assert isinstance(info.value, DomainError)
    assert info.value.message.count("\n") <= 1


def test_past_explicit_datetime_from_an_earlier_day() -> None:
    with pytest.raises(WhenError, match="is in the past"):
        parse("yesterday 3pm")


def test_nonsense_is_shown_as_typed_and_truncated() -> None:
    typed = "Please remind me about the " + "very " * 20 + "important thing"
    with pytest.raises(WhenError) as info:
        parse(typed)
    shown = info.value.message.split('"')[1]
    assert len(shown) == 60
    assert shown.endswith("…")
    assert shown.startswith("Please remind me about the very")  # case as typed
