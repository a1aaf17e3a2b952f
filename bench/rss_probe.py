"""Peak memory of one operation, in a process of its own. Prints JSON with the events read
and, in KiB, the resident memory just before the operation and its peak during it.

    python bench/rss_probe.py rebuild|read DB [--traced]

`rebuild` runs `Ledger.rebuild()`; `read` is its streaming peer, the library's notification
reading in pages of 1,000 with every notification decoded to a domain event. The peak is
Linux's VmHWM after resetting it (`/proc/self/clear_refs`) once the store is open, so
imports and opening do not count; where the reset is refused it is ru_maxrss, which
includes them. With `--traced`, the peak of Python allocations during the operation
(tracemalloc, bytes) is measured too; tracemalloc costs memory of its own, so the RSS
figures come from a run without it.
"""

from __future__ import annotations

import json
import re
import resource
import sys
import tracemalloc
from pathlib import Path

from baselines import library_read

from pfdo import Ledger
from pfdo.application.collector import collector_paused

STATUS = Path("/proc/self/status")


def _status_kib(field: str) -> int | None:
    try:
        found = re.search(rf"^{field}:\s+(\d+) kB", STATUS.read_text(), re.MULTILINE)
    except OSError:
        return None
    return int(found.group(1)) if found else None


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def main() -> None:
    operation, db = sys.argv[1], sys.argv[2]
    traced = "--traced" in sys.argv[3:]
    with Ledger(db) as ledger:
        reset = _reset_peak()
        before = _status_kib("VmRSS") or 0
        if traced:
            tracemalloc.start()
        if operation == "rebuild":
            with collector_paused():  # as the command line runs a rebuild
                events = ledger.rebuild().events
        else:
            events, _seconds = library_read(ledger._log)
        peak_bytes = tracemalloc.get_traced_memory()[1] if traced else 0
        peak = _status_kib("VmHWM") if reset else None
    print(
        json.dumps(
            {
                "events": events,
                "rss_before_kib": before,
                "peak_kib": peak or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "peak_is_operation_only": bool(reset and peak),
                "traced_peak_bytes": peak_bytes,
            }
        )
    )


if __name__ == "__main__":
    main()
