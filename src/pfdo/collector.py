"""Pausing Python's cycle collector around the bulk operations.

A rebuild or a billing run allocates millions of objects that stay alive for the whole
operation (rows, events, aggregates) and form no reference cycles; the collector would
walk them again and again (a third of a rebuild's time) and free nothing. It is paused
for the operation and re-enabled after it, if it was on. It is process-wide: other
threads of the process run without it meanwhile.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector for the block."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
