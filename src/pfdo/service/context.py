"""What one worker process of the service holds: the options it was started with, one
`Ledger` shared by every request (it is thread-safe; FastAPI runs the endpoints in its
thread pool) and the token table of the same store."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

from pfdo.ledger import Ledger
from pfdo.storage.store import open_engine, store_errors
from pfdo.storage.tokens import TokenTable

#: The largest request body taken, in bytes (larger: 413).
MAX_BODY = 1024 * 1024
#: The environment variable that hands the options to the worker processes.
ENVIRONMENT = "PFDO_SERVE_OPTIONS"
#: Who the Ledger names when a request names no one (every request does: `token:NAME`).
SERVICE_ACTOR = "pfdo-serve"


@dataclass(frozen=True)
class Options:
    """How the service is run: the store (`--db`), a busy timeout in seconds, the origins
    browsers may call it from (none: no CORS), the largest body, the worker processes."""

    db: str | None = None
    busy_timeout: float | None = None
    cors_origins: tuple[str, ...] = ()
    max_body: int = MAX_BODY
    workers: int = 1

    def to_environment(self) -> str:
        """The options as the worker processes read them back (`from_environment`)."""
        return json.dumps(asdict(self))

    @staticmethod
    def from_environment() -> Options:
        """The options the `serve` command left in the environment (defaults without)."""
        raw = os.environ.get(ENVIRONMENT)
        if raw is None:
            return Options(db=os.environ.get("PFDO_DB"))
        given = json.loads(raw)
        given["cors_origins"] = tuple(given.get("cors_origins", ()))
        return Options(**given)


def open_ledger(options: Options) -> Ledger:
    """The worker's `Ledger` on an existing store, with the busy timeout asked for."""
    if options.busy_timeout is None:
        return Ledger(options.db, create=False, actor=SERVICE_ACTOR)
    return Ledger(options.db, create=False, actor=SERVICE_ACTOR, busy_timeout=options.busy_timeout)


class Service:
    """A worker's ledger and token table, opened when the worker starts."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.ledger = open_ledger(options)
        try:
            with store_errors(self.ledger.store):
                self._engine = open_engine(self.ledger.store)
                self.tokens = TokenTable(self._engine)
        except BaseException:
            self.ledger.close()
            raise

    def close(self) -> None:
        """Close the ledger (it folds what it wrote) and the token table's connections."""
        try:
            self.ledger.close()
        finally:
            self._engine.dispose()
