"""Copying a store, SQLite to PostgreSQL and back, against a raw peer in the same run.

The store is a synthetic region (`bench/region.py`, the year billed and closed). Each
round measures both directions, each copy right after its peer, so that the noise of a
shared machine falls on both alike:

- the peer: every event of the source read raw (position, id, version, topic, state, one
  `SELECT ... ORDER BY` position and `fetchall`) plus a raw `executemany` of those rows into
  a table of the log's shape on the target, in one transaction;
- the copy: `pfdo.application.store_copy.copy_store` into an empty store; its events phase
  (the checks, the side tables and every batch committed: up to the last `progress` call)
  is the figure compared with the peer; the whole copy (with the fold of the read models
  and the chain, and the verification) is given beside it.

The target of the SQLite -> PostgreSQL copy is the source of the way back. (The script is
not named `copy.py`: the bench scripts run with this folder first on `sys.path`, where a
`copy.py` would stand in for the standard library's `copy` module.)

    python bench/store_copy.py [--children 10000] [--region region.sqlite] [--postgres URL]
                               [--rounds 2] [--batch 5000]

`--region` reuses (or makes, when missing) that region file; `URL` is a PostgreSQL server
the script may create and drop databases on (default `PFDO_TEST_POSTGRES`).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import machine
import region

from pfdo.application.collector import collector_paused
from pfdo.application.store_copy import copy_store
from pfdo.storage.copying import BATCH

_SQLITE_READ = (
    "SELECT rowid, originator_id, originator_version, topic, state "
    "FROM stored_events ORDER BY rowid"
)
_PG_READ = (
    "SELECT notification_id, originator_id, originator_version, topic, state "
    "FROM pfdo_events ORDER BY notification_id"
)


@contextlib.contextmanager
def postgres_database(server: str) -> Iterator[str]:
    """A database of its own on the server, dropped afterwards."""
    import psycopg

    with psycopg.connect(server, autocommit=True) as admin:
        name = f"pfdo_copy_{secrets.token_hex(4)}"
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{server.rsplit('/', 1)[0]}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def peer_sqlite_to_postgres(source: str, server: str) -> tuple[int, float]:
    """(events, seconds): a raw read of the SQLite log and a raw `executemany` into
    PostgreSQL."""
    import psycopg

    started = time.perf_counter()
    with contextlib.closing(sqlite3.connect(source)) as connection:
        rows = connection.execute(_SQLITE_READ).fetchall()
    reading = time.perf_counter() - started
    with postgres_database(server) as url, psycopg.connect(url) as target:
        target.execute(
            "CREATE TABLE raw_events (notification_id bigint, originator_id uuid, "
            "originator_version bigint, topic text, state bytea, "
            "PRIMARY KEY (originator_id, originator_version))"
        )
        target.commit()
        started_writing = time.perf_counter()
        with target.cursor() as cursor:
            cursor.executemany("INSERT INTO raw_events VALUES (%s, %s, %s, %s, %s)", rows)
        target.commit()
        seconds = reading + (time.perf_counter() - started_writing)
    return len(rows), seconds


def peer_postgres_to_sqlite(source: str, folder: str) -> tuple[int, float]:
    """(events, seconds): a raw read of the PostgreSQL log and a raw `executemany` into a
    SQLite file (WAL, as the library opens its files)."""
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(source) as connection:
        rows = [(p, i.hex, v, t, s) for p, i, v, t, s in connection.execute(_PG_READ)]
    reading = time.perf_counter() - started
    path = Path(folder) / f"raw-{secrets.token_hex(4)}.sqlite"
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as target:
        target.execute("PRAGMA journal_mode=WAL")
        target.execute(
            "CREATE TABLE raw_events (originator_id TEXT, originator_version INTEGER, "
            "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
        )
        started_writing = time.perf_counter()
        target.execute("BEGIN")
        target.executemany(
            "INSERT INTO raw_events (rowid, originator_id, originator_version, topic, state) "
            "VALUES (?,?,?,?,?)",
            rows,
        )
        target.execute("COMMIT")
        seconds = reading + (time.perf_counter() - started_writing)
    path.unlink()
    return len(rows), seconds


def timed_copy(source: str, target: str, batch: int) -> dict[str, float]:
    """The copy's events phase (to its last batch) and the whole copy, in seconds."""
    last_batch = [0.0]

    def progress(done: int, total: int) -> None:
        last_batch[0] = time.perf_counter()

    started = time.perf_counter()
    with collector_paused():
        copied = copy_store(source, target, batch=batch, progress=progress)
    assert copied.verified, "the copy's chain head is not the source's"
    return {
        "events": copied.events,
        "events seconds": last_batch[0] - started,
        "whole seconds": time.perf_counter() - started,
    }


