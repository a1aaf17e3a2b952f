"""Importing attendance from spreadsheets: rows/s beside the raw parse rate.

A fresh SQLite store gets a period, a provider, a program and `--contracts` children,
each enrolled in attendance mode for 2025-01-01..2025-12-31 (set up in one bulk). A
journal of `--rows` marks (default 100,000: the contracts' lessons, two a week, round
robin) is written twice: as CSV the way Excel saves "CSV UTF-8" (BOM, `;`, ДД.ММ.ГГГГ)
and as xlsx (xlsxwriter, date cells). For each file, in the same run:

- raw: the same library parsing the same file and nothing else: Python's `csv` reader
  over the decoded text, or python-calamine reading the first sheet's cells (as
  `pfdo.desk.sheets` does);
- import: `read_journal` (decode, detect, check every cell) + `import_attendance` (one
  bulk, one chunk) on a copy of the set-up store, the same path `pfdo import attendance`
  takes, with each part's time beside the raw parse's (opening the ledger, reading and
  checking, deciding and writing, the catch-up at close).

Targets: at least 20,000 rows/s, and at least 0.3x the raw parse.

    python bench/sheet_import.py [--rows 100000] [--contracts 1000] [--rounds 1]
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import xlsxwriter
from python_calamine import CalamineWorkbook

from pfdo import Ledger
from pfdo.application.collector import collector_paused
from pfdo.desk.imports import import_attendance, read_journal

START, END = date(2025, 1, 1), date(2025, 12, 31)
#: the parts of an import, timed apart: opening the ledger, reading and checking the
#: journal, deciding and writing its marks, and the catch-up at close
PARTS = ("open", "read and check", "decide and write", "catch-up at close")


def set_up(db: str, contracts: int) -> list[str]:
    """A year with `contracts` attendance-mode contracts; their ids."""
    with Ledger(db) as ledger:
        ledger.open_period("2025", municipality="city", start=START, end=END,
                           categories={"base": {"nominal": "30000"}}, on=START)  # fmt: skip
        ledger.add_provider("school", name="School", on=START)
        ledger.add_program("club", provider="school", title="Club", monthly_price="500",
                           min_age=5, max_age=17, on=START)  # fmt: skip
        codes = []
        with ledger.bulk(chunk=500):
            for n in range(contracts):
                number = f"{1_000_000_000 + n}"
                ledger.issue_certificate(child=f"c{n}", birth_date="2015-01-01",
                                         municipality="city", number=number, on=START)  # fmt: skip
                ledger.fund_certificate(number, period="2025", category="base", on=START)
                enrolled = ledger.enroll(number, program="club", start=START, end=END,
                                         mode="attendance", on=START)  # fmt: skip
                codes.append(enrolled.contract)
    return codes


def marks(codes: list[str], rows: int) -> list[tuple[str, date, bool]]:
    """`rows` lessons: each contract's Mondays and Thursdays in turn, one in ten absent."""
    days = [d for d in (START + timedelta(n) for n in range(365)) if d.weekday() in (0, 3)]
    if rows > len(days) * len(codes):
        raise SystemExit(f"--rows {rows} needs more than {len(codes)} contracts")
    return [(codes[i % len(codes)], days[i // len(codes)], i % 10 != 0) for i in range(rows)]


def write_csv(path: Path, journal: list[tuple[str, date, bool]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["Договор", "Дата", "Явка"])
        for code, day, present in journal:
            writer.writerow([code, day.strftime("%d.%m.%Y"), "да" if present else "нет"])


def write_xlsx(path: Path, journal: list[tuple[str, date, bool]]) -> None:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet, dated = book.add_worksheet(), book.add_format({"num_format": "dd.mm.yyyy"})
    sheet.write_row(0, 0, ["Договор", "Дата", "Явка"])
    for row, (code, day, present) in enumerate(journal, start=1):
        sheet.write_string(row, 0, code)
        sheet.write_datetime(row, 1, day, dated)
        sheet.write_string(row, 2, "да" if present else "нет")
    book.close()


def raw_csv(path: Path) -> int:
    text = path.read_bytes().decode("utf-8-sig")
    return sum(1 for _ in csv.reader(io.StringIO(text, newline=""), delimiter=";")) - 1


def raw_xlsx(path: Path) -> int:
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes())).get_sheet_by_index(0)
    return len(sheet.to_python(skip_empty_area=False)) - 1


def timed(action: object) -> tuple[int, float]:
    started = time.perf_counter()
    done = action()  # type: ignore[operator]
    return int(done), time.perf_counter() - started


def imported(store: str, folder: Path, path: Path, parts: dict[str, list[float]]) -> int:
    """As `pfdo import attendance` runs: the collector paused for the whole command, the
    ledger's close (the catch-up) included, and the journal freed before it resumes. The
    seconds of each part are appended to `parts`."""
    copy = str(folder / "copy.sqlite")
    shutil.copyfile(store, copy)
    with collector_paused():
        began = time.perf_counter()
        ledger = Ledger(copy)
        opened = time.perf_counter()
        journal = read_journal(path)
        assert not journal.errors, journal.errors[:3]
        read = time.perf_counter()
        result = import_attendance(ledger, journal.marks, on=END, request_id="bench")
        written = time.perf_counter()
        ledger.close()
        closed = time.perf_counter()
        del journal
    for part, seconds in zip(
        PARTS, (opened - began, read - opened, written - read, closed - written), strict=True
    ):
        parts.setdefault(part, []).append(seconds)
    Path(copy).unlink()
    return result.written


def _ms(seconds: float) -> str:
    return f"{1000 * seconds:,.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--contracts", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        store = str(folder / "store.sqlite")
        journal = marks(set_up(store, args.contracts), args.rows)
        files = {"csv": folder / "journal.csv", "xlsx": folder / "journal.xlsx"}
        write_csv(files["csv"], journal)
        write_xlsx(files["xlsx"], journal)
        print(f"attendance import: {args.rows:,} rows over {args.contracts:,} contracts, "
              f"SQLite, {args.rounds} round(s)")  # fmt: skip
        for kind, raw in (("csv", raw_csv), ("xlsx", raw_xlsx)):
            raws, imports, raw_seconds = [], [], []
            parts: dict[str, list[float]] = {}
            for _ in range(args.rounds):
                count, seconds = timed(lambda: raw(files[kind]))  # noqa: B023
                raws.append(count / seconds)
                raw_seconds.append(seconds)
                count, seconds = timed(lambda: imported(store, folder, files[kind], parts))  # noqa: B023
                assert count == args.rows, count
                imports.append(count / seconds)
            rate, peer = statistics.median(imports), statistics.median(raws)
            ratio = rate / peer
            verdict = "met" if rate >= 20_000 and ratio >= 0.3 else "NOT met"
            print(
                f"  {kind:<4} import {rate:>10,.0f} rows/s   raw parse {peer:>10,.0f} rows/s   "
                f"ratio {ratio:.3f}   >= 20,000 rows/s and >= 0.3x: {verdict}"
            )
            parse = statistics.median(raw_seconds)
            shares = (f"{p} {_ms(statistics.median(v))} ({statistics.median(v) / parse:.2f}x)"
                      for p, v in parts.items())  # fmt: skip
            print(f"       parts, x the raw parse ({_ms(parse)}): {', '.join(shares)}")


if __name__ == "__main__":
    main()
