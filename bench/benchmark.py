"""pfdo's benchmark: commands, bulk billing, rebuild, memory and latency, on SQLite and PostgreSQL.

Performance is measured here, never by timed unit tests. The machine is shared and
noisy, so every figure is printed beside a peer measured in the same run, on the same
disk, with the same settings, and as the ratio figure / peer; targets are checked and
every row says whether its target was met. The machine (CPU, cores, memory, Python,
SQLite, PostgreSQL, disk) and the data sizes head the output.

The data set: `bench/region.py` plays a seeded synthetic region's year through the public
API (`--children`, default 2,000), into a fresh SQLite file in a temporary folder, or
into `--db PATH` when that is empty (a non-empty `--db` is reused as it is). The year is
played with one month (2025-07, the busiest) left unbilled and the period left open. The
benchmark works on a copy of it in the temporary folder, so a reused `--db` stays as it
was; the raw peers write their own scratch files in that same folder.

1. Commands: issue + fund + enrol of new children through `Ledger`, one command at a time
   (each one durable `save`, then the read models' catch-up), in three rounds; peer: raw
   SQLite, one single-row insert + commit per transaction, on a connection opened as the
   library opens it (WAL, synchronous left at its default), measured between the rounds.
   Target: API commands/s >= 0.5 x raw transactions/s.
2. Bulk billing: `Ledger.bill()` of the unbilled month (median of several runs, each on a
   fresh copy of the store): contracts billed/s and events written/s; peer: raw SQLite
   `executemany` of rows of the same average size, in one transaction. Target: >= 25,000
   events/s. The time to bill a month of 100,000 children is extrapolated linearly from
   the contracts billed per child in the month and the contracts billed/s.
3. Rebuild: `Ledger.rebuild()` events/s (median of several runs), against four peers:
   the raw read (`SELECT state FROM stored_events` + `json.loads`), the library's own
   notification reading (`select_notifications` in pages of 1,000 + the mapper's
   `to_domain_event`), the library's per-event projection emulated as pfdo's catch-up
   with one event per transaction (a copy of the store, from the middle of the log, for a
   time budget; the SQLite recorder has no `subscribe()`, so the library's
   `ProjectionRunner` cannot follow it), and every certificate loaded through the
   library's repository. Targets: >= 200,000 events/s, >= 1.0x the library's reading,
   >= 30x the per-event projection, >= 4x the repository replay.
4. Memory and latency: the rebuild's peak of Python allocations (tracemalloc) per million
   events, and its peak resident memory (Linux's VmHWM, reset once the store is open),
   each in a process of its own and against the same for the library's streaming
   notification reading. Median and p99 latency of `balance`, `balance(as_of=...)` and
   `history` through the API for the certificate with the most movements, against plain
   sqlite3 selects of the same read-model rows.
   Targets: balance p99 < 2 ms, as-of p99 < 20 ms.
5. PostgreSQL (with `--postgres URL` or PFDO_TEST_POSTGRES): the same data set generated
   into a fresh database `pfdo_bench_<random>` (dropped at the end); its billing and its
   rebuild (peers: psycopg `SELECT state` + `json.loads`, and the library's reading), and
   commands/s with 1, 4 and 8 writer processes on SQLite and on PostgreSQL (peers: one
   writer on the same store; for one writer, the raw single-commit rate).

    python bench/benchmark.py [--children 2000] [--db PATH] [--postgres URL]
                              [--json FILE] [--markdown FILE] [--quick] [--repetitions 3]

`--quick` is a smoke run (200 children, one repetition, small samples) for the test suite.
Progress goes to stderr; the table to stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import baselines as raw
import machine
import probes
from pg_section import postgres_section
from probes import AS_OF, BILLED_ON, MONTH
from region import generate
from report import Figure, Report, Target, markdown, text_table

from pfdo import Ledger

REGION_OF = 100_000
HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Settings:
    """How much to measure: the full run, or the smoke run of `--quick`."""

    children: int
    seed: int
    repetitions: int
    command_rounds: int
    children_per_round: int
    raw_commits_per_round: int
    latency_calls: int
    per_event_seconds: float
    writer_children: int

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Settings:
        if args.quick:
            return cls(
                children=args.children or 200,
                seed=args.seed,
                repetitions=1,
                command_rounds=1,
                children_per_round=20,
                raw_commits_per_round=200,
                latency_calls=30,
                per_event_seconds=1.0,
                writer_children=5,
            )
        return cls(
            children=args.children or 2000,
            seed=args.seed,
            repetitions=args.repetitions,
            command_rounds=3,
            children_per_round=70,
            raw_commits_per_round=1000,
            latency_calls=300,
            per_event_seconds=8.0,
            writer_children=40,
        )


class Progress:
    """Progress lines on stderr, with the seconds since the start."""

    def __init__(self) -> None:
        self.started = time.perf_counter()

    def __call__(self, message: str) -> None:
        print(
            f"[{time.perf_counter() - self.started:6.1f}s] {message}", file=sys.stderr, flush=True
        )


def _scalar(path: str, sql: str, *params: Any) -> Any:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return connection.execute(sql, params).fetchone()[0]


class Benchmark:
    """One run: prepares the store, measures each section, fills the report."""

    def __init__(self, settings: Settings, tmp: str, progress: Progress) -> None:
        self.s = settings
        self.tmp = tmp
        self.progress = progress
        self.work = os.path.join(tmp, "work.sqlite")
        self.report = Report(machine=machine.describe(tmp))
        self.data = self.report.data
        self.state_size = 300  # bytes of an average stored event, set by `prepare`
        self.raw_commit_rate = 0.0
        self.billing_rate = 0.0

    def add(
        self,
        section: str,
        key: str,
        name: str,
        value: float,
        unit: str,
        peer: str,
        peer_value: float,
        target: Target | None = None,
        note: str = "",
    ) -> None:
        self.report.add(
            Figure(
                key=key,
                section=section,
                name=name,
                value=value,
                unit=unit,
                peer=peer,
                peer_value=peer_value,
                target=target,
                note=note,
            )
        )

    # -- the data set ---------------------------------------------------------------

    def prepare(self, db: str | None) -> str:
        """The pristine store (generated unless `db` holds one), and the working copy."""
        source = db or os.path.join(self.tmp, "region.sqlite")
        if db and os.path.exists(db) and os.path.getsize(db) > 0:
            self.progress(f"reusing {db}")
        else:
            self.progress(
                f"generating {self.s.children} children into {source} ({MONTH} left unbilled)"
            )
            with contextlib.redirect_stdout(sys.stderr):
                generate(source, self.s.children, self.s.seed, progress=True, unbilled=MONTH)
        open_months = _scalar(
            source,
            "SELECT count(*) FROM pfdo_contract_months WHERE month=? AND status='open'",
            MONTH,
        )
        if not open_months:
            sys.exit(
                f"{source} has no unbilled {MONTH}: generate it with this script "
                f"(or bench/region.py --unbilled {MONTH})"
            )
        self.data["children"] = _scalar(source, "SELECT count(*) FROM pfdo_certificates")
        self.data["contracts"] = _scalar(source, "SELECT count(*) FROM pfdo_contracts")
        self.data["generated events"] = _scalar(source, "SELECT max(rowid) FROM stored_events")
        self.data["store"] = f"{os.path.getsize(source) / 2**20:.0f} MiB"
        self.state_size = int(_scalar(source, "SELECT avg(length(state)) FROM stored_events"))
        raw.copy_sqlite(source, self.work)
        return source

    # -- 1. commands ------------------------------------------------------------------

    def commands(self) -> None:
        api = probes.Commands()
        raw_rows = 0
        raw_seconds = 0.0
        scratch = raw.scratch_file(self.tmp, "raw-commits.sqlite")
        with Ledger(self.work) as ledger:
            programs = probes.programs_for_new_children(ledger)
            for round_ in range(self.s.command_rounds):
                self.progress(f"commands, round {round_ + 1}/{self.s.command_rounds}")
                rate = raw.single_commits(scratch, self.s.raw_commits_per_round, self.state_size)
                raw_rows += self.s.raw_commits_per_round
                raw_seconds += self.s.raw_commits_per_round / rate
                api.add(
                    probes.new_children(
                        ledger, f"cmd{round_}", self.s.children_per_round, programs, offset=round_
                    )
                )
        self.raw_commit_rate = raw_rows / raw_seconds
        self.data["commands"] = f"{api.commands} (issue, fund, enrol; {api.refused} refused)"
        self.add(
            "1. commands",
            "commands.api",
            "issue/fund/enrol, one command per save",
            api.commands / api.seconds,
            "commands/s",
            "raw insert + commit per transaction",
            self.raw_commit_rate,
            Target(">=", 0.5, on="ratio"),
            note=f"{api.commands} commands; each also commits a catch-up of the read models",
        )

    # -- 2. billing -------------------------------------------------------------------

    def billing(self, source: str) -> None:
        runs: list[probes.Billing] = []
        raw_rates: list[float] = []
        for rep in range(self.s.repetitions):
            last = rep == self.s.repetitions - 1
            bill = os.path.join(self.tmp, "bill.sqlite")
            path = self.work if last else raw.copy_sqlite(source, bill)
            self.progress(f"billing {MONTH}, run {rep + 1}/{self.s.repetitions}")
            runs.append(probes.bill_month(path, MONTH, BILLED_ON))
            rows = max(runs[-1].events, 20_000)
            scratch = raw.scratch_file(self.tmp, "raw-many.sqlite")
            raw_rates.append(raw.executemany(scratch, rows, runs[-1].state_size))
        run = runs[-1]
        events_rate = statistics.median(r.events / r.seconds for r in runs)
        contracts_rate = statistics.median(r.contracts / r.seconds for r in runs)
        raw_rate = statistics.median(raw_rates)
        per_contract = run.events / run.contracts
        self.billing_rate = events_rate
        self.data[f"billed in {MONTH}"] = f"{run.contracts} contracts, {run.events} events"
        section = "2. bulk billing"
        self.add(
            section,
            "billing.events",
            f"bill {MONTH}: events written",
            events_rate,
            "events/s",
            "raw executemany, 1 transaction",
            raw_rate,
            Target(">=", 25_000),
            note=f"{run.state_size}-byte rows",
        )
        self.add(
            section,
            "billing.contracts",
            f"bill {MONTH}: contracts billed",
            contracts_rate,
            "contracts/s",
            f"raw executemany / {per_contract:.1f} events",
            raw_rate / per_contract,
        )
        scale = REGION_OF / self.data["children"]
        contracts = run.contracts * scale
        self.add(
            section,
            "billing.region_month",
            f"bill a month of {REGION_OF // 1000}k children (extrapolated)",
            contracts / contracts_rate,
            "s",
            "raw executemany, same events",
            contracts * per_contract / raw_rate,
            note=f"~{contracts:,.0f} contracts: {MONTH}'s contracts per child x "
            f"{REGION_OF:,}, at the contracts/s above",
        )

    # -- 3. rebuild -------------------------------------------------------------------

    def rebuild(self) -> None:
        rebuilds: list[tuple[int, float]] = []
        reads: list[tuple[int, float]] = []
        library: list[tuple[int, float]] = []
        replays: list[tuple[int, float]] = []
        with Ledger(self.work) as ledger:
            table = probes.events_table(ledger)
            for rep in range(self.s.repetitions):
                self.progress(f"rebuild and its peers, run {rep + 1}/{self.s.repetitions}")
                reads.append(raw.raw_read_sqlite(self.work, table))
                library.append(raw.library_read(ledger._log))
                rebuilds.append(probes.rebuild(ledger))
                events, seconds, certificates = probes.repository_replay(ledger)
                replays.append((events, seconds))
            self.data["events"] = rebuilds[-1][0]
            self.data["stored event bytes"] = _scalar(
                self.work, f"SELECT sum(length(state)) FROM {table}"
            )
        self.progress("per-event projection (one transaction per event) on a copy")
        copy = raw.copy_sqlite(self.work, os.path.join(self.tmp, "per-event.sqlite"))
        with Ledger(copy) as ledger:
            per_event = probes.per_event_projection(ledger, self.s.per_event_seconds)
        os.remove(copy)
        rate = probes.median_rate(rebuilds)
        section = "3. rebuild"
        unit = "events/s"
        self.add(
            section,
            "rebuild.raw",
            "rebuild",
            rate,
            unit,
            "raw SELECT + json.loads",
            probes.median_rate(reads),
            Target(">=", 200_000),
            note=f"Ledger.rebuild(), median of {len(rebuilds)}",
        )
        self.add(
            section,
            "rebuild.library",
            "rebuild vs the library's reading",
            rate,
            unit,
            "library read, pages of 1,000",
            probes.median_rate(library),
            Target(">=", 1.0, on="ratio"),
            note="peer: select_notifications(limit=1000) + mapper.to_domain_event",
        )
        self.add(
            section,
            "rebuild.per_event",
            "rebuild vs a per-event projection",
            rate,
            unit,
            "per-event projection",
            per_event[0] / per_event[1],
            Target(">=", 30, on="ratio"),
            note=f"peer: pfdo's catch-up with 1 event per transaction, {per_event[0]} "
            "events from the middle of the log, on a copy",
        )
        self.add(
            section,
            "rebuild.repository",
            "rebuild vs repository replay",
            rate,
            unit,
            "repository replay",
            probes.median_rate(replays),
            Target(">=", 4, on="ratio"),
            note=f"peer: Repository.get of all {certificates} certificates (their events "
            "only), no snapshot look-ups",
        )

    # -- 4. memory and latency --------------------------------------------------------

    def memory(self) -> None:
        self.progress("peak memory of the rebuild and of its peer (subprocesses)")
        rebuild, read = _rss_probe("rebuild", self.work), _rss_probe("read", self.work)
        traced = _rss_probe("rebuild", self.work, traced=True)
        traced_read = _rss_probe("read", self.work, traced=True)

        def per_million(probe: dict[str, Any]) -> float:
            return float(probe["traced_peak_bytes"] / 2**20 / probe["events"] * 1e6)

        def growth(probe: dict[str, Any]) -> float:
            more = probe["peak_kib"] - probe["rss_before_kib"]
            return float(more / 1024 / probe["events"] * 1e6)

        section = "4. memory and latency"
        self.add(
            section,
            "memory.rebuild_per_million",
            "rebuild: peak Python memory per 1M events",
            per_million(traced),
            "MiB",
            "library read, same measure",
            per_million(traced_read),
            note=f"tracemalloc peak during the operation, {traced['events']} events",
        )
        scope = "during the operation" if rebuild["peak_is_operation_only"] else "of the process"
        self.add(
            section,
            "memory.rebuild_rss",
            "rebuild: peak RSS",
            rebuild["peak_kib"] / 1024,
            "MiB",
            "library read, same measure",
            read["peak_kib"] / 1024,
            note=f"peak resident memory {scope}; {rebuild['rss_before_kib'] / 1024:.0f} "
            f"MiB resident before it, so {growth(rebuild):.0f} MiB more per 1M events "
            f"(peer: {growth(read):.0f})",
        )

    def latency(self) -> None:
        self.progress("latency of balance, balance --as-of and history")
        section = "4. memory and latency"
        with Ledger(self.work) as ledger:
            number, events = probes.busiest_certificate(ledger)
            self.data["latency certificate"] = f"{number} ({events} events)"
            api: dict[str, Callable[[], object]] = {
                "balance": lambda: ledger.balance(number),
                "as-of": lambda: ledger.balance(number, as_of=AS_OF),
                "history": lambda: ledger.history(number),
            }
            with raw.raw_report_queries(self.work, number, AS_OF) as plain:
                for kind, call in api.items():
                    ours = probes.latencies(call, self.s.latency_calls)
                    peer = probes.latencies(plain[kind], self.s.latency_calls)
                    label = {
                        "balance": "balance",
                        "as-of": f"balance as of {AS_OF}",
                        "history": "history",
                    }[kind]
                    bound = {"balance": 2.0, "as-of": 20.0}.get(kind)
                    for q in (50, 99):
                        target = Target("<", bound) if q == 99 and bound else None
                        self.add(
                            section,
                            f"latency.{kind}.p{q}",
                            f"{label} p{q}",
                            probes.percentile(ours, q) * 1e3,
                            "ms",
                            f"plain sqlite3 select, p{q}",
                            probes.percentile(peer, q) * 1e3,
                            target,
                            note=f"{self.s.latency_calls} calls" if q == 50 else "",
                        )


def _rss_probe(operation: str, db: str, traced: bool = False) -> dict[str, Any]:
    command = [sys.executable, str(HERE / "rss_probe.py"), operation, db]
    out = subprocess.run(
        command + (["--traced"] if traced else []),
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--children",
        type=int,
        default=None,
        help="children in the generated region (default 2000; 200 with --quick)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", help="SQLite store to reuse (generated into it if empty)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("PFDO_TEST_POSTGRES"),
        help="PostgreSQL server URL (default: $PFDO_TEST_POSTGRES)",
    )
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    parser.add_argument("--markdown", metavar="FILE", help="write a Markdown table")
    parser.add_argument("--tmpdir", help="where the temporary folder goes (sets the disk)")
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument(
        "--repetitions",
        type=int,
        default=3,
        help="runs of billing and rebuild whose median is reported (default 3)",
    )
    return parser.parse_args(argv)


@contextlib.contextmanager
def temporary_folder(parent: str | None) -> Iterator[str]:
    folder = tempfile.mkdtemp(prefix="pfdo-bench-", dir=parent)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    settings = Settings.from_args(args)
    progress = Progress()
    postgres = None if args.no_postgres else args.postgres
    with temporary_folder(args.tmpdir) as tmp:
        bench = Benchmark(settings, tmp, progress)
        source = bench.prepare(args.db)
        bench.report.machine["sqlite settings"] = raw.sqlite_settings(bench.work)
        bench.commands()
        bench.billing(source)
        bench.rebuild()
        bench.memory()
        bench.latency()
        if postgres:
            postgres_section(bench, postgres)
    bench.report.seconds = time.perf_counter() - progress.started
    print(text_table(bench.report))
    if args.json:
        bench.report.write_json(args.json)
    if args.markdown:
        Path(args.markdown).write_text(markdown(bench.report), encoding="utf-8")
    progress(f"done in {bench.report.seconds:.0f} s")


if __name__ == "__main__":
    main()
