"""SQLite's `PRAGMA synchronous` as a store setting: FULL unless the URL asks for NORMAL.

The setting must reach every connection that writes the store: the event log's (the
library's pool, including connections it opens later) and the read models' engine.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from pfdo import InvalidInput, Ledger
from pfdo.storage.store import StoreURL

FULL, NORMAL = 2, 1


def _event_log_levels(ledger: Ledger, connections: int) -> list[int]:
    """`PRAGMA synchronous` on `connections` of the event log's pool, all held at once
    (so that the pool opens new ones)."""
    datastore = ledger._log.recorder.datastore  # type: ignore[attr-defined]
    held = [datastore.pool.get_connection(is_writer=False) for _ in range(connections)]
    try:
        levels = []
        for connection in held:
            cursor = connection.cursor()
            cursor.execute("PRAGMA synchronous")
            levels.append(int(cursor.fetchone()[0]))
        return levels
    finally:
        for connection in held:
            datastore.pool.put_connection(connection)


def _read_model_levels(ledger: Ledger, connections: int) -> list[int]:
    held = [ledger._engine.connect() for _ in range(connections)]
    try:
        return [int(c.execute(text("PRAGMA synchronous")).scalar_one()) for c in held]
    finally:
        for connection in held:
            connection.close()


@pytest.mark.parametrize(
    ("suffix", "level"),
    [("", FULL), ("?synchronous=full", FULL), ("?synchronous=normal", NORMAL)],
)
def test_every_connection_of_the_store_runs_at_the_level_the_url_asks_for(
    tmp_path: Path, suffix: str, level: int
) -> None:
    with Ledger(f"{tmp_path / 'store.sqlite'}{suffix}") as ledger:
        ledger.open_period(
            "2025",
            municipality="city",
            start="2025-01-01",
            end="2025-12-31",
            categories={"base": {"nominal": "1000.00"}},
        )
        assert ledger.periods()  # a report: the read models' engine has been used
        assert _event_log_levels(ledger, 3) == [level] * 3
        assert _read_model_levels(ledger, 3) == [level] * 3


def test_a_sqlite_url_names_the_same_file_with_or_without_the_setting(tmp_path: Path) -> None:
    path = str(tmp_path / "x.sqlite")
    normal = StoreURL.parse(f"sqlite:///{path}?synchronous=NORMAL")
    assert (normal.sqlite_path, normal.synchronous) == (path, "normal")
    assert StoreURL.parse(path).synchronous == "full"
    assert StoreURL.parse(f"{path}?synchronous=normal").sqlite_path == path


def test_a_level_sqlite_does_not_take_is_refused_as_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="full or normal"):
        StoreURL.parse(f"{tmp_path / 'x.sqlite'}?synchronous=off")


def test_the_command_line_takes_the_setting_through_pfdo_db(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from pfdo.cli import main

    db = tmp_path / "cli.sqlite"
    env = {"PFDO_DB": f"{db}?synchronous=normal"}
    opened = CliRunner().invoke(
        main,
        ["period", "open", "2025", "--municipality", "city", "--start", "2025-01-01",
         "--end", "2025-12-31", "--category", "base=1000", "--json"],
        env=env,
    )  # fmt: skip
    assert opened.exit_code == 0, opened.stderr
    listed = CliRunner().invoke(main, ["period", "list", "--json"], env=env)
    assert listed.exit_code == 0, listed.stderr
    assert db.exists() and not Path(f"{db}?synchronous=normal").exists()


def test_threads_of_one_ledger_all_get_the_level(tmp_path: Path) -> None:
    with Ledger(f"{tmp_path / 'store.sqlite'}?synchronous=normal") as ledger:
        seen: list[list[int]] = []
        threads = [
            threading.Thread(target=lambda: seen.append(_read_model_levels(ledger, 1)))
            for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert seen == [[NORMAL]] * 3
