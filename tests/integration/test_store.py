"""Opening a store: URLs, first use, and clear errors when the store cannot be opened."""

from __future__ import annotations

from pathlib import Path

import pytest

from pfdo import InvalidInput, Ledger, StoreUnavailable
from pfdo.store import StoreURL


def test_a_plain_path_and_a_sqlite_url_name_the_same_file(tmp_path: Path) -> None:
    path = str(tmp_path / "x.sqlite")
    assert StoreURL.parse(path) == StoreURL.parse(f"sqlite:///{path}")


def test_the_environment_names_the_store_when_no_url_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PFDO_DB", str(tmp_path / "env.sqlite"))
    assert StoreURL.parse(None).sqlite_path == str(tmp_path / "env.sqlite")
    monkeypatch.delenv("PFDO_DB")
    assert StoreURL.parse(None).sqlite_path == "pfdo.sqlite"


def test_a_postgresql_url_gives_server_user_and_database() -> None:
    url = StoreURL.parse("postgresql://pfdo:s%40cret@db.local:6543/region")
    pg = dict(url.pg)
    assert (
        pg["POSTGRES_HOST"],
        pg["POSTGRES_PORT"],
        pg["POSTGRES_USER"],
        pg["POSTGRES_PASSWORD"],
        pg["POSTGRES_DBNAME"],
    ) == ("db.local", "6543", "pfdo", "s@cret", "region")
    assert url.describe() == "PostgreSQL database region on db.local:6543"


@pytest.mark.parametrize("url", ["mysql://x/y", "postgresql://host-only", ":memory:"])
def test_unusable_urls_are_refused_as_input_errors(url: str) -> None:
    with pytest.raises(InvalidInput):
        StoreURL.parse(url)


def test_an_unreachable_server_is_named_with_the_reason() -> None:
    with pytest.raises(
        StoreUnavailable,
        match=r"cannot open PostgreSQL database region on "
        r"127\.0\.0\.1:9: .*(refused|timeout)",
    ):
        Ledger("postgresql://postgres@127.0.0.1:9/region")


def test_a_sqlite_file_in_an_impossible_folder_is_named_with_the_reason(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreUnavailable, match="cannot create SQLite file"):
        Ledger(str(blocker / "sub" / "pfdo.sqlite"))


def test_the_store_is_created_on_first_use(db_url: str) -> None:
    with Ledger(db_url) as ledger:
        assert ledger.log_position() == 0
    with Ledger(db_url) as ledger:
        ledger.add_provider("P1", name="Школа")
    with Ledger(db_url) as ledger:
        assert ledger.log_position() == 1
