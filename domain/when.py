"""Due dates as people type them into Slack, read in the workspace's timezone.

`parse_when("fri 3pm", now=..., tz=...)` turns text into a `When` (a UTC instant, and whether a
time of day was given); `describe` says back exactly which instant was understood, so nobody has
to trust a guess. Everything is relative to `now` as seen in `tz`.

Rules, where there was room for taste:

- A date without a time means DEFAULT_TIME (9:00) local, and `has_time` is False. Words that
  carry a time of their own (`tonight` 18:00, `eow` and `eom` 17:00) count as having one.
- Weekdays: `fri` is the first Friday strictly after today (on a Friday, a week ahead).
  `next fri` is `fri` + 7 days when that Friday is still in the current Mon–Sun week, otherwise
  the same as `fri`: on a Wednesday `next fri` is nine days away and `next mon` five; from Friday
  to Sunday `next fri` and `fri` agree. `this fri` is the Friday of the current Mon–Sun week,
  which may be today, and is in the past once that day has gone.
- `next week` is next Monday, `next month` the 1st of next month. `eow` is this week's Friday at
  17:00, or next week's once that has passed; `eom` likewise with the month's last day.
- The past: a due date may be earlier than `now` only when it falls today (`today` typed at 15:00
  means today 9:00, which is fine); any earlier day is a WhenError. A bare time (`3pm`) is today,
  or tomorrow once that time has passed today. A month and day without a year is the next such
  date that is today or later (`1/15` typed in November is next January; `2/29` the next leap
  year).
- Slashes are US month/day: `3/1` is 1 March. A bare hour after `at` is 24-hour (`at 9` is 09:00,
  `at 15` is 15:00), except that with `tonight` an hour from 1 to 11 is the evening.
  `midnight` is 00:00 at the start of the day named.
- `in N minutes/hours` is an exact instant counted from `now` cut to the whole minute;
  `in N days/weeks/months` names a date (9:00 unless a time is given), months clamp to the
  month's last day.
- Daylight saving: a wall time skipped at spring-forward moves to the first valid time after the
  gap (02:30 on 8 Mar 2026 in New York becomes 03:00 EDT); a wall time that happens twice at
  fall-back is the first one (fold=0, still summer time).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.errors import DomainError

DEFAULT_TIME = time(9, 0)  # a date without a time means 9:00 local
TONIGHT_TIME = time(18, 0)
CLOSE_OF_BUSINESS = time(17, 0)  # eow / eom

EXAMPLES = "tomorrow 9am, fri, next week, in 3 days, 2026-12-01 14:00"
_SHOWN_MAX = 60


@dataclass(frozen=True)
class When:
    """A due date as understood: the instant, and whether the person gave a time of day."""

    at: datetime  # timezone-aware, UTC
    has_time: bool  # False when only a date was given (then `at` is that date at DEFAULT_TIME)
    text: str  # what was parsed, normalised (lowercase, no commas, single spaces)

    def __post_init__(self) -> None:
        if self.at.tzinfo is None or self.at.utcoffset() != timedelta(0):
            raise ValueError("When.at must be timezone-aware UTC")


class WhenError(DomainError):
    """Text that is not a usable due date; the message says why and shows examples."""


# --- words -------------------------------------------------------------------------------------

_WEEKDAYS = {
    **dict.fromkeys(("mon", "monday"), 0),
    **dict.fromkeys(("tue", "tues", "tuesday"), 1),
    **dict.fromkeys(("wed", "weds", "wednesday"), 2),
    **dict.fromkeys(("thu", "thur", "thurs", "thursday"), 3),
    **dict.fromkeys(("fri", "friday"), 4),
    **dict.fromkeys(("sat", "saturday"), 5),
    **dict.fromkeys(("sun", "sunday"), 6),
}
_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_MONTHS = {name.lower(): i for i, name in enumerate(_MONTH_NAMES, start=1)}
_MONTHS.update({name[:3].lower(): i for i, name in enumerate(_MONTH_NAMES, start=1)})
_MONTHS["sept"] = 9
_MOST_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
_DAY_ABBR = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_UNITS = {
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), "minutes"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), "hours"),
    **dict.fromkeys(("d", "day", "days"), "days"),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), "weeks"),
    **dict.fromkeys(("mo", "month", "months"), "months"),
}

# --- patterns (matched against normalised text) ------------------------------------------------

_CLOCK = (
    r"(?P<clock>(?P<h12>\d{1,2})(?::(?P<m12>\d{2}))?\s*(?P<ampm>[ap])\.?m\.?"
    r"|(?P<h24>\d{1,2}):(?P<m24>\d{2})"
    r"|(?P<word>noon|midnight))"
)
_TRAILING_CLOCK = re.compile(rf"(?:(?P<day>.+?)\s+)??(?:at\s+)?{_CLOCK}")
_TRAILING_HOUR = re.compile(r"(?:(?P<day>.+?)\s+)??at\s+(?P<clock>(?P<hour>\d{1,2}))")
_LEADING_CLOCK = re.compile(rf"(?:at\s+)?{_CLOCK}\s+(?P<day>.+)")

_IN = re.compile(r"in\s+(?P<n>\d+|an?|one)\s*(?P<unit>[a-z]+)")
_WEEKDAY = re.compile(r"(?:(?P<mod>this|next)\s+)?(?P<name>[a-z]+)")
_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
_US = re.compile(r"(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?")
_DAY_MONTH = re.compile(
    r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s*(?:of\s+)?(?P<mon>[a-z]+)\.?(?:\s+(?P<y>\d{4}))?"
)
_MONTH_DAY = re.compile(r"(?P<mon>[a-z]+)\.?\s*(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:\s+(?P<y>\d{4}))?")
_ISO_T = re.compile(r"(\d{4}-\d{1,2}-\d{1,2})t(?=\d)")

_DUE = re.compile(r"(?<!\S)due:", re.IGNORECASE)
_KEY = re.compile(r"(?<!\S)[a-z][a-z0-9_-]*:", re.IGNORECASE)
_QUOTES = "\"'“”‘’"


# --- public API --------------------------------------------------------------------------------


def parse_when(text: str, *, now: datetime, tz: ZoneInfo) -> When:
    """Read a due date typed in Slack; WhenError says what was not understood, and why."""
    now = _as_utc(now, "now")
    norm = _normalise(text)
    if not norm:
        raise WhenError(f"No date given. Try: {EXAMPLES}.")
    shown = _shown(text)
    ctx = _Context(now=now, tz=tz, today=now.astimezone(tz).date(), shown=shown)
    try:
        found = _parse(_ISO_T.sub(r"\1 ", norm), ctx)
    except (OverflowError, ValueError) as exc:  # dates beyond year 9999
        raise WhenError(f'"{shown}" is too far in the future.') from exc
    if found is None:
        raise WhenError(f'I couldn\'t read "{shown}" as a date. Try: {EXAMPLES}.')
    at, has_time = found
    return When(at=at, has_time=has_time, text=norm)


def describe(when: datetime, *, now: datetime, tz: ZoneInfo) -> str:
    """Say exactly which instant this is, in tz: "tomorrow, Sat 28 Nov 2026, 09:00 (UTC)".

    The relative word (today / tomorrow / yesterday) is added only when it applies. Seconds show
    only when not zero; a wall time that happens twice (fall-back) names its zone abbreviation,
    "Sun 1 Nov 2026, 01:30 EDT (America/New_York)", so the text is never ambiguous.
    """
    local = _as_utc(when, "when").astimezone(tz)
    today = _as_utc(now, "now").astimezone(tz).date()
    clock = f"{local:%H:%M}"
    if local.second:
        clock += f":{local.second:02d}"
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        clock += f" {local.tzname()}"
    exact = f"{_day_label(local.date())}, {clock} ({tz})"
    relative = {-1: "yesterday", 0: "today", 1: "tomorrow"}.get((local.date() - today).days)
    return f"{relative}, {exact}" if relative else exact


def find_when(text: str, *, now: datetime, tz: ZoneInfo) -> tuple[When | None, str]:
    """Pull a `due:<expr>` out of free text: "call back due:fri 3pm" -> (fri 15:00, "call back").

    The expression runs to the end of the text or to the next `key:` token ("due:next week
    tag:vip"); quotes around it are dropped. Text without `due:` comes back unchanged with None.
    A `due:` that cannot be read, or more than one, is a WhenError.
    """
    matches = list(_DUE.finditer(text))
    if not matches:
        return None, text
    if len(matches) > 1:
        raise WhenError("Give one due date (found more than one due:).")
    start = matches[0]
    key = _KEY.search(text, start.end())
    end = key.start() if key else len(text)
    expr = text[start.end() : end].strip().strip(_QUOTES)
    when = parse_when(expr, now=now, tz=tz)
    before, after = text[: start.start()].rstrip(), text[end:].lstrip()
    rest = f"{before} {after}" if before and after else before or after
    return when, rest.strip()


# --- parsing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    now: datetime  # UTC
    tz: ZoneInfo
    today: date  # in tz
    shown: str  # the text as typed, for messages


@dataclass(frozen=True)
class _Day:
    day: date
    implied: time | None = None  # a time the word itself carries (tonight, eow)
    evening: bool = False  # tonight: a bare hour 1-11 means pm


def _parse(s: str, ctx: _Context) -> tuple[datetime, bool] | None:
    relative = _relative_instant(s, ctx)
    if relative is not None:
        return relative, True
    day = _read_day(s, ctx)
    if day is not None:
        return _on_day(day, None, ctx)
    for pattern in (_TRAILING_CLOCK, _TRAILING_HOUR, _LEADING_CLOCK):
        m = pattern.fullmatch(s)
        if m is None:
            continue
        if m.group("day") is None:  # a bare time: today, or tomorrow once it has passed
            clock = _read_clock(m, evening=False)
            at = _localize(datetime.combine(ctx.today, clock), ctx.tz)
            if at < ctx.now:
                at = _localize(datetime.combine(ctx.today + timedelta(days=1), clock), ctx.tz)
            return at, True
        day = _read_day(m.group("day"), ctx)
        if day is not None:
            return _on_day(day, _read_clock(m, evening=day.evening), ctx)
    return None


def _on_day(day: _Day, clock: time | None, ctx: _Context) -> tuple[datetime, bool]:
    has_time = clock is not None or day.implied is not None
    wall = clock or day.implied or DEFAULT_TIME
    at = _localize(datetime.combine(day.day, wall), ctx.tz)
    if day.day < ctx.today:
        said = describe(at, now=ctx.now, tz=ctx.tz) if has_time else _day_label(day.day)
        raise WhenError(f'"{ctx.shown}" is in the past: {said}. Due dates can be today or later.')
    return at, has_time


def _relative_instant(s: str, ctx: _Context) -> datetime | None:
    m = _IN.fullmatch(s)
    if m is None or _UNITS.get(m.group("unit")) not in ("minutes", "hours"):
        return None
    n = _count(m.group("n"))
    delta = timedelta(minutes=n) if _UNITS[m.group("unit")] == "minutes" else timedelta(hours=n)
    return ctx.now.replace(second=0, microsecond=0) + delta


def _read_day(s: str, ctx: _Context) -> _Day | None:
    s = s.removeprefix("on ")
    today = ctx.today
    if s == "today":
        return _Day(today)
    if s == "tonight":
        return _Day(today, TONIGHT_TIME, evening=True)
    if s in ("tomorrow", "tmrw", "tmr"):
        return _Day(today + timedelta(days=1))
    if s == "yesterday":
        return _Day(today - timedelta(days=1))
    if s == "next week":
        return _Day(today + timedelta(days=7 - today.weekday()))
    if s == "next month":
        return _Day(_add_months(today.replace(day=1), 1))
    if s in ("eow", "end of week", "end of the week"):
        friday = today + timedelta(days=4 - today.weekday())
        if _localize(datetime.combine(friday, CLOSE_OF_BUSINESS), ctx.tz) < ctx.now:
            friday += timedelta(days=7)
        return _Day(friday, CLOSE_OF_BUSINESS)
    if s in ("eom", "end of month", "end of the month"):
        last = _last_of_month(today)
        if _localize(datetime.combine(last, CLOSE_OF_BUSINESS), ctx.tz) < ctx.now:
            last = _last_of_month(_add_months(today.replace(day=1), 1))
        return _Day(last, CLOSE_OF_BUSINESS)
    return _weekday(s, today) or _in_days(s, today) or _calendar_date(s, ctx)


def _weekday(s: str, today: date) -> _Day | None:
    m = _WEEKDAY.fullmatch(s)
    if m is None or m.group("name") not in _WEEKDAYS:
        return None
    wanted, current = _WEEKDAYS[m.group("name")], today.weekday()
    if m.group("mod") == "this":  # this Mon–Sun week, today included
        return _Day(today + timedelta(days=wanted - current))
    coming = today + timedelta(days=(wanted - current - 1) % 7 + 1)  # strictly after today
    if m.group("mod") == "next" and wanted > current:  # `coming` is still in this week
        coming += timedelta(days=7)
    return _Day(coming)


def _in_days(s: str, today: date) -> _Day | None:
    m = _IN.fullmatch(s)
    if m is None:
        return None
    unit, n = _UNITS.get(m.group("unit")), _count(m.group("n"))
    if unit == "days":
        return _Day(today + timedelta(days=n))
    if unit == "weeks":
        return _Day(today + timedelta(weeks=n))
    if unit == "months":
        return _Day(_add_months(today, n))
    return None


def _calendar_date(s: str, ctx: _Context) -> _Day | None:
    if m := _ISO.fullmatch(s):
        return _Day(_make_date(int(m["y"]), int(m["m"]), int(m["d"]), s, ctx.today))
    if m := _US.fullmatch(s):
        year = None if m["y"] is None else int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
        return _Day(_make_date(year, int(m["m"]), int(m["d"]), s, ctx.today))
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        m = pattern.fullmatch(s)
        if m and m["mon"] in _MONTHS:
            year = None if m["y"] is None else int(m["y"])
            return _Day(_make_date(year, _MONTHS[m["mon"]], int(m["d"]), s, ctx.today))
    return None


def _make_date(year: int | None, month: int, day: int, said: str, today: date) -> date:
    """A checked date; without a year, the next such date that is today or later."""
    if not 1 <= month <= 12:
        raise WhenError(
            f'"{said}" isn\'t a date: there is no month {month} '
            "(dates are month/day, so 3/1 is 1 March)."
        )
    name = _MONTH_NAMES[month - 1]
    if year is not None and year < 1:
        raise WhenError(f'"{said}" is in the past.')
    if year is not None:
        days = calendar.monthrange(year, month)[1]
        if not 1 <= day <= days:
            raise WhenError(f'"{said}" isn\'t a date: {name} {year} has {days} days.')
        return date(year, month, day)
    if not 1 <= day <= _MOST_DAYS[month - 1]:
        most = _MOST_DAYS[month - 1]
        limit = "at most 29" if month == 2 else str(most)
        raise WhenError(f'"{said}" isn\'t a date: {name} has {limit} days.')
    year = today.year
    while True:  # at most 8 years, for 29 February
        if day <= calendar.monthrange(year, month)[1] and date(year, month, day) >= today:
            return date(year, month, day)
        year += 1


def _read_clock(m: re.Match[str], *, evening: bool) -> time:
    groups = m.groupdict()
    said = groups["clock"]
    if groups.get("word") is not None:
        return time(12, 0) if groups["word"] == "noon" else time(0, 0)
    if groups.get("ampm") is not None:
        hour, minute = int(groups["h12"]), int(groups["m12"] or 0)
        if not 1 <= hour <= 12:
            raise WhenError(f'"{said}" isn\'t a time: with am/pm the hour goes from 1 to 12.')
        if minute > 59:
            raise WhenError(f'"{said}" isn\'t a time: minutes go from 00 to 59.')
        return time(hour % 12 + (12 if groups["ampm"] == "p" else 0), minute)
    if groups.get("h24") is not None:
        hour, minute = int(groups["h24"]), int(groups["m24"])
    else:
        hour, minute = int(groups["hour"]), 0
        if evening and 1 <= hour <= 11:
            hour += 12
    if hour > 23 or minute > 59:
        raise WhenError(f'"{said}" isn\'t a time: 24-hour times go from 00:00 to 23:59.')
    return time(hour, minute)


# --- helpers -----------------------------------------------------------------------------------


def _localize(wall: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant of a local wall time: a skipped time moves to the end of the gap, a
    repeated one is its first occurrence (fold=0)."""
    at = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if at.astimezone(tz).replace(tzinfo=None) == wall:
        return at
    # In a spring-forward gap: the instants read with each offset bracket the transition.
    lo, hi = sorted(
        int(w.replace(tzinfo=tz, fold=f).timestamp()) for w, f in ((wall, 0), (wall, 1))
    )
    after = datetime.fromtimestamp(hi, tz).utcoffset()
    while hi - lo > 1:  # find the first second that already has the new offset
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, tz).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC)


def _as_utc(instant: datetime, name: str) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return instant.astimezone(UTC)


def _normalise(text: str) -> str:
    return " ".join(text.replace(",", " ").lower().split())


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 1] + "…"


def _count(word: str) -> int:
    return 1 if word in ("a", "an", "one") else int(word)


def _day_label(day: date) -> str:
    return f"{_DAY_ABBR[day.weekday()]} {day.day} {_MONTH_NAMES[day.month - 1][:3]} {day.year}"


def _last_of_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
