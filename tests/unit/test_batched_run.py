"""The skeleton of a run in atomic batches (`pfdo.application.batched_run`): each batch
decided once it is not overtaken, merged in order, retried a bounded number of times."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import cast

import pytest

from pfdo.application.batched_run import run_in_batches
from pfdo.application.execution import MAX_ATTEMPTS, Executor
from pfdo.domain.errors import ConcurrencyConflict


class _Exclusive:
    """What the skeleton needs of an executor: a lock around each batch."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.held: list[bool] = []

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self.lock:
            self.held.append(True)
            yield


def test_each_batch_is_merged_in_order_after_the_races_it_lost() -> None:
    executor = _Exclusive()
    attempts: list[tuple[tuple[int, ...], int]] = []
    merged: list[list[int]] = []
    progress: list[tuple[int, int]] = []

    def once(batch: Sequence[int], attempt: int) -> list[int] | None:
        attempts.append((tuple(batch), attempt))
        if batch[0] == 3 and attempt < 2:  # the second batch loses two races
            return None
        return [x * 10 for x in batch]

    run_in_batches(
        cast(Executor, executor), [1, 2, 3, 4, 5], 2, once, merged.append,
        lambda done, total: progress.append((done, total)), "gave up",
    )  # fmt: skip
    assert merged == [[10, 20], [30, 40], [50]]
    assert attempts == [((1, 2), 0), ((3, 4), 0), ((3, 4), 1), ((3, 4), 2), ((5,), 0)]
    assert progress == [(2, 5), (4, 5), (5, 5)]
    assert len(executor.held) == len(attempts)  # every attempt under the lock


def test_a_batch_that_keeps_losing_gives_up_after_the_batches_before_it() -> None:
    merged: list[list[int]] = []

    def once(batch: Sequence[int], attempt: int) -> list[int] | None:
        return None if batch[0] == 3 else list(batch)

    with pytest.raises(ConcurrencyConflict, match="this batch was not done"):
        run_in_batches(
            cast(Executor, _Exclusive()), [1, 2, 3, 4, 5], 2, once, merged.append, None,
            "this batch was not done",
        )  # fmt: skip
    assert merged == [[1, 2]]  # saved before; nothing after


def test_no_items_decide_nothing() -> None:
    calls: list[int] = []
    run_in_batches(
        cast(Executor, _Exclusive()), [], 500, lambda b, a: calls.append(a), print, None, "-"
    )
    assert calls == []


def test_the_bound_is_the_executors() -> None:
    tries: list[int] = []

    def once(batch: Sequence[int], attempt: int) -> None:
        tries.append(attempt)

    with pytest.raises(ConcurrencyConflict):
        run_in_batches(cast(Executor, _Exclusive()), [1], 1, once, print, None, "-")
    assert tries == list(range(MAX_ATTEMPTS))
