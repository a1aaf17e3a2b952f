"""Running the service: uvicorn with the application factory, one `Ledger` per worker
process. uvicorn stops gracefully on SIGTERM: it takes no new connections, lets the
requests in flight finish, then each worker closes its `Ledger`."""

from __future__ import annotations

import os

import uvicorn

from pfdo.service.context import ENVIRONMENT, Options, Service


def check_store(options: Options) -> None:
    """Open the store as a worker would, and close it: a missing or unusable store is
    refused here, with one line, before any worker starts.

    Raises:
        NoStore: there is no pfdo store at `options.db` (make a token first: that creates it).
        StoreUnavailable: the store cannot be opened or written.
        InvalidInput: `options.db` is not a store URL pfdo understands.
    """
    Service(options).close()


def run(options: Options, *, host: str, port: int) -> None:
    """Serve until SIGTERM or Ctrl-C (`options.workers` processes)."""
    os.environ[ENVIRONMENT] = options.to_environment()
    uvicorn.run(
        "pfdo.service.app:from_environment",
        factory=True,
        host=host,
        port=port,
        workers=options.workers,
        proxy_headers=False,
        server_header=False,
        log_level="info",
        timeout_graceful_shutdown=30,
    )
