"""The store, when it is opened (docs/CLI.md): it opens, or one line `Error:` says why not.

A command that only reads never creates a store; a writing command creates one, but
only in a folder that exists. A folder, a file that is not a pfdo store, a read-only
store written to, an unreachable server: exit 1, one `Error:` line naming the store and
the reason, no traceback, and nothing created or written. A read-only copy (an auditor's)
answers from its read models as stored and says how many events they are behind the log.

Root may write any file, so the read-only cases run `pfdo` in a child process as root
without the capabilities that override file permissions (`setpriv`), or as the user the
suite runs as when that is not root: the file modes then bind as they would bind an
auditor. A probe checks that they do before each such test.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from cli_helpers import NUMBER, SECOND, Pfdo, one_error_line
from click.testing import CliRunner

from pfdo import Ledger
from pfdo.cli import main

Files = dict[str, str]


def files(folder: Path) -> Files:
    """Every file under `folder` with a hash of its bytes: what a command must not change."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        if path.is_file()
        else "folder"
        for path in sorted(folder.rglob("*"))
    }


def logged(path: Path) -> int:
    """How many events a SQLite store's log holds, read without touching the store."""
    connection = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return int(connection.execute("SELECT count(*) FROM stored_events").fetchone()[0])
    finally:
        connection.close()


def refused(args: Sequence[str], env: dict[str, str] | None = None) -> str:
    """Run `pfdo ARGS` in process: exit 1, nothing on stdout, one `Error:` line."""
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    return one_error_line(result.stderr)


# -- a read never creates a store; a write creates one only in a folder that exists -------


def test_a_read_of_a_missing_file_says_there_is_no_store_and_creates_nothing(
    tmp_path: Path,
) -> None:
    store = tmp_path / "pfdo.sqlite"
    for args in (["balance", NUMBER], ["history", NUMBER], ["audit", "verify"]):
        assert refused(["--db", str(store), *args, "--json"]) == f"Error: no pfdo store at {store}"
    assert files(tmp_path) == {}


def test_a_read_of_a_store_in_a_missing_folder_creates_no_folder(tmp_path: Path) -> None:
    store = tmp_path / "missing" / "dir" / "x.sqlite"
    assert refused(["--db", str(store), "balance", "1"]) == f"Error: no pfdo store at {store}"
    assert files(tmp_path) == {}


def test_a_write_into_a_missing_folder_is_refused_and_creates_no_folder(tmp_path: Path) -> None:
    store = tmp_path / "missing" / "dir" / "x.sqlite"
    line = refused(["--db", str(store), "provider", "add", "p1", "--name", "P"])
    assert line == (
        f"Error: cannot create SQLite file {store}: "
        f"the folder {tmp_path / 'missing' / 'dir'} does not exist"
    )
    assert files(tmp_path) == {}


def test_a_garbled_store_url_in_the_environment_creates_no_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    line = refused(["balance", "1"], env={"PFDO_DB": "::garbage::%%"})
    assert line == "Error: no pfdo store at ::garbage::%%"
    assert files(tmp_path) == {}


def test_a_write_creates_the_store_in_a_folder_that_exists(tmp_path: Path) -> None:
    pfdo = Pfdo(str(tmp_path / "pfdo.sqlite"))
    assert pfdo.json("provider", "add", "p1", "--name", "P")["provider"] == "p1"
    assert logged(tmp_path / "pfdo.sqlite") == 1


# -- what is there is not a pfdo store ----------------------------------------------------


def test_a_folder_is_not_a_store(tmp_path: Path) -> None:
    before = files(tmp_path)
    for args in (["balance", "1"], ["provider", "add", "p1", "--name", "P"], ["rebuild"]):
        line = refused(["--db", str(tmp_path), *args])
        assert line == f"Error: cannot open SQLite file {tmp_path}: it is a folder, not a file"
    assert files(tmp_path) == before


