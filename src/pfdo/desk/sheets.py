"""Spreadsheets as Russian operators' Excel writes them: bytes in, rows of cells out.

Excel saves a sheet as "CSV UTF-8" (UTF-8 with a byte order mark, `;`-separated in a
Russian locale), as "CSV" (cp1251, `;`) or as "Unicode text" (UTF-16 with a byte order
mark, tab-separated). pfdo decodes the bytes itself: a byte order mark names the encoding
(UTF-8 or UTF-16 LE/BE), otherwise the encoding asked for (default UTF-8); the separator
(`;`, tab or `,`) is the one the header line uses most. A file that is not valid in its
encoding is an input error naming the file, the encoding and the line.

An `.xlsx` workbook (recognised by its content, a zip, whatever its name) is read with
python-calamine (Rust's calamine: several times openpyxl's rate), its first sheet only,
from cell A1; its cells become the text a CSV would hold: a date cell `YYYY-MM-DD`, a
number in digits with `.` as its decimal mark (a whole number without one), so an
import reads both kinds of file by the same rules.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from python_calamine import CalamineError, CalamineWorkbook

from pfdo.application.results import RowError
from pfdo.domain.errors import InvalidInput

#: A sheet: a file's path, or a stream of its text or its bytes.
Source = str | os.PathLike[str] | IO[str] | IO[bytes]
#: The encodings a caller may ask for, as `--encoding` offers them.
ENCODINGS = ("utf-8", "utf-16", "cp1251")
SEPARATORS = (";", "\t", ",")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class Sheet:
    """A decoded sheet: its header cells (trimmed) and its rows with their lines."""

    header: list[str]
    rows: list[tuple[int, list[str]]]


def decode(data: bytes, name: str, encoding: str | None = None) -> str:
    """The text of a file's bytes: the encoding its byte order mark names, else
    `encoding` (default UTF-8)."""
    chosen = next((enc for bom, enc in _BOMS if data.startswith(bom)), None)
    chosen = chosen or encoding or "utf-8"
    try:
        return data.decode(chosen)
    except UnicodeDecodeError as error:
        line = data[: error.start].decode(chosen, errors="replace").count("\n") + 1
        shown = "utf-8" if chosen == "utf-8-sig" else chosen
        hint = "" if encoding else " (a file saved as plain CSV by Excel: --encoding cp1251)"
        raise InvalidInput(f"{name}: line {line} is not valid {shown} text{hint}") from None
    except LookupError:
        raise InvalidInput(f"encoding {encoding!r} is not one of {', '.join(ENCODINGS)}") from None


def read_sheet(text: str) -> Sheet:
    """Split the text into a header and rows, with the separator its header line uses."""
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    separator = max(SEPARATORS, key=first.count) if any(s in first for s in SEPARATORS) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    header = [cell.strip() for cell in next(reader, [])]
    # a row of empty or blank cells only is skipped: its joined text is blank
    rows = [(reader.line_num, row) for row in reader if "".join(row).strip()]
    return Sheet(header=header, rows=rows)


def load(source: Source, what: str, encoding: str | None = None) -> tuple[str, Sheet]:
    """Read a sheet (CSV of any of Excel's encodings, or xlsx): its name and its cells.
    A file that cannot be read or decoded raises `InvalidInput` naming it as `what`."""
    name = str(source) if isinstance(source, str | os.PathLike) else ""
    try:
        data = Path(source).read_bytes() if isinstance(source, str | os.PathLike) else source.read()
    except OSError as error:
        raise InvalidInput(f"{what} {name}: {error.strerror}") from None
    label = f"{what} {name}".strip()
    if isinstance(data, bytes) and data.startswith(b"PK\x03\x04"):
        return name, read_workbook(data, label)
    text = decode(data, label, encoding) if isinstance(data, bytes) else data
    return name, read_sheet(text)


def read_workbook(data: bytes, label: str) -> Sheet:
    """The first sheet of an xlsx workbook, its cells as text (see the module's doc)."""
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        cells = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError, IndexError) as error:
        raise InvalidInput(f"{label}: not a readable xlsx workbook ({error})") from None
    header = [_text(cell).strip() for cell in (cells[0] if cells else [])]
    rows = []
    known: dict[tuple[type, Any], str] = {}  # a sheet repeats its few dates and numbers
    for line, row in enumerate(cells[1:], start=2):
        texts = [cell if type(cell) is str else _known_text(cell, known) for cell in row]
        if "".join(texts).strip():
            rows.append((line, texts))
    return Sheet(header=header, rows=rows)


def _known_text(cell: Any, known: dict[tuple[type, Any], str]) -> str:
    """`_text(cell)`, remembered by the cell's type and value (`1`, `1.0` and `True` differ)."""
    key = (type(cell), cell)
    text = known.get(key)
    if text is None:
        text = known[key] = _text(cell)
    return text


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "1" if cell else "0"
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat()
    if isinstance(cell, date | time):
        return cell.isoformat()
    if isinstance(cell, float):
        exact = Decimal(repr(cell))
        return str(int(exact)) if exact == exact.to_integral_value() else format(exact, "f")
    return str(cell)


def write_errors(
    path: str, header: list[str], rows: list[tuple[int, list[str]]], errors: list[RowError]
) -> None:
    """Write the wrong rows for a spreadsheet: UTF-8 with BOM, `;`, the input's columns
    then `line`, `column` and `reason`, one line per error."""
    cells = dict(rows)
    try:
        with open(path, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out, delimiter=";")
            writer.writerow([*header, "line", "column", "reason"])
            for error in errors:
                row = cells.get(error.line, header if error.line == 1 else [])
                padded = [*row, *[""] * (len(header) - len(row))][: len(header)]
                writer.writerow([*padded, error.line, error.column, error.reason])
    except OSError as error:
        raise InvalidInput(f"cannot write the errors file {path}: {error.strerror}") from None
