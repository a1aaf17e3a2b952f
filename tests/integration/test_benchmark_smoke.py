"""The benchmark's smoke run finishes and reports every figure, with its peer and ratio.

No timing is asserted here: performance is judged by `bench/benchmark.py` itself, on a
full run, against peers measured in the same run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
