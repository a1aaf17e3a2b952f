"""Spreadsheet CSV as Russian operators' Excel writes it: bytes in, rows of cells out.

Excel saves a sheet as "CSV UTF-8" (UTF-8 with a byte order mark, `;`-separated in a
Russian locale), as "CSV" (cp1251, `;`) or as "Unicode text" (UTF-16 with a byte order
mark, tab-separated). pfdo decodes the bytes itself: a byte order mark names the encoding
(UTF-8 or UTF-16 LE/BE), otherwise the encoding asked for (default UTF-8); the separator
(`;`, tab or `,`) is the one the header line uses most. A file that is not valid in its
encoding is an input error naming the file, the encoding and the line.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass

from pfdo.domain.errors import InvalidInput
from pfdo.results import RowError

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
    rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    return Sheet(header=header, rows=rows)


def write_errors(
    path: str, header: list[str], rows: list[tuple[int, list[str]]], errors: list[RowError]
) -> None:
    """Write the wrong rows for a spreadsheet: UTF-8 with BOM, `;`, the input's columns
    then `line`, `column` and `reason`, one line per error."""
    cells = dict(rows)
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow([*header, "line", "column", "reason"])
        for error in errors:
            row = cells.get(error.line, header if error.line == 1 else [])
            padded = [*row, *[""] * (len(header) - len(row))][: len(header)]
            writer.writerow([*padded, error.line, error.column, error.reason])
