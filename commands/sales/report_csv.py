"""A report as a CSV file: every row, exact values, for a spreadsheet.

Money keeps the 4 decimal places it is stored with (the card rounds to cents), counts are
whole numbers, and the change is a fraction (0.1234 = 12.34 %) left empty where the card
says "n/a". The last line is the total. Names are written so that no spreadsheet runs them
as formulas.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

from commands.sales.report_views import ReportView, compared_value, row_label
from domain.metrics import QUANTUM, Dimension, Metric, Period, growth, next_month
from domain.reports import ReportRow

_CUSTOMER = re.compile(r"^(.*) \((C-\d+)\)$")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def report_csv(view: ReportView) -> bytes:
    """UTF-8 with a byte order mark, so spreadsheet programs read names with accents right."""
    report, metric = view.report, view.metric
    compare = report.compare is not None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header = ["key", view.dimension.value, metric.value]
    if compare:
        header += [f"{metric.value} {view.compare_label}", "change"]
    writer.writerow(header)
    for row in report.rows:
        key, label = _key_and_label(row, view.dimension)
        cells = [inert(key), inert(label), exact(row.value(metric))]
        if compare:
            cells += [exact(compared_value(row, metric)), exact(row.change(metric))]
        writer.writerow(cells)
    total = ["total", "Total", exact(report.total.value(metric))]
    if compare:
        before = view.compare_total.value(metric) if view.compare_total is not None else None
        total += [exact(before), exact(growth(report.total.value(metric), before))]
    writer.writerow(total)
    return ("\ufeff" + out.getvalue()).encode()


def _key_and_label(row: ReportRow, dimension: Dimension) -> tuple[str, str]:
    """What people call a row: a product by SKU and name, a customer by C-12 and name (the
    report's labels, "SKU · name" and "name (C-12)"), a bucket by its first day."""
    if dimension.is_time:
        return row.key, row_label(row, dimension)
    if dimension is Dimension.PRODUCT and " · " in row.label:
        sku, name = row.label.split(" · ", 1)
        return sku, name
    if dimension is Dimension.CUSTOMER and (m := _CUSTOMER.match(row.label)):
        return m.group(2), m.group(1)
    return row.key, row.label


def inert(text: str) -> str:
    """Text a spreadsheet shows as text: a name starting with `=`, `+`, `-`, `@` (or a tab or
    carriage return) would be read as a formula, so it gets a leading apostrophe (OWASP)."""
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def exact(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return f"{value.quantize(QUANTUM):f}"


def file_stem(metric: Metric, dimension: Dimension, period: Period, category: str | None) -> str:
    """ "revenue-by-month-2017", "orders-by-customer-2026-11-01-to-2026-11-27-furniture"."""
    parts = [metric.value, "by", dimension.value, period_slug(period)]
    if category:
        slug = "".join(c if c.isalnum() else "-" for c in category.lower()).strip("-")
        parts.append("-".join(filter(None, slug.split("-")))[:40] or "category")
    return "-".join(parts)


def period_slug(period: Period) -> str:
    start, end = period.start, period.end
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    whole_month = start.day == 1 and next_month(start) - timedelta(days=1) == end
    if whole_month:
        return f"{start:%Y-%m}"
    return f"{start.isoformat()}-to-{end.isoformat()}" if start != end else start.isoformat()
