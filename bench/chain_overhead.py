"""What the audit hash chain costs ordinary commands (issue 5: at most 10%).

Plays the same commands twice over, with the chain on and with it switched off (the
projector's chain hook replaced by a no-op), each on a fresh store: a period, a provider
and a program, then for every new child `issue`, `fund` and `enroll`, one command at a
time (each one durable save and one catch-up, which is where the chain is computed).
The modes alternate over several rounds, so that a noisy neighbour hurts both alike; the
figure is the median commands/s of each mode and their ratio. For the bulk path, each
round then bills a month of all those contracts in one run (events written/s, the
catch-up after it hashing every event it folds).

    python bench/chain_overhead.py [--children 300] [--rounds 5] [--db-url postgresql://...]

Without --db-url each round writes a SQLite file in a temporary folder.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pfdo import Ledger
from pfdo.audit.chain import ChainKeeper


@contextmanager
def chain_switched_off() -> Iterator[None]:
    """The projector folds as usual but computes and stores no chain hashes."""
    extend, complete = ChainKeeper.extend, ChainKeeper.complete
    ChainKeeper.extend = lambda *_: None  # type: ignore[method-assign,assignment]
    ChainKeeper.complete = lambda *_: None  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        ChainKeeper.extend, ChainKeeper.complete = extend, complete  # type: ignore[method-assign]


def rates(db: str, children: int) -> tuple[float, float]:
    """Commands/s one at a time, then events/s of one billing run."""
    with Ledger(db) as ledger:
        ledger.open_period(
            "2025",
            municipality="city",
            start="2025-01-01",
            end="2025-12-31",
            categories={"base": {"nominal": "12000"}},
            on="2025-01-01",
        )
        ledger.add_provider("P", name="School", on="2025-01-01")
        ledger.add_program(
            "CHESS",
            provider="P",
            title="Chess",
            monthly_price="1500",
            min_age=5,
            max_age=17,
            on="2025-01-01",
        )
        started = time.perf_counter()
        for i in range(children):
            number = ledger.issue_certificate(
                child=f"bench-{i}", birth_date="2015-05-01", municipality="city", on="2025-01-05"
            ).number
            ledger.fund_certificate(number, period="2025", category="base", on="2025-01-06")
            ledger.enroll(
                number, program="CHESS", start="2025-02-01", end="2025-05-31", on="2025-01-20"
            )
        commands = 3 * children / (time.perf_counter() - started)
        before, started = ledger.log_position(), time.perf_counter()
        ledger.bill("2025-02", on="2025-03-01")
        events = (ledger.log_position() - before) / (time.perf_counter() - started)
        return commands, events


@contextmanager
def store_factory(db_url: str | None, folder: Path) -> Iterator[Callable[[], str]]:
    """Fresh stores: SQLite files in `folder`, or databases on a PostgreSQL server that
    are dropped again at the end."""
    if db_url is None:
        yield lambda: str(folder / f"{uuid.uuid4().hex}.sqlite")
        return
    from sqlalchemy import create_engine, text

    base = db_url.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    created: list[str] = []

    def new() -> str:
        created.append(f"pfdo_bench_{uuid.uuid4().hex[:12]}")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{created[-1]}"'))
        return f"{db_url.rsplit('/', 1)[0]}/{created[-1]}"

    try:
        yield new
    finally:
        with admin.connect() as connection:
            for name in created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--db-url", help="a PostgreSQL server (default: SQLite files)")
    args = parser.parse_args()
    found: dict[str, list[tuple[float, float]]] = {"with chain": [], "without chain": []}
    with (
        tempfile.TemporaryDirectory() as folder,
        store_factory(args.db_url, Path(folder)) as new_store,
    ):
        for _ in range(args.rounds):
            found["with chain"].append(rates(new_store(), args.children))
            with chain_switched_off():
                found["without chain"].append(rates(new_store(), args.children))
    store = "PostgreSQL" if args.db_url else "SQLite"
    print(
        f"{store}, {args.children} children x 3 commands, then one billing run; "
        f"{args.rounds} rounds"
    )
    for index, what in enumerate(("commands/s", "billing events/s")):
        medians: dict[str, Any] = {}
        for mode, values in found.items():
            figures = [v[index] for v in values]
            medians[mode] = statistics.median(figures)
            shown = ", ".join(f"{v:.0f}" for v in figures)
            print(f"  {what:<17} {mode:<14} median {medians[mode]:8.0f}  ({shown})")
        ratio = medians["with chain"] / medians["without chain"]
        target = " (target >= 0.90: " + ("met)" if ratio >= 0.9 else "NOT met)")
        print(f"  {what:<17} ratio with/without: {ratio:.3f}{target if index == 0 else ''}")


if __name__ == "__main__":
    main()
