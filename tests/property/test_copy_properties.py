"""Property: a copy interrupted after any number of batches, of any size, and run again
(as often as it takes) leaves the target holding exactly the source's log, each event at
its position, and the same chain head; never an event twice, never one missing."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pfdo.application.store_copy import copy_store
from pfdo.storage.copying import log_events
from pfdo.storage.store import StoreURL

RELEASE = Path(__file__).resolve().parent.parent / "fixtures" / "release-store.sqlite"


class Interrupted(Exception):
    """Stands for the process dying after a batch committed."""


def _stop_after(batches: int) -> object:
    seen = [0]

    def progress(done: int, total: int) -> None:
        seen[0] += 1
        if seen[0] >= batches:
            raise Interrupted

    return progress


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    runs=st.lists(
        st.tuples(st.integers(min_value=1, max_value=400), st.integers(min_value=1, max_value=4)),
        min_size=1,
        max_size=4,
    )
)
def test_an_interrupted_copy_run_again_holds_the_whole_log_once(
    runs: list[tuple[int, int]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "source.sqlite", Path(folder) / "target.sqlite"
        shutil.copyfile(RELEASE, source)
        everything = log_events(StoreURL.parse(str(source)))
        for batch, batches in runs:
            with contextlib.suppress(Interrupted):
                copy_store(str(source), str(target), batch=batch, progress=_stop_after(batches))
            copied = log_events(StoreURL.parse(str(target)))
            assert copied == everything[: len(copied)]
        finished = copy_store(str(source), str(target))
        assert finished.verified
        assert log_events(StoreURL.parse(str(target))) == everything
