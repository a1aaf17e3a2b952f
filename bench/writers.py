"""Several writer processes on one store: each opens its own `Ledger`, waits at a common
start line, then issues, funds and enrols children of its own (three commands each, one
durable save apiece). The figure is all commands / (last finish - first start).

Processes are started with `spawn`, so nothing (no connection, no pool) is inherited.
"""

from __future__ import annotations

import cProfile
import multiprocessing as mp
import pstats
import queue
import time
from dataclasses import dataclass
from typing import Any

from probes import new_children, programs_for_new_children

from pfdo import Ledger


@dataclass(frozen=True)
class Writers:
    """What `writers` processes did together."""

    writers: int
    commands: int
    seconds: float
    refused: int
    conflicts_retried: int
    #: from the first start until every process has exited, which includes each one
    #: closing its `Ledger` (the catch-up of what it wrote, unless another folded it)
    level_seconds: float = 0.0
    #: the writers' own CPU seconds around their commands (`time.process_time`)
    client_cpu: float = 0.0
    #: Python function calls in the commands, when counted (`count_calls`); else 0
    calls: int = 0

    @property
    def rate(self) -> float:
        return self.commands / self.seconds

    @property
    def level_rate(self) -> float:
        """Commands/s until the read models are level with the log again."""
        return self.commands / self.level_seconds if self.level_seconds else 0.0


def _writer(
    db: str, tag: str, offset: int, children: int, count_calls: bool, start: Any, results: Any
) -> None:
    with Ledger(db) as ledger:
        programs = programs_for_new_children(ledger)
        profile = cProfile.Profile() if count_calls else None
        start.wait()
        began = time.monotonic()  # system-wide on Linux: comparable across processes
        cpu = time.process_time()
        if profile:
            profile.enable()
        done = new_children(ledger, tag, children, programs, offset=offset * 7)
        if profile:
            profile.disable()
        cpu = time.process_time() - cpu
        stats = pstats.Stats(profile).stats if profile else {}  # type: ignore[attr-defined]
        calls = sum(s[1] for s in stats.values())
        results.put(
            (done.commands, began, time.monotonic(), done.refused, done.conflicts_retried, cpu,
             calls)
        )  # fmt: skip


def run_writers(
    db: str, writers: int, children: int, tag: str, count_calls: bool = False
) -> Writers:
    """`writers` processes, each doing `children` x 3 commands on new certificates; with
    `count_calls`, under `cProfile`, counting the calls (which slows them)."""
    context = mp.get_context("spawn")
    start = context.Barrier(writers)
    results = context.Queue()
    processes = [
        context.Process(
            target=_writer, args=(db, f"{tag}-{k}", k, children, count_calls, start, results)
        )
        for k in range(writers)
    ]
    for process in processes:
        process.start()
    outcomes = collect(results, processes)
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"a writer process exited with code {process.exitcode}")
    joined = time.monotonic()
    first = min(o[1] for o in outcomes)
    last = max(o[2] for o in outcomes)
    return Writers(
        writers=writers,
        commands=sum(o[0] for o in outcomes),
        seconds=last - first,
        refused=sum(o[3] for o in outcomes),
        conflicts_retried=sum(o[4] for o in outcomes),
        level_seconds=joined - first,
        client_cpu=sum(o[5] for o in outcomes),
        calls=sum(o[6] for o in outcomes),
    )


def collect(results: Any, processes: list[Any]) -> list[tuple[Any, ...]]:
    """One outcome per process; fail early if a process dies without reporting."""
    outcomes: list[tuple[Any, ...]] = []
    while len(outcomes) < len(processes):
        try:
            outcomes.append(results.get(timeout=1))
        except queue.Empty:
            dead = [p for p in processes if p.exitcode not in (None, 0)]
            if dead:
                for process in processes:
                    process.terminate()
                raise RuntimeError(f"writer process exited with code {dead[0].exitcode}") from None
    return outcomes
