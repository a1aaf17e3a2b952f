"""The cost of recording the actor (rule 25): a bulk of fundings with and without it.

On fresh SQLite stores, in one run, alternating: a period, then `--children` certificates
issued and funded inside one `Ledger.bulk()`, timed; once as pfdo runs, once with the
executor's stamp made a no-op (the events then store `"actor": null`, as wide a payload
less a few bytes). Prints the medians and their ratio (with / without), which is what the
actor costs a write path that is all commands.

    python bench/actor_stamp.py [--children 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from unittest.mock import patch

from pfdo import Ledger


def _run(path: Path, children: int) -> float:
    with Ledger(str(path), actor="bench") as ledger:
        ledger.open_period(
            "2025", municipality="town", start="2025-01-01", end="2025-12-31",
            categories={"base": {"nominal": "12000"}}, on="2024-12-20",
        )  # fmt: skip
        started = time.perf_counter()
        with ledger.bulk(chunk=1000):
            for n in range(children):
                number = ledger.issue_certificate(
                    child=f"child-{n}", birth_date="2015-05-01", municipality="town",
                    on="2025-01-05",
                ).number  # fmt: skip
                ledger.fund_certificate(number, period="2025", category="base", on="2025-01-06")
        return time.perf_counter() - started


def _no_stamp(events: Iterable[object], actor: str) -> None:
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    timings: dict[str, list[float]] = {"with": [], "without": []}
    with tempfile.TemporaryDirectory(prefix="pfdo-bench-actor-") as directory:
        for round_ in range(args.rounds):
            for label in ("with", "without"):
                path = Path(directory) / f"{label}-{round_}.sqlite"
                if label == "with":
                    timings[label].append(_run(path, args.children))
                else:
                    with patch("pfdo.application.execution.stamp", _no_stamp):
                        timings[label].append(_run(path, args.children))
    medians = {k: statistics.median(v) for k, v in timings.items()}
    print(json.dumps({
        "children": args.children,
        "seconds": medians,
        "ratio_with_to_without": round(medians["with"] / medians["without"], 3),
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
