"""Checkpoints: taken on request, recorded at every period close, signed with the
operator's key, and refused when they are not what they claim.

Tests on `year` or `db_url` run on SQLite and PostgreSQL; those on `year_file` on SQLite
only (a copy of a year played once).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from audit_support import Year
from click.testing import CliRunner

from integration.year import PERIOD, funded_child, open_year
from pfdo import AlreadyExists, InvalidInput, Ledger, PeriodClosed
from pfdo.audit.checkpoint import Checkpoint, read_file, write_file
from pfdo.audit.keys import (
    KEY_ENV,
    SigningKey,
    generate,
    key_id,
    load_public_key,
    load_signing_key,
)
from pfdo.cli import main


def close_small_year(
    ledger: Ledger, request_id: str | None = None, signing_key: SigningKey | None = None
) -> None:
    ledger.close_period(PERIOD, on="2025-12-31", request_id=request_id, signing_key=signing_key)


def test_closing_a_period_records_a_checkpoint_of_the_whole_close(year: Year) -> None:
    with Ledger(year.db) as ledger:
        (checkpoint,) = ledger.auditor().checkpoints()
        result = ledger.auditor().verify()
        assert checkpoint.reason == "period 2025 closed"
        assert checkpoint.position == ledger.log_position()  # the close was the last command
    assert result.ok and result.checkpoints == 1
    assert checkpoint.signature is None  # no signing key was given
    assert any("is not signed" in warning for warning in result.warnings)


def test_a_period_closed_with_an_audit_key_has_its_checkpoint_signed(
    db_url: str, tmp_path: Path
) -> None:
    private, public, fingerprint = generate(tmp_path / "operator.key")
    with Ledger(db_url) as ledger:
        open_year(ledger)
        funded_child(ledger)
        close_small_year(ledger, signing_key=load_signing_key(private))
        (checkpoint,) = ledger.auditor().checkpoints()
        result = ledger.auditor().verify(public_key=public)
    assert checkpoint.signer() == fingerprint == key_id(load_public_key(public))
    assert checkpoint.signature_status(load_public_key(public)) == "valid"
    assert result.ok and result.warnings == []


def test_a_retried_close_keeps_its_one_checkpoint(db_url: str) -> None:
    with Ledger(db_url) as ledger:
        open_year(ledger)
        funded_child(ledger)
        close_small_year(ledger, request_id="close-2025")
        close_small_year(ledger, request_id="close-2025")
        with pytest.raises(PeriodClosed):
            close_small_year(ledger)
        assert len(ledger.auditor().checkpoints()) == 1


def test_an_unreadable_audit_key_refuses_the_close_before_anything_is_written(
    db_url: str, tmp_path: Path
) -> None:
    with Ledger(db_url) as ledger:
        open_year(ledger)
        funded_child(ledger)
        position = ledger.log_position()
    missing = str(tmp_path / "missing.key")
    closing = ["--db", db_url, "period", "close", PERIOD, "--on", "2025-12-31", "--json"]
    refused = CliRunner().invoke(main, closing, env={KEY_ENV: missing})
    assert refused.exit_code == 2
    assert "cannot read the private key" in refused.stderr
    with Ledger(db_url) as ledger:
        assert ledger.log_position() == position
        assert ledger.auditor().checkpoints() == []


def test_a_checkpoint_written_to_a_file_reads_back_and_verifies(
    year_file: str, tmp_path: Path
) -> None:
    private, public, _ = generate(tmp_path / "operator.key")
    with Ledger(year_file) as ledger:
        taken = ledger.auditor().checkpoint(load_signing_key(private))
        assert taken.position == ledger.log_position()
        write_file(tmp_path / "checkpoint.json", taken)
        assert read_file(tmp_path / "checkpoint.json") == taken
        result = ledger.auditor().verify([tmp_path / "checkpoint.json"], public)
    assert result.ok and result.checkpoints == 3  # the close's, this one kept, and the file


def test_an_unsigned_checkpoint_file_is_refused_when_a_public_key_is_given(
    year_file: str, tmp_path: Path
) -> None:
    _, public, _ = generate(tmp_path / "operator.key")
    with Ledger(year_file) as ledger:
        taken = ledger.auditor().checkpoint()
        write_file(tmp_path / "unsigned.json", taken)
        (problem,) = ledger.auditor().verify([tmp_path / "unsigned.json"], public).problems
    assert problem.position == taken.position
    assert "not signed, but a public key was given" in problem.message


def test_a_file_that_is_no_checkpoint_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"format": "pfdo-checkpoint", "version": 9}))
    with pytest.raises(InvalidInput, match="checkpoint version 9 is not supported"):
        read_file(path)
    path.write_text("{}")
    with pytest.raises(InvalidInput, match="is not a pfdo checkpoint"):
        read_file(path)
    with pytest.raises(InvalidInput, match="has no 'signature'"):
        Checkpoint.from_document({"format": "pfdo-checkpoint", "version": 1, "position": 1,
                                  "head": "00", "time": "t", "reason": "r",
                                  "public_key": None}, "test")  # fmt: skip


def test_keys_are_never_overwritten(tmp_path: Path) -> None:
    private, public, _ = generate(tmp_path / "operator.key")
    assert private.stat().st_mode & 0o777 == 0o600
    assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    with pytest.raises(AlreadyExists, match="exists already"):
        generate(tmp_path / "operator.key")


def test_a_signature_checked_without_the_operators_public_key_is_only_a_warning(
    year_file: str, tmp_path: Path
) -> None:
    private, _, fingerprint = generate(tmp_path / "operator.key")
    with Ledger(year_file) as ledger:
        ledger.auditor().checkpoint(load_signing_key(private))
        result = ledger.auditor().verify()
    assert result.ok
    assert any(f"valid for the key it carries ({fingerprint})" in w for w in result.warnings)
