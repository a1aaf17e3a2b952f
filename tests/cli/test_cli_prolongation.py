"""Rule 23 on the command line: `enroll --end` past the period, `contract continue
--stop`, `program settings --no-prolongation`, `prolong --period`, `contract list
--continuing --period`, and the programs and enrolments sheets."""

from __future__ import annotations

from pathlib import Path

from cli_helpers import CONTRACT, NUMBER, Pfdo


def _next_year(pfdo: Pfdo, nominal: str = "5000") -> None:
    pfdo.json(
        "period", "open", "2026", "--municipality", "city", "--start", "2026-01-01",
        "--end", "2026-12-31", "--category", f"base={nominal}", "--on", "2025-12-01",
    )  # fmt: skip
    pfdo.json("certificate", "fund", NUMBER, "--period", "2026", "--category", "base",
              "--on", "2025-12-02")  # fmt: skip


def _school_year(pfdo: Pfdo) -> dict[str, object]:
    return pfdo.json(
        "enroll", NUMBER, "--program", "chess", "--start", "2025-09-15", "--end", "2026-05-31",
        "--on", "2025-09-01",
    )  # fmt: skip


def test_the_rules_example_through_the_command_line(year: Pfdo) -> None:
    enrolment = _school_year(year)
    assert (enrolment["end"], enrolment["continues_until"]) == ("2025-12-31", "2026-05-31")
    assert enrolment["price"] == "5300.00"
    card = year.json("contract", "show", CONTRACT)
    assert (card["continues_until"], card["continues"], card["continued_by"]) == (
        "2026-05-31",
        None,
        None,
    )
    listed = year.json("contract", "list", "--continuing", "--period", "2025")
    assert [c["contract"] for c in listed["contracts"]] == [CONTRACT]
    _next_year(year)
    run = year.json("prolong", "--period", "2026", "--on", "2025-12-20")
    assert run["period"] == "2026"
    assert run["prolonged"] == [
        {
            "contract": CONTRACT,
            "successor": f"{NUMBER}-002",
            "start": "2026-01-01",
            "end": "2026-05-31",
            "price": "7500.00",
            "certificate_share": "5000.00",
            "parent_share": "2500.00",
            "unit": "rub",
        }
    ]
    assert (run["not_prolonged"], run["reasons"]) == ([], {})
    assert year.json("contract", "show", CONTRACT)["continued_by"] == f"{NUMBER}-002"
    assert year.json("contract", "show", f"{NUMBER}-002")["continues"] == CONTRACT
    assert "prolonged" in year.refused("contract", "continue", CONTRACT, "--stop")


def test_stop_and_the_program_switch(year: Pfdo) -> None:
    _school_year(year)
    stopped = year.json("contract", "continue", CONTRACT, "--stop", "--on", "2025-10-01")
    assert stopped == {"contract": CONTRACT, "continues_until": None}
    assert "does not continue" in year.refused("contract", "continue", CONTRACT, "--stop")
    off = year.json("program", "settings", "chess", "--no-prolongation", "--on", "2025-10-01")
    assert off == {"program": "chess", "prolongation": False}
    assert year.malformed("program", "settings", "chess")


def test_a_reason_through_the_command_line(year: Pfdo) -> None:
    _school_year(year)
    year.json("program", "settings", "chess", "--no-prolongation", "--on", "2025-10-01")
    _next_year(year)
    run = year.json("prolong", "--period", "2026", "--on", "2025-12-20")
    assert run["not_prolonged"] == [{"contract": CONTRACT, "reason": "prolongation_off"}]
    assert run["reasons"] == {"prolongation_off": 1}


def test_an_end_too_far_is_refused(year: Pfdo) -> None:
    events = year.events()
    message = year.refused(
        "enroll", NUMBER, "--program", "chess", "--start", "2025-09-15", "--end", "2027-01-02",
        "--on", "2025-09-01",
    )  # fmt: skip
    assert "366 days" in message
    assert year.events() == events


def test_the_sheets_carry_the_switch_and_the_end_asked_for(year: Pfdo, tmp_path: Path) -> None:
    programs = tmp_path / "programs.csv"
    programs.write_bytes(
        "Программа;Поставщик;Наименование;Цена в месяц;Возраст от;Возраст до;Пролонгация\r\n"
        "art;school-1;Рисование;1000;5;12;нет\r\n".encode("utf-8-sig")
    )
    year.json("import", "programs", str(programs), "--on", "2025-01-02")
    enrolments = tmp_path / "enrolments.csv"
    enrolments.write_bytes(
        f"number;program;start;end\r\n{NUMBER};art;2025-09-15;2026-05-31\r\n".encode()
    )
    year.json("import", "enrolments", str(enrolments), "--on", "2025-09-01")
    card = year.json("contract", "show", CONTRACT)
    assert (card["end"], card["continues_until"]) == ("2025-12-31", "2026-05-31")
    _next_year(year)
    run = year.json("prolong", "--period", "2026", "--on", "2025-12-20")
    assert run["reasons"] == {"prolongation_off": 1}
