"""Reading uploaded tables (CSV or XLSX) row by row, bounded: the sales import and price lists use it.

Reading stops past a row cap, so a huge file costs no more than the cap; a CSV row the reader cannot
read (a field over 131,072 characters, a NUL byte, a stray quote) becomes that row's error, reported
with its number like any other, never a 500.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ROW_ERROR = "__row_error__"


class _TooManyRows(Exception):
    pass


def _capped(rows: Iterator[dict], cap: int) -> list[dict]:
    """At most ``cap`` rows; reading stops at the first row past it (a huge file costs no more)."""
    out: list[dict] = []
    for r in rows:
        if len(out) >= cap:
            raise _TooManyRows
        out.append(r)
    return out


def _xlsx_rows(content: bytes) -> Iterator[dict]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        it = sheet.iter_rows(values_only=True)
        first = next(it, None)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise ValidationError({"file": [ValidationError(_("The file is not a readable XLSX workbook."),
                                                        code="unreadable")]}) from exc  # fmt: skip
    if first is None:
        return
    header = [str(h or "").strip().lower() for h in first]
    for r in it:
        if any(c not in (None, "") for c in r):
            yield dict(zip(header, r, strict=False))


def _csv_delimiter(first_line: str) -> str:
    """Semicolon (the Russian Excel default) or comma, whichever the header uses more; never a guess that fails."""
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _csv_rows(content: bytes) -> Iterator[dict]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError({"file": [ValidationError(_("Save the CSV file as UTF-8."), code="encoding")]}) from exc
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=_csv_delimiter(first_line))
    try:
        header = [f.strip().lower() for f in next(reader, [])]
    except csv.Error as exc:
        raise ValidationError({"file": [ValidationError(_("The header row cannot be read: %(reason)s.")
                                                        % {"reason": exc}, code="malformed")]}) from exc  # fmt: skip
    n = 0
    while True:
        n += 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # an over-long field, a NUL byte, an unclosed quote
            yield {ROW_ERROR: str(exc)}
            continue
        if any(v.strip() for v in values):
            yield dict(zip(header, values, strict=False))


def read_rows(*, name: str, content: bytes, cap: int) -> list[dict]:
    """Rows of a CSV (UTF-8, comma or semicolon) or XLSX file, keyed by the header row.

    Reading stops past ``cap`` rows; a row the CSV reader cannot read (a field
    over 131,072 characters, a NUL byte) becomes that row's error rather than a failure.
    """
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        rows = _xlsx_rows(content)
    elif suffix == ".csv":
        rows = _csv_rows(content)
    else:
        raise ValidationError({"file": [ValidationError(_("Upload a .csv or .xlsx file."), code="file_type")]})
    try:
        return _capped(rows, cap)
    except _TooManyRows:
        raise ValidationError({"file": [ValidationError(_("At most %(n)s rows per file.") % {"n": cap},
                                                        code="too_many_rows")]}) from None  # fmt: skip
