"""Section 5 of the benchmark: the same data set on PostgreSQL, and several writers.

The region is generated into a fresh database `pfdo_bench_<random>` on the server, which
is dropped at the end whatever happens. Measured there: the billing of the unbilled
month, the rebuild (peers: psycopg's raw read + json.loads, and the library's notification
reading), and commands/s with 1, 4 and 8 writer processes, run alternately on the SQLite
working copy and on PostgreSQL so that both see the same machine load.
"""

from __future__ import annotations

import contextlib
import secrets
import sys
from typing import TYPE_CHECKING, Any

import baselines as raw
import probes
from probes import BILLED_ON, MONTH, median_rate
from region import generate
from report import Figure
from writers import run_writers

from pfdo import Ledger

if TYPE_CHECKING:
    from benchmark import Benchmark

SECTION = "5. PostgreSQL and several writers"
WRITERS = (1, 4, 8)


def postgres_section(bench: Benchmark, server_url: str) -> None:
    """Measure section 5 against the server at `server_url` (any database on it)."""
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as admin:
        bench.report.machine["postgresql"] = _settings(admin)
        name = f"pfdo_bench_{secrets.token_hex(4)}"
        admin.execute(f'CREATE DATABASE "{name}"')
        url = f"{server_url.rsplit('/', 1)[0]}/{name}"
        try:
            _measure(bench, url)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _settings(admin: Any) -> str:
    """The server's version, and the settings that decide what a commit costs."""
    shown = []
    for name in ("server_version", "fsync", "synchronous_commit", "data_directory"):
        try:
            value = admin.execute(f"SHOW {name}").fetchone()[0]
        except Exception:  # data_directory needs privileges the user may not have
            value = "?"
        shown.append(value if name == "server_version" else f"{name}={value}")
    return ", ".join(shown)


def _add(
    bench: Benchmark,
    key: str,
    name: str,
    value: float,
    unit: str,
    peer: str,
    peer_value: float,
    note: str = "",
) -> None:
    bench.report.add(
        Figure(
            key=key,
            section=SECTION,
            name=name,
            value=value,
            unit=unit,
            peer=peer,
            peer_value=peer_value,
            note=note,
        )
    )


def _measure(bench: Benchmark, url: str) -> None:
    s = bench.s
    bench.progress(f"PostgreSQL: generating {s.children} children into {url}")
    with contextlib.redirect_stdout(sys.stderr):
        generated = generate(url, s.children, s.seed, progress=True, unbilled=MONTH)
    bench.data["PostgreSQL events"] = int(generated["events"])
    bench.progress(f"PostgreSQL: billing {MONTH}")
    billing = probes.bill_month(url, MONTH, BILLED_ON)
    _add(
        bench,
        "pg.billing.events",
        f"PostgreSQL: bill {MONTH}: events written",
        billing.events / billing.seconds,
        "events/s",
        "the same billing on SQLite",
        bench.billing_rate,
    )
    rebuilds, reads, library = [], [], []
    with Ledger(url) as ledger:
        table = probes.events_table(ledger)
        for rep in range(s.repetitions):
            bench.progress(f"PostgreSQL: rebuild and its peers, run {rep + 1}/{s.repetitions}")
            reads.append(raw.raw_read_postgres(url, table))
            library.append(raw.library_read(ledger._log))
            rebuilds.append(probes.rebuild(ledger))
    rate = median_rate(rebuilds)
    _add(
        bench,
        "pg.rebuild.raw",
        "PostgreSQL: rebuild",
        rate,
        "events/s",
        "psycopg SELECT + json.loads",
        median_rate(reads),
        note=f"Ledger.rebuild(), median of {len(rebuilds)}",
    )
    _add(
        bench,
        "pg.rebuild.library",
        "PostgreSQL: rebuild vs the library's reading",
        rate,
        "events/s",
        "library read, pages of 1,000",
        median_rate(library),
    )
    _writers(bench, url)


def _raw_commits(bench: Benchmark, label: str, url: str) -> float:
    count = bench.s.raw_commits_per_round
    if label == "PostgreSQL":
        return raw.postgres_single_commits(url, count, bench.state_size)
    scratch = raw.scratch_file(bench.tmp, "raw-writers.sqlite")
    return raw.single_commits(scratch, count, bench.state_size)


def _writers(bench: Benchmark, url: str) -> None:
    single: dict[str, float] = {}
    for count in WRITERS:
        for label, db in (("SQLite", bench.work), ("PostgreSQL", url)):
            bench.progress(f"{count} writer process(es) on {label}")
            done = run_writers(db, count, bench.s.writer_children, f"w{count}")
            note = (
                f"{done.commands} commands; {done.conflicts_retried} conflicts retried, "
                f"{done.refused} children refused or given up"
            )
            if count == 1:
                single[label] = done.rate
                peer, peer_value = (
                    "raw insert + commit per transaction",
                    _raw_commits(bench, label, url),
                )
            else:
                peer, peer_value = f"1 writer on {label}", single[label]
            writers = f"{count} writer" + ("s" if count > 1 else "")
            _add(
                bench,
                f"writers.{label.lower()}.{count}",
                f"{label}: {writers}",
                done.rate,
                "commands/s",
                peer,
                peer_value,
                note,
            )
