"""Operators' commands: importing an attendance journal, following the log, looking back."""

from __future__ import annotations

from pathlib import Path

from cli_helpers import CONTRACT, NUMBER, Pfdo


def _journal(tmp_path: Path, text: str) -> str:
    path = tmp_path / "journal.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_attendance_records_a_journal_and_billing_uses_it(
    year: Pfdo, tmp_path: Path
) -> None:
    year.enroll(NUMBER, "--mode", "attendance")
    journal = _journal(
        tmp_path,
        "contract,date,present\n"
        f"{CONTRACT},2025-01-16,1\n{CONTRACT},2025-01-20,yes\n"
        f"{CONTRACT},2025-01-23,0\n",
    )
    imported = year.json("import", "attendance", journal, "--on", "2025-01-31")
    assert imported == {
        "file": journal, "rows": 3, "written": 3, "skipped": 0, "errors": [],
        "recorded": 3, "contracts": 1,
    }  # fmt: skip
    billed = year.json("bill", "--month", "2025-01", "--on", "2025-02-01")
    # 822.58 for 2 of 3 lessons: floor(82258 * 2 / 3) = 548.38 charged, 274.20 released
    assert (billed["charged"], billed["released"]) == ("548.38", "274.20")


def test_import_attendance_is_all_or_nothing_and_names_the_refused_line(
    year: Pfdo, tmp_path: Path
) -> None:
    year.enroll(NUMBER, "--mode", "attendance")
    journal = _journal(
        tmp_path, f"contract,date,present\n{CONTRACT},2025-01-16,1\n{NUMBER}-009,2025-01-17,1\n"
    )
    events = year.events()
    error = year.refused("import", "attendance", journal, "--on", "2025-01-31")
    assert error == f"Error: attendance journal, line 3: contract {NUMBER}-009 does not exist"
    assert year.events() == events


def test_import_attendance_calls_a_malformed_journal_malformed_input(
    year: Pfdo, tmp_path: Path
) -> None:
    journal = _journal(tmp_path, f"contract,date\n{CONTRACT},16/01/2025\n")
    stderr = year.malformed("import", "attendance", journal)
    assert stderr == (
        f"Error: attendance journal {journal}: 1 row is wrong; nothing was written (line 2, "
        "column date: date '16/01/2025' is not a date in the form YYYY-MM-DD or ДД.ММ.ГГГГ)\n"
    )
    bad_header = _journal(tmp_path, "who,when\n")
    assert "line 1, column contract: no column contract or договор" in year.malformed(
        "import", "attendance", bad_header
    )


def test_follow_once_catches_up_and_reports_how_many_events_it_folded(year: Pfdo) -> None:
    assert year.json("follow", "--once") == {"folded": 0}


def test_history_and_balance_look_back_by_business_date_and_by_log_position(year: Pfdo) -> None:
    position = year.events()
    year.enroll()
    history = year.json("history", NUMBER, "--known-at", str(position))
    assert [m["kind"] for m in history["movements"]] == ["funded"]
    as_of = year.json("history", NUMBER, "--as-of", "2025-01-11")
    assert [m["kind"] for m in as_of["movements"]] == ["funded"]
    (then,) = year.json("balance", NUMBER, "--known-at", str(position))["periods"]
    assert then["available"] == "12000.00"
    assert "neither a log position nor a time" in year.malformed(
        "balance", NUMBER, "--known-at", "yesterday"
    )


def test_a_retried_import_with_its_request_id_writes_nothing(year: Pfdo, tmp_path: Path) -> None:
    year.enroll(NUMBER, "--mode", "attendance")
    journal = _journal(tmp_path, f"contract,date\n{CONTRACT},2025-01-16\n{CONTRACT},2025-01-20\n")
    first = year.json(
        "import", "attendance", journal, "--on", "2025-01-31", "--request-id", "journal-jan"
    )
    events = year.events()
    again = year.json(
        "import", "attendance", journal, "--on", "2025-01-31", "--request-id", "journal-jan"
    )
    assert first["written"] == 2
    assert again == {**first, "written": 0, "skipped": 2} and year.events() == events
