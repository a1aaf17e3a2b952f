"""`pfdo import children|programs|enrolments`: sheets as Russian Excel writes them,
checked whole; wrong cells and rows the rules refuse named by line, column and reason;
nothing written, or with `--partial` exactly the good rows; the same sheet twice writes
nothing the second time."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from cli_helpers import NUMBER, Pfdo

from pfdo import InvalidInput, Ledger
from pfdo.desk.imports import CHILDREN, SheetRefused, import_batch, import_sheet, read_batch

EXAMPLES = Path(__file__).parents[2] / "examples"
ON = ("--on", "2025-01-15")
CHILDREN_RU = (
    "Ребёнок;Дата рождения;Муниципалитет;Номер сертификата;Период;Категория\r\n"
    "child-11;01.09.2016;city;1100000011;2025;base\r\n"
    "child-12;2013-03-15;city;1100000012;;\r\n"
)


def sheet(tmp_path: Path, text: str, name: str = "sheet.csv", encoding: str = "utf-8-sig") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def imported(pfdo: Pfdo, kind: str, file: str, *options: str) -> dict[str, Any]:
    found: dict[str, Any] = pfdo.json("import", kind, file, *ON, *options)
    return found


def errors_of(stderr: str) -> str:
    return stderr.split("(", 1)[1]


# -- children -----------------------------------------------------------------------------


def test_children_with_russian_headers_are_issued_and_funded(year: Pfdo, tmp_path: Path) -> None:
    result = imported(year, "children", sheet(tmp_path, CHILDREN_RU))
    assert {k: result[k] for k in ("rows", "written", "skipped", "errors")} == {
        "rows": 2, "written": 2, "skipped": 0, "errors": [],
    }  # fmt: skip
    funded = year.json("certificate", "show", "1100000011")
    assert funded["type"] == "financing" and funded["periods"][0]["category"] == "base"
    assert year.json("certificate", "show", "1100000012")["type"] == "accounting"


def test_the_same_children_imported_twice_write_nothing_the_second_time(
    year: Pfdo, tmp_path: Path
) -> None:
    file = sheet(tmp_path, CHILDREN_RU)
    imported(year, "children", file)
    events = year.events()
    # the same rows saved as Excel's Unicode text (UTF-16, tabs) are the same rows
    again = sheet(tmp_path, CHILDREN_RU.replace(";", "\t"), "sheet.txt", "utf-16")
    assert imported(year, "children", again)["written"] == 0
    assert imported(year, "children", file)["skipped"] == 2
    assert year.events() == events


def test_wrong_cells_are_named_and_nothing_is_written(year: Pfdo, tmp_path: Path) -> None:
    events = year.events()
    file = sheet(
        tmp_path,
        "child;birth_date;municipality;number;period;category\n"
        "child-11;31.02.2016;city;;;\n"
        ";2016-01-01;city;;;\n"
        "child-13;2016-01-01;city;;2025;\n"
        "child-14;2016-01-01;city;;;\n"
        "child-14;2016-02-02;city;;;\n",
    )
    stderr = year.malformed("import", "children", file, *ON)
    assert stderr.startswith(f"Error: children sheet {file}: 4 rows are wrong; nothing was written")
    assert errors_of(stderr) == (
        "line 2, column birth_date: date '31.02.2016' is not a date in the form YYYY-MM-DD or "
        "ДД.ММ.ГГГГ; line 3, column child: empty; line 4, column category: empty, but period "
        "is given: fund with both or neither; line 6, column child: the same child as line 5)\n"
    )
    assert year.events() == events


def test_a_missing_column_is_line_1(year: Pfdo, tmp_path: Path) -> None:
    stderr = year.malformed("import", "children", sheet(tmp_path, "child;born\nc;2016-01-01\n"))
    assert "line 1, column birth_date: no column birth_date or birth date or дата рождения" in (
        stderr
    )
    assert "line 1, column municipality: no column municipality or муниципалитет" in stderr


def test_a_child_too_old_is_a_row_refusal_exit_1_and_nothing_is_written(
    year: Pfdo, tmp_path: Path
) -> None:
    events = year.events()
    file = sheet(tmp_path, "child;birth_date;municipality\nyoung;2016-01-01;city\n"
                 "old;2000-01-01;city\n")  # fmt: skip
    line = year.refused("import", "children", file, *ON)
    assert line == (
        f"Error: children sheet {file}: 1 row is wrong; nothing was written (line 3, column "
        "birth_date: child old is 25 on 2025-01-15: certificates are issued to children aged "
        "5 to 17)"
    )
    assert year.events() == events


def test_partial_writes_exactly_the_good_rows_and_lists_the_others(
    year: Pfdo, tmp_path: Path
) -> None:
    file = sheet(
        tmp_path,
        "child;birth_date;municipality;period;category\n"
        "a;2016-01-01;city;2025;base\n"
        "old;2000-01-01;city;;\n"
        "b;2016-01-01;city;2025;nosuch\n"
        "c;01.01.2016;city;;\n"
        "d;1.1.16;city;;\n",
    )
    errors = tmp_path / "errors.csv"
    result = imported(year, "children", file, "--partial", "--errors", str(errors))
    assert (result["rows"], result["written"], result["skipped"]) == (5, 2, 3)
    assert [(e["line"], e["column"]) for e in result["errors"]] == [
        (3, "birth_date"), (4, "category"), (6, "birth_date"),
    ]  # fmt: skip
    assert (
        result["errors"][1]["reason"]
        == "period 2025 has no category 'nosuch' (it has: base, small)"
    )
    # b's certificate was not issued either: its row is wrong as a whole
    fixed = sheet(tmp_path, "child;birth_date;municipality\nb;2016-01-01;city\n", "b.csv")
    assert imported(year, "children", fixed)["written"] == 1
    rows = list(csv.reader(io.StringIO(errors.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert rows[0][-3:] == ["line", "column", "reason"]
    assert [r[0] for r in rows[1:]] == ["old", "b", "d"]
    again = imported(year, "children", file, "--partial")
    assert (again["written"], again["skipped"]) == (0, 5)


def test_children_from_xlsx_with_date_and_number_cells(year: Pfdo, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["Ребёнок", "Дата рождения", "Муниципалитет", "Номер сертификата"])
    book.active.append(["child-21", datetime(2016, 9, 1), "city", 1100000021])
    book.active.append(["child-22", date(2013, 3, 15), "city", "1100000022"])
    book.active.append([None, None, None, None])
    book.active.append(["child-23", "15.03.2013", "city", None])
    path = tmp_path / "children.xlsx"
    book.save(path)
    result = imported(year, "children", str(path))
    assert (result["rows"], result["written"]) == (3, 3)
    assert year.json("certificate", "show", "1100000021")["type"] == "accounting"


def test_a_file_that_is_not_a_workbook_or_is_missing_is_one_error_line(
    year: Pfdo, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    assert year.malformed("import", "children", str(broken)).startswith(
        f"Error: children sheet {broken}: not a readable xlsx workbook"
    )
    missing = tmp_path / "missing.csv"
    assert year.malformed("import", "children", str(missing)) == (
        f"Error: children sheet {missing}: No such file or directory\n"
    )


# -- programs -----------------------------------------------------------------------------


def test_programs_take_rubles_with_a_comma_or_a_point(year: Pfdo, tmp_path: Path) -> None:
    file = sheet(
        tmp_path,
        "Программа;Поставщик;Наименование;Цена в месяц;Возраст от;Возраст до;Мест\n"
        "robotics;school-1;Робототехника;2 400,50;7;14;12\n"
        "painting;school-1;Живопись;1800.5;5;17;\n",
    )
    assert imported(year, "programs", file)["written"] == 2
    listed = {p["program"]: p for p in year.json("program", "list")["programs"]}
    assert (listed["robotics"]["monthly_price"], listed["robotics"]["capacity"]) == ("2400.50", 12)
    assert (listed["painting"]["monthly_price"], listed["painting"]["capacity"]) == (
        "1800.50",
        None,
    )


def test_programs_with_bad_money_ages_or_an_unknown_provider_are_named(
    year: Pfdo, tmp_path: Path
) -> None:
    events = year.events()
    bad = sheet(
        tmp_path,
        "program,provider,title,monthly_price,min_age,max_age\n"
        'p1,school-1,A,"1500,555",5,9\n'
        "p2,school-1,B,-10,5,9\n"
        "p3,school-1,C,100,five,9\n",
    )
    stderr = year.malformed("import", "programs", bad, *ON)
    assert "line 2, column monthly_price: amount '1500.555' is not an amount in rubles" in stderr
    assert "line 3, column monthly_price: amount '-10' is not an amount" in stderr
    assert "line 4, column min_age: 'five' is not a whole number" in stderr
    unknown = sheet(tmp_path, "program;provider;title;monthly_price;min_age;max_age\n"
                    "p9;nobody;X;100;5;9\n", "unknown.csv")  # fmt: skip
    assert year.refused("import", "programs", unknown, *ON).endswith(
        "(line 2, column provider: provider nobody does not exist)"
    )
    assert year.events() == events


# -- enrolments ---------------------------------------------------------------------------


def _enrolments(tmp_path: Path, *rows: str) -> str:
    return sheet(tmp_path, "Сертификат;Программа;Начало;Окончание;Режим\n" + "".join(rows),
                 "enrolments.csv", "cp1251")  # fmt: skip


def test_enrolments_in_cp1251_make_contracts(year: Pfdo, tmp_path: Path) -> None:
    file = _enrolments(tmp_path, f"{NUMBER};chess;15.01.2025;10.04.2025;по посещению\n")
    result = imported(year, "enrolments", file, "--encoding", "cp1251")
    assert result["written"] == 1
    (contract,) = year.json("contract", "list", "--certificate", NUMBER)["contracts"]
    assert (contract["mode"], contract["price"]) == ("attendance", "4322.58")


def test_an_age_band_a_capacity_and_an_unknown_certificate_are_row_errors(
    year: Pfdo, tmp_path: Path
) -> None:
    year.issue("1000000005", "child-5", "2008-01-01")  # 17: too old for chess (5-12)
    year.fund("1000000005")
    year.issue("1000000006", "child-6", "2016-01-01")
    year.fund("1000000006")
    year.json("program", "add", "solo", "--provider", "school-1", "--title", "Solo",
              "--monthly-price", "100", "--min-age", "5", "--max-age", "17", "--capacity", "1",
              "--on", "2025-01-01")  # fmt: skip
    file = _enrolments(
        tmp_path,
        "1000000005;chess;2025-02-01;2025-03-31;\n",
        "1000000009;chess;2025-02-01;2025-03-31;\n",
        f"{NUMBER};solo;2025-02-01;2025-03-31;фикс\n",
        "1000000006;solo;2025-02-01;2025-03-31;\n",
    )
    events = year.events()
    line = year.refused("import", "enrolments", file, "--encoding", "cp1251", *ON)
    assert "3 rows are wrong; nothing was written" in line
    assert "line 2, column number: the child of certificate 1000000005 is 17 on 2025-02-01, " \
        "outside the age band 5-12 of program chess" in line  # fmt: skip
    assert "line 3, column number: certificate 1000000009 does not exist" in line
    assert "line 5, column program: program solo is at capacity" in line
    assert year.events() == events
    result = imported(year, "enrolments", file, "--encoding", "cp1251", "--partial")
    assert (result["written"], [e["line"] for e in result["errors"]]) == (1, [2, 3, 5])
    (contract,) = year.json("contract", "list", "--program", "solo")["contracts"]
    assert contract["number"] == NUMBER


def test_an_unknown_mode_and_a_duplicate_enrolment_are_wrong_cells(
    year: Pfdo, tmp_path: Path
) -> None:
    file = _enrolments(
        tmp_path,
        f"{NUMBER};chess;2025-02-01;2025-03-31;monthly\n",
        f"{NUMBER};chess;2025-02-01;2025-03-31;\n",
        f"{NUMBER};chess;01.02.2025;2025-04-30;\n",
    )
    stderr = year.malformed("import", "enrolments", file, "--encoding", "cp1251")
    assert "line 2, column mode: 'monthly' is not one of fixed/attendance/" in stderr
    assert "line 4, column number: the same number and program and start as line 3" in stderr


# -- the samples, the help, the API -------------------------------------------------------


def test_the_example_sheets_are_one_walk_through_onto_the_tests_year(year: Pfdo) -> None:
    assert imported(year, "children", str(EXAMPLES / "children.csv"))["written"] == 3
    for number in ("1100000011", "1100000012"):
        year.fund(number)
    assert imported(year, "programs", str(EXAMPLES / "programs.csv"))["written"] == 2
    enrolled = imported(year, "enrolments", str(EXAMPLES / "enrolments.csv"))
    assert enrolled["written"] == 2
    # the journals mark lessons of the painting contract ("по посещению") the sheet made
    journal = year.json(
        "import", "attendance", str(EXAMPLES / "attendance-utf8-bom.csv"), "--on", "2025-02-14"
    )
    assert (journal["rows"], journal["written"], journal["errors"]) == (3, 3, [])
    again = year.json(
        "import", "attendance", str(EXAMPLES / "attendance-utf16.txt"), "--on", "2025-02-14"
    )
    assert (again["written"], again["skipped"]) == (0, 3)  # the same marks, saved as text
    year.json("bill", "--month", "2025-02", "--on", "2025-03-01")
    february = year.json("contract", "show", "1100000012-001")["months"][0]
    # 2 of the 3 lessons attended: 2/3 of February's 1,671.42 charged, the rest released
    assert (february["price"], february["charged"], february["released"]) == (
        "1671.42", "1114.28", "557.14"
    )  # fmt: skip


def test_the_help_shows_each_column_set(year: Pfdo) -> None:
    for kind, words in (
        ("children", ("child | ребёнок", "birth_date | birth date | дата рождения")),
        ("programs", ("monthly_price | monthly price | цена | цена в месяц",)),
        ("enrolments", ("start | начало | дата начала", "mode | режим")),
    ):
        shown = " ".join(year("import", kind, "--help").stdout.split())
        for text in (*words, ".xlsx", "--partial", "UTF-16 with BOM"):
            assert text in shown, (kind, text)


def test_the_api_reads_checks_and_imports_a_sheet(year: Pfdo) -> None:
    batch = read_batch(CHILDREN, io.StringIO("child,birth_date,municipality\nz,2016-01-01,city\n"))
    assert batch.errors == [] and batch.records == [(2, {
        "child": "z", "birth_date": date(2016, 1, 1), "municipality": "city", "number": None,
        "period": None, "category": None,
    })]  # fmt: skip
    with Ledger(year.db, create=False) as ledger:
        result = import_batch(ledger, batch, on="2025-01-15")
        assert (result.written, import_batch(ledger, batch, on="2025-01-15").skipped) == (1, 1)
        once = import_sheet(ledger, "programs", EXAMPLES / "programs.csv", on="2025-01-15")
        assert (once.rows, once.written, once.errors) == (2, 2, [])
        with pytest.raises(SheetRefused, match="line 2, column child: child z already has"):
            again = io.StringIO("child,birth_date,municipality\nz,2016-01-01,city\n")
            import_sheet(ledger, "children", again, on="2025-02-01")
        with pytest.raises(InvalidInput, match="sheet kind 'pupils' is not one of children"):
            import_sheet(ledger, "pupils", EXAMPLES / "programs.csv")


def test_an_errors_file_in_a_missing_folder_is_refused_before_anything_is_written(
    year: Pfdo, tmp_path: Path
) -> None:
    events = year.events()
    good = sheet(tmp_path, "child;birth_date;municipality\nz;2016-01-01;city\n")
    missing = tmp_path / "no" / "e.csv"
    result = year("import", "children", good, "--errors", str(missing), *ON)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: --errors {missing}: the folder {tmp_path / 'no'} does not exist\n"
    )
    assert year.events() == events
