"""CPU per command as PostgreSQL writers are added.

On a fresh PostgreSQL database seeded as the campaign's (`bench/campaign.py`), for each
count of writer processes in `--writers` (all started at one barrier, as the campaign
starts them): commands/s, and per command the writers' own CPU (each process's
`time.process_time()` around its commands) and the CPU of the server's processes
(every process named `postgres` on this machine, sampled from `/proc` while they run,
so the server must run here). Their sum against the machine's cores bounds commands/s:
`cores / (client + server)`.

With `--calls`, a second pass counts the Python function calls per command (under
`cProfile`, which slows the run: its rates and CPU are not comparable to the first
pass). The calls are the work a command does; if they stay level while the CPU per
command grows, the growth is the cost of the processes sharing the cores (context
switches, caches), not more work.

    python bench/writer_cpu.py --postgres URL [--writers 1,2,4,8] [--rounds 2] [--calls]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
from dataclasses import asdict
from typing import Any

import machine
from campaign import postgres_store, prepare
from writers import Writers, run_writers


def _server_cpu() -> dict[int, float]:
    """CPU seconds so far of every process named `postgres`, by pid."""
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                text = stat.read()
        except OSError:
            continue  # exited meanwhile
        name, fields = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :]
        if name.startswith("postgres"):
            utime, stime = fields.split()[11:13]
            found[int(entry)] = (int(utime) + int(stime)) / tick
    return found


class ServerCpu(threading.Thread):
    """The server's CPU while it runs: backends exit with their connections, so their
    last figures are sampled as they go."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.before = _server_cpu()
        self.seen = dict(self.before)
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            for pid, seconds in _server_cpu().items():
                self.seen[pid] = max(self.seen.get(pid, 0.0), seconds)

    def stop(self) -> float:
        self.done.set()
        self.join()
        return sum(self.seen.values()) - sum(self.before.values())


def run(db: str, writers: int, children: int, tag: str, calls: bool) -> tuple[Writers, float]:
    """`run_writers`, and the server's CPU seconds while they ran."""
    server = ServerCpu()
    server.start()
    done = run_writers(db, writers, children, tag, count_calls=calls)
    return done, server.stop()


def _ms(seconds: float, done: Writers) -> str:
    """Milliseconds of `seconds` per command."""
    return f"{1000 * seconds / done.commands:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("PFDO_TEST_POSTGRES"))
    parser.add_argument("--region", type=int, default=2000, help="children of the seed")
    parser.add_argument("--writers", default="1,2,4,8", help="writer counts, in turn")
    parser.add_argument("--children", type=int, default=2000, help="shared by the writers")
    parser.add_argument("--single", type=int, default=150, help="children of 1 writer")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--calls", action="store_true", help="also count calls per command")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    args = parser.parse_args()
    if not args.postgres:
        raise SystemExit("--postgres URL (or PFDO_TEST_POSTGRES) is required")
    counts = [int(n) for n in args.writers.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        print(f"machine: {json.dumps(machine.describe(tmp))}")
    print(
        f"sizes: region {args.region} children; 1 writer {args.single} children, "
        f"more writers {args.children} children between them; {args.rounds} round(s)"
    )
    print("| pass | round | writers | commands/s | x 1 writer | client core-ms/cmd | "
          "server core-ms/cmd | cores busy | retries | calls/cmd |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    passes = [("timed", False)] + ([("calls counted", True)] if args.calls else [])
    rows: list[dict[str, Any]] = []
    with postgres_store(args.postgres) as db:
        prepare(db, args.region)
        for label, calls in passes:
            for round_ in range(1, args.rounds + 1):
                single = 0.0
                for writers in counts:
                    children = args.single if writers == 1 else args.children // writers
                    s, server_cpu = run(
                        db, writers, children, f"{label[0]}{round_}w{writers}", calls
                    )
                    rate = s.rate
                    single = rate if writers == 1 else single
                    ratio = f"{rate / single:.2f}x" if single else "-"
                    busy = (s.client_cpu + server_cpu) / s.seconds
                    rows.append(
                        {"pass": label, "round": round_, **asdict(s), "server_cpu": server_cpu}
                    )
                    print(
                        f"| {label} | {round_} | {writers} | {rate:,.0f} | {ratio} | "
                        f"{_ms(s.client_cpu, s)} | {_ms(server_cpu, s)} | "
                        f"{busy:.2f} | {s.conflicts_retried} | {s.calls / s.commands:,.0f} |",
                        flush=True,
                    )

    if args.json:
        with open(args.json, "w") as out:
            json.dump(rows, out, indent=1)


if __name__ == "__main__":
    main()
