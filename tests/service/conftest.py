"""Fixtures of the service's tests: a server per module and backend on its own store.

Each module that takes `world` gets one store (a SQLite file, or a PostgreSQL database
of `PFDO_TEST_POSTGRES`) set up with `service_helpers.build_world`, and one real `pfdo
serve` on a free loopback port. Every test here opens a store (the `store` mark comes from
the folder), and those on PostgreSQL carry the `postgres` mark.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from service_helpers import Server, World, build_world, serving
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=BACKENDS)
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty store for the module: SQLite, then PostgreSQL."""
    if request.param == "sqlite":
        yield str(tmp_path_factory.mktemp("service") / "pfdo.sqlite")
        return
    server = os.environ.get("PFDO_TEST_POSTGRES")
    if not server:
        pytest.skip("PFDO_TEST_POSTGRES is not set: see scripts/pg-test-server")
    name = f"pfdo_service_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        server.replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    try:
        yield f"{server.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def world(store: str) -> Iterator[World]:
    """The region of `service_helpers`, its tokens, and a ledger of the test's own."""
    built = build_world(store)
    try:
        yield built
    finally:
        built.ledger.close()


@pytest.fixture(scope="module")
def server(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`pfdo serve` on the world's store."""
    log = tmp_path_factory.mktemp("serve-log") / "serve.log"
    with serving(world.db, log_path=str(log)) as running:
        yield running
