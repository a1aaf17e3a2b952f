"""The benchmark's smoke run finishes and reports every figure, with its peer and ratio.

No timing is asserted here: performance is judged by `bench/benchmark.py` itself, on a
full run, against peers measured in the same run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[2] / "bench" / "benchmark.py"
SECTIONS = ("commands.", "billing.", "rebuild.", "memory.", "latency.")


def test_the_quick_benchmark_reports_every_figure_with_a_positive_value(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    markdown = tmp_path / "out.md"
    run = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--quick",
            "--no-postgres",
            "--tmpdir",
            str(tmp_path),
            "--json",
            str(out),
            "--markdown",
            str(markdown),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    figures = report["figures"]
    keys = [f["key"] for f in figures]
    assert len(keys) == len(set(keys))
    for prefix in SECTIONS:
        assert any(key.startswith(prefix) for key in keys), prefix
    for figure in figures:
        for field in ("value", "peer_value", "ratio"):
            assert figure[field] > 0, (figure["key"], field, figure[field])
        assert figure["met"] in (True, False, None)
    assert {"cpu", "cores", "memory", "python", "sqlite", "disk"} <= set(report["machine"])
    assert report["data"]["children"] == 200
    assert markdown.read_text(encoding="utf-8").count("| 1. commands |") == 1
    assert "issue/fund/enrol" in run.stdout


def test_the_campaign_reports_one_writer_and_the_campaign_on_each_store(tmp_path: Path) -> None:
    out = tmp_path / "campaign.json"
    sizes = ["--region", "0", "--single", "2", "--children", "6", "--writers", "3", "--raw", "20"]
    run = subprocess.run(
        [
            sys.executable,
            str(BENCH.parent / "campaign.py"),
            *sizes,
            "--tmpdir",
            str(tmp_path),
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    rows = json.loads(out.read_text(encoding="utf-8"))
    stores = {r["store"] for r in rows}
    assert "SQLite" in stores
    assert {(r["store"], r["what"]) for r in rows} == {
        (store, what) for store in stores for what in ("1 writer", "campaign: 3 writers")
    }
    for row in rows:
        assert row["commands"] == (6 if row["what"] == "1 writer" else 18), row
        assert row["rate"] > 0 and row["raw_rate"] > 0 and row["level_rate"] > 0, row
    assert "| campaign: 3 writers |" in run.stdout


def test_the_writers_cpu_reports_each_count_of_writers_and_the_calls(tmp_path: Path) -> None:
    pg_server = os.environ.get("PFDO_TEST_POSTGRES")
    if not pg_server:
        pytest.skip("PFDO_TEST_POSTGRES is not set: see scripts/pg-test-server")
    out = tmp_path / "cpu.json"
    sizes = ["--region", "0", "--writers", "1,2", "--single", "2", "--children", "4"]
    options = ["--rounds", "1", "--calls", "--postgres", pg_server, "--json", str(out)]
    run = subprocess.run(
        [sys.executable, str(BENCH.parent / "writer_cpu.py"), *sizes, *options],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert [(r["pass"], r["writers"]) for r in rows] == [
        ("timed", 1), ("timed", 2), ("calls counted", 1), ("calls counted", 2)
    ]  # fmt: skip
    for row in rows:
        assert row["commands"] == (6 if row["writers"] == 1 else 12), row
        assert row["seconds"] > 0 and row["client_cpu"] > 0 and row["server_cpu"] >= 0, row
        assert (row["calls"] > 0) == (row["pass"] == "calls counted"), row


COPY_BENCH = Path(__file__).parents[2] / "bench" / "store_copy.py"


def test_the_copy_benchmark_reports_both_directions_with_their_peers(tmp_path: Path) -> None:
    server = os.environ.get("PFDO_TEST_POSTGRES")
    if not server:
        pytest.skip("PFDO_TEST_POSTGRES is not set: see scripts/pg-test-server")
    run = subprocess.run(
        [sys.executable, str(COPY_BENCH), "--children", "12", "--rounds", "1"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    assert run.returncode == 0, run.stderr
    for direction in ("sqlite->pg", "pg->sqlite"):
        (line,) = [row for row in run.stdout.splitlines() if row.startswith(f"| {direction} |")]
        copy, peer, ratio, whole = (cell.strip() for cell in line.strip("|").split("|")[1:])
        assert float(copy.replace(",", "")) > 0 and float(peer.replace(",", "")) > 0
        assert ratio.endswith(")") and float(whole.replace(",", "")) > 0
