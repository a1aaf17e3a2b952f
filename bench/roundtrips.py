"""Round trips and statements per command on PostgreSQL, counted in the client.

A fresh database on the server gets a small world (one period, one provider, a few
programs); then `--children` children are issued, funded and enrolled through `Ledger`,
one command at a time, with psycopg's `Cursor.execute`/`executemany` (statements) and
`Connection.wait` (round trips: one per exchange with the server; a pipeline's sync
points) counted. The figures are per command, by kind.

    python bench/roundtrips.py --postgres postgresql://postgres@127.0.0.1:54332/postgres
"""

from __future__ import annotations

import argparse
import secrets
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from pfdo import Ledger

BORN, ON = "2015-03-01", "2025-08-20"
START, END = "2025-09-01", "2025-12-31"
PROGRAMS = 8


class Counts:
    """What the client sent while counting: statements (`Cursor.execute`, each row of an
    `executemany`, and the `BEGIN`/`COMMIT`/`ROLLBACK` psycopg sends itself) and round
    trips (each wait for the server outside a pipeline; a pipeline's sync points)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    @contextmanager
    def counting(self) -> Iterator[None]:
        calls = self.calls
        cursor, connection, pipeline = psycopg.Cursor, psycopg.Connection, psycopg.Pipeline
        originals = {
            "execute": cursor.execute,
            "executemany": cursor.executemany,
            "command": connection._exec_command,
            "wait": connection.wait,
            "sync": pipeline.sync,
            "exit": pipeline.__exit__,
        }

        def execute(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
            calls["statements"] += 1
            return originals["execute"](self, query, *args, **kwargs)

        def executemany(self: Any, query: Any, params: Any, *args: Any, **kwargs: Any) -> Any:
            params = list(params)
            calls["statements"] += len(params)
            return originals["executemany"](self, query, params, *args, **kwargs)

        def command(self: Any, *args: Any, **kwargs: Any) -> Any:
            calls["statements"] += 1
            return originals["command"](self, *args, **kwargs)

        def wait(self: Any, gen: Any, *args: Any, **kwargs: Any) -> Any:
            # a commit or rollback of a connection not in a transaction sends nothing
            idle = self.pgconn.transaction_status == psycopg.pq.TransactionStatus.IDLE
            ending = getattr(gen, "__name__", "") in ("_commit_gen", "_rollback_gen")
            if self._pipeline is None and not (idle and ending):
                calls["round trips"] += 1
            return originals["wait"](self, gen, *args, **kwargs)

        def sync(self: Any) -> Any:
            calls["round trips"] += 1
            return originals["sync"](self)

        def exit(self: Any, *args: Any) -> Any:
            calls["round trips"] += 1
            return originals["exit"](self, *args)

        replacements = [
            (cursor, "execute", execute),
            (cursor, "executemany", executemany),
            (connection, "_exec_command", command),
            (connection, "wait", wait),
            (pipeline, "sync", sync),
            (pipeline, "__exit__", exit),
        ]
        for owner, name, replacement in replacements:
            setattr(owner, name, replacement)
        try:
            yield
        finally:
            for (owner, name, _), original in zip(replacements, originals.values(), strict=True):
                setattr(owner, name, original)


def world(ledger: Ledger) -> list[str]:
    """A period, a provider and its programs: what the children are enrolled into."""
    ledger.open_period(
        "2025",
        municipality="region",
        start="2025-01-01",
        end="2025-12-31",
        categories={"base": {"nominal": "12000.00"}},
        on="2025-01-01",
    )
    ledger.add_provider("school", name="School", on="2025-01-01")
    programs = [f"p{k}" for k in range(PROGRAMS)]
    for program in programs:
        ledger.add_program(
            program,
            provider="school",
            title=program,
            monthly_price="1000.00",
            min_age=5,
            max_age=17,
            on="2025-01-01",
        )
    return programs


def measure(url: str, children: int) -> dict[str, dict[str, float]]:
    per_kind: dict[str, dict[str, float]] = {}
    with Ledger(url) as ledger:
        programs = world(ledger)
        for warm in range(3):  # first connections, statements prepared once
            number = ledger.issue_certificate(
                child=f"warm-{warm}", birth_date=BORN, municipality="region", on=ON
            ).number
            ledger.fund_certificate(number, period="2025", category="base", on=ON)
            ledger.enroll(number, program=programs[warm], start=START, end=END, on=ON)
        numbers: list[str] = []
        kinds: list[tuple[str, Callable[[int], object]]] = [
            (
                "issue",
                lambda i: numbers.append(
                    ledger.issue_certificate(
                        child=f"child-{i}", birth_date=BORN, municipality="region", on=ON
                    ).number
                ),
            ),
            (
                "fund",
                lambda i: ledger.fund_certificate(
                    numbers[i], period="2025", category="base", on=ON
                ),
            ),
            (
                "enroll",
                lambda i: ledger.enroll(
                    numbers[i], program=programs[i % PROGRAMS], start=START, end=END, on=ON
                ),
            ),
            ("balance (a read after the commands)", lambda i: ledger.balance(numbers[i])),
        ]
        for kind, call in kinds:
            counts = Counts()
            with counts.counting():
                for i in range(children):
                    call(i)
            per_kind[kind] = {
                "round trips": counts.calls["round trips"] / children,
                "statements": counts.calls["statements"] / children,
            }
    return per_kind


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", required=True, help="a server URL (any database)")
    parser.add_argument("--children", type=int, default=30)
    args = parser.parse_args(argv)
    with psycopg.connect(args.postgres, autocommit=True) as admin:
        name = f"pfdo_rt_{secrets.token_hex(4)}"
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = f"{args.postgres.rsplit('/', 1)[0]}/{name}"
            figures = measure(url, args.children)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"per command, mean of {args.children} (PostgreSQL, client-side counts)")
    print("| command | round trips | statements |\n|---|---|---|")
    for kind, f in figures.items():
        print(f"| {kind} | {f['round trips']:.1f} | {f['statements']:.1f} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
