"""The enrolment campaign: many processes issuing, funding and enrolling at once.

On each store (a SQLite file, and a fresh PostgreSQL database `pfdo_campaign_<random>`
dropped at the end), in the same run:

- the raw commit rate: one single-row insert + commit per transaction, on the same disk
  or server (SQLite at synchronous=FULL whatever the store's setting, so that the ratio
  of a `?synchronous=normal` store shows what the setting gains);
- one writer process: `--single` children, three commands each (issue, fund, enrol),
  one durable save apiece;
- the campaign: `--writers` processes enrolling `--children` children between them, all
  started at one barrier.

Each figure is commands/s (first start to last command returned) with its ratio to the
raw commit rate and, for the campaign, to one writer; beside it the commands/s until the
read models are level again (until every writer process has exited, which includes the
catch-up each runs when it closes its `Ledger`: the folding is off the
command's path, and this column keeps its cost in view). The retries (saves decided
again after a lost race) and the children given up or refused are counted.

The store starts from a seeded region (`--region` children, `bench/region.py`, July
left unbilled so the period is open), or from a bare period with `--region 0`.
Repetitions alternate the stores so both see the same machine load.

    python bench/campaign.py [--region 2000] [--writers 8] [--children 2000] [--single 150]
                             [--postgres URL] [--no-sqlite] [--synchronous normal]
                             [--count-limit N]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass

import baselines as raw
import machine
from probes import FUNDED_ON
from region import PERIOD, generate
from writers import Writers, run_writers

from pfdo import Ledger

UNBILLED = "2025-07"


@dataclass(frozen=True)
class Row:
    """One measured figure of one store."""

    store: str
    what: str
    commands: int
    seconds: float
    rate: float
    level_rate: float
    raw_rate: float
    single_rate: float
    retries: int
    given_up: int


def sqlite_single_commits(path: str, count: int, state_size: int, synchronous: str) -> float:
    """Raw SQLite commits/s at `synchronous`, as the library opens a connection."""
    rows = raw._rows(count, state_size)
    with contextlib.closing(
        sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    ) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(f"PRAGMA synchronous={synchronous.upper()}")
        connection.execute(raw._CREATE)
        started = time.perf_counter()
        for row in rows:
            connection.execute("BEGIN")
            connection.execute(raw._INSERT, row)
            connection.execute("COMMIT")
        return count / (time.perf_counter() - started)


@contextlib.contextmanager
def postgres_store(server: str) -> Iterator[str]:
    import psycopg

    with psycopg.connect(server, autocommit=True) as admin:
        name = f"pfdo_campaign_{secrets.token_hex(4)}"
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{server.rsplit('/', 1)[0]}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(db: str, region: int, count_limit: int | None = None) -> None:
    """The store's starting point: a seeded region's year with July unbilled; with
    `count_limit`, the campaign's category gets that count limit (fundings within limits
    take their room from the category's room shards)."""
    with contextlib.redirect_stdout(sys.stderr):
        if region:
            generate(db, region, 1, progress=False, unbilled=UNBILLED)
        else:
            bare_region(db)
        if count_limit is not None:
            with Ledger(db) as ledger:
                ledger.change_limits(PERIOD, category="base", count=count_limit, on=FUNDED_ON)


def bare_region(db: str) -> None:
    """The smallest world `bench/probes.new_children` enrols into."""
    with Ledger(db) as ledger:
        ledger.open_period(
            "2025",
            municipality="region",
            start="2025-01-01",
            end="2025-12-31",
            categories={"base": {"nominal": "12000"}},
            on="2025-01-01",
        )
        for p in range(5):
            ledger.add_provider(f"prov-{p}", name=f"Provider {p}", on="2025-01-01")
            for k in range(8):
                ledger.add_program(
                    f"prog-{p}-{k}",
                    provider=f"prov-{p}",
                    title="Chess",
                    monthly_price="1000",
                    min_age=5,
                    max_age=17,
                    on="2025-01-01",
                )


