"""`pfdo import attendance` reads a journal as Russian operators' Excel saves it: CSV UTF-8
with a BOM and `;`, Unicode text (UTF-16, tabs), plain CSV in cp1251; Russian headers and
`ДД.ММ.ГГГГ` dates; every wrong row is named and nothing is written."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

import openpyxl
from cli_helpers import CONTRACT, NUMBER, Pfdo

from pfdo.desk.imports import read_marks

EXAMPLES = Path(__file__).parents[2] / "examples"
RUSSIAN = f"Договор;Дата;Явка\r\n{CONTRACT};16.01.2025;да\r\n{CONTRACT};20.01.2025;да\r\n" + (
    f"{CONTRACT};23.01.2025;нет\r\n"
)
TABS = f"contract\tdate\tpresent\r\n{CONTRACT}\t2025-01-16\t1\r\n" + (
    f"{CONTRACT}\t2025-01-20\t1\r\n{CONTRACT}\t2025-01-23\t0\r\n"
)


def _file(tmp_path: Path, data: bytes, name: str = "journal.csv") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _billed_two_of_three(year: Pfdo) -> None:
    """The marks were recorded: January bills 2 of 3 lessons (822.58 for the month)."""
    billed = year.json("bill", "--month", "2025-01", "--on", "2025-02-01")
    assert (billed["charged"], billed["released"]) == ("548.38", "274.20")


def _import(year: Pfdo, journal: str, *options: str) -> dict[str, object]:
    imported: dict[str, object] = year.json(
        "import", "attendance", journal, "--on", "2025-01-31", *options
    )
    return imported


def test_csv_utf8_with_a_bom_semicolons_russian_headers_and_dates_is_imported(
    year: Pfdo, tmp_path: Path
) -> None:
    year.enroll(NUMBER, "--mode", "attendance")
    journal = _file(tmp_path, RUSSIAN.encode("utf-8-sig"))
    imported = _import(year, journal)
    assert (imported["file"], imported["rows"], imported["written"]) == (journal, 3, 3)
    assert imported["errors"] == []
    _billed_two_of_three(year)


def test_unicode_text_utf16_le_with_tabs_is_imported(year: Pfdo, tmp_path: Path) -> None:
    year.enroll(NUMBER, "--mode", "attendance")
    assert (
        _import(year, _file(tmp_path, TABS.encode("utf-16-le").join([b"\xff\xfe", b""])))["written"]
        == 3
    )
    _billed_two_of_three(year)


def test_plain_csv_in_cp1251_is_imported_when_asked(year: Pfdo, tmp_path: Path) -> None:
    year.enroll(NUMBER, "--mode", "attendance")
    journal = _file(tmp_path, RUSSIAN.encode("cp1251"))
    assert _import(year, journal, "--encoding", "cp1251")["written"] == 3
    _billed_two_of_three(year)


def test_cp1251_read_as_utf8_is_one_error_line_naming_file_encoding_and_line(
    year: Pfdo, tmp_path: Path
) -> None:
    year.enroll(NUMBER, "--mode", "attendance")
    events = year.events()
    journal = _file(tmp_path, RUSSIAN.encode("cp1251"))
    stderr = year.malformed("import", "attendance", journal, "--on", "2025-01-31")
    assert stderr == (
        f"Error: attendance journal {journal}: line 1 is not valid utf-8 text "
        "(a file saved as plain CSV by Excel: --encoding cp1251)\n"
    )
    assert year.events() == events


def test_every_wrong_row_is_named_with_its_line_and_column_and_nothing_is_written(
    year: Pfdo, tmp_path: Path
) -> None:
    year.enroll(NUMBER, "--mode", "attendance")
    events = year.events()
    journal = _file(
        tmp_path,
        (
            "договор;дата;явка;ребёнок\n"
            f"{CONTRACT};16.01.2025;да;Иванов\n"
            f"{CONTRACT};31.02.2025;да;Иванов\n"
            f";20.01.2025;может быть;Петров\n"
            f"{CONTRACT};16.01.2025;нет;Иванов\n"
            f"{CONTRACT};2025-01-23;0;Иванов\n"
        ).encode("utf-8-sig"),
    )
    errors = str(tmp_path / "errors.csv")
    stderr = year.malformed(
        "import", "attendance", journal, "--on", "2025-01-31", "--errors", errors
    )
    assert stderr == (
        f"Error: attendance journal {journal}: 3 rows are wrong; nothing was written ("
        "line 3, column date: date '31.02.2025' is not a date in the form YYYY-MM-DD or "
        "ДД.ММ.ГГГГ; line 4, column contract: empty; line 4, column present: 'может быть' "
        "is not one of 1/yes/y/true/да/д/+ or 0/no/n/false/нет/н/-; line 5, column date: "
        f"lesson 2025-01-16 of contract {CONTRACT} is also on line 2)\n"
    )
    assert year.events() == events
    text = Path(errors).read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0] == ["договор", "дата", "явка", "ребёнок", "line", "column", "reason"]
    assert [row[4:6] for row in rows[1:]] == [
        ["3", "date"], ["4", "contract"], ["4", "present"], ["5", "date"]
    ]  # fmt: skip
    assert rows[2][:4] == ["", "20.01.2025", "может быть", "Петров"]


def test_the_help_states_the_columns_encodings_separators_and_dates(year: Pfdo) -> None:
    shown = " ".join(year("import", "attendance", "--help").stdout.split())
    for words in (
        "contract | договор", "date | дата YYYY-MM-DD or ДД.ММ.ГГГГ",
        "present | присутствие | явка", "UTF-8 with or without BOM", "UTF-16 with BOM",
        "--encoding cp1251", "Separator: ';', tab or ','", "nothing is written",
    ):  # fmt: skip
        assert words in shown


def test_the_same_journal_imported_twice_writes_nothing_the_second_time(
    year: Pfdo, tmp_path: Path
) -> None:
    year.enroll(NUMBER, "--mode", "attendance")
    journal = _file(tmp_path, RUSSIAN.encode("utf-8-sig"))
    first = _import(year, journal)
    events = year.events()
    again = _import(year, journal)
    assert again == {**first, "written": 0, "skipped": 3} and year.events() == events
    # the same marks saved by Excel as Unicode text are the same journal
    same = _file(tmp_path, TABS.encode("utf-16"), "journal.txt")
    assert _import(year, same)["written"] == 0 and year.events() == events


def test_the_example_journals_are_one_journal_in_two_encodings() -> None:
    unicode_text = read_marks(EXAMPLES / "attendance-utf16.txt")
    assert unicode_text == read_marks(EXAMPLES / "attendance-utf8-bom.csv")
    assert [(m[1], str(m[2]), m[3]) for m in unicode_text] == [
        ("1100000012-001", "2025-02-06", True), ("1100000012-001", "2025-02-10", True),
        ("1100000012-001", "2025-02-13", False),
    ]  # fmt: skip


def test_read_marks_takes_a_path_a_text_stream_or_a_byte_stream(tmp_path: Path) -> None:
    path = Path(_file(tmp_path, TABS.encode("utf-16")))
    marks = read_marks(path)
    assert [m[1:] for m in marks] == [m[1:] for m in read_marks(io.StringIO(RUSSIAN))]
    assert marks == read_marks(io.BytesIO(TABS.encode("utf-16-be").join([b"\xfe\xff", b""])))


def test_partial_records_the_good_marks_and_lists_the_wrong_and_refused_ones(
    year: Pfdo, tmp_path: Path
) -> None:
    year.enroll(NUMBER, "--mode", "attendance")
    journal = _file(
        tmp_path,
        (
            "договор;дата;явка\n"
            f"{CONTRACT};16.01.2025;да\n"
            f"{CONTRACT};31.02.2025;да\n"
            f"{NUMBER}-009;17.01.2025;да\n"
            f"{CONTRACT};20.01.2025;да\n"
            f"{CONTRACT};23.01.2025;нет\n"
            f"{CONTRACT};2025-06-02;да\n"
        ).encode("utf-8-sig"),
    )
    errors = tmp_path / "errors.csv"
    imported = _import(year, journal, "--partial", "--errors", str(errors))
    assert (imported["rows"], imported["written"], imported["skipped"]) == (6, 3, 3)
    wrong = [(e["line"], e["column"]) for e in imported["errors"]]  # type: ignore[index]
    assert wrong == [(3, "date"), (4, "contract"), (7, "date")]
    reasons = [e["reason"] for e in imported["errors"]]  # type: ignore[index]
    assert reasons[1] == f"contract {NUMBER}-009 does not exist"
    _billed_two_of_three(year)
    assert [r.split(";")[0] for r in errors.read_bytes().decode("utf-8-sig").splitlines()[1:]] == [
        CONTRACT, f"{NUMBER}-009", CONTRACT,
    ]  # fmt: skip
    again = _import(year, journal, "--partial")
    assert (again["written"], again["skipped"]) == (0, 6)


def test_an_xlsx_journal_with_date_cells_is_imported(year: Pfdo, tmp_path: Path) -> None:
    year.enroll(NUMBER, "--mode", "attendance")
    book = openpyxl.Workbook()
    book.active.append(["Договор", "Дата", "Явка"])
    for day, present in ((16, "да"), (20, 1), (23, 0)):
        book.active.append([CONTRACT, datetime.datetime(2025, 1, day), present])
    book.save(tmp_path / "journal.xlsx")
    assert _import(year, str(tmp_path / "journal.xlsx"))["written"] == 3
    _billed_two_of_three(year)
