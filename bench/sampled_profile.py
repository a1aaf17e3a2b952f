"""Where the time of the benchmark's slow paths goes, by sampling (pyinstrument).

The benchmark says how fast; this says why. On a copy of a region made by
`bench/region.py` (the month 2025-07 left unbilled), it profiles, in this order:

1. commands: issue + fund + enrol of `--children` new children, one command at a time;
   then, for as many more, the bytes they write (Linux's /proc/self/io) beside the bytes
   of as many raw single-row commits;
2. billing: `Ledger.bill()` of the unbilled month, the whole run;
3. rebuild: `Ledger.rebuild()`, the whole log.

For each it prints the wall time and the share of the samples spent in each part of the
stack (the innermost frame that belongs to a known part: SQLite's commits, its other
statements, JSON encoding and decoding, pydantic, SQLAlchemy, the event-sourcing library,
pfdo's domain, folds, audit chain and loading; frames of other modules count for the part
that called them), and writes pyinstrument's full call tree to
`--out`/profile-<name>.txt.

    python3 -m pip install pyinstrument
    python3 bench/sampled_profile.py --db region.sqlite [--children 60] [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import baselines as raw
import probes
from probes import BILLED_ON, MONTH

from pfdo import Ledger
from pfdo.application.collector import collector_paused

# (part, how to recognise its frames by function and file); the innermost frame that
# matches names the part. C functions are sampled as "<built-in>" frames named by their
# qualified name.
_BUILTIN = "<built-in>"
_DRIVER = {
    "Connection.execute",
    "Cursor.execute",
    "Cursor.executemany",
    "Cursor.fetchall",
    "Cursor.fetchone",
    "Cursor.fetchmany",
}
_PARTS: list[tuple[str, Callable[[str, str], bool]]] = [
    ("SQLite: commit", lambda f, p: p == _BUILTIN and f == "Connection.commit"),
    ("SQLite: statements", lambda f, p: p == _BUILTIN and f in _DRIVER),
    ("orjson", lambda f, p: p == _BUILTIN and f in {"loads", "dumps"}),
    ("json (standard library)", lambda _f, p: "/json/" in p),
    ("pydantic", lambda _f, p: "pydantic" in p),
    ("sqlalchemy", lambda _f, p: "sqlalchemy" in p),
    ("eventsourcing library", lambda _f, p: "/eventsourcing/" in p),
    ("pfdo: projections (folds, rows)", lambda _f, p: "/pfdo/projections/" in p),
    ("pfdo: audit chain", lambda _f, p: "/pfdo/audit/" in p),
    ("pfdo: loading and store", lambda _f, p: p.endswith(("pfdo/loading.py", "pfdo/store.py"))),
    ("pfdo: domain", lambda _f, p: "/pfdo/domain/" in p),
    ("pfdo: other", lambda _f, p: "/pfdo/" in p),
]


def _part(function: str, path: str) -> str | None:
    for name, matches in _PARTS:
        if matches(function, path):
            return name
    return None


def shares(root: Any) -> Counter[str]:
    """Seconds of samples per part: each frame's own time goes to the innermost known
    part on its stack (so a commit made inside the library counts as the driver's)."""
    seconds: Counter[str] = Counter()

    def walk(frame: Any, inherited: str) -> None:
        own = _part(frame.function or "", frame.file_path or "") or inherited
        seconds[own] += frame.total_self_time
        for child in frame.children:
            if not child.is_synthetic:  # "[self]" frames are in total_self_time already
                walk(child, own)

    walk(root, "other")
    return seconds


def profiled(name: str, out: Path, work: Callable[[], Any]) -> None:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001)
    started = time.perf_counter()
    profiler.start()
    work()
    profiler.stop()
    wall = time.perf_counter() - started
    session = profiler.last_session
    assert session is not None
    root = session.root_frame()
    (out / f"profile-{name}.txt").write_text(
        profiler.output_text(unicode=True, color=False, show_all=False), encoding="utf-8"
    )
    parts = shares(root) if root is not None else Counter()
    total = sum(parts.values()) or 1.0
    print(f"\n## {name}: {wall:.1f} s wall, {session.sample_count} samples")
    for part, seconds in parts.most_common():
        print(f"  {100 * seconds / total:5.1f}%  {seconds:8.2f} s  {part}")


def written() -> int | None:
    """Bytes this process has passed to write() so far (Linux's /proc/self/io `wchar`:
    the WAL's frames and checkpoints alike), or None where that is not kept."""
    try:
        lines = Path("/proc/self/io").read_text(encoding="ascii").splitlines()
    except OSError:
        return None
    return next((int(line.split()[1]) for line in lines if line.startswith("wchar:")), None)


def bytes_per_command(ledger: Ledger, children: int, programs: list[str], scratch: str) -> None:
    """What a command writes to the disk, beside a raw single-row commit: commits cost
    by the pages they write, and a command writes into several tables and indexes."""
    before = written()
    done = probes.new_children(ledger, "written", children, programs)
    after = written()
    if before is None or after is None or not done.commands:
        return
    peer = raw.scratch_file(scratch, "raw-commits.sqlite")
    raw_before = written() or 0
    raw.single_commits(peer, done.commands, 260)
    raw_after = written() or 0
    command = (after - before) / done.commands
    single = (raw_after - raw_before) / done.commands
    print(
        f"\n## written: {command / 1024:.1f} KiB per command (issue, fund, enrol; "
        f"{done.commands} commands), {single / 1024:.1f} KiB per raw single-row commit "
        f"({command / single:.1f}x)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="a region made by bench/region.py")
    parser.add_argument("--children", type=int, default=60, help="new children, 3 commands each")
    parser.add_argument("--out", default=".", help="where the call trees go")
    parser.add_argument("--tmpdir", default=None, help="where the copy of the region goes")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.tmpdir, prefix="pfdo-profile-") as scratch:
        print(f"copying {args.db}", file=sys.stderr)
        copy = raw.copy_sqlite(args.db, str(Path(scratch) / "region.sqlite"))
        with Ledger(copy) as ledger:
            programs = probes.programs_for_new_children(ledger)
            probes.new_children(ledger, "warm", 5, programs)  # first loads, statements
            profiled(
                "commands",
                out,
                lambda: probes.new_children(ledger, "profiled", args.children, programs),
            )
            bytes_per_command(ledger, args.children, programs, scratch)
            with collector_paused():  # as the command line runs them
                profiled("billing", out, lambda: ledger.bill(MONTH, on=BILLED_ON))
                profiled("rebuild", out, ledger.rebuild)


if __name__ == "__main__":
    main()