def measure(label: str, db: str, raw_rate: float, args: argparse.Namespace, rep: int) -> list[Row]:
    def row(what: str, done: Writers, single: float) -> Row:
        return Row(
            label,
            what,
            done.commands,
            round(done.seconds, 3),
            round(done.rate, 1),
            round(done.level_rate, 1),
            round(raw_rate, 1),
            round(single, 1),
            done.conflicts_retried,
            done.refused,
        )

    progress(f"{label}: 1 writer, {args.single} children")
    one = run_writers(db, 1, args.single, f"one{rep}")
    progress(f"{label}: {args.writers} writers, {args.children} children")
    many = run_writers(db, args.writers, args.children // args.writers, f"camp{rep}")
    return [
        row("1 writer", one, one.rate),
        row(f"campaign: {args.writers} writers", many, one.rate),
    ]


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _median_rows(rows: list[Row]) -> list[Row]:
    """One row per (store, what): the median of each rate over the repetitions."""
    keyed: dict[tuple[str, str], list[Row]] = {}
    for r in rows:
        keyed.setdefault((r.store, r.what), []).append(r)
    out = []
    for same in keyed.values():
        first = same[0]
        out.append(
            Row(
                first.store,
                first.what,
                sum(r.commands for r in same),
                round(sum(r.seconds for r in same), 3),
                round(statistics.median(r.rate for r in same), 1),
                round(statistics.median(r.level_rate for r in same), 1),
                round(statistics.median(r.raw_rate for r in same), 1),
                round(statistics.median(r.single_rate for r in same), 1),
                sum(r.retries for r in same),
                sum(r.given_up for r in same),
            )
        )
    return out


def table(rows: list[Row]) -> str:
    lines = [
        "| store | what | commands/s | raw commits/s | x raw | x 1 writer "
        "| commands/s until level | commands | seconds | retries | given up or refused |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.store} | {r.what} | {r.rate:,.0f} | {r.raw_rate:,.0f} | "
            f"{r.rate / r.raw_rate:.3f}x | {r.rate / r.single_rate:.2f}x | "
            f"{r.level_rate:,.0f} | {r.commands} | "
            f"{r.seconds:.1f} | {r.retries} | {r.given_up} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", type=int, default=2000, help="children of the seed")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--children", type=int, default=2000, help="of the campaign")
    parser.add_argument("--single", type=int, default=150, help="children of 1 writer")
    parser.add_argument("--raw", type=int, default=1000, help="raw commits per run")
    parser.add_argument("--repetitions", type=int, default=1)
    parser.add_argument("--postgres", default=os.environ.get("PFDO_TEST_POSTGRES"))
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--synchronous", default="full", choices=("full", "normal"))
    parser.add_argument("--json", metavar="FILE")
    parser.add_argument(
        "--count-limit", type=int, help="a count limit on the category (high: none refused)"
    )
    parser.add_argument("--tmpdir")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.tmpdir) as tmp:
        print(f"machine: {json.dumps(machine.describe(tmp))}")
        print(
            f"sizes: region {args.region} children; 1 writer {args.single} children; "
            f"campaign {args.writers} writers x {args.children // args.writers} children; "
            f"SQLite synchronous={args.synchronous}; repetitions {args.repetitions}"
        )
        rows: list[Row] = []
        stores: list[tuple[str, contextlib.AbstractContextManager[str]]] = []
        with contextlib.ExitStack() as stack:
            if not args.no_sqlite:
                path = os.path.join(tmp, "campaign.sqlite")
                db = path if args.synchronous == "full" else f"{path}?synchronous=normal"
                stores.append(("SQLite", contextlib.nullcontext(db)))
            if args.postgres:
                stores.append(("PostgreSQL", postgres_store(args.postgres)))
            opened = [(label, stack.enter_context(store)) for label, store in stores]
            for label, db in opened:
                progress(f"{label}: preparing the store")
                prepare(db, args.region, args.count_limit)
            for rep in range(args.repetitions):
                for label, db in opened:
                    if label == "SQLite":
                        scratch = raw.scratch_file(tmp, "raw.sqlite")
                        rate = sqlite_single_commits(scratch, args.raw, 300, "full")
                    else:
                        rate = raw.postgres_single_commits(db, args.raw, 300)
                    rows.extend(measure(label, db, rate, args, rep))
        result = _median_rows(rows)
        print(table(result))
        if args.json:
            with open(args.json, "w") as out:
                json.dump([asdict(r) for r in result], out, indent=1)


if __name__ == "__main__":
    main()
