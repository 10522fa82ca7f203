"""The dashboard's filters (DESIGN §1): a period, `category:X`, `by:day|week|month`.

Reports read the same period and category words (commands/sales/report_grammar.py), so a
saved dashboard or report means the same thing whenever it runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from commands.format import truncate
from domain.metrics import Dimension
from domain.periods import (
    DEFAULT_PERIOD,
    PERIOD_FORMS,
    NamedPeriod,
    PeriodError,
    looks_like_period,
    parse_period,
)

BUCKETS = {"day": Dimension.DAY, "week": Dimension.WEEK, "month": Dimension.MONTH}
# A day per bucket up to this many days, then weeks, then months: a readable chart.
DAILY_UP_TO = 45
WEEKLY_UP_TO = 200
# A category name with digits or colons is quoted; phones and Macs turn " into curly quotes.
OPEN_QUOTES = ('"', "“", "”")
CLOSE_QUOTES = ('"', "”", "“")


class FilterError(ValueError):
    """A filter is not valid; the message says what is."""


@dataclass(frozen=True)
class Filters:
    period: NamedPeriod
    category: str | None = None
    by: Dimension | None = None  # None: chosen from the period's length

    @property
    def bucket(self) -> Dimension:
        if self.by is not None:
            return self.by
        days = self.period.period.days
        if days <= DAILY_UP_TO:
            return Dimension.DAY
        return Dimension.WEEK if days <= WEEKLY_UP_TO else Dimension.MONTH

    def text(self) -> str:
        """The filters written back, as a saved dashboard stores them."""
        parts = [self.period.text]
        if self.category:
            parts.append(category_word(self.category))
        if self.by is not None:
            parts.append(f"by:{self.by.value}")
        return " ".join(parts)


@dataclass
class Reader:
    """Takes the filter words it knows out of a list, so a caller can handle the rest."""

    today: date
    period: NamedPeriod | None = None
    category: str | None = None
    by: Dimension | None = None

    def take(self, words: Sequence[str]) -> list[str]:
        """Read period, category:X and by:… words; return the words it did not know.

        A category name may hold spaces: `category:Office Supplies` reads on until a word
        that is a filter or option itself (has a colon) or a period; a quoted name
        (`category:"Size 10 Boxes"`) reads to its closing quote."""
        left: list[str] = []
        category_end = -2  # the category name's last word: a bad period next may be its part
        i = 0
        while i < len(words):
            word = words[i]
            lower = word.lower()
            if lower.startswith(("category:", "cat:")):
                name = [word.split(":", 1)[1]]
                if name[0][:1] in OPEN_QUOTES:
                    # category:"Size 10 Boxes": a name with digits, colons or periods in it
                    while not _closes(name) and i + 1 < len(words):
                        i += 1
                        name.append(words[i])
                    if not _closes(name):
                        raise FilterError(
                            'Close the quote around the category: `category:"Size 10 Boxes"`.'
                        )
                    self._set_category(" ".join(name)[1:-1].strip())
                    category_end = i
                    i += 1
                    continue
                while i + 1 < len(words) and _continues_name(words[i + 1]):
                    i += 1
                    name.append(words[i])
                self._set_category(" ".join(n for n in name if n))
                category_end = i
            elif lower.startswith("by:"):
                self._set_by(word.split(":", 1)[1])
            elif _is_period(lower):
                if self.period is not None:
                    raise FilterError(
                        f"One period at a time: “{truncate(self.period.text, 40)}” or "
                        f"“{truncate(word, 40)}”?"
                    )
                try:
                    self.period = parse_period(word, self.today)
                except PeriodError as exc:
                    problem = str(exc)
                    if self.category is not None and category_end == i - 1:
                        problem += (
                            " If it is part of the category's name, put the name in quotes: "
                            '`category:"Size 10 Boxes"`.'
                        )
                    raise FilterError(problem) from None
            else:
                left.append(word)
            i += 1
        return left

    def filters(self) -> Filters:
        period = self.period or parse_period(DEFAULT_PERIOD, self.today)
        return Filters(period=period, category=self.category, by=self.by)

    def _set_category(self, name: str) -> None:
        if not name:
            raise FilterError("Say which category: `category:Furniture`.")
        if self.category is not None:
            raise FilterError("One category at a time, please.")
        self.category = name

    def _set_by(self, value: str) -> None:
        bucket = BUCKETS.get(value.lower())
        if bucket is None:
            shown = truncate(value, 20)
            raise FilterError(f"“by:{shown}” is not a grouping: use by:day, by:week or by:month.")
        self.by = bucket


def read_filters(words: Sequence[str], today: date) -> Filters:
    """The dashboard's filters; FilterError names the word that is wrong and what is valid."""
    reader = Reader(today)
    left = reader.take(words)
    if left:
        shown = truncate(" ".join(left), 40)
        raise FilterError(
            f"I don't know “{shown}”. The dashboard takes a period ({PERIOD_FORMS}), "
            "`category:<name>` and `by:day|week|month`."
        )
    return reader.filters()


def category_word(name: str) -> str:
    """`category:Office Supplies`, quoted when the name would not read back whole:
    `category:"Size 10 Boxes"` (a word that is a period, an option or `csv`)."""
    words = name.split()
    plain = (
        bool(words)
        and " ".join(words) == name
        and words[0][:1] not in OPEN_QUOTES
        and all(_continues_name(w) for w in words[1:])
    )
    return f"category:{name}" if plain else f'category:"{name}"'


def _closes(name: list[str]) -> bool:
    """Whether the quoted name read so far ends with its closing quote."""
    text = " ".join(name)
    return len(text) >= 2 and text[-1] in CLOSE_QUOTES


def _is_period(word: str) -> bool:
    return looks_like_period(word)


def _continues_name(word: str) -> bool:
    return ":" not in word and not _is_period(word.lower()) and word.lower() != "csv"
