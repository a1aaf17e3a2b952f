"""What the audit hash chain costs ordinary commands.

Two fresh stores are set up alike (a period, a provider, a program); then, in batches,
new children are issued, funded and enrolled on both, one command at a time (each one
durable save and one catch-up, which is where the chain is computed): on one store with
the chain, on the other with the projector's chain hook switched off. The batches
alternate between the two stores (and which goes first), so that the noise of a shared
machine falls on both alike. Each round ends with one billing run of a month on each
store (the bulk path: the catch-up after it hashes every event it folds). The figures
are commands/s and billing events/s of each mode, per round, and the median ratio.

    python bench/chain_overhead.py [--children 300] [--rounds 5] [--db-url postgresql://...]

Without --db-url the stores are SQLite files in a temporary folder.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from pfdo import Ledger
from pfdo.application.collector import collector_paused
from pfdo.projections.chain import ChainKeeper

BATCH = 25


@contextmanager
def chain_switched_off() -> Iterator[None]:
    """The projector folds as usual but computes and stores no chain hashes."""
    extend, complete = ChainKeeper.extend, ChainKeeper.complete
    ChainKeeper.extend = lambda *_: None  # type: ignore[method-assign]
    ChainKeeper.complete = lambda *_: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        ChainKeeper.extend, ChainKeeper.complete = extend, complete  # type: ignore[method-assign]


def set_up(ledger: Ledger) -> None:
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


def enrol_children(ledger: Ledger, first: int, count: int) -> float:
    """Issue, fund and enrol `count` new children; the seconds it took."""
    started = time.perf_counter()
    for i in range(first, first + count):
        number = ledger.issue_certificate(
            child=f"bench-{i}", birth_date="2015-05-01", municipality="city", on="2025-01-05"
        ).number
        ledger.fund_certificate(number, period="2025", category="base", on="2025-01-06")
        ledger.enroll(
            number, program="CHESS", start="2025-02-01", end="2025-05-31", on="2025-01-20"
        )
    return time.perf_counter() - started


def bill(ledger: Ledger) -> float:
    """Bill 2025-02 for every contract; events written per second."""
    before, started = ledger.log_position(), time.perf_counter()
    with collector_paused():  # as the command line runs a billing
        ledger.bill("2025-02", on="2025-03-01")
    return (ledger.log_position() - before) / (time.perf_counter() - started)


def one_round(new_store: Callable[[], str], children: int) -> dict[str, tuple[float, float]]:
    """{mode: (commands/s, billing events/s)} for one pair of fresh stores."""
    modes: dict[str, Any] = {"with chain": nullcontext, "without chain": chain_switched_off}
    seconds = dict.fromkeys(modes, 0.0)
    ledgers = {mode: Ledger(new_store()) for mode in modes}
    try:
        for mode, ledger in ledgers.items():
            with modes[mode]():
                set_up(ledger)
        for batch, first in enumerate(range(0, children, BATCH)):
            order = list(modes) if batch % 2 == 0 else list(reversed(modes))
            for mode in order:
                with modes[mode]():
                    seconds[mode] += enrol_children(ledgers[mode], first, BATCH)
        billed = {}
        for mode in modes:
            with modes[mode]():
                billed[mode] = bill(ledgers[mode])
    finally:
        for ledger in ledgers.values():
            ledger.close()
    done = 3 * len(range(0, children, BATCH)) * BATCH
    return {mode: (done / seconds[mode], billed[mode]) for mode in modes}


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
    rounds = []
    with (
        tempfile.TemporaryDirectory() as folder,
        store_factory(args.db_url, Path(folder)) as new_store,
    ):
        for _ in range(args.rounds):
            rounds.append(one_round(new_store, args.children))
    store = "PostgreSQL" if args.db_url else "SQLite"
    print(
        f"{store}: {args.children} children x 3 commands, then one billing run; "
        f"{args.rounds} rounds, each mode in alternating batches of {BATCH} children"
    )
    for index, what in enumerate(("commands/s", "billing events/s")):
        for mode in ("with chain", "without chain"):
            shown = ", ".join(f"{r[mode][index]:.0f}" for r in rounds)
            print(f"  {what:<17} {mode:<14} {shown}")
        ratios = [r["with chain"][index] / r["without chain"][index] for r in rounds]
        ratio = statistics.median(ratios)
        verdict = ("met" if ratio >= 0.9 else "NOT met") if index == 0 else "no target"
        shown = ", ".join(f"{x:.3f}" for x in ratios)
        print(f"  {what:<17} ratio with/without: median {ratio:.3f} ({shown}); >= 0.90: {verdict}")


if __name__ == "__main__":
    main()
