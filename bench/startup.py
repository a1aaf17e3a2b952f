"""The command line's first minute: `pfdo --help` and `pfdo balance N --json` on a small
store, as ratios to `python3 -c "import click, sqlite3, json"` run alternately in the same
rounds (the machine is shared and noisy: only same-run ratios are quoted).

    python3 bench/startup.py [--rounds 9]

The small store is the example municipality's year (examples/municipality_year.py), played
once into a temporary folder. Each round runs the baseline and each command once, in turn;
the figures are the medians over the rounds of the wall time, and of each round's ratio.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = [sys.executable, "-c", "import click, sqlite3, json"]


def pfdo(*args: str) -> list[str]:
    executable = shutil.which("pfdo")
    return [executable, *args] if executable else [sys.executable, "-m", "pfdo.cli", *args]


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = str(Path(folder) / "year.sqlite")
        subprocess.run(
            [sys.executable, str(ROOT / "examples" / "municipality_year.py"), "--db", store],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        commands = {
            "pfdo --help": pfdo("--help"),
            "pfdo balance N --json": pfdo("--db", store, "balance", "1600000001", "--json"),
        }
        for command in [BASELINE, *commands.values()]:  # warm the file cache once
            timed(command)
        base: list[float] = []
        seconds: dict[str, list[float]] = {name: [] for name in commands}
        ratios: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.rounds):
            baseline = timed(BASELINE)
            base.append(baseline)
            for name, command in commands.items():
                took = timed(command)
                seconds[name].append(took)
                ratios[name].append(took / baseline)
    print(f"{args.rounds} rounds; baseline {' '.join(BASELINE[1:])}: "
          f"median {statistics.median(base) * 1000:.1f} ms")  # fmt: skip
    for name in commands:
        print(
            f"{name:<24} median {statistics.median(seconds[name]) * 1000:7.1f} ms  "
            f"ratio median {statistics.median(ratios[name]):5.2f}x "
            f"(min {min(ratios[name]):.2f}x, max {max(ratios[name]):.2f}x)"
        )


if __name__ == "__main__":
    main()
