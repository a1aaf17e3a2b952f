"""`pfdo import programs` reads every field `pfdo program add` takes: the normative cost
(rule 15) and, for social certificates (rules 21, 22), the person-hours a month and the
cost of a person-hour, both or neither. A region's catalogue loaded from a sheet (CSV or
xlsx) enrols children in hours exactly as programs added one by one do; a bad hours cell
is named by line and column and nothing is written.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
from cli_helpers import Pfdo

from pfdo.desk.imports import PROGRAMS, read_batch
from pfdo.desk.imports.batch import row_request_id

SOCIAL = "1000000009"
ON = ("--on", "2025-01-01")
CATALOGUE = (
    "Программа;Поставщик;Наименование;Цена в месяц;Возраст от;Возраст до;Мест;"
    "Нормативная стоимость;Часов в месяц;Стоимость часа\r\n"
    "swim;pool;Плавание;3 000;5;17;;;8;169,55\r\n"
    "chess;pool;Шахматы;1500;5;12;10;1 400,00;;\r\n"
)


def _sheet(tmp_path: Path, text: str, name: str = "programs.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8-sig"))
    return str(path)


def _social_year(pfdo: Pfdo) -> Pfdo:
    """Period 2025 with a category in hours, provider `pool` and certificate SOCIAL funded
    in it (as tests/cli/test_cli_social_certificates.py, but no program yet)."""
    pfdo.json(
        "period", "open", "2025", "--municipality", "city", "--start", "2025-01-01",
        "--end", "2025-12-31", "--category", "social=30,unit=hours,sum=100", *ON,
    )  # fmt: skip
    pfdo.json("provider", "add", "pool", "--name", "Pool", *ON)
    pfdo.json(
        "certificate", "issue", "--child", "c9", "--birth-date", "2015-01-01",
        "--municipality", "city", "--number", SOCIAL, *ON,
    )  # fmt: skip
    pfdo.json("certificate", "fund", SOCIAL, "--period", "2025", "--category", "social", *ON)
    return pfdo


def _imported(pfdo: Pfdo, file: str) -> dict[str, Any]:
    found: dict[str, Any] = pfdo.json("import", "programs", file, *ON)
    return found


def _programs(pfdo: Pfdo) -> dict[str, dict[str, Any]]:
    return {p["program"]: p for p in pfdo.json("program", "list")["programs"]}


def _offer(program: dict[str, Any]) -> tuple[Any, ...]:
    keys = ("monthly_price", "capacity", "normative_price", "hours_per_month", "hour_cost")
    return tuple(program[k] for k in keys)


def _swim_bills_hours(pfdo: Pfdo, enrolment: dict[str, Any]) -> None:
    """The contract is the one `program add --hours-per-month 8 --hour-cost 169.55` gives:
    21.42 hours from 2025-02-10 to 2025-04-30, 5.42 of them in February, all billed then."""
    february = enrolment["months"][0]
    assert (enrolment["unit"], enrolment["price"], february["month"], february["price"]) == (
        "hours", "21.42", "2025-02", "5.42",
    )  # fmt: skip
    billed = pfdo.json("bill", "--month", "2025-02", "--on", "2025-03-01")
    assert (billed["charged"], billed["charged_hours"]) == ("0.00", "5.42")


def test_a_catalogue_of_social_certificate_programs_in_csv_is_enrolled_in_hours(
    pfdo: Pfdo, tmp_path: Path
) -> None:
    _social_year(pfdo)
    result = _imported(pfdo, _sheet(tmp_path, CATALOGUE))
    assert (result["rows"], result["written"], result["errors"]) == (2, 2, [])
    programs = _programs(pfdo)
    assert _offer(programs["swim"]) == ("3000.00", None, None, "8.00", "169.55")
    assert _offer(programs["chess"]) == ("1500.00", 10, "1400.00", None, None)
    enrolment = pfdo.json(
        "enroll", SOCIAL, "--program", "swim", "--start", "2025-02-10", "--end", "2025-04-30",
        "--on", "2025-02-01",
    )  # fmt: skip
    _swim_bills_hours(pfdo, enrolment)
    # the same catalogue again replays every row
    assert _imported(pfdo, _sheet(tmp_path, CATALOGUE, "again.csv"))["skipped"] == 2


def test_an_xlsx_catalogue_with_number_cells_is_enrolled_by_an_enrolments_sheet(
    pfdo: Pfdo, tmp_path: Path
) -> None:
    _social_year(pfdo)
    book = openpyxl.Workbook()
    book.active.append([
        "program", "provider", "title", "monthly price", "min age", "max age",
        "normative price", "hours per month", "hour cost",
    ])  # fmt: skip
    book.active.append(["swim", "pool", "Swimming", 3000, 5, 17, None, 8, 169.55])
    book.active.append(["dance", "pool", "Dance", 2000.5, 5, 17, 1800, 7.5, "150,00"])
    book.save(tmp_path / "programs.xlsx")
    assert _imported(pfdo, str(tmp_path / "programs.xlsx"))["written"] == 2
    programs = _programs(pfdo)
    assert _offer(programs["swim"]) == ("3000.00", None, None, "8.00", "169.55")
    assert _offer(programs["dance"]) == ("2000.50", None, "1800.00", "7.50", "150.00")
    enrolments = _sheet(
        tmp_path, f"Сертификат;Программа;Начало;Окончание\n{SOCIAL};swim;10.02.2025;30.04.2025\n",
        "enrolments.csv",
    )  # fmt: skip
    enrolled = pfdo.json("import", "enrolments", enrolments, "--on", "2025-02-01")
    assert (enrolled["written"], enrolled["errors"]) == (1, [])
    (contract,) = pfdo.json("contract", "list", "--program", "swim")["contracts"]
    _swim_bills_hours(pfdo, pfdo.json("contract", "show", contract["contract"]))


def test_bad_hours_cells_are_named_and_nothing_is_written(pfdo: Pfdo, tmp_path: Path) -> None:
    _social_year(pfdo)
    events = pfdo.events()
    bad = _sheet(
        tmp_path,
        "program;provider;title;monthly_price;min_age;max_age;hours_per_month;hour_cost\n"
        "swim;pool;Swimming;3000;5;17;8;169.55\n"
        "p2;pool;B;3000;5;17;8,555;169.55\n"
        "p3;pool;C;3000;5;17;восемь;169.55\n"
        "p4;pool;D;3000;5;17;8;\n"
        "p5;pool;E;3000;5;17;;169.55\n"
        "p6;pool;F;3000;5;17;-8;169.55\n"
        "p7;pool;G;3000;5;17;8;100 000 000\n",
    )
    stderr = pfdo.malformed("import", "programs", bad, *ON)
    expected = "expected digits 0-9 with at most two decimals and no sign, like 1500 or 1500.50"
    assert stderr == (
        f"Error: programs sheet {bad}: 6 rows are wrong; nothing was written ("
        f"line 3, column hours_per_month: amount '8.555' is not an amount in hours: {expected}; "
        f"line 4, column hours_per_month: amount 'восемь' is not an amount in hours: {expected}; "
        "line 5, column hour_cost: empty, but hours_per_month is given: a program offering "
        "hours needs both; "
        "line 6, column hours_per_month: empty, but hour_cost is given: a program offering "
        "hours needs both; "
        f"line 7, column hours_per_month: amount '-8' is not an amount in hours: {expected}; "
        "line 8, column hour_cost: amount 100000000 is too large: at most 99,999,999.99 rubles)\n"
    )
    assert pfdo.events() == events and _programs(pfdo) == {}


def test_no_hours_at_all_is_refused_by_the_rules_and_named(pfdo: Pfdo, tmp_path: Path) -> None:
    _social_year(pfdo)
    events = pfdo.events()
    zero = _sheet(
        tmp_path,
        "program;provider;title;monthly_price;min_age;max_age;hours_per_month;hour_cost;"
        "normative_price\n"
        "swim;pool;Swimming;3000;5;17;8;169.55;\n"
        "idle;pool;Idle;3000;5;17;0;169.55;\n"
        "free;pool;Free;3000;5;17;;;0\n",
    )
    line = pfdo.refused("import", "programs", zero, *ON)
    assert line == (
        f"Error: programs sheet {zero}: 2 rows are wrong; nothing was written ("
        "line 3, column hours_per_month: program idle needs hours a month and a cost of a "
        "person-hour above zero; "
        "line 4, column normative_price: program free needs a normative cost above zero, if any)"
    )
    assert pfdo.events() == events


def test_the_help_shows_the_new_columns(pfdo: Pfdo) -> None:
    shown = " ".join(pfdo("import", "programs", "--help").stdout.split())
    for words in (
        "normative_price | normative price | норматив | нормативная стоимость optional:",
        "hours_per_month | hours per month | часов в месяц | человеко-часов в месяц optional:",
        "hour_cost | hour cost | стоимость часа | стоимость человеко-часа optional:",
    ):
        assert words in shown


def test_a_sheet_without_the_new_columns_keeps_its_request_ids() -> None:
    """Rows of a programs sheet imported before the sheet had the normative and hours
    columns replay as they did: empty new cells are left out of a row's request id."""
    before = (
        "Программа;Поставщик;Наименование;Цена в месяц;Возраст от;Возраст до;Мест\n"
        "robotics;school-1;Робототехника;2 400,50;7;14;12\n"
        "painting;school-1;Живопись;1800;5;17;\n"
    )
    batch = read_batch(PROGRAMS, io.StringIO(before))
    ids = [row_request_id(PROGRAMS, values, "2025-01-15") for _, values in batch.records]
    assert ids == [
        "programs-2c4f06d1c90a125589b3e2baa1244ff2", "programs-0267d69f5c878b34c46209d45d949905",
    ]  # fmt: skip
