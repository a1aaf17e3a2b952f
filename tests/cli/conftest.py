"""Fixtures for the command-line tests: a store per test and a municipality's year.

`year` sets up, through the command line itself, what most tests start from: period 2025
(2025-01-01..2025-12-31) of municipality `city` with categories `base` (12000.00, at most
100 certificates and 1200000.00 in all) and `small` (1000.00); provider `school-1` with
program `chess` at 1500.00 a month for ages 5 to 12; and certificate 1000000001 of a child
born 2015-06-01, issued and funded in `base` on 2025-01-10.
"""

from __future__ import annotations

import pytest
from cli_helpers import OPERATOR, Pfdo, set_up_year


@pytest.fixture(autouse=True)
def operator(monkeypatch: pytest.MonkeyPatch) -> str:
    """Who runs the commands (rule 25): `PFDO_ACTOR`, the same on every machine."""
    monkeypatch.setenv("PFDO_ACTOR", OPERATOR)
    return OPERATOR


@pytest.fixture
def pfdo(db_url: str) -> Pfdo:
    """`pfdo` on an empty store of this test's own (SQLite, then PostgreSQL)."""
    return Pfdo(db_url)


@pytest.fixture
def year(pfdo: Pfdo) -> Pfdo:
    """`pfdo` on a store with a municipality's year set up (see above)."""
    return set_up_year(pfdo)
