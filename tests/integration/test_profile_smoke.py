"""The profiling script runs on a small region and accounts for all of its samples.

It reports where time goes, not how fast: nothing here is timed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pyinstrument")

BENCH = Path(__file__).parents[2] / "bench"
WRITTEN = re.compile(r"written: (\d+\.\d) KiB per command .* (\d+\.\d) KiB per raw")
SHARE = re.compile(r"^\s+(\d+\.\d)%\s+\d+\.\d\d s\s+(.+)$")


def test_the_profile_of_each_slow_path_splits_all_its_samples_into_parts(tmp_path: Path) -> None:
    region = tmp_path / "region.sqlite"
    made = subprocess.run(
        [
            sys.executable,
            str(BENCH / "region.py"),
            "--children",
            "150",
            "--db",
            str(region),
            "--unbilled",
            "2025-07",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0, made.stderr
    run = subprocess.run(
        [
            sys.executable,
            str(BENCH / "sampled_profile.py"),
            "--db",
            str(region),
            "--children",
            "3",
            "--out",
            str(tmp_path),
            "--tmpdir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    sections = run.stdout.split("\n## ")[1:]
    names = [s.split(":")[0] for s in sections]
    assert names in (
        ["commands", "written", "billing", "rebuild"],
        ["commands", "billing", "rebuild"],
    ), names  # "written": Linux only
    for section in (s for s in sections if not s.startswith("written")):
        shares = [SHARE.match(line) for line in section.splitlines()[1:]]
        parts = {m.group(2): float(m.group(1)) for m in shares if m}
        assert parts, section
        assert abs(sum(parts.values()) - 100.0) < 0.1 * len(parts) + 0.1, section
        name = section.split(":")[0]
        tree = (tmp_path / f"profile-{name}.txt").read_text(encoding="utf-8")
        assert "ledger.py" in tree, name
    for section in (s for s in sections if s.startswith("written")):
        written = WRITTEN.match(section)
        assert written and float(written.group(1)) > 0 and float(written.group(2)) > 0, section
    assert not list(tmp_path.glob("pfdo-profile-*")), "the copy of the region was left behind"
