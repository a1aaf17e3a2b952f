"""bench/service.py's smoke run: both sides measured, no 5xx, every invariant afterwards.
No timing is asserted: the figures are judged in docs/PERFORMANCE.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BENCH = Path(__file__).parents[2] / "bench" / "service.py"


def test_the_service_benchmark_reports_both_sides_and_their_ratio() -> None:
    run = subprocess.run(
        [sys.executable, str(BENCH), "--requests", "300", "--clients", "8"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["http"]["5xx"] == 0
    assert report["verified"] == {"library": True, "http": True}
    assert report["library"]["outcomes"] == {"ok": 300}
    assert report["http"]["outcomes"] == {"200": 300}
    assert report["ratio_http_to_library"] > 0
    for side in ("library", "http"):
        assert 0 < report[side]["p50_ms"] <= report[side]["p99_ms"]