def test_a_text_file_is_not_a_store_and_is_left_as_it_was(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n")
    before = files(tmp_path)
    for args in (["balance", "1"], ["provider", "add", "p1", "--name", "P"], ["audit", "verify"]):
        line = refused(["--db", str(text), *args])
        assert line == (
            f"Error: cannot open SQLite file {text}: it is not a pfdo store (not a SQLite database)"
        )
    assert files(tmp_path) == before


def test_another_programs_sqlite_database_is_not_a_store(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
    connection.close()
    before = files(tmp_path)
    line = refused(["--db", str(other), "provider", "add", "p1", "--name", "P"])
    assert line == (
        f"Error: cannot open SQLite file {other}: "
        "it is not a pfdo store (a SQLite database without its log)"
    )
    assert files(tmp_path) == before


# -- PostgreSQL -------------------------------------------------------------------------


def test_an_unreachable_postgresql_server_is_named_with_the_reason() -> None:
    url = "postgresql://postgres@127.0.0.1:9/region"
    for args in (["balance", "1"], ["provider", "add", "p1", "--name", "P"]):
        line = refused(["--db", url, *args])
        assert line.startswith("Error: cannot open PostgreSQL database region on 127.0.0.1:9: ")
        assert "refused" in line or "timeout" in line


@pytest.fixture
def postgres_server() -> str:
    server = os.environ.get("PFDO_TEST_POSTGRES")
    if not server:
        pytest.skip("PFDO_TEST_POSTGRES is not set: see scripts/pg-test-server")
    return server


def _databases(server: str) -> set[str]:
    import psycopg

    with psycopg.connect(server, autocommit=True) as connection:
        return {row[0] for row in connection.execute("SELECT datname FROM pg_database")}


def test_a_read_of_a_missing_postgresql_database_creates_no_database(
    postgres_server: str,
) -> None:
    name = f"pfdo_test_{uuid.uuid4().hex[:12]}"
    url = f"{postgres_server.rsplit('/', 1)[0]}/{name}"
    host_port = postgres_server.rsplit("@", 1)[1].rsplit("/", 1)[0]
    for args in (["balance", "1"], ["audit", "verify"], ["rebuild"]):
        line = refused(["--db", url, *args])
        assert line == f"Error: no pfdo store at PostgreSQL database {name} on {host_port}"
    assert name not in _databases(postgres_server)


def test_a_write_creates_a_postgresql_database_whatever_its_name(postgres_server: str) -> None:
    import psycopg
    from psycopg import sql

    name = f'pfdo_test_{uuid.uuid4().hex[:8]}-"odd name"'
    url = f"{postgres_server.rsplit('/', 1)[0]}/{name.replace(' ', '%20')}"
    try:
        assert Pfdo(url).json("provider", "add", "p1", "--name", "P")["provider"] == "p1"
        assert name in _databases(postgres_server)
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


# -- read-only stores: an auditor's copy --------------------------------------------------


def _as_bound_by_file_modes() -> list[str]:
    """How to start a process on which file modes bind: as this user, or as root without
    the capabilities that override them."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: file modes cannot be made to bind")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"]


def pfdo_bound(*args: str) -> subprocess.CompletedProcess[str]:
    """`pfdo ARGS` in a child process on which file modes bind."""
    command = [*_as_bound_by_file_modes(), sys.executable, "-m", "pfdo.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def _require_read_only(path: Path) -> None:
    probe = pfdo_bound_probe(path)
    if probe:
        pytest.skip(f"{path} stays writable here ({probe}): the read-only test would prove nothing")


def pfdo_bound_probe(path: Path) -> str:
    """'' when `path` cannot be written by a bound child process, else why it can."""
    code = "import os, sys; sys.exit(os.access(sys.argv[1], os.W_OK))"
    command = [*_as_bound_by_file_modes(), sys.executable, "-c", code, str(path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    return "" if done.returncode == 0 else "access(W_OK) is true"


@pytest.fixture
def copy(tmp_path: Path) -> Iterator[Path]:
    """An auditor's copy: a store whose log holds two events its read models lack (a
    certificate issued and funded by a writer whose read models were left to a follower)."""
    folder = tmp_path / "copy"
    folder.mkdir()
    store = folder / "pfdo.sqlite"
    pfdo = Pfdo(str(store))
    pfdo.json(
        "period", "open", "2025", "--municipality", "city", "--start", "2025-01-01",
        "--end", "2025-12-31", "--category", "base=12000", "--on", "2025-01-01",
    )  # fmt: skip
    pfdo.issue(NUMBER, "child-1", "2015-06-01")
    pfdo.fund(NUMBER)
    with Ledger(str(store), project_after_commands=False) as writer:
        writer.issue_certificate(
            child="child-2", birth_date="2016-02-01", municipality="city", number=SECOND
        )
    yield store
    for path in (folder, *folder.iterdir()):
        path.chmod(0o755 if path.is_dir() else 0o644)


def test_a_read_only_copy_answers_from_its_read_models_and_says_how_far_behind_they_are(
    copy: Path,
) -> None:
    behind = logged(copy) - _folded(copy)
    assert behind >= 1
    copy.chmod(0o444)
    _require_read_only(copy)
    before = files(copy.parent)

    done = pfdo_bound("--db", str(copy), "balance", NUMBER, "--json")

    assert done.returncode == 0, done.stderr
    assert '"available": "12000.00"' in done.stdout
    assert done.stderr.splitlines() == [
        f"Warning: the read models are {behind} events behind the log of SQLite file {copy}: "
        "it is read-only, so they answer as stored"
    ]
    assert files(copy.parent) == before


def test_a_read_only_copy_answers_as_stored_without_the_events_its_read_models_lack(
    copy: Path,
) -> None:
    copy.chmod(0o444)
    _require_read_only(copy)
    before = files(copy.parent)

    done = pfdo_bound("--db", str(copy), "balance", SECOND)

    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == f"Error: certificate {SECOND} does not exist"
    assert "Traceback" not in done.stderr
    assert files(copy.parent) == before


def test_a_read_only_copy_shows_its_lists_and_cards_as_stored(copy: Path) -> None:
    copy.chmod(0o444)
    _require_read_only(copy)
    before = files(copy.parent)

    periods = pfdo_bound("--db", str(copy), "period", "list", "--json")
    card = pfdo_bound("--db", str(copy), "certificate", "show", NUMBER, "--json")
    missing = pfdo_bound("--db", str(copy), "certificate", "show", SECOND)

    assert periods.returncode == 0, periods.stderr
    assert [p["period"] for p in json.loads(periods.stdout)["periods"]] == ["2025"]
    assert card.returncode == 0, card.stderr
    assert json.loads(card.stdout)["periods"][0]["available"] == "12000.00"
    assert card.stderr.startswith("Warning: the read models are ")
    assert missing.returncode == 1
    assert missing.stderr.splitlines()[-1] == f"Error: certificate {SECOND} does not exist"
    assert files(copy.parent) == before


@pytest.mark.parametrize(
    "command",
    [
        ["provider", "add", "p1", "--name", "P"],
        ["certificate", "fund", SECOND, "--period", "2025", "--category", "base"],
        ["rebuild"],
        ["audit", "checkpoint"],
    ],
)
def test_a_write_on_a_read_only_copy_is_refused_and_writes_nothing(
    copy: Path, command: list[str]
) -> None:
    copy.chmod(0o444)
    _require_read_only(copy)
    before, events = files(copy.parent), logged(copy)

    done = pfdo_bound("--db", str(copy), *command)

    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"Error: cannot write to SQLite file {copy}: "
        "it is read-only (the file is not writable by this user)"
    ]
    assert files(copy.parent) == before
    assert logged(copy) == events


def test_a_store_in_a_read_only_folder_is_read_but_not_written(copy: Path) -> None:
    folder = copy.parent
    Pfdo(str(copy)).json("rebuild")  # level, and no -wal left: a clean copy
    folder.chmod(0o555)
    _require_read_only(folder)
    before, events = files(folder), logged(copy)

    read = pfdo_bound("--db", str(copy), "balance", SECOND, "--json")
    write = pfdo_bound("--db", str(copy), "provider", "add", "p1", "--name", "P")
    create = pfdo_bound("--db", str(folder / "new.sqlite"), "provider", "add", "p1", "--name", "P")

    assert read.returncode == 0, read.stderr
    assert read.stderr == ""
    assert f'"number": "{SECOND}"' in read.stdout
    assert (write.returncode, write.stdout) == (1, "")
    assert write.stderr.splitlines() == [
        f"Error: cannot write to SQLite file {copy}: "
        "it is read-only (its folder is not writable by this user)"
    ]
    assert (create.returncode, create.stdout) == (1, "")
    assert create.stderr.splitlines() == [
        f"Error: cannot create SQLite file {folder / 'new.sqlite'}: "
        f"the folder {folder} is not writable"
    ]
    assert files(folder) == before
    assert logged(copy) == events


def _folded(store: Path) -> int:
    connection = sqlite3.connect(f"file:{store}?mode=ro&immutable=1", uri=True)
    try:
        return int(connection.execute("SELECT position FROM pfdo_position").fetchone()[0])
    finally:
        connection.close()


def test_the_auditors_commands_read_a_read_only_copy_without_writing_it(
    copy: Path, tmp_path: Path
) -> None:
    behind = logged(copy) - _folded(copy)
    copy.chmod(0o444)
    _require_read_only(copy)
    before = files(copy.parent)

    verify = pfdo_bound("--db", str(copy), "audit", "verify", "--json")
    export = pfdo_bound("--db", str(copy), "audit", "export", "--out", str(tmp_path / "x.jsonl"))

    assert verify.returncode == 0, verify.stderr
    assert '"ok": true' in verify.stdout
    assert f"{behind} event(s) after position {_folded(copy)} are not chained yet" in verify.stdout
    assert export.returncode == 0, export.stderr
    assert export.stderr.splitlines() == [
        f"Warning: the read models are {behind} events behind the log of SQLite file {copy}: "
        "it is read-only, so they answer as stored"
    ]
    assert (tmp_path / "x.jsonl").exists()
    assert files(copy.parent) == before


@pytest.mark.parametrize(
    "command",
    [
        "period open 2026 --municipality m --start 2026-13-01 --end 2026-12-31 "
        "--category base=5000",
        "certificate issue --number 12x --child c1 --municipality m --birth-date 2015-01-01",
        "certificate fund 1000000001 --period 2026 --category base",
    ],
)
def test_a_refused_first_command_leaves_no_store_behind(tmp_path: Path, command: str) -> None:
    """A writing command that would create the store but is refused (malformed, or refused
    by the rules) writes nothing: not even an empty store file."""
    store = tmp_path / "year.sqlite"
    result = CliRunner().invoke(main, ["--db", str(store), *command.split()])
    assert result.exit_code in (1, 2), result.output
    assert files(tmp_path) == {}


def test_a_refused_command_on_an_existing_empty_store_keeps_it(tmp_path: Path) -> None:
    """Only a file this invocation created is removed: an empty store made before stays."""
    store = tmp_path / "year.sqlite"
    Ledger(str(store), create=True).close()
    before = files(tmp_path)
    bad = ["period", "open", "2026", "--municipality", "m", "--start", "2026-13-01"]
    result = CliRunner().invoke(
        main, ["--db", str(store), *bad, "--end", "2026-12-31", "--category", "b=1"]
    )
    assert result.exit_code == 2, result.output
    assert set(files(tmp_path)) >= set(before)
    assert logged(store) == 0


@pytest.mark.parametrize(
    "command",
    ["balance 1600000001 --json", "provider add P9 --name Club", "audit verify"],
)
def test_a_store_in_a_folder_this_user_may_not_enter_is_one_error_line(
    tmp_path: Path, command: str
) -> None:
    """A store behind a folder this user may not enter (mode 000): one `Error:` line
    naming why, exit 1, no traceback, whether the command reads, writes or audits."""
    locked = tmp_path / "locked"
    locked.mkdir()
    Ledger(str(locked / "year.sqlite"), create=True).close()
    locked.chmod(0)
    try:
        probe = pfdo_bound_probe(locked / "year.sqlite")
        if probe:
            pytest.skip(f"the folder stays open here ({probe})")
        done = pfdo_bound("--db", str(locked / "year.sqlite"), *command.split())
    finally:
        locked.chmod(0o755)
    assert done.returncode == 1, done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert one_error_line(done.stderr).startswith("Error: ")
    assert "may not look there" in done.stderr
