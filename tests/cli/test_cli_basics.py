"""What every command shares: where the store is, the plain-text output, help, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import NUMBER, Pfdo
from click.testing import CliRunner

from pfdo.cli import main
from pfdo.commandline.periods import parse_category

PROVIDER = ("provider", "add", "school-1", "--name", "School 1", "--json")


def test_the_store_can_be_named_by_the_pfdo_db_environment_variable(tmp_path: Path) -> None:
    store = str(tmp_path / "from-env.sqlite")
    result = CliRunner().invoke(main, PROVIDER, env={"PFDO_DB": store})
    assert result.exit_code == 0, result.stderr
    assert Pfdo(store).refused(*PROVIDER[:-1]) == "Error: provider school-1 exists already"


def test_the_db_option_wins_over_the_environment_variable(tmp_path: Path) -> None:
    store, other = str(tmp_path / "option.sqlite"), str(tmp_path / "env.sqlite")
    result = CliRunner().invoke(main, ["--db", store, *PROVIDER], env={"PFDO_DB": other})
    assert result.exit_code == 0, result.stderr
    assert Pfdo(other).json(*PROVIDER[:-1])["status"] == "admitted"


def test_the_store_can_be_a_sqlite_url(tmp_path: Path) -> None:
    store = tmp_path / "url.sqlite"
    assert Pfdo(f"sqlite:///{store}").json(*PROVIDER[:-1])["provider"] == "school-1"
    assert store.exists()


def test_the_default_store_is_pfdo_sqlite_in_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, PROVIDER, env={"PFDO_DB": None})
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "pfdo.sqlite").exists()


def test_json_output_is_exactly_one_document(year: Pfdo) -> None:
    result = year("balance", NUMBER, "--json")
    assert json.loads(result.stdout)["number"] == NUMBER
    assert result.stdout.count("\n}") == 1


def test_plain_output_shows_the_figures_and_a_table_of_months(year: Pfdo) -> None:
    result = year(
        "enroll", NUMBER, "--program", "chess", "--start", "2025-01-15", "--end", "2025-04-10"
    )
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "contract: 1000000001-001" in lines
    assert "price: 4322.58" in lines
    assert "months:" in lines
    assert lines[-5:] == [
        "  month    price    certificate  parent",
        "  2025-01   822.58       822.58    0.00",
        "  2025-02  1500.00      1500.00    0.00",
        "  2025-03  1500.00      1500.00    0.00",
        "  2025-04   500.00       500.00    0.00",
    ]


def test_a_refusal_prints_one_error_line_and_nothing_else(year: Pfdo) -> None:
    result = year("provider", "exclude", "nope")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "Error: provider nope does not exist\n"


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("period", "provider", "program", "certificate", "enroll", "attend", "bill"):
        assert command in result.stdout
    for command in ("terminate", "correct", "balance", "history", "register", "rebuild"):
        assert command in result.stdout


def test_an_unknown_command_is_a_usage_error(pfdo: Pfdo) -> None:
    result = pfdo("refund")
    assert result.exit_code == 2
    assert "No such command 'refund'" in result.stderr


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("base=12000", ("base", {"nominal": "12000"})),
        ("base=12000,count=100", ("base", {"nominal": "12000", "count": 100})),
        (
            "disabled=24000.50, sum=240000 ,count=10",
            ("disabled", {"nominal": "24000.50", "sum": "240000", "count": 10}),
        ),
    ],
)
def test_a_category_is_parsed_into_the_mapping_the_api_takes(
    text: str, parsed: tuple[str, dict[str, object]]
) -> None:
    assert parse_category(text) == parsed
