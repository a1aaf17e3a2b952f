"""Following the log continuously: a projection worker beside the portals (`pfdo follow`).

The worker folds whatever the log holds beyond the read models' position (the same
exactly-once catch-up every command runs), then waits. On PostgreSQL it listens to the
event table's channel, on which the event store notifies every insert, so it wakes at
once; a notification can be lost (a dropped connection, a restart), so it never waits
longer than the poll interval either. On SQLite it polls.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pfdo.storage.store import StoreURL


class _Sleeper:
    def wait(self, seconds: float) -> None:
        time.sleep(seconds)

    def close(self) -> None:
        pass


class _Listener:
    """Waits for a NOTIFY on the event table's channel, or for the poll interval."""

    def __init__(self, url: StoreURL, channel: str) -> None:
        from psycopg.sql import SQL, Identifier

        from pfdo.storage.store import connect_postgres

        self._connection: Any = connect_postgres(url)
        self._connection.execute(SQL("LISTEN {0}").format(Identifier(channel)))

    def wait(self, seconds: float) -> None:
        try:
            for _ in self._connection.notifies(timeout=seconds, stop_after=1):
                pass
        except Exception:  # a broken connection: the poll interval still bounds the wait
            time.sleep(seconds)

    def close(self) -> None:
        self._connection.close()


def follow(
    catch_up: Callable[[], int],
    url: StoreURL,
    channel: str | None,
    *,
    poll: float = 1.0,
    stop: Callable[[], bool] = lambda: False,
    on_fold: Callable[[int], None] | None = None,
) -> int:
    """Fold new events until `stop()` is true; return how many were folded in all."""
    waiter: _Sleeper | _Listener = _Sleeper()
    if url.kind == "postgresql" and channel:
        try:
            waiter = _Listener(url, channel)
        except Exception:  # no LISTEN today: polling alone is still correct
            waiter = _Sleeper()
    total = 0
    try:
        while not stop():
            folded = catch_up()
            total += folded
            if folded and on_fold is not None:
                on_fold(folded)
            if not folded:
                waiter.wait(poll)
    finally:
        waiter.close()
    return total
