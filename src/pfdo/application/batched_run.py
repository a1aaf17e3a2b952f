"""The skeleton of a run over many contracts in atomic batches (a billing run, rule 9; a
prolongation run, rule 23).

A run finds its work in the read models, then decides it a batch at a time: each batch
is loaded, decided in memory and saved in one transaction (`Once`), so an interrupted
run leaves each batch whole or not at all, and running it again does the rest. A batch
that loses a race with another writer (`Once` answers None) is loaded and decided
again, a bounded number of times. What the batches decided is merged in their order, and
the run's result is saved as the request record's result, so a retried run with the same
request id returns it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from pydantic import BaseModel

from pfdo.application import commands as cmd
from pfdo.application import idempotency
from pfdo.application.execution import MAX_ATTEMPTS, Executor
from pfdo.domain.errors import ConcurrencyConflict

T = TypeVar("T")
D = TypeVar("D")
R = TypeVar("R", bound=BaseModel)

#: Called after each batch with the number of items done and the number in all.
Progress = Callable[[int, int], None]
#: Decide and save one batch on attempt n (0-based); None when another writer came first.
Once = Callable[[Sequence[T], int], D | None]


def run_in_batches(
    executor: Executor,
    items: Sequence[T],
    size: int,
    once: Once[T, D],
    merge: Callable[[D], None],
    progress: Progress | None,
    gave_up: str,
) -> None:
    """Decide `items` `size` at a time with `once`, each batch while no other thread of
    this process runs a command, merging what each decided in order.

    Raises:
        ConcurrencyConflict: a batch lost its race `MAX_ATTEMPTS` times (`gave_up` says
            what was not done; the batches before it are saved).
    """
    for start in range(0, len(items), size):
        batch = items[start : start + size]
        for attempt in range(MAX_ATTEMPTS):
            with executor.exclusive():
                decided = once(batch, attempt)
            if decided is not None:
                merge(decided)
                break
        else:
            raise ConcurrencyConflict(gave_up)
        if progress is not None:
            progress(min(start + size, len(items)), len(items))


def record_run(executor: Executor, command: cmd.Command, request_id: str | None, result: R) -> R:
    """Save the run's result as its request's record (nothing without a request id),
    by the run's actor; the result as answered to a first execution.

    Raises:
        PfdoError: the store refused the save (`StoreUnavailable`, ...).
    """
    with executor.exclusive():
        record = idempotency.request_record(executor.ids, command, request_id, result)
        executor.project(executor.save(*record, actor=executor.actor_of(command)))
    return idempotency.answered(result, request_id)
