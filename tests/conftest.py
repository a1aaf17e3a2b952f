"""Fixtures shared by every suite: a fresh store per test, on SQLite and on PostgreSQL.

Every test that takes `db_url` (or `ledger`) runs once per backend. SQLite is a file in
the test's temporary folder. PostgreSQL runs when `PFDO_TEST_POSTGRES` names a server
(`postgresql://USER@HOST:PORT/DB`, as `scripts/pg-test-server` prints): each test gets a
database of its own, dropped afterwards. Without it the PostgreSQL half is skipped, and
`.ci/run` always sets it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from pfdo import Ledger

BACKENDS = ["sqlite", "postgresql"]
NewStore = Callable[[], str]


class _PostgresStores:
    """Creates throw-away databases on the test server and drops them at the end."""

    def __init__(self, server_url: str) -> None:
        base = server_url.replace("postgresql://", "postgresql+psycopg://", 1)
        self._admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self._server = server_url.rsplit("/", 1)[0]
        self._created: list[str] = []

    def new(self) -> str:
        name = f"pfdo_test_{uuid.uuid4().hex[:12]}"
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
        self._created.append(name)
        return f"{self._server}/{name}"

    def drop_all(self) -> None:
        with self._admin.connect() as connection:
            for name in self._created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._admin.dispose()


@pytest.fixture(params=BACKENDS)
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[NewStore]:
    """A factory of fresh, empty stores on the test's backend."""
    if request.param == "sqlite":
        counter = iter(range(1_000_000))
        yield lambda: str(tmp_path / f"pfdo-{next(counter)}.sqlite")
        return
    server = os.environ.get("PFDO_TEST_POSTGRES")
    if not server:
        pytest.skip("PFDO_TEST_POSTGRES is not set: see scripts/pg-test-server")
    stores = _PostgresStores(server)
    try:
        yield stores.new
    finally:
        stores.drop_all()


@pytest.fixture
def db_url(new_store: NewStore) -> str:
    return new_store()


@pytest.fixture
def ledger(db_url: str) -> Iterator[Ledger]:
    with Ledger(db_url) as opened:
        yield opened
