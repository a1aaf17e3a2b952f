"""The same municipality year on SQLite and on PostgreSQL prints byte-identical JSON.

The example year is played into one store of each kind; then `balance --json`,
`history --json` and `register --json` for every certificate, provider and month must be
the same bytes. Runs when PFDO_TEST_POSTGRES names a server (always in CI).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from pfdo.cli import main

EXAMPLE = Path(__file__).parents[2] / "examples" / "municipality_year.py"
PROVIDERS = ("SCHOOL-1", "POOL", "IP-IVANOVA")
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]


def _outputs(db: str) -> dict[str, bytes]:
    out = subprocess.run(
        [sys.executable, str(EXAMPLE), "--db", db], check=True, capture_output=True, text=True
    ).stdout
    numbers = [line.split()[0] for line in out.splitlines() if line[:1].isdigit()]
    runner = CliRunner()

    def run(*args: str) -> bytes:
        result = runner.invoke(main, ["--db", db, *args, "--json"])
        assert result.exit_code == 0, result.output
        return result.stdout_bytes

    outputs = {}
    for number in numbers:
        outputs[f"balance {number}"] = run("balance", number)
        outputs[f"history {number}"] = run("history", number)
    for provider in PROVIDERS:
        for month in MONTHS:
            outputs[f"register {provider} {month}"] = run(
                "register", "--provider", provider, "--month", month
            )
    outputs["invoice list"] = run("invoice", "list")
    outputs["period list"] = run("period", "list")
    return outputs


def test_sqlite_and_postgresql_print_the_same_bytes(
    new_store: Callable[[], str], tmp_path: Path
) -> None:
    if not os.environ.get("PFDO_TEST_POSTGRES"):
        pytest.skip("PFDO_TEST_POSTGRES is not set: see scripts/pg-test-server")
    store = new_store()
    if not store.startswith("postgresql://"):
        pytest.skip("compared once, from the PostgreSQL side")
    on_postgres = _outputs(store)
    on_sqlite = _outputs(str(tmp_path / "year.sqlite"))
    # 14 certificates (one funded from a waiting list), the registers, invoices, periods
    assert len(on_sqlite) == 14 * 2 + len(PROVIDERS) * len(MONTHS) + 2
    assert on_postgres == on_sqlite
