"""Pausing Python's cycle collector around a bulk operation: the application's choice.

A rebuild or a billing run allocates millions of objects that stay alive for the whole
operation (rows, events, aggregates) and form no reference cycles; the collector would
walk them again and again (a third of a rebuild's time) and free nothing. But the
collector is process-wide: paused, it is paused for every thread of the process, so a
library must not do that to the process that embeds it. `Ledger.bill()` and
`Ledger.rebuild()` leave it alone; the command line (`pfdo bill`, `pfdo rebuild`) and
the benchmarks, which own their processes, wrap the run in `collector_paused()`, and so
may a portal that knows no other thread of its process needs the collector meanwhile.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector for the block; re-enable it after, if it was on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
