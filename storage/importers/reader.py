"""Reading CSV and XLSX files as text cells, in batches, with the file's line numbers.

pandas reads every cell as text (dtype=str, no NA guessing), so nothing is ever parsed as a
float; CSV is read in chunks, so a large file never sits in memory whole.

Line numbers are the file's physical lines, the header being line 1: a quoted cell that spans
lines moves the next record down by as many lines, and blank lines count. (For XLSX they are
the sheet's row numbers.) A CSV record with more cells than the header is reported on its line
and skipped; one with fewer has the missing cells empty.
"""

from __future__ import annotations

import codecs
import csv
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from domain.imports import ImportFileError

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_SKIPPED = re.compile(r"Skipping line (\d+): (.+)")
_READ_BLOCK = 1 << 20


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One record of the file: its line and its cells by column name, or why it is unreadable."""

    line: int
    cells: dict[str, str]
    problem: str | None = None


class Table:
    """A file's header and its rows in batches."""

    def __init__(
        self,
        path: Path,
        *,
        sheet: str | int | None = None,
        delimiter: str = ",",
        encoding: str = "utf-8",
    ) -> None:
        self.path = path
        self._delimiter = delimiter
        # A byte-order mark (Excel's "CSV UTF-8") is not part of the first column's name.
        self._encoding = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
        self.is_excel = path.suffix.lower() in EXCEL_SUFFIXES
        self._sheet = sheet
        self._frame: pd.DataFrame | None = None
        if not path.is_file():
            raise ImportFileError(f"there is no file {path}.")
        if path.suffix.lower() == ".xls":
            raise ImportFileError(
                "old .xls workbooks are not read: save the sheet as .xlsx or CSV."
            )
        if self.is_excel:
            self._frame = self._read_excel()
            self.header = [str(name) for name in self._frame.columns]
            self.size_hint = len(self._frame)
        else:
            self.size_hint = _check_text(path, self._encoding)
            self.header = self._read_csv_header()

    def _read_excel(self) -> pd.DataFrame:
        try:
            return pd.read_excel(
                self.path,
                sheet_name=self._sheet if self._sheet is not None else 0,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                engine="openpyxl",
            )
        except (ValueError, KeyError, OSError) as exc:
            raise ImportFileError(f"cannot read {self.path.name} as a workbook: {exc}") from None

    def _read_csv_header(self) -> list[str]:
        try:
            frame = pd.read_csv(
                self.path, dtype=str, nrows=0, encoding=self._encoding, sep=self._delimiter
            )
        except pd.errors.EmptyDataError:
            raise ImportFileError(f"{self.path.name} is empty.") from None
        except pd.errors.ParserError as exc:
            raise ImportFileError(f"cannot read {self.path.name} as CSV: {exc}") from None
        return [str(name) for name in frame.columns]

    def batches(self, size: int) -> Iterator[list[SourceRow]]:
        """The rows, `size` at a time, in file order; blank lines are left out."""
        if self._frame is not None:
            yield from self._excel_batches(self._frame, size)
        else:
            yield from self._csv_batches(size)

    def _excel_batches(self, frame: pd.DataFrame, size: int) -> Iterator[list[SourceRow]]:
        for start in range(0, len(frame), size):
            chunk = frame.iloc[start : start + size]
            rows = [
                SourceRow(start + offset + 2, dict(zip(self.header, values, strict=True)))
                for offset, values in enumerate(chunk.astype(object).to_numpy().tolist())
                if any(str(value).strip() for value in values)
            ]
            yield rows

    def _csv_batches(self, size: int) -> Iterator[list[SourceRow]]:
        header = self.header
        physical = 2 + sum(name.count("\n") for name in header)  # where the next record starts
        record = 1  # pandas' count of records, the header being 1: how it names skipped ones
        skipped: dict[int, str] = {}
        reader = pd.read_csv(
            self.path,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            encoding=self._encoding,
            sep=self._delimiter,
            chunksize=size,
            skip_blank_lines=False,
            on_bad_lines="warn",
        )
        with reader, _LineSeeker(self.path, self._encoding, self._delimiter) as seeker:
            chunks = iter(reader)
            while True:
                chunk = _next_chunk(chunks, skipped, self.path)
                if chunk is None:
                    break
                rows: list[SourceRow] = []
                for values in chunk.astype(object).to_numpy().tolist():
                    record += 1
                    while record in skipped:
                        cells, used = seeker.record_at(physical)
                        named = dict(zip(header, cells, strict=False))
                        rows.append(SourceRow(physical, named, skipped.pop(record)))
                        physical, record = physical + used, record + 1
                    line = physical
                    physical += 1 + sum(value.count("\n") for value in values)
                    if any(value.strip() for value in values):
                        rows.append(SourceRow(line, dict(zip(header, values, strict=True))))
                yield rows
            # Records skipped after the last good one.
            trailing: list[SourceRow] = []
            for key in sorted(skipped):
                cells, used = seeker.record_at(physical)
                trailing.append(
                    SourceRow(physical, dict(zip(header, cells, strict=False)), skipped[key])
                )
                physical += used
            if trailing:
                yield trailing


class _LineSeeker:
    """Reads the records pandas skipped straight from the file, moving forward only.

    Their cells still matter: an orders file's line positions count every row of an order.
    """

    def __init__(self, path: Path, encoding: str, delimiter: str) -> None:
        self._handle = path.open(encoding=encoding, newline="")
        self._delimiter = delimiter
        self._line = 1  # the line the next readline() returns

    def __enter__(self) -> _LineSeeker:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()

    def _lines(self) -> Iterator[str]:
        while line := self._handle.readline():
            self._line += 1
            yield line

    def record_at(self, line: int) -> tuple[list[str], int]:
        """The cells of the record starting on `line`, and how many lines it takes."""
        while self._line < line and self._handle.readline():
            self._line += 1
        start = self._line
        cells = next(csv.reader(self._lines(), delimiter=self._delimiter), [])
        return cells, max(self._line - start, 1)


def _next_chunk(chunks: Iterator[Any], skipped: dict[int, str], path: Path) -> pd.DataFrame | None:
    """The next chunk; records pandas skipped as malformed are noted in `skipped`."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        try:
            chunk = next(chunks, None)
        except pd.errors.ParserError as exc:
            raise ImportFileError(f"cannot read {path.name} as CSV: {exc}") from None
    for warning in caught:
        if not issubclass(warning.category, pd.errors.ParserWarning):
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
            continue
        for match in _SKIPPED.finditer(str(warning.message)):
            reason = match.group(2).strip()
            skipped[int(match.group(1))] = f"cannot be read: {reason} (a comma outside quotes?)"
    return chunk


def _check_text(path: Path, encoding: str) -> int:
    """Approximate data rows (lines - 1); raises if the file is not text in that encoding."""
    decoder = codecs.getincrementaldecoder(encoding)()
    lines = 0
    offset = 0
    last = b""
    with path.open("rb") as handle:
        while block := handle.read(_READ_BLOCK):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                raise ImportFileError(
                    f"{path.name} is not {encoding.removesuffix('-sig').upper()} text (byte "
                    f"{offset + exc.start:,}): save it as “CSV UTF-8”, or name its encoding in "
                    "a mapping (encoding: cp1252)."
                ) from None
            lines += block.count(b"\n")
            offset += len(block)
            last = block
        if offset == 0:
            raise ImportFileError(f"{path.name} is empty.")
        if not last.endswith(b"\n"):
            lines += 1
    return max(lines - 1, 0)
