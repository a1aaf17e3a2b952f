"""Helpers for the ledger property tests: fresh stores on SQLite or PostgreSQL, and all
that the ledger reports about some certificates and providers, as plain comparable data.

The `@given` tests take their stores from the `new_store` fixture (tests/conftest.py). The
state machine cannot take fixtures, so it makes a store per example with `fresh_store`:
a file in a temporary directory, or a database of its own on the PostgreSQL server named
by `PFDO_TEST_POSTGRES`, created from `template0` and dropped afterwards.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pfdo_model import PERIOD_MONTHS
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from pfdo import Ledger

POSTGRES_SERVER = "PFDO_TEST_POSTGRES"


def postgres_server() -> str | None:
    """The URL of the PostgreSQL test server, or None when the suite runs without one."""
    return os.environ.get(POSTGRES_SERVER) or None


@contextmanager
def fresh_store(backend: str) -> Iterator[str]:
    """The URL of a new, empty store on `backend` ("sqlite" or "postgresql"), removed
    when the block ends."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="pfdo-property-") as directory:
            yield str(Path(directory) / "ledger.sqlite")
        return
    server = postgres_server()
    if server is None:
        raise RuntimeError(f"{POSTGRES_SERVER} is not set: see scripts/pg-test-server")
    admin_url = server.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"pfdo_property_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
        try:
            yield f"{server.rsplit('/', 1)[0]}/{name}"
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def reports(
    ledger: Ledger,
    numbers: Iterable[str],
    providers: Iterable[str],
    months: Iterable[str] = PERIOD_MONTHS,
) -> dict[str, Any]:
    """Every balance, history and register line the ledger reports, keyed by what it is."""
    result: dict[str, Any] = {}
    for number in sorted(numbers):
        result[f"balance {number}"] = ledger.balance(number).model_dump()
        result[f"history {number}"] = ledger.history(number).model_dump()
    for provider in sorted(providers):
        for month in months:
            result[f"register {provider} {month}"] = ledger.register(
                provider, month=month
            ).model_dump()
    return result