def measure(source: str, server: str, folder: str, batch: int) -> dict[str, Any]:
    """One round: each direction's peer and copy."""
    figures: dict[str, Any] = {}
    events, seconds = peer_sqlite_to_postgres(source, server)
    figures["sqlite->pg peer"] = events / seconds
    with postgres_database(server) as middle:
        there = timed_copy(source, middle, batch)
        figures["sqlite->pg copy"] = there["events"] / there["events seconds"]
        figures["sqlite->pg whole"] = there["events"] / there["whole seconds"]
        events, seconds = peer_postgres_to_sqlite(middle, folder)
        figures["pg->sqlite peer"] = events / seconds
        back = str(Path(folder) / f"back-{secrets.token_hex(4)}.sqlite")
        again = timed_copy(middle, back, batch)
        figures["pg->sqlite copy"] = again["events"] / again["events seconds"]
        figures["pg->sqlite whole"] = again["events"] / again["whole seconds"]
        figures["events"] = again["events"]
        for suffix in ("", "-wal", "-shm"):
            Path(back + suffix).unlink(missing_ok=True)
    return figures


def _postgres_version(server: str) -> str:
    import psycopg

    with psycopg.connect(server) as connection:
        row = connection.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=10_000)
    parser.add_argument("--region", default=None, help="region file to reuse or make")
    parser.add_argument("--postgres", default=os.environ.get("PFDO_TEST_POSTGRES"))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batch", type=int, default=BATCH)
    args = parser.parse_args()
    if not args.postgres:
        parser.error("a PostgreSQL server is needed: --postgres URL or PFDO_TEST_POSTGRES")
    with tempfile.TemporaryDirectory() as folder:
        source = args.region or str(Path(folder) / "region.sqlite")
        if not Path(source).exists():
            made = region.generate(source, args.children)
            print(f"region: {made['children']} children, {made['events']} events", flush=True)
        facts = machine.describe(folder, _postgres_version(args.postgres))
        for key, value in facts.items():
            print(f"{key}: {value}")
        rounds = []
        for number in range(args.rounds):
            figures = measure(source, args.postgres, folder, args.batch)
            rounds.append(figures)
            print(
                f"round {number + 1}: " + ", ".join(f"{k} {v:,.0f}" for k, v in figures.items()),
                flush=True,
            )
    print(f"\nevents: {rounds[0]['events']:,}, batch {args.batch:,}")
    print(
        "| direction | copy, events/s | peer, events/s | ratio (median, range) "
        "| whole copy with fold, events/s |"
    )
    print("|---|---|---|---|---|")
    for direction in ("sqlite->pg", "pg->sqlite"):
        ratios = [r[f"{direction} copy"] / r[f"{direction} peer"] for r in rounds]
        copy = statistics.median(r[f"{direction} copy"] for r in rounds)
        peer = statistics.median(r[f"{direction} peer"] for r in rounds)
        whole = statistics.median(r[f"{direction} whole"] for r in rounds)
        print(
            f"| {direction} | {copy:,.0f} | {peer:,.0f} | {statistics.median(ratios):.2f}x "
            f"({min(ratios):.2f}-{max(ratios):.2f}) | {whole:,.0f} |"
        )


if __name__ == "__main__":
    main()
