"""Opening a store: URLs, first use, and clear errors when the store cannot be opened."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import make_url

from pfdo import InvalidInput, Ledger, NoStore, StoreUnavailable
from pfdo.storage.store import Found, State, StoreURL, inspect_sqlite, refusal, store_errors


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


@pytest.mark.parametrize("password", ["p@ss/w:rd", "a%b#c?d", "пароль"])
def test_a_postgresql_password_of_any_characters_reaches_the_driver_as_it_is(
    password: str,
) -> None:
    url = StoreURL.parse(f"postgresql://pfdo:{quote(password, safe='')}@db.local:6543/region")
    engine_url = url.sqlalchemy_url()
    assert (engine_url.username, engine_url.password) == ("pfdo", password)
    assert (engine_url.host, engine_url.port, engine_url.database) == ("db.local", 6543, "region")
    again = make_url(engine_url.render_as_string(hide_password=False))
    assert (again.password, again.host, again.database) == (password, "db.local", "region")


def test_a_postgresql_database_name_is_unquoted_from_the_url() -> None:
    url = StoreURL.parse("postgresql://pfdo@db.local/region%20%22north%22")
    assert dict(url.pg)["POSTGRES_DBNAME"] == 'region "north"'
    assert url.sqlalchemy_url().database == 'region "north"'


def test_a_sqlite_path_becomes_an_engine_url_and_a_read_only_uri(tmp_path: Path) -> None:
    path = tmp_path / "a b?c#d.sqlite"
    url = StoreURL.parse(str(path))
    assert url.sqlalchemy_url().database == str(path)
    assert url.sqlite_read_only_uri() == (
        f"file:{quote(str(path))}?mode=ro&immutable=1"  # no -wal beside it: no writer
    )


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
    with pytest.raises(StoreUnavailable, match=f"cannot create .*: {blocker} is not a folder"):
        Ledger(str(blocker / "pfdo.sqlite"))


def test_a_store_is_created_only_in_a_folder_that_exists(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable, match=r"the folder .*missing does not exist"):
        Ledger(str(tmp_path / "missing" / "pfdo.sqlite"))
    assert list(tmp_path.iterdir()) == []


def test_an_existing_store_only_is_opened_when_asked_not_to_create(db_url: str) -> None:
    with pytest.raises(NoStore, match="no pfdo store at "):
        Ledger(db_url, create=False)
    with Ledger(db_url) as ledger:
        ledger.add_provider("P1", name="Школа")
    with Ledger(db_url, create=False) as ledger:
        assert (ledger.log_position(), ledger.read_only) == (1, False)


def test_a_store_opened_read_only_answers_as_stored_and_refuses_commands(db_url: str) -> None:
    with Ledger(db_url) as ledger:
        ledger.add_provider("P1", name="Школа")
    with Ledger(db_url, project_after_commands=False) as ledger:
        ledger.add_provider("P2", name="Школа 2")
    with Ledger(db_url, read_only=True) as ledger:
        assert (ledger.read_only, ledger.read_models_behind()) == (True, 1)
        with pytest.raises(StoreUnavailable, match="it is read-only"):
            ledger.add_provider("P3", name="Школа 3")
        assert ledger.read_models_behind() == 1


def test_the_store_is_created_on_first_use(db_url: str) -> None:
    with Ledger(db_url) as ledger:
        assert ledger.log_position() == 0
    with Ledger(db_url) as ledger:
        ledger.add_provider("P1", name="Школа")
    with Ledger(db_url) as ledger:
        assert ledger.log_position() == 1


def _made(tmp_path: Path, what: str) -> Path:
    """A path holding `what`, made in the test's folder."""
    path = tmp_path / "store.sqlite"
    if what == "folder":
        path.mkdir()
    elif what == "empty":
        path.touch()
    elif what == "not_sqlite":
        path.write_text("hello\n")
    elif what == "foreign":
        connection = sqlite3.connect(path)
        connection.execute("CREATE TABLE notes (text TEXT)")
        connection.close()
    elif what == "ok":
        Ledger(str(path)).close()
    elif what == "no_folder":
        return tmp_path / "missing" / "store.sqlite"
    elif what == "not_a_folder":
        (tmp_path / "file").write_text("")
        return tmp_path / "file" / "store.sqlite"
    return path


@pytest.mark.parametrize(
    "what",
    ["missing", "no_folder", "not_a_folder", "folder", "empty", "not_sqlite", "foreign", "ok"],
)
def test_what_is_at_a_sqlite_path_is_told_without_changing_anything(
    tmp_path: Path, what: str
) -> None:
    path = _made(tmp_path, what)
    before = sorted((p.name, p.stat().st_mtime_ns) for p in tmp_path.rglob("*"))
    assert inspect_sqlite(path).state == what
    assert sorted((p.name, p.stat().st_mtime_ns) for p in tmp_path.rglob("*")) == before


@pytest.mark.parametrize(
    ("state", "create", "write", "refused"),
    [
        ("missing", False, False, "no pfdo store at s.sqlite"),
        ("empty", False, True, "no pfdo store at s.sqlite"),
        ("missing", True, True, None),
        ("no_folder", True, True, "cannot create SQLite file s.sqlite: why"),
        ("read_only", False, False, None),
        ("read_only", True, True, "cannot write to SQLite file s.sqlite: it is read-only (why)"),
        ("folder", False, False, "cannot open SQLite file s.sqlite: why"),
        ("unreachable", True, True, "cannot open SQLite file s.sqlite: why"),
        ("ok", True, True, None),
    ],
)
def test_a_store_is_refused_for_what_is_there_and_what_the_caller_means_to_do(
    state: State, create: bool, write: bool, refused: str | None
) -> None:
    found = Found(state, "" if state == "missing" else "why")
    error = refusal(StoreURL.parse("s.sqlite"), found, create=create, write=write)
    assert (None if error is None else str(error)) == refused
    assert isinstance(error, NoStore) == (refused or "").startswith("no pfdo store")


def test_a_locked_store_is_named_with_the_reason() -> None:
    with (
        pytest.raises(StoreUnavailable) as raised,
        store_errors(StoreURL.parse("s.sqlite"), "cannot open"),
    ):
        raise sqlite3.OperationalError("database is locked")
    assert str(raised.value) == (
        "cannot open SQLite file s.sqlite: it is locked by another process (database is locked)"
    )
