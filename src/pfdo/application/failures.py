"""The errors of the libraries under pfdo, turned into pfdo's own at the public API.

A portal that embeds `Ledger` catches `PfdoError` and nothing else: every public method
of the `Ledger` runs inside `pfdo.storage.store.store_errors`, which turns an error of the event
store (`eventsourcing`), of SQLAlchemy or of a database driver into `ConcurrencyConflict`
(a lost optimistic-concurrency race) or `StoreUnavailable`, on one line naming the store.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from pfdo.storage.store import StoreURL, store_errors

P = ParamSpec("P")
T = TypeVar("T")


class _OnAStore(Protocol):
    store: StoreURL


S = TypeVar("S", bound=_OnAStore)


def translated(method: Callable[Concatenate[S, P], T]) -> Callable[Concatenate[S, P], T]:
    """A public method whose library errors reach its caller as pfdo errors."""

    @functools.wraps(method)
    def wrapper(self: S, /, *args: P.args, **kwargs: P.kwargs) -> T:
        with store_errors(self.store, "failed on"):
            return method(self, *args, **kwargs)

    return wrapper
