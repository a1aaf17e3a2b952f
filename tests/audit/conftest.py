"""Fixtures for the audit tests: a municipality's year, and a SQLite file to tamper with.

`year_url` plays the example year into this test's store, on SQLite and then on
PostgreSQL. `year_file` is a copy of one such year in a SQLite file of the test's own
(played once per session); `tamper` edits that file directly (see audit_support).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from audit_support import Tamper, Year, play_year


@pytest.fixture
def year(db_url: str) -> Year:
    return Year(db_url, play_year(db_url))


@pytest.fixture
def year_url(year: Year) -> str:
    return year.db


@pytest.fixture(scope="session")
def year_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "year.sqlite"
    play_year(str(path))
    return path


@pytest.fixture
def year_file(year_template: Path, tmp_path: Path) -> str:
    """A copy of the played year in a SQLite file of this test's own."""
    path = tmp_path / "year.sqlite"
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{year_template}{suffix}").exists():
            shutil.copy(f"{year_template}{suffix}", f"{path}{suffix}")
    return str(path)


@pytest.fixture
def tamper(year_file: str) -> Tamper:
    return Tamper(year_file)
