"""The errors of the libraries under pfdo, turned into pfdo's own at the public API.

A portal that embeds `Ledger` catches `PfdoError` and nothing else: an error of the event
store (`eventsourcing`), of SQLAlchemy or of a database driver never reaches it. A lost
optimistic-concurrency race becomes `ConcurrencyConflict` (when the retries are spent);
every other failure of the store (busy, unreachable, refusing a statement) becomes
`StoreUnavailable`, with one line naming the store and the library's reason.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from eventsourcing.domain import EventSourcingError
from eventsourcing.persistence import ConnectionUnavailableError, RecordConflictError
from sqlalchemy.exc import SQLAlchemyError

from pfdo.domain.errors import ConcurrencyConflict, PfdoError, StoreUnavailable
from pfdo.store import StoreURL

P = ParamSpec("P")
T = TypeVar("T")


def _driver_errors() -> tuple[type[Exception], ...]:
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return (sqlite3.Error,)
    return (sqlite3.Error, psycopg.Error)


LIBRARY_ERRORS: tuple[type[Exception], ...] = (
    EventSourcingError,
    SQLAlchemyError,
    *_driver_errors(),
)


def one_line(error: BaseException) -> str:
    """The library's message on one line, its class name when it has none."""
    text = " ".join(str(error).split())
    return text or type(error).__name__


def as_pfdo_error(error: Exception, store: StoreURL) -> PfdoError:
    """The pfdo error a library error means, for the store `store`."""
    if isinstance(error, RecordConflictError):
        return ConcurrencyConflict(
            f"another writer changed the same records of {store.describe()} at the same "
            "time; this call wrote nothing, try it again"
        )
    if isinstance(error, ConnectionUnavailableError):
        return StoreUnavailable(f"{store.describe()} is busy: {one_line(error)}; try again")
    return StoreUnavailable(f"{store.describe()} failed: {one_line(error)}")


@contextmanager
def store_errors(store: StoreURL) -> Iterator[None]:
    """Raise the block's library errors as pfdo errors (`from None`)."""
    try:
        yield
    except PfdoError:
        raise
    except LIBRARY_ERRORS as error:
        raise as_pfdo_error(error, store) from None


class _OnAStore(Protocol):
    store: StoreURL


S = TypeVar("S", bound=_OnAStore)


def translated(method: Callable[Concatenate[S, P], T]) -> Callable[Concatenate[S, P], T]:
    """A public method whose library errors reach its caller as pfdo errors."""

    @functools.wraps(method)
    def wrapper(self: S, /, *args: P.args, **kwargs: P.kwargs) -> T:
        with store_errors(self.store):
            return method(self, *args, **kwargs)

    return wrapper
