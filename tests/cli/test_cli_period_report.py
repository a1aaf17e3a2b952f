"""`pfdo report period`: the period's categories against their limits, its providers'
money and the totals, each figure checked against sums made here, independently, from
`pfdo balance`, `pfdo history`, `pfdo register` and `pfdo contract list`; and the same
figures in text, CSV, xlsx and JSON."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from cli_helpers import NUMBER, SECOND, Pfdo
from desk_scenario import DANCE, set_up_desk

MONEY = ("credited", "available", "reserved", "spent", "expired")
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]


@pytest.fixture
def desk(year: Pfdo) -> Pfdo:
    return set_up_desk(year)


def kopecks(text: str) -> int:
    return int(Decimal(text) * 100)


def expected_categories(desk: Pfdo) -> dict[str, dict[str, int]]:
    """Per category: certificates funded and their money, from `pfdo balance`."""
    found: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(("count", *MONEY), 0))
    for number in (NUMBER, SECOND):
        for line in desk.json("balance", number, "--period", "2025")["periods"]:
            found[line["category"]]["count"] += 1
            for key in MONEY:
                found[line["category"]][key] += kopecks(line[key])
    return found


def expected_providers(desk: Pfdo) -> dict[str, dict[str, int]]:
    """Per provider: its movements from `pfdo history`, co-payments from `pfdo register`."""
    moved: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for number in (NUMBER, SECOND):
        for m in desk.json("history", number, "--period", "2025")["movements"]:
            if m["provider"] is not None:
                moved[m["provider"]][m["kind"]] += kopecks(m["amount"])
    found = {}
    for provider, kinds in moved.items():
        registers = [
            desk.json("register", "--provider", provider, "--month", month) for month in MONTHS
        ]
        found[provider] = {
            "reserved": kinds["reserved"] - kinds["charged"] - kinds["released"],
            "spent": kinds["charged"] - kinds["refunded"],
            "released": kinds["released"],
            "refunded": kinds["refunded"],
            "parent": sum(kopecks(r["total_parent"]) for r in registers),
            "certificate": sum(kopecks(r["total_certificate"]) for r in registers),
        }
    return found


def test_the_report_adds_up_to_the_balances_histories_and_registers(desk: Pfdo) -> None:
    report = desk.json("report", "period", "2025")
    assert set(report) >= {"period", "categories", "providers", "totals"}
    categories, providers = expected_categories(desk), expected_providers(desk)
    assert [c["category"] for c in report["categories"]] == ["base", "small"]
    for line in report["categories"]:
        want = categories[line["category"]]
        assert line["funded_count"] == want["count"] == 1
        assert {k: kopecks(line[k]) for k in MONEY} == {k: want[k] for k in MONEY}
    base = report["categories"][0]
    assert (base["count_limit"], base["sum_limit"], base["funded_sum"]) == (
        100, "1200000.00", "12000.00",
    )  # fmt: skip
    assert [p["provider"] for p in report["providers"]] == ["school-1", "school-2"]
    for line in report["providers"]:
        want = providers[line["provider"]]
        assert line["contracts"] == 1
        for key in ("reserved", "spent", "released", "refunded", "parent"):
            assert kopecks(line[key]) == want[key], (line["provider"], key)
        assert kopecks(line["spent"]) == want["certificate"]  # the registers are what is spent
    totals = report["totals"]
    assert totals["issued"] == 2 and totals["funded_count"] == 2
    for key in MONEY:
        assert kopecks(totals[key]) == sum(c[key] for c in categories.values())
    for key in ("reserved", "spent", "released", "refunded", "parent"):
        assert kopecks(totals[key]) == sum(p[key] for p in providers.values())
    assert kopecks(totals["parent"]) > 0 and kopecks(totals["refunded"]) == 100_00
    assert kopecks(totals["released"]) > 0


def test_the_figures_of_a_closed_period_show_the_money_expired(desk: Pfdo) -> None:
    desk.json("attend", DANCE, "--date", "2025-03-03", "--date", "2025-04-07",
              "--on", "2025-04-30")  # fmt: skip
    for month in MONTHS[2:]:
        desk.json("bill", "--month", month, "--on", "2026-01-01")
    closed = desk.json("period", "close", "2025", "--on", "2026-01-01")
    totals = desk.json("report", "period", "2025")["totals"]
    assert totals["expired"] == closed["expired"] != "0.00"
    assert totals["available"] == totals["reserved"] == "0.00"


def test_csv_and_xlsx_hold_the_same_figures_as_the_json(desk: Pfdo, tmp_path: Path) -> None:
    report = desk.json("report", "period", "2025")
    desk.json("report", "period", "2025", "--format", "csv", "--out", str(tmp_path / "r.csv"))
    printed = desk.json(
        "report", "period", "2025", "--format", "xlsx", "--out", str(tmp_path / "r.xlsx")
    )
    assert (printed["rows"], printed["period"], printed["spent"]) == (
        4, "2025", report["totals"]["spent"],
    )  # fmt: skip
    book = openpyxl.load_workbook(tmp_path / "r.xlsx", data_only=True)
    assert book.sheetnames == ["categories", "providers", "totals"]
    sections = csv_sections(tmp_path / "r.csv")
    for name in ("categories", "providers"):
        rows = list(book[name].iter_rows(values_only=True))
        for sheet_row, csv_row, line in zip(
            rows[1:], sections[name][1:], report[name], strict=False
        ):
            assert_same_figures(rows[0], sheet_row, csv_row, line)
    (header, values) = list(book["totals"].iter_rows(values_only=True))
    assert_same_figures(header, values, sections["totals"][1], report["totals"])


def csv_sections(path: Path) -> dict[str, list[list[str]]]:
    rows = list(csv.reader(path.read_bytes().decode("utf-8-sig").splitlines(), delimiter=";"))
    sections: dict[str, list[list[str]]] = {}
    name = None
    for row in rows:
        if not row:
            name = None
        elif name is None:
            name = row[0]
            sections[name] = []
        else:
            sections[name].append(row)
    return sections


def assert_same_figures(
    header: tuple[Any, ...], sheet: tuple[Any, ...], text: list[str], line: dict[str, Any]
) -> None:
    for key, cell, csv_cell in zip(header, sheet, text, strict=True):
        if key not in line or key == "period":
            continue
        want = line[key]
        if want is None:
            assert cell is None and csv_cell == ""
        elif isinstance(want, int):
            assert cell == want and csv_cell == str(want), key
        elif isinstance(cell, float | int):
            assert Decimal(str(cell)).quantize(Decimal("0.01")) == Decimal(want), key
            assert csv_cell == want.replace(".", ","), key
        else:
            assert cell == csv_cell == want, key


def test_a_json_file_is_what_json_prints(desk: Pfdo, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    desk.json("report", "period", "2025", "--format", "json", "--out", str(out))
    assert json.loads(out.read_text("utf-8")) == desk.json("report", "period", "2025")


def test_text_is_three_aligned_tables_without_reprs(desk: Pfdo) -> None:
    result = desk("report", "period", "2025")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.startswith("period 2025 (city, 2025-01-01 .. 2025-12-31, open)\n")
    for name in ("categories:", "providers:", "totals:"):
        assert f"\n{name}\n" in text
    assert "{" not in text and "'" not in text
    spent = desk.json("report", "period", "2025")["totals"]["spent"]
    assert spent in text.split("totals:")[1]


def test_an_unknown_period_is_refused_and_a_missing_out_is_malformed(desk: Pfdo) -> None:
    assert desk.refused("report", "period", "1999") == "Error: period 1999 does not exist"
    assert desk.malformed("report", "period", "2025", "--format", "xlsx") == (
        "Error: --format xlsx needs --out FILE\n"
    )


def test_a_report_of_a_missing_store_creates_nothing(tmp_path: Path) -> None:
    store = tmp_path / "pfdo.sqlite"
    assert Pfdo(str(store)).refused("report", "period", "2025") == (
        f"Error: no pfdo store at {store}"
    )
    assert list(tmp_path.iterdir()) == []
