"""Progress bars of the desk: on standard error over a terminal only; none under `--json`
or when standard output is piped (the default of the tests' runner)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import CONTRACT, NUMBER, Pfdo

from pfdo.commandline import session as cli_session


def _journal(tmp_path: Path) -> str:
    path = tmp_path / "journal.csv"
    path.write_text(f"contract;date\n{CONTRACT};2025-01-16\n", encoding="utf-8")
    return str(path)


def _children(tmp_path: Path) -> str:
    path = tmp_path / "children.csv"
    path.write_text("child;birth_date;municipality\nchild-9;2016-01-01;city\n", encoding="utf-8")
    return str(path)


def test_imports_and_exports_show_progress_over_a_terminal(
    year: Pfdo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_session, "stdout_is_terminal", lambda: True)
    year.enroll(NUMBER, "--mode", "attendance")
    for args, label in (
        (("import", "attendance", _journal(tmp_path), "--on", "2025-01-31"), "recording"),
        (("import", "children", _children(tmp_path), "--on", "2025-01-31"), "importing"),
        (("export", "balances", "--out", str(tmp_path / "b.xlsx")), "exporting"),
    ):
        result = year(*args)
        assert result.exit_code == 0, result.stderr
        assert label in result.stderr, args
        assert label not in result.stdout


def test_no_progress_under_json_or_when_piped(
    year: Pfdo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    year.enroll(NUMBER, "--mode", "attendance")
    piped = year("import", "attendance", _journal(tmp_path), "--on", "2025-01-31")
    assert piped.exit_code == 0 and piped.stderr == ""
    monkeypatch.setattr(cli_session, "stdout_is_terminal", lambda: True)
    assert year.json("import", "children", _children(tmp_path), "--on", "2025-01-31")
    assert year.json("export", "balances", "--out", str(tmp_path / "b.csv"), "--format", "csv")
