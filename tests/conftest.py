"""Fixtures shared by every suite: a fresh store per test.

The store is a SQLite file in the test's temporary folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pfdo import Ledger


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return str(tmp_path / "pfdo.sqlite")


@pytest.fixture
def ledger(db_url: str) -> Iterator[Ledger]:
    with Ledger(db_url) as opened:
        yield opened
